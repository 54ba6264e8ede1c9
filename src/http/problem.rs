//! RFC 9457 problem details: every API error leaves the service through here. `type`,
//! `title` and `status` are for programs and stay English; `detail` and the field
//! `errors` are words for people, said in the request's language (`Accept-Language`)
//! by [`in_language`], the last step of every response.

use crate::domain::FieldErrors;
use crate::domain::locale::Locale;
use crate::i18n::{Arg, Tr};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use warp::Reply as _;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

/// The words of a problem's `detail`, said once the reader's language is known: a Fluent
/// message id with its arguments, or anything `http::explain` says.
#[derive(Clone)]
pub struct Detail(Arc<dyn Fn(Tr) -> String + Send + Sync>);

impl Detail {
    /// A message with arguments (`problem-too-large`, `kib`).
    pub fn with(id: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        Self(Arc::new(move |tr: Tr| tr.with(id, args.clone())))
    }

    /// Words from elsewhere (`explain::limit`).
    pub fn said(words: impl Fn(Tr) -> String + Send + Sync + 'static) -> Self {
        Self(Arc::new(words))
    }

    fn say(&self, tr: Tr) -> String {
        (self.0)(tr)
    }
}

/// A message without arguments, by its id.
impl From<&'static str> for Detail {
    fn from(id: &'static str) -> Self {
        Self::with(id, Vec::new())
    }
}

impl fmt::Debug for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.say(Tr::new(Locale::En)))
    }
}

#[derive(Debug, Clone)]
pub struct Problem {
    slug: &'static str,
    title: &'static str,
    status: StatusCode,
    detail: Detail,
    errors: Option<FieldErrors>,
    /// The existing invitation, for a duplicate.
    id: Option<String>,
    headers: Vec<(&'static str, String)>,
}

/// The JSON a problem is sent as.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<Detail>,
    ) -> Self {
        Self {
            slug,
            title,
            status,
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
            "problem-validation",
        );
        problem.errors = Some(errors);
        problem
    }

    pub fn bad_request(slug: &'static str, detail: impl Into<Detail>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, slug, "Bad request", detail)
    }

    pub fn not_found(detail: impl Into<Detail>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request body too large",
            Detail::with("problem-too-large", vec![("kib", Arg::from(limit / 1024))]),
        )
    }

    pub fn unavailable(detail: impl Into<Detail>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service-unavailable",
            "Service unavailable",
            detail,
        )
        .with_header("retry-after", "5")
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "Internal error",
            "problem-internal",
        )
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn with_id(mut self, id: String) -> Self {
        self.id = Some(id);
        self
    }

    /// The body in `locale`.
    fn body(&self, locale: Locale) -> Vec<u8> {
        let tr = Tr::new(locale);
        let body = Body {
            kind: format!("/problems/{}", self.slug),
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail.say(tr),
            errors: self
                .errors
                .as_ref()
                .map(|errors| crate::http::explain::fields(tr, errors)),
            id: self.id.as_deref(),
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }

    /// The response, in English until [`in_language`] says it in the reader's language.
    pub fn into_response(self) -> Response {
        let mut response =
            warp::reply::with_status(self.body(Locale::En), self.status).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(*name, value);
            }
        }
        set_language(headers, Locale::En);
        response.extensions_mut().insert(self);
        response
    }
}

fn set_language(headers: &mut warp::http::HeaderMap, locale: Locale) {
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(locale.as_str()),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
}

/// A problem response said again in the language `Accept-Language` asks for; any other
/// response as it is.
pub fn in_language(accept_language: Option<String>, mut response: Response) -> Response {
    let Some(problem) = response.extensions_mut().remove::<Problem>() else {
        return response;
    };
    let locale = Locale::negotiate(accept_language.as_deref());
    if locale != Locale::En {
        *response.body_mut() = problem.body(locale).into();
        set_language(response.headers_mut(), locale);
    }
    response
}

impl From<crate::service::InvitationError> for Problem {
    fn from(error: crate::service::InvitationError) -> Self {
        use crate::http::explain;
        use crate::service::InvitationError;
        match error {
            InvitationError::Duplicate(id) => Problem::new(
                StatusCode::CONFLICT,
                "duplicate-invitation",
                "Invitation already exists",
                "problem-duplicate",
            )
            .with_id(id.to_string()),
            InvitationError::NotFound => Problem::not_found("problem-no-invitation"),
            InvitationError::NotAllowed(refusal) => Problem::new(
                StatusCode::CONFLICT,
                "not-allowed",
                "Not allowed in this state",
                Detail::said(move |tr| explain::refusal(tr, &refusal)),
            ),
            InvitationError::Limited { retry_after, limit } => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                Detail::said(move |tr| explain::limit(tr, &limit)),
            )
            .with_header("retry-after", retry_after.to_string()),
            InvitationError::Unavailable(why) => {
                tracing::warn!(reason = %why, "storage unavailable");
                Problem::unavailable("problem-storage-unavailable")
            }
            InvitationError::Internal(why) => {
                tracing::error!(reason = %why, "internal error");
                Problem::internal()
            }
        }
    }
}

