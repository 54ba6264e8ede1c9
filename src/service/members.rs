//! A company's members: inviting a colleague (staff or a customer administrator), joining
//! when a colleague's invitation is accepted, changing roles, removing and leaving, and
//! what the staff API shows of companies. The rules are `domain::membership`'s; every
//! change is an `If-Match` write of the roster (with its history row, in one
//! transaction), read again and decided again when another change landed first.

use super::invitations::{self, Created};
use super::{InvitationError, Services, update_invitation, update_invitation_with};
use crate::domain::account::{
    AccountId, Company, CompanyId, CompanySummary, LinkedLogin, LoginFacts, Role,
};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{
    AcceptError, INVITER_REMOVED, Invitation, InvitationId, Inviter, LoginId, NewInvitation,
};
use crate::domain::membership::{
    Actor, Member, MemberEvent, MemberHistoryEntry, MembershipError, Roster,
};
use crate::storage::{CompanyRead, StoreError, Versioned};
use time::OffsetDateTime;

/// Why a membership operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    #[error("no such company")]
    NoCompany,
    /// The invited email is a member already (the caller names them).
    #[error("already a member")]
    AlreadyMember(EmailAddress),
    #[error(transparent)]
    Refused(#[from] MembershipError),
    /// The invitation cannot (or can no longer) be completed.
    #[error("the invitation cannot be accepted")]
    NotAcceptable(AcceptError),
    #[error(transparent)]
    Invitation(#[from] InvitationError),
}

impl From<StoreError> for MemberError {
    fn from(error: StoreError) -> Self {
        Self::Invitation(error.into())
    }
}

/// How often a roster change is decided again after losing to another change.
const ATTEMPTS: u32 = 8;

/// The company and its roster (one query).
pub(super) async fn company_with_roster(
    services: &Services,
    id: &CompanyId,
) -> Result<CompanyRead, MemberError> {
    services
        .members
        .company_and_roster(id)
        .await?
        .ok_or(MemberError::NoCompany)
}

/// Invites `new.email` into the company `new.join` names, as `actor`: staff (their
/// limits), or an administrator of that company (the company's own budgets, never the
/// staff's). A colleague invitation is locked by company and email; a company invitation
/// (no `join`) is simply created.
pub async fn invite(
    services: &Services,
    new: NewInvitation,
    inviter: Inviter,
    actor: &Actor,
) -> Result<Created, MemberError> {
    let (new, company) = invitable(services, new, actor).await?;
    let created = match (actor, &company) {
        (Actor::Member(_), Some((company, _))) => {
            invitations::create_for_company(services, new, inviter, company).await?
        }
        _ => invitations::create(services, new, inviter).await?,
    };
    note_invited(services, company, &created).await;
    Ok(created)
}

/// `invite` by staff for an invitation already counted against their hourly limit (bulk).
pub async fn invite_counted(
    services: &Services,
    new: NewInvitation,
    inviter: Inviter,
    now: OffsetDateTime,
) -> Result<Created, MemberError> {
    let (new, company) = invitable(services, new, &Actor::Staff).await?;
    let created = invitations::create_counted(services, new, inviter, now).await?;
    note_invited(services, company, &created).await;
    Ok(created)
}

/// The company a colleague's invitation joins, once `actor` may invite into it and the
/// email is not a member yet (`None` for a company invitation). The invitation then
/// carries the company's name, for its email and listings.
async fn invitable(
    services: &Services,
    mut new: NewInvitation,
    actor: &Actor,
) -> Result<(NewInvitation, Option<(CompanyId, Role)>), MemberError> {
    let Some(join) = new.join.clone() else {
        return Ok((new, None));
    };
    let CompanyRead {
        company, roster, ..
    } = company_with_roster(services, &join.company_id).await?;
    roster.may_manage(actor)?;
    if roster.member_by_email(&new.email).is_some() {
        return Err(MemberError::AlreadyMember(new.email));
    }
    new.company = crate::domain::company::CompanyDraft {
        name: Some(company.details.name.clone()),
        ..Default::default()
    };
    Ok((new, Some((company.id, join.role))))
}

async fn note_invited(services: &Services, company: Option<(CompanyId, Role)>, created: &Created) {
    let Some((company, role)) = company else {
        return;
    };
    let invited = MemberHistoryEntry {
        at: created.now,
        event: MemberEvent::Invited,
        actor: created.invitation.inviter_email(),
        subject: created.invitation.email.to_string(),
        role: Some(role),
        invitation: Some(created.invitation.id.to_string()),
    };
    // With its pending row, in one transaction. Cut short, the invitation stands; its
    // delivery-queue row stays until the retry, which writes the pending row.
    let written = services
        .members
        .invited(&company, &invited, &created.invitation)
        .await;
    if let Err(e) = written {
        tracing::warn!(invitation = %created.invitation.id, error = %e, "membership history not written");
    }
}

/// Completes an accepted `member` invitation (`current`, as the accept left it: read
/// again only if it changed meanwhile): the account (made if it is the person's first),
/// the membership with the invited role, a `joined` entry, and the invitation
/// `completed`. Each step finds the previous attempt's write, so signing in again after a
/// failure finishes the job; should the invitation end meanwhile, the membership is
/// taken back.
pub async fn join(
    services: &Services,
    current: Versioned<Invitation>,
    login: &LoginId,
    email: &EmailAddress,
    facts: LoginFacts,
) -> Result<Joined, MemberError> {
    let now = services.clock.now();
    let invitation = current.value.clone();
    let Some(grant) = invitation.join() else {
        return Err(MemberError::NotAcceptable(AcceptError::NotUsable(
            invitation.status_at(now),
        )));
    };
    if invitation.bound_to.as_ref() != Some(login) {
        return Err(MemberError::NotAcceptable(AcceptError::BoundElsewhere));
    }
    let linked = LinkedLogin {
        login: login.clone(),
        provider: facts.provider,
        email: email.clone(),
        linked_at: now,
        object: facts.object,
    };
    // The company first: no address is claimed for an account that cannot join. Then
    // one person, one account: the login's, else the one its address has, else new.
    let held = company_with_roster(services, &grant.company_id).await?;
    let company = held.company.clone();
    let likely_known = invitation.existing_customer;
    let person = super::person::for_joining(services, &linked, likely_known).await?;
    let fresh = matches!(person, super::person::Person::Fresh(_));
    let account = person
        .account()
        .cloned()
        .ok_or_else(|| InvitationError::Internal("no account for the login".into()))?;
    services
        .accounts
        .add_member(
            &account,
            &linked,
            (&company, grant.role),
            (invitation.locale, now),
            person.new_rows(),
        )
        .await?;
    super::person::remember_joined(services, &linked, &person).await?;
    let member = Member {
        account: account.clone(),
        email: email.clone(),
        name: invitation
            .display_name
            .as_ref()
            .map(|n| n.as_str().to_owned()),
        role: grant.role,
        since: now,
    };
    let joined = MemberHistoryEntry {
        at: now,
        event: MemberEvent::Joined,
        actor: email.to_string(),
        subject: email.to_string(),
        role: Some(grant.role),
        invitation: Some(invitation.id.to_string()),
    };
    let (on_roster, on_invitation) =
        super::events::announce_join(services, &company.id, &member, &joined, &invitation, login)
            .await?;
    change_roster_with(services, &held, on_roster, |roster| {
        Ok(roster.join(member.clone()).then(|| vec![joined.clone()]))
    })
    .await?;
    let completed = update_invitation_with(
        services,
        &invitation.id,
        Some(current),
        on_invitation,
        |stored| {
            stored
                .complete(login, company.id.as_str(), now)
                .map_err(MemberError::NotAcceptable)
        },
    )
    .await;
    if let Err(refused @ MemberError::NotAcceptable(_)) = completed {
        // Ended meanwhile (revoked): the membership must not outlive it.
        let left = match company_with_roster(services, &company.id).await {
            Ok(now_held) => {
                change_roster(services, &now_held, |roster| {
                    Ok(roster
                        .members
                        .iter()
                        .position(|m| m.account == account)
                        .map(|i| {
                            roster.members.remove(i);
                            Vec::new()
                        }))
                })
                .await
            }
            Err(e) => Err(e),
        };
        let row = services
            .members
            .set_account_row(&account, &company, None)
            .await;
        if left.is_err() || row.is_err() {
            tracing::error!(invitation = %invitation.id, "membership of an ended invitation not removed");
        }
        return Err(refused);
    }
    completed?;
    tracing::info!(invitation = %invitation.id, company = company.id.as_str(), "member joined");
    Ok(Joined {
        company,
        account,
        fresh,
    })
}

/// Who joined which company.
pub struct Joined {
    pub company: Company,
    pub account: AccountId,
    /// The account was made by this joining: nobody signed in to it before, so it has
    /// no second factor yet (none to read).
    pub fresh: bool,
}

/// Lets `decide` change the roster as `held` read it with the company (`Ok(None)`: nothing
/// to write; otherwise the history entries of the change) and writes it with its ETag,
/// again from a fresh read whenever another change landed first. Returns the roster as written (or as read).
/// The change's `member.*` events are announced before its write, once whatever the
/// attempts (the one that lands confirms them: same entries), and delivered after it.
async fn change_roster(
    services: &Services,
    held: &CompanyRead,
    decide: impl FnMut(&mut Roster) -> Result<Option<Vec<MemberHistoryEntry>>, MemberError>,
) -> Result<Roster, MemberError> {
    change_roster_with(services, held, Default::default(), decide).await
}

/// [`change_roster`] for an operation that announced the change's events already.
async fn change_roster_with(
    services: &Services,
    held: &CompanyRead,
    notice: super::events::RosterNotice,
    mut decide: impl FnMut(&mut Roster) -> Result<Option<Vec<MemberHistoryEntry>>, MemberError>,
) -> Result<Roster, MemberError> {
    let super::events::RosterNotice {
        mut announced,
        gone,
    } = notice;
    let company = &held.company;
    for attempt in 0..ATTEMPTS {
        // The roster as read with the company first; read again after losing to
        // another change.
        let (mut roster, etag) = if attempt == 0 {
            (held.roster.clone(), held.etag.clone())
        } else {
            crate::storage::back_off(attempt).await;
            services.members.roster(company).await?
        };
        let read = roster.clone();
        let before = roster.members.len();
        let Some(history) = decide(&mut roster)? else {
            return Ok(roster);
        };
        let mut fresh = super::events::not_yet(
            &announced,
            super::events::of_roster_change(services, &company.id, &read, &roster, &history, gone),
        );
        super::events::announce(services, &mut fresh).await?;
        announced.extend(fresh);
        if roster.members.len() != before {
            // The count on the companies list first: a change cut short before its roster
            // is saved is decided again by its retry, which writes the count again.
            services.members.list(company, roster.members.len()).await?;
        }
        match services
            .members
            .save(&company.id, &roster, etag.as_deref(), &history)
            .await
        {
            Ok(()) => {
                let ids = announced.into_iter().map(|e| e.event.id).collect();
                super::events::deliver_soon(services, ids);
                return Ok(roster);
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict.into())
}

/// The email a member acts under, for the history.
fn email_of(roster: &Roster, account: &AccountId) -> Result<String, MembershipError> {
    roster
        .member(account)
        .map(|m| m.email.to_string())
        .ok_or(MembershipError::NotAMember)
}

/// `actor` (an administrator) gives `target` the role `role`. The last administrator
/// cannot be demoted, even by two administrators demoting each other at once: each
/// decision is written against the roster it was made on.
pub async fn change_role(
    services: &Services,
    company_id: &CompanyId,
    actor: &AccountId,
    target: &AccountId,
    role: Role,
) -> Result<Roster, MemberError> {
    let held = company_with_roster(services, company_id).await?;
    let company = &held.company;
    let now = services.clock.now();
    let roster = change_roster(services, &held, |roster| {
        let by = email_of(roster, actor)?;
        if !roster.change_role(&Actor::Member(actor.clone()), target, role)? {
            return Ok(None);
        }
        let subject = email_of(roster, target)?;
        Ok(Some(vec![MemberHistoryEntry {
            at: now,
            event: MemberEvent::RoleChanged,
            actor: by,
            subject,
            role: Some(role),
            invitation: None,
        }]))
    })
    .await?;
    services
        .members
        .set_account_row(target, company, Some(role))
        .await?;
    Ok(roster)
}

/// `actor` removes `target` (an administrator removing anyone), or leaves (`actor` =
/// `target`). The person keeps their account and other companies.
pub async fn remove(
    services: &Services,
    company_id: &CompanyId,
    actor: &AccountId,
    target: &AccountId,
) -> Result<Roster, MemberError> {
    let held = company_with_roster(services, company_id).await?;
    let company = &held.company;
    let now = services.clock.now();
    let mut gone = None;
    let removed = change_roster(services, &held, |roster| {
        let by = email_of(roster, actor)?;
        let removed = roster.remove(&Actor::Member(actor.clone()), target)?;
        gone = Some((removed.clone(), by.clone()));
        Ok(Some(vec![MemberHistoryEntry {
            at: now,
            event: if actor == target {
                MemberEvent::Left
            } else {
                MemberEvent::Removed
            },
            actor: by,
            subject: removed.email.to_string(),
            role: Some(removed.role),
            invitation: None,
        }]))
    })
    .await;
    if let Err(MemberError::Refused(refusal)) = &removed {
        // Off the roster already (a removal or a leave cut short before the account's
        // row followed): the row follows now, and the refusal stands.
        let off_the_roster = match refusal {
            MembershipError::UnknownMember => true,
            MembershipError::NotAMember => actor == target,
            _ => false,
        };
        if off_the_roster {
            services
                .members
                .set_account_row(target, company, None)
                .await?;
            finish_withdrawal(services, company_id, target, now).await?;
        }
    }
    let roster = removed?;
    services
        .members
        .set_account_row(target, company, None)
        .await?;
    if let Some((removed, by)) = gone.filter(|(m, _)| m.role == Role::Administrator) {
        withdraw_sent(services, company_id, &removed.email, &by, now).await?;
    }
    Ok(roster)
}

/// A removal of an administrator cut short after its roster write: their colleague
/// invitations are withdrawn now, as the history's entry of the removal says (who
/// removed them, and in which role they went). Read only on a retry that finds the
/// person off the roster.
async fn finish_withdrawal(
    services: &Services,
    company_id: &CompanyId,
    target: &AccountId,
    now: OffsetDateTime,
) -> Result<(), MemberError> {
    let Some(profile) = services.accounts.profile(target).await? else {
        return Ok(());
    };
    let email = profile.value.email;
    let history = services.members.history(company_id).await?;
    let removal = history
        .iter()
        .filter(|h| matches!(h.event, MemberEvent::Removed | MemberEvent::Left))
        .filter(|h| EmailAddress::parse(&h.subject).is_ok_and(|s| s == email))
        .max_by_key(|h| h.at);
    if let Some(removal) = removal.filter(|h| h.role == Some(Role::Administrator)) {
        withdraw_sent(services, company_id, &email, &removal.actor, now).await?;
    }
    Ok(())
}

/// The ids of the colleague invitations of `company_id` that `inviter` sent, by the
/// company's `invited` history entries (which name the sender).
pub async fn sent_by(
    services: &Services,
    company_id: &CompanyId,
    inviter: &EmailAddress,
) -> Result<Vec<InvitationId>, MemberError> {
    Ok(services
        .members
        .history(company_id)
        .await?
        .into_iter()
        .filter(|h| h.event == MemberEvent::Invited)
        .filter(|h| EmailAddress::parse(&h.actor).is_ok_and(|a| a == *inviter))
        .filter_map(|h| InvitationId::parse(h.invitation.as_deref()?).ok())
        .collect())
}

/// Withdraws the colleague invitations of `company_id` that `inviter` (an administrator
/// just removed) sent and that are still pending or accepted; each one's history says
/// why. Found by the company's `invited` history entries, which name the sender.
async fn withdraw_sent(
    services: &Services,
    company_id: &CompanyId,
    inviter: &EmailAddress,
    by: &str,
    now: OffsetDateTime,
) -> Result<(), MemberError> {
    let by = EmailAddress::parse(by).map_err(|_| MembershipError::NotAMember)?;
    for id in sent_by(services, company_id, inviter).await? {
        let withdrawn = update_invitation(services, &id, None, |invitation| {
            let joins_it = invitation
                .join()
                .is_some_and(|join| join.company_id == *company_id);
            if !joins_it || !invitation.is_active(now) {
                return Ok::<_, InvitationError>(false);
            }
            Ok(invitation
                .revoke_because(&by, INVITER_REMOVED, now)
                .unwrap_or(false))
        })
        .await;
        match withdrawn {
            // Its pending row follows, whatever it was (a retry brings it in step).
            Ok(current) => super::pending::mirror(services, &current.value).await?,
            Err(InvitationError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// An administrator of `company_id` sends a colleague's invitation of that company again
/// (counted against the company's own budgets).
pub async fn resend(
    services: &Services,
    company_id: &CompanyId,
    actor: &AccountId,
    id: &InvitationId,
) -> Result<Created, MemberError> {
    let by = managing(services, company_id, actor, id).await?;
    let sender = invitations::Sender::Company(company_id);
    Ok(invitations::resend(services, id, &by, sender).await?)
}

/// An administrator of `company_id` withdraws a colleague's invitation of that company.
pub async fn revoke(
    services: &Services,
    company_id: &CompanyId,
    actor: &AccountId,
    id: &InvitationId,
) -> Result<Invitation, MemberError> {
    let by = managing(services, company_id, actor, id).await?;
    Ok(invitations::revoke(services, id, &by).await?.0)
}

/// The email of `actor`, once they administer `company_id` and invitation `id` joins it
/// (an invitation of another company is not found: ids in a path are never trusted).
async fn managing(
    services: &Services,
    company_id: &CompanyId,
    actor: &AccountId,
    id: &InvitationId,
) -> Result<EmailAddress, MemberError> {
    let (held, invitation) = futures::join!(
        company_with_roster(services, company_id),
        services.store.get(id)
    );
    let roster = held?.roster;
    roster.may_manage(&Actor::Member(actor.clone()))?;
    let joins_it = invitation?
        .and_then(|found| found.value.join())
        .is_some_and(|join| join.company_id == *company_id);
    if !joins_it {
        return Err(InvitationError::NotFound.into());
    }
    let by = roster.member(actor).ok_or(MembershipError::NotAMember)?;
    Ok(by.email.clone())
}

/// Takes an erased person off a company's roster, whatever the rules (erasure is not a
/// member's choice), and pseudonymises the company's history; returns the roster left.
/// `member.removed` says `erased` (staff erased them), else `deleted` (their own).
pub async fn forget(
    services: &Services,
    company_id: &CompanyId,
    email: &EmailAddress,
    erased: bool,
) -> Result<Option<Roster>, MemberError> {
    let Some(held) = services.members.company_and_roster(company_id).await? else {
        return Ok(None);
    };
    let notice = super::events::RosterNotice {
        announced: Vec::new(),
        gone: Some(erased),
    };
    let roster = change_roster_with(services, &held, notice, |roster| {
        let before = roster.members.len();
        roster.members.retain(|m| m.email != *email);
        Ok((roster.members.len() != before).then(Vec::new))
    })
    .await?;
    services.members.pseudonymise(company_id, email).await?;
    Ok(Some(roster))
}

/// The merge of two accounts of one person: `keep` takes `merged`'s place on the roster,
/// with the stronger of the two roles when both are members. The role `keep` has after
/// (`None`: `merged` was not on it, or the company is gone).
pub(crate) async fn rename_member(
    services: &Services,
    company_id: &CompanyId,
    merged: &AccountId,
    keep: &AccountId,
) -> Result<Option<Role>, MemberError> {
    let Some(held) = services.members.company_and_roster(company_id).await? else {
        return Ok(None);
    };
    let roster = change_roster(services, &held, |roster| {
        let Some(at) = roster.members.iter().position(|m| m.account == *merged) else {
            return Ok(None);
        };
        let gone = roster.members.remove(at);
        match roster.members.iter_mut().find(|m| m.account == *keep) {
            Some(kept) => kept.role = kept.role.stronger(gone.role),
            None => roster.members.push(Member {
                account: keep.clone(),
                ..gone
            }),
        }
        Ok(Some(Vec::new()))
    })
    .await?;
    Ok(roster.member(keep).map(|m| m.role))
}

/// A person deleting their own account leaves `company_id`, decided on the roster it
/// writes (the ETag-guarded write demotion uses): of two administrators deleting at once,
/// the second finds the first gone and is refused when others would stay without an
/// administrator. The members taken off (none when the company is gone).
pub async fn depart(
    services: &Services,
    company_id: &CompanyId,
    accounts: &[AccountId],
) -> Result<Vec<Member>, MemberError> {
    let Some(held) = services.members.company_and_roster(company_id).await? else {
        return Ok(Vec::new());
    };
    let mut gone = Vec::new();
    change_roster(services, &held, |roster| {
        gone = roster.depart(accounts)?;
        Ok((!gone.is_empty()).then(Vec::new))
    })
    .await?;
    Ok(gone)
}

/// Puts back members [`depart`] took off (a deletion refused by a later company).
pub async fn restore(services: &Services, company_id: &CompanyId, members: &[Member]) {
    let restored = async {
        let Some(held) = services.members.company_and_roster(company_id).await? else {
            return Ok(());
        };
        change_roster(services, &held, |roster| {
            let mut changed = false;
            for member in members {
                changed |= roster.join(member.clone());
            }
            Ok(changed.then(Vec::new))
        })
        .await
        .map(|_| ())
    };
    if let Err(e) = restored.await {
        tracing::error!(company = company_id.as_str(), error = %e, "members of a refused deletion not put back");
    }
}

/// A company as staff see it: its data, members and pending colleague invitations.
pub struct CompanyView {
    pub company: Company,
    pub roster: Roster,
    pub pending: Vec<Invitation>,
    pub now: OffsetDateTime,
}

pub async fn company_view(
    services: &Services,
    company_id: &CompanyId,
) -> Result<CompanyView, MemberError> {
    let now = services.clock.now();
    // The company with its roster (one query), and the pending rows of its partition
    // (one query, whatever their number); only those still pending or accepted at `now`
    // are shown (an expired one's row stays).
    let (held, pending) = futures::join!(
        company_with_roster(services, company_id),
        services.members.pending(company_id),
    );
    let CompanyRead {
        company, roster, ..
    } = held?;
    let mut pending = pending?;
    pending.retain(|invitation| invitation.is_active(now));
    Ok(CompanyView {
        company,
        roster,
        pending,
        now,
    })
}

/// Companies newest first with their member counts (one query of the companies list),
/// and where the next page starts.
pub async fn companies(
    services: &Services,
    top: u32,
    after: Option<&CompanyId>,
) -> Result<(Vec<CompanySummary>, Option<CompanyId>), MemberError> {
    Ok(services.members.companies(top, after).await?)
}

/// Puts every company into the companies list with its member count, and writes the
/// pending rows of its colleague invitations that are pending or accepted (`handler
/// index-companies`, once, for the companies and invitations made before the list and
/// the rows existed; running it again rewrites the same rows). A scan of `Companies`, a
/// roster read and the history per company, a read per invitation: never on a request.
/// Returns how many companies it listed and how many pending rows it wrote.
pub async fn index_companies(services: &Services) -> Result<(usize, usize), MemberError> {
    let companies = services.members.every_company().await?;
    let mut rows = 0;
    for company in &companies {
        let (roster, _) = services.members.roster(company).await?;
        services.members.list(company, roster.members.len()).await?;
        rows += super::pending::index(services, &company.id).await?;
    }
    Ok((companies.len(), rows))
}
