//! The custom claims provider (issue #26): `POST /api/TokenIssuanceStart` as Entra
//! External ID calls it, against the real handler and tables. Customers sign in through
//! the in-test provider (standing in for the customer tenant: id_tokens with `tid` and
//! `oid`, a `sub` of its own), and the events service's token is a real RS256 JWT signed
//! by a key of the same provider's JWKS.

use crate::capacity::check;
use crate::support::browser::create_company;
use crate::support::tokens::{ATTACKER, Key, SIGNING, sign};
use crate::support::{Overrides, TestApp, unique, unique_email};
use invitations::domain::account::{AccountId, CompanyId, Role};
use invitations::service::members;
use serde_json::{Value, json};
use time::OffsetDateTime;

const AUDIENCE: &str = "api://claims-provider-test";
const TENANT: &str = "3c1e7a52-6b8d-4f0e-9a41-5d2c8e0f1a7b";
const EVENTS_SERVICE: &str = "99045fe1-7639-4a75-9d4a-577b6ca3810f";

fn claims_on() -> Overrides {
    vec![("CLAIMS_AUDIENCE", Some(AUDIENCE.to_owned()))]
}

/// A new object id (a GUID, as Entra's).
fn object_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The events service's access token (Entra v2.0), changed by `change`.
fn caller_token(app: &TestApp, key: &Key, change: impl FnOnce(&mut Value)) -> String {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = json!({
        "iss": app.idp.issuer, "aud": AUDIENCE, "azp": EVENTS_SERVICE, "ver": "2.0",
        "sub": "events-service-sp", "iat": now, "nbf": now - 5, "exp": now + 600,
        "tid": TENANT, "idtyp": "app",
    });
    change(&mut claims);
    sign(key, &claims)
}

/// Entra's request for the person `oid` of the tenant (and, in `mail`, an address).
fn request(oid: &str, mail: &str) -> Value {
    json!({
        "type": "microsoft.graph.authenticationEvent.tokenIssuanceStart",
        "source": format!("/tenants/{TENANT}/applications/product"),
        "data": {
            "@odata.type": "microsoft.graph.onTokenIssuanceStartCalloutData",
            "tenantId": TENANT,
            "authenticationEventListenerId": "f4b5c4a2-0000-4000-8000-000000000001",
            "customAuthenticationExtensionId": "f4b5c4a2-0000-4000-8000-000000000002",
            "authenticationContext": {
                "correlationId": "f4b5c4a2-0000-4000-8000-000000000003",
                "client": {"ip": "192.0.2.1", "locale": "en-us", "market": "en-us"},
                "protocol": "OAUTH2.0",
                "clientServicePrincipal": {"appId": "product-app"},
                "resourceServicePrincipal": {"appId": "product-app"},
                "user": {"id": oid, "mail": mail, "userType": "Member"}
            }
        }
    })
}

async fn call(app: &TestApp, token: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/TokenIssuanceStart"))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// The claims Entra would put in the product's token for `oid`.
async fn claims_of(app: &TestApp, oid: &str) -> Value {
    let response = call(
        app,
        Some(&caller_token(app, &SIGNING, |_| {})),
        &request(oid, ""),
    )
    .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer["data"]["@odata.type"],
        "microsoft.graph.onTokenIssuanceStartResponseData"
    );
    let action = &answer["data"]["actions"][0];
    assert_eq!(
        action["@odata.type"],
        "microsoft.graph.tokenIssuanceStart.provideClaimsForToken"
    );
    action["claims"].clone()
}

/// Signs `email` in through `link` with an id_token carrying `tid` and `oid` (and a
/// `sub` that is neither), and answers the sign-in's first step.
async fn sign_in(app: &TestApp, link: &str, email: &str, oid: &str) -> reqwest::Client {
    let (client, _, response) = app
        .sign_in_with_test_b2c(link, email, &SIGNING, &unique("code"), |claims| {
            claims["tid"] = json!(TENANT);
            claims["oid"] = json!(oid);
            claims["ver"] = json!("2.0");
        })
        .await;
    assert_eq!(response.status(), 303);
    client
}

/// Anne is invited, signs in and creates her company: its id.
async fn onboard(app: &TestApp, email: &str, oid: &str) -> String {
    onboard_in(app, email, oid).await.1
}

/// A new customer who created their company: their browser.
pub(crate) async fn onboarded(app: &TestApp) -> reqwest::Client {
    onboard_in(app, &unique_email("anne"), &object_id()).await.0
}

async fn onboard_in(app: &TestApp, email: &str, oid: &str) -> (reqwest::Client, String) {
    let created = app
        .invite(json!({"email": email, "company": {"name": "URS Machining SA", "country": "BE"}}))
        .await;
    let client = sign_in(app, created["inviteUrl"].as_str().unwrap(), email, oid).await;
    let response = create_company(&client, &app.url("/api/CreateCompany")).await;
    assert_eq!(response.status(), 303);
    (client, format!("c{}", created["id"].as_str().unwrap()))
}

