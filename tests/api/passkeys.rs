//! Passkeys (issue #27) over HTTP, with `webauthn-authenticator-rs`'s software passkey
//! answering the real ceremonies the pages start (an app at `http://localhost:…`: WebAuthn
//! refuses an IP address as the RP ID): adding one on the profile, the step after the
//! provider's sign-in, what is refused (a replay, another site, another person's
//! credential, a counter going back), removing one.

use crate::account::{between, onboard};
use crate::support::browser::{Browser, csrf_in, location, page, post_form, sign_in_at_b2c};
use crate::support::{TestApp, unique_email};
use reqwest::Client;
use time::Duration;
use url::Url;
use webauthn_authenticator_rs::AuthenticatorBackend as _;
use webauthn_authenticator_rs::WebauthnAuthenticator as _;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

fn origin(app: &TestApp) -> Url {
    Url::parse(&app.address).unwrap()
}

/// The options a page hands its script.
fn options<T: serde::de::DeserializeOwned>(html: &str) -> T {
    let json = between(
        html,
        "<script type=\"application/json\" id=\"passkey-options\">",
        "<",
    );
    serde_json::from_str(json).unwrap()
}

/// A form of the passkey pages: its CSRF token, its action and the other fields.
fn form(
    csrf: String,
    action: &str,
    fields: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    let mut form = vec![("csrf", csrf), ("action", action.to_owned())];
    form.extend(
        fields
            .iter()
            .map(|(name, value)| (*name, (*value).to_owned())),
    );
    form
}

/// Whether the page in `response` contains `words`.
async fn says(response: reqwest::Response, words: &str) -> bool {
    response.text().await.unwrap().contains(words)
}

/// Adds a passkey named `name` from the profile with `authenticator`; the response of the
/// post that finishes it.
async fn add_passkey(
    app: &TestApp,
    client: &Client,
    authenticator: &mut SoftPasskey,
    name: &str,
) -> (reqwest::Response, RegisterPublicKeyCredential) {
    let profile = page(client, &app.url("/api/Profile")).await;
    assert!(profile.contains("Add a passkey"), "{profile}");
    let csrf = csrf_in(&profile);
    let start = form(csrf.clone(), "start", &[("name", name)]);
    let response = post_form(client, &app.url("/api/Profile/passkeys"), &start).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Create the passkey"), "{html}");
    assert!(html.contains("src=\"/api/assets/passkeys.js\""));
    let asked: CreationChallengeResponse = options(&html);
    assert_eq!(
        asked.public_key.rp.id, "localhost",
        "the RP ID is PUBLIC_BASE_URL's host"
    );
    let created = authenticator.do_registration(origin(app), asked).unwrap();
    let finish = form(
        csrf,
        "finish",
        &[("credential", &serde_json::to_string(&created).unwrap())],
    );
    let response = post_form(client, &app.url("/api/Profile/passkeys"), &finish).await;
    (response, created)
}

