//! `RetryDeliveries`, the timer-triggered function. The Functions host calls it as
//! `POST /RetryDeliveries` with `{"Data": {...}, "Metadata": {...}}` and expects
//! `{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}`.

use super::AppState;
use super::problem::Problem;
use crate::service::delivery;
use serde_json::json;
use warp::Reply as _;
use warp::reply::Response;

pub async fn retry_deliveries(
    state: AppState,
    body: Result<bytes::Bytes, Problem>,
) -> Result<Response, Problem> {
    let body = body?;
    // The invoke payload carries the timer's schedule status; nothing in it changes the work.
    if !body.is_empty() && serde_json::from_slice::<serde_json::Value>(&body).is_err() {
        return Err(Problem::bad_request(
            "malformed-json",
            "The invoke payload is not JSON.",
        ));
    }
    let report = delivery::retry_due(&state.services).await?;
    let line = format!(
        "RetryDeliveries: {} sent, {} queued again, {} failed, {} abandoned, {} not due yet",
        report.sent, report.requeued, report.failed, report.abandoned, report.waiting
    );
    tracing::info!("{line}");
    Ok(warp::reply::json(&json!({
        "Outputs": {},
        "Logs": [line],
        "ReturnValue": report,
    }))
    .into_response())
}
