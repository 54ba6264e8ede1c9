//! The customer's pages: the email link, the sign-in callback, the company form, Home.

pub mod accept;
pub mod callback;
pub mod companies;
pub mod company;
pub mod delete;
pub mod link;
pub mod messages;
pub mod mfa;
pub mod pages;
pub mod profile;
pub mod refusals;
pub mod routes;
pub mod signed_in;
pub mod signin;

#[cfg(test)]
mod i18n_tests;

use super::AppState;
use crate::domain::locale::Locale;
use crate::domain::secret::InvitationSecret;
pub use crate::http::session::Session;
use crate::identity::customer::AuthRequest;
use crate::page::{Link, Page};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// A sign-in under way, kept by the browser (encrypted) for ten minutes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flow {
    pub auth: AuthRequest,
    pub invitation: String,
    /// The invitation link's secret, so a failed sign-in can offer "try again"; it never
    /// leaves the customer's own browser.
    pub link: String,
    pub locale: String,
}

pub const FLOW_LIFETIME: Duration = Duration::minutes(10);
pub const SESSION_LIFETIME: Duration = Duration::hours(8);

impl Flow {
    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or_default()
    }

    /// The invitation link again, to start over.
    pub fn retry_link(&self) -> Option<Link> {
        let secret = InvitationSecret::parse(&self.link).ok()?;
        Some(Page::InvitationLink(secret.expose().to_owned()).into())
    }
}

/// `?lang=` on a signed-in page (the language switch): the person's choice (`asked`), kept
/// in the session and remembered on their account. The session cookie to set when it
/// changed.
pub async fn choose_language(
    state: &AppState,
    session: &mut Session,
    asked: Option<Locale>,
    now: OffsetDateTime,
) -> Option<String> {
    let locale = asked.filter(|l| *l != session.locale())?;
    session.locale = locale.as_str().to_owned();
    if let Err(e) =
        crate::service::language::remember(&state.services, &session.login(), locale).await
    {
        // The session has it; the account learns it at the next choice.
        tracing::warn!(error = %e, "the language choice was not stored");
    }
    Some(signin::reseal(state, session, now))
}

/// Where the provider sends customers back.
pub fn accept_redirect_uri(state: &AppState) -> String {
    Page::AcceptInvite.url(&state.services.public_base_url)
}
