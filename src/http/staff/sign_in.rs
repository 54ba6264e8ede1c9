//! Staff sign-in at the staff directory, the back office's finish of `http/sign_in`
//! (authorization code with PKCE, the flow in its sealed ten-minute cookie): `GET` or
//! `POST /api/StaffCallback` lets in a member with the role; `POST /api/Staff/signout`
//! ends the session.

use super::messages::StaffMessage;
use super::{SESSION_LIFETIME, StaffSession};
use crate::domain::locale::Locale;
use crate::http::cookies::STAFF_SESSION;
use crate::http::extract::{NoFields, Posted, SignedOutQuery, Visit};
use crate::http::failure::message_page;
use crate::http::layout::redirect;
use crate::http::sign_in::{self, Callback, Outcome, Purpose};
use crate::identity::customer::AuthorizeHints;
use crate::identity::staff_sign_in::NotStaff;
use crate::page::Page;
use warp::http::StatusCode;
use warp::reply::Response;

/// A 302 to the staff directory, coming back to `back` (a back-office page, else the
/// invitations).
pub async fn start(
    state: &crate::http::AppState,
    locale: Locale,
    back: &str,
    prompt: Option<&str>,
) -> Response {
    let hints = AuthorizeHints {
        prompt,
        ui_locales: Some(locale.as_str()),
        ..AuthorizeHints::default()
    };
    let back = if Page::is_office(back) {
        back.to_owned()
    } else {
        Page::Office.href()
    };
    let purpose = Purpose::Staff { back };
    sign_in::start::<StaffMessage>(state, purpose, locale, hints, StatusCode::FOUND).await
}

/// `GET` or `POST /api/StaffCallback`.
pub async fn callback(visit: Visit, params: Callback) -> Response {
    let (state, now, fallback) = (&visit.state, visit.now, visit.browser);
    let clear = sign_in::clear(state);
    let Some(directory) = state.staff_sign_in.clone() else {
        return message_page(state, &StaffMessage::NotConfigured, fallback, &[]);
    };
    let (flow, signed_in) = match sign_in::callback(&visit, Page::StaffCallback, &params).await {
        Outcome::Verified { flow, login } => (flow, login),
        Outcome::Refused { flow, why } => {
            let locale = flow.as_ref().map_or(fallback, |f| f.locale());
            return message_page(state, &StaffMessage::from(why), locale, &[clear]);
        }
    };
    let locale = flow.locale();
    let fail = |message| message_page(state, &message, locale, std::slice::from_ref(&clear));
    let Purpose::Staff { back } = flow.purpose else {
        return fail(StaffMessage::SignInExpired);
    };
    let member = match directory.member(&signed_in) {
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
                role: directory.role().to_owned(),
            });
        }
    };
    let Some(csrf) = sign_in::token() else {
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
    redirect(StatusCode::SEE_OTHER, &back, &[clear, cookie])
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
