//! Creating, reading, listing, resending and revoking invitations.

use super::{InvitationError, Refusal, Services, delivery, limits, random_u64, update_invitation};
use crate::domain::account::CompanyId;
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{
    Invitation, InvitationId, Inviter, ListFilter, NewInvitation, NotAllowed,
};
use crate::domain::secret::InvitationSecret;
use crate::storage::{Page, StoreError};
use time::OffsetDateTime;

/// Whose budgets an invitation email spends: the sales staff's (their hourly limit and
/// the address's daily one), or a company's own (colleague invitations and resends its
/// administrators send: [`limits::company_allows`]).
#[derive(Debug, Clone, Copy)]
pub enum Sender<'a> {
    Staff,
    Company(&'a CompanyId),
}

pub struct Created {
    pub invitation: Invitation,
    pub invite_url: String,
    pub now: OffsetDateTime,
}

/// Records the invitation, sends its email, then writes the invitation's row once with
/// the outcome. Recorded first and never lost: its delivery-queue row holds it until its
/// row is written, and if the email cannot go now it stays `queued` and is retried.
pub async fn create(
    services: &Services,
    new: NewInvitation,
    inviter: Inviter,
) -> Result<Created, InvitationError> {
    let now = services.clock.now();
    // Independent of each other: issued at once.
    let (counted, existing) = futures::join!(
        limits::staff_sends(services, &inviter.email, 1, now),
        recipient_checks(services, &new.email, now),
    );
    counted?;
    let (mail_counter, existing) = existing?;
    store_and_send(services, new, inviter, existing, vec![mail_counter], now).await
}

/// `create` for a colleague invitation a company's administrator sends: counted against
/// the company's own budgets only, and locked by company and email (see
/// `keys::active_row`), so it neither reveals nor spends anyone else's.
pub async fn create_for_company(
    services: &Services,
    new: NewInvitation,
    inviter: Inviter,
    company: &CompanyId,
) -> Result<Created, InvitationError> {
    let now = services.clock.now();
    let (counters, existing) = futures::join!(
        limits::company_allows(services, company, &new.email, now),
        services.accounts.has_account_for_email(&new.email),
    );
    store_and_send(services, new, inviter, existing?, counters?, now).await
}

/// `create` for an invitation already counted against the staff member's hourly limit.
pub async fn create_counted(
    services: &Services,
    new: NewInvitation,
    inviter: Inviter,
    now: OffsetDateTime,
) -> Result<Created, InvitationError> {
    let (mail_counter, existing) = recipient_checks(services, &new.email, now).await?;
    store_and_send(services, new, inviter, existing, vec![mail_counter], now).await
}

/// Refuses a recipient who had today's invitation emails (checked before anything is
/// stored, counted once the invitation is: a duplicate sends nothing, so it counts
/// nothing, on the counter read here); answers the counter and whether the recipient has
/// an account (for the email's wording).
async fn recipient_checks(
    services: &Services,
    email: &EmailAddress,
    now: OffsetDateTime,
) -> Result<(limits::Counted, bool), InvitationError> {
    let (allowed, existing) = futures::join!(
        limits::email_allowed(services, email, now),
        services.accounts.has_account_for_email(email),
    );
    Ok((allowed?, existing?))
}

async fn store_and_send(
    services: &Services,
    new: NewInvitation,
    inviter: Inviter,
    existing_customer: bool,
    counters: Vec<limits::Counted>,
    now: OffsetDateTime,
) -> Result<Created, InvitationError> {
    let id = InvitationId::new(now, random_u64()?);
    let secret = InvitationSecret::generate(id.as_str())?;
    let mut invitation = Invitation::create(new, inviter, id, secret.hash(), now);
    invitation.existing_customer = existing_customer;
    let mut created = super::events::about_invitation(
        services,
        crate::domain::event::EventType::InvitationCreated,
        &invitation,
        now,
    );
    super::events::announce(services, std::slice::from_mut(&mut created)).await?;
    if let Err(refused) = services.store.insert(&invitation, now).await {
        // Never came to be: its event goes now (or, cut short, once its grace is over).
        super::events::withdraw(services, &created).await;
        return Err(refused.into());
    }
    tracing::info!(invitation = %invitation.id, "invitation created");
    let url = crate::page::Page::InvitationLink(secret.expose().to_owned())
        .url(&services.public_base_url);
    // The recipient's (and a company's) counts are written while the email goes.
    let (counted, sent) = futures::join!(
        limits::count_sent(services, counters),
        delivery::send(services, &invitation, &url),
    );
    match counted {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(invitation = %invitation.id, "a daily email count was spent meanwhile")
        }
        Err(e) => {
            tracing::warn!(invitation = %invitation.id, error = %e, "daily email count not updated")
        }
    }
    let invitation = delivery::store_first(services, invitation, sent.is_ok()).await;
    super::events::deliver_soon(services, vec![created.event.id]);
    Ok(Created {
        invitation,
        invite_url: url,
        now,
    })
}

