//! Events for staff and programs: `GET /api/events?status=pending|failed` (paged) and
//! `POST /api/events/{id}/redeliver`; the `DeliverEvents` timer; and the views an
//! event's `data` holds (the staff API's own, handed to the service when it is wired).

use super::companies::CompanyDetail;
use super::invitations::{InvitationView, timestamp};
use crate::domain::event::{EventId, Standing};
use crate::domain::invitation::ListFilter;
use crate::domain::{FieldError, FieldErrors};
use crate::http::AppState;
use crate::http::problem::Problem;
use crate::service::InvitationError;
use crate::service::events::{self, EventViews, Redelivery};
use crate::storage::QueuedEvent;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use warp::Reply as _;
use warp::reply::Response;

/// What an event's `data` holds: the invitation or the company as this API returns it.
pub fn event_views() -> EventViews {
    EventViews {
        invitation: |invitation, now| {
            serde_json::to_value(InvitationView::new(invitation, now)).unwrap_or_default()
        },
        company: |company, roster, now| {
            serde_json::to_value(CompanyDetail::new(company, roster, &[], now)).unwrap_or_default()
        },
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DestinationView {
    destination: String,
    status: &'static str,
    attempts: u32,
    last_error: Option<String>,
    next_attempt_at: Option<String>,
}

/// An undelivered event as staff see it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventView {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    subject: String,
    time: String,
    status: &'static str,
    destinations: Vec<DestinationView>,
}

impl From<&QueuedEvent> for EventView {
    fn from(queued: &QueuedEvent) -> Self {
        let event = &queued.event;
        Self {
            id: event.id.to_string(),
            kind: event.kind.as_str(),
            subject: event.subject.clone(),
            time: timestamp(event.time),
            status: queued.standing().as_str(),
            destinations: queued
                .destinations
                .iter()
                .map(|d| DestinationView {
                    destination: d.destination.clone(),
                    status: d.standing.as_str(),
                    attempts: d.attempts,
                    last_error: d.last_error.clone(),
                    next_attempt_at: (d.standing == Standing::Pending)
                        .then(|| timestamp(d.next_attempt_at)),
                })
                .collect(),
        }
    }
}

fn parse_list_query(query: &str) -> Result<(Standing, u32, Option<EventId>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let (mut standing, mut top, mut after) = (Standing::Pending, ListFilter::DEFAULT_TOP, None);
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "status" => match Standing::parse(&value).filter(|s| *s != Standing::Delivered) {
                Some(s) => standing = s,
                None => errors.add("status", FieldError::EventStatus),
            },
            "top" => match ListFilter::top(&value) {
                Ok(n) => top = n,
                Err(e) => errors.add("top", e),
            },
            "continuationToken" => match URL_SAFE_NO_PAD
                .decode(value.as_bytes())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| EventId::parse(&s).ok())
            {
                Some(id) => after = Some(id),
                None => errors.add("continuationToken", FieldError::ContinuationToken),
            },
            _ => {}
        }
    }
    errors.into_result((standing, top, after))
}

pub async fn list(state: AppState, query: String) -> Result<Response, Problem> {
    let (standing, top, after) = parse_list_query(&query).map_err(Problem::validation)?;
    let (items, next) = events::list(&state.services, standing, top as usize, after.as_ref())
        .await
        .map_err(InvitationError::from)?;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ListView {
        items: Vec<EventView>,
        continuation_token: Option<String>,
    }
    let view = ListView {
        items: items.iter().map(EventView::from).collect(),
        continuation_token: next.map(|id| URL_SAFE_NO_PAD.encode(id.as_str())),
    };
    Ok(warp::reply::json(&view).into_response())
}

pub async fn redeliver(state: AppState, id: String) -> Result<Response, Problem> {
    let not_found = || Problem::not_found("problem-no-event");
    let id = EventId::parse(&id).map_err(|_| not_found())?;
    match events::redeliver(&state.services, &id)
        .await
        .map_err(InvitationError::from)?
    {
        Redelivery::Unknown => Err(not_found()),
        Redelivery::Tried(queued) => {
            Ok(warp::reply::json(&EventView::from(queued.as_ref())).into_response())
        }
    }
}
