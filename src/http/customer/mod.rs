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
use crate::mail::invitation::invite_url;
use crate::service::InvitationError;
use messages::Message;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use warp::reply::Response;

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
    pub fn retry_link(&self, state: &AppState) -> Option<String> {
        let secret = InvitationSecret::parse(&self.link).ok()?;
        Some(invite_url(&state.services.public_base_url, &secret))
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

/// The page for a message, in `locale`.
pub fn message_page(
    state: &AppState,
    message: Message,
    locale: Locale,
    cookies: &[String],
) -> Response {
    let (status, page) = message.page(locale, &state.services.product_name);
    pages::html(status, &page, cookies)
}

/// A service error as a page: unavailable or internal, with the detail in the log only.
pub fn error_page(state: &AppState, error: InvitationError, locale: Locale) -> Response {
    use crate::http::failure::{Failure, UNAVAILABLE_RETRY, retry_after};
    let message = match Failure::from(error) {
        Failure::Unavailable => Message::Unavailable,
        Failure::NotFound => Message::LinkUnknown,
        Failure::Internal => Message::Internal,
    };
    let response = message_page(state, message, locale, &[]);
    if response.status() == warp::http::StatusCode::SERVICE_UNAVAILABLE {
        return retry_after(response, UNAVAILABLE_RETRY);
    }
    response
}

/// Where the provider sends customers back.
pub fn accept_redirect_uri(state: &AppState) -> String {
    let base = &state.services.public_base_url;
    format!("{}/api/AcceptInvite", base.as_str().trim_end_matches('/'))
}

/// What a customer is told about an invitation that can no longer be used.
pub fn ended_message(
    invitation: &crate::domain::invitation::Invitation,
    status: crate::domain::invitation::Status,
) -> Message {
    use crate::domain::invitation::Status;
    let inviter = invitation.inviter_name();
    let inviter_email = invitation.inviter_email();
    match status {
        Status::Revoked => Message::Revoked {
            inviter,
            inviter_email,
        },
        Status::Completed => Message::Completed {
            company: invitation.company.name.clone(),
        },
        _ => Message::Expired {
            inviter,
            inviter_email,
            date: crate::mail::invitation::long_date(invitation.expires_at, invitation.locale),
        },
    }
}
