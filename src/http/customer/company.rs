//! `GET`/`POST /api/CreateCompany`, `GET /api/Home` and `POST /api/SignOut`.

use super::Session;
use super::messages::Message;
use super::pages::{CompanyFormPage, FieldView, HomePage};
use super::{refusals, signed_in};
use crate::domain::FieldErrors;
use crate::domain::account::{CompanyId, LoginFacts, Membership};
use crate::domain::company::{CompanyDetails, RawCompany};
use crate::domain::country::{
    ISO_3166_ALPHA2, POSTAL_FORMATS, POSTAL_GENERIC, VAT_FORMATS, VAT_GENERIC,
};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{AcceptError, Invitation, Status};
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::{MFA, SESSION};
use crate::http::extract::{LangQuery, NoFields, Posted, SignedOutQuery, Visit};
use crate::http::failure::{Situation, into_page, message_page};
use crate::http::layout::{Chrome, html, redirect};
use crate::i18n::Tr;
use crate::page::Page;
use crate::service::onboarding::{self, AcceptFailure};
use crate::storage::Versioned;
use serde_json::json;
use time::OffsetDateTime;
use warp::http::StatusCode;
use warp::reply::Response;

/// The form's fields: name, autocomplete, maximum length. The label is the Fluent
/// message `field-{name}`, the message when invalid `field-invalid-{name}`.
const FIELDS: [(&str, &str, usize); 6] = [
    ("name", "organization", 200),
    ("vatNumber", "off", 20),
    ("street", "street-address", 200),
    ("postalCode", "postal-code", 12),
    ("city", "address-level2", 100),
    ("country", "country", 2),
];

/// One message per field, the same in the browser's checks and the server's.
fn field_message(field: &str, locale: Locale) -> String {
    Tr::new(locale).t(&format!("field-invalid-{field}"))
}

fn required_message(locale: Locale) -> String {
    Tr::new(locale).t("field-required")
}

/// The rules the browser runs, as JSON safe inside a `<script>` element.
pub(super) fn rules_json(locale: Locale) -> String {
    let map = |table: &[(&str, &str)]| {
        table
            .iter()
            .map(|(c, p)| (c.to_string(), json!(p)))
            .collect::<serde_json::Map<_, _>>()
    };
    let invalid: serde_json::Map<_, _> = FIELDS
        .iter()
        .map(|(f, ..)| (f.to_string(), json!(field_message(f, locale))))
        .collect();
    let max: serde_json::Map<_, _> = FIELDS
        .iter()
        .map(|(f, .., max)| (f.to_string(), json!(max)))
        .collect();
    json!({
        "countries": ISO_3166_ALPHA2,
        "vat": map(VAT_FORMATS),
        "vatGeneric": VAT_GENERIC,
        "vatPrefix": {"GR": "EL", "CH": "CHE"},
        "postal": map(POSTAL_FORMATS),
        "postalGeneric": POSTAL_GENERIC,
        "max": max,
        "messages": {"required": required_message(locale), "invalid": invalid},
    })
    .to_string()
    .replace('<', "\\u003c")
}

/// The form's fields with their labels, values and errors in the reader's language.
pub(super) fn field_views(
    values: &RawCompany,
    errors: &FieldErrors,
    locale: Locale,
) -> Vec<FieldView> {
    let value_of = |field: &str| -> String {
        match field {
            "name" => values.name.clone(),
            "vatNumber" => values.vat_number.clone(),
            "street" => values.street.clone(),
            "postalCode" => values.postal_code.clone(),
            "city" => values.city.clone(),
            _ => values.country.clone(),
        }
        .unwrap_or_default()
    };
    FIELDS
        .iter()
        .map(|(name, autocomplete, max)| {
            let value = value_of(name);
            let error = errors.iter().any(|(k, _)| k == name).then(|| {
                if value.trim().is_empty() {
                    required_message(locale)
                } else {
                    field_message(name, locale)
                }
            });
            FieldView {
                name,
                label: Tr::new(locale).t(&format!("field-{name}")),
                value,
                error,
                autocomplete,
                max: *max,
            }
        })
        .collect()
}

