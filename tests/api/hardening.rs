//! What an outside security review found (issue 12), each against the real handler, real
//! Azurite and real authorization-code flows: parallel code guesses, `COOKIE_KEY`
//! rotation, unverified email claims, per-session enrolment, recovery codes at rest and
//! the MFA row's integrity, and one email comparison rule.

use crate::account::{between, enrol, give_code, link, onboard, sign_in};
use crate::support::browser::{csrf_in, location, page, param, post_form};
use crate::support::tokens::{self, SIGNING};
use crate::support::totp::code_at;
use crate::support::{Overrides, TestApp, random_cookie_key, unique_email};
use invitations::clock::Clock as _;
use serde_json::{Value, json};
use time::Duration;

/// A six-digit code the app does not show around now (a step either side included).
fn wrong_code(app: &TestApp, secret: &str) -> String {
    let now = app.clock.now();
    let near: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|s| code_at(secret, now + Duration::seconds(*s)))
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .unwrap()
}

/// The account's MFA row, as the table holds it.
async fn mfa_row(app: &TestApp) -> Value {
    app.table_rows("Accounts")
        .await
        .into_iter()
        .find(|r| r["RowKey"] == "mfa")
        .expect("an MFA row")
}

#[tokio::test]
async fn fifty_wrong_codes_sent_at_once_are_checked_at_most_five_times() {
    let app = TestApp::spawn().await;
    let email = unique_email("parallel");
    let client = onboard(&app, &email, "local").await;
    let (secret, _) = enrol(&app, &client).await;
    app.clock.advance(Duration::seconds(30));

    let (held, _) = sign_in(&app, &email, "local").await;
    let html = page(&held, &app.url("/api/Profile/mfa")).await;
    let csrf = csrf_in(&html);
    let wrong = wrong_code(&app, &secret);
    let post = |code: String| {
        let form = vec![
            ("csrf", csrf.clone()),
            ("action", "challenge".to_owned()),
            ("code", code),
        ];
        let held = held.clone();
        let url = app.url("/api/Profile/mfa");
        async move { held.post(url).form(&form).send().await.unwrap() }
    };
    let answers = futures::future::join_all((0..50).map(|_| post(wrong.clone()))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    let checked = statuses.iter().filter(|s| **s == 422).count();
    assert!(
        checked <= 5,
        "{checked} wrong codes were checked: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [422, 429, 503].contains(s)),
        "refused, never let through: {statuses:?}"
    );
    let counted: Vec<i64> = app
        .table_rows("Limits")
        .await
        .iter()
        .filter(|r| r["PartitionKey"].as_str().unwrap().starts_with("mfa-"))
        .map(|r| r["Count"].as_i64().unwrap())
        .collect();
    assert!(counted.iter().all(|c| *c <= 5), "{counted:?}");

    // Over the limit, even the right code is refused for the rest of the window.
    let right = code_at(&secret, app.clock.now());
    let response = post(right).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        held.get(app.url("/api/Home"))
            .send()
            .await
            .unwrap()
            .status(),
        302
    );

    // The next window checks codes again.
    app.clock.advance(Duration::minutes(15));
    let (later, _) = sign_in(&app, &email, "local").await;
    let response = give_code(&app, &later, &code_at(&secret, app.clock.now())).await;
    assert_eq!(location(&response), "/api/Home");
}

#[tokio::test]
async fn right_codes_do_not_use_up_the_attempts() {
    let app = TestApp::spawn().await;
    let email = unique_email("many-sign-ins");
    let client = onboard(&app, &email, "local").await;
    let (secret, _) = enrol(&app, &client).await;
    for _ in 0..7 {
        app.clock.advance(Duration::seconds(30));
        let (again, _) = sign_in(&app, &email, "local").await;
        let response = give_code(&app, &again, &code_at(&secret, app.clock.now())).await;
        assert_eq!(location(&response), "/api/Home");
    }
}

