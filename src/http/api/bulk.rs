//! `POST /api/invitations/bulk`: up to 500 invitations at once, as a JSON array of create
//! bodies or a CSV file whose header row names the create body's fields (`company.name`
//! style for company fields). One result per row, in input order; no row's failure stops
//! the others; the same limits as single invitations.

use crate::domain::invitation::{Inviter, NewInvitation};
use crate::domain::locale::Locale;
use crate::domain::{FieldError, FieldErrors};
use crate::http::AppState;
use crate::http::explain;
use crate::http::input::parse_create;
use crate::http::problem::{Detail, Problem};
use crate::i18n::{Arg, Tr};
use crate::identity::staff::StaffMember;
use crate::service::members::{self, MemberError};
use crate::service::{InvitationError, Services, limits};
use futures::StreamExt as _;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use time::OffsetDateTime;
use warp::Reply as _;
use warp::http::StatusCode;
use warp::reply::Response;

pub const MAX_ROWS: usize = 500;
/// 500 rows with full company data fit well within this.
pub const MAX_BODY: usize = 1024 * 1024;
/// Rows created at once.
const CONCURRENCY: usize = 4;

#[derive(Serialize)]
struct RowResult {
    row: usize,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<std::collections::BTreeMap<String, String>>,
}

impl RowResult {
    fn new(row: usize, status: &'static str) -> Self {
        Self {
            row,
            status,
            id: None,
            errors: None,
        }
    }

    /// A row refused for `errors`, said in the reader's language.
    fn refused(row: usize, status: &'static str, tr: Tr, errors: &FieldErrors) -> Self {
        Self {
            errors: Some(explain::fields(tr, errors)),
            ..Self::new(row, status)
        }
    }
}

pub async fn bulk(
    state: AppState,
    staff: StaffMember,
    content_type: Option<String>,
    accept_language: Option<String>,
    raw: bytes::Bytes,
) -> Result<Response, Problem> {
    let tr = Tr::new(Locale::negotiate(accept_language.as_deref()));
    let rows = parse_rows(content_type.as_deref(), &raw)?;
    count_rows(rows.len())?;
    let parsed: Vec<_> = rows
        .into_iter()
        .map(|row| row.and_then(|object| parse_create(&object)))
        .collect();
    let earlier = earlier_rows(&parsed);
    let valid = parsed
        .iter()
        .zip(&earlier)
        .filter(|(row, earlier)| row.is_ok() && earlier.is_none())
        .count() as u32;
    let now = state.services.clock.now();
    count_sends(&state.services, &staff, valid, now).await?;
    let inviter: Inviter = staff.into();
    let services = &state.services;
    let mut results: Vec<RowResult> =
        futures::stream::iter(parsed.into_iter().zip(earlier.iter().copied()).enumerate())
            .map(|(index, (row, earlier))| {
                let row = match row {
                    Ok(_) if earlier.is_some() => Err(RowResult::new(index + 1, "duplicate")),
                    Ok(new) => Ok(new),
                    Err(errors) => Err(RowResult::refused(index + 1, "invalid", tr, &errors)),
                };
                let inviter = inviter.clone();
                async move {
                    match row {
                        Ok(new) => create_row(services, index + 1, new, inviter, now, tr).await,
                        Err(result) => result,
                    }
                }
            })
            .buffered(CONCURRENCY)
            .collect()
            .await;
    for (index, earlier) in earlier.iter().enumerate() {
        if let Some(first) = earlier {
            results[index].id = results[*first].id.clone();
        }
    }
    Ok(warp::reply::json(&serde_json::json!({ "results": results })).into_response())
}

/// A bulk of `rows` rows: at most [`MAX_ROWS`], and at least one.
fn count_rows(rows: usize) -> Result<(), Problem> {
    if rows > MAX_ROWS {
        let args = vec![("max", Arg::from(MAX_ROWS)), ("rows", Arg::from(rows))];
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-many-rows",
            "Too many rows",
            Detail::with("problem-too-many-rows", args),
        ));
    }
    if rows == 0 {
        return Err(Problem::bad_request("no-rows", "problem-no-rows"));
    }
    Ok(())
}

/// The `valid` rows' sends, counted in one write on the staff member's hourly counter; all
/// of them or, past the limit, none.
async fn count_sends(
    services: &Services,
    staff: &StaffMember,
    valid: u32,
    now: time::OffsetDateTime,
) -> Result<(), Problem> {
    let counter = limits::staff_counter(services, &staff.email, now).await?;
    let remaining = counter.remaining();
    if valid > remaining {
        return Err(Problem::from(InvitationError::Limited {
            retry_after: counter.retry_after(),
            limit: crate::service::Limit::StaffBulk {
                rows: valid,
                remaining,
            },
        }));
    }
    limits::staff_sends_counted(services, counter, valid).await?;
    Ok(())
}

/// For each row, the earlier row that invites the same email, if any: that row's
/// duplicate. Decided here, so the first row wins whatever order the rows are stored in.
fn earlier_rows(parsed: &[Result<NewInvitation, FieldErrors>]) -> Vec<Option<usize>> {
    let mut first_row: HashMap<String, usize> = HashMap::new();
    parsed
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let email = row.as_ref().ok()?.email.normalized();
            match first_row.get(&email) {
                Some(first) => Some(*first),
                None => {
                    first_row.insert(email, index);
                    None
                }
            }
        })
        .collect()
}

