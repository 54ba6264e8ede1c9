//! The timer-triggered functions, `RetryDeliveries`, `PurgeEnded` and `SendReminders`. The Functions host
//! calls each as `POST /{FunctionName}` with `{"Data": {...}, "Metadata": {...}}` and
//! expects `{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}`.

use crate::http::AppState;
use crate::http::problem::Problem;
use crate::service::{delivery, events, privacy, reminders};
use serde::Serialize;
use serde_json::json;
use warp::Reply as _;
use warp::reply::Response;

/// The invoke payload carries the timer's schedule status; nothing in it changes the
/// work, but it must be JSON.
fn check_payload(body: Result<bytes::Bytes, Problem>) -> Result<(), Problem> {
    let body = body?;
    if !body.is_empty() && serde_json::from_slice::<serde_json::Value>(&body).is_err() {
        return Err(Problem::bad_request(
            "malformed-json",
            "problem-invoke-payload",
        ));
    }
    Ok(())
}

/// The host's answer: one log line, the report as the return value.
fn answer(line: String, report: &impl Serialize) -> Response {
    tracing::info!("{line}");
    warp::reply::json(&json!({
        "Outputs": {},
        "Logs": [line],
        "ReturnValue": report,
    }))
    .into_response()
}

pub async fn retry_deliveries(
    state: AppState,
    body: Result<bytes::Bytes, Problem>,
) -> Result<Response, Problem> {
    check_payload(body)?;
    let report = delivery::retry_due(&state.services).await?;
    let line = format!(
        "RetryDeliveries: {} sent, {} queued again, {} failed, {} abandoned, {} not due yet",
        report.sent, report.requeued, report.failed, report.abandoned, report.waiting
    );
    Ok(answer(line, &report))
}

/// Events due for an attempt, every minute; delivered ones past 7 days purged.
pub async fn deliver_events(
    state: AppState,
    body: Result<bytes::Bytes, Problem>,
) -> Result<Response, Problem> {
    check_payload(body)?;
    let report = events::deliver_due(&state.services)
        .await
        .map_err(crate::service::InvitationError::from)?;
    let line = format!(
        "DeliverEvents: {} delivered, {} to retry, {} failed, {} dropped (change never stored), {} purged, {} expiries told",
        report.delivered,
        report.retrying,
        report.failed,
        report.dropped,
        report.purged,
        report.expired
    );
    Ok(answer(line, &report))
}

/// The retention rule, daily: ended invitations past `RETENTION_DAYS` and finished
/// counters are erased.
pub async fn purge_ended(
    state: AppState,
    body: Result<bytes::Bytes, Problem>,
) -> Result<Response, Problem> {
    check_payload(body)?;
    let report = privacy::purge_ended(&state.services).await?;
    Ok(answer(purge_line(&report), &report))
}

/// What a purge did, in words (also what `handler purge-ended` prints).
pub fn purge_line(report: &privacy::PurgeReport) -> String {
    format!(
        "PurgeEnded: {} ended invitations erased, {} finished counters removed",
        report.invitations, report.counters
    )
}

/// The reminders, daily: one for each pending invitation nobody opened
/// `REMINDER_AFTER_DAYS` after its email was sent.
pub async fn send_reminders(
    state: AppState,
    body: Result<bytes::Bytes, Problem>,
) -> Result<Response, Problem> {
    check_payload(body)?;
    let report = reminders::send_due(&state.services).await?;
    Ok(answer(reminders_line(&report), &report))
}

/// What a run of the reminders did, in words (also what `handler send-reminders` prints).
pub fn reminders_line(report: &reminders::ReminderReport) -> String {
    format!(
        "SendReminders: {} sent, {} over the address's daily limit, {} not sent",
        report.sent, report.limited, report.failed
    )
}
