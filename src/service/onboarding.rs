//! The customer's journey: the email link, accepting the invitation after sign-in, and
//! creating the company.

use super::{InvitationError, Services, update_invitation, update_invitation_with};
use crate::domain::account::{
    AccountId, Company, CompanyId, LinkedLogin, LoginFacts, Membership, Role,
};
use crate::domain::company::CompanyDetails;
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{AcceptError, Invitation, InvitationId, Kind, LoginId, Status};
use crate::domain::locale::Locale;
use crate::domain::membership::Member;
use crate::domain::secret::InvitationSecret;
use crate::identity::customer::SignedIn;
use crate::storage::{LinkTarget, Versioned};
use time::OffsetDateTime;

/// What an invitation link leads to.
pub enum LinkOutcome {
    /// Usable: send the browser to sign in.
    SignIn(Box<Invitation>),
    /// No invitation has this link.
    Unknown,
    /// A newer email replaced this link.
    Superseded(Box<Invitation>),
    /// Expired, revoked or completed.
    Ended(Box<Invitation>, Status),
}

/// Looks a link up. Never consumes it (mail scanners open links); the first opening is
/// noted in the history. A link that carries its invitation's id costs one read (and the
/// `opened` write the first time); one sent before links carried it is found the old way,
/// through the link index.
pub async fn open_link(
    services: &Services,
    secret: &InvitationSecret,
) -> Result<(LinkOutcome, OffsetDateTime), InvitationError> {
    let now = services.clock.now();
    let hash = secret.hash();
    let target = match secret.invitation_id() {
        Some(id) => match InvitationId::parse(id) {
            Ok(id) => match services.store.get(&id).await? {
                Some(found) if found.value.opens_with(&hash) => LinkTarget::Invitation {
                    invitation: Box::new(found),
                    current: true,
                },
                Some(found) if found.value.had_link(&hash) => LinkTarget::Invitation {
                    invitation: Box::new(found),
                    current: false,
                },
                _ => LinkTarget::Unknown,
            },
            Err(_) => LinkTarget::Unknown,
        },
        None => services.store.find_by_link(&hash).await?,
    };
    let outcome = match target {
        LinkTarget::Unknown => LinkOutcome::Unknown,
        LinkTarget::Invitation {
            invitation,
            current,
        } => {
            let status = invitation.value.status_at(now);
            match status {
                Status::Pending | Status::Accepted if !current => {
                    LinkOutcome::Superseded(Box::new(invitation.value))
                }
                Status::Pending | Status::Accepted => {
                    let mut opened = invitation.value.clone();
                    if opened.record_opened(now) {
                        record_opening(services, &invitation, &opened).await;
                    }
                    LinkOutcome::SignIn(Box::new(opened))
                }
                other => LinkOutcome::Ended(Box::new(invitation.value), other),
            }
        }
    };
    Ok((outcome, now))
}

