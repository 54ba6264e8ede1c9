//! The customer's pages: the email link, the sign-in callback, the company form, Home.

pub mod accept;
pub mod companies;
pub mod company;
pub mod company_rule;
pub mod confirm;
pub mod delete;
pub mod link;
pub mod messages;
pub mod mfa;
pub mod pages;
pub mod passkeys;
pub mod profile;
pub mod refusals;
pub mod routes;
pub mod signed_in;
pub mod signin;

#[cfg(test)]
mod i18n_tests;

use super::AppState;
use crate::domain::locale::Locale;
pub use crate::http::session::Session;
use time::{Duration, OffsetDateTime};

/// How long a customer stays signed in.
pub const SESSION_LIFETIME: Duration = Duration::hours(8);

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
