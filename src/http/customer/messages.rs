//! Which page each situation a customer meets shows: its status, its message in
//! `locales/*/messages.ftl` or `organisations.ftl` (title, heading, paragraphs) with the
//! data it names, and its button. The words are in Fluent, in every language.

use crate::domain::locale::Locale;
use crate::http::failure::{Failure, Situation, UNAVAILABLE_RETRY};
use crate::http::layout::{Chrome, MessagePage};
use crate::i18n::{Arg, Tr};
use crate::page::{Link, Next, Page};
use warp::http::StatusCode;

/// Every situation a customer can meet that is not a form.
pub enum Message {
    /// No invitation has this link.
    LinkUnknown,
    /// A newer invitation email replaced this link.
    LinkSuperseded,
    /// `renew`: the link's secret, where the page can ask its sender for a new link.
    Expired {
        inviter: String,
        inviter_email: String,
        date: String,
        renew: Option<String>,
    },
    /// An expired invitation's "ask for a new link": `renewal-asked` (its sender was
    /// told), `renewal-again` (today's request was made already) or `renewal-limited`
    /// (the sender's emails of the day are used up).
    Renewal {
        outcome: &'static str,
        inviter: String,
        inviter_email: String,
    },
    Revoked {
        inviter: String,
        inviter_email: String,
    },
    /// Used: to create the company, or (`joined`) by a colleague to join it.
    Completed {
        company: Option<String>,
        joined: bool,
    },
    /// The sign-in cookie is missing, foreign or too old; `retry` starts it again (the
    /// invitation link, or the page the sign-in started from).
    SignInExpired {
        retry: Option<Link>,
    },
    WrongEmail {
        signed_in: Option<String>,
        invited: String,
        retry: Option<Link>,
    },
    BoundElsewhere {
        invited: String,
    },
    Cancelled {
        retry: Option<Link>,
    },
    ForgotPassword {
        retry: Option<Link>,
    },
    /// The customer's organisation does not let them use outside applications;
    /// `admin_consent` is the address at which its administrator can grant consent, when
    /// the provider's error names the application.
    OrganisationBlocks {
        retry: Option<Link>,
        admin_consent: Option<String>,
    },
    AccessDenied {
        detail: String,
        retry: Option<Link>,
    },
    SignInUnavailable,
    SignInFailed {
        retry: Option<Link>,
    },
    SessionRequired,
    /// A form post without its CSRF token; `page` is where the form is shown again.
    FormExpired {
        page: Page,
    },
    SignedOut,
    /// Too many unknown links from this client.
    TooManyAttempts,
    Unavailable,
    Internal,
    /// A provider sign-in that opens no account and has no invitation under way.
    NoAccount {
        email: Option<String>,
    },
    /// Linking or unlinking needs a sign-in of the last few minutes.
    ReauthNeeded,
    /// The same, before linking a login: after the sign-in, linking goes on (`next` is
    /// `/api/SignIn`'s, `link-microsoft` or `link-google`).
    ReauthToLink {
        next: Next,
    },
    /// The login to link carries another email than the account's.
    LinkWrongEmail {
        account: String,
        login: Option<String>,
    },
    /// The login to link already opens another account.
    LinkOwnedElsewhere,
    /// The only login, or the one in use, cannot be removed.
    UnlinkRefused {
        last: bool,
    },
    /// No key to keep TOTP secrets with (no `COOKIE_KEY`).
    MfaUnavailable,
    /// Too many wrong codes for this account: wait `seconds`.
    MfaThrottled {
        seconds: u64,
    },
    /// The code step of a sign-in took too long or its cookie is gone.
    MfaExpired,
    /// A passkey not added, renamed or removed: `why` is the paragraph that says why.
    Passkey {
        why: &'static str,
        status: StatusCode,
    },
    /// A form field held a value no page of ours sends.
    BadForm,
    /// No such company, or not one of the person's (the same page either way).
    CompanyNotFound,
    /// A company page's form refused; its button leads back to the company's page.
    CompanyRefused {
        company: String,
        why: CompanyRefusal,
    },
}