pub async fn get(
    services: &Services,
    id: &InvitationId,
) -> Result<(Invitation, OffsetDateTime), InvitationError> {
    let now = services.clock.now();
    match services.store.get(id).await? {
        Some(found) => Ok((found.value, now)),
        None => Err(InvitationError::NotFound),
    }
}

pub async fn list(
    services: &Services,
    filter: &ListFilter,
) -> Result<(Page, OffsetDateTime), InvitationError> {
    let now = services.clock.now();
    Ok((services.store.list(filter, now).await?, now))
}

/// A new link and email for a pending or expired invitation; the old link stops working.
pub async fn resend(
    services: &Services,
    id: &InvitationId,
    staff: &EmailAddress,
    sender: Sender<'_>,
) -> Result<Created, InvitationError> {
    let now = services.clock.now();
    let current = services
        .store
        .get(id)
        .await?
        .ok_or(InvitationError::NotFound)?;
    check_resendable(&current.value, now)?;
    let email = &current.value.email;
    match sender {
        Sender::Staff => {
            limits::staff_sends(services, staff, 1, now).await?;
            limits::email_to(services, email, now).await?;
        }
        Sender::Company(company) => {
            let counters = limits::company_allows(services, company, email, now).await?;
            if !limits::count_sent(services, counters).await? {
                // Spent meanwhile by another request: read again, which now refuses.
                limits::company_allows(services, company, email, now).await?;
            }
        }
    }
    // An expired invitation may have been followed by another for the same email.
    services
        .store
        .claim_email(&current.value, now)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(other) => {
                InvitationError::NotAllowed(Refusal::OtherActive(other))
            }
            other => other.into(),
        })?;
    let secret = InvitationSecret::generate(id.as_str())?;
    let stored = update_invitation(services, id, Some(current), |invitation| {
        invitation
            .resend(secret.hash(), staff, now)
            .map(|()| true)
            .map_err(|NotAllowed(status)| not_resendable(status))
    })
    .await?;
    tracing::info!(invitation = %id, "invitation resent");
    let url = crate::page::Page::InvitationLink(secret.expose().to_owned())
        .url(&services.public_base_url);
    let invitation = delivery::first_attempt(services, stored, &url).await;
    // A colleague invitation's pending row: its new expiry and the email's outcome. The
    // email has gone: a failure here must not fail the resend (its retry would send
    // another and end this link); `PurgeEnded` puts the row right.
    if let Err(e) = super::pending::mirror(services, &invitation).await {
        tracing::warn!(invitation = %invitation.id, error = %e, "pending row not written after a resend");
    }
    Ok(Created {
        invitation,
        invite_url: url,
        now,
    })
}

fn check_resendable(invitation: &Invitation, now: OffsetDateTime) -> Result<(), InvitationError> {
    use crate::domain::invitation::Status;
    match invitation.status_at(now) {
        Status::Pending | Status::Expired => Ok(()),
        other => Err(not_resendable(other)),
    }
}

fn not_resendable(status: crate::domain::invitation::Status) -> InvitationError {
    InvitationError::NotAllowed(Refusal::NotResendable(status))
}

/// Withdraws an invitation; revoking a revoked one changes nothing. A company the customer
/// began creating from it, and whose creation never completed it, goes too.
pub async fn revoke(
    services: &Services,
    id: &InvitationId,
    staff: &EmailAddress,
) -> Result<(Invitation, OffsetDateTime), InvitationError> {
    let now = services.clock.now();
    let revoked = update_invitation(services, id, None, |invitation| {
        invitation.revoke(staff, now).map_err(|NotAllowed(status)| {
            InvitationError::NotAllowed(Refusal::NotRevocable(status))
        })
    })
    .await?;
    tracing::info!(invitation = %id, "invitation revoked");
    // A colleague invitation leaves its company's pending rows (again on a repeated
    // revoke, which finds it revoked: a revoke cut short here is finished by its retry).
    super::pending::mirror(services, &revoked.value).await?;
    super::onboarding::remove_unfinished_company(services, &revoked.value).await;
    Ok((revoked.value, now))
}

/// The company the customer created from invitation `id`, if they did (its id derives from
/// the invitation's).
pub async fn created_company(
    services: &Services,
    id: &InvitationId,
) -> Result<Option<crate::domain::account::Company>, InvitationError> {
    let company = crate::domain::account::CompanyId::for_invitation(id);
    Ok(services.accounts.company(&company).await?)
}
