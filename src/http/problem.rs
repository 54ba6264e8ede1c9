//! RFC 9457 problem details: every API error leaves the service through here.

use crate::domain::FieldErrors;
use crate::identity::staff::StaffAuthError;
use crate::service::InvitationError;
use serde::Serialize;
use std::collections::BTreeMap;
use warp::Reply as _;
use warp::http::StatusCode;
use warp::reply::Response;

/// The words of a problem's `detail` (English, as the API's callers read it so far).
fn english() -> crate::i18n::Tr {
    crate::i18n::Tr::new(crate::domain::locale::Locale::En)
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, String>>,
    /// The existing invitation, for a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip)]
    headers: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("/problems/{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
            id: None,
            headers: Vec::new(),
        }
    }

    pub fn validation(errors: FieldErrors) -> Self {
        let mut problem = Self::new(
            StatusCode::BAD_REQUEST,
            "validation-error",
            "Invalid request",
            "Some fields are missing or invalid; see errors.",
        );
        problem.errors = Some(errors.into_map());
        problem
    }

    pub fn bad_request(slug: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, slug, "Bad request", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request body too large",
            format!("The body must be at most {} KiB.", limit / 1024),
        )
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        let mut problem = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service-unavailable",
            "Service unavailable",
            detail,
        );
        problem.headers.push(("retry-after", "5".to_owned()));
        problem
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "Internal error",
            "Something went wrong on our side. Nothing was changed; please try again.",
        )
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = warp::reply::with_status(body, status).into_response();
        let headers = response.headers_mut();
        headers.insert(
            warp::http::header::CONTENT_TYPE,
            warp::http::HeaderValue::from_static("application/problem+json"),
        );
        for (name, value) in self.headers {
            if let Ok(value) = warp::http::HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        response
    }
}

impl From<InvitationError> for Problem {
    fn from(error: InvitationError) -> Self {
        match error {
            InvitationError::Duplicate(id) => {
                let mut problem = Problem::new(
                    StatusCode::CONFLICT,
                    "duplicate-invitation",
                    "Invitation already exists",
                    "This email already has a pending or accepted invitation; resend or revoke it instead.",
                );
                problem.id = Some(id.to_string());
                problem
            }
            InvitationError::NotFound => Problem::not_found("No invitation has this id."),
            InvitationError::NotAllowed(refusal) => Problem::new(
                StatusCode::CONFLICT,
                "not-allowed",
                "Not allowed in this state",
                crate::http::explain::refusal(english(), &refusal),
            ),
            InvitationError::Limited { retry_after, limit } => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                crate::http::explain::limit(english(), &limit),
            )
            .with_header("retry-after", retry_after.to_string()),
            InvitationError::Unavailable(why) => {
                tracing::warn!(reason = %why, "storage unavailable");
                Problem::unavailable(
                    "Storage is unavailable at the moment. Nothing was changed; try again shortly.",
                )
            }
            InvitationError::Internal(why) => {
                tracing::error!(reason = %why, "internal error");
                Problem::internal()
            }
        }
    }
}

impl From<StaffAuthError> for Problem {
    fn from(error: StaffAuthError) -> Self {
        let challenge = |code: &str| format!("Bearer realm=\"invitations\", error=\"{code}\"");
        match error {
            StaffAuthError::Missing => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Sign-in required",
                "Send a staff access token as 'Authorization: Bearer <token>'.",
            )
            .with_header("www-authenticate", "Bearer realm=\"invitations\""),
            StaffAuthError::Invalid(why) => {
                tracing::info!(reason = %why, "staff token refused");
                Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid-token",
                    "Invalid token",
                    format!("The bearer token was refused: {why}. Sign in again to get a new one."),
                )
                .with_header("www-authenticate", challenge("invalid_token"))
            }
            StaffAuthError::Forbidden(why) => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                format!("You are signed in, but {why}. Ask an administrator for access."),
            )
            .with_header("www-authenticate", challenge("insufficient_scope")),
            StaffAuthError::Unavailable(e) => {
                tracing::warn!(error = %e, "staff identity provider unavailable");
                Problem::unavailable(
                    "The staff identity provider cannot be reached to check your token. Try again shortly.",
                )
            }
        }
    }
}

impl From<crate::service::members::MemberError> for Problem {
    fn from(error: crate::service::members::MemberError) -> Self {
        use crate::domain::membership::MembershipError;
        use crate::service::members::MemberError;
        match error {
            MemberError::NoCompany => Problem::not_found("No company has this id."),
            // The address is the caller's own input: it is named back, never logged.
            MemberError::AlreadyMember(email) => Problem::new(
                StatusCode::CONFLICT,
                "already-member",
                "Already a member",
                format!("{email} is already a member of this company."),
            ),
            MemberError::Refused(MembershipError::LastAdministrator) => Problem::new(
                StatusCode::CONFLICT,
                "last-administrator",
                "The last administrator",
                "A company keeps at least one administrator: make someone else administrator first.",
            ),
            MemberError::Refused(why) => Problem::new(
                StatusCode::FORBIDDEN,
                "not-allowed",
                "Not allowed",
                why.to_string(),
            ),
            MemberError::NotAcceptable(why) => Problem::new(
                StatusCode::CONFLICT,
                "not-allowed",
                "Not allowed in this state",
                why.to_string(),
            ),
            MemberError::Invitation(e) => e.into(),
        }
    }
}
