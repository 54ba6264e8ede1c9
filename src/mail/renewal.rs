//! The note to whoever sent an invitation (a sales person, or a company's administrator)
//! that its customer found the link expired and asks for a new one. One text + HTML pair
//! of templates; the sentences come from `locales/*/email.ftl`, in the invitation's
//! language (the one the sender chose for it).

use super::OutgoingEmail;
use crate::domain::invitation::{Invitation, Inviter};
use crate::i18n::{Arg, Tr};
use askama::Template;

/// The note's sentences.
pub struct Words {
    pub lang: &'static str,
    pub subject: String,
    pub greeting: String,
    pub asked: String,
    pub how: String,
    pub product: String,
}

#[derive(Template)]
#[template(path = "email/renewal.txt", block = "subject", escape = "none")]
struct Subject<'a> {
    w: &'a Words,
}

#[derive(Template)]
#[template(path = "email/renewal.txt", block = "body", escape = "none")]
struct Text<'a> {
    w: &'a Words,
}

#[derive(Template)]
#[template(path = "email/renewal.html")]
struct Html<'a> {
    w: &'a Words,
}

/// The note about `invitation` to its sender (`invited_by`, while not erased).
pub fn render(
    invitation: &Invitation,
    sender: &Inviter,
    product: &str,
) -> Result<OutgoingEmail, askama::Error> {
    let locale = invitation.locale;
    let tr = Tr::new(locale);
    let customer = match &invitation.display_name {
        Some(name) => format!("{} ({})", name.as_str(), invitation.email),
        None => invitation.email.to_string(),
    };
    let args = || -> Vec<(&'static str, Arg)> {
        vec![
            ("customer", Arg::from(&customer)),
            ("product", Arg::from(product)),
            (
                "date",
                Arg::from(super::invitation::long_date(invitation.expires_at, locale)),
            ),
        ]
    };
    let w = Words {
        lang: locale.as_str(),
        subject: tr.with("renewal-email-subject", args()),
        greeting: tr.t1("email-greeting-name", "name", &sender.name),
        asked: tr.with("renewal-email-asked", args()),
        how: tr.with("renewal-email-how", args()),
        product: product.to_owned(),
    };
    Ok(OutgoingEmail {
        to: sender.email.clone(),
        to_name: Some(sender.name.clone()),
        subject: Subject { w: &w }.render()?.trim().to_owned(),
        text: Text { w: &w }.render()?.trim_start().to_owned(),
        html: Html { w: &w }.render()?,
    })
}