/// Why a company page's form changed nothing (`org-*` of `organisations.ftl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyRefusal {
    NotAdministrator,
    LastAdministrator,
    AlreadyMember(String),
    AlreadyInvited(String),
    /// The invitation was accepted or ended meanwhile.
    NotAllowed,
    /// The invitation limit: minutes to wait.
    Limited(u64),
    FormExpired,
    BadForm,
    /// Requiring a second factor of every member, before having one oneself.
    SecondFactorFirst,
}

impl CompanyRefusal {
    fn spec(&self) -> Spec {
        use StatusCode as S;
        match self {
            Self::NotAdministrator => spec(S::FORBIDDEN, "org-forbidden", &["p1"]),
            Self::LastAdministrator => spec(S::CONFLICT, "org-last-administrator", &["p1"]),
            Self::AlreadyMember(email) => {
                spec(S::CONFLICT, "org-already-member", &["p1"]).arg("email", email)
            }
            Self::AlreadyInvited(email) => {
                spec(S::CONFLICT, "org-already-invited", &["p1"]).arg("email", email)
            }
            Self::NotAllowed => spec(S::CONFLICT, "org-not-allowed", &["p1"]),
            Self::Limited(minutes) => {
                spec(S::TOO_MANY_REQUESTS, "org-limited", &["p1"]).arg("minutes", *minutes)
            }
            Self::FormExpired => spec(S::FORBIDDEN, "org-form-expired", &["p1"]),
            Self::BadForm => spec(S::UNPROCESSABLE_ENTITY, "org-bad-form", &["p1"]),
            Self::SecondFactorFirst => spec(S::CONFLICT, "org-second-factor-first", &["p1"]),
        }
    }
}

/// A message page before it has words: the Fluent message, the attributes that are its
/// paragraphs, the variables they read, the button (label message and address).
struct Spec {
    status: StatusCode,
    id: &'static str,
    paragraphs: Vec<&'static str>,
    args: Vec<(&'static str, Arg)>,
    action: Option<(&'static str, String)>,
    /// A button that posts one field.
    post: Option<(&'static str, Page, (&'static str, String))>,
}

fn spec(status: StatusCode, id: &'static str, paragraphs: &[&'static str]) -> Spec {
    Spec {
        status,
        id,
        paragraphs: paragraphs.to_vec(),
        args: Vec::new(),
        action: None,
        post: None,
    }
}

impl Spec {
    fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    fn action(mut self, label: &'static str, to: impl Into<Link>) -> Self {
        self.action = Some((label, to.into().href()));
        self
    }

    fn retry(mut self, label: &'static str, to: &Option<Link>) -> Self {
        self.action = to.as_ref().map(|to| (label, to.href()));
        self
    }
}

/// `/api/SignIn?prompt=login`: a sign-in again, or with another account.
fn sign_in_again() -> Link {
    Page::SignIn.with("prompt", "login")
}

impl Situation for Message {
    fn page(&self, locale: Locale, product: &str) -> (StatusCode, MessagePage) {
        let tr = Tr::new(locale);
        let mut spec = self.spec();
        spec.args.push(("product", Arg::from(product)));
        let words = |key: &str| tr.with(&format!("{}.{key}", spec.id), spec.args.clone());
        (
            spec.status,
            MessagePage {
                chrome: Chrome::new(locale, tr.with(spec.id, spec.args.clone()), product),
                heading: words("heading"),
                paragraphs: spec.paragraphs.iter().map(|p| words(p)).collect(),
                action: spec
                    .action
                    .as_ref()
                    .map(|(label, href)| (tr.t(label), href.clone())),
                post: spec
                    .post
                    .map(|(label, to, field)| (tr.t(label), to.href(), field)),
            },
        )
    }

    fn failure(failure: Failure) -> Self {
        match failure {
            Failure::Unavailable => Self::Unavailable,
            Failure::NotFound => Self::LinkUnknown,
            Failure::Internal => Self::Internal,
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Unavailable => Some(UNAVAILABLE_RETRY),
            Self::SignInUnavailable => Some(60),
            Self::TooManyAttempts => Some(3600),
            Self::MfaThrottled { seconds } => Some(*seconds),
            _ => None,
        }
    }
}