fn form_page(
    state: &AppState,
    session: &Session,
    invitation: &Invitation,
    values: &RawCompany,
    errors: &FieldErrors,
) -> CompanyFormPage {
    let locale = session.locale();
    let fields = field_views(values, errors, locale);
    let title = Tr::new(locale).t("company-title");
    CompanyFormPage {
        chrome: Chrome::new(locale, title, &state.services.product_name).with_switch(),
        inviter: invitation.inviter_name(),
        email: session.email.clone(),
        csrf: session.csrf.clone(),
        prefilled: invitation.company != Default::default(),
        countries: crate::i18n::countries::sorted_by_name(locale),
        fields,
        rules: rules_json(locale),
    }
}

/// What the sales person entered, as the form's starting values.
fn prefill(invitation: &Invitation) -> RawCompany {
    let c = &invitation.company;
    RawCompany {
        name: c.name.clone(),
        vat_number: c.vat_number.as_ref().map(|v| v.as_str().to_owned()),
        street: c.street.clone(),
        postal_code: c.postal_code.as_ref().map(|p| p.as_str().to_owned()),
        city: c.city.clone(),
        country: c.country.map(|c| c.to_string()),
    }
}

/// The session and its invitation, or the page to show instead.
async fn session_invitation(visit: &Visit) -> Result<(Session, Versioned<Invitation>), Response> {
    let state = &visit.state;
    let Some(session) = signed_in::session(visit) else {
        return Err(message_page(
            state,
            &Message::SessionRequired,
            visit.browser,
            &[],
        ));
    };
    let Some(id) = session.invitation_id() else {
        return Err(redirect(StatusCode::SEE_OTHER, &Page::Home.href(), &[]));
    };
    let locale = session.locale();
    match onboarding::bound_invitation(&state.services, &id, &session.login()).await {
        // A colleague's invitation joins a company: never the company form.
        Ok(Some(invitation)) if invitation.value.join().is_some() => {
            Err(redirect(StatusCode::SEE_OTHER, &Page::Home.href(), &[]))
        }
        Ok(Some(invitation)) => match ended_page(state, &invitation.value, visit.now) {
            Some(page) => Err(page),
            None => Ok((session, invitation)),
        },
        Ok(None) => Err(message_page(state, &Message::SessionRequired, locale, &[])),
        Err(e) => Err(into_page::<Message>(state, e, locale)),
    }
}

/// The page the invitation's link shows once it was withdrawn or expired ("withdrawn by
/// {name}"): wherever a sign-up still uses the invitation, it says the same.
fn ended_page(state: &AppState, invitation: &Invitation, now: OffsetDateTime) -> Option<Response> {
    let status = invitation.status_at(now);
    matches!(status, Status::Revoked | Status::Expired).then(|| {
        let message = refusals::ended(invitation, status);
        message_page(state, &message, invitation.locale, &[])
    })
}

/// `GET /api/CreateCompany?lang=`.
pub async fn show_form(visit: Visit, query: LangQuery) -> Result<Response, Response> {
    let (mut session, invitation) = session_invitation(&visit).await?;
    let (state, now, invitation) = (&visit.state, visit.now, invitation.value);
    if invitation.status_at(now) == Status::Completed {
        return Err(redirect(StatusCode::SEE_OTHER, &Page::Home.href(), &[]));
    }
    let cookies: Vec<String> = super::choose_language(state, &mut session, query.lang, now)
        .await
        .into_iter()
        .collect();
    let values = prefill(&invitation);
    let page = form_page(
        state,
        &session,
        &invitation,
        &values,
        &FieldErrors::default(),
    );
    Ok(html(StatusCode::OK, &page, &cookies))
}

