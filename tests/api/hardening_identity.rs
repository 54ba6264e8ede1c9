//! Issue 12, identity findings: a recent sign-in is proved by the provider's `auth_time`
//! (6), the staff API takes access tokens only (7), and a provider outage after the key
//! cache's lifetime is served from the stale keys (11).

use crate::support::browser::{
    browser, company_form, create_company, csrf_in, location, page, param, post_form,
    sign_in_at_b2c,
};
use crate::support::staff::{
    sign_in_at_staff_directory, spawn_back_office, staff_browser, staff_email, token_response,
};
use crate::support::tokens::{OUTAGE_DELAY, SIGNING, sign};
use crate::support::{TestApp, problem, stack, unique_email};
use invitations::clock::Clock as _;
use reqwest::Client;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// An hour ago, by the app's clock: a sign-in the provider remembered, not a new one.
fn an_hour_ago(app: &TestApp) -> i64 {
    app.clock.now().unix_timestamp() - 3600
}

/// Sets the claims' `auth_time`, or removes it (`None`).
fn set_auth_time(claims: &mut Value, auth_time: Option<i64>) {
    match auth_time {
        Some(at) => claims["auth_time"] = json!(at),
        None => {
            claims.as_object_mut().unwrap().remove("auth_time");
        }
    }
}

/// Onboards `email` through the in-test B2C, whose id_token's claims `change` edits.
async fn onboard(app: &TestApp, email: &str, change: impl FnOnce(&mut Value)) -> Client {
    let created = app.invite_email(email).await;
    let link = created["inviteUrl"].as_str().unwrap();
    let (client, _, response) = app
        .sign_in_with_test_b2c(link, email, &SIGNING, "code-onboard", change)
        .await;
    assert_eq!(location(&response), "/api/CreateCompany");
    let response = create_company(&client, &app.url("/api/CreateCompany")).await;
    assert_eq!(location(&response), "/api/Home");
    client
}

/// Posts the profile's "link Google" form.
async fn start_link(app: &TestApp, client: &Client) -> reqwest::Response {
    let profile = page(client, &app.url("/api/Profile")).await;
    post_form(
        client,
        &app.url("/api/Profile/link"),
        &[("csrf", csrf_in(&profile)), ("provider", "google".into())],
    )
    .await
}

/// The provider's answer to `authorize`: `callback` (`/api/AuthCallback`) is called with
/// a code the in-test provider redeems for a B2C id_token for `email`, edited by `change`.
async fn answer(
    app: &TestApp,
    client: &Client,
    authorize: &str,
    email: &str,
    change: impl FnOnce(&mut Value),
) -> reqwest::Response {
    let mut claims = app
        .idp
        .b2c_claims(email, &param(authorize, "nonce").unwrap());
    change(&mut claims);
    app.idp.answer_next_code_with(sign(&SIGNING, &claims));
    let state = param(authorize, "state").unwrap();
    client
        .get(app.url(&format!("/api/AuthCallback?code=c&state={state}")))
        .send()
        .await
        .unwrap()
}

async fn asked_to_sign_in_again(response: reqwest::Response) {
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(html.contains("Please sign in again first"), "{html}");
}

/// Follows the "Sign in again" button of the page asking for a recent sign-in: the
/// provider's authorize address.
async fn ask_for_a_sign_in_again(app: &TestApp, client: &Client) -> String {
    let response = client
        .get(app.url("/api/SignIn?prompt=login&next=profile"))
        .send()
        .await
        .unwrap();
    location(&response)
}

/// "Sign in again" from the profile's page: the provider's answer carries an id_token
/// whose `auth_time` is `auth_time` (none when `None`); the session it gives goes back to
/// the profile. Returns the authorize address the handler sent the browser to.
async fn sign_in_again(
    app: &TestApp,
    client: &Client,
    email: &str,
    auth_time: Option<i64>,
) -> String {
    let authorize = ask_for_a_sign_in_again(app, client).await;
    let response = answer(app, client, &authorize, email, |c| {
        set_auth_time(c, auth_time)
    })
    .await;
    assert_eq!(location(&response), "/api/Profile");
    authorize
}

#[tokio::test]
async fn a_sign_in_the_provider_answered_from_an_old_session_does_not_count_as_recent() {
    let app = TestApp::spawn_with_test_b2c().await;
    // The provider signed the customer in silently: its auth_time is an hour old.
    let email = unique_email("silent");
    let old = an_hour_ago(&app);
    let client = onboard(&app, &email, |c| c["auth_time"] = json!(old)).await;
    asked_to_sign_in_again(start_link(&app, &client).await).await;

    // "Sign in again" asks the provider for a real sign-in, but one it answers from its
    // session again still does not count, nor one that does not say when it was.
    let authorize = sign_in_again(&app, &client, &email, Some(old)).await;
    assert_eq!(param(&authorize, "prompt").as_deref(), Some("login"));
    assert_eq!(param(&authorize, "max_age").as_deref(), Some("0"));
    asked_to_sign_in_again(start_link(&app, &client).await).await;
    sign_in_again(&app, &client, &email, None).await;
    asked_to_sign_in_again(start_link(&app, &client).await).await;

    // A real sign-in (auth_time now) does.
    let now = app.clock.now().unix_timestamp();
    sign_in_again(&app, &client, &email, Some(now)).await;
    let response = start_link(&app, &client).await;
    assert_eq!(response.status(), 303, "sent to the provider to link");
}

