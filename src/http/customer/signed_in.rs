//! The customer behind a page: the session of a [`Visit`], and for the pages of an
//! account, [`SignedIn`] (the session and its account) or the page to show instead; the
//! route table's guards [`signed_in_page`] and [`signed_in_post`] hand it to a handler.

use super::Session;
use super::messages::Message;
use crate::domain::account::AccountId;
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::SESSION;
use crate::http::extract::{Posted, Visit, page, post};
use crate::http::failure::{into_page, message_page};
use crate::http::layout::redirect;
use crate::page::{Next, Page};
use crate::service::account;
use serde::de::DeserializeOwned;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection};

/// What a guard hands on: the signed-in customer and what the request carried, or the
/// page to show instead.
pub type Guarded<T> = Result<(SignedIn, T), Response>;

/// The guard of an account's page `GET`: [`SignedIn`] and the query as `Q`.
pub fn signed_in_page<Q>(
    state: &AppState,
) -> impl Filter<Extract = (Guarded<Q>,), Error = Rejection> + Clone + use<Q>
where
    Q: DeserializeOwned + Default + Send + 'static,
{
    page::<Q>(state)
        .then(|visit, query| async move { SignedIn::of(visit).await.map(|who| (who, query)) })
}

/// The guard of an account's form `POST`: [`SignedIn`] and the form as [`Posted<T>`]
/// (its fields still behind the CSRF check).
pub fn signed_in_post<T>(
    state: &AppState,
) -> impl Filter<Extract = (Guarded<Posted<T>>,), Error = Rejection> + Clone + use<T>
where
    T: DeserializeOwned + Default + Send + 'static,
{
    post::<T>(state)
        .then(|visit, posted| async move { SignedIn::of(visit).await.map(|who| (who, posted)) })
}

/// The session this browser holds, if any.
pub fn session(visit: &Visit) -> Option<Session> {
    visit.cookie(SESSION)
}

/// A signed-out visitor sent to sign in, to come back to `next`, in the language `asked`
/// (`?lang=`) or the browser's.
pub fn to_sign_in(visit: &Visit, next: Option<Next>, asked: Option<Locale>) -> Response {
    let locale = asked.unwrap_or(visit.browser);
    let to = match next {
        Some(next) => Page::SignIn.with("next", &next.param()),
        None => Page::SignIn.into(),
    };
    redirect(StatusCode::FOUND, &to.lang(locale).href(), &[])
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
                &Message::SessionRequired,
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
            Ok(None) if session.invitation.is_some() => Err(redirect(
                StatusCode::SEE_OTHER,
                &Page::CreateCompany.href(),
                &[],
            )),
            Ok(None) => {
                let email = Some(session.email.clone()).filter(|e| !e.is_empty());
                let message = Message::NoAccount { email };
                Err(message_page(&visit.state, &message, locale, &[]))
            }
            Err(e) => Err(into_page::<Message>(&visit.state, e, locale)),
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
        message_page(self.state(), &message, self.locale(), &[])
    }

    /// The fields of a form this session posted; a token that is not the session's gets
    /// the "form expired" page, which leads back to `page`.
    pub fn form<T>(&self, posted: Posted<T>, page: Page) -> Result<T, Response> {
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
