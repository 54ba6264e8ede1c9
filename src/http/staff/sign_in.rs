//! Staff sign-in at the staff directory: authorization code with PKCE (S256), `state` and
//! `nonce` kept in an encrypted ten-minute cookie; `GET` or `POST /api/StaffCallback`
//! redeems the code and validates the id_token; `POST /api/Staff/signout` ends it.

use super::messages::StaffMessage;
use super::{SESSION_LIFETIME, StaffSession, callback_uri};
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::{STAFF_FLOW, STAFF_SESSION};
use crate::http::customer::callback::{Callback, CallbackFailure, redeem_checked};
use crate::http::extract::{NoFields, Posted, SignedOutQuery, Visit};
use crate::http::failure::message_page;
use crate::http::layout::redirect;
use crate::identity::customer::{AuthRequest, AuthorizeHints};
use crate::identity::staff_sign_in::{NotStaff, StaffSignIn};
use crate::page::Page;
use serde::{Deserialize, Serialize};
use warp::http::StatusCode;
use warp::reply::Response;

/// A staff sign-in under way.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StaffFlow {
    auth: AuthRequest,
    /// The back-office page to return to (always under `/api/Staff`).
    back: String,
    locale: String,
}

const FLOW_LIFETIME: time::Duration = time::Duration::minutes(10);

/// A 302 to the staff directory, remembering `back`.
pub async fn start(
    state: &AppState,
    sign_in: &StaffSignIn,
    locale: Locale,
    back: &str,
    prompt: Option<&str>,
) -> Response {
    let Ok(auth) = AuthRequest::new() else {
        return message_page(state, &StaffMessage::Internal, locale, &[]);
    };
    let hints = AuthorizeHints {
        prompt,
        ui_locales: Some(locale.as_str()),
        ..AuthorizeHints::default()
    };
    let url = match sign_in
        .client
        .authorize_url(&auth, &callback_uri(state), hints)
        .await
    {
        Ok(url) => url,
        Err(e) => {
            tracing::warn!(error = %e, "staff directory unavailable");
            return message_page(state, &StaffMessage::SignInUnavailable, locale, &[]);
        }
    };
    let back = if Page::is_office(back) {
        back.to_owned()
    } else {
        Page::Office.href()
    };
    let now = state.services.clock.now();
    let flow = StaffFlow {
        auth,
        back,
        locale: locale.as_str().to_owned(),
    };
    let cookie = state
        .cookies
        .seal(STAFF_FLOW, &flow, now, now + FLOW_LIFETIME);
    redirect(StatusCode::FOUND, url.as_str(), &[cookie])
}

/// `GET` or `POST /api/StaffCallback`.
pub async fn callback(visit: Visit, callback: Callback) -> Response {
    let (state, now, fallback) = (&visit.state, visit.now, visit.browser);
    let clear = state.cookies.clear(STAFF_FLOW);
    let Some(sign_in) = state.staff_sign_in.clone() else {
        return message_page(state, &StaffMessage::NotConfigured, fallback, &[]);
    };
    let Some(flow) = visit.cookie::<StaffFlow>(STAFF_FLOW) else {
        return message_page(state, &StaffMessage::SignInExpired, fallback, &[clear]);
    };
    let locale = Locale::parse(&flow.locale).unwrap_or(fallback);
    let fail = |message| message_page(state, &message, locale, std::slice::from_ref(&clear));
    let checked =
        redeem_checked(&sign_in.client, &callback, &flow.auth, &callback_uri(state)).await;
    let signed_in = match checked {
        Ok(signed_in) => signed_in,
        Err(CallbackFailure::Expired) => return fail(StaffMessage::SignInExpired),
        Err(CallbackFailure::Provider { error, description }) => {
            let detail = Some(description.as_str())
                .filter(|d| !d.is_empty())
                .unwrap_or(&error)
                .chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect();
            return fail(StaffMessage::SignInRefused { detail });
        }
        Err(CallbackFailure::Failed) => return fail(StaffMessage::SignInFailed),
        Err(CallbackFailure::Unavailable) => return fail(StaffMessage::SignInUnavailable),
    };
    let member = match sign_in.member(&signed_in) {
        Ok(member) => member,
        Err(refused) => {
            let email = match refused {
                NotStaff::NoRole(email) => email,
                // No usable address: the role cannot make up for it (the inviter needs one).
                NotStaff::NoEmail => signed_in
                    .username
                    .clone()
                    .unwrap_or_else(|| signed_in.login.subject.clone()),
            };
            tracing::info!("staff sign-in without the role");
            return fail(StaffMessage::Forbidden {
                email,
                role: sign_in.role().to_owned(),
            });
        }
    };
    let Ok(csrf) = AuthRequest::new().map(|r| r.state) else {
        return fail(StaffMessage::Internal);
    };
    let session = StaffSession {
        name: member.name,
        email: member.email.to_string(),
        roles: signed_in.roles,
        csrf,
    };
    let cookie = state
        .cookies
        .seal(STAFF_SESSION, &session, now, now + SESSION_LIFETIME);
    tracing::info!("staff member signed in");
    redirect(StatusCode::SEE_OTHER, &flow.back, &[clear, cookie])
}

/// `POST /api/Staff/signout` (with the CSRF token).
pub async fn sign_out(visit: Visit, posted: Posted<NoFields>) -> Response {
    let (state, locale) = (&visit.state, super::locale(&visit, posted.lang()));
    let clear = state.cookies.clear(STAFF_SESSION);
    if let Some(session) = visit.cookie::<StaffSession>(STAFF_SESSION)
        && let Err(expired) = super::checked(&visit, &session, posted, locale)
    {
        return expired;
    }
    // Signed out at the staff directory too, when it has an end-session endpoint.
    let back = Page::StaffSignedOut.url(&state.services.public_base_url);
    let end_session = match &state.staff_sign_in {
        Some(sign_in) => sign_in.client.end_session_url(&back, locale.as_str()).await,
        None => None,
    };
    match end_session {
        Some(url) => redirect(StatusCode::SEE_OTHER, url.as_str(), &[clear]),
        None => message_page(state, &StaffMessage::SignedOut, locale, &[clear]),
    }
}

/// `GET /api/Staff/signedout`: where the staff directory's sign-out comes back (`state`
/// or `lang` is the language).
pub async fn signed_out(visit: Visit, query: SignedOutQuery) -> Response {
    let locale = query.locale().unwrap_or(visit.browser);
    message_page(&visit.state, &StaffMessage::SignedOut, locale, &[])
}
