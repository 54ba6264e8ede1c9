//! Personal data: erasing a person on request (staff, or the customer deleting their own
//! account), exporting what is stored about them, and the retention rule that erases
//! ended invitations by itself. Log lines carry counts and ids only, never an address.

use super::{InvitationError, Services, limits, update_invitation};
use crate::domain::account::{AccountId, CompanyId, LinkedLogin, Membership, Profile};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{Invitation, ListFilter};
use crate::domain::membership::MemberHistoryEntry;
use crate::identity::staff::StaffMember;
use crate::storage::{FoundBy, MfaState, PrivacyRecord};
use serde::Serialize;
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

/// Who asked.
#[derive(Debug, Clone)]
pub enum Requester {
    Staff(StaffMember),
    /// The customer, deleting their own account (the one they are signed in to).
    Customer(AccountId),
}

/// What an erasure removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Erased {
    pub invitations: u32,
    pub accounts: u32,
    pub memberships: u32,
    /// Companies the person administered that now have no administrator.
    pub companies_without_administrator: Vec<CompanyId>,
}

/// Every invitation of `email`, newest first.
async fn invitations_of(
    services: &Services,
    email: &EmailAddress,
    now: OffsetDateTime,
) -> Result<Vec<Invitation>, InvitationError> {
    let mut filter = ListFilter {
        email: Some(email.clone()),
        top: ListFilter::MAX_TOP,
        ..ListFilter::default()
    };
    let mut all = Vec::new();
    loop {
        let page = services.store.list(&filter, now).await?;
        all.extend(page.items);
        match page.next {
            Some(next) => filter.after = Some(next),
            None => return Ok(all),
        }
    }
}

