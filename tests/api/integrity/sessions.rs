//! Finding 8: ending a session ends it on the server too (a copy of the cookie taken
//! before opens nothing after).

use super::{accept_with, browser_with_jar, newest_link};
use crate::account::{enrol, sign_in};
use crate::support::browser::{company_form, csrf_in, location, page, post_form};
use crate::support::{TestApp, unique_email};
use reqwest::Client;
use reqwest::cookie::CookieStore as _;
use serde_json::json;

/// Invites `email`, accepts in `client` and creates the company.
async fn onboard_in(app: &TestApp, client: &Client, email: &str) {
    app.invite(json!({"email": email, "company": {"name": "Session Test SA"}}))
        .await;
    let response = accept_with(client, &newest_link(email, 1).await, email, "local").await;
    assert_eq!(location(&response), "/api/CreateCompany");
    let form = page(client, &app.url("/api/CreateCompany")).await;
    let response = post_form(
        client,
        &app.url("/api/CreateCompany"),
        &company_form(&csrf_in(&form)),
    )
    .await;
    assert_eq!(location(&response), "/api/Home");
}

/// A copy of the browser's cookies for the app (what a copied profile holds).
fn copy(app: &TestApp, jar: &reqwest::cookie::Jar) -> String {
    let url = url::Url::parse(&app.url("/api/Home")).unwrap();
    jar.cookies(&url)
        .expect("the browser holds a session")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The status `client` gets for the profile.
async fn profile_status(app: &TestApp, client: &Client) -> u16 {
    let response = client.get(app.url("/api/Profile")).send().await.unwrap();
    response.status().as_u16()
}

/// Signs `client` out (the form on Home).
async fn sign_out(app: &TestApp, client: &Client) -> reqwest::Response {
    let home = page(client, &app.url("/api/Home")).await;
    post_sign_out(app, client, &home).await
}

/// Posts the sign-out form of the `home` page `client` holds.
async fn post_sign_out(app: &TestApp, client: &Client, home: &str) -> reqwest::Response {
    let form = [("csrf", csrf_in(home))];
    post_form(client, &app.url("/api/SignOut"), &form).await
}

/// What a copy of the cookies opens: the status of Home and of the profile.
async fn opens(app: &TestApp, cookies: &str) -> (u16, u16) {
    let plain = crate::support::browser::browser();
    let mut statuses = Vec::new();
    for path in ["/api/Home", "/api/Profile"] {
        let response = plain
            .get(app.url(path))
            .header("cookie", cookies)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    (statuses[0], statuses[1])
}

#[tokio::test]
async fn signing_out_and_turning_mfa_on_end_every_copy_of_the_session() {
    let app = TestApp::spawn().await;
    let email = unique_email("copy");
    let (client, jar) = browser_with_jar();
    onboard_in(&app, &client, &email).await;
    let copied = copy(&app, &jar);
    assert_eq!(
        opens(&app, &copied).await,
        (200, 200),
        "the copy works while signed in"
    );
    assert_eq!(sign_out(&app, &client).await.status(), 303);
    let (home, profile) = opens(&app, &copied).await;
    assert!(
        home != 200 && profile != 200,
        "signed out: the copy opens nothing ({home}, {profile})"
    );

    // Signed in again (a new session works), the copy stays dead.
    let (again, response) = sign_in(&app, &email, "local").await;
    assert_eq!(location(&response), "/api/Home");
    let home = page(&again, &app.url("/api/Home")).await;
    assert!(
        home.contains("URS Machining SA"),
        "the new session works: {home}"
    );
    assert_ne!(opens(&app, &copied).await.0, 200);

    // Two sessions; turning MFA on in one ends the other, and not the one that did it.
    let (other, _) = sign_in(&app, &email, "local").await;
    assert_eq!(profile_status(&app, &other).await, 200);
    enrol(&app, &again).await;
    let going_on = profile_status(&app, &again).await;
    assert_eq!(going_on, 200, "the session that turned MFA on goes on");
    let ended = profile_status(&app, &other).await;
    assert_ne!(ended, 200, "the other session is ended");
}

/// What ending sessions costs: a signed-in page reads the login's row as before (the mark
/// rides on it); sign-out adds the account's logins and one merge per login.
#[tokio::test]
async fn ending_sessions_costs_signed_in_pages_nothing_and_sign_out_a_few_calls() {
    let (app, calls) = TestApp::spawn_counted(vec![]).await;
    let email = unique_email("counted");
    let (client, _) = browser_with_jar();
    onboard_in(&app, &client, &email).await;
    calls.take();
    page(&client, &app.url("/api/Profile")).await;
    // The login's row (account and mark), then the profile, logins and MFA row, and the
    // passkeys (one query, issue #27).
    crate::capacity::check("GET /api/Profile", &calls.take(), 5);
    let home = page(&client, &app.url("/api/Home")).await;
    calls.take();
    assert_eq!(post_sign_out(&app, &client, &home).await.status(), 303);
    // The login's row, the account's logins, one merge for its one login.
    crate::capacity::check("POST /api/SignOut", &calls.take(), 3);
}
