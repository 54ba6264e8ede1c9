//! `POST /api/TokenIssuanceStart`: the REST API of a custom authentication extension
//! for Entra External ID's `OnTokenIssuanceStart` event (Microsoft's "custom claims
//! provider reference"). Entra sends the person (`data.tenantId`,
//! `data.authenticationContext.user.id`) and puts the claims answered into the token it
//! issues to the product: `accountId`, `companyIds`, `companyRoles`
//! (`{companyId}:{role}`). A person without an account gets `""` and empty lists, never
//! an error (an error blocks their sign-in). The caller is checked by the route's guard
//! (`identity/events_caller.rs`).

use crate::domain::account::{AccountId, Membership};
use crate::domain::ids::ObjectId;
use crate::http::AppState;
use crate::http::body;
use crate::http::problem::Problem;
use crate::service::claims;
use serde_json::{Map, Value, json};
use warp::Reply as _;
use warp::reply::Response;

/// The event this API answers.
const EVENT_TYPE: &str = "microsoft.graph.authenticationEvent.tokenIssuanceStart";

pub async fn token_issuance_start(
    state: AppState,
    content_type: Option<String>,
    raw_body: bytes::Bytes,
) -> Result<Response, Problem> {
    let request = body::json_object(content_type.as_deref(), &raw_body)?;
    let person = person_of(&request).ok_or_else(|| {
        Problem::bad_request(
            "not-token-issuance-start",
            "problem-not-token-issuance-start",
        )
    })?;
    let found = claims::of_person(&state.services, &person).await?;
    Ok(warp::reply::json(&answer(found.as_ref())).into_response())
}

/// The person a `tokenIssuanceStart` request names: its tenant and user object id.
fn person_of(request: &Map<String, Value>) -> Option<ObjectId> {
    if request.get("type").and_then(Value::as_str) != Some(EVENT_TYPE) {
        return None;
    }
    let data = request.get("data")?;
    let tenant = data.get("tenantId")?.as_str()?;
    let user = data.pointer("/authenticationContext/user/id")?.as_str()?;
    ObjectId::new(tenant, user)
}

/// Entra's answer: one `provideClaimsForToken` action with the claims.
fn answer(found: Option<&(AccountId, Vec<Membership>)>) -> Value {
    let (account, memberships) = match found {
        Some((account, memberships)) => (account.as_str(), memberships.as_slice()),
        None => ("", &[][..]),
    };
    let ids: Vec<&str> = memberships.iter().map(|m| m.company_id.as_str()).collect();
    let roles: Vec<String> = memberships
        .iter()
        .map(|m| format!("{}:{}", m.company_id.as_str(), m.role.as_str()))
        .collect();
    json!({
        "data": {
            "@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData",
            "actions": [{
                "@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken",
                "claims": {
                    "accountId": account,
                    "companyIds": ids,
                    "companyRoles": roles,
                }
            }]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_names_the_person_by_tenant_and_object_id_only() {
        let request = |value: Value| value.as_object().cloned().unwrap();
        let good = json!({
            "type": EVENT_TYPE,
            "data": {"tenantId": "T", "authenticationContext": {"user": {"id": "O", "mail": "a@b.example"}}}
        });
        assert_eq!(person_of(&request(good)), ObjectId::new("t", "o"));
        for bad in [
            json!({"type": "other", "data": {"tenantId": "t", "authenticationContext": {"user": {"id": "o"}}}}),
            json!({"type": EVENT_TYPE, "data": {"authenticationContext": {"user": {"id": "o"}}}}),
            json!({"type": EVENT_TYPE, "data": {"tenantId": "t", "authenticationContext": {"user": {"mail": "a@b.example"}}}}),
        ] {
            assert_eq!(person_of(&request(bad.clone())), None, "{bad}");
        }
    }

    #[test]
    fn a_person_without_an_account_gets_empty_claims() {
        let claims = &answer(None)["data"]["actions"][0]["claims"];
        assert_eq!(
            claims,
            &json!({"accountId": "", "companyIds": [], "companyRoles": []})
        );
    }
}