#[tokio::test]
async fn the_login_being_linked_must_have_signed_in_recently_too() {
    let app = TestApp::spawn_with_test_b2c().await;
    let email = unique_email("linkfresh");
    let now = app.clock.now().unix_timestamp();
    let client = onboard(&app, &email, |c| c["auth_time"] = json!(now)).await;
    let google = |auth_time: Option<i64>| {
        move |c: &mut Value| {
            c["sub"] = json!("google-subject-1");
            c["idp"] = json!("google.com");
            set_auth_time(c, auth_time);
        }
    };

    let response = start_link(&app, &client).await;
    let authorize = location(&response);
    assert_eq!(param(&authorize, "prompt").as_deref(), Some("login"));
    assert_eq!(param(&authorize, "max_age").as_deref(), Some("0"));
    let old = an_hour_ago(&app);
    let response = answer(&app, &client, &authorize, &email, google(Some(old))).await;
    asked_to_sign_in_again(response).await;
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        !profile.contains("Your Google login is linked"),
        "{profile}"
    );

    let authorize = location(&start_link(&app, &client).await);
    let response = answer(&app, &client, &authorize, &email, google(None)).await;
    asked_to_sign_in_again(response).await;

    let authorize = location(&start_link(&app, &client).await);
    let response = answer(&app, &client, &authorize, &email, google(Some(now))).await;
    assert_eq!(location(&response), "/api/Profile");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(profile.contains("Your Google login is linked"), "{profile}");
}

/// Follows the provider's redirects from `authorize`: true when it came straight back to
/// the handler (single sign-on), false when it stopped on a page (its login form).
async fn comes_back_without_a_page(client: &Client, authorize: &str) -> bool {
    let mut url = url::Url::parse(authorize).unwrap();
    for _ in 0..10 {
        let response = client.get(url.clone()).send().await.unwrap();
        if !response.status().is_redirection() {
            return false;
        }
        url = url.join(&location(&response)).unwrap();
        if url.path().starts_with("/api/") {
            return true;
        }
    }
    panic!("too many redirects from {authorize}");
}

