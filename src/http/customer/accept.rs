//! `GET` or `POST /api/AcceptInvite`: the redirect URI. After the checks every sign-in
//! makes (`http/sign_in`), applies the email rule, binds the invitation to the login and
//! opens the customer's session (a colleague joins the company at once).

use super::Session;
use super::messages::Message;
use super::refusals;
use super::signin::{Finish, new_session};
use crate::domain::account::{AccountId, LoginFacts};
use crate::domain::invitation::{AcceptError, Invitation, InvitationId, Kind, Status};
use crate::domain::locale::Locale;
use crate::domain::secret::InvitationSecret;
use crate::http::AppState;
use crate::http::extract::Visit;
use crate::http::sign_in::{self, Callback, Outcome, Purpose, Refusal};
use crate::identity::customer::SignedIn;
use crate::page::{Link, Next, Page};
use crate::service::account;
use crate::service::members::{self, MemberError};
use crate::service::onboarding::{self, AcceptFailure};
use crate::storage::Versioned;
use time::OffsetDateTime;
use warp::reply::Response;

pub async fn callback(visit: Visit, params: Callback) -> Response {
    let (state, now) = (&visit.state, visit.now);
    let finish = match sign_in::callback(&visit, Page::AcceptInvite, &params).await {
        Outcome::Verified { flow, login } => match &flow.purpose {
            Purpose::Accept { invitation, link } => {
                let retry = retry_link(link);
                accept(state, invitation, retry, &login, flow.locale(), now).await
            }
            _ => Finish::Refused(refusals::sign_in(Refusal::Expired, None), flow.locale()),
        },
        Outcome::Refused { flow, why } => {
            let locale = flow.as_ref().map_or(visit.browser, |f| f.locale());
            let retry = flow.and_then(|f| match f.purpose {
                Purpose::Accept { link, .. } => retry_link(&link),
                _ => None,
            });
            Finish::Refused(refusals::sign_in(why, retry), locale)
        }
    };
    finish.answer(state, now, sign_in::clear(state))
}

/// The invitation link again (`link`, its secret), to start over.
fn retry_link(link: &str) -> Option<Link> {
    let secret = InvitationSecret::parse(link).ok()?;
    Some(Page::InvitationLink(secret.expose().to_owned()).into())
}

/// `signed_in` accepts the invitation `invitation`; a customer with an account and MFA
/// on gives the code first. `retry` is "try again" (the invitation link).
async fn accept(
    state: &AppState,
    invitation: &str,
    retry: Option<Link>,
    signed_in: &SignedIn,
    locale: Locale,
    now: OffsetDateTime,
) -> Finish {
    let refused = |message| Finish::Refused(message, locale);
    let Ok(id) = InvitationId::parse(invitation) else {
        return refused(Message::SignInExpired { retry });
    };
    let accepted = match onboarding::accept(&state.services, &id, signed_in).await {
        Ok(accepted) => accepted,
        Err(AcceptFailure::NotFound) => return refused(Message::LinkUnknown),
        Err(AcceptFailure::Store(e)) => return Finish::failed(e, locale),
        Err(AcceptFailure::Refused { invitation, reason }) => {
            let message = refusals::not_accepted(&invitation, reason, signed_in, retry);
            return Finish::Refused(message, invitation.locale);
        }
    };
    let invitation = accepted.value.clone();
    let mut completed = invitation.status_at(now) == Status::Completed;
    // The account the login opens, when this callback already knows it.
    let mut joined = None;
    if invitation.kind() == Kind::Member && !completed {
        // A colleague joins at once: no company form.
        match join(state, accepted, signed_in).await {
            Ok(done) => joined = Some(done),
            Err(e) => return not_joined(&invitation, e, locale),
        }
        completed = true;
    }
    let invitation_id = Some(invitation.id.to_string());
    let Some(session) = new_session(signed_in, invitation_id, invitation.locale, now) else {
        return refused(Message::Internal);
    };
    let next = if completed {
        Next::Home
    } else {
        Next::CreateCompany
    };
    // An existing customer with a second factor gives it here too.
    let (account, mfa) = match joined {
        Some(joined) => {
            let mfa = account::second_factor_of_joined(&state.services, &joined).await;
            (Some(joined.account), mfa)
        }
        None => match account::account_for(&state.services, &signed_in.login).await {
            Ok(Some(account)) => {
                let mfa = account::second_factor(&state.services, &account).await;
                (Some(account), mfa)
            }
            Ok(None) => (None, Ok(false)),
            Err(e) => return Finish::failed(e, locale),
        },
    };
    granted(account, mfa, session, next, locale)
}

/// The session at `next`, or first the second factor of `account` when `mfa` says it
/// has one.
fn granted(
    account: Option<AccountId>,
    mfa: Result<bool, crate::service::InvitationError>,
    session: Session,
    next: Next,
    locale: Locale,
) -> Finish {
    match (account, mfa) {
        (Some(account), Ok(true)) => Finish::SecondFactor {
            account: account.as_str().to_owned(),
            session,
            link: None,
            next,
        },
        (_, Ok(_)) => Finish::Grant {
            session,
            target: next.link().href(),
        },
        (_, Err(e)) => Finish::failed(e, locale),
    }
}

/// Why the colleague did not join.
fn not_joined(invitation: &Invitation, error: MemberError, locale: Locale) -> Finish {
    let message = match error {
        MemberError::NotAcceptable(AcceptError::NotUsable(status)) => {
            refusals::ended(invitation, status)
        }
        MemberError::Invitation(e) => return Finish::failed(e, locale),
        other => {
            tracing::error!(invitation = %invitation.id, error = %other, "member not joined");
            Message::Internal
        }
    };
    Finish::Refused(message, invitation.locale)
}

/// The colleague joins the invitation's company.
async fn join(
    state: &AppState,
    accepted: Versioned<Invitation>,
    signed_in: &SignedIn,
) -> Result<members::Joined, MemberError> {
    let email = signed_in
        .email
        .as_ref()
        .ok_or(MemberError::NotAcceptable(AcceptError::WrongEmail))?;
    let facts = LoginFacts::new(signed_in.idp.as_deref(), signed_in.object.as_ref());
    members::join(&state.services, accepted, &signed_in.login, email, facts).await
}
