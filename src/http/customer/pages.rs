//! The customer's pages: askama templates (compile-time checked, HTML-escaped) whose
//! words come from Fluent through [`Tr`], and the one place a page becomes a response
//! (status, security headers, `Content-Language`, cookies).

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

    /// The languages the switch offers: every other one, each named in itself.
    pub fn others(&self) -> Vec<(&'static str, &'static str)> {
        LANGUAGE_NAMES
            .iter()
            .copied()
            .filter(|(code, _)| *code != self.lang)
            .collect()
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
}

pub struct FieldView {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub autocomplete: &'static str,
    pub max: usize,
}

#[derive(Template)]
#[template(path = "pages/company_form.html")]
pub struct CompanyFormPage {
    pub chrome: Chrome,
    pub inviter: String,
    pub email: String,
    pub csrf: String,
    /// Whether the sales person entered any of the company's data.
    pub prefilled: bool,
    /// The country list, `(code, name)` sorted by name in the page's language
    /// (`i18n::countries`); the code (ISO 3166-1 alpha-2) is what the form submits.
    pub countries: Vec<(&'static str, String)>,
    pub fields: Vec<FieldView>,
    /// JSON for the browser's checks; built by the service, never from user input.
    pub rules: String,
}

#[derive(Template)]
#[template(path = "pages/home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub email: String,
    pub companies: Vec<CompanyLine>,
    pub csrf: String,
    /// What Home says once after a form sent the person here (leaving a company).
    pub notice: Option<String>,
}

/// A company on Home: its name and the person's role there (a message id).
pub struct CompanyLine {
    /// The company's id, for the link to its page.
    pub id: String,
    pub name: String,
    pub role: &'static str,
}

impl From<crate::domain::account::Membership> for CompanyLine {
    fn from(m: crate::domain::account::Membership) -> Self {
        Self {
            id: m.company_id.as_str().to_owned(),
            name: m.company_name,
            role: match m.role {
                crate::domain::account::Role::Administrator => "home-role-administrator",
                crate::domain::account::Role::Member => "home-role-member",
            },
        }
    }
}

pub struct LoginView {
    /// The login's key, sent back to unlink it.
    pub key: String,
    pub provider: String,
    pub linked: String,
    pub current: bool,
    pub removable: bool,
}

#[derive(Template)]
#[template(path = "pages/profile.html")]
pub struct ProfilePage {
    pub chrome: Chrome,
    pub email: String,
    pub logins: Vec<LoginView>,
    pub can_link_microsoft: bool,
    pub can_link_google: bool,
    pub mfa: bool,
    pub notice: Option<String>,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "pages/mfa.html")]
pub struct MfaPage {
    pub chrome: Chrome,
    /// `enable` (enrolment), `challenge` (code at sign-in), `manage` (on: turn off),
    /// `recovery` (just turned on: the recovery codes, once).
    pub mode: &'static str,
    pub csrf: String,
    pub error: Option<String>,
    /// A `data:` URI of the QR code's SVG.
    pub qr: String,
    pub secret: String,
    pub otpauth: String,
    pub recovery_codes: Vec<String>,
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
