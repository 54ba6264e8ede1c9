//! The customer behind a page: the session of a [`Visit`], and for the pages of an
//! account, [`SignedIn`] (the session and its account) or the page to show instead.

use super::messages::Message;
use super::pages::redirect;
use super::{Session, error_page, message_page};
use crate::domain::account::AccountId;
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::SESSION;
use crate::http::extract::{Posted, Visit};
use crate::service::account;
use warp::http::StatusCode;
use warp::reply::Response;

/// The session this browser holds, if any.
pub fn session(visit: &Visit) -> Option<Session> {
    visit.cookie(SESSION)
}

/// A signed-out visitor sent to sign in, to come back to `next` (a `next` of
/// `/api/SignIn`), in the language `asked` (`?lang=`) or the browser's.
pub fn to_sign_in(visit: &Visit, next: Option<&str>, asked: Option<Locale>) -> Response {
    let locale = asked.unwrap_or(visit.browser);
    let next = next
        .map(|next| {
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            format!("next={next}&")
        })
        .unwrap_or_default();
    let to = format!("/api/SignIn?{next}lang={}", locale.as_str());
    redirect(StatusCode::FOUND, &to, &[])
}

/// A signed-in customer and their account.
pub struct SignedIn {
    pub visit: Visit,
    pub session: Session,
    pub account: AccountId,
}

impl SignedIn {
    /// The signed-in session and its account, or the page to show instead: the sign-in
    /// page's message without a session (in the browser's language), the company form
    /// while the invitation's company is still to create, "no account" otherwise.
    pub async fn of(visit: Visit) -> Result<Self, Response> {
        let Some(session) = session(&visit) else {
            return Err(message_page(
                &visit.state,
                Message::SessionRequired,
                visit.browser,
                &[],
            ));
        };
        let locale = session.locale();
        let services = &visit.state.services;
        match account::session_account(services, &session.login(), session.issued_at).await {
            Ok(Some(account)) => Ok(Self {
                visit,
                session,
                account,
            }),
            Ok(None) if session.invitation.is_some() => {
                Err(redirect(StatusCode::SEE_OTHER, "/api/CreateCompany", &[]))
            }
            Ok(None) => {
                let email = Some(session.email.clone()).filter(|e| !e.is_empty());
                let message = Message::NoAccount { email };
                Err(message_page(&visit.state, message, locale, &[]))
            }
            Err(e) => Err(error_page(&visit.state, e, locale)),
        }
    }

    pub fn state(&self) -> &AppState {
        &self.visit.state
    }

    pub fn locale(&self) -> Locale {
        self.session.locale()
    }

    /// The page for `message` in the session's language.
    pub fn page(&self, message: Message) -> Response {
        message_page(self.state(), message, self.locale(), &[])
    }

    /// The fields of a form this session posted; a token that is not the session's gets
    /// the "form expired" page, which leads back to `page`.
    pub fn form<T>(&self, posted: Posted<T>, page: &'static str) -> Result<T, Response> {
        posted
            .check(&self.session.csrf)
            .ok_or_else(|| self.page(Message::FormExpired { page }))
    }

    /// Refuses an action that needs a recent sign-in when this one is not.
    pub fn recent(&self, otherwise: Message) -> Result<(), Response> {
        if account::is_recent(self.session.signed_in_at, self.visit.now) {
            Ok(())
        } else {
            Err(self.page(otherwise))
        }
    }

    /// `?lang=` (the language switch): see [`super::choose_language`].
    pub async fn choose_language(&mut self, asked: Option<Locale>) -> Option<String> {
        super::choose_language(&self.visit.state, &mut self.session, asked, self.visit.now).await
    }
}
