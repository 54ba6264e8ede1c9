//! The staff API for companies: `GET /api/companies` (newest first, paged) and
//! `GET /api/companies/{companyId}` (its members and pending colleague invitations).

use super::invitations::{InvitationView, timestamp};
use crate::domain::account::{Company, CompanyId, CompanySummary};
use crate::domain::invitation::{Invitation, ListFilter};
use crate::domain::membership::Roster;
use crate::domain::{FieldError, FieldErrors};
use crate::http::AppState;
use crate::http::problem::Problem;
use crate::service::members;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use time::OffsetDateTime;
use warp::Reply as _;
use warp::reply::Response;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CompanyItem {
    id: String,
    name: String,
    vat_number: String,
    country: String,
    created_at: String,
}

impl From<&CompanySummary> for CompanyItem {
    fn from(c: &CompanySummary) -> Self {
        Self {
            id: c.id.as_str().to_owned(),
            name: c.name.clone(),
            vat_number: c.vat_number.as_str().to_owned(),
            country: c.country.to_string(),
            created_at: timestamp(c.created_at),
        }
    }
}

impl From<&Company> for CompanyItem {
    fn from(c: &Company) -> Self {
        Self {
            id: c.id.as_str().to_owned(),
            name: c.details.name.clone(),
            vat_number: c.details.vat_number.as_str().to_owned(),
            country: c.details.country.to_string(),
            created_at: timestamp(c.created_at),
        }
    }
}

pub async fn list(state: AppState, query: String) -> Result<Response, Problem> {
    let (top, after) = parse_list_query(&query).map_err(Problem::validation)?;
    let (companies, next) = members::companies(&state.services, top, after.as_ref()).await?;
    #[derive(Serialize)]
    struct Item {
        #[serde(flatten)]
        company: CompanyItem,
        members: usize,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ListView {
        items: Vec<Item>,
        continuation_token: Option<String>,
    }
    let view = ListView {
        items: companies
            .iter()
            .map(|company| Item {
                company: company.into(),
                members: company.members,
            })
            .collect(),
        continuation_token: next.map(|id| URL_SAFE_NO_PAD.encode(id.as_str())),
    };
    Ok(warp::reply::json(&view).into_response())
}

fn parse_list_query(query: &str) -> Result<(u32, Option<CompanyId>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut top = ListFilter::DEFAULT_TOP;
    let mut after = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "top" => match ListFilter::top(&value) {
                Ok(n) => top = n,
                Err(e) => errors.add("top", e),
            },
            "continuationToken" => {
                match URL_SAFE_NO_PAD
                    .decode(value.as_bytes())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| CompanyId::parse(&s))
                {
                    Some(id) => after = Some(id),
                    None => errors.add("continuationToken", FieldError::ContinuationToken),
                }
            }
            _ => {}
        }
    }
    errors.into_result((top, after))
}

pub async fn get(state: AppState, id: String) -> Result<Response, Problem> {
    let id = CompanyId::parse(&id).ok_or_else(|| Problem::not_found("problem-no-company"))?;
    let view = members::company_view(&state.services, &id).await?;
    let detail = CompanyDetail::new(&view.company, &view.roster, &view.pending, view.now);
    Ok(warp::reply::json(&detail).into_response())
}

#[derive(Serialize)]
struct MemberItem {
    email: String,
    name: Option<String>,
    role: &'static str,
    since: String,
}

/// A company as `GET /api/companies/{companyId}` returns it (and `company.created` holds).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyDetail {
    #[serde(flatten)]
    company: CompanyItem,
    street: String,
    postal_code: String,
    city: String,
    require_second_factor: bool,
    members: Vec<MemberItem>,
    pending_invitations: Vec<InvitationView>,
}

impl CompanyDetail {
    pub fn new(
        company: &Company,
        roster: &Roster,
        pending: &[Invitation],
        now: OffsetDateTime,
    ) -> Self {
        Self {
            company: company.into(),
            street: company.details.street.clone(),
            postal_code: company.details.postal_code.as_str().to_owned(),
            city: company.details.city.clone(),
            require_second_factor: company.require_second_factor,
            members: roster
                .members
                .iter()
                .map(|m| MemberItem {
                    email: m.email.to_string(),
                    name: m.name.clone(),
                    role: m.role.as_str(),
                    since: timestamp(m.since),
                })
                .collect(),
            pending_invitations: pending
                .iter()
                .map(|i| InvitationView::new(i, now))
                .collect(),
        }
    }
}
