//! The staff API for invitations: `POST /api/InviteUser`, `GET /api/invitations`,
//! `GET /api/invitations/{id}`.

use crate::domain::account::Role;
use crate::domain::invitation::{Invitation, InvitationId};
use crate::domain::membership::Actor;
use crate::http::input::{parse_create, parse_list_query};
use crate::http::problem::Problem;
use crate::http::{AppState, body, export};
use crate::identity::staff::StaffMember;
use crate::service::{invitations, members};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use time::OffsetDateTime;
use warp::Reply as _;
use warp::http::StatusCode;
use warp::reply::Response;

pub async fn create(
    state: AppState,
    staff: StaffMember,
    content_type: Option<String>,
    raw_body: bytes::Bytes,
) -> Result<Response, Problem> {
    let object = body::json_object(content_type.as_deref(), &raw_body)?;
    let new = parse_create(&object).map_err(Problem::validation)?;
    let created = members::invite(&state.services, new, staff.into(), &Actor::Staff).await?;
    let location = crate::page::Page::ApiInvitation(created.invitation.id.to_string()).href();
    let mut view = InvitationView::new(&created.invitation, created.now);
    view.invite_url = Some(created.invite_url);
    let mut response =
        warp::reply::with_status(warp::reply::json(&view), StatusCode::CREATED).into_response();
    if let Ok(value) = warp::http::HeaderValue::from_str(&location) {
        response
            .headers_mut()
            .insert(warp::http::header::LOCATION, value);
    }
    Ok(response)
}

pub async fn get(state: AppState, id: String) -> Result<Response, Problem> {
    let id = InvitationId::parse(&id).map_err(|_| Problem::not_found("problem-no-invitation"))?;
    let (invitation, now) = invitations::get(&state.services, &id).await?;
    Ok(warp::reply::json(&InvitationView::with_history(&invitation, now)).into_response())
}

pub async fn resend(state: AppState, staff: StaffMember, id: String) -> Result<Response, Problem> {
    let id = InvitationId::parse(&id).map_err(|_| Problem::not_found("problem-no-invitation"))?;
    let resent = invitations::resend(
        &state.services,
        &id,
        &staff.email,
        invitations::Sender::Staff,
    )
    .await?;
    let mut view = InvitationView::new(&resent.invitation, resent.now);
    view.invite_url = Some(resent.invite_url);
    Ok(warp::reply::json(&view).into_response())
}

pub async fn revoke(state: AppState, staff: StaffMember, id: String) -> Result<Response, Problem> {
    let id = InvitationId::parse(&id).map_err(|_| Problem::not_found("problem-no-invitation"))?;
    let (invitation, now) = invitations::revoke(&state.services, &id, &staff.email).await?;
    Ok(warp::reply::json(&InvitationView::new(&invitation, now)).into_response())
}

/// The list as JSON, or as CSV (every page) when the query or `Accept` asks for it.
pub async fn list(
    state: AppState,
    query: String,
    accept: Option<String>,
) -> Result<Response, Problem> {
    let filter = parse_list_query(&query).map_err(Problem::validation)?;
    if export::wanted(&query, accept.as_deref()) {
        return Ok(export::answer(&state.services, filter).await?);
    }
    let (page, now) = invitations::list(&state.services, &filter).await?;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ListView {
        items: Vec<InvitationView>,
        continuation_token: Option<String>,
    }
    let view = ListView {
        items: page
            .items
            .iter()
            .map(|i| InvitationView::new(i, now))
            .collect(),
        continuation_token: page.next.map(|id| URL_SAFE_NO_PAD.encode(id.as_str())),
    };
    Ok(warp::reply::json(&view).into_response())
}

/// An invitation as the API returns it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    id: String,
    email: String,
    display_name: Option<String>,
    locale: &'static str,
    status: &'static str,
    created_at: String,
    expires_at: String,
    invited_by: PersonView,
    company: CompanyView,
    email_delivery: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    invite_url: Option<String>,
    company_id: Option<String>,
    kind: &'static str,
    role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<HistoryView>>,
}

#[derive(Serialize)]
struct PersonView {
    name: String,
    email: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CompanyView {
    name: Option<String>,
    vat_number: Option<String>,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    country: Option<String>,
}

#[derive(Serialize)]
struct HistoryView {
    at: String,
    event: &'static str,
    actor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl InvitationView {
    pub fn new(invitation: &Invitation, now: OffsetDateTime) -> Self {
        let company = &invitation.company;
        Self {
            id: invitation.id.to_string(),
            email: invitation.email.to_string(),
            display_name: invitation
                .display_name
                .as_ref()
                .map(|n| n.as_str().to_owned()),
            locale: invitation.locale.as_str(),
            status: invitation.status_at(now).as_str(),
            created_at: timestamp(invitation.created_at),
            expires_at: timestamp(invitation.expires_at),
            invited_by: PersonView {
                name: invitation.inviter_name(),
                email: invitation.inviter_email(),
            },
            company: CompanyView {
                name: company.name.clone(),
                vat_number: company.vat_number.as_ref().map(|v| v.as_str().to_owned()),
                street: company.street.clone(),
                postal_code: company.postal_code.as_ref().map(|p| p.as_str().to_owned()),
                city: company.city.clone(),
                country: company.country.map(|c| c.to_string()),
            },
            email_delivery: invitation.delivery.as_str(),
            invite_url: None,
            company_id: invitation.company_id.clone(),
            kind: invitation.kind().as_str(),
            role: invitation.member_role.map(Role::as_str),
            history: None,
        }
    }

    /// The invitation with its history, oldest first (`expired` added once it has).
    pub fn with_history(invitation: &Invitation, now: OffsetDateTime) -> Self {
        let mut view = Self::new(invitation, now);
        view.history = Some(
            invitation
                .history_at(now)
                .iter()
                .map(|h| HistoryView {
                    at: timestamp(h.at),
                    event: h.event.as_str(),
                    actor: h.actor.clone(),
                    reason: h.reason.clone(),
                })
                .collect(),
        );
        view
    }
}

/// `2026-11-22T10:00:00Z`: UTC, whole seconds.
pub fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}
