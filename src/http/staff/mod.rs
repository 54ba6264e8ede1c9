//! The sales back office (`/api/Staff…`): HTML pages for staff signed in through the staff
//! directory, over the same service layer as the staff API. Every page and action opens
//! the staff session and checks the role first ([`gate`]); every form carries the
//! session's CSRF token.

pub mod actions;
pub mod form;
pub mod messages;
pub mod office;
pub mod sign_in;
pub mod views;

#[cfg(test)]
mod i18n_tests;

use super::AppState;
use super::cookies::STAFF_SESSION;
use crate::domain::invitation::Inviter;
use crate::domain::locale::Locale;
use crate::identity::staff::StaffMember;
use crate::identity::staff_sign_in::StaffSignIn;
use messages::StaffMessage;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::Duration;
use warp::reply::Response;

/// A staff session is short: a laptop left open does not stay signed in for long.
pub const SESSION_LIFETIME: Duration = Duration::hours(1);

/// The signed-in staff member, kept by the browser in an encrypted cookie of its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffSession {
    pub name: String,
    pub email: String,
    /// The id_token's `roles`, checked again on every request.
    pub roles: Vec<String>,
    /// Compared with the `csrf` field of every form post.
    pub csrf: String,
}

impl StaffSession {
    pub fn csrf_matches(&self, sent: &str) -> bool {
        crate::http::session::csrf_matches(&self.csrf, sent)
    }

    pub fn inviter(&self) -> Option<Inviter> {
        let email = crate::domain::email::EmailAddress::parse(&self.email).ok()?;
        Some(
            StaffMember {
                name: self.name.clone(),
                email,
            }
            .into(),
        )
    }
}

/// The page's language: a `lang` parameter, else the browser's `Accept-Language`.
pub fn pick_locale(lang: Option<&str>, accept_language: Option<&str>) -> Locale {
    lang.and_then(|l| Locale::parse(l).ok())
        .unwrap_or_else(|| Locale::negotiate(accept_language))
}

/// The value of `name` in a query string or form body.
pub fn param(encoded: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(encoded)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// What every back-office form posts besides its own fields: the CSRF token and the
/// page's language.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StaffPost {
    pub csrf: String,
    pub lang: Option<String>,
}

impl StaffPost {
    pub fn parse(body: &[u8]) -> Self {
        crate::http::session::form(body).unwrap_or_default()
    }
}

/// Where the staff directory sends staff back.
pub fn callback_uri(state: &AppState) -> String {
    let base = &state.services.public_base_url;
    format!("{}/api/StaffCallback", base.as_str().trim_end_matches('/'))
}

/// A page for `message` in `locale`.
pub fn message_page(
    state: &AppState,
    message: StaffMessage,
    locale: Locale,
    cookies: &[String],
) -> Response {
    let (status, page) = message.page(locale, &state.services.product_name);
    let response = super::customer::pages::html(status, &page, cookies);
    if status == warp::http::StatusCode::SERVICE_UNAVAILABLE {
        return crate::http::failure::retry_after(
            response,
            crate::http::failure::UNAVAILABLE_RETRY,
        );
    }
    response
}

/// Who may use a staff page, or the answer instead: 503 when staff sign-in is not
/// configured, a sign-in at the staff directory without a session (coming back to
/// `back`), 403 without the role.
pub async fn gate(
    state: &AppState,
    cookie_header: Option<&str>,
    locale: Locale,
    back: &str,
) -> Result<(Arc<StaffSignIn>, StaffSession), Response> {
    let Some(sign_in) = state.staff_sign_in.clone() else {
        return Err(message_page(
            state,
            StaffMessage::NotConfigured,
            locale,
            &[],
        ));
    };
    let now = state.services.clock.now();
    let Some(session) = state
        .cookies
        .open::<StaffSession>(cookie_header, STAFF_SESSION, now)
    else {
        return Err(sign_in::start(state, &sign_in, locale, back, None).await);
    };
    if !sign_in.allows(&session.roles) {
        return Err(message_page(
            state,
            StaffMessage::Forbidden {
                email: session.email.clone(),
                role: sign_in.role().to_owned(),
            },
            locale,
            &[],
        ));
    }
    Ok((sign_in, session))
}

/// The back office's routes, each boxed (see [`super::routes`]).
pub fn routes(state: &AppState) -> Vec<warp::filters::BoxedFilter<(Response,)>> {
    use super::{limited_body, raw_query, with_state};
    use actions::Action;
    use warp::Filter as _;
    let cookie = || warp::header::optional::<String>("cookie");
    let language = || warp::header::optional::<String>("accept-language");
    // A body too large or unreadable is an empty form: its CSRF check then refuses it.
    let form = || limited_body().map(|b: Result<bytes::Bytes, _>| b.unwrap_or_default());
    let s = || with_state(state.clone());

    let home = warp::path!("api" / "Staff")
        .and(warp::get())
        .and(s())
        .and(raw_query())
        .and(cookie())
        .and(language())
        .then(office::show);
    let invite = warp::path!("api" / "Staff" / "invite")
        .and(warp::post())
        .and(s())
        .and(cookie())
        .and(language())
        .and(form())
        .then(office::invite);
    let sign_out = warp::path!("api" / "Staff" / "signout")
        .and(warp::post())
        .and(s())
        .and(cookie())
        .and(language())
        .and(form())
        .then(sign_in::sign_out);
    let signed_out = warp::path!("api" / "Staff" / "signedout")
        .and(warp::get())
        .and(s())
        .and(raw_query())
        .and(language())
        .then(sign_in::signed_out);
    let callback = super::callback_routes(
        warp::path!("api" / "StaffCallback").boxed(),
        state.clone(),
        sign_in::callback,
    );
    let detail = warp::path!("api" / "Staff" / "invitations" / String)
        .and(warp::get())
        .and(s())
        .and(raw_query())
        .and(cookie())
        .and(language())
        .then(actions::detail);
    let mut all = vec![
        home.boxed(),
        invite.boxed(),
        sign_out.boxed(),
        signed_out.boxed(),
        callback,
        detail.boxed(),
    ];
    for action in [Action::Resend, Action::Revoke] {
        let confirm = match action {
            Action::Resend => warp::path!("api" / "Staff" / "invitations" / String / "resend")
                .and(warp::get())
                .boxed(),
            Action::Revoke => warp::path!("api" / "Staff" / "invitations" / String / "revoke")
                .and(warp::get())
                .boxed(),
        }
        .and(s())
        .and(raw_query())
        .and(cookie())
        .and(language())
        .then(move |id, state, query, cookie, language| {
            actions::confirm(id, action, state, query, cookie, language)
        });
        let act = match action {
            Action::Resend => warp::path!("api" / "Staff" / "invitations" / String / "resend")
                .and(warp::post())
                .boxed(),
            Action::Revoke => warp::path!("api" / "Staff" / "invitations" / String / "revoke")
                .and(warp::post())
                .boxed(),
        }
        .and(s())
        .and(cookie())
        .and(language())
        .and(form())
        .then(move |id, state, cookie, language, body| {
            actions::act(id, action, state, cookie, language, body)
        });
        all.push(confirm.boxed());
        all.push(act.boxed());
    }
    all
}
