//! `GET /api/Staff` (the invite form and the list of invitations) and
//! `POST /api/Staff/invite`.

use super::funnel::FunnelView;
use super::messages::StaffMessage;
use super::views::{FLASH_LIFETIME, Flash, FormField, Frame, OfficePage, Row, Sent, statuses};
use super::{Staff, StaffSession, gate};
use crate::domain::locale::Locale;
use crate::http::cookies::{STAFF_FLASH, STAFF_SESSION};
use crate::http::extract::{Posted, Visit, parse_query};
use crate::http::failure::{into_page, message_page};
use crate::http::form::{FORM, FormState};
use crate::http::input::{parse_create, parse_list_query};
use crate::http::layout::{html, redirect};
use crate::http::{AppState, export};
use crate::i18n::Tr;
use crate::page::{Link, Page};
use crate::service::{InvitationError, invitations, stats};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::collections::BTreeMap;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;

/// Invitations per page of the list.
const PAGE_SIZE: u32 = 20;

/// The office page for this query (filters, page) with `form` and `sent`.
async fn office_page(
    state: &AppState,
    session: &StaffSession,
    locale: Locale,
    query: &str,
    form: FormState,
    sent: Option<Sent>,
) -> Result<OfficePage, InvitationError> {
    let tr = Tr::new(locale);
    // The list's own parameters, without empty ones, for the staff API's parser.
    let wanted = |k: &str| matches!(k, "status" | "email" | "continuationToken");
    let clean: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            url::form_urlencoded::parse(query.as_bytes())
                .filter(|(k, v)| wanted(k) && !v.trim().is_empty()),
        )
        .finish();
    let Filters {
        status: filter_status,
        email: filter_email,
    } = parse_query(&clean);
    let (rows, next, filter_errors) = match parse_list_query(&clean) {
        Ok(mut filter) => {
            filter.top = PAGE_SIZE;
            let (page, now) = invitations::list(&state.services, &filter).await?;
            let next = page.next.map(|id| {
                Page::Office
                    .with("status", &filter_status)
                    .with("email", &filter_email)
                    .with("continuationToken", &URL_SAFE_NO_PAD.encode(id.as_str()))
                    .lang(locale)
                    .href()
            });
            let rows = page.items.iter().map(|i| Row::new(i, now, tr)).collect();
            (rows, next, Vec::new())
        }
        Err(errors) => {
            let errors = errors
                .iter()
                .map(|(k, _)| tr.t1("staff-filter-invalid", "field", k))
                .collect();
            (Vec::new(), None, errors)
        }
    };
    // The funnel and the undelivered events at once.
    let (funnel, events) = futures::join!(
        funnel(state, session, tr),
        super::events::section(state, tr)
    );
    let funnel = funnel?;
    let csv = Page::Office
        .with("status", &filter_status)
        .with("email", &filter_email)
        .with("format", "csv")
        .href();
    let title = tr.t("staff-office-title");
    let locale_value = form
        .values
        .get("locale")
        .cloned()
        .unwrap_or_else(|| locale.as_str().to_owned());
    let fields = FORM
        .iter()
        .map(|(name, id, kind)| FormField {
            name,
            id,
            label: tr.t(&crate::http::form::label_id(name)),
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
        frame: Frame::new(locale, &title, &state.services.product_name, session),
        sent,
        form_error: form.error,
        fields,
        locale_value,
        filter_status,
        filter_email,
        filter_errors,
        statuses: statuses(tr),
        rows,
        next,
        events,
        csv,
        funnel,
    })
}

/// The funnel of the last 30 days for the signed-in sales person and everyone, and what
/// needs a nudge.
async fn funnel(
    state: &AppState,
    session: &StaffSession,
    tr: Tr,
) -> Result<FunnelView<Row>, InvitationError> {
    let Some(me) = session.inviter().map(|i| i.email) else {
        return Err(InvitationError::Internal(
            "a session without an address".into(),
        ));
    };
    let overview = stats::overview(&state.services, &me).await?;
    let after_days = state.services.reminder_after_days;
    Ok(FunnelView::new(&overview, after_days, tr, |i, now| {
        Row::new(i, now, tr)
    }))
}

/// The list's filters, as the page shows them again.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Filters {
    status: String,
    email: String,
}

/// The query of `GET /api/Staff` besides the list's filters.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct PageQuery {
    #[serde(deserialize_with = "crate::http::extract::our_locale")]
    lang: Option<Locale>,
    prompt: Option<String>,
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
        Err(e) => into_page::<StaffMessage>(state, e, locale),
    }
}

