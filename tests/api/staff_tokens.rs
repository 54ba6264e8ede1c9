//! Every staff call carries a bearer token from the staff identity provider.

use crate::support::tokens::{ATTACKER, ROTATED, STAFF_PUBLIC_PEM, forged, sign};
use crate::support::{TestApp, problem, stack, unique_email};
use serde_json::{Value, json};

async fn refused(app: &TestApp, token: &str, status: u16) -> Value {
    let response = app
        .invite_with_token(token, &json!({"email": unique_email("tok")}))
        .await;
    if status == 401 {
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        assert!(
            challenge.is_some_and(|c| c.starts_with("Bearer")),
            "401 carries a Bearer challenge"
        );
    }
    problem(response, status).await
}

#[tokio::test]
async fn a_call_without_a_token_is_401() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/api/InviteUser"))
        .json(&json!({"email": "a@b.example"}))
        .send()
        .await
        .unwrap();
    problem(response, 401).await;
    let response = app
        .client
        .get(app.url("/api/invitations"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    problem(response, 401).await;
}

#[tokio::test]
async fn expired_or_not_yet_valid_tokens_are_401() {
    let app = TestApp::spawn().await;
    let expired = app.idp.token_with(|c| {
        c["exp"] = json!(c["iat"].as_i64().unwrap() - 3600);
        c["nbf"] = json!(c["iat"].as_i64().unwrap() - 7200);
    });
    let body = refused(&app, &expired, 401).await;
    assert!(body["detail"].as_str().unwrap().contains("expired"));
    let future = app
        .idp
        .token_with(|c| c["nbf"] = json!(c["iat"].as_i64().unwrap() + 3600));
    refused(&app, &future, 401).await;
}

#[tokio::test]
async fn tokens_for_another_audience_or_from_another_issuer_are_401() {
    let app = TestApp::spawn().await;
    let body = refused(
        &app,
        &app.idp
            .token_with(|c| c["aud"] = json!("api://something-else")),
        401,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("audience"));
    let body = refused(
        &app,
        &app.idp
            .token_with(|c| c["iss"] = json!("https://evil.example/v2.0")),
        401,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("issuer"));
    refused(
        &app,
        &app.idp.token_with(|c| {
            c.as_object_mut().unwrap().remove("aud");
        }),
        401,
    )
    .await;
}

#[tokio::test]
async fn unsigned_and_hmac_tokens_are_401() {
    let app = TestApp::spawn().await;
    let claims = app.idp.claims();
    let none = forged(
        json!({"alg": "none", "typ": "JWT", "kid": "test-key-1"}),
        &claims,
        b"",
    );
    refused(&app, &none, 401).await;

    // The classic confusion: HS256 "signed" with the provider's public key as the secret.
    let hs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: Some("test-key-1".into()),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(STAFF_PUBLIC_PEM),
    )
    .unwrap();
    refused(&app, &hs256, 401).await;
    refused(&app, "not.a.token", 401).await;
}

#[tokio::test]
async fn a_token_signed_with_an_unpublished_key_is_401_and_the_jwks_is_not_hammered() {
    let app = TestApp::spawn().await;
    app.invite(json!({"email": unique_email("warm")})).await; // keys cached
    let before = app.idp.jwks_hits.load(std::sync::atomic::Ordering::SeqCst);
    let claims = app.idp.claims();
    for _ in 0..20 {
        refused(&app, &sign(&ATTACKER, &claims), 401).await;
    }
    let after = app.idp.jwks_hits.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        after - before <= 1,
        "20 unknown kids fetched the JWKS {} times",
        after - before
    );
    // The attacker's key under the provider's kid: a signature mismatch.
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("test-key-1".into());
    let wrong = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(include_bytes!("../fixtures/attacker-key.pem"))
            .unwrap(),
    )
    .unwrap();
    refused(&app, &wrong, 401).await;
}

#[tokio::test]
async fn a_rotated_signing_key_is_picked_up_when_a_token_names_it() {
    let app = TestApp::spawn_with(vec![], |s| {
        s.tuning.key_refresh_min_interval = std::time::Duration::ZERO
    })
    .await;
    app.invite(json!({"email": unique_email("before")})).await; // old keys cached
    app.idp.publish(&ROTATED);
    let token = sign(&ROTATED, &app.idp.claims());
    let response = app
        .invite_with_token(&token, &json!({"email": unique_email("rotated")}))
        .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn a_valid_token_without_the_role_is_403() {
    let app = TestApp::spawn().await;
    let body = refused(
        &app,
        &app.idp
            .token_with(|c| c["roles"] = json!(["Invitations.Read"])),
        403,
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Invitations.Send")
    );
    refused(
        &app,
        &app.idp.token_with(|c| {
            c.as_object_mut().unwrap().remove("roles");
        }),
        403,
    )
    .await;
}

#[tokio::test]
async fn the_inviter_comes_from_the_token_never_from_the_body() {
    let app = TestApp::spawn().await;
    let created = app
        .invite(json!({"email": unique_email("who"), "invitedBy": {"name": "Mallory", "email": "mallory@evil.example"}}))
        .await;
    assert_eq!(
        created["invitedBy"],
        json!({"name": "Tamer Mohamed-Nour", "email": "tamer@gfms.example"})
    );
    let upn = app.idp.token_with(|c| {
        c.as_object_mut().unwrap().remove("preferred_username");
        c["upn"] = json!("upn.user@gfms.example");
    });
    let response = app
        .invite_with_token(&upn, &json!({"email": unique_email("upn")}))
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["invitedBy"]["email"], "upn.user@gfms.example");
}

#[tokio::test]
async fn a_token_from_the_local_staff_directory_is_accepted() {
    // The local stack's OpenID provider (what `scripts/dev` uses), not the in-test one.
    let stack = stack();
    let token_for = |client_id: String| async move {
        let response: Value = reqwest::Client::new()
            .post(&stack.staff_token_endpoint)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id.as_str()),
                ("client_secret", stack.cli_client_secret.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        response["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token: {response}"))
            .to_owned()
    };
    let app = TestApp::spawn_with(
        vec![
            ("STAFF_METADATA_URL", Some(stack.staff_metadata_url.clone())),
            ("STAFF_AUDIENCE", Some(stack.staff_audience.clone())),
        ],
        |_| {},
    )
    .await;
    let sales = token_for(stack.sales_cli_client_id.clone()).await;
    let response = app
        .invite_with_token(&sales, &json!({"email": unique_email("local")}))
        .await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let no_role = token_for(stack.no_role_cli_client_id.clone()).await;
    let response = app
        .invite_with_token(&no_role, &json!({"email": unique_email("local")}))
        .await;
    problem(response, 403).await;
}
