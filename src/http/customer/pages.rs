//! The customer's page templates (the message page and the layout are
//! [`crate::http::layout`]'s); their words come from Fluent through [`Chrome::tr`].

use crate::domain::locale::Locale;
use crate::http::layout::Chrome;
use askama::Template;

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
    /// What comes next for the creator of the company, or for a colleague who joined.
    pub next: Option<String>,
    /// `PRODUCT_URL`: "Continue to {product}", once the person has a company.
    pub product_url: Option<String>,
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
    /// Whether passkeys can be added here (`PUBLIC_BASE_URL`'s host is a name).
    pub passkeys_available: bool,
    pub passkeys: Vec<PasskeyView>,
    /// The company whose rule sent the person here: it requires a second factor.
    pub required_by: Option<String>,
    pub notice: Option<String>,
    /// The notice says nothing was done (a login already linked): not styled as success.
    pub caution: bool,
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
    /// The app's codes are locked out for now: the field asks for a recovery code.
    pub locked: bool,
    /// The passkey's button at the step after a sign-in (mode `challenge` or `passkey`).
    pub passkey: Option<Ceremony>,
}

/// A passkey on the profile: its name and dates (in the page's language).
pub struct PasskeyView {
    /// Its handle, sent back to rename or remove it.
    pub id: String,
    pub name: String,
    pub added: String,
    pub last_used: Option<String>,
}

/// The page whose button adds the named passkey.
#[derive(Template)]
#[template(path = "pages/passkey.html")]
pub struct PasskeyPage {
    pub chrome: Chrome,
    pub name: String,
    pub passkey: Option<Ceremony>,
}

/// What the page's script is handed and where it posts the answer.
pub struct Ceremony {
    /// The options for `navigator.credentials`, as JSON data (`<` escaped).
    pub options: String,
    /// `create` (adding) or `get` (the step after a sign-in).
    pub mode: &'static str,
    pub post_to: String,
    pub action: &'static str,
    pub csrf: String,
    pub button: String,
}

impl PasskeyPage {
    /// The page that adds the passkey `name`, in `locale`.
    pub fn new((locale, product): (Locale, &str), name: String, ceremony: Ceremony) -> Self {
        let tr = crate::i18n::Tr::new(locale);
        Self {
            chrome: Chrome::new(locale, tr.t("passkey-add-title"), product),
            name,
            passkey: Some(ceremony),
        }
    }
}
