//! The invitation email: "Hi <name>, <inviter> has invited you to use <product>…", a
//! **Get started now** button and the raw link below it. One text + HTML pair of
//! templates for every language; the sentences come from `locales/*/email.ftl`.

use super::OutgoingEmail;
use crate::domain::invitation::Invitation;
use crate::domain::locale::Locale;
use crate::i18n::{Arg, Tr};
use askama::Template;
use time::OffsetDateTime;

/// What the templates show.
pub struct InvitationMail {
    /// The name the sales person gave, if any (the greeting is plain without one).
    pub recipient_name: Option<String>,
    pub recipient_email: String,
    pub inviter_name: String,
    pub inviter_email: String,
    pub product: String,
    pub company_name: Option<String>,
    /// A colleague's invitation: the company they are invited to join.
    pub joining: Option<String>,
    pub url: String,
    pub expires_on: String,
    /// The address already has an account: "sign in" rather than "create an account".
    pub existing: bool,
    /// A resend: this email's link replaces the one of the earlier email.
    pub replaces: bool,
    /// The reminder (`domain::reminder`): its subject and first line say so.
    pub reminder: bool,
}

/// The email's sentences in the invitation's language, from `locales/*/email.ftl`.
pub struct Words {
    pub lang: &'static str,
    pub subject: String,
    pub greeting: String,
    pub intro: String,
    pub replaces: Option<String>,
    /// A reminder's first line: who is waiting.
    pub reminder: Option<String>,
    /// The button, and the line before the link in the text part.
    pub action: String,
    pub action_text: String,
    pub account: String,
    pub valid_until: String,
    pub fallback: String,
    pub not_expected: String,
}

impl Words {
    fn new(m: &InvitationMail, locale: Locale) -> Self {
        let tr = Tr::new(locale);
        let people = || -> Vec<(&'static str, Arg)> {
            vec![
                ("inviter", Arg::from(&m.inviter_name)),
                ("inviterEmail", Arg::from(&m.inviter_email)),
                ("product", Arg::from(&m.product)),
                ("email", Arg::from(&m.recipient_email)),
                ("date", Arg::from(&m.expires_on)),
            ]
        };
        // Who is waiting: the inviter, or for a colleague the company they would join.
        let waiting = || {
            let mut args = people();
            args.push((
                "waiting",
                Arg::from(m.joining.as_ref().unwrap_or(&m.inviter_name)),
            ));
            args
        };
        let subject = if m.reminder {
            tr.with("email-subject-reminder", waiting())
        } else if m.replaces {
            tr.with("email-subject-new-link", people())
        } else {
            tr.with("email-subject", people())
        };
        let with_company = |id: &str, company: &String| {
            let mut args = people();
            args.push(("company", Arg::from(company)));
            tr.with(id, args)
        };
        let intro = match (&m.joining, &m.company_name) {
            (Some(company), _) => with_company("email-intro-join", company),
            (None, Some(company)) => with_company("email-intro-company", company),
            (None, None) => tr.with("email-intro", people()),
        };
        let (action, account) = if m.existing {
            ("email-sign-in", "email-account-existing")
        } else {
            ("email-start", "email-account-new")
        };
        Self {
            lang: locale.as_str(),
            subject,
            greeting: match &m.recipient_name {
                Some(name) => tr.t1("email-greeting-name", "name", name),
                None => tr.t("email-greeting"),
            },
            intro,
            replaces: m.replaces.then(|| tr.t("email-replaces")),
            reminder: m.reminder.then(|| tr.with("email-reminder", waiting())),
            action: tr.t(action),
            action_text: tr.t(&format!("{action}-text")),
            account: tr.with(account, people()),
            valid_until: tr.with("email-valid-until", people()),
            fallback: tr.t("email-button-fallback"),
            not_expected: tr.t("email-not-expected"),
        }
    }
}

#[derive(Template)]
#[template(path = "email/invitation.txt", block = "subject", escape = "none")]
struct Subject<'a> {
    w: &'a Words,
}

#[derive(Template)]
#[template(path = "email/invitation.txt", block = "body", escape = "none")]
struct Text<'a> {
    m: &'a InvitationMail,
    w: &'a Words,
}

#[derive(Template)]
#[template(path = "email/invitation.html")]
struct Html<'a> {
    m: &'a InvitationMail,
    w: &'a Words,
}

pub fn render(
    invitation: &Invitation,
    url: String,
    product: &str,
) -> Result<OutgoingEmail, askama::Error> {
    render_as(invitation, url, product, false)
}

/// The reminder of an invitation (`domain::reminder`), with its own link.
pub fn render_reminder(
    invitation: &Invitation,
    url: String,
    product: &str,
) -> Result<OutgoingEmail, askama::Error> {
    render_as(invitation, url, product, true)
}

