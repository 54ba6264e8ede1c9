//! The page layout both floors share: what every page shows around its content
//! ([`Chrome`]), the message page, and the one place a page becomes a response (status,
//! security headers, `Content-Language`, cookies) or a redirect does. Templates are
//! askama's (compile-time checked, HTML-escaped); their words come from Fluent through
//! [`Tr`].

use crate::domain::locale::Locale;
use crate::i18n::Tr;
use askama::Template;
use warp::Reply as _;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

/// What every page shows around its content.
pub struct Chrome {
    pub lang: &'static str,
    /// The page's words, in its language.
    pub tr: Tr,
    pub title: String,
    pub product: String,
    /// The language switch (`?lang=` on this page's address): shown on pages that read it.
    pub switch: bool,
}

impl Chrome {
    pub fn new(locale: Locale, title: impl Into<String>, product: &str) -> Self {
        Self {
            lang: locale.as_str(),
            tr: Tr::new(locale),
            title: title.into(),
            product: product.to_owned(),
            switch: false,
        }
    }

    /// The languages the switch offers, the page's own marked current.
    pub fn languages(&self) -> Vec<SwitchLink> {
        switch_links(self.lang)
    }

    /// With the language switch: the page honours `?lang=` at its own address.
    pub fn with_switch(mut self) -> Self {
        self.switch = true;
        self
    }
}

#[derive(Template)]
#[template(path = "pages/message.html")]
pub struct MessagePage {
    pub chrome: Chrome,
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// A button: label and address.
    pub action: Option<(String, String)>,
    /// A button that posts: label, address and the one field it sends (name, value).
    pub post: Option<(String, String, (&'static str, String))>,
}

/// One language of the switch: its code, its name in itself, and whether the page is in
/// it (shown with `aria-current="true"`).
pub struct SwitchLink {
    pub code: &'static str,
    pub name: &'static str,
    pub current: bool,
}

/// The language switch of a page in `current`: every language, the current one marked,
/// so the reader sees which one they are reading and which they can choose.
pub fn switch_links(current: &str) -> Vec<SwitchLink> {
    LANGUAGE_NAMES
        .iter()
        .map(|&(code, name)| SwitchLink {
            code,
            name,
            current: code == current,
        })
        .collect()
}

/// Each language named in itself (an endonym reads the same on every page).
pub const LANGUAGE_NAMES: [(&str, &str); 5] = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
];

/// The Content-Security-Policy of every page: nothing from elsewhere, no inline script.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// A rendered page with its status and the cookies to set.
pub fn html(status: StatusCode, page: &impl Template, cookies: &[String]) -> Response {
    let body = page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "page template failed");
        "<!DOCTYPE html><title>Error</title><p>Something went wrong on our side. Please try again.</p>".to_owned()
    });
    let lang = declared_language(&body).map(HeaderValue::from_str);
    let mut response = warp::reply::with_status(warp::reply::html(body), status).into_response();
    let headers = response.headers_mut();
    if let Some(Ok(lang)) = lang {
        headers.insert(header::CONTENT_LANGUAGE, lang);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    add_cookies(&mut response, cookies);
    response
}

/// The language a rendered page declares in `<html lang>`: `Content-Language` says the
/// same, read from the page itself so the two cannot differ.
fn declared_language(body: &str) -> Option<&str> {
    let start = body.find("<html lang=\"")? + "<html lang=\"".len();
    let rest = body.get(start..)?;
    let end = rest.find('"')?;
    rest.get(..end).filter(|l| !l.is_empty() && l.len() <= 8)
}

/// The page with `origins` (the identity provider's, from its metadata) added to its CSP
/// `form-action`: the directive also governs the redirects that follow a form post, so a
/// form answered with a redirect to the provider (linking a login, signing out at the
/// provider) is blocked without them. Nothing else is widened.
pub fn allow_form_action(mut response: Response, origins: &[String]) -> Response {
    let Some(csp) = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
    else {
        return response;
    };
    let extra: String = origins.iter().map(|o| format!(" {o}")).collect();
    let widened = csp.replacen(
        "form-action 'self'",
        &format!("form-action 'self'{extra}"),
        1,
    );
    if let Ok(value) = HeaderValue::from_str(&widened) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// A redirect (302 to a provider, 303 after a post) with the cookies to set.
pub fn redirect(status: StatusCode, location: &str, cookies: &[String]) -> Response {
    let mut response = warp::reply::with_status(warp::reply(), status).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    add_cookies(&mut response, cookies);
    response
}

fn add_cookies(response: &mut Response, cookies: &[String]) {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
}