#[tokio::test]
async fn the_products_token_names_an_administrators_and_a_members_companies_and_follows_changes() {
    let app = TestApp::spawn_test_b2c_with(claims_on()).await;
    let (anne, anne_oid) = (unique_email("anne"), object_id());
    let company = onboard(&app, &anne, &anne_oid).await;
    let claims = claims_of(&app, &anne_oid).await;
    let anne_account = claims["accountId"].as_str().unwrap().to_owned();
    assert!(!anne_account.is_empty(), "{claims}");
    assert_eq!(claims["companyIds"], json!([company]));
    assert_eq!(
        claims["companyRoles"],
        json!([format!("{company}:administrator")])
    );

    // Bert joins as a member through a colleague's invitation.
    let (bert, bert_oid) = (unique_email("bert"), object_id());
    let invited = app
        .invite(json!({"email": bert, "companyId": company, "role": "member"}))
        .await;
    sign_in(
        &app,
        invited["inviteUrl"].as_str().unwrap(),
        &bert,
        &bert_oid,
    )
    .await;
    let claims = claims_of(&app, &bert_oid).await;
    let bert_account = claims["accountId"].as_str().unwrap().to_owned();
    assert!(!bert_account.is_empty() && bert_account != anne_account);
    assert_eq!(claims["companyRoles"], json!([format!("{company}:member")]));

    // A role change, then a removal, show in the next call.
    let id = CompanyId::parse(&company).unwrap();
    let (anne_id, bert_id) = (
        AccountId::from_stored(anne_account),
        AccountId::from_stored(bert_account.clone()),
    );
    members::change_role(&app.services, &id, &anne_id, &bert_id, Role::Administrator)
        .await
        .unwrap();
    let claims = claims_of(&app, &bert_oid).await;
    assert_eq!(
        claims["companyRoles"],
        json!([format!("{company}:administrator")])
    );
    members::remove(&app.services, &id, &anne_id, &bert_id)
        .await
        .unwrap();
    assert_eq!(
        claims_of(&app, &bert_oid).await,
        json!({"accountId": bert_account, "companyIds": [], "companyRoles": []})
    );
}

#[tokio::test]
async fn the_person_is_found_by_object_id_never_by_sub_or_email() {
    let app = TestApp::spawn_test_b2c_with(claims_on()).await;
    let (anne, anne_oid) = (unique_email("anne"), object_id());
    let company = onboard(&app, &anne, &anne_oid).await;
    // The id_token's sub (`sub-{email}`) differs from the oid: found by the oid, with
    // the id in any case.
    let claims = claims_of(&app, &anne_oid.to_uppercase()).await;
    assert_eq!(claims["companyIds"], json!([company]));
    let nobody = json!({"accountId": "", "companyIds": [], "companyRoles": []});
    assert_eq!(
        claims_of(&app, &format!("sub-{anne}")).await,
        nobody,
        "not by sub"
    );
    // An unknown object id whose address is Anne's gets nothing.
    let token = caller_token(&app, &SIGNING, |_| {});
    let response = call(&app, Some(&token), &request(&object_id(), &anne)).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer["data"]["actions"][0]["claims"], nobody,
        "never by email"
    );
    // Not the event: a problem, nothing answered.
    let mut other = request(&anne_oid, "");
    other["type"] = json!("microsoft.graph.authenticationEvent.attributeCollectionStart");
    let response = call(&app, Some(&token), &other).await;
    assert_eq!(response.status(), 400);
    assert!(!response.text().await.unwrap().contains(&company));
}

#[tokio::test]
async fn every_caller_but_the_events_service_with_its_token_is_refused_without_data() {
    let app = TestApp::spawn_test_b2c_with(claims_on()).await;
    let (anne, anne_oid) = (unique_email("anne"), object_id());
    let company = onboard(&app, &anne, &anne_oid).await;
    let body = request(&anne_oid, &anne);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let refused: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        (
            "another azp",
            Some(caller_token(&app, &SIGNING, |c| {
                c["azp"] = json!("another-app")
            })),
        ),
        (
            "another aud",
            Some(caller_token(&app, &SIGNING, |c| {
                c["aud"] = json!("api://other")
            })),
        ),
        (
            "another issuer",
            Some(caller_token(&app, &SIGNING, |c| {
                c["iss"] = json!("https://login.example/other/v2.0");
            })),
        ),
        (
            "expired",
            Some(caller_token(&app, &SIGNING, |c| {
                c["exp"] = json!(now - 3600);
                c["iat"] = json!(now - 7200);
                c["nbf"] = json!(now - 7200);
            })),
        ),
        (
            "an unknown key",
            Some(caller_token(&app, &ATTACKER, |_| {})),
        ),
        (
            "no client",
            Some(caller_token(&app, &SIGNING, |c| {
                c.as_object_mut().unwrap().remove("azp");
            })),
        ),
        (
            "an id_token",
            Some(caller_token(&app, &SIGNING, |c| c["nonce"] = json!("n"))),
        ),
    ];
    for (what, token) in refused {
        let response = call(&app, token.as_deref(), &body).await;
        assert_eq!(response.status(), 401, "{what}");
        let text = response.text().await.unwrap();
        assert!(
            !text.contains(&company) && !text.contains("claims"),
            "{what}: {text}"
        );
    }
    // A v1.0 token names its client in `appid`.
    let v1 = caller_token(&app, &SIGNING, |c| {
        c.as_object_mut().unwrap().remove("azp");
        c["appid"] = json!(EVENTS_SERVICE);
        c["ver"] = json!("1.0");
    });
    assert_eq!(call(&app, Some(&v1), &body).await.status(), 200);
}

