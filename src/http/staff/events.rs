//! The back office's events that did not arrive: a section of `GET /api/Staff` (type,
//! subject, last error, attempts, each with a Redeliver button) and
//! `POST /api/Staff/events/{id}/redeliver` (the CSRF token, then back to the office).

use super::Staff;
use super::messages::StaffMessage;
use super::views::{EventRow, when};
use crate::domain::event::{EventId, Standing};
use crate::http::AppState;
use crate::http::extract::{NoFields, Posted};
use crate::http::failure::message_page;
use crate::http::layout::redirect;
use crate::i18n::Tr;
use crate::page::Page;
use crate::service::events;
use crate::storage::QueuedEvent;
use warp::http::StatusCode;
use warp::reply::Response;

/// Undelivered events the office shows, of each standing.
const SHOWN: usize = 20;

/// The office's row of an undelivered event.
fn row(queued: &QueuedEvent, tr: Tr) -> EventRow {
    let standing = queued.standing();
    let last_error = queued
        .destinations
        .iter()
        .filter_map(|d| d.last_error.clone())
        .collect::<Vec<_>>()
        .join("; ");
    EventRow {
        id: queued.event.id.to_string(),
        kind: queued.event.kind.as_str(),
        subject: queued.event.subject.clone(),
        time: when(queued.event.time),
        status: standing.as_str(),
        status_label: tr.t(&format!("staff-event-{}", standing.as_str())),
        attempts: tr.t1(
            "staff-event-attempts",
            "count",
            u64::from(
                queued
                    .destinations
                    .iter()
                    .map(|d| d.attempts)
                    .max()
                    .unwrap_or(0),
            ),
        ),
        last_error,
    }
}

/// The office's section: `None` without an event destination (nothing is kept, nothing
/// is read); failed events first, then pending ones.
pub async fn section(state: &AppState, tr: Tr) -> Option<Vec<EventRow>> {
    let services = &state.services;
    if services.destinations.is_empty() {
        return None;
    }
    // Both lists at once; failed first.
    let (failed, pending) = futures::join!(
        events::list(services, Standing::Failed, SHOWN, None),
        events::list(services, Standing::Pending, SHOWN, None),
    );
    let mut rows = Vec::new();
    for listed in [failed, pending] {
        match listed {
            Ok((found, _)) => rows.extend(found.iter().map(|q| row(q, tr))),
            Err(e) => tracing::warn!(error = %e, "undelivered events not read for the office"),
        }
    }
    Some(rows)
}

/// `POST /api/Staff/events/{id}/redeliver`: tries it again now, then the office.
pub async fn redeliver(
    id: String,
    staff: Staff,
    posted: Posted<NoFields>,
) -> Result<Response, Response> {
    let (visit, session, locale) = (&staff.visit, &staff.session, staff.locale);
    let state = &visit.state;
    super::checked(visit, session, posted, locale)?;
    let not_found = || message_page(state, &StaffMessage::EventNotFound, locale, &[]);
    let id = EventId::parse(&id).map_err(|_| not_found())?;
    match events::redeliver(&state.services, &id).await {
        Ok(events::Redelivery::Tried(_)) => {}
        Ok(events::Redelivery::Unknown) => return Err(not_found()),
        Err(e) => {
            tracing::warn!(event = %id, error = %e, "redelivery from the office failed");
            let e = crate::service::InvitationError::from(e);
            return Err(crate::http::failure::into_page::<StaffMessage>(
                state, e, locale,
            ));
        }
    }
    let to = Page::Office.with("lang", locale.as_str()).href();
    Ok(redirect(
        StatusCode::SEE_OTHER,
        &format!("{to}#events"),
        &[],
    ))
}