/// `POST /api/CreateCompany`.
pub async fn create(visit: Visit, posted: Posted<CompanyFields>) -> Result<Response, Response> {
    let (session, current) = session_invitation(&visit).await?;
    let (state, locale) = (&visit.state, session.locale());
    let invitation = current.value.clone();
    let Some(company) = posted.check(&session.csrf) else {
        let expired = Message::FormExpired {
            page: Page::CreateCompany,
        };
        return Err(message_page(state, &expired, locale, &[]));
    };
    let raw = RawCompany::from(company);
    let details = match CompanyDetails::parse(&raw) {
        Ok(details) => details,
        Err(errors) => {
            let page = form_page(state, &session, &invitation, &raw, &errors);
            return Err(html(StatusCode::UNPROCESSABLE_ENTITY, &page, &[]));
        }
    };
    let email = EmailAddress::parse(&session.email).unwrap_or_else(|_| invitation.email.clone());
    let facts = LoginFacts::new(session.idp.as_deref(), session.object.as_ref());
    let login = session.login();
    let created = onboarding::create_company(
        &state.services,
        current,
        &login,
        &email,
        facts,
        details,
        locale,
    )
    .await;
    Ok(match created {
        // The account's language (the invitation's, or what the person switched to) is
        // recorded with the account.
        Ok(_) => redirect(StatusCode::SEE_OTHER, &Page::Home.href(), &[]),
        Err(AcceptFailure::Store(e)) => into_page::<Message>(state, e, locale),
        Err(AcceptFailure::NotFound) => message_page(state, &Message::LinkUnknown, locale, &[]),
        // Withdrawn while the form was filled in.
        Err(AcceptFailure::Refused {
            invitation,
            reason: AcceptError::NotUsable(status),
        }) => message_page(state, &refusals::ended(&invitation, status), locale, &[]),
        Err(AcceptFailure::Refused { .. }) => {
            message_page(state, &Message::SessionRequired, locale, &[])
        }
    })
}

/// The company form as posted: the company's fields as the API names them.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CompanyFields {
    name: Option<String>,
    vat_number: Option<String>,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    country: Option<String>,
}

impl From<CompanyFields> for RawCompany {
    fn from(f: CompanyFields) -> Self {
        Self {
            name: f.name,
            vat_number: f.vat_number,
            street: f.street,
            postal_code: f.postal_code,
            city: f.city,
            country: f.country,
        }
    }
}

/// The query of `GET /api/Home`: the language switch, and `notice=left` after leaving a
/// company.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct HomeQuery {
    #[serde(deserialize_with = "crate::http::extract::our_locale")]
    lang: Option<Locale>,
    notice: Option<String>,
}

/// `GET /api/Home`: the person's companies.
pub async fn home(visit: Visit, query: HomeQuery) -> Response {
    let Some(mut session) = signed_in::session(&visit) else {
        // Signed out: a sign-in, which comes back here.
        return signed_in::to_sign_in(&visit, None, query.lang);
    };
    let (state, now) = (&visit.state, visit.now);
    let cookies: Vec<String> = super::choose_language(state, &mut session, query.lang, now)
        .await
        .into_iter()
        .collect();
    let locale = session.locale();
    let (login, issued_at) = (session.login(), session.issued_at);
    let memberships = match onboarding::memberships(&state.services, &login, issued_at).await {
        Ok(memberships) => memberships,
        Err(e) => return into_page::<Message>(state, e, locale),
    };
    let no_company = memberships.as_ref().is_none_or(Vec::is_empty);
    if let Some(id) = session.invitation_id().filter(|_| no_company) {
        // A company still to create; not for a colleague (who left or was removed), nor
        // once it is created (the form would send them back here); an invitation that
        // ended meanwhile shows its page.
        match onboarding::bound_invitation(&state.services, &id, &login).await {
            Ok(Some(bound))
                if bound.value.join().is_some()
                    || bound.value.status_at(now) == Status::Completed => {}
            Ok(Some(bound)) => {
                let ended = ended_page(state, &bound.value, now);
                let form = || redirect(StatusCode::SEE_OTHER, &Page::CreateCompany.href(), &[]);
                return ended.unwrap_or_else(form);
            }
            Ok(None) => return redirect(StatusCode::SEE_OTHER, &Page::CreateCompany.href(), &[]),
            Err(e) => return into_page::<Message>(state, e, locale),
        }
    }
    // A session whose account was erased, or whose sessions were ended (signed out),
    // opens nothing.
    let Some(memberships) = memberships else {
        let clear = [state.cookies.clear(SESSION)];
        return message_page(state, &Message::SessionRequired, locale, &clear);
    };
    let tr = Tr::new(locale);
    let next = next_step(&session, &memberships).map(|id| tr.t(id));
    let page = HomePage {
        chrome: Chrome::new(locale, tr.t("home-title"), &state.services.product_name).with_switch(),
        email: session.email.clone(),
        companies: memberships.into_iter().map(Into::into).collect(),
        // `?notice=left`: the person has just left a company.
        notice: (query.notice.as_deref() == Some("left")).then(|| tr.t("home-notice-left")),
        next,
        csrf: session.csrf.clone(),
        product_url: state
            .services
            .product_url
            .as_ref()
            .map(|url| url.to_string()),
    };
    html(StatusCode::OK, &page, &cookies)
}