/// Creates the invitation of row `number` (already counted) and says how it went.
async fn create_row(
    services: &Services,
    number: usize,
    new: NewInvitation,
    inviter: Inviter,
    now: OffsetDateTime,
    tr: Tr,
) -> RowResult {
    let error = match members::invite_counted(services, new, inviter, now).await {
        Ok(created) => {
            return RowResult {
                id: Some(created.invitation.id.to_string()),
                ..RowResult::new(number, "created")
            };
        }
        Err(MemberError::Invitation(e)) => e,
        Err(MemberError::AlreadyMember(_)) => {
            let errors = FieldErrors::one("email", FieldError::AlreadyMember);
            return RowResult::refused(number, "invalid", tr, &errors);
        }
        Err(_) => {
            let errors = FieldErrors::one("companyId", FieldError::UnknownCompany);
            return RowResult::refused(number, "invalid", tr, &errors);
        }
    };
    match error {
        InvitationError::Duplicate(id) => RowResult {
            id: Some(id.to_string()),
            ..RowResult::new(number, "duplicate")
        },
        InvitationError::Limited { limit, .. } => RowResult {
            errors: Some([("email".to_owned(), explain::limit(tr, &limit))].into()),
            ..RowResult::new(number, "limited")
        },
        e => {
            tracing::warn!(row = number, error = %e, "bulk row failed");
            let errors = FieldErrors::one("row", FieldError::NotStored);
            RowResult::refused(number, "failed", tr, &errors)
        }
    }
}

pub type Row = Result<Map<String, Value>, FieldErrors>;

pub fn parse_rows(content_type: Option<&str>, raw: &[u8]) -> Result<Vec<Row>, Problem> {
    let essence = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match essence.as_str() {
        "application/json" => {
            let value: Value =
                serde_json::from_slice(raw).map_err(|e| crate::http::body::malformed(&e))?;
            let Value::Array(items) = value else {
                return Err(Problem::bad_request(
                    "malformed-json",
                    "problem-not-an-array",
                ));
            };
            Ok(items
                .into_iter()
                .map(|item| match item {
                    Value::Object(object) => Ok(object),
                    _ => Err(FieldErrors::one("row", FieldError::NotAnObject)),
                })
                .collect())
        }
        "text/csv" => parse_csv(raw),
        _ => Err(Problem::bad_request(
            "unsupported-content-type",
            "problem-bulk-content-type",
        )),
    }
}

/// The columns a bulk CSV may have (the list's CSV export starts with them).
pub const CSV_FIELDS: [&str; 12] = [
    "email",
    "companyId",
    "role",
    "displayName",
    "locale",
    "expiresInDays",
    "company.name",
    "company.vatNumber",
    "company.street",
    "company.postalCode",
    "company.city",
    "company.country",
];

/// Each CSV row becomes the JSON object a create body would be.
fn parse_csv(raw: &[u8]) -> Result<Vec<Row>, Problem> {
    let raw = raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw); // a spreadsheet's BOM
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(raw);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| Problem::bad_request("malformed-csv", "problem-csv-header"))?
        .iter()
        .map(str::to_owned)
        .collect();
    if let Some(unknown) = headers.iter().find(|h| !CSV_FIELDS.contains(&h.as_str())) {
        return Err(Problem::bad_request(
            "malformed-csv",
            Detail::with(
                "problem-csv-unknown-column",
                vec![
                    ("column", Arg::from(unknown)),
                    ("columns", Arg::from(CSV_FIELDS.join(", "))),
                ],
            ),
        ));
    }
    if !headers.iter().any(|h| h == "email") {
        return Err(Problem::bad_request(
            "malformed-csv",
            "problem-csv-no-email",
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let Ok(record) = record else {
            rows.push(Err(FieldErrors::one("row", FieldError::NotCsv)));
            continue;
        };
        let mut object = Map::new();
        let mut company = Map::new();
        for (header, cell) in headers.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            let value = match header.as_str() {
                "expiresInDays" => cell
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(cell)),
                _ => Value::from(cell),
            };
            match header.strip_prefix("company.") {
                Some(field) => {
                    company.insert(field.to_owned(), value);
                }
                None => {
                    object.insert(header.clone(), value);
                }
            }
        }
        if !company.is_empty() {
            object.insert("company".into(), Value::Object(company));
        }
        rows.push(Ok(object));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_become_create_bodies() {
        let csv = "email,displayName,expiresInDays,company.name,company.country\nwilly@example.com,Willy,10,URS SA,BE\nnobody@example.com,,x,,\n";
        let rows = parse_csv(csv.as_bytes()).unwrap();
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first["expiresInDays"], 10);
        assert_eq!(first["company"]["name"], "URS SA");
        let second = rows[1].as_ref().unwrap();
        assert_eq!(second["expiresInDays"], "x");
        assert!(second.get("company").is_none() && second.get("displayName").is_none());
    }

    #[test]
    fn unknown_columns_are_refused() {
        assert!(parse_csv(b"email,phone\na@b.example,123\n").is_err());
        assert!(parse_csv(b"displayName\nWilly\n").is_err());
    }
}
