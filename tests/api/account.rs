//! The customer's account over HTTP, with real authorization-code flows against the local
//! B2C stand-in: returning sign-in, linking and unlinking logins, authenticator-app MFA
//! (codes computed here from the secret read off the page).

use crate::support::browser::{
    browser, company_form, csrf_in, location, page, param, post_form, sign_in_at_b2c,
};
use crate::support::totp::code_at;
use crate::support::{TestApp, mailbox, stack, unique_email};
use invitations::clock::Clock as _;
use reqwest::Client;
use serde_json::json;
use time::Duration;

/// Invites `email`, accepts with a login of `idp` and creates the company: the client
/// comes back signed in.
pub(crate) async fn onboard(app: &TestApp, email: &str, idp: &str) -> Client {
    let link = invite(app, email).await;
    onboard_with_link(app, &link, email, idp).await
}

/// Invites `email` and returns the link of the email that invitation sent.
pub(crate) async fn invite(app: &TestApp, email: &str) -> String {
    let before = mailbox::all_to(&stack().maildev_url, email).await.len();
    app.invite(json!({"email": email, "company": {"name": "URS Machining SA"}}))
        .await;
    let mails = mailbox::wait_for(&stack().maildev_url, email, before + 1).await;
    assert_eq!(mails.len(), before + 1, "the invitation email arrived");
    mailbox::link_in(mails.last().unwrap())
}

pub(crate) async fn onboard_with_link(app: &TestApp, link: &str, email: &str, idp: &str) -> Client {
    let client = browser();
    let response = client.get(link).send().await.unwrap();
    let callback = sign_in_at_b2c(&client, &location(&response), email, idp).await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/api/CreateCompany");
    let form = page(&client, &app.url("/api/CreateCompany")).await;
    let mut fields = company_form(&csrf_in(&form));
    fields[0].1 = format!("Company of {email}");
    let response = post_form(&client, &app.url("/api/CreateCompany"), &fields).await;
    assert_eq!(location(&response), "/api/Home");
    client
}

/// A returning sign-in with a fresh browser: the response of `/api/AuthCallback`.
pub(crate) async fn sign_in(app: &TestApp, email: &str, idp: &str) -> (Client, reqwest::Response) {
    let client = browser();
    let response = client.get(app.url("/api/SignIn")).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let callback = sign_in_at_b2c(&client, &location(&response), email, idp).await;
    assert!(callback.contains("/api/AuthCallback?"), "{callback}");
    let response = client.get(&callback).send().await.unwrap();
    (client, response)
}

/// Starts linking `provider` from the profile and signs in at the provider as `email`.
pub(crate) async fn link(
    app: &TestApp,
    client: &Client,
    provider: &str,
    email: &str,
) -> reqwest::Response {
    link_as(app, client, provider, email, None).await
}

/// The same, signing in at the provider with the login of `idp` when given (else the
/// provider's own).
pub(crate) async fn link_as(
    app: &TestApp,
    client: &Client,
    provider: &str,
    email: &str,
    idp_used: Option<&str>,
) -> reqwest::Response {
    let profile = page(client, &app.url("/api/Profile")).await;
    let response = post_form(
        client,
        &app.url("/api/Profile/link"),
        &[("csrf", csrf_in(&profile)), ("provider", provider.into())],
    )
    .await;
    assert_eq!(response.status(), 303);
    let authorize = location(&response);
    let idp = if provider == "microsoft" {
        "live.com"
    } else {
        "google.com"
    };
    assert_eq!(param(&authorize, "domain_hint").as_deref(), Some(idp));
    let callback = sign_in_at_b2c(client, &authorize, email, idp_used.unwrap_or(idp)).await;
    client.get(&callback).send().await.unwrap()
}

pub(crate) fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    &html[from..from + html[from..].find(end).unwrap()]
}