/// What comes next, worded for how this session's invitation was used: the person who
/// created the company (its id is the invitation's) hears of the sales contact, a
/// colleague who joined one of the companies listed of its page; a sign-in without an
/// invitation hears neither.
fn next_step(session: &Session, memberships: &[Membership]) -> Option<&'static str> {
    let created = CompanyId::for_invitation(&session.invitation_id()?);
    if memberships.iter().any(|m| m.company_id == created) {
        Some("home-sales-contact")
    } else {
        (!memberships.is_empty()).then_some("home-joined")
    }
}

/// `POST /api/SignOut` (with the CSRF token).
pub async fn sign_out(visit: Visit, posted: Posted<NoFields>) -> Response {
    let state = &visit.state;
    let cleared = [state.cookies.clear(SESSION), state.cookies.clear(MFA)];
    let Some(session) = signed_in::session(&visit) else {
        return message_page(state, &Message::SignedOut, visit.browser, &cleared);
    };
    let locale = session.locale();
    if posted.check(&session.csrf).is_none() {
        let expired = Message::FormExpired { page: Page::Home };
        return message_page(state, &expired, locale, &[]);
    }
    // Ended on the server too: a copy of this cookie opens nothing afterwards.
    let services = &state.services;
    let login = session.login();
    match crate::service::account::session_account(services, &login, session.issued_at).await {
        Ok(Some(account)) => {
            if let Err(e) = crate::service::account::sign_out(services, &account).await {
                return into_page::<Message>(state, e, locale);
            }
        }
        Ok(None) => {}
        Err(e) => return into_page::<Message>(state, e, locale),
    }
    // Signed out at the provider too, when it has an end-session endpoint: back at
    // /api/SignedOut, which reads the language from `state`.
    let back = Page::SignedOut.url(&state.services.public_base_url);
    match state.customer.end_session_url(&back, locale.as_str()).await {
        Some(url) => redirect(StatusCode::SEE_OTHER, url.as_str(), &cleared),
        None => message_page(state, &Message::SignedOut, locale, &cleared),
    }
}

/// `GET /api/SignedOut`: where the provider's sign-out comes back.
/// After the deletion of the account, it says so ([`super::delete`]), with a sign-in in
/// the page's language (there is no account left to remember one).
pub async fn signed_out(visit: Visit, query: SignedOutQuery) -> Response {
    let locale = query.locale().unwrap_or(visit.browser);
    let product = &visit.state.services.product_name;
    let (status, mut page) = if query.deleted() {
        (StatusCode::OK, super::delete::deleted_page(locale, product))
    } else {
        Situation::page(&Message::SignedOut, locale, product)
    };
    page.chrome.switch = true;
    html(status, &page, &[])
}
