//! What a page tells the reader when a service call fails: the one classification of a
//! service error (logged here, with its detail, and never shown), and the `Retry-After`
//! every "try again later" page carries. Customer and staff pages each put the class into
//! their own words (`customer::error_page`, `staff::office::service_error_page`).

use crate::service::InvitationError;
use warp::http::HeaderValue;
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