/// A returning sign-in in a fresh (copyable) browser, up to the step after the provider:
/// the browser and the step's page.
async fn sign_in(app: &TestApp, email: &str) -> (Browser, String) {
    let browser = Browser::new();
    let client = &browser.client;
    let response = client.get(app.url("/api/SignIn")).send().await.unwrap();
    let callback = sign_in_at_b2c(client, &location(&response), email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(
        location(&response),
        "/api/Profile/mfa",
        "the step is asked first"
    );
    let step = page(client, &app.url("/api/Profile/mfa")).await;
    (browser, step)
}

async fn answer(
    app: &TestApp,
    client: &Client,
    step: &str,
    answer: &PublicKeyCredential,
) -> reqwest::Response {
    let answered = form(
        csrf_in(step),
        "passkey",
        &[("credential", &serde_json::to_string(answer).unwrap())],
    );
    post_form(client, &app.url("/api/Profile/mfa"), &answered).await
}

async fn home_status(app: &TestApp, client: &Client) -> u16 {
    let response = client.get(app.url("/api/Home")).send().await.unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn a_passkey_added_on_the_profile_is_asked_at_every_sign_in_and_an_answer_counts_once() {
    let app = TestApp::spawn_on_localhost().await;
    let email = unique_email("passkey");
    let client = onboard(&app, &email, "local").await;
    let mut laptop = SoftPasskey::new(true);
    let (response, _) = add_passkey(&app, &client, &mut laptop, "Work laptop").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/api/Profile");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(profile.contains("Your passkey is added"), "{profile}");
    assert!(
        profile.contains("Work laptop") && profile.contains("not used yet"),
        "{profile}"
    );
    assert!(profile.contains("Remove passkey") && profile.contains("Rename passkey"));
    // The stored row holds the public key and names no secret.
    let row = &passkey_rows(&app).await[0];
    assert_eq!(row["Name"], "Work laptop");

    // The step: only the passkey (the app is off), nothing granted before it.
    let (browser, step) = sign_in(&app, &email).await;
    assert!(step.contains("Use your passkey"), "{step}");
    assert!(
        !step.contains("id=\"code-form\""),
        "no code without the app: {step}"
    );
    assert_eq!(home_status(&app, &browser.client).await, 302);
    // A code instead of the passkey does not pass the step.
    let code = form(csrf_in(&step), "challenge", &[("code", "123456")]);
    let response = post_form(&browser.client, &app.url("/api/Profile/mfa"), &code).await;
    assert_eq!(response.status(), 422);
    assert!(says(response, "Use your passkey to finish").await);
    assert_eq!(home_status(&app, &browser.client).await, 302);

    // Garbage for an answer: refused with the step again, nothing granted.
    let step = page(&browser.client, &app.url("/api/Profile/mfa")).await;
    let garbage = form(csrf_in(&step), "passkey", &[("credential", "{\"id\": 1")]);
    let response = post_form(&browser.client, &app.url("/api/Profile/mfa"), &garbage).await;
    assert_eq!(response.status(), 422);
    assert_eq!(home_status(&app, &browser.client).await, 302);

    // The passkey's answer, sent by five copies of the browser at the same
    // time: one of them signs in, the replays are refused.
    let step = page(&browser.client, &app.url("/api/Profile/mfa")).await;
    let asked: RequestChallengeResponse = options(&step);
    let signed = laptop.do_authentication(origin(&app), asked).unwrap();
    let browsers: Vec<Browser> = (0..5).map(|_| browser.copy("localhost")).collect();
    let sent = browsers
        .iter()
        .map(|b| answer(&app, &b.client, &step, &signed));
    let statuses: Vec<u16> = futures::future::join_all(sent)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [303, 422].contains(s)),
        "{statuses:?}"
    );
    let granted = &browsers[statuses.iter().position(|s| *s == 303).unwrap()];
    let refused = &browsers[statuses.iter().position(|s| *s == 422).unwrap()];
    assert_eq!(home_status(&app, &granted.client).await, 200);
    assert_eq!(home_status(&app, &refused.client).await, 302);
    // Sent again afterwards, with the cookies it came with: refused.
    let again = answer(&app, &refused.client, &step, &signed).await;
    assert_eq!(again.status(), 422);
    assert!(says(again, "That passkey was not accepted").await);

    let profile = page(&granted.client, &app.url("/api/Profile")).await;
    assert!(profile.contains("last used"), "{profile}");
}

#[tokio::test]
async fn another_site_another_persons_passkey_and_a_counter_going_back_are_refused() {
    let app = TestApp::spawn_on_localhost().await;
    let (alice, bob) = (unique_email("alice"), unique_email("bob"));
    let alice_browser = onboard(&app, &alice, "local").await;
    let bob_browser = onboard(&app, &bob, "local").await;
    let mut alices = SoftPasskey::new(true);
    let mut bobs = SoftPasskey::new(true);
    assert_eq!(
        add_passkey(&app, &alice_browser, &mut alices, "A")
            .await
            .0
            .status(),
        303
    );
    let (response, bob_key) = add_passkey(&app, &bob_browser, &mut bobs, "B").await;
    assert_eq!(response.status(), 303);

    let (browser, step) = sign_in(&app, &alice).await;
    let client = &browser.client;
    let asked: RequestChallengeResponse = options(&step);

    // Signed for another RP ID, sent from this origin.
    let mut other_rp = asked.public_key.clone();
    other_rp.rp_id = "evil.example".into();
    let signed = alices.perform_auth(origin(&app), other_rp, 60_000).unwrap();
    assert_eq!(answer(&app, client, &step, &signed).await.status(), 422);
    // A phishing site's page, with the real challenge relayed to it.
    let mut relayed = asked.clone();
    relayed.public_key.rp_id = "evil.example".into();
    let phished = Url::parse("https://evil.example").unwrap();
    let signed = alices.do_authentication(phished, relayed).unwrap();
    assert_eq!(answer(&app, client, &step, &signed).await.status(), 422);
    // Bob's passkey, signing Alice's challenge.
    let mut bobs_turn = serde_json::to_value(&asked).unwrap();
    let bob_id = serde_json::to_value(&bob_key).unwrap()["rawId"].clone();
    bobs_turn["publicKey"]["allowCredentials"] =
        serde_json::json!([{"type": "public-key", "id": bob_id}]);
    let bobs_turn: RequestChallengeResponse = serde_json::from_value(bobs_turn).unwrap();
    let signed = bobs.do_authentication(origin(&app), bobs_turn).unwrap();
    let response = answer(&app, client, &step, &signed).await;
    assert_eq!(response.status(), 422);
    assert!(says(response, "That passkey was not accepted").await);
    assert_eq!(
        home_status(&app, client).await,
        302,
        "nothing let Alice's browser in"
    );

    // A counter going back: two sign-ins each get an answer (counters n and n + 1); once
    // the later one is used, the earlier one is refused as a possible clone.
    let (first, first_step) = sign_in(&app, &alice).await;
    let (second, second_step) = sign_in(&app, &alice).await;
    let earlier = alices
        .do_authentication(origin(&app), options(&first_step))
        .unwrap();
    let later = alices
        .do_authentication(origin(&app), options(&second_step))
        .unwrap();
    assert_eq!(
        answer(&app, &second.client, &second_step, &later)
            .await
            .status(),
        303
    );
    assert_eq!(
        answer(&app, &first.client, &first_step, &earlier)
            .await
            .status(),
        422
    );
    assert_eq!(home_status(&app, &first.client).await, 302);
}

