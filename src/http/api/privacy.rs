//! The personal-data calls of the staff API, for a token with `STAFF_PRIVACY_ROLE`:
//! `POST /api/privacy/erase` and `GET /api/privacy/export?email=…`.

use super::invitations::{InvitationView, timestamp};
use crate::domain::email::EmailAddress;
use crate::domain::{FieldError, FieldErrors};
use crate::http::problem::Problem;
use crate::http::{AppState, body};
use crate::identity::staff::StaffMember;
use crate::service::privacy::{self, Requester};
use serde::Serialize;
use serde_json::{Map, Value, json};
use warp::Reply as _;
use warp::reply::Response;

/// The `email` field, required and valid.
fn email_field(value: Option<&Value>) -> Result<EmailAddress, Problem> {
    let mut errors = FieldErrors::default();
    match value {
        None | Some(Value::Null) => errors.add("email", FieldError::Required),
        Some(Value::String(text)) => match EmailAddress::parse(text) {
            Ok(email) => return Ok(email),
            Err(e) => errors.add("email", e.into()),
        },
        Some(_) => errors.add("email", FieldError::NotText),
    }
    Err(Problem::validation(errors))
}

pub async fn erase(
    state: AppState,
    staff: StaffMember,
    content_type: Option<String>,
    raw_body: bytes::Bytes,
) -> Result<Response, Problem> {
    let object = body::json_object(content_type.as_deref(), &raw_body)?;
    let email = email_field(object.get("email"))?;
    let erased = privacy::erase(&state.services, &email, &Requester::Staff(staff)).await?;
    let companies: Vec<&str> = erased
        .companies_without_administrator
        .iter()
        .map(|c| c.as_str())
        .collect();
    Ok(warp::reply::json(&json!({
        "erased": {
            "invitations": erased.invitations,
            "accounts": erased.accounts,
            "memberships": erased.memberships,
        },
        "companiesWithoutAdministrator": companies,
    }))
    .into_response())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportView {
    email: String,
    invitations: Vec<InvitationView>,
    account: Option<Value>,
    logins: Vec<Value>,
    mfa: Value,
    /// Names and dates only: a passkey's public key and counter are not personal data
    /// the person could use, and stay out.
    passkeys: Vec<Value>,
    memberships: Vec<Value>,
    membership_history: Vec<Value>,
    /// The colleague invitations the person sent: what names them, not the invitee's data.
    invitations_sent: Vec<Value>,
}

pub async fn export(
    state: AppState,
    staff: StaffMember,
    query: String,
) -> Result<Response, Problem> {
    let fields: Map<String, Value> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == "email")
        .map(|(key, value)| (key.into_owned(), Value::String(value.into_owned())))
        .collect();
    let email = email_field(fields.get("email"))?;
    let found = privacy::export(&state.services, &email, &staff).await?;
    let view = ExportView::new(&email, &found);
    Ok(warp::reply::json(&view).into_response())
}

impl ExportView {
    /// What an export found, as the API shows it.
    fn new(email: &EmailAddress, found: &privacy::Export) -> Self {
        Self {
            email: email.to_string(),
            invitations: found
                .invitations
                .iter()
                .map(|i| InvitationView::with_history(i, found.now))
                .collect(),
            account: found.profile.as_ref().map(|p| {
                json!({"id": p.id.as_str(), "email": p.email.to_string(), "createdAt": timestamp(p.created_at)})
            }),
            logins: found
                .logins
                .iter()
                .map(|l| json!({"provider": l.provider.stored(), "linkedAt": timestamp(l.linked_at)}))
                .collect(),
            mfa: json!({
                "enabled": found.mfa.as_ref().is_some_and(|m| m.enabled_at.is_some()),
                "since": found.mfa.as_ref().and_then(|m| m.enabled_at).map(timestamp),
            }),
            passkeys: found
                .passkeys
                .iter()
                .map(|k| {
                    json!({
                        "name": k.name,
                        "addedAt": timestamp(k.added_at),
                        "lastUsedAt": k.last_used_at.map(timestamp),
                    })
                })
                .collect(),
            memberships: found
                .memberships
                .iter()
                .map(|m| {
                    json!({
                        "companyId": m.company_id.as_str(),
                        "role": m.role.as_str(),
                        "since": m.since.map(timestamp),
                    })
                })
                .collect(),
            membership_history: found
                .member_history
                .iter()
                .map(|(company, h)| {
                    json!({
                        "companyId": company.as_str(),
                        "at": timestamp(h.at),
                        "event": h.event.as_str(),
                        "actor": h.actor,
                        "subject": h.subject,
                        "role": h.role.map(|r| r.as_str()),
                    })
                })
                .collect(),
            invitations_sent: found
                .invitations_sent
                .iter()
                .map(|i| {
                    json!({
                        "id": i.id.as_str(),
                        "companyId": i.company_id,
                        "role": i.member_role.map(|r| r.as_str()),
                        "createdAt": timestamp(i.created_at),
                        "status": i.status_at(found.now).as_str(),
                    })
                })
                .collect(),
        }
    }
}
