//! `GET /api/invitations/stats`: the sales figures of a period (the days it touches,
//! UTC), for one inviter or everyone.

use super::invitations::timestamp;
use crate::domain::email::EmailAddress;
use crate::domain::{FieldError, FieldErrors};
use crate::http::AppState;
use crate::http::problem::Problem;
use crate::service::stats;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use warp::Reply as _;
use warp::reply::Response;

/// What the query asks for: `from`, `to` (RFC 3339) and `invitedBy` (an email).
#[derive(Default)]
struct Asked {
    from: Option<OffsetDateTime>,
    to: Option<OffsetDateTime>,
    invited_by: Option<EmailAddress>,
}

fn parse(query: &str) -> Result<Asked, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut asked = Asked::default();
    let time = |value: &str| OffsetDateTime::parse(value, &Rfc3339).ok();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "from" => match time(&value) {
                Some(at) => asked.from = Some(at),
                None => errors.add("from", FieldError::Timestamp),
            },
            "to" => match time(&value) {
                Some(at) => asked.to = Some(at),
                None => errors.add("to", FieldError::Timestamp),
            },
            "invitedBy" => match EmailAddress::parse(&value) {
                Ok(email) => asked.invited_by = Some(email),
                Err(e) => errors.add("invitedBy", e.into()),
            },
            _ => {}
        }
    }
    errors.into_result(asked)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatsView {
    from: String,
    to: String,
    sent: u32,
    opened: u32,
    accepted: u32,
    completed: u32,
    revoked: u32,
    expired: u32,
    median_hours_to_complete: Option<f64>,
}

pub async fn get(state: AppState, query: String) -> Result<Response, Problem> {
    let asked = parse(&query).map_err(Problem::validation)?;
    let field = if asked.from.is_some() { "from" } else { "to" };
    let (period, now) = stats::period(&state.services, asked.from, asked.to)
        .map_err(|e| Problem::validation(FieldErrors::one(field, e)))?;
    let figures = stats::figures(&state.services, period, asked.invited_by.as_ref(), now).await?;
    let view = StatsView {
        from: timestamp(period.starts()),
        to: timestamp(period.ends()),
        sent: figures.sent,
        opened: figures.opened,
        accepted: figures.accepted,
        completed: figures.completed,
        revoked: figures.revoked,
        expired: figures.expired,
        median_hours_to_complete: figures.median_hours_to_complete(),
    };
    Ok(warp::reply::json(&view).into_response())
}