impl Message {
    fn spec(&self) -> Spec {
        use StatusCode as S;
        match self {
            Self::LinkUnknown => spec(S::NOT_FOUND, "link-unknown", &["p1", "p2"]),
            Self::LinkSuperseded => spec(S::GONE, "link-superseded", &["p1"]),
            Self::Expired {
                inviter,
                inviter_email,
                date,
                renew,
            } => {
                let mut s = spec(S::GONE, "expired", &["p1", "p2"])
                    .arg("date", date)
                    .arg("inviter", inviter)
                    .arg("inviterEmail", inviter_email);
                s.post = renew.as_ref().map(|secret| {
                    let field = ("invitationId", secret.clone());
                    ("action-ask-new-link", Page::RenewLink, field)
                });
                s
            }
            Self::Renewal {
                outcome,
                inviter,
                inviter_email,
            } => {
                let status = match *outcome {
                    "renewal-limited" => S::TOO_MANY_REQUESTS,
                    _ => S::OK,
                };
                spec(status, outcome, &["p1"])
                    .arg("inviter", inviter)
                    .arg("inviterEmail", inviter_email)
            }
            Self::Revoked {
                inviter,
                inviter_email,
            } => spec(S::GONE, "revoked", &["p1", "p2"])
                .arg("inviter", inviter)
                .arg("inviterEmail", inviter_email),
            Self::Completed { company, joined } => match (company, joined) {
                (Some(c), true) => {
                    spec(S::CONFLICT, "completed", &["p1-joined", "p2"]).arg("company", c)
                }
                (Some(c), false) => {
                    spec(S::CONFLICT, "completed", &["p1-company", "p2"]).arg("company", c)
                }
                (None, _) => spec(S::CONFLICT, "completed", &["p1", "p2"]),
            }
            .action("action-sign-in", Page::SignIn),
            Self::SignInExpired { retry } => spec(S::BAD_REQUEST, "sign-in-expired", &["p1", "p2"])
                .retry("action-start-again", retry),
            Self::WrongEmail {
                signed_in,
                invited,
                retry,
            } => match signed_in {
                Some(e) => spec(S::FORBIDDEN, "wrong-email", &["p1", "p2"]).arg("signedIn", e),
                None => spec(S::FORBIDDEN, "wrong-email", &["p1-no-email", "p2"]),
            }
            .arg("invited", invited)
            .retry("action-sign-in-other-account", retry),
            Self::BoundElsewhere { invited } => {
                spec(S::FORBIDDEN, "bound-elsewhere", &["p1", "p2"]).arg("invited", invited)
            }
            Self::Cancelled { retry } => {
                spec(S::BAD_REQUEST, "cancelled", &["p1"]).retry("action-sign-in", retry)
            }
            Self::ForgotPassword { retry } => {
                spec(S::BAD_REQUEST, "forgot-password", &["p1"]).retry("action-start-again", retry)
            }
            Self::OrganisationBlocks {
                retry,
                admin_consent,
            } => {
                let s = match admin_consent {
                    Some(a) => spec(
                        S::FORBIDDEN,
                        "organisation-blocks",
                        &["p1", "p2", "p3", "consent"],
                    )
                    .arg("address", a),
                    None => spec(S::FORBIDDEN, "organisation-blocks", &["p1", "p2", "p3"]),
                };
                s.retry("action-try-again", retry)
            }
            Self::AccessDenied { detail, retry } => {
                spec(S::FORBIDDEN, "access-denied", &["p1", "p2"])
                    .arg("detail", detail)
                    .retry("action-try-again", retry)
            }
            Self::SignInUnavailable => {
                spec(S::SERVICE_UNAVAILABLE, "sign-in-unavailable", &["p1", "p2"])
            }
            Self::SignInFailed { retry } => {
                spec(S::BAD_REQUEST, "sign-in-failed", &["p1"]).retry("action-try-again", retry)
            }
            Self::SessionRequired => spec(S::UNAUTHORIZED, "session-required", &["p1", "p2"])
                .action("action-sign-in", Page::SignIn),
            Self::FormExpired { page } => spec(S::FORBIDDEN, "form-expired", &["p1"])
                .action("action-reload-form", page.clone()),
            Self::SignedOut => {
                spec(S::OK, "signed-out", &["p1"]).action("action-sign-in", Page::SignIn)
            }
            Self::TooManyAttempts => spec(S::TOO_MANY_REQUESTS, "too-many-attempts", &["p1"]),
            Self::Unavailable => spec(S::SERVICE_UNAVAILABLE, "unavailable", &["p1"]),
            Self::Internal => spec(S::INTERNAL_SERVER_ERROR, "internal", &["p1"]),
            Self::NoAccount { email } => match email {
                Some(e) => spec(S::FORBIDDEN, "no-account", &["p1", "p2", "p3"]).arg("email", e),
                None => spec(S::FORBIDDEN, "no-account", &["p1-no-email", "p2", "p3"]),
            }
            .action("action-sign-in-another-way", sign_in_again()),
            Self::ReauthNeeded => spec(S::FORBIDDEN, "reauth-needed", &["p1"]).action(
                "action-sign-in-again",
                sign_in_again().with("next", &Next::Profile.param()),
            ),
            Self::ReauthToLink { next } => spec(S::FORBIDDEN, "reauth-needed", &["p1"]).action(
                "action-sign-in-again",
                sign_in_again().with("next", &next.param()),
            ),
            Self::LinkWrongEmail { account, login } => match login {
                Some(l) => spec(S::FORBIDDEN, "link-wrong-email", &["p1", "p2"]).arg("login", l),
                None => spec(S::FORBIDDEN, "link-wrong-email", &["p1-no-email", "p2"]),
            }
            .arg("account", account)
            .action("action-back-to-profile", Page::Profile),
            Self::LinkOwnedElsewhere => spec(S::CONFLICT, "link-owned-elsewhere", &["p1", "p2"])
                .action("action-back-to-profile", Page::Profile),
            Self::UnlinkRefused { last } => {
                let p = if *last { "p1-last" } else { "p1-current" };
                spec(S::CONFLICT, "unlink-refused", &[p])
                    .action("action-back-to-profile", Page::Profile)
            }
            Self::MfaUnavailable => spec(S::SERVICE_UNAVAILABLE, "mfa-unavailable", &["p1"])
                .action("action-back-to-profile", Page::Profile),
            Self::MfaThrottled { seconds } => {
                let minutes = seconds.div_ceil(60);
                spec(S::TOO_MANY_REQUESTS, "mfa-throttled", &["p1", "p2"]).arg("minutes", minutes)
            }
            Self::BadForm => spec(S::BAD_REQUEST, "bad-form", &["p1"])
                .action("action-back-to-profile", Page::Profile),
            Self::MfaExpired => spec(S::BAD_REQUEST, "mfa-expired", &["p1"])
                .action("action-sign-in-again", Page::SignIn),
            Self::Passkey { why, status } => spec(*status, "passkey-refused", &[why])
                .action("action-back-to-profile", Page::Profile),
            Self::CompanyNotFound => {
                spec(S::NOT_FOUND, "org-not-found", &["p1"]).action("org-home", Page::Home)
            }
            Self::CompanyRefused { company, why } => why
                .spec()
                .action("org-back", Page::Company(company.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::assert_translated;
    use askama::Template;

    fn every_message() -> Vec<Message> {
        let some = |s: &str| Some(s.to_owned());
        let retry = Some(Page::InvitationLink("x".into()).into());
        vec![
            Message::LinkUnknown,
            Message::LinkSuperseded,
            Message::Expired {
                inviter: "Tamer".into(),
                inviter_email: "t@example.com".into(),
                date: "DATE".into(),
                renew: some("secret"),
            },
            Message::Renewal {
                outcome: "renewal-asked",
                inviter: "Tamer".into(),
                inviter_email: "t@example.com".into(),
            },
            Message::Renewal {
                outcome: "renewal-again",
                inviter: "Tamer".into(),
                inviter_email: "t@example.com".into(),
            },
            Message::Renewal {
                outcome: "renewal-limited",
                inviter: "Tamer".into(),
                inviter_email: "t@example.com".into(),
            },
            Message::Revoked {
                inviter: "Tamer".into(),
                inviter_email: "t@example.com".into(),
            },
            Message::Completed {
                company: some("Mobile SRL"),
                joined: false,
            },
            Message::Completed {
                company: some("Mobile SRL"),
                joined: true,
            },
            Message::Completed {
                company: None,
                joined: false,
            },
            Message::SignInExpired {
                retry: retry.clone(),
            },
            Message::WrongEmail {
                signed_in: some("a@example.com"),
                invited: "b@example.com".into(),
                retry: retry.clone(),
            },
            Message::WrongEmail {
                signed_in: None,
                invited: "b@example.com".into(),
                retry: retry.clone(),
            },
            Message::BoundElsewhere {
                invited: "b@example.com".into(),
            },
            Message::Cancelled {
                retry: retry.clone(),
            },
            Message::ForgotPassword {
                retry: retry.clone(),
            },
            Message::OrganisationBlocks {
                retry: retry.clone(),
                admin_consent: some("https://login.example/consent"),
            },
            Message::OrganisationBlocks {
                retry: None,
                admin_consent: None,
            },
            Message::AccessDenied {
                detail: "DETAIL".into(),
                retry: retry.clone(),
            },
            Message::SignInUnavailable,
            Message::SignInFailed { retry },
            Message::SessionRequired,
            Message::FormExpired {
                page: Page::Profile,
            },
            Message::SignedOut,
            Message::TooManyAttempts,
            Message::Unavailable,
            Message::Internal,
            Message::NoAccount {
                email: some("a@example.com"),
            },
            Message::NoAccount { email: None },
            Message::ReauthNeeded,
            Message::ReauthToLink {
                next: Next::LinkGoogle,
            },
            Message::LinkWrongEmail {
                account: "b@example.com".into(),
                login: some("a@example.com"),
            },
            Message::LinkWrongEmail {
                account: "b@example.com".into(),
                login: None,
            },
            Message::LinkOwnedElsewhere,
            Message::UnlinkRefused { last: true },
            Message::UnlinkRefused { last: false },
            Message::MfaUnavailable,
            Message::MfaThrottled { seconds: 60 },
            Message::MfaThrottled { seconds: 900 },
            Message::BadForm,
            Message::MfaExpired,
            Message::CompanyNotFound,
        ]
        .into_iter()
        .chain(
            [
                CompanyRefusal::NotAdministrator,
                CompanyRefusal::LastAdministrator,
                CompanyRefusal::AlreadyMember("b@example.com".into()),
                CompanyRefusal::AlreadyInvited("b@example.com".into()),
                CompanyRefusal::NotAllowed,
                CompanyRefusal::Limited(5),
                CompanyRefusal::FormExpired,
                CompanyRefusal::BadForm,
                CompanyRefusal::SecondFactorFirst,
            ]
            .into_iter()
            .map(|why| Message::CompanyRefused {
                company: "c1".into(),
                why,
            }),
        )
        .chain(PASSKEY.map(|why| Message::Passkey {
            why,
            status: StatusCode::CONFLICT,
        }))
        .collect()
    }

    const PASSKEY: [&str; 5] = [
        "p1-unavailable",
        "p1-refused",
        "p1-added",
        "p1-gone",
        "p1-name",
    ];

    const DATA: [&str; 11] = [
        "Tamer",
        "t@example.com",
        "a@example.com",
        "b@example.com",
        "Mobile SRL",
        "DATE",
        "DETAIL",
        "https://login.example/consent",
        "GFMS Customer Portal",
        "COOKIE_KEY",
        "Google",
    ];

    #[test]
    fn every_message_page_speaks_each_language_with_no_english_sentence_left() {
        for message in every_message() {
            let (status, english) = message.page(Locale::En, "GFMS Customer Portal");
            let english = english.render().unwrap();
            assert!(!english.contains("{$") && !english.contains("Unknown localization"));
            for locale in Locale::ALL.into_iter().skip(1) {
                let (s, page) = message.page(locale, "GFMS Customer Portal");
                let page = page.render().unwrap();
                assert_eq!(s, status);
                assert_translated("message page", &english, &page, locale, &DATA);
            }
        }
    }

    #[test]
    fn the_expiry_names_inviter_date_and_address_in_german() {
        let message = Message::Expired {
            inviter: "Tamer".into(),
            inviter_email: "t@example.com".into(),
            date: "29. November 2026".into(),
            renew: None,
        };
        let (status, page) = message.page(Locale::De, "Portal");
        assert_eq!(status, StatusCode::GONE);
        assert_eq!(page.heading, "Diese Einladung ist abgelaufen");
        assert_eq!(
            page.paragraphs[0],
            "Sie war bis zum 29. November 2026 gültig."
        );
        assert!(page.paragraphs[1].contains("Tamer (t@example.com)"));
    }
}
