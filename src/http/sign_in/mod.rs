//! Signing in, for every purpose: an invitation accepted, a customer returning, a login
//! linked, a staff member. One [`Flow`] (the OpenID request's secrets and the
//! [`Purpose`]) in one sealed ten-minute cookie, one [`start`], one [`callback`] that
//! checks `state`, redeems the code, validates the id_token and hands back an
//! [`Outcome`]: data, never a page. Each floor keeps only its purpose's short finish
//! (`customer/accept.rs`, `customer/signin.rs`, `staff/sign_in.rs`): it grants a session,
//! asks for the second factor, or words the refusal in its own messages.
//!
//! Where the next ways in plug in: another provider (the claims provider) is one more
//! arm of [`Purpose::client`]; another proof of who someone is (a passkey) ends in the
//! same [`Outcome::Verified`] with a [`SignedIn`], so every finish serves it unchanged.

mod callback;

pub use callback::{Callback, Outcome, Refusal, callback};

use super::AppState;
use super::cookies::FLOW;
use super::failure::{Situation, message_page};
use super::layout::redirect;
use crate::domain::locale::Locale;
use crate::identity::customer::{AuthRequest, AuthorizeHints, CustomerSignIn};
use crate::page::{Next, Page};
use serde::{Deserialize, Serialize};
use time::Duration;
use warp::http::StatusCode;
use warp::reply::Response;

/// How long a sign-in may take at the provider.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);

/// What a sign-in is for; it decides the provider, the redirect URI and the finish.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum Purpose {
    /// Accepting the invitation `invitation`; `link` is the email link's secret, so a
    /// failed sign-in can offer "try again" (it never leaves the customer's own browser).
    Accept { invitation: String, link: String },
    /// A customer coming back, to land on `next`. `chosen`: the language was asked for
    /// (`/api/SignIn?lang=`) and becomes the account's; otherwise the account's wins.
    Return { next: Next, chosen: bool },
    /// A login to link to the signed-in customer's `account`.
    Link { account: String },
    /// A staff member, coming back to `back` (always a back-office page).
    Staff { back: String },
}

impl Purpose {
    /// The redirect URI's page: where the provider sends the browser back.
    pub fn callback_page(&self) -> Page {
        match self {
            Self::Accept { .. } => Page::AcceptInvite,
            Self::Return { .. } | Self::Link { .. } => Page::AuthCallback,
            Self::Staff { .. } => Page::StaffCallback,
        }
    }

    /// The provider that signs this purpose in (`None`: staff sign-in is not configured).
    fn client<'a>(&self, state: &'a AppState) -> Option<&'a CustomerSignIn> {
        match self {
            Self::Staff { .. } => state.staff_sign_in.as_deref().map(|s| &s.client),
            _ => Some(&state.customer),
        }
    }
}

/// A sign-in under way, kept (sealed) by the browser, so the callback can land on any
/// instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flow {
    pub auth: AuthRequest,
    pub purpose: Purpose,
    locale: String,
}

impl Flow {
    /// The language the sign-in started in.
    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or_default()
    }
}

/// Why a sign-in did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotStarted {
    /// The purpose's provider is not configured (staff sign-in without its settings).
    NotConfigured,
    /// The provider's metadata could not be read.
    Unavailable,
    /// No random source for the request's secrets.
    Internal,
}

/// Sends the browser to the purpose's provider with `status` (302, or 303 after a form),
/// the flow sealed in its cookie; a sign-in that cannot start is the page of the floor's
/// situation `S` for it.
pub async fn start<S: Situation + From<NotStarted>>(
    state: &AppState,
    purpose: Purpose,
    locale: Locale,
    hints: AuthorizeHints<'_>,
    status: StatusCode,
) -> Response {
    match authorize(state, purpose, locale, hints, status).await {
        Ok(response) => response,
        Err(not_started) => message_page(state, &S::from(not_started), locale, &[]),
    }
}

async fn authorize(
    state: &AppState,
    purpose: Purpose,
    locale: Locale,
    hints: AuthorizeHints<'_>,
    status: StatusCode,
) -> Result<Response, NotStarted> {
    let client = purpose.client(state).ok_or(NotStarted::NotConfigured)?;
    let auth = AuthRequest::new().map_err(|_| NotStarted::Internal)?;
    let redirect_uri = purpose.callback_page().url(&state.services.public_base_url);
    let authorize = client
        .authorize_url(&auth, &redirect_uri, hints)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, at = %redirect_uri, "identity provider unavailable");
            NotStarted::Unavailable
        })?;
    let now = state.services.clock.now();
    let flow = Flow {
        auth,
        purpose,
        locale: locale.as_str().to_owned(),
    };
    let cookie = state.cookies.seal(FLOW, &flow, now, now + FLOW_LIFETIME);
    Ok(redirect(status, authorize.as_str(), &[cookie]))
}

/// The cookie that ends a flow: every callback sets it, whatever it answers.
pub fn clear(state: &AppState) -> String {
    state.cookies.clear(FLOW)
}

/// A fresh unguessable token (a session's CSRF token), from the random source that makes
/// a flow's `state`; `None` when there is none.
pub fn token() -> Option<String> {
    AuthRequest::new().ok().map(|request| request.state)
}
