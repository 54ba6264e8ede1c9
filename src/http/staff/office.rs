//! `GET /api/Staff` (the invite form and the list of invitations) and
//! `POST /api/Staff/invite`.

use super::messages::StaffMessage;
use super::views::{FormField, Frame, OfficePage, Row, Sent, statuses};
use super::{StaffSession, gate, message_page, param, pick_locale};
use crate::domain::FieldErrors;
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::STAFF_SESSION;
use crate::http::customer::pages::html;
use crate::http::invitations::{parse_create, parse_list_query};
use crate::service::{InvitationError, invitations};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;

/// Invitations per page of the list.
const PAGE_SIZE: u32 = 20;

/// The invite form: field (the create body's name), element id, label en, label fr, type.
const FORM: [(&str, &str, &str, &str, &str); 10] = [
    (
        "email",
        "f-email",
        "Customer's email",
        "E-mail du client",
        "email",
    ),
    (
        "displayName",
        "f-display-name",
        "Customer's name",
        "Nom du client",
        "text",
    ),
    (
        "locale",
        "f-locale",
        "Language of the email",
        "Langue de l'e-mail",
        "select",
    ),
    (
        "expiresInDays",
        "f-expires",
        "Valid for (days, 1 to 30)",
        "Valable (jours, de 1 à 30)",
        "number",
    ),
    (
        "company.name",
        "f-company-name",
        "Company name",
        "Nom de l'entreprise",
        "text",
    ),
    (
        "company.vatNumber",
        "f-company-vat",
        "VAT number",
        "Numéro de TVA",
        "text",
    ),
    (
        "company.street",
        "f-company-street",
        "Street and number",
        "Rue et numéro",
        "text",
    ),
    (
        "company.postalCode",
        "f-company-postal",
        "Postal code",
        "Code postal",
        "text",
    ),
    ("company.city", "f-company-city", "City", "Ville", "text"),
    (
        "company.country",
        "f-company-country",
        "Country (two letters, e.g. BE)",
        "Pays (deux lettres, p. ex. BE)",
        "text",
    ),
];

/// What the form holds: values and errors by field, and an error about the whole form.
#[derive(Default)]
pub struct FormState {
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    error: Option<String>,
}

fn french_error(field: &str, value: &str) -> &'static str {
    if value.trim().is_empty() {
        return "Ce champ est obligatoire.";
    }
    match field {
        "email" => "Indiquez une adresse e-mail valide.",
        "displayName" => "Ce nom n'est pas accepté (trop long ou caractères non permis).",
        "locale" => "Choisissez le français ou l'anglais.",
        "expiresInDays" => "Indiquez un nombre entier de jours, de 1 à 30.",
        "company.vatNumber" => {
            "Indiquez un numéro de TVA valide pour le pays, par exemple BE0123456749."
        }
        "company.postalCode" => "Indiquez un code postal valide pour le pays.",
        "company.country" => "Indiquez un code pays à deux lettres, par exemple BE, FR ou CH.",
        _ => "Cette valeur n'est pas acceptée (trop longue ou caractères non permis).",
    }
}

fn english_error(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!(
            "{}{}.",
            first.to_uppercase(),
            chars.as_str().trim_end_matches('.')
        ),
        None => String::new(),
    }
}

impl FormState {
    fn from_body(body: &[u8]) -> Self {
        let values = url::form_urlencoded::parse(body)
            .filter(|(k, _)| FORM.iter().any(|(name, ..)| name == k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Self {
            values,
            ..Self::default()
        }
    }

    /// The create body the API would receive: empty fields are left out.
    fn as_create_body(&self) -> Map<String, Value> {
        let mut body = Map::new();
        let mut company = Map::new();
        for (name, value) in &self.values {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let json = match name.as_str() {
                "expiresInDays" => value
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(value)),
                _ => Value::from(value),
            };
            match name.strip_prefix("company.") {
                Some(field) => company.insert(field.to_owned(), json),
                None => body.insert(name.clone(), json),
            };
        }
        if !company.is_empty() {
            body.insert("company".into(), Value::Object(company));
        }
        body
    }

    fn with_errors(mut self, errors: FieldErrors, locale: Locale) -> Self {
        for (field, message) in errors.iter() {
            let value = self.values.get(field).cloned().unwrap_or_default();
            let text = match locale {
                Locale::Fr => french_error(field, &value).to_owned(),
                Locale::En => english_error(message),
            };
            self.errors.insert(field.clone(), text);
        }
        self
    }
}

/// The office page for this query (filters, page) with `form` and `sent`.
async fn office_page(
    state: &AppState,
    session: &StaffSession,
    locale: Locale,
    query: &str,
    form: FormState,
    sent: Option<Sent>,
) -> Result<OfficePage, InvitationError> {
    let fr = locale == Locale::Fr;
    let wanted = |k: &str| matches!(k, "status" | "email" | "continuationToken");
    let clean: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            url::form_urlencoded::parse(query.as_bytes())
                .filter(|(k, v)| wanted(k) && !v.trim().is_empty()),
        )
        .finish();
    let filter_status = param(clean.as_bytes(), "status").unwrap_or_default();
    let filter_email = param(clean.as_bytes(), "email").unwrap_or_default();
    let (rows, next, filter_errors) = match parse_list_query(&clean) {
        Ok(mut filter) => {
            filter.top = PAGE_SIZE;
            let (page, now) = invitations::list(&state.services, &filter).await?;
            let next = page.next.map(|id| {
                url::form_urlencoded::Serializer::new("/api/Staff?".to_owned())
                    .append_pair("status", &filter_status)
                    .append_pair("email", &filter_email)
                    .append_pair("continuationToken", &URL_SAFE_NO_PAD.encode(id.as_str()))
                    .append_pair("lang", locale.as_str())
                    .finish()
            });
            let rows = page.items.iter().map(|i| Row::new(i, now, fr)).collect();
            (rows, next, Vec::new())
        }
        Err(errors) => {
            let errors = errors
                .iter()
                .map(|(k, m)| match locale {
                    Locale::Fr => format!("Filtre non valable ({k})."),
                    Locale::En => format!("Filter {k}: {m}."),
                })
                .collect();
            (Vec::new(), None, errors)
        }
    };
    let title = "Invitations";
    let locale_value = form
        .values
        .get("locale")
        .cloned()
        .unwrap_or_else(|| locale.as_str().to_owned());
    let fields = FORM
        .iter()
        .map(|(name, id, en, fr_label, kind)| FormField {
            name,
            id,
            label: if fr { fr_label } else { en },
            kind,
            value: form.values.get(*name).cloned().unwrap_or_else(|| {
                if *name == "expiresInDays" {
                    "7".into()
                } else {
                    String::new()
                }
            }),
            error: form.errors.get(*name).cloned(),
        })
        .collect();
    Ok(OfficePage {
        frame: Frame::new(locale, title, &state.services.product_name, session),
        sent,
        form_error: form.error,
        fields,
        locale_value,
        filter_status,
        filter_email,
        filter_errors,
        statuses: statuses(fr),
        rows,
        next,
    })
}