fn render_as(
    invitation: &Invitation,
    url: String,
    product: &str,
    reminder: bool,
) -> Result<OutgoingEmail, askama::Error> {
    let m = InvitationMail {
        recipient_name: invitation
            .display_name
            .as_ref()
            .map(|n| n.as_str().to_owned()),
        recipient_email: invitation.email.to_string(),
        inviter_name: invitation.inviter_name(),
        inviter_email: invitation.inviter_email(),
        product: product.to_owned(),
        company_name: invitation.company.name.clone(),
        joining: invitation
            .join()
            .and_then(|_| invitation.company.name.clone()),
        url,
        expires_on: long_date(invitation.expires_at, invitation.locale),
        existing: invitation.existing_customer,
        replaces: invitation
            .history
            .iter()
            .any(|h| h.event == crate::domain::invitation::Event::Resent),
        reminder,
    };
    let w = Words::new(&m, invitation.locale);
    let (subject, text, html) = (
        Subject { w: &w }.render()?,
        Text { m: &m, w: &w }.render()?,
        Html { m: &m, w: &w }.render()?,
    );
    Ok(OutgoingEmail {
        to: invitation.email.clone(),
        to_name: invitation
            .display_name
            .as_ref()
            .map(|n| n.as_str().to_owned()),
        subject: subject.trim().to_owned(),
        text: text.trim_start().to_owned(),
        html,
    })
}