#[tokio::test]
async fn refused_answers_count_with_the_codes_per_account() {
    let app = TestApp::spawn_on_localhost().await;
    let email = unique_email("counted");
    let client = onboard(&app, &email, "local").await;
    let mut key = SoftPasskey::new(true);
    assert_eq!(
        add_passkey(&app, &client, &mut key, "Key").await.0.status(),
        303
    );
    for _ in 0..5 {
        let (browser, step) = sign_in(&app, &email).await;
        let mut other_rp = options::<RequestChallengeResponse>(&step).public_key;
        other_rp.rp_id = "evil.example".into();
        let signed = key.perform_auth(origin(&app), other_rp, 60_000).unwrap();
        assert_eq!(
            answer(&app, &browser.client, &step, &signed).await.status(),
            422
        );
    }
    // Another browser, the right passkey: the account's attempts are used up.
    let (browser, step) = sign_in(&app, &email).await;
    let signed = key.do_authentication(origin(&app), options(&step)).unwrap();
    let response = answer(&app, &browser.client, &step, &signed).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    // The next window: it works.
    app.clock.advance(Duration::minutes(16));
    let (browser, step) = sign_in(&app, &email).await;
    let signed = key.do_authentication(origin(&app), options(&step)).unwrap();
    assert_eq!(
        answer(&app, &browser.client, &step, &signed).await.status(),
        303
    );
}

#[tokio::test]
async fn adding_or_removing_a_passkey_needs_a_recent_sign_in_and_a_removed_one_is_not_asked() {
    let app = TestApp::spawn_on_localhost().await;
    let email = unique_email("remove");
    let client = onboard(&app, &email, "local").await;
    let url = app.url("/api/Profile/passkeys");
    let mut key = SoftPasskey::new(true);
    assert_eq!(
        add_passkey(&app, &client, &mut key, "Phone")
            .await
            .0
            .status(),
        303
    );
    let profile = page(&client, &app.url("/api/Profile")).await;
    let id = between(&profile, "data-passkey=\"", "\"").to_owned();
    let remove = |csrf: String, id: &str, confirm: &str| {
        form(csrf, "remove", &[("id", id), ("confirm", confirm)])
    };
    let rename = form(
        csrf_in(&profile),
        "rename",
        &[("id", &id), ("name", "Old phone")],
    );
    assert_eq!(post_form(&client, &url, &rename).await.status(), 303);
    assert!(
        page(&client, &app.url("/api/Profile"))
            .await
            .contains("Old phone")
    );
    // A name too long, or a registration answer that is not one: refused, in words.
    let mut too_long = rename.clone();
    too_long[3].1 = "x".repeat(61);
    let response = post_form(&client, &url, &too_long).await;
    assert_eq!(response.status(), 422);
    assert!(says(response, "1 to 60 characters").await);
    let start = form(csrf_in(&profile), "start", &[("name", "Spare")]);
    assert_eq!(post_form(&client, &url, &start).await.status(), 200);
    let finish = form(csrf_in(&profile), "finish", &[("credential", "[]")]);
    let response = post_form(&client, &url, &finish).await;
    assert_eq!(response.status(), 422);
    assert!(
        !page(&client, &app.url("/api/Profile"))
            .await
            .contains("Spare")
    );

    // Removing asks first, naming it, then removes it.
    let response = post_form(&client, &url, &remove(csrf_in(&profile), &id, "")).await;
    assert_eq!(response.status(), 200);
    let confirm = response.text().await.unwrap();
    assert!(confirm.contains("Remove this passkey?") && confirm.contains("Old phone"));
    let response = post_form(&client, &url, &remove(csrf_in(&profile), &id, "yes")).await;
    assert_eq!(location(&response), "/api/Profile");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(profile.contains("Your passkey is removed") && !profile.contains("Old phone"));
    // Removed again: it is gone, nothing else happens.
    let response = post_form(&client, &url, &remove(csrf_in(&profile), &id, "yes")).await;
    assert_eq!(response.status(), 404);
    // The next sign-in has no step.
    let fresh = crate::support::browser::browser();
    let response = fresh.get(app.url("/api/SignIn")).send().await.unwrap();
    let callback = sign_in_at_b2c(&fresh, &location(&response), &email, "local").await;
    let response = fresh.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/api/Home");

    // Eleven minutes after the sign-in: renaming still works, adding and removing not.
    assert_eq!(
        add_passkey(&app, &client, &mut key, "Key").await.0.status(),
        303
    );
    let profile = page(&client, &app.url("/api/Profile")).await;
    let id = between(&profile, "data-passkey=\"", "\"").to_owned();
    app.clock.advance(Duration::minutes(11));
    let rename = form(
        csrf_in(&profile),
        "rename",
        &[("id", &id), ("name", "Blue key")],
    );
    assert_eq!(post_form(&client, &url, &rename).await.status(), 303);
    let start = form(csrf_in(&profile), "start", &[("name", "Another")]);
    assert_eq!(post_form(&client, &url, &start).await.status(), 403);
    let response = post_form(&client, &url, &remove(csrf_in(&profile), &id, "yes")).await;
    assert_eq!(response.status(), 403);
    assert!(says(response, "Sign in again").await);
    assert!(
        page(&client, &app.url("/api/Profile"))
            .await
            .contains("Blue key")
    );
}