/// `GET /api/Staff`.
pub async fn show(visit: Visit, query: String) -> Response {
    let PageQuery { lang, prompt } = parse_query(&query);
    let (state, locale) = (&visit.state, super::locale(&visit, lang));
    if prompt.as_deref() == Some("login") && state.staff_sign_in.is_some() {
        // "Sign in with another account": the old session goes, the directory asks again.
        let mut response =
            super::sign_in::start(state, locale, &Page::Office.href(), Some("login")).await;
        if let Ok(clear) = HeaderValue::from_str(&state.cookies.clear(STAFF_SESSION)) {
            response
                .headers_mut()
                .append(warp::http::header::SET_COOKIE, clear);
        }
        return response;
    }
    let back = Link::from(Page::Office).with_query(&query).href();
    let (_, session) = match gate(&visit, locale, &back).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if let Some(answer) = csv(state, &query, locale).await {
        return answer;
    }
    // The link of an invitation just sent (the post before the redirect here), once.
    let flash: Option<Flash> = visit.cookie(STAFF_FLASH);
    let sent = flash.and_then(|f| f.sent);
    let form = FormState::default();
    let mut response = render(state, &session, locale, &query, form, sent, StatusCode::OK).await;
    if let Ok(clear) = HeaderValue::from_str(&state.cookies.clear(STAFF_FLASH)) {
        response
            .headers_mut()
            .append(warp::http::header::SET_COOKIE, clear);
    }
    response
}

/// The list as CSV with the page's filters (empty ones left out) when the query asks for
/// it; `None` otherwise, and for bad filters (the page shows their errors).
async fn csv(state: &AppState, query: &str, locale: Locale) -> Option<Response> {
    if !export::wanted(query, None) {
        return None;
    }
    let filters: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            url::form_urlencoded::parse(query.as_bytes())
                .filter(|(k, v)| matches!(k.as_ref(), "status" | "email") && !v.trim().is_empty()),
        )
        .finish();
    let filter = parse_list_query(&filters).ok()?;
    Some(match export::answer(&state.services, filter).await {
        Ok(response) => response,
        Err(e) => into_page::<StaffMessage>(state, e, locale),
    })
}

/// `POST /api/Staff/invite`: the API's validation and service; errors beside the fields.
pub async fn invite(
    staff: Staff,
    posted: Posted<BTreeMap<String, String>>,
) -> Result<Response, Response> {
    let (visit, session, locale) = (staff.visit, staff.session, staff.locale);
    let state = &visit.state;
    let fields = super::checked(&visit, &session, posted, locale)?;
    let Some(inviter) = session.inviter() else {
        return Err(message_page(state, &StaffMessage::Internal, locale, &[]));
    };
    let mut form = FormState::from_fields(fields);
    let render = |form, status| render(state, &session, locale, "", form, None, status);
    let new = match parse_create(&form.as_create_body()) {
        Ok(new) => new,
        Err(errors) => {
            let form = form.with_errors(errors, locale);
            return Err(render(form, StatusCode::UNPROCESSABLE_ENTITY).await);
        }
    };
    let tr = Tr::new(locale);
    let (status, error) = match invitations::create(&state.services, new, inviter).await {
        Ok(created) => {
            let sent = Sent {
                id: created.invitation.id.to_string(),
                email: created.invitation.email.to_string(),
                invite_url: created.invite_url,
                resent: false,
            };
            // Answered with a redirect, so reloading the page does not post again.
            let now = state.services.clock.now();
            let flash = Flash {
                sent: Some(sent),
                notice: None,
            };
            let cookie = state
                .cookies
                .seal(STAFF_FLASH, &flash, now, now + FLASH_LIFETIME);
            let to = Page::Office.with("lang", locale.as_str()).href();
            return Ok(redirect(StatusCode::SEE_OTHER, &to, &[cookie]));
        }
        Err(InvitationError::Duplicate(id)) => {
            let text = tr.t1("staff-duplicate", "id", id.to_string());
            form.errors.insert("email".into(), text);
            (StatusCode::CONFLICT, None)
        }
        Err(InvitationError::Limited { limit, .. }) => (
            StatusCode::TOO_MANY_REQUESTS,
            Some(crate::http::explain::limit(tr, &limit)),
        ),
        Err(InvitationError::NotAllowed(why)) => (
            StatusCode::CONFLICT,
            Some(crate::http::explain::refusal(tr, &why)),
        ),
        Err(other) => return Err(into_page::<StaffMessage>(state, other, locale)),
    };
    form.error = error;
    Ok(render(form, status).await)
}
