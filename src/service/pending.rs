//! A company's pending colleague invitations, as its page lists them: a row of each in
//! the company's own partition (`storage::pending`), written after every change of the
//! invitation, so the page reads them with one query whatever their number.
//!
//! Kept in step: created (with the `invited` history entry, in one transaction),
//! resent, revoked (by an administrator or staff), withdrawn with its inviter, its
//! email's delivery (the first attempt and the retries), erased (the invitee's own
//! invitations and the inviter's name on the ones they sent), purged, and completed by
//! the colleague's join (in the roster's transaction). A change cut short between the
//! invitation's write and its row's is put right by the person doing it again (each of
//! these writes the row whatever the invitation's state), a create's by the delivery
//! retry (the invitation's queue row stays until the retry has seen it), and anything
//! else by the retention pass, [`reconcile`].

use super::Services;
use crate::domain::invitation::{Invitation, InvitationId};
use crate::storage::StoreError;

/// Brings the row of `invitation` in step with it: written as it now is, or removed once
/// it ended (nothing for a company invitation, which no company lists).
pub async fn mirror(services: &Services, invitation: &Invitation) -> Result<(), StoreError> {
    let Some(join) = invitation.join() else {
        return Ok(());
    };
    services
        .members
        .set_pending(&join.company_id, invitation)
        .await
}

/// What one pass of [`reconcile`] put right.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reconciled {
    pub rewritten: u32,
    pub removed: u32,
}

/// The retention pass's repair of rows a change cut short left behind: every pending row
/// (a scan of `Companies`, one read of its invitation per row, never on a request) is
/// rewritten when its invitation shows otherwise, and removed when the invitation ended,
/// is gone, or joins another company.
pub async fn reconcile(services: &Services) -> Result<Reconciled, StoreError> {
    let mut done = Reconciled::default();
    for (company, id, shown) in services.members.every_pending().await? {
        let current = match InvitationId::parse(&id) {
            Ok(parsed) => services.store.get(&parsed).await?.map(|found| found.value),
            Err(_) => None,
        };
        let ours = current.filter(|i| i.join().is_some_and(|j| j.company_id == company));
        match ours {
            Some(invitation) if crate::storage::pending_listed(&invitation) => {
                if shown.as_ref().is_none_or(|row| differs(row, &invitation)) {
                    services.members.set_pending(&company, &invitation).await?;
                    done.rewritten += 1;
                }
            }
            _ => {
                services.members.drop_pending(&company, &id).await?;
                done.removed += 1;
            }
        }
    }
    Ok(done)
}

/// Whether a row shows something other than its invitation does.
fn differs(row: &Invitation, invitation: &Invitation) -> bool {
    row.status != invitation.status
        || row.expires_at != invitation.expires_at
        || row.delivery.as_str() != invitation.delivery.as_str()
        || row.inviter_email() != invitation.inviter_email()
        || row.inviter_name() != invitation.inviter_name()
        || row.email != invitation.email
        || row.display_name != invitation.display_name
}

/// Writes the rows of the company's colleague invitations that are pending or accepted
/// (`handler index-companies`, for invitations sent before the rows existed; again, it
/// rewrites the same rows): found by the company's `invited` history entries, one read
/// of each. Returns how many rows it wrote.
pub async fn index(
    services: &Services,
    company: &crate::domain::account::CompanyId,
) -> Result<usize, StoreError> {
    let mut ids: Vec<InvitationId> = services
        .members
        .history(company)
        .await?
        .into_iter()
        .filter(|h| h.event == crate::domain::membership::MemberEvent::Invited)
        .filter_map(|h| InvitationId::parse(h.invitation.as_deref()?).ok())
        .collect();
    ids.sort();
    ids.dedup();
    let mut written = 0;
    for id in ids {
        let Some(found) = services.store.get(&id).await? else {
            continue;
        };
        let joins_it = found.value.join().is_some_and(|j| j.company_id == *company);
        if joins_it && crate::storage::pending_listed(&found.value) {
            services.members.set_pending(company, &found.value).await?;
            written += 1;
        }
    }
    Ok(written)
}