#[tokio::test]
async fn an_issuer_named_in_claims_issuer_is_accepted_beside_the_providers() {
    let issuer = "https://3c1e7a52.ciamlogin.com/3c1e7a52/v2.0";
    let mut settings = claims_on();
    settings.push(("CLAIMS_ISSUER", Some(issuer.to_owned())));
    let app = TestApp::spawn_test_b2c_with(settings).await;
    let body = request(&object_id(), "");
    for iss in [issuer.to_owned(), app.idp.issuer.clone()] {
        let token = caller_token(&app, &SIGNING, |c| c["iss"] = json!(iss));
        assert_eq!(call(&app, Some(&token), &body).await.status(), 200, "{iss}");
    }
}

#[tokio::test]
async fn without_claims_audience_there_is_no_claims_provider() {
    let app = TestApp::spawn_with_test_b2c().await;
    let token = caller_token(&app, &SIGNING, |_| {});
    let response = call(&app, Some(&token), &request(&object_id(), "")).await;
    assert_eq!(response.status(), 404);
}

/// A return sign-in (`/api/SignIn` → `/api/AuthCallback`) with an id_token naming `oid`.
async fn sign_in_again(app: &TestApp, email: &str, oid: &str) {
    let client = crate::support::browser::browser();
    let response = client.get(app.url("/api/SignIn")).send().await.unwrap();
    let authorize = crate::support::browser::location(&response);
    let param = |name| crate::support::browser::param(&authorize, name).unwrap();
    let mut claims = app.idp.b2c_claims(email, &param("nonce"));
    claims["tid"] = json!(TENANT);
    claims["oid"] = json!(oid);
    app.idp.answer_next_code_with(sign(&SIGNING, &claims));
    let callback = format!("/api/AuthCallback?code=again&state={}", param("state"));
    let response = client.get(app.url(&callback)).send().await.unwrap();
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn the_claims_cost_two_storage_calls_and_a_return_sign_in_writes_none_once_recorded() {
    let (app, calls) = TestApp::spawn_counted_with_test_b2c(claims_on()).await;
    let (anne, anne_oid) = (unique_email("anne"), object_id());
    calls.take();
    onboard(&app, &anne, &anne_oid).await;
    let onboarding = calls.take();
    let index_writes = |calls: &[crate::support::storage_calls::Call]| {
        calls
            .iter()
            .filter(|c| c.kind.is_write() && c.partition.starts_with("object-"))
            .count()
    };
    assert_eq!(
        index_writes(&onboarding),
        1,
        "the company's creation records the person"
    );

    claims_of(&app, &anne_oid).await;
    check(
        "claims for a customer (TokenIssuanceStart)",
        &calls.take(),
        2,
    );
    claims_of(&app, &object_id()).await;
    check("claims for an unknown person", &calls.take(), 1);

    sign_in_again(&app, &anne, &anne_oid).await;
    let again = calls.take();
    assert_eq!(index_writes(&again), 0, "recorded already: {again:?}");
    // A login recorded under another object id (its tid/oid changed) is recorded again,
    // once: the index row and the login's mark.
    let moved = object_id();
    sign_in_again(&app, &anne, &moved).await;
    assert_eq!(index_writes(&calls.take()), 1);
    assert_eq!(
        claims_of(&app, &moved).await["companyIds"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    sign_in_again(&app, &anne, &moved).await;
    assert_eq!(index_writes(&calls.take()), 0);
}

#[tokio::test]
async fn an_erased_person_leaves_no_index_row_and_gets_no_claims() {
    let app = TestApp::spawn_test_b2c_with(claims_on()).await;
    let (anne, anne_oid) = (unique_email("anne"), object_id());
    onboard(&app, &anne, &anne_oid).await;
    let object_rows = |rows: Vec<Value>| {
        rows.into_iter()
            .filter(|r| r["PartitionKey"].as_str().unwrap().starts_with("object-"))
            .count()
    };
    assert_eq!(object_rows(app.table_rows("Accounts").await), 1);
    let response = app
        .client
        .post(app.url("/api/privacy/erase"))
        .bearer_auth(crate::privacy::privacy_token(&app))
        .json(&json!({ "email": anne }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        claims_of(&app, &anne_oid).await,
        json!({"accountId": "", "companyIds": [], "companyRoles": []})
    );
    assert_eq!(object_rows(app.table_rows("Accounts").await), 0);
}