/// Records the first opening of a link, with its `invitation.opened` event. Best effort:
/// a concurrent change wins, the opening stays unrecorded (and its event, never
/// confirmed, is dropped by the dispatcher).
async fn record_opening(services: &Services, read: &Versioned<Invitation>, opened: &Invitation) {
    let mut events = super::events::of_change(services, &read.value, opened);
    let recorded = match super::events::announce(services, &mut events).await {
        Ok(()) => services.store.replace(opened, read).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match recorded {
        Ok(()) => {
            super::events::deliver_soon(services, events.into_iter().map(|e| e.event.id).collect())
        }
        Err(e) => tracing::debug!(invitation = %opened.id, error = %e, "opening not recorded"),
    }
}

/// What asking for a new link of an expired invitation did.
pub enum Renewal {
    /// Its sender was told.
    Asked(Box<Invitation>),
    /// Today's request was made already: its sender knows.
    AlreadyAsked(Box<Invitation>),
    /// The sender's emails of the day are used up: not told.
    Limited(Box<Invitation>),
    /// The link leads elsewhere (unknown, or not expired), or its sender was erased (nobody
    /// to ask): its page shows what.
    NotExpired,
}

/// The customer of an expired invitation asks its sender (`invited_by`: the sales person
/// or the company's administrator) for a new link, from the link's page. Once a day per
/// invitation, and counted on the sender's daily emails as a resend is on the customer's.
pub async fn ask_renewal(
    services: &Services,
    secret: &InvitationSecret,
) -> Result<Renewal, InvitationError> {
    let (outcome, now) = open_link(services, secret).await?;
    let LinkOutcome::Ended(invitation, Status::Expired) = outcome else {
        return Ok(Renewal::NotExpired);
    };
    let Some(sender) = invitation.invited_by.clone() else {
        return Ok(Renewal::NotExpired);
    };
    if !super::limits::renewal_asked(services, invitation.id.as_str(), now).await? {
        return Ok(Renewal::AlreadyAsked(invitation));
    }
    match super::limits::email_to(services, &sender.email, now).await {
        Ok(()) => {}
        Err(InvitationError::Limited { .. }) => {
            super::limits::renewal_not_sent(services, invitation.id.as_str(), now).await;
            return Ok(Renewal::Limited(invitation));
        }
        Err(e) => return Err(e),
    }
    let email = crate::mail::renewal::render(&invitation, &sender, &services.product_name)
        .map_err(|e| InvitationError::Internal(format!("template: {e}")))?;
    let sent = tokio::time::timeout(services.mail_timeout, services.mailer.send(&email)).await;
    match sent {
        Ok(Ok(())) => {
            tracing::info!(invitation = %invitation.id, "new link asked for");
            Ok(Renewal::Asked(invitation))
        }
        failed => {
            super::limits::renewal_not_sent(services, invitation.id.as_str(), now).await;
            let why = match failed {
                Ok(Err(e)) => crate::mail::without_addresses(&e.to_string()),
                _ => "timed out".to_owned(),
            };
            Err(InvitationError::Unavailable(format!("mail: {why}")))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AcceptFailure {
    #[error("no such invitation")]
    NotFound,
    #[error("the invitation cannot be accepted")]
    Refused {
        invitation: Box<Invitation>,
        reason: AcceptError,
    },
    #[error(transparent)]
    Store(#[from] InvitationError),
}

/// Binds the invitation to the login that signed in, if its email is the invited one.
/// Returns it with its ETag, for the next step to change it without reading it again.
pub async fn accept(
    services: &Services,
    id: &InvitationId,
    signed_in: &SignedIn,
) -> Result<Versioned<Invitation>, AcceptFailure> {
    let now = services.clock.now();
    let Some(email) = &signed_in.email else {
        let invitation = services
            .store
            .get(id)
            .await
            .map_err(InvitationError::from)?
            .ok_or(AcceptFailure::NotFound)?;
        return Err(AcceptFailure::Refused {
            invitation: Box::new(invitation.value),
            reason: AcceptError::WrongEmail,
        });
    };
    let accepted = update_invitation(services, id, None, |invitation| {
        invitation
            .accept(signed_in.login.clone(), email, now)
            .map_err(|reason| AcceptFailure::Refused {
                invitation: Box::new(invitation.clone()),
                reason,
            })
    })
    .await?;
    tracing::info!(invitation = %id, "invitation accepted");
    Ok(accepted)
}

/// The invitation a signed-in customer is working on, if still theirs, with its ETag.
pub async fn bound_invitation(
    services: &Services,
    id: &InvitationId,
    login: &LoginId,
) -> Result<Option<Versioned<Invitation>>, InvitationError> {
    Ok(services
        .store
        .get(id)
        .await?
        .filter(|i| i.value.bound_to.as_ref() == Some(login)))
}

/// Creates the invitation's company, once however often or concurrently it is asked, makes
/// the customer its administrator and completes the invitation (`current`, as the caller
/// read it: it is read again only if it changed meanwhile). Each step finds the previous
/// attempt's write, so a retry after a crash finishes the job. Should the invitation end
/// meanwhile (a revoke landing between the company's creation and the invitation's
/// completion), the company and the membership are removed again: either the company
/// exists and the invitation is completed, or neither.
pub async fn create_company(
    services: &Services,
    current: Versioned<Invitation>,
    login: &LoginId,
    email: &EmailAddress,
    facts: LoginFacts,
    details: CompanyDetails,
    locale: Locale,
) -> Result<Company, AcceptFailure> {
    let now = services.clock.now();
    let invitation = &current.value;
    let id = invitation.id.clone();
    if invitation.bound_to.as_ref() != Some(login) {
        return Err(AcceptFailure::Refused {
            invitation: Box::new(invitation.clone()),
            reason: AcceptError::BoundElsewhere,
        });
    }
    let status = invitation.status_at(now);
    if !matches!(status, Status::Accepted | Status::Completed) {
        // A creation that stopped after a revoke landed, before it took its company away
        // again, left that company: the customer's next post takes it away.
        remove_unfinished_company(services, invitation).await;
        return Err(AcceptFailure::Refused {
            invitation: Box::new(invitation.clone()),
            reason: AcceptError::NotUsable(status),
        });
    }
    let company_id = CompanyId::for_invitation(&id);
    let company = Company {
        id: company_id.clone(),
        details,
        invitation_id: id.clone(),
        created_at: now,
        created_by: Some(email.clone()),
        created_by_name: invitation
            .display_name
            .as_ref()
            .map(|n| n.as_str().to_owned()),
        require_second_factor: false,
    };
    let linked = LinkedLogin {
        login: login.clone(),
        provider: facts.provider,
        email: email.clone(),
        linked_at: now,
        object: facts.object,
    };
    // Which account the person has (the login's, else the one its address has, else a
    // new one claimed for the address), then the company with them on its roster.
    let person =
        super::person::for_joining(services, &linked, invitation.existing_customer).await?;
    let account = person
        .account()
        .cloned()
        .ok_or_else(|| InvitationError::Internal("no account for the login".into()))?;
    let creator = Member {
        account: account.clone(),
        email: email.clone(),
        name: company.created_by_name.clone(),
        role: Role::Administrator,
        since: now,
    };
    let company = services
        .members
        .create_company(&company, &creator)
        .await
        .map_err(InvitationError::from)?;
    services
        .accounts
        .add_administrator(
            &account,
            &linked,
            &company,
            (locale, now),
            person.new_rows(),
        )
        .await
        .map_err(InvitationError::from)?;
    super::person::remember_joined(services, &linked, &person).await?;

    let announced = announce_creation(services, &company, &creator, invitation, login).await?;
    let completed = update_invitation_with(services, &id, Some(current), announced, |invitation| {
        invitation
            .complete(login, company_id.as_str(), now)
            .map_err(|reason| AcceptFailure::Refused {
                invitation: Box::new(invitation.clone()),
                reason,
            })
    })
    .await;
    if let Err(refused @ AcceptFailure::Refused { .. }) = completed {
        // Ended meanwhile (revoked): the company must not outlive it.
        match services
            .accounts
            .remove_company(&account, &company_id)
            .await
        {
            Ok(_) => {
                tracing::info!(invitation = %id, company = company_id.as_str(), "company removed: the invitation ended meanwhile")
            }
            Err(e) => {
                tracing::error!(invitation = %id, company = company_id.as_str(), error = %e, "company of an ended invitation not removed")
            }
        }
        return Err(refused);
    }
    completed?;
    tracing::info!(invitation = %id, company = company_id.as_str(), "company created");
    Ok(company)
}

/// `company.created` (the company with its first administrator) and
/// `invitation.completed`, announced in one call before the invitation's completion,
/// which confirms both.
async fn announce_creation(
    services: &Services,
    company: &Company,
    creator: &Member,
    invitation: &Invitation,
    login: &LoginId,
) -> Result<Vec<crate::storage::QueuedEvent>, InvitationError> {
    let now = creator.since;
    let roster = crate::domain::membership::Roster {
        members: vec![creator.clone()],
    };
    let data = (services.views.company)(company, &roster, now);
    let created = super::events::about_company(
        services,
        crate::domain::event::EventType::CompanyCreated,
        &company.id,
        now,
        data,
    );
    let mut done = invitation.clone();
    let mut events = vec![created];
    if done.complete(login, company.id.as_str(), now).is_ok() {
        events.extend(super::events::of_change(services, invitation, &done));
    }
    super::events::announce(services, &mut events).await?;
    Ok(events)
}

/// After an invitation ended (revoked): removes the company a creation left behind when it
/// stopped between storing the company and completing the invitation (the process ended
/// there), with the customer's membership of it, so the company does not outlive the
/// invitation. Only for an invitation a login accepted: the login's row read, then the
/// company's rows deleted where present (five calls). Storage failing here is logged:
/// the invitation's end stands.
pub async fn remove_unfinished_company(services: &Services, ended: &Invitation) {
    // Only a company invitation bound to a login can have started a company.
    let Some(login) = ended
        .bound_to
        .as_ref()
        .filter(|_| ended.kind() == Kind::Company)
    else {
        return;
    };
    let company = CompanyId::for_invitation(&ended.id);
    // Each row whether the company's own row is there or not: a creation that went on
    // after a removal (its company's row written just before) leaves the company's line
    // in the list and the membership without it.
    let removed = async {
        let account = services
            .people
            .account_for(login)
            .await?
            .unwrap_or_else(|| AccountId::for_first_login(login));
        services.accounts.remove_company(&account, &company).await
    };
    match removed.await {
        Ok(true) => {
            tracing::info!(invitation = %ended.id, company = company.as_str(), "unfinished company removed with its invitation")
        }
        Ok(false) => {}
        Err(e) => {
            tracing::error!(invitation = %ended.id, company = company.as_str(), error = %e, "unfinished company of an ended invitation not removed")
        }
    }
}

/// The companies of the account a session of `login` issued at `issued_at` opens; `None`
/// when it opens none (no account yet, erased, or its sessions ended since).
pub async fn memberships(
    services: &Services,
    login: &LoginId,
    issued_at: i64,
) -> Result<Option<Vec<Membership>>, InvitationError> {
    match super::person::session_account(services, login, issued_at).await? {
        Some(account) => Ok(Some(services.accounts.memberships(&account).await?)),
        None => Ok(None),
    }
}