/// "29 November 2026" / "29 novembre 2026" (UTC): the locale's `date-long` message.
pub fn long_date(at: OffsetDateTime, locale: Locale) -> String {
    crate::i18n::Tr::new(locale).date(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::company::CompanyDraft;
    use crate::domain::email::EmailAddress;
    use crate::domain::invitation::{
        DisplayName, ExpiryDays, InvitationId, Inviter, NewInvitation,
    };
    use crate::domain::secret::InvitationSecret;
    use time::macros::datetime;

    fn invitation(locale: Locale, name: &str, company: Option<&str>) -> Invitation {
        let now = datetime!(2026-11-22 10:00 UTC);
        Invitation::create(
            NewInvitation {
                email: EmailAddress::parse("willy.urs@example.com").unwrap(),
                display_name: DisplayName::parse(name).unwrap(),
                locale,
                expires_in: ExpiryDays::default(),
                company: CompanyDraft {
                    name: company.map(str::to_owned),
                    ..CompanyDraft::default()
                },
                join: None,
            },
            Inviter {
                name: "Tamer Mohamed-Nour".into(),
                email: EmailAddress::parse("tamer@gfms.example").unwrap(),
            },
            InvitationId::new(now, 7),
            InvitationSecret::generate("9998235962181a1b2c3d4e5f6")
                .unwrap()
                .hash(),
            now,
        )
    }

    #[test]
    fn the_english_email_greets_names_the_inviter_and_carries_the_link_twice() {
        let email = render(
            &invitation(Locale::En, "Willy URS", Some("URS Machining SA")),
            "https://p.example/api/InviteUser?invitationId=abc".into(),
            "GFMS Portal",
        )
        .unwrap();
        assert_eq!(
            email.subject,
            "Tamer Mohamed-Nour invited you to GFMS Portal"
        );
        assert!(email.text.starts_with("Hi Willy URS,"));
        assert!(email.text.contains("has invited you to use GFMS Portal to collaborate with them and to set up URS Machining SA"));
        assert!(email.text.contains("29 November 2026"));
        assert!(email.html.contains(">Get started now</a>"));
        assert_eq!(
            email
                .html
                .matches("https://p.example/api/InviteUser?invitationId=abc")
                .count(),
            3
        );
    }

    #[test]
    fn an_existing_customer_is_asked_to_sign_in() {
        let mut existing = invitation(Locale::En, "Willy URS", None);
        existing.existing_customer = true;
        let email = render(&existing, "https://p.example/x".into(), "P").unwrap();
        assert!(
            email.html.contains(">Sign in now</a>")
                && email.text.contains("Sign in with your account")
        );
        assert!(!email.text.contains("Create your account"));
        let new = render(
            &invitation(Locale::En, "Willy URS", None),
            "https://p.example/x".into(),
            "P",
        )
        .unwrap();
        assert!(new.text.contains("Create your account, or sign in"));
    }

    #[test]
    fn a_colleague_is_told_who_invited_them_to_which_company() {
        for (locale, text) in [
            (
                Locale::En,
                "Tamer Mohamed-Nour (tamer@gfms.example) has invited you to join URS Machining SA on P.",
            ),
            (
                Locale::Fr,
                "Tamer Mohamed-Nour (tamer@gfms.example) vous invite à rejoindre URS Machining SA sur P.",
            ),
        ] {
            let mut colleague = invitation(locale, "Willy URS", Some("URS Machining SA"));
            colleague.company_id = Some("c1".into());
            colleague.member_role = Some(crate::domain::account::Role::Member);
            let email = render(&colleague, "https://p.example/x".into(), "P").unwrap();
            assert!(email.text.contains(text), "{}", email.text);
            assert!(email.html.contains(text), "{}", email.html);
            assert!(!email.text.contains("set up") && !email.text.contains("créer"));
        }
    }

    #[test]
    fn the_french_email_is_in_french() {
        let email = render(
            &invitation(Locale::Fr, "Willy URS", None),
            "https://p.example/x".into(),
            "Portail",
        )
        .unwrap();
        assert_eq!(email.subject, "Tamer Mohamed-Nour vous invite sur Portail");
        assert!(email.text.starts_with("Bonjour Willy URS,"));
        assert!(email.text.contains("29 novembre 2026"));
        assert!(email.html.contains("Commencer maintenant"));
    }

    #[test]
    fn without_a_name_the_greeting_is_plain_and_a_resend_says_it_replaces_the_earlier_link() {
        let mut nameless = invitation(Locale::En, "", None);
        nameless.display_name = None;
        let email = render(&nameless, "https://p.example/x".into(), "P").unwrap();
        assert!(email.text.starts_with("Hello,"), "{}", email.text);
        assert!(!email.text.contains("willy.urs,") && !email.html.contains("willy.urs,"));
        assert!(!email.text.contains("replaces"));
        nameless
            .history
            .push(crate::domain::invitation::HistoryEntry {
                at: nameless.created_at,
                event: crate::domain::invitation::Event::Resent,
                actor: "tamer@gfms.example".into(),
                reason: None,
            });
        let resent = render(&nameless, "https://p.example/x".into(), "P").unwrap();
        assert!(
            resent.subject.starts_with("New link:"),
            "{}",
            resent.subject
        );
        assert!(
            resent
                .text
                .contains("replaces the one in the earlier email")
        );
        assert!(
            resent
                .html
                .contains("replaces the one in the earlier email")
        );
        nameless.locale = Locale::Fr;
        let french = render(&nameless, "https://p.example/x".into(), "P").unwrap();
        assert!(french.text.starts_with("Bonjour,"), "{}", french.text);
        assert!(french.text.contains("remplace celui de l'e-mail précédent"));
        assert!(!french.text.contains("lui ou elle"));
    }

    #[test]
    fn names_are_escaped_in_html() {
        let email = render(
            &invitation(Locale::En, "<script>alert(1)</script>", Some("A & B <b>")),
            "https://p.example/x".into(),
            "P",
        )
        .unwrap();
        assert!(
            !email.html.contains("<script>") && !email.html.contains("<b>"),
            "{}",
            email.html
        );
        assert!(email.html.contains("&#60;script&#62;") || email.html.contains("&lt;script&gt;"));
    }

    /// Every shape of the email (new or existing customer, with or without a name and a
    /// company, first or resent, a colleague's) in `locale`: subject, text and HTML joined.
    fn every_email(locale: Locale) -> Vec<String> {
        let mut emails = Vec::new();
        for (name, company, existing, resent) in [
            ("Willy URS", Some("Mobile SRL"), false, false),
            ("", None, true, true),
            ("Willy URS", None, false, true),
            ("", Some("Mobile SRL"), true, false),
        ] {
            let mut i = invitation(locale, name, company);
            if name.is_empty() {
                i.display_name = None;
            }
            i.existing_customer = existing;
            if resent {
                i.history.push(crate::domain::invitation::HistoryEntry {
                    at: i.created_at,
                    event: crate::domain::invitation::Event::Resent,
                    actor: "tamer@gfms.example".into(),
                    reason: None,
                });
            }
            let e = render(&i, "https://p.example/x".into(), "Portal").unwrap();
            emails.push(format!("{}\n{}\n{}", e.subject, e.text, e.html));
        }
        // A colleague invited to join a company.
        let mut colleague = invitation(locale, "Willy URS", Some("Mobile SRL"));
        colleague.company_id = Some("c1".into());
        colleague.member_role = Some(crate::domain::account::Role::Member);
        let e = render(&colleague, "https://p.example/x".into(), "Portal").unwrap();
        emails.push(format!("{}\n{}\n{}", e.subject, e.text, e.html));
        emails
    }

    #[test]
    fn every_email_speaks_each_language_with_no_english_sentence_left() {
        let data = [
            "Willy URS",
            "Tamer Mohamed-Nour",
            "tamer@gfms.example",
            "willy.urs@example.com",
            "Mobile SRL",
            "Portal",
            "https://p.example/x",
            "Segoe UI,Helvetica,Arial,sans-serif",
        ];
        let english = every_email(Locale::En);
        for locale in Locale::ALL.into_iter().skip(1) {
            for (en, other) in english.iter().zip(every_email(locale)) {
                crate::i18n::check::assert_translated("email", en, &other, locale, &data);
            }
        }
    }

    #[test]
    fn the_german_email_is_formal_and_dates_the_link_in_german() {
        let email = render(
            &invitation(Locale::De, "Willy URS", Some("Mobile SRL")),
            "https://p.example/x".into(),
            "Portal",
        )
        .unwrap();
        assert_eq!(
            email.subject,
            "Tamer Mohamed-Nour hat Sie zu Portal eingeladen"
        );
        assert!(
            email.text.starts_with("Guten Tag Willy URS,"),
            "{}",
            email.text
        );
        assert!(
            email.text.contains("bis zum 29. November 2026 gültig"),
            "{}",
            email.text
        );
        assert!(email.html.contains(">Jetzt loslegen</a>"));
    }
}