/// A service error as a page.
pub fn service_error_page(state: &AppState, error: InvitationError, locale: Locale) -> Response {
    let message = match error {
        InvitationError::Unavailable(why) => {
            tracing::warn!(reason = %why, "storage unavailable");
            StaffMessage::Unavailable
        }
        InvitationError::NotFound => StaffMessage::NotFound,
        other => {
            tracing::error!(error = %other, "staff page failed");
            StaffMessage::Internal
        }
    };
    message_page(state, message, locale, &[])
}

async fn render(
    state: &AppState,
    session: &StaffSession,
    locale: Locale,
    query: &str,
    form: FormState,
    sent: Option<Sent>,
    status: StatusCode,
) -> Response {
    match office_page(state, session, locale, query, form, sent).await {
        Ok(page) => html(status, &page, &[]),
        Err(e) => service_error_page(state, e, locale),
    }
}

/// `GET /api/Staff`.
pub async fn show(
    state: AppState,
    query: String,
    cookie_header: Option<String>,
    accept_language: Option<String>,
) -> Response {
    let locale = pick_locale(
        param(query.as_bytes(), "lang").as_deref(),
        accept_language.as_deref(),
    );
    if param(query.as_bytes(), "prompt").as_deref() == Some("login")
        && let Some(sign_in) = state.staff_sign_in.clone()
    {
        // "Sign in with another account": the old session goes, the directory asks again.
        let mut response =
            super::sign_in::start(&state, &sign_in, locale, "/api/Staff", Some("login")).await;
        if let Ok(clear) = HeaderValue::from_str(&state.cookies.clear(STAFF_SESSION)) {
            response
                .headers_mut()
                .append(warp::http::header::SET_COOKIE, clear);
        }
        return response;
    }
    let back = if query.is_empty() {
        "/api/Staff".to_owned()
    } else {
        format!("/api/Staff?{query}")
    };
    let (_, session) = match gate(&state, cookie_header.as_deref(), locale, &back).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    render(
        &state,
        &session,
        locale,
        &query,
        FormState::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /api/Staff/invite`: the API's validation and service; errors beside the fields.
pub async fn invite(
    state: AppState,
    cookie_header: Option<String>,
    accept_language: Option<String>,
    body: bytes::Bytes,
) -> Response {
    let locale = pick_locale(param(&body, "lang").as_deref(), accept_language.as_deref());
    let (_, session) = match gate(&state, cookie_header.as_deref(), locale, "/api/Staff").await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if !session.csrf_matches(&param(&body, "csrf").unwrap_or_default()) {
        return message_page(&state, StaffMessage::FormExpired, locale, &[]);
    }
    let Some(inviter) = session.inviter() else {
        return message_page(&state, StaffMessage::Internal, locale, &[]);
    };
    let mut form = FormState::from_body(&body);
    let new = match parse_create(&form.as_create_body()) {
        Ok(new) => new,
        Err(errors) => {
            let form = form.with_errors(errors, locale);
            return render(
                &state,
                &session,
                locale,
                "",
                form,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let fr = locale == Locale::Fr;
    let (status, error) = match invitations::create(&state.services, new, inviter).await {
        Ok(created) => {
            let sent = Sent {
                id: created.invitation.id.to_string(),
                email: created.invitation.email.to_string(),
                invite_url: created.invite_url,
                resent: false,
            };
            return render(
                &state,
                &session,
                locale,
                "",
                FormState::default(),
                Some(sent),
                StatusCode::OK,
            )
            .await;
        }
        Err(InvitationError::Duplicate(id)) => {
            let text = if fr {
                format!(
                    "Une invitation active existe déjà pour cette adresse ({id}) : renvoyez-la ou retirez-la."
                )
            } else {
                format!(
                    "An active invitation already exists for this address ({id}): resend or revoke it."
                )
            };
            form.errors.insert("email".into(), text);
            (StatusCode::CONFLICT, None)
        }
        Err(InvitationError::Limited { detail, .. }) => {
            (StatusCode::TOO_MANY_REQUESTS, Some(detail))
        }
        Err(InvitationError::NotAllowed { why }) => (StatusCode::CONFLICT, Some(why)),
        Err(other) => return service_error_page(&state, other, locale),
    };
    form.error = error;
    render(&state, &session, locale, "", form, None, status).await
}
