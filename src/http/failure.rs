//! What a page tells the reader when things did not go their way, in one place for both
//! floors: each floor's situations ([`Situation`]: the customer's `Message`, the back
//! office's `StaffMessage`, data until they are shown) become a page in the reader's
//! language through [`message_page`]; a failed service call is classified once ([`Failure`],
//! logged here with its detail, never shown) and shown as the floor's words for it by
//! [`into_page`]. Problem details, the API's answers, have their own one place
//! (`problem.rs`).

use super::AppState;
use super::layout::{MessagePage, html};
use crate::domain::locale::Locale;
use crate::service::InvitationError;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;

/// What a page can say about a failed service call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Storage did not answer: nothing changed, try again shortly.
    Unavailable,
    /// No such invitation.
    NotFound,
    /// Anything else: a fault on our side.
    Internal,
}

impl From<InvitationError> for Failure {
    fn from(error: InvitationError) -> Self {
        match error {
            InvitationError::Unavailable(why) => {
                tracing::warn!(reason = %why, "storage unavailable");
                Self::Unavailable
            }
            InvitationError::NotFound => Self::NotFound,
            other => {
                tracing::error!(error = %other, "page failed");
                Self::Internal
            }
        }
    }
}

/// A situation a floor words as a message page.
pub trait Situation {
    /// The page's status and words in `locale`.
    fn page(&self, locale: Locale, product: &str) -> (StatusCode, MessagePage);

    /// What the floor says about a failed service call.
    fn failure(failure: Failure) -> Self
    where
        Self: Sized;

    /// Seconds the reader waits before trying again (`Retry-After`), for a page that says
    /// to.
    fn retry_after(&self) -> Option<u64> {
        None
    }
}

/// The page of `situation` in `locale`, with the cookies to set.
pub fn message_page(
    state: &AppState,
    situation: &impl Situation,
    locale: Locale,
    cookies: &[String],
) -> Response {
    let (status, page) = situation.page(locale, &state.services.product_name);
    answer(situation, status, &page, cookies)
}

/// [`message_page`] at an address that reads the language switch (`?lang=`) before it
/// answers (a signed-in `GET`): with the switch, which shows the same refusal in another
/// language. Pages that answer a form post or a sign-in's one-time code have no address
/// to switch at and use [`message_page`].
pub fn message_page_with_switch(
    state: &AppState,
    situation: &impl Situation,
    locale: Locale,
    cookies: &[String],
) -> Response {
    let (status, mut page) = situation.page(locale, &state.services.product_name);
    page.chrome.switch = true;
    answer(situation, status, &page, cookies)
}

fn answer(
    situation: &impl Situation,
    status: StatusCode,
    page: &MessagePage,
    cookies: &[String],
) -> Response {
    let response = html(status, page, cookies);
    match situation.retry_after() {
        Some(seconds) => retry_after(response, seconds),
        None => response,
    }
}

/// A failed service call as the floor `S` words it, in `locale`.
pub fn into_page<S: Situation>(
    state: &AppState,
    error: impl Into<Failure>,
    locale: Locale,
) -> Response {
    message_page(state, &S::failure(error.into()), locale, &[])
}

/// Seconds a reader waits after [`Failure::Unavailable`].
pub const UNAVAILABLE_RETRY: u64 = 30;

/// `response` with `Retry-After: seconds`.
pub fn retry_after(mut response: Response, seconds: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_trouble_is_unavailable_and_anything_unknown_internal() {
        assert_eq!(
            Failure::from(InvitationError::Unavailable("timeout".into())),
            Failure::Unavailable
        );
        assert_eq!(Failure::from(InvitationError::NotFound), Failure::NotFound);
        assert_eq!(
            Failure::from(InvitationError::Internal("x".into())),
            Failure::Internal
        );
    }

    #[test]
    fn a_retry_after_is_set_in_seconds() {
        let response = retry_after(Response::new(Default::default()), 60);
        assert_eq!(response.headers()["retry-after"], "60");
    }
}