/// Erases everything stored about `email`: pending invitations are revoked first (their
/// links stop), then the person leaves the companies' rosters and histories, then the
/// invitations with their index rows and queued emails, the counters, and last the
/// account (its logins, MFA row and memberships) and the rows keyed by the email's hash.
/// Companies stay; their `CreatedBy` is cleared. Asking again finds nothing, and an
/// erasure cut short anywhere is finished by asking again: what leads to the rest goes
/// last (for staff, the email's rows; for the customer, the logins they sign in with).
pub async fn erase(
    services: &Services,
    email: &EmailAddress,
    requester: &Requester,
) -> Result<Erased, InvitationError> {
    let now = services.clock.now();
    let actor = match requester {
        Requester::Staff(staff) => staff.email.clone(),
        Requester::Customer(_) => email.clone(),
    };
    let invitations = invitations_of(services, email, now).await?;
    for invitation in invitations.iter().filter(|i| i.is_active(now)) {
        update_invitation(services, &invitation.id, None, |current| {
            Ok::<_, InvitationError>(current.revoke(&actor, now).unwrap_or(false))
        })
        .await?;
    }
    // Their colleague invitations leave the companies' pending rows (all of them, again
    // on a second request: while the invitations stand, they lead to the rows).
    for invitation in invitations.iter().filter(|i| i.join().is_some()) {
        let mut ended = invitation.clone();
        ended.status = crate::domain::invitation::StoredStatus::Revoked;
        super::pending::mirror(services, &ended).await?;
    }
    // Every account of the person: the address's, and any made twice for it before one
    // person was one account (see `person`); the customer's own first (it is erased last).
    let accounts = match requester {
        Requester::Customer(account) => person_of(services, account, email).await?,
        Requester::Staff(_) => services.people.accounts_of_email(email).await?,
    };
    let mut memberships = Vec::new();
    for account in &accounts {
        memberships.extend(services.accounts.memberships(account).await?);
    }
    let companies = companies_of(&memberships, &invitations);
    // The invitations they sent as an administrator name them (`invitedBy`, history):
    // found by the companies' history before it is pseudonymised below.
    let sent = sent_invitations(services, email, &companies).await?;
    let sent_ids: Vec<String> = sent.iter().map(|i| i.id.to_string()).collect();
    for sent in sent {
        let forgotten = update_invitation(services, &sent.id, None, |invitation| {
            Ok::<_, InvitationError>(invitation.forget_inviter(email))
        })
        .await;
        match forgotten {
            // Its outbox copy too (the delivery queue row, until the retry clears it), and
            // its company's pending row.
            Ok(written) => {
                services.privacy.rewrite_queued_copy(&written.value).await?;
                super::pending::mirror(services, &written.value).await?;
            }
            Err(InvitationError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let mut without_administrator = Vec::new();
    for company in &companies {
        // Off the roster first (a company made before rosters seeds it from its creator).
        let erased = matches!(requester, Requester::Staff(_));
        let roster = super::members::forget(services, company, email, erased)
            .await
            .map_err(member_error)?;
        services.privacy.forget_creator(company, email).await?;
        let was_member = memberships.iter().any(|m| m.company_id == *company);
        if was_member && roster.is_some_and(|r| r.administrators() == 0) {
            without_administrator.push(company.clone());
        }
    }
    let account_ids: Vec<String> = accounts.iter().map(|a| a.as_str().to_owned()).collect();
    let own: Vec<String> = invitations.iter().map(|i| i.id.to_string()).collect();
    forget_in_events(services, email, &account_ids, &own, &sent_ids, &companies).await?;
    let erased_invitations = services
        .privacy
        .erase_invitations(&invitations, FoundBy::Email)
        .await?;
    let mut counters = vec![limits::mail_key(email)];
    counters.extend(accounts.iter().map(|a| limits::mfa_key(a.as_str())));
    services.privacy.erase_counters(&counters).await?;
    // What leads a second request to the rest goes last: for staff the email's rows, for
    // the customer the logins of the account they sign in to. Any other account of theirs
    // goes before it as for staff (its logins first, its profile last: the profile leads
    // a second request to it once the email's rows are gone).
    let signed_in = match requester {
        Requester::Customer(account) => Some(account),
        Requester::Staff(_) => None,
    };
    if signed_in.is_some() {
        services.privacy.erase_email_rows(email).await?;
    }
    let mut erased_account = crate::storage::ErasedAccount::default();
    for account in accounts.iter().rev() {
        let logins_last = signed_in == Some(account);
        let erased = services.privacy.erase_account(account, logins_last).await?;
        erased_account.accounts += erased.accounts;
        erased_account.memberships += erased.memberships;
    }
    if signed_in.is_none() {
        services.privacy.erase_email_rows(email).await?;
    }
    let erased = Erased {
        invitations: erased_invitations,
        accounts: erased_account.accounts,
        memberships: erased_account.memberships,
        companies_without_administrator: without_administrator,
    };
    let kind = match requester {
        Requester::Staff(_) => "erase",
        Requester::Customer(_) => "self-delete",
    };
    record(services, kind, requester, now, &erased).await;
    super::events::person_erased(services, &account_ids, &own).await?;
    tracing::info!(
        kind,
        invitations = erased.invitations,
        accounts = erased.accounts,
        memberships = erased.memberships,
        companies_without_administrator = erased.companies_without_administrator.len(),
        "personal data erased"
    );
    Ok(erased)
}

/// The person's data out of every stored event (before the rows that lead to them go, so
/// that asking again finds them if this is cut short).
async fn forget_in_events(
    services: &Services,
    email: &EmailAddress,
    accounts: &[String],
    own: &[String],
    sent: &[String],
    companies: &HashSet<CompanyId>,
) -> Result<(), InvitationError> {
    let mut subjects: Vec<String> = own.iter().chain(sent).cloned().collect();
    subjects.extend(companies.iter().map(|c| c.as_str().to_owned()));
    let normalized = email.normalized();
    super::events::scrub(services, &normalized, accounts, own, &subjects).await?;
    Ok(())
}

/// Records the request (who and when, never the address); a failed record is logged and
/// does not undo the request.
async fn record(
    services: &Services,
    kind: &'static str,
    requester: &Requester,
    at: OffsetDateTime,
    erased: &Erased,
) {
    let record = PrivacyRecord {
        at,
        kind,
        staff: match requester {
            Requester::Staff(staff) => Some((staff.name.clone(), staff.email.to_string())),
            Requester::Customer(_) => None,
        },
        invitations: erased.invitations,
        accounts: erased.accounts,
        memberships: erased.memberships,
        companies_without_administrator: erased.companies_without_administrator.clone(),
    };
    if let Err(e) = services.privacy.record(&record).await {
        tracing::error!(kind, error = %e, "personal-data request not recorded");
    }
}

/// Why a customer's own deletion was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeleteFailure {
    /// The last administrator of companies that have other members must hand over first.
    #[error("the last administrator of {} companies with other members", .0.len())]
    LastAdministrator(Vec<Membership>),
    #[error("the account is gone")]
    NoAccount,
    #[error(transparent)]
    Store(#[from] InvitationError),
}

/// Every account of the person `account` belongs to (one, unless the address had two
/// before one person was one account), `account` first.
async fn person_of(
    services: &Services,
    account: &AccountId,
    email: &EmailAddress,
) -> Result<Vec<AccountId>, InvitationError> {
    let mut accounts = vec![account.clone()];
    for other in services.people.accounts_of_email(email).await? {
        if !accounts.contains(&other) {
            accounts.push(other);
        }
    }
    Ok(accounts)
}

/// The companies the person of `account` (every account of its address) is the last
/// administrator of while others are members.
pub async fn handover_needed(
    services: &Services,
    account: &AccountId,
) -> Result<Vec<Membership>, InvitationError> {
    let Some(profile) = services.accounts.profile(account).await? else {
        return Ok(Vec::new());
    };
    let accounts = person_of(services, account, &profile.value.email).await?;
    handover_of(services, &accounts).await
}

async fn handover_of(
    services: &Services,
    accounts: &[AccountId],
) -> Result<Vec<Membership>, InvitationError> {
    let mut blocked: Vec<Membership> = Vec::new();
    for account in accounts {
        for membership in services.accounts.memberships(account).await? {
            if blocked
                .iter()
                .any(|b| b.company_id == membership.company_id)
            {
                continue;
            }
            let Some(held) = services
                .members
                .company_and_roster(&membership.company_id)
                .await?
            else {
                continue;
            };
            let mut roster = held.roster;
            if roster.depart(accounts).is_err() {
                blocked.push(membership);
            }
        }
    }
    Ok(blocked)
}

/// The person (`accounts`) leaves every company of theirs, each decided on the roster it
/// writes; a refusal puts back those already left and names the company.
async fn depart_all(services: &Services, accounts: &[AccountId]) -> Result<(), DeleteFailure> {
    let mut left: Vec<(CompanyId, Vec<crate::domain::membership::Member>)> = Vec::new();
    for account in accounts {
        let memberships = services.accounts.memberships(account).await;
        for membership in memberships.map_err(InvitationError::from)? {
            if left.iter().any(|(id, _)| *id == membership.company_id) {
                continue;
            }
            match super::members::depart(services, &membership.company_id, accounts).await {
                Ok(gone) => left.push((membership.company_id.clone(), gone)),
                Err(refused) => {
                    for (company, members) in &left {
                        super::members::restore(services, company, members).await;
                    }
                    return Err(match refused {
                        super::members::MemberError::Refused(_) => {
                            DeleteFailure::LastAdministrator(vec![membership])
                        }
                        other => DeleteFailure::Store(member_error(other)),
                    });
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn member_error(error: super::members::MemberError) -> InvitationError {
    match error {
        super::members::MemberError::Invitation(e) => e,
        other => InvitationError::Internal(other.to_string()),
    }
}

/// The customer deletes their own account: refused while they are the last
/// administrator of a company with other members; otherwise the same erasure as staff's.
pub async fn delete_own_account(
    services: &Services,
    account: &AccountId,
) -> Result<Erased, DeleteFailure> {
    let Some(profile) = services
        .accounts
        .profile(account)
        .await
        .map_err(InvitationError::from)?
    else {
        // A login still opens it, its profile is gone: an erasure cut short after the
        // profile, whose logins are left to erase.
        services
            .privacy
            .erase_account(account, true)
            .await
            .map_err(InvitationError::from)?;
        return Ok(Erased::default());
    };
    let email = profile.value.email;
    let accounts = person_of(services, account, &email).await?;
    let blocked = handover_of(services, &accounts).await?;
    if !blocked.is_empty() {
        return Err(DeleteFailure::LastAdministrator(blocked));
    }
    // Checked again where it is decided: on each roster's guarded write.
    depart_all(services, &accounts).await?;
    let requester = Requester::Customer(account.clone());
    Ok(erase(services, &email, &requester).await?)
}

/// The colleague invitations `email` sent as an administrator of one of `companies`
/// (not their own invitations).
async fn sent_invitations(
    services: &Services,
    email: &EmailAddress,
    companies: &HashSet<CompanyId>,
) -> Result<Vec<Invitation>, InvitationError> {
    let mut sent = Vec::new();
    for company in companies {
        let ids = super::members::sent_by(services, company, email)
            .await
            .map_err(member_error)?;
        for id in ids {
            if let Some(found) = services.store.get(&id).await? {
                if found.value.sent_by(email) && found.value.email != *email {
                    sent.push(found.value);
                }
            }
        }
    }
    Ok(sent)
}

/// Everything stored about a person, never a secret.
pub struct Export {
    pub now: OffsetDateTime,
    pub invitations: Vec<Invitation>,
    pub profile: Option<Profile>,
    pub logins: Vec<LinkedLogin>,
    pub mfa: Option<MfaState>,
    /// The person's passkeys: their names and dates are shown, never their keys.
    pub passkeys: Vec<crate::domain::passkey::Passkey>,
    pub memberships: Vec<Membership>,
    /// The membership history entries that name the person (as actor or subject), of
    /// every company they belong to or were invited into.
    pub member_history: Vec<(CompanyId, MemberHistoryEntry)>,
    /// The colleague invitations they sent as an administrator (which name them).
    pub invitations_sent: Vec<Invitation>,
}

/// The companies whose rows may name the person: their memberships, and the companies
/// their invitations made or join.
fn companies_of(memberships: &[Membership], invitations: &[Invitation]) -> HashSet<CompanyId> {
    memberships
        .iter()
        .map(|m| m.company_id.clone())
        .chain(invitations.iter().filter_map(|i| {
            i.company_id
                .as_ref()
                .map(|id| CompanyId::from_stored(id.clone()))
        }))
        .collect()
}

pub async fn export(
    services: &Services,
    email: &EmailAddress,
    staff: &StaffMember,
) -> Result<Export, InvitationError> {
    let now = services.clock.now();
    let invitations = invitations_of(services, email, now).await?;
    let account = services.privacy.account_for_email(email).await?;
    let (profile, logins, mfa, memberships, passkeys) = match &account {
        Some(account) => {
            let (profile, logins, mfa, memberships, passkeys) = futures::join!(
                services.accounts.profile(account),
                services.accounts.logins(account),
                services.privacy.mfa_state(account),
                services.accounts.memberships(account),
                super::passkeys::list(services, account),
            );
            let profile = profile?.map(|p| p.value);
            (profile, logins?, mfa?, memberships?, passkeys?)
        }
        None => (None, Vec::new(), None, Vec::new(), Vec::new()),
    };
    let companies = companies_of(&memberships, &invitations);
    let invitations_sent = sent_invitations(services, email, &companies).await?;
    let mut member_history = Vec::new();
    for company in companies {
        let named = |who: &str| EmailAddress::parse(who).is_ok_and(|e| e == *email);
        for entry in services.members.history(&company).await? {
            if named(&entry.actor) || named(&entry.subject) {
                member_history.push((company.clone(), entry));
            }
        }
    }
    member_history.sort_by_key(|(_, entry)| entry.at);
    let found = Erased {
        invitations: u32::try_from(invitations.len()).unwrap_or(u32::MAX),
        accounts: u32::from(profile.is_some()),
        memberships: u32::try_from(memberships.len()).unwrap_or(u32::MAX),
        companies_without_administrator: Vec::new(),
    };
    record(
        services,
        "export",
        &Requester::Staff(staff.clone()),
        now,
        &found,
    )
    .await;
    tracing::info!(
        invitations = found.invitations,
        accounts = found.accounts,
        "personal data exported"
    );
    Ok(Export {
        now,
        invitations,
        profile,
        logins,
        mfa,
        passkeys,
        memberships,
        member_history,
        invitations_sent,
    })
}

/// What one retention pass erased.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PurgeReport {
    /// Invitations ended (expired, revoked) more than the retention period ago.
    pub invitations: u32,
    /// `Limits` counters whose window is over.
    pub counters: u32,
}

/// The retention rule: erases invitations that ended `RETENTION_DAYS` ago or earlier
/// (completed ones stay, pending ones are untouched), and counters whose window is over.
pub async fn purge_ended(services: &Services) -> Result<PurgeReport, InvitationError> {
    let now = services.clock.now();
    let cutoff = now - Duration::days(i64::from(services.retention_days));
    let (ended, recent): (Vec<Invitation>, Vec<Invitation>) = services
        .privacy
        .ended_before(cutoff)
        .await?
        .into_iter()
        .partition(|i| i.ended_at(now).is_some_and(|ended| ended <= cutoff));
    // A colleague invitation's entries in its company's history name the invitee: they
    // go first, so a pass that stops here finds the invitation again next time.
    for invitation in &ended {
        if let Some(join) = invitation.join() {
            services
                .members
                .forget_invitation(&join.company_id, invitation.id.as_str())
                .await?;
        }
    }
    let invitations = services
        .privacy
        .erase_invitations(&ended, FoundBy::Row)
        .await?;
    // A revoke that landed while its company was being created, the creation stopped
    // before it took the company away again: the company goes (one read for each
    // revoked company invitation a customer had accepted; none for the others).
    for revoked in &recent {
        super::onboarding::remove_unfinished_company(services, revoked).await;
    }
    let counters = services
        .privacy
        .erase_finished_counters(limits::window_over, now)
        .await?;
    // The companies' pending rows that a change cut short left out of step.
    let rows = super::pending::reconcile(services).await?;
    if rows != super::pending::Reconciled::default() {
        tracing::info!(
            rewritten = rows.rewritten,
            removed = rows.removed,
            "pending invitation rows put in step"
        );
    }
    Ok(PurgeReport {
        invitations,
        counters,
    })
}