#[tokio::test]
async fn the_local_provider_signs_in_silently_unless_a_recent_sign_in_is_asked() {
    let app = TestApp::spawn().await;
    let email = unique_email("realagain");
    let client = browser();
    let created = app.invite_email(&email).await;
    let response = client
        .get(created["inviteUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let callback = sign_in_at_b2c(&client, &location(&response), &email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/api/CreateCompany");
    let form = page(&client, &app.url("/api/CreateCompany")).await;
    let fields = company_form(&csrf_in(&form));
    post_form(&client, &app.url("/api/CreateCompany"), &fields).await;

    // A plain sign-in is answered from the provider's session, without its login form:
    // the reason a sign-in's recency comes from `auth_time`, never from the callback.
    let response = client.get(app.url("/api/SignIn")).send().await.unwrap();
    let authorize = location(&response);
    assert_eq!(param(&authorize, "max_age"), None);
    assert!(comes_back_without_a_page(&client, &authorize).await);

    // Asked for a recent sign-in, the provider shows its login form again.
    let authorize = ask_for_a_sign_in_again(&app, &client).await;
    assert_eq!(param(&authorize, "max_age").as_deref(), Some("0"));
    assert!(!comes_back_without_a_page(&client, &authorize).await);
    let authorize = ask_for_a_sign_in_again(&app, &client).await;
    let callback = sign_in_at_b2c(&client, &authorize, &email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/api/Profile");
    let response = start_link(&app, &client).await;
    assert_eq!(response.status(), 303, "recent enough to link");
}

async fn list_with(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/invitations?top=1"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_id_token_is_refused_as_a_staff_bearer_token() {
    let app = TestApp::spawn().await;
    // The back office's id_token as Entra ID issues it when one app registration is both
    // the API and the back office: `aud` is that app, the roles are there, a `nonce`, and
    // no `azp` (only access tokens name the client that asked for them).
    let id_token = app.idp.token_with(|c| {
        c.as_object_mut().unwrap().remove("azp");
        c["nonce"] = json!("nonce-of-a-sign-in");
    });
    let body = problem(list_with(&app, &id_token).await, 401).await;
    assert!(
        body["detail"].as_str().unwrap().contains("id_token"),
        "{body}"
    );
    for not_an_access_token in [
        app.idp.token_with(|c| {
            c.as_object_mut().unwrap().remove("azp");
        }),
        app.idp.token_with(|c| c["at_hash"] = json!("aGFzaA")),
        app.idp.token_with(|c| c["c_hash"] = json!("aGFzaA")),
        app.idp.token_with(|c| c["idtyp"] = json!("id")),
    ] {
        problem(list_with(&app, &not_an_access_token).await, 401).await;
    }
    // Access tokens: Entra v2.0 (`azp`, `idtyp`), v1.0 (`appid`), RFC 9068 (`client_id`).
    for access_token in [
        app.idp.token(),
        app.idp.token_with(|c| c["idtyp"] = json!("app")),
        app.idp.token_with(|c| {
            c.as_object_mut().unwrap().remove("azp");
            c["appid"] = json!("11111111-2222-3333-4444-555555555555");
            c["ver"] = json!("1.0");
        }),
        app.idp.token_with(|c| {
            c.as_object_mut().unwrap().remove("azp");
            c["client_id"] = json!("local-sales-cli");
        }),
    ] {
        assert_eq!(list_with(&app, &access_token).await.status(), 200);
    }
}

/// An id_token of the local staff directory for a person with the role, got the way the
/// back office gets one: authorization code with PKCE and a nonce, redeemed with the
/// back office's client secret.
async fn back_office_id_token() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let stack = stack();
    let metadata: Value = reqwest::get(&stack.staff_metadata_url)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let verifier = "v".repeat(64);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let redirect_uri = "http://127.0.0.1:9/api/StaffCallback";
    let mut authorize =
        url::Url::parse(metadata["authorization_endpoint"].as_str().unwrap()).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &stack.staff_client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile email")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", &"s".repeat(43))
        .append_pair("nonce", &"n".repeat(43))
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let callback =
        sign_in_at_staff_directory(&browser(), authorize.as_str(), &staff_email(), true).await;
    let code = param(&callback, "code").unwrap();
    let tokens = token_response(&[
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect_uri),
        ("client_id", stack.staff_client_id.as_str()),
        ("client_secret", stack.staff_client_secret.as_str()),
        ("code_verifier", verifier.as_str()),
    ])
    .await;
    tokens["id_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_back_offices_id_token_is_no_bearer_token_even_for_its_own_audience() {
    // An operator who gives the API the back office's client id as its audience: the
    // directory's id_tokens for the back office then carry the right `aud` and role.
    let stack = stack();
    let app = TestApp::spawn_with(
        vec![
            ("STAFF_METADATA_URL", Some(stack.staff_metadata_url.clone())),
            ("STAFF_AUDIENCE", Some(stack.staff_client_id.clone())),
        ],
        |_| {},
    )
    .await;
    let id_token = back_office_id_token().await;
    problem(list_with(&app, &id_token).await, 401).await;
}

#[tokio::test]
async fn a_removed_role_takes_effect_at_the_next_sign_in_an_hour_at_most_later() {
    let app = spawn_back_office().await;
    let email = staff_email();
    let (client, callback) = staff_browser(&app, &email, true).await;
    assert_eq!(location(&callback), "/api/Staff");
    let office = client.get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(office.status(), 200);

    // The directory's administrator removes the role: the session ends within the hour,
    // and the next sign-in (a new login at the directory, without the role) is refused.
    app.clock.advance(time::Duration::minutes(61));
    let response = client.get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(response.status(), 302, "signed out after the hour");
    let (_, callback) = staff_browser(&app, &email, false).await;
    assert_eq!(callback.status(), 403);
}

#[tokio::test]
async fn a_provider_outage_after_the_key_cache_lifetime_is_served_from_the_stale_keys() {
    let app = TestApp::spawn_with(vec![], |s| {
        s.tuning.key_cache_ttl = Duration::from_secs(1);
    })
    .await;
    assert_eq!(list_with(&app, &app.idp.token()).await.status(), 200);
    app.idp.go_down(true);
    // Past the cache's lifetime (real time, so the app's clock and the system's agree).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = app.idp.metadata_hits.load(Ordering::SeqCst);

    let started = Instant::now();
    let token = app.idp.token();
    let calls = (0..20).map(|_| list_with(&app, &token));
    for response in futures::future::join_all(calls).await {
        assert_eq!(response.status(), 200, "answered from the stale keys");
    }
    let took = started.elapsed();
    // Waiting for the provider in turn would take 20 × OUTAGE_DELAY (10 s).
    assert!(
        took < OUTAGE_DELAY * 8,
        "nobody waits for the provider in turn: 20 calls took {took:?}"
    );
    let tried = app.idp.metadata_hits.load(Ordering::SeqCst) - before;
    assert!(
        (1..=2).contains(&tried),
        "one renewal at a time, then the back-off: {tried} fetches"
    );

    // Back up: after the back-off the next call renews the cache in the background.
    app.idp.go_down(false);
    app.clock.advance(time::Duration::seconds(3));
    let keys_before = app.idp.jwks_hits.load(Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.idp.jwks_hits.load(Ordering::SeqCst) == keys_before {
        assert!(Instant::now() < deadline, "the keys were never renewed");
        assert_eq!(list_with(&app, &token).await.status(), 200);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