impl From<crate::identity::staff::StaffAuthError> for Problem {
    fn from(error: crate::identity::staff::StaffAuthError) -> Self {
        use crate::http::explain;
        use crate::identity::staff::StaffAuthError;
        let challenge = |code: &str| format!("Bearer realm=\"invitations\", error=\"{code}\"");
        match error {
            StaffAuthError::Missing => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Sign-in required",
                "problem-token-missing",
            )
            .with_header("www-authenticate", "Bearer realm=\"invitations\""),
            StaffAuthError::Invalid(fault) => {
                tracing::info!(reason = %fault, "staff token refused");
                Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid-token",
                    "Invalid token",
                    Detail::said(move |tr| {
                        tr.t1(
                            "problem-token-invalid",
                            "why",
                            explain::token_fault(tr, fault),
                        )
                    }),
                )
                .with_header("www-authenticate", challenge("invalid_token"))
            }
            StaffAuthError::Forbidden(lacking) => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                Detail::said(move |tr| explain::lacking(tr, &lacking)),
            )
            .with_header("www-authenticate", challenge("insufficient_scope")),
            StaffAuthError::Unavailable(e) => {
                tracing::warn!(error = %e, "staff identity provider unavailable");
                Problem::unavailable("problem-staff-provider-unavailable")
            }
        }
    }
}

impl From<crate::service::members::MemberError> for Problem {
    fn from(error: crate::service::members::MemberError) -> Self {
        use crate::domain::membership::MembershipError;
        use crate::service::members::MemberError;
        match error {
            MemberError::NoCompany => Problem::not_found("problem-no-company"),
            // The address is the caller's own input: it is named back, never logged.
            MemberError::AlreadyMember(email) => Problem::new(
                StatusCode::CONFLICT,
                "already-member",
                "Already a member",
                Detail::with(
                    "problem-already-member",
                    vec![("email", Arg::from(email.as_str()))],
                ),
            ),
            MemberError::Refused(MembershipError::LastAdministrator) => Problem::new(
                StatusCode::CONFLICT,
                "last-administrator",
                "The last administrator",
                "problem-last-administrator",
            ),
            MemberError::Refused(why) => Problem::new(
                StatusCode::FORBIDDEN,
                "not-allowed",
                "Not allowed",
                Detail::said(move |tr| crate::http::explain::membership(tr, &why)),
            ),
            MemberError::NotAcceptable(why) => Problem::new(
                StatusCode::CONFLICT,
                "not-allowed",
                "Not allowed in this state",
                Detail::said(move |tr| crate::http::explain::not_acceptable(tr, &why)),
            ),
            MemberError::Invitation(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldError;

    /// The message ids the code names in string literals, with the given prefix.
    fn ids_in_code(prefix: &str) -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut sources = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut sources,
        );
        let mut ids: Vec<String> = sources
            .iter()
            .flat_map(|source| source.split('"').skip(1).step_by(2))
            .filter(|literal| {
                literal.starts_with(prefix)
                    && literal.len() > prefix.len()
                    && literal.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            })
            .map(str::to_owned)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    #[test]
    fn every_problem_detail_the_code_names_is_a_message_of_each_language() {
        let ids = ids_in_code("problem-");
        assert!(ids.len() > 20, "{ids:?}");
        for locale in Locale::ALL {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales")
                .join(locale.as_str());
            let messages: String = std::fs::read_dir(dir)
                .unwrap()
                .flatten()
                .map(|file| std::fs::read_to_string(file.path()).unwrap())
                .collect();
            for id in &ids {
                let defined = messages.lines().any(|line| {
                    line.strip_prefix(id.as_str())
                        .is_some_and(|rest| rest.trim_start().starts_with('='))
                });
                assert!(defined, "{locale} lacks {id}");
            }
        }
    }

    #[test]
    fn a_problem_is_said_again_in_the_language_the_request_asks_for() {
        let mut errors = FieldErrors::default();
        errors.add("expiresInDays", FieldError::Days { min: 1, max: 30 });
        let problem = Problem::validation(errors).with_header("retry-after", "5");
        let english = problem.clone().into_response();
        assert_eq!(english.headers()["content-language"], "en");
        let french = in_language(
            Some("fr-BE, de;q=0.5".into()),
            problem.clone().into_response(),
        );
        assert_eq!(french.status(), StatusCode::BAD_REQUEST);
        assert_eq!(french.headers()["content-language"], "fr");
        assert_eq!(french.headers()["retry-after"], "5");
        let body: serde_json::Value = serde_json::from_slice(&problem.body(Locale::Fr)).unwrap();
        assert_eq!(body["title"], "Invalid request");
        assert_eq!(body["type"], "/problems/validation-error");
        assert_eq!(
            body["detail"],
            "Des champs manquent ou ne sont pas valables ; voyez errors."
        );
        assert_eq!(
            body["errors"]["expiresInDays"],
            "doit être un nombre entier de jours, de 1 à 30"
        );
    }

    #[test]
    fn other_responses_pass_unchanged() {
        let page = warp::reply::html("<p>Bonjour</p>").into_response();
        let page = in_language(Some("fr".into()), page);
        assert!(page.headers().get("content-language").is_none());
    }
}