/// Turns MFA on from the profile; returns the secret (as read off the page) and the
/// recovery codes.
pub(crate) async fn enrol(app: &TestApp, client: &Client) -> (String, Vec<String>) {
    let html = page(client, &app.url("/api/Profile/mfa")).await;
    let secret = between(&html, "<code id=\"secret\">", "</code>").replace(' ', "");
    let code = code_at(&secret, app.clock.now());
    let response = post_form(
        client,
        &app.url("/api/Profile/mfa"),
        &[
            ("csrf", csrf_in(&html)),
            ("action", "enable".into()),
            ("code", code),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let list = between(
        &html,
        "<ul class=\"recovery\" id=\"recovery-codes\">",
        "</ul>",
    );
    let codes = list
        .split("<code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// Posts the code asked after a sign-in.
pub(crate) async fn give_code(app: &TestApp, client: &Client, code: &str) -> reqwest::Response {
    let html = page(client, &app.url("/api/Profile/mfa")).await;
    assert!(html.contains("Enter your code"), "{html}");
    post_form(
        client,
        &app.url("/api/Profile/mfa"),
        &[
            ("csrf", csrf_in(&html)),
            ("action", "challenge".into()),
            ("code", code.into()),
        ],
    )
    .await
}

#[tokio::test]
async fn a_returning_customer_signs_in_and_lands_on_home() {
    let app = TestApp::spawn().await;
    let email = unique_email("returning");
    onboard(&app, &email, "local").await;

    let client = browser();
    let response = client.get(app.url("/api/SignIn")).send().await.unwrap();
    let authorize = location(&response);
    assert_eq!(
        param(&authorize, "redirect_uri"),
        Some(format!("{}/api/AuthCallback", app.address))
    );
    assert_eq!(
        param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let callback = sign_in_at_b2c(&client, &authorize, &email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/api/Home");
    let home = page(&client, &app.url("/api/Home")).await;
    assert!(home.contains(&format!("<li>Company of {email} ")), "{home}");

    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        profile.contains(&email) && profile.contains("Email and password"),
        "{profile}"
    );
    assert!(profile.contains("data-mfa=\"off\""));

    // The callback is single use.
    let again = client.get(&callback).send().await.unwrap();
    assert_eq!(again.status(), 400);

    // In French.
    let french = browser();
    let response = french
        .get(app.url("/api/SignIn?lang=fr"))
        .send()
        .await
        .unwrap();
    let authorize = location(&response);
    assert_eq!(param(&authorize, "ui_locales").as_deref(), Some("fr"));
    let callback = sign_in_at_b2c(&french, &authorize, &email, "local").await;
    french.get(&callback).send().await.unwrap();
    let profile = page(&french, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("Votre profil") && profile.contains("E-mail et mot de passe"),
        "{profile}"
    );
    assert!(
        profile.contains("Application d&#39;authentification"),
        "{profile}"
    );
}

#[tokio::test]
async fn someone_without_an_account_is_told_they_need_an_invitation() {
    let app = TestApp::spawn().await;
    let (client, response) = sign_in(&app, &unique_email("stranger"), "google.com").await;
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(html.contains("You need an invitation"), "{html}");
    let home = client.get(app.url("/api/Home")).send().await.unwrap();
    assert_eq!(
        home.status(),
        302,
        "no session was granted: a sign-in is asked"
    );
}

#[tokio::test]
async fn a_customer_links_microsoft_then_signs_in_with_it_and_can_unlink() {
    let app = TestApp::spawn().await;
    let email = unique_email("linker");
    let client = onboard(&app, &email, "local").await;

    let response = link(&app, &client, "microsoft", &email).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/api/Profile");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("Your Microsoft login is linked"),
        "{profile}"
    );
    assert!(
        profile.contains("data-provider=\"Microsoft\"")
            && profile.contains("data-provider=\"Email and password\"")
    );
    // The notice is shown once.
    assert!(
        !page(&client, &app.url("/api/Profile"))
            .await
            .contains("is linked")
    );

    // The Microsoft login opens the same account.
    let (microsoft, response) = sign_in(&app, &email, "live.com").await;
    assert_eq!(location(&response), "/api/Home");
    let home = page(&microsoft, &app.url("/api/Home")).await;
    assert!(home.contains(&format!("<li>Company of {email} ")), "{home}");
    let profiles = app
        .table_rows("Accounts")
        .await
        .into_iter()
        .filter(|r| r["RowKey"] == "profile" && r["Email"] == email.as_str())
        .count();
    assert_eq!(profiles, 1, "one account, two logins");
    // Each login's tenant and object id lead to the account (issue #26: the Microsoft
    // login's at its first sign-in as a known login).
    let object_rows = || async {
        let rows = app.table_rows("Accounts").await;
        rows.iter()
            .filter(|r| r["PartitionKey"].as_str().unwrap().starts_with("object-"))
            .count()
    };
    assert_eq!(object_rows().await, 2);

    // The login in use cannot be removed; the other one can; then the last one cannot.
    let unlink_keys = |html: &str| -> Vec<String> {
        html.split("name=\"unlink\" value=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect()
    };
    let microsoft_key = unlink_keys(&page(&client, &app.url("/api/Profile")).await);
    assert_eq!(
        microsoft_key.len(),
        1,
        "from the password session, Microsoft is removable"
    );
    let html = page(&microsoft, &app.url("/api/Profile")).await;
    let csrf = csrf_in(&html);
    let local_key = unlink_keys(&html);
    assert_eq!(
        local_key.len(),
        1,
        "only the other login shows a Remove button"
    );
    let unlink = |key: &str| {
        let confirmed = ("confirm", "yes".to_owned());
        vec![
            ("csrf", csrf.clone()),
            ("unlink", key.to_owned()),
            confirmed,
        ]
    };
    let response = post_form(
        &microsoft,
        &app.url("/api/Profile/link"),
        &unlink(&microsoft_key[0]),
    )
    .await;
    assert_eq!(response.status(), 409, "the login in use stays");
    // Removing a login asks first (issue #28, item 8): nothing removed by the first post.
    let first = vec![("csrf", csrf.clone()), ("unlink", local_key[0].clone())];
    let asked = post_form(&microsoft, &app.url("/api/Profile/link"), &first).await;
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert!(asked.contains("id=\"remove-confirm\""), "{asked}");
    let html = page(&microsoft, &app.url("/api/Profile")).await;
    assert_eq!(unlink_keys(&html).len(), 1, "still there: {html}");
    let response = post_form(
        &microsoft,
        &app.url("/api/Profile/link"),
        &unlink(&local_key[0]),
    )
    .await;
    assert_eq!(location(&response), "/api/Profile");
    let html = page(&microsoft, &app.url("/api/Profile")).await;
    assert!(html.contains("login was removed"), "{html}");
    assert_eq!(
        object_rows().await,
        1,
        "the removed login's index row went with it"
    );
    assert!(
        !html.contains("data-provider=\"Email and password\"") && unlink_keys(&html).is_empty()
    );
    // One person, one account: a login of the account's own verified address joins it
    // again at its next sign-in (it is listed again, not a second account).
    let (again, response) = sign_in(&app, &email, "local").await;
    assert_eq!(location(&response), "/api/Home");
    let html = page(&again, &app.url("/api/Profile")).await;
    assert!(html.contains("Email and password"), "{html}");
}

#[tokio::test]
async fn linking_is_refused_for_another_email_an_owned_login_or_an_old_sign_in() {
    let app = TestApp::spawn().await;
    let email = unique_email("careful");
    let client = onboard(&app, &email, "local").await;

    // Another address: nothing linked.
    let other = unique_email("someone-else");
    let response = link(&app, &client, "microsoft", &other).await;
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&email) && html.contains(&other),
        "names both: {html}"
    );
    let (_, response) = sign_in(&app, &other, "live.com").await;
    assert_eq!(
        response.status(),
        403,
        "the other address's login opens nothing"
    );

    // A form without its CSRF token changes nothing.
    let response = post_form(
        &client,
        &app.url("/api/Profile/link"),
        &[("provider", "google".into())],
    )
    .await;
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("href=\"/api/Profile\""),
        "reload the profile's form: {html}"
    );

    // An old sign-in: asked to sign in again, not sent to the provider.
    app.clock.advance(Duration::minutes(11));
    let profile = page(&client, &app.url("/api/Profile")).await;
    let response = post_form(
        &client,
        &app.url("/api/Profile/link"),
        &[("csrf", csrf_in(&profile)), ("provider", "google".into())],
    )
    .await;
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(html.contains("sign in again"), "{html}");
    // The sign-in again goes on with the link asked for (pages.rs follows it).
    assert!(
        html.contains("/api/SignIn?prompt=login&#38;next=link-google"),
        "{html}"
    );
}

/// One person, one account: a second company invitation of the same address, accepted
/// with another login, makes no second account (before, it did; linking then answered
/// "belongs to another account").
#[tokio::test]
async fn a_second_login_of_the_same_address_onboards_into_the_one_account() {
    let app = TestApp::spawn().await;
    let email = unique_email("twice");
    // First company with a Microsoft login, second (a new invitation) with a password.
    onboard(&app, &email, "live.com").await;
    let client = onboard(&app, &email, "local").await;

    let response = link(&app, &client, "microsoft", &email).await;
    assert_eq!(location(&response), "/api/Profile");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(profile.contains("Nothing was linked"), "{profile}");
    let (microsoft, _) = sign_in(&app, &email, "live.com").await;
    let profile = page(&microsoft, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("data-provider=\"Email and password\""),
        "one account: {profile}"
    );
    let home = page(&microsoft, &app.url("/api/Home")).await;
    assert_eq!(
        home.matches(&format!("Company of {email}")).count(),
        2,
        "{home}"
    );
}

#[tokio::test]
async fn mfa_turns_on_after_a_correct_code_and_is_asked_at_every_sign_in() {
    let app = TestApp::spawn().await;
    let email = unique_email("mfa");
    let client = onboard(&app, &email, "local").await;

    let html = page(&client, &app.url("/api/Profile/mfa")).await;
    assert!(
        html.contains("src=\"data:image/svg+xml;base64,"),
        "a QR code drawn here"
    );
    let secret = between(&html, "<code id=\"secret\">", "</code>").replace(' ', "");
    assert!(secret.len() >= 32, "at least 160 bits");
    let otpauth = between(&html, "id=\"otpauth\" href=\"", "\"")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(
        otpauth.starts_with("otpauth://totp/") && otpauth.contains(&format!("secret={secret}")),
        "{otpauth}"
    );
    assert!(
        otpauth.contains("algorithm=SHA1")
            && otpauth.contains("digits=6")
            && otpauth.contains("period=30")
    );

    // A wrong code: refused, MFA stays off.
    let right = code_at(&secret, app.clock.now());
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let response = post_form(
        &client,
        &app.url("/api/Profile/mfa"),
        &[
            ("csrf", csrf_in(&html)),
            ("action", "enable".into()),
            ("code", wrong),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("not right"));
    assert!(
        page(&client, &app.url("/api/Profile"))
            .await
            .contains("data-mfa=\"off\"")
    );

    let response = post_form(
        &client,
        &app.url("/api/Profile/mfa"),
        &[
            ("csrf", csrf_in(&html)),
            ("action", "enable".into()),
            ("code", right.clone()),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let codes: std::collections::HashSet<_> = between(&html, "id=\"recovery-codes\">", "</ul>")
        .split("<code>")
        .skip(1)
        .collect();
    assert_eq!(codes.len(), 10, "ten distinct recovery codes");
    assert!(
        page(&client, &app.url("/api/Profile"))
            .await
            .contains("data-mfa=\"on\"")
    );

    // The secret is sealed at rest.
    let row = app
        .table_rows("Accounts")
        .await
        .into_iter()
        .find(|r| r["RowKey"] == "mfa")
        .unwrap();
    let stored = row["Secret"].as_str().unwrap();
    assert!(
        stored.starts_with("v2.") && !stored.contains(&secret[..16]),
        "{stored}"
    );

    // Signing in again asks for the code before any session.
    let (again, response) = sign_in(&app, &email, "local").await;
    assert_eq!(location(&response), "/api/Profile/mfa");
    assert_eq!(
        again
            .get(app.url("/api/Home"))
            .send()
            .await
            .unwrap()
            .status(),
        302,
        "no session before the code: a sign-in is asked"
    );
    // The code that turned MFA on cannot be used again, even in its window.
    let response = give_code(&app, &again, &right).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("already used"));

    // One step of drift: the previous step's code of a later time is accepted.
    app.clock.advance(Duration::seconds(60));
    let behind = code_at(&secret, app.clock.now() - Duration::seconds(30));
    let response = give_code(&app, &again, &behind).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/api/Home");
    assert_eq!(
        again
            .get(app.url("/api/Home"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Replayed by another sign-in within its window: refused.
    let (third, _) = sign_in(&app, &email, "local").await;
    assert_eq!(give_code(&app, &third, &behind).await.status(), 422);
    // Two steps ahead: refused.
    let ahead = code_at(&secret, app.clock.now() + Duration::seconds(60));
    assert_eq!(give_code(&app, &third, &ahead).await.status(), 422);
}

#[tokio::test]
async fn wrong_codes_are_throttled_and_recovery_codes_work_once() {
    let app = TestApp::spawn().await;
    let email = unique_email("throttle");
    let client = onboard(&app, &email, "local").await;
    let (secret, recovery) = enrol(&app, &client).await;
    app.clock.advance(Duration::seconds(30));

    let (browser_a, _) = sign_in(&app, &email, "local").await;
    for _ in 0..5 {
        assert_eq!(give_code(&app, &browser_a, "000000").await.status(), 422);
    }
    let right = code_at(&secret, app.clock.now());
    let response = give_code(&app, &browser_a, &right).await;
    assert_eq!(response.status(), 429, "throttled even with the right code");
    assert!(response.headers().contains_key("retry-after"));
    // Across browsers too: it is the account that is throttled.
    let (browser_b, _) = sign_in(&app, &email, "local").await;
    assert_eq!(give_code(&app, &browser_b, &right).await.status(), 429);

    app.clock.advance(Duration::minutes(15));
    let (browser_c, _) = sign_in(&app, &email, "local").await;
    let response = give_code(&app, &browser_c, &recovery[0].to_uppercase()).await;
    assert_eq!(location(&response), "/api/Home");
    let (browser_d, _) = sign_in(&app, &email, "local").await;
    assert_eq!(
        give_code(&app, &browser_d, &recovery[0]).await.status(),
        422,
        "used once only"
    );
    let response = give_code(&app, &browser_d, &recovery[1]).await;
    assert_eq!(location(&response), "/api/Home");
}

#[tokio::test]
async fn turning_mfa_off_needs_a_current_code() {
    let app = TestApp::spawn().await;
    let email = unique_email("mfa-off");
    let client = onboard(&app, &email, "local").await;
    let (secret, _) = enrol(&app, &client).await;
    app.clock.advance(Duration::seconds(30));

    let html = page(&client, &app.url("/api/Profile/mfa")).await;
    assert!(html.contains("Authenticator app is on"));
    let form = |code: String| {
        vec![
            ("csrf", csrf_in(&html)),
            ("action", "disable".into()),
            ("code", code),
        ]
    };
    let response = post_form(
        &client,
        &app.url("/api/Profile/mfa"),
        &form("123456".into()),
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(
        page(&client, &app.url("/api/Profile"))
            .await
            .contains("data-mfa=\"on\"")
    );
    let response = post_form(
        &client,
        &app.url("/api/Profile/mfa"),
        &form(code_at(&secret, app.clock.now())),
    )
    .await;
    assert_eq!(location(&response), "/api/Profile");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("data-mfa=\"off\"") && profile.contains("turned off"),
        "{profile}"
    );
    let (_, response) = sign_in(&app, &email, "local").await;
    assert_eq!(location(&response), "/api/Home", "no code asked any more");
}

#[tokio::test]
async fn with_mfa_on_linking_asks_for_the_code_first() {
    let app = TestApp::spawn().await;
    let email = unique_email("mfa-link");
    let client = onboard(&app, &email, "local").await;
    let (secret, _) = enrol(&app, &client).await;

    let response = link(&app, &client, "google", &email).await;
    assert_eq!(location(&response), "/api/Profile/mfa");
    // A sign-in with that Google login (the account's address) is held for the code too.
    let (google, response) = sign_in(&app, &email, "google.com").await;
    assert_eq!(
        location(&response),
        "/api/Profile/mfa",
        "not linked before the code"
    );
    let held = google.get(app.url("/api/Profile")).send().await.unwrap();
    assert_ne!(held.status(), 200, "no session before the code");
    drop(google);

    app.clock.advance(Duration::seconds(30));
    let response = give_code(&app, &client, &code_at(&secret, app.clock.now())).await;
    assert_eq!(location(&response), "/api/Profile");
    assert!(
        page(&client, &app.url("/api/Profile"))
            .await
            .contains("Your Google login is linked")
    );
}

#[tokio::test]
async fn without_a_cookie_key_mfa_is_not_offered_to_be_lost() {
    let app = TestApp::spawn_with(vec![("COOKIE_KEY", None)], |_| {}).await;
    let email = unique_email("nokey");
    let client = onboard(&app, &email, "local").await;
    let response = client
        .get(app.url("/api/Profile/mfa"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("COOKIE_KEY"));
}

#[tokio::test]
async fn an_existing_customer_with_mfa_gives_the_code_to_accept_another_invitation() {
    let app = TestApp::spawn().await;
    let email = unique_email("second");
    let client = onboard(&app, &email, "local").await;
    let (secret, _) = enrol(&app, &client).await;

    let link = invite(&app, &email).await;
    let second = browser();
    let response = second.get(&link).send().await.unwrap();
    let callback = sign_in_at_b2c(&second, &location(&response), &email, "local").await;
    let response = second.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/api/Profile/mfa");
    let form = second
        .get(app.url("/api/CreateCompany"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 401, "no session before the code");

    app.clock.advance(Duration::seconds(30));
    let response = give_code(&app, &second, &code_at(&secret, app.clock.now())).await;
    assert_eq!(location(&response), "/api/CreateCompany");
    let form = second
        .get(app.url("/api/CreateCompany"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
}

#[tokio::test]
async fn one_code_sent_by_two_sign_ins_at_once_is_accepted_once() {
    let app = TestApp::spawn().await;
    let email = unique_email("race-code");
    let client = onboard(&app, &email, "local").await;
    let (secret, _) = enrol(&app, &client).await;
    app.clock.advance(Duration::seconds(30));

    let mut browsers = Vec::new();
    for _ in 0..6 {
        browsers.push(sign_in(&app, &email, "local").await.0);
    }
    let code = code_at(&secret, app.clock.now());
    let statuses = futures::future::join_all(browsers.iter().map(|b| give_code(&app, b, &code)))
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect::<Vec<_>>();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    // The others are refused: as a used code (422), or, since every attempt is counted
    // before its code is checked, as one over the attempt limit (429).
    assert!(
        statuses.iter().all(|s| matches!(*s, 303 | 422 | 429)),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_customer_who_accepted_but_left_before_the_form_is_brought_back_to_it() {
    let app = TestApp::spawn().await;
    let email = unique_email("unfinished");
    let link = invite(&app, &email).await;
    let first = browser();
    let response = first.get(&link).send().await.unwrap();
    let callback = sign_in_at_b2c(&first, &location(&response), &email, "google.com").await;
    assert_eq!(
        location(&first.get(&callback).send().await.unwrap()),
        "/api/CreateCompany"
    );

    let (later, response) = sign_in(&app, &email, "google.com").await;
    assert_eq!(location(&response), "/api/CreateCompany");
    let form = page(&later, &app.url("/api/CreateCompany")).await;
    assert!(form.contains("URS Machining SA"), "{form}");
    // Another login with the same email does not get it: accounts are found by login.
    let (_, response) = sign_in(&app, &email, "live.com").await;
    assert_eq!(response.status(), 403);
}