/// Another handler on the same tables, with other settings (a restart after a change of
/// app settings).
async fn restart(first: &TestApp, overrides: Overrides) -> TestApp {
    let mut overrides = overrides;
    overrides.push(("TABLE_PREFIX", Some(first.table_prefix.clone())));
    TestApp::spawn_with(overrides, |_| {}).await
}

#[tokio::test]
async fn a_cookie_key_rotation_keeps_sessions_and_authenticator_apps_working() {
    let (old_key, new_key) = (random_cookie_key(), random_cookie_key());
    let before = TestApp::spawn_with(vec![("COOKIE_KEY", Some(old_key.clone()))], |_| {}).await;
    let email = unique_email("rotation");
    let client = onboard(&before, &email, "local").await;
    let (secret, recovery) = enrol(&before, &client).await;
    let sealed_before = mfa_row(&before).await["Secret"]
        .as_str()
        .unwrap()
        .to_owned();

    let after = restart(
        &before,
        vec![
            ("COOKIE_KEY", Some(new_key.clone())),
            ("COOKIE_KEY_PREVIOUS", Some(old_key.clone())),
        ],
    )
    .await;
    // The session cookie made with the old key still opens.
    let profile = client.get(after.url("/api/Profile")).send().await.unwrap();
    assert_eq!(profile.status(), 200);
    // A sign-in asks for the code, takes it, and seals the secret again with the new key.
    after.clock.advance(Duration::seconds(60));
    let (signed_in, response) = sign_in(&after, &email, "local").await;
    assert_eq!(location(&response), "/api/Profile/mfa");
    let response = give_code(&after, &signed_in, &code_at(&secret, after.clock.now())).await;
    assert_eq!(location(&response), "/api/Home");
    let sealed_after = mfa_row(&before).await["Secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let key_id = |sealed: &str| sealed.split('.').nth(1).unwrap().to_owned();
    assert!(sealed_after.starts_with("v2."), "{sealed_after}");
    assert_ne!(key_id(&sealed_after), key_id(&sealed_before));

    // Once every row moved, the old key can go: the app's codes and cookies made since work.
    let only_new = restart(&before, vec![("COOKIE_KEY", Some(new_key.clone()))]).await;
    only_new.clock.advance(Duration::seconds(120));
    let (signed_in, _) = sign_in(&only_new, &email, "local").await;
    let response = give_code(
        &only_new,
        &signed_in,
        &code_at(&secret, only_new.clock.now()),
    )
    .await;
    assert_eq!(location(&response), "/api/Home");
    // Recovery codes made under the old key need it: with it, they still work.
    let with_old = restart(
        &before,
        vec![
            ("COOKIE_KEY", Some(new_key)),
            ("COOKIE_KEY_PREVIOUS", Some(old_key)),
        ],
    )
    .await;
    let (signed_in, _) = sign_in(&with_old, &email, "local").await;
    let response = give_code(&with_old, &signed_in, &recovery[0]).await;
    assert_eq!(location(&response), "/api/Home");
}

#[tokio::test]
async fn without_a_cookie_key_an_account_with_mfa_is_refused_not_let_in() {
    let first = TestApp::spawn().await;
    let email = unique_email("keyless");
    let client = onboard(&first, &email, "local").await;
    enrol(&first, &client).await;

    let keyless = restart(&first, vec![("COOKIE_KEY", None)]).await;
    let (signed_in, response) = sign_in(&keyless, &email, "local").await;
    assert_eq!(location(&response), "/api/Profile/mfa", "the code is asked");
    let response = signed_in
        .get(keyless.url("/api/Profile/mfa"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("COOKIE_KEY"));
    let form = [
        ("action", "challenge".to_owned()),
        ("code", "123456".to_owned()),
    ];
    let response = signed_in
        .post(keyless.url("/api/Profile/mfa"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_ne!(response.status(), 303);
    assert_eq!(
        signed_in
            .get(keyless.url("/api/Home"))
            .send()
            .await
            .unwrap()
            .status(),
        302,
        "never signed in without the code"
    );
}

#[tokio::test]
async fn each_enrolment_has_its_own_secret_tied_to_the_session_that_started_it() {
    let app = TestApp::spawn().await;
    let email = unique_email("enrolments");
    let first = onboard(&app, &email, "local").await;
    let (second, _) = sign_in(&app, &email, "local").await;

    let secret_of = |html: &str| between(html, "<code id=\"secret\">", "</code>").replace(' ', "");
    let first_page = page(&first, &app.url("/api/Profile/mfa")).await;
    let second_page = page(&second, &app.url("/api/Profile/mfa")).await;
    let (first_secret, second_secret) = (secret_of(&first_page), secret_of(&second_page));
    assert_ne!(first_secret, second_secret, "one secret per enrolment");
    assert_eq!(
        secret_of(&page(&first, &app.url("/api/Profile/mfa")).await),
        first_secret,
        "a reload shows the same enrolment"
    );
    let enable = |html: &str, code: String| {
        vec![
            ("csrf", csrf_in(html)),
            ("action", "enable".to_owned()),
            ("code", code),
        ]
    };
    // The second session cannot turn MFA on with the first one's secret.
    let response = post_form(
        &second,
        &app.url("/api/Profile/mfa"),
        &enable(&second_page, code_at(&first_secret, app.clock.now())),
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(
        page(&second, &app.url("/api/Profile"))
            .await
            .contains("data-mfa=\"off\"")
    );
    // Nor does another session's enrolment cookie serve it.
    let response = post_form(
        &first,
        &app.url("/api/Profile/mfa"),
        &enable(&second_page, code_at(&second_secret, app.clock.now())),
    )
    .await;
    assert_eq!(response.status(), 403, "the form is not this session's");

    // An old sign-in shows no secret and turns nothing on or off.
    app.clock.advance(Duration::minutes(11));
    let (fresh, _) = sign_in(&app, &email, "local").await;
    let response = second
        .get(app.url("/api/Profile/mfa"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the enrolment it started is kept");
    let response = post_form(
        &second,
        &app.url("/api/Profile/mfa"),
        &enable(&second_page, code_at(&second_secret, app.clock.now())),
    )
    .await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("sign in again"));
    let fresh_page = page(&fresh, &app.url("/api/Profile/mfa")).await;
    let fresh_secret = secret_of(&fresh_page);
    let response = post_form(
        &fresh,
        &app.url("/api/Profile/mfa"),
        &enable(&fresh_page, code_at(&fresh_secret, app.clock.now())),
    )
    .await;
    assert_eq!(response.status(), 200, "a recent sign-in turns it on");

    app.clock.advance(Duration::minutes(11));
    let manage = page(&fresh, &app.url("/api/Profile/mfa")).await;
    let response = post_form(
        &fresh,
        &app.url("/api/Profile/mfa"),
        &[
            ("csrf", csrf_in(&manage)),
            ("action", "disable".to_owned()),
            ("code", code_at(&fresh_secret, app.clock.now())),
        ],
    )
    .await;
    assert_eq!(response.status(), 403);
    assert!(
        page(&fresh, &app.url("/api/Profile"))
            .await
            .contains("data-mfa=\"on\""),
        "an old sign-in does not turn MFA off"
    );
}

#[tokio::test]
async fn recovery_codes_are_kept_keyed_and_the_mfa_row_resists_table_edits() {
    use sha2::Digest as _;
    let app = TestApp::spawn().await;
    let email = unique_email("row-edit");
    let client = onboard(&app, &email, "local").await;
    let (secret, recovery) = enrol(&app, &client).await;

    let row = mfa_row(&app).await;
    let kept = row["Recovery"].as_str().unwrap();
    for code in &recovery {
        let plain: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let unkeyed = sha2::Sha256::digest(plain.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        assert!(!kept.contains(&unkeyed), "a plain SHA-256 is kept");
    }
    assert_eq!(kept.split(',').count(), 10);

    // Whoever can write the table turns MFA off by clearing EnabledAt: detected, refused.
    let original = mfa_row(&app).await;
    edit_mfa_row(&app, |fields| {
        fields.remove("EnabledAt");
    })
    .await;
    app.clock.advance(Duration::seconds(30));
    let (edited, response) = sign_in(&app, &email, "local").await;
    assert_ne!(location_or_none(&response).as_deref(), Some("/api/Home"));
    assert_eq!(
        edited
            .get(app.url("/api/Home"))
            .send()
            .await
            .unwrap()
            .status(),
        302,
        "an edited row lets nobody in without the code"
    );

    // Put back as it was, it works again.
    edit_mfa_row(&app, |fields| {
        fields.insert("EnabledAt".into(), original["EnabledAt"].clone());
    })
    .await;
    let (signed_in, response) = sign_in(&app, &email, "local").await;
    assert_eq!(location(&response), "/api/Profile/mfa");
    let response = give_code(&app, &signed_in, &code_at(&secret, app.clock.now())).await;
    assert_eq!(location(&response), "/api/Home");

    // An older LastStep (to use a code again), or a recovery list of one's own: detected.
    let good = mfa_row(&app).await;
    let older_step = |fields: &mut Fields| {
        fields.insert("LastStep".into(), json!(""));
    };
    let own_recovery = |fields: &mut Fields| {
        fields.insert("LastStep".into(), good["LastStep"].clone());
        fields.insert("Recovery".into(), json!("00".repeat(32)));
    };
    let changes: [&dyn Fn(&mut Fields); 2] = [&older_step, &own_recovery];
    for change in changes {
        edit_mfa_row(&app, change).await;
        let (edited, response) = sign_in(&app, &email, "local").await;
        assert_ne!(location_or_none(&response).as_deref(), Some("/api/Home"));
        assert_eq!(
            edited
                .get(app.url("/api/Home"))
                .send()
                .await
                .unwrap()
                .status(),
            302
        );
    }
}

type Fields = serde_json::Map<String, Value>;

/// Changes the MFA row straight in the table, as someone with write access to it could.
async fn edit_mfa_row(app: &TestApp, change: impl FnOnce(&mut Fields)) {
    let mut row = mfa_row(app).await;
    let fields = row.as_object_mut().unwrap();
    fields.retain(|k, _| !k.starts_with("odata.") && k != "Timestamp");
    change(fields);
    let partition = fields["PartitionKey"].as_str().unwrap().to_owned();
    app.table("Accounts")
        .partition_key_client(partition)
        .entity_client("mfa")
        .insert_or_replace(&row)
        .unwrap()
        .await
        .expect("the table edit");
}

fn location_or_none(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_unverified_email_neither_accepts_an_invitation_nor_links_a_login() {
    let app = TestApp::spawn_with_test_b2c().await;
    let email = unique_email("unverified");
    let invitation = app.invite_email(&email).await;
    let link_url = invitation["inviteUrl"].as_str().unwrap();

    let (_, _, response) = app
        .sign_in_with_test_b2c(link_url, &email, &SIGNING, "code-1", |claims| {
            claims["email_verified"] = json!(false);
        })
        .await;
    assert_eq!(response.status(), 403);
    let id = invitation["id"].as_str().unwrap();
    assert_eq!(
        app.invitation(id).await["status"],
        "pending",
        "not accepted"
    );

    let (client, _, response) = app
        .sign_in_with_test_b2c(link_url, &email, &SIGNING, "code-2", |claims| {
            claims["email_verified"] = json!(true);
        })
        .await;
    assert_eq!(location(&response), "/api/CreateCompany");
    let form = page(&client, &app.url("/api/CreateCompany")).await;
    let fields = crate::support::browser::company_form(&csrf_in(&form));
    let response = post_form(&client, &app.url("/api/CreateCompany"), &fields).await;
    assert_eq!(location(&response), "/api/Home");

    // Linking a Google login whose provider did not verify the address: refused.
    let profile = page(&client, &app.url("/api/Profile")).await;
    let response = post_form(
        &client,
        &app.url("/api/Profile/link"),
        &[("csrf", csrf_in(&profile)), ("provider", "google".into())],
    )
    .await;
    let authorize = location(&response);
    let mut claims = app
        .idp
        .b2c_claims(&email, &param(&authorize, "nonce").unwrap());
    claims["sub"] = json!("google-subject");
    claims["idp"] = json!("google.com");
    claims["email_verified"] = json!(false);
    app.idp
        .answer_next_code_with(tokens::sign(&SIGNING, &claims));
    let callback = format!(
        "{}/api/AuthCallback?code=code-3&state={}",
        app.address,
        param(&authorize, "state").unwrap()
    );
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(!profile.contains("data-provider=\"Google\""), "{profile}");
}

#[tokio::test]
async fn a_login_with_the_same_address_in_other_case_links() {
    let app = TestApp::spawn().await;
    let email = unique_email("case");
    let client = onboard(&app, &email, "local").await;
    let shouted = email.to_uppercase();
    let response = link(&app, &client, "microsoft", &shouted).await;
    assert_eq!(location(&response), "/api/Profile");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("Your Microsoft login is linked"),
        "{profile}"
    );
    let (_, response) = sign_in(&app, &shouted, "live.com").await;
    assert_eq!(location(&response), "/api/Home");
}

/// Every customer form, posted without the session's CSRF token (none, another one, the
/// right one twice): the "form expired" page (403), and nothing changes.
#[tokio::test]
async fn every_customer_form_refuses_a_token_that_is_not_the_sessions() {
    let app = TestApp::spawn().await;
    let email = unique_email("forged");
    let (client, company) = crate::organisations::onboard(&app, &email, "Forged Forms SA").await;
    let csrf = csrf_in(&page(&client, &app.url("/api/Profile")).await);
    let company_page = format!("/api/Companies/{company}");
    // The only member: the page offers them no form of their own (issue #28, item 9).
    let members = crate::organisations_pages::roster(&app, &company).await;
    let me = members[0].1.as_str().to_owned();
    let colleague = unique_email("colleague");
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/api/Profile/link".into(), vec![("provider", "google")]),
        (
            "/api/Profile/link".into(),
            vec![("unlink", "x"), ("confirm", "yes")],
        ),
        ("/api/Profile/mfa".into(), vec![("action", "enable")]),
        ("/api/Profile/mfa".into(), vec![("action", "disable")]),
        ("/api/Profile/delete".into(), vec![("confirm", "yes")]),
        ("/api/SignOut".into(), vec![]),
        (
            format!("{company_page}/members/{me}"),
            vec![("remove", "1"), ("confirm", "yes")],
        ),
        (
            format!("{company_page}/members/{me}"),
            vec![("role", "member")],
        ),
        (
            format!("{company_page}/invitations"),
            vec![("email", colleague.as_str())],
        ),
        (format!("{company_page}/invitations/i1/resend"), vec![]),
        (format!("{company_page}/invitations/i1/revoke"), vec![]),
    ];
    let tokens: [&[&str]; 3] = [&[], &["forged"], &[&csrf, &csrf]];
    for (path, fields) in &forms {
        for sent in tokens {
            let mut form: Vec<(&str, &str)> = fields.clone();
            form.extend(sent.iter().map(|token| ("csrf", *token)));
            let response = client.post(app.url(path)).form(&form).send().await.unwrap();
            assert_eq!(response.status(), 403, "{path} {form:?}");
            let body = response.text().await.unwrap();
            assert!(body.contains("Form expired"), "{path}: {body}");
        }
    }
    // Still signed in, still the company's administrator, no colleague invited.
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(profile.contains(&email), "{profile}");
    let html = page(&client, &app.url(&company_page)).await;
    assert!(html.contains("id=\"invite-form\""), "{html}");
    assert_eq!(app.invitation_rows().await.len(), 1);
}
