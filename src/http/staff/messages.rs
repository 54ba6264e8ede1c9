//! What the back office says when it shows no form: a status, a message of
//! `locales/*/staff.ftl` and its data, a button. The words are in Fluent.

use crate::domain::locale::Locale;
use crate::http::failure::{Failure, Situation, UNAVAILABLE_RETRY};
use crate::http::layout::{Chrome, MessagePage};
use crate::http::sign_in::{NotStarted, Refusal};
use crate::i18n::{Arg, Tr};
use crate::page::{Link, Page};
use warp::http::StatusCode;

pub enum StaffMessage {
    /// STAFF_CLIENT_ID is not set.
    NotConfigured,
    /// Signed in, without the role (or without an address).
    Forbidden {
        email: String,
        role: String,
    },
    /// The sign-in cookie is missing or does not match the callback.
    SignInExpired,
    /// The provider's answer could not be verified.
    SignInFailed,
    /// The provider said no (the person cancelled, or was refused).
    SignInRefused {
        detail: String,
    },
    SignInUnavailable,
    /// A form post without the session's CSRF token.
    FormExpired,
    SignedOut,
    NotFound,
    /// An event the office does not know (its redelivery).
    EventNotFound,
    Unavailable,
    Internal,
}

impl Situation for StaffMessage {
    fn page(&self, locale: Locale, product: &str) -> (StatusCode, MessagePage) {
        use StatusCode as S;
        let again = || Some(("action-sign-in", Link::from(Page::Office)));
        let back = || Some(("action-back-to-invitations", Link::from(Page::Office)));
        let (status, id, paragraphs, args, action): (_, _, &[&str], Vec<(&str, Arg)>, _) =
            match self {
                Self::NotConfigured => (
                    S::SERVICE_UNAVAILABLE,
                    "staff-not-configured",
                    &["p1", "p2"],
                    vec![],
                    None,
                ),
                Self::Forbidden { email, role } => (
                    S::FORBIDDEN,
                    "staff-forbidden",
                    &["p1", "p2"],
                    vec![("email", email.into()), ("role", role.into())],
                    Some((
                        "action-sign-in-other-account",
                        Page::Office.with("prompt", "login"),
                    )),
                ),
                Self::SignInExpired => (
                    S::BAD_REQUEST,
                    "staff-sign-in-expired",
                    &["p1"],
                    vec![],
                    again(),
                ),
                Self::SignInFailed => (
                    S::BAD_REQUEST,
                    "staff-sign-in-failed",
                    &["p1"],
                    vec![],
                    again(),
                ),
                Self::SignInRefused { detail } => (
                    S::FORBIDDEN,
                    "staff-sign-in-refused",
                    &["p1"],
                    vec![("detail", detail.into())],
                    again(),
                ),
                Self::SignInUnavailable => (
                    S::SERVICE_UNAVAILABLE,
                    "staff-sign-in-unavailable",
                    &["p1"],
                    vec![],
                    again(),
                ),
                Self::FormExpired => (S::FORBIDDEN, "staff-form-expired", &["p1"], vec![], back()),
                Self::SignedOut => (S::OK, "staff-signed-out", &["p1"], vec![], again()),
                Self::NotFound => (S::NOT_FOUND, "staff-not-found", &["p1"], vec![], back()),
                Self::EventNotFound => (
                    S::NOT_FOUND,
                    "staff-event-not-found",
                    &["p1"],
                    vec![],
                    back(),
                ),
                Self::Unavailable => (
                    S::SERVICE_UNAVAILABLE,
                    "staff-unavailable",
                    &["p1"],
                    vec![],
                    None,
                ),
                Self::Internal => (
                    S::INTERNAL_SERVER_ERROR,
                    "staff-internal",
                    &["p1"],
                    vec![],
                    None,
                ),
            };
        let tr = Tr::new(locale);
        let title = tr.t(id);
        (
            status,
            MessagePage {
                chrome: Chrome::new(locale, title.clone(), product),
                heading: title,
                paragraphs: paragraphs
                    .iter()
                    .map(|p| tr.with(&format!("{id}.{p}"), args.clone()))
                    .collect(),
                action: action.map(|(label, to)| (tr.t(label), to.lang(locale).href())),
                post: None,
            },
        )
    }

    fn failure(failure: Failure) -> Self {
        match failure {
            Failure::Unavailable => Self::Unavailable,
            Failure::NotFound => Self::NotFound,
            Failure::Internal => Self::Internal,
        }
    }

    /// Every "unavailable" page of the back office says when to try again.
    fn retry_after(&self) -> Option<u64> {
        matches!(
            self,
            Self::NotConfigured | Self::SignInUnavailable | Self::Unavailable
        )
        .then_some(UNAVAILABLE_RETRY)
    }
}

/// A staff sign-in that did not start.
impl From<NotStarted> for StaffMessage {
    fn from(not_started: NotStarted) -> Self {
        match not_started {
            NotStarted::NotConfigured => Self::NotConfigured,
            NotStarted::Unavailable => Self::SignInUnavailable,
            NotStarted::Internal => Self::Internal,
        }
    }
}

/// A staff callback that signed nobody in.
impl From<Refusal> for StaffMessage {
    fn from(why: Refusal) -> Self {
        match why {
            Refusal::Expired => Self::SignInExpired,
            Refusal::Provider { error, description } => {
                let detail = Some(description.as_str())
                    .filter(|d| !d.is_empty())
                    .unwrap_or(&error)
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(300)
                    .collect();
                Self::SignInRefused { detail }
            }
            Refusal::Failed => Self::SignInFailed,
            Refusal::Unavailable => Self::SignInUnavailable,
            Refusal::NotConfigured => Self::NotConfigured,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::assert_translated;
    use askama::Template;

    #[test]
    fn every_back_office_message_speaks_each_language_with_no_english_sentence_left() {
        let every = [
            StaffMessage::NotConfigured,
            StaffMessage::Forbidden {
                email: "t@example.com".into(),
                role: "Invitations.Send".into(),
            },
            StaffMessage::SignInExpired,
            StaffMessage::SignInFailed,
            StaffMessage::SignInRefused {
                detail: "DETAIL".into(),
            },
            StaffMessage::SignInUnavailable,
            StaffMessage::FormExpired,
            StaffMessage::SignedOut,
            StaffMessage::NotFound,
            StaffMessage::EventNotFound,
            StaffMessage::Unavailable,
            StaffMessage::Internal,
        ];
        let data = [
            "t@example.com",
            "Invitations.Send",
            "DETAIL",
            "Portal",
            "STAFF_CLIENT_ID",
            "STAFF_CLIENT_SECRET",
        ];
        for message in every {
            let english = message.page(Locale::En, "Portal").1.render().unwrap();
            for locale in Locale::ALL.into_iter().skip(1) {
                let page = message.page(locale, "Portal").1.render().unwrap();
                assert_translated("staff message", &english, &page, locale, &data);
                if page.contains("class=\"button\"") {
                    assert!(
                        page.contains(&format!("lang={locale}\"")),
                        "the button keeps the language"
                    );
                }
            }
        }
    }
}
