//! The sales back office (`/api/Staff…`): HTML pages for staff signed in through the staff
//! directory, over the same service layer as the staff API. Every page and action opens
//! the staff session and checks the role first ([`gate`]); every form carries the
//! session's CSRF token.

pub mod actions;
pub mod messages;
pub mod office;
pub mod sign_in;
pub mod views;

#[cfg(test)]
mod i18n_tests;

use super::AppState;
use super::cookies::STAFF_SESSION;
use super::extract::{Posted, Visit};
use super::failure::message_page;
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

/// The page's language: `lang` (of the query, or the form's hidden field) when it names one
/// of ours, else the browser's.
pub fn locale(visit: &Visit, lang: Option<Locale>) -> Locale {
    lang.unwrap_or(visit.browser)
}

/// A form's fields once its CSRF token is the staff session's; otherwise the "form
/// expired" page.
pub fn checked<T>(
    visit: &Visit,
    session: &StaffSession,
    posted: Posted<T>,
    locale: Locale,
) -> Result<T, Response> {
    posted
        .check(&session.csrf)
        .ok_or_else(|| message_page(&visit.state, &StaffMessage::FormExpired, locale, &[]))
}

/// Who may use a staff page, or the answer instead: 503 when staff sign-in is not
/// configured, a sign-in at the staff directory without a session (coming back to
/// `back`), 403 without the role.
pub async fn gate(
    visit: &Visit,
    locale: Locale,
    back: &str,
) -> Result<(Arc<StaffSignIn>, StaffSession), Response> {
    let state = &visit.state;
    let Some(sign_in) = state.staff_sign_in.clone() else {
        return Err(message_page(
            state,
            &StaffMessage::NotConfigured,
            locale,
            &[],
        ));
    };
    let Some(session) = visit.cookie::<StaffSession>(STAFF_SESSION) else {
        return Err(sign_in::start(state, locale, back, None).await);
    };
    if !sign_in.allows(&session.roles) {
        return Err(message_page(
            state,
            &StaffMessage::Forbidden {
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
    use super::extract::{either, page, post};
    use actions::Action;
    use warp::Filter as _;
    let s = state;
    let mut all = vec![
        // The office reads its whole query: the list's filters go on to the API's parser.
        warp::path!("api" / "Staff")
            .and(
                warp::get()
                    .and(super::extract::visit(s))
                    .and(super::raw_query()),
            )
            .then(office::show)
            .boxed(),
        warp::path!("api" / "Staff" / "invite")
            .and(post(s))
            .then(office::invite)
            .map(either)
            .boxed(),
        warp::path!("api" / "Staff" / "signout")
            .and(post(s))
            .then(sign_in::sign_out)
            .boxed(),
        warp::path!("api" / "Staff" / "signedout")
            .and(page(s))
            .then(sign_in::signed_out)
            .boxed(),
        super::callback_routes(
            warp::path!("api" / "StaffCallback").boxed(),
            s,
            sign_in::callback,
        ),
        warp::path!("api" / "Staff" / "invitations" / String)
            .and(page(s))
            .then(actions::detail)
            .map(either)
            .boxed(),
    ];
    for action in [Action::Resend, Action::Revoke] {
        let path = move || match action {
            Action::Resend => {
                warp::path!("api" / "Staff" / "invitations" / String / "resend").boxed()
            }
            Action::Revoke => {
                warp::path!("api" / "Staff" / "invitations" / String / "revoke").boxed()
            }
        };
        let confirm = path()
            .and(page(s))
            .then(move |id, visit, query| actions::confirm(id, action, visit, query))
            .map(either);
        let act = path()
            .and(post(s))
            .then(move |id, visit, form| actions::act(id, action, visit, form))
            .map(either);
        all.push(confirm.boxed());
        all.push(act.boxed());
    }
    all
}
