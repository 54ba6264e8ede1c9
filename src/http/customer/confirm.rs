//! The confirmation step of a destructive form (deleting the account, removing a member,
//! leaving a company, removing a login), as the back office's Revoke asks first: the
//! form's post without `confirm=yes` answers this page, which says what will happen and
//! posts the same fields again with `confirm=yes` and the session's CSRF token. No
//! JavaScript; nothing changes until the second post.

use crate::domain::locale::Locale;
use crate::http::layout::{Chrome, html};
use askama::Template;
use warp::http::StatusCode;
use warp::reply::Response;

/// The field the second post adds.
pub const CONFIRMED: &str = "yes";

#[derive(Template)]
#[template(path = "pages/confirm.html")]
pub struct ConfirmPage {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    /// Where the confirmation posts: the form's own address.
    action: String,
    /// The form's fields, sent again.
    fields: Vec<(&'static str, String)>,
    csrf: String,
    /// The button's id and label.
    button: (&'static str, String),
    /// The way back: label and address.
    cancel: (String, String),
}

/// What a confirmation asks, in words already in the page's language.
pub struct Ask {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub button: (&'static str, String),
    pub cancel: (String, String),
}

impl ConfirmPage {
    pub fn new(
        (locale, product): (Locale, &str),
        ask: Ask,
        (action, fields): (String, Vec<(&'static str, String)>),
        csrf: &str,
    ) -> Self {
        Self {
            chrome: Chrome::new(locale, ask.heading.clone(), product),
            heading: ask.heading,
            paragraphs: ask.paragraphs,
            action,
            fields,
            csrf: csrf.to_owned(),
            button: ask.button,
            cancel: ask.cancel,
        }
    }

    pub fn answer(&self) -> Response {
        html(StatusCode::OK, self, &[])
    }
}