#[tokio::test]
async fn with_an_ip_address_as_public_base_url_passkeys_are_not_offered() {
    let app = TestApp::spawn().await;
    let email = unique_email("no-rp");
    let client = onboard(&app, &email, "local").await;
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("Passkeys cannot be used at this address"),
        "{profile}"
    );
    assert!(!profile.contains("Add a passkey"));
    let start = form(csrf_in(&profile), "start", &[("name", "Key")]);
    let response = post_form(&client, &app.url("/api/Profile/passkeys"), &start).await;
    assert_eq!(response.status(), 503);
}

/// The passkey rows of the app's `Accounts` table.
async fn passkey_rows(app: &TestApp) -> Vec<serde_json::Value> {
    let mut rows = app.table_rows("Accounts").await;
    rows.retain(|r| r["RowKey"].as_str().unwrap().starts_with("passkey-"));
    rows
}

#[tokio::test]
async fn passkeys_are_exported_by_name_and_date_and_go_with_erasure_and_self_deletion() {
    use crate::privacy::{erase, export, privacy_token};
    let app = TestApp::spawn_on_localhost().await;
    let email = unique_email("pk-data");
    let client = onboard(&app, &email, "local").await;
    let mut key = SoftPasskey::new(true);
    let (response, created) = add_passkey(&app, &client, &mut key, "Desk key").await;
    assert_eq!(response.status(), 303);
    let token = privacy_token(&app);
    let response = export(&app, Some(&token), &email).await;
    assert_eq!(response.status(), 200);
    let found: serde_json::Value = response.json().await.unwrap();
    assert_eq!(found["passkeys"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["passkeys"][0]["name"], "Desk key");
    assert!(found["passkeys"][0]["addedAt"].is_string());
    assert!(found["passkeys"][0]["lastUsedAt"].is_null());
    let credential_id = serde_json::to_value(&created).unwrap()["id"].clone();
    let text = found.to_string();
    assert!(
        !text.contains(credential_id.as_str().unwrap()),
        "no key material: {text}"
    );

    assert_eq!(passkey_rows(&app).await.len(), 1);
    assert_eq!(erase(&app, Some(&token), &email).await.status(), 200);
    assert_eq!(passkey_rows(&app).await.len(), 0, "gone with the erasure");

    // A person deleting their own account takes their passkeys with it.
    let other = unique_email("pk-self");
    let client = onboard(&app, &other, "local").await;
    let (response, _) = add_passkey(&app, &client, &mut key, "Phone").await;
    assert_eq!(response.status(), 303);
    assert_eq!(passkey_rows(&app).await.len(), 1);
    let response = crate::integrity::delete_own_account(&app, &client).await;
    assert_eq!(response.status(), 303);
    assert_eq!(passkey_rows(&app).await.len(), 0, "gone with the account");
}
