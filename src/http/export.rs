//! The invitation list as CSV (`GET /api/invitations?format=csv` or `Accept: text/csv`,
//! and the back office's link to it): every page of the filtered list, streamed page by
//! page (one page in memory at a time), RFC 4180 (quoted where needed, CRLF), UTF-8
//! with a byte order mark (so a spreadsheet reads it as UTF-8), and no cell that a
//! spreadsheet would run as a formula.

use super::api::bulk::CSV_FIELDS;
use crate::domain::invitation::{Invitation, ListFilter};
use crate::service::{InvitationError, Services, invitations};
use bytes::Bytes;
use std::pin::Pin;
use std::task::{Context, Poll};
use time::OffsetDateTime;
use warp::Reply as _;
use warp::reply::Response;

/// What the service adds after the bulk CSV's columns ([`CSV_FIELDS`]).
const ADDED: [&str; 5] = ["id", "kind", "status", "createdAt", "expiresAt"];

/// Whether a list request asks for CSV: `format=csv`, or `Accept` naming `text/csv`.
pub fn wanted(query: &str, accept: Option<&str>) -> bool {
    let by_query = url::form_urlencoded::parse(query.as_bytes())
        .any(|(key, value)| key == "format" && value == "csv");
    by_query || accept.is_some_and(|a| a.to_ascii_lowercase().contains("text/csv"))
}

/// The CSV answer: the first page is read before answering (a failure there is the
/// caller's problem answer); the next pages follow as the client reads. A failure after
/// the first page ends the body short (the client sees an incomplete transfer).
pub async fn answer(
    services: &Services,
    mut filter: ListFilter,
) -> Result<Response, InvitationError> {
    filter.top = ListFilter::MAX_TOP;
    let (first, now) = invitations::list(services, &filter).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    let mut text = String::from("\u{feff}");
    text.push_str(&line(
        CSV_FIELDS.iter().chain(&ADDED).map(|c| (*c).to_owned()),
    ));
    text.push_str(&lines(&first.items, now));
    let _ = sender.try_send(Ok(Bytes::from(text)));
    if let Some(next) = first.next {
        let services = services.clone();
        filter.after = Some(next);
        tokio::spawn(async move {
            loop {
                let page = match invitations::list(&services, &filter).await {
                    Ok((page, _)) => page,
                    Err(e) => {
                        tracing::warn!(error = %e, "CSV export cut short");
                        let _ = sender.send(Err(std::io::Error::other("storage"))).await;
                        return;
                    }
                };
                let chunk = Bytes::from(lines(&page.items, now));
                if sender.send(Ok(chunk)).await.is_err() {
                    return; // the client went away
                }
                match page.next {
                    Some(next) => filter.after = Some(next),
                    None => return,
                }
            }
        });
    }
    let mut response = warp::reply::stream(Chunks(receiver)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        warp::http::header::CONTENT_TYPE,
        warp::http::HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        warp::http::header::CONTENT_DISPOSITION,
        warp::http::HeaderValue::from_static("attachment; filename=\"invitations.csv\""),
    );
    Ok(response)
}

/// The chunks of the body as the paging task hands them over.
struct Chunks(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

fn lines(items: &[Invitation], now: OffsetDateTime) -> String {
    items.iter().map(|i| line(cells(i, now))).collect()
}

fn cells(invitation: &Invitation, now: OffsetDateTime) -> impl Iterator<Item = String> {
    let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
    let company = &invitation.company;
    [
        invitation.email.to_string(),
        text(invitation.company_id.as_deref()),
        text(invitation.member_role.map(|r| r.as_str())),
        text(invitation.display_name.as_ref().map(|n| n.as_str())),
        invitation.locale.as_str().to_owned(),
        invitation.expires_in.days().to_string(),
        text(company.name.as_deref()),
        text(company.vat_number.as_ref().map(|v| v.as_str())),
        text(company.street.as_deref()),
        text(company.postal_code.as_ref().map(|p| p.as_str())),
        text(company.city.as_deref()),
        company.country.map(|c| c.to_string()).unwrap_or_default(),
        invitation.id.to_string(),
        invitation.kind().as_str().to_owned(),
        invitation.status_at(now).as_str().to_owned(),
        at(invitation.created_at),
        at(invitation.expires_at),
    ]
    .into_iter()
}

/// A time as the API writes it: `2026-11-22T10:00:00Z` (UTC, whole seconds).
fn at(time: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time.to_offset(time::UtcOffset::UTC)
        .format(format)
        .unwrap_or_default()
}

/// One record, CRLF-terminated.
fn line(cells: impl Iterator<Item = String>) -> String {
    let mut line = cells
        .map(|c| quoted(&guarded(&c)))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, a tab or a carriage
/// return first) gets a leading `'`, which spreadsheets show as text.
fn guarded(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// RFC 4180: a cell holding a comma, a quote or a line break is quoted, quotes doubled.
fn quoted(cell: &str) -> String {
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_as_rfc_4180_says_and_formulas_are_defused() {
        let cells = [
            "URS, SA",
            "say \"hi\"",
            "Zürich 東京",
            "=1+2",
            "-3",
            "@SUM(A1)",
            "+x",
            "a\nb",
        ];
        assert_eq!(
            line(cells.iter().map(|c| (*c).to_owned())),
            "\"URS, SA\",\"say \"\"hi\"\"\",Zürich 東京,'=1+2,'-3,'@SUM(A1),'+x,\"a\nb\"\r\n"
        );
    }

    #[test]
    fn csv_is_asked_by_the_query_or_the_accept_header() {
        assert!(wanted("status=pending&format=csv", None));
        assert!(wanted("", Some("text/csv, */*")));
        assert!(!wanted("format=json", Some("application/json")));
    }
}
