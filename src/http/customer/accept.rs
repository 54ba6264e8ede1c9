//! `GET` or `POST /api/AcceptInvite`: the redirect URI. Checks `state` against the
//! encrypted flow cookie, redeems the code, validates the id_token, applies the email
//! rule, binds the invitation to the login and opens the customer's session.

use super::callback::{Callback, complete_sign_in};
use super::messages::Message;
use super::refusals;
use super::signin::{ask_for_code, grant, new_session};
use super::{Flow, accept_redirect_uri};
use crate::domain::account::AccountId;
use crate::domain::invitation::{AcceptError, Invitation, InvitationId, Kind, Status};
use crate::http::AppState;
use crate::http::cookies::FLOW;
use crate::http::extract::Visit;
use crate::http::failure::{into_page, message_page};
use crate::identity::customer::SignedIn;
use crate::page::Next;
use crate::service::account;
use crate::service::members::{self, MemberError};
use crate::service::onboarding::{self, AcceptFailure};
use crate::storage::Versioned;
use warp::reply::Response;

pub async fn callback(visit: Visit, callback: Callback) -> Response {
    let clear_flow = visit.state.cookies.clear(FLOW);
    let Some(flow) = visit.cookie::<Flow>(FLOW) else {
        let expired = Message::SignInExpired { retry: None };
        return message_page(&visit.state, &expired, visit.browser, &[clear_flow]);
    };
    let (state, now) = (visit.state, visit.now);
    let locale = flow.locale();
    let retry = flow.retry_link();
    let redirect_uri = accept_redirect_uri(&state);
    let signed_in =
        match complete_sign_in(&state, &callback, &flow.auth, &redirect_uri, retry.clone()).await {
            Ok(signed_in) => signed_in,
            Err(message) => return message_page(&state, &message, locale, &[clear_flow]),
        };
    let Ok(id) = InvitationId::parse(&flow.invitation) else {
        return message_page(
            &state,
            &Message::SignInExpired { retry },
            locale,
            &[clear_flow],
        );
    };
    let accepted = match onboarding::accept(&state.services, &id, &signed_in).await {
        Ok(accepted) => accepted,
        Err(AcceptFailure::NotFound) => {
            return message_page(&state, &Message::LinkUnknown, locale, &[clear_flow]);
        }
        Err(AcceptFailure::Store(e)) => return into_page::<Message>(&state, e, locale),
        Err(AcceptFailure::Refused { invitation, reason }) => {
            let message = refusals::not_accepted(&invitation, reason, &signed_in, retry);
            return message_page(&state, &message, invitation.locale, &[clear_flow]);
        }
    };
    let invitation = accepted.value.clone();
    let mut completed = invitation.status_at(now) == Status::Completed;
    // The account the login opens, when this callback already knows it.
    let mut joined = None;
    if invitation.kind() == Kind::Member && !completed {
        // A colleague joins at once: no company form.
        match join(&state, accepted, &signed_in).await {
            Ok(account) => joined = Some(account),
            Err(e) => {
                let message = match e {
                    MemberError::NotAcceptable(AcceptError::NotUsable(status)) => {
                        refusals::ended(&invitation, status)
                    }
                    MemberError::Invitation(e) => return into_page::<Message>(&state, e, locale),
                    other => {
                        tracing::error!(invitation = %invitation.id, error = %other, "member not joined");
                        Message::Internal
                    }
                };
                return message_page(&state, &message, invitation.locale, &[clear_flow]);
            }
        }
        completed = true;
    }
    let invitation_id = Some(invitation.id.to_string());
    let Some(session) = new_session(&signed_in, invitation_id, invitation.locale, now) else {
        return message_page(&state, &Message::Internal, locale, &[clear_flow]);
    };
    let next = if completed {
        Next::Home
    } else {
        Next::CreateCompany
    };
    // An existing customer with MFA on gives the code here too.
    let account = match joined {
        Some(account) => Ok(Some(account)),
        None => account::account_for(&state.services, &signed_in.login).await,
    };
    match account {
        Ok(Some(account)) => match account::mfa_on(&state.services, &account).await {
            Ok(true) => {
                return ask_for_code(
                    &state,
                    account.as_str(),
                    session,
                    None,
                    next,
                    now,
                    clear_flow,
                );
            }
            Ok(false) => {}
            Err(e) => return into_page::<Message>(&state, e, locale),
        },
        Ok(None) => {}
        Err(e) => return into_page::<Message>(&state, e, locale),
    }
    grant(&state, &session, &next.link().href(), now, &[clear_flow])
}

/// The colleague joins the invitation's company; the account that joined.
async fn join(
    state: &AppState,
    accepted: Versioned<Invitation>,
    signed_in: &SignedIn,
) -> Result<AccountId, MemberError> {
    let email = signed_in
        .email
        .as_ref()
        .ok_or(MemberError::NotAcceptable(AcceptError::WrongEmail))?;
    let provider = crate::domain::account::Provider::from_idp(signed_in.idp.as_deref());
    members::join(&state.services, accepted, &signed_in.login, email, provider)
        .await
        .map(|(_, account)| account)
}
