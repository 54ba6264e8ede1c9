//! The sales back office (`/api/Staff…`): HTML pages for staff signed in through the staff
//! directory, over the same service layer as the staff API. Every page and action opens
//! the staff session and checks the role first ([`gate`]: in the route table, the guards
//! [`staff_page`] and [`staff_post`]; the office itself, which first answers "sign in
//! with another account", calls it); every form carries the session's CSRF token.

pub mod actions;
pub mod events;
pub mod funnel;
pub mod messages;
pub mod office;
pub mod sign_in;
pub mod views;

#[cfg(test)]
mod i18n_tests;

use super::AppState;
use super::cookies::STAFF_SESSION;
use super::extract::{LangQuery, Posted, Visit};
use super::failure::message_page;
use crate::domain::invitation::Inviter;
use crate::domain::locale::Locale;
use crate::identity::staff::StaffMember;
use crate::identity::staff_sign_in::StaffSignIn;
use messages::StaffMessage;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::Duration;
use warp::filters::path::FullPath;
use warp::reply::Response;
use warp::{Filter, Rejection};

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

/// A staff member the guard let in: the request's visit, the session, the page's language.
pub struct Staff {
    pub visit: Visit,
    pub session: StaffSession,
    pub locale: Locale,
}

/// What a guard hands on: the staff member and what the request carried, or the page to
/// show instead.
pub type Guarded<T> = Result<(Staff, T), Response>;

async fn let_in(visit: Visit, locale: Locale, back: &str) -> Result<Staff, Response> {
    let (_, session) = gate(&visit, locale, back).await?;
    Ok(Staff {
        visit,
        session,
        locale,
    })
}

/// The guard of a back-office page `GET` (the query's `lang`): see [`gate`]; a sign-in
/// comes back to this page.
pub fn staff_page(
    state: &AppState,
) -> impl Filter<Extract = (Guarded<LangQuery>,), Error = Rejection> + Clone + use<> {
    super::extract::page::<LangQuery>(state)
        .and(warp::path::full())
        .then(
            |visit: Visit, query: LangQuery, path: FullPath| async move {
                let locale = locale(&visit, query.lang);
                let_in(visit, locale, path.as_str())
                    .await
                    .map(|staff| (staff, query))
            },
        )
}

/// The guard of a back-office form `POST` (the form's `lang`): see [`gate`]; a sign-in
/// comes back to the page the form is on, its path's parent.
pub fn staff_post<T>(
    state: &AppState,
) -> impl Filter<Extract = (Guarded<Posted<T>>,), Error = Rejection> + Clone + use<T>
where
    T: DeserializeOwned + Default + Send + 'static,
{
    super::extract::post::<T>(state)
        .and(warp::path::full())
        .then(
            |visit: Visit, posted: Posted<T>, path: FullPath| async move {
                let locale = locale(&visit, posted.lang());
                let back = path.as_str().rsplit_once('/').map_or("", |(page, _)| page);
                let_in(visit, locale, back)
                    .await
                    .map(|staff| (staff, posted))
            },
        )
}

/// The back office's routes, each boxed (see [`super::routes`]), grouped by guard.
pub fn routes(state: &AppState) -> Vec<warp::filters::BoxedFilter<(Response,)>> {
    use super::extract::{guarded, page, post};
    use actions::Action;
    let s = state;

    // Anyone: the sign-in's callback, signing out.
    let callback = warp::path!("api" / "StaffCallback").boxed();
    let sign_out = warp::path!("api" / "Staff" / "signout")
        .and(post(s))
        .then(sign_in::sign_out);
    let signed_out = warp::path!("api" / "Staff" / "signedout")
        .and(page(s))
        .then(sign_in::signed_out);
    // The office: "sign in with another account" first, then its own [`gate`]. It reads
    // its whole query: the list's filters go on to the API's parser.
    let office = warp::path!("api" / "Staff")
        .and(
            warp::get()
                .and(super::extract::visit(s))
                .and(super::raw_query()),
        )
        .then(office::show);

    // A staff member with the role ([`staff_page`], [`staff_post`]).
    let invite = warp::path!("api" / "Staff" / "invite")
        .and(staff_post(s))
        .then(|guard| guarded(guard, office::invite));
    let detail = warp::path!("api" / "Staff" / "invitations" / String)
        .and(staff_page(s))
        .then(|id, guard| guarded(guard, move |staff, _| actions::detail(id, staff)));
    let redeliver = warp::path!("api" / "Staff" / "events" / String / "redeliver")
        .and(staff_post(s))
        .then(|id, guard| guarded(guard, move |staff, form| events::redeliver(id, staff, form)));
    let mut all = vec![
        super::callback_routes(callback, s, sign_in::callback),
        sign_out.boxed(),
        signed_out.boxed(),
        office.boxed(),
        invite.boxed(),
        detail.boxed(),
        redeliver.boxed(),
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
        let confirm = path().and(staff_page(s)).then(move |id, guard| {
            guarded(guard, move |staff, _| actions::confirm(id, action, staff))
        });
        let act = path().and(staff_post(s)).then(move |id, guard| {
            guarded(guard, move |staff, form| {
                actions::act(id, action, staff, form)
            })
        });
        all.push(confirm.boxed());
        all.push(act.boxed());
    }
    all
}
