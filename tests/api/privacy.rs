//! Personal data over HTTP with real components: erasure and export by staff with the
//! privacy role, the customer deleting their own account, the retention timer under a
//! shifted clock, and a log scan of the handler binary through a whole journey.

use crate::account::{enrol, give_code, invite, link, sign_in};
use crate::support::browser::{
    browser, company_form, csrf_in, location, page, post_form, sign_in_at_b2c,
};
use crate::support::{TestApp, mailbox, problem, stack, unique};
use reqwest::Client;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use time::Duration;

const PRIVACY_ROLE: &str = "Invitations.Privacy";
const TABLES: [&str; 6] = [
    "Invitations",
    "InvitationIndex",
    "Companies",
    "Accounts",
    "Limits",
    "PrivacyRequests",
];

/// A staff token carrying only the privacy role.
fn privacy_token(app: &TestApp) -> String {
    app.idp.token_with(|c| c["roles"] = json!([PRIVACY_ROLE]))
}

/// An address with a capital (the domain is kept lower-case, as addresses are stored),
/// so "any case" is tested.
fn mixed_case_email(name: &str) -> String {
    format!("{}.Dupont@customer.example", unique(name))
}

/// Accepts `link` as `email` and creates the company "Privacy Test SA"; returns the
/// signed-in browser and the company id.
async fn onboard_with(app: &TestApp, link: &str, email: &str) -> (Client, String) {
    let client = browser();
    let response = client.get(link).send().await.unwrap();
    let callback = sign_in_at_b2c(&client, &location(&response), email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/api/CreateCompany");
    let form = page(&client, &app.url("/api/CreateCompany")).await;
    let mut fields = company_form(&csrf_in(&form));
    fields[0].1 = "Privacy Test SA".into();
    let response = post_form(&client, &app.url("/api/CreateCompany"), &fields).await;
    assert_eq!(location(&response), "/api/Home");
    let company = app
        .table_rows("Companies")
        .await
        .into_iter()
        .find(|row| {
            row["CreatedBy"]
                .as_str()
                .is_some_and(|by| by.eq_ignore_ascii_case(email))
        })
        .expect("the company row");
    (client, company["PartitionKey"].as_str().unwrap().to_owned())
}

async fn erase(app: &TestApp, token: Option<&str>, email: &str) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/privacy/erase"))
        .json(&json!({ "email": email }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn export(app: &TestApp, token: Option<&str>, email: &str) -> reqwest::Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", email)
        .finish();
    let mut request = app
        .client
        .get(app.url(&format!("/api/privacy/export?{query}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Every row of every table of the app, as lower-case JSON text.
async fn all_rows(app: &TestApp) -> String {
    let mut text = String::new();
    for table in TABLES {
        for row in app.table_rows(table).await {
            text.push_str(&row.to_string().to_lowercase());
            text.push('\n');
        }
    }
    text
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn an_erased_customer_leaves_nothing_that_leads_to_them_and_their_company_stays() {
    let app = TestApp::spawn().await;
    let email = mixed_case_email("erased");
    let link_secret = invite(&app, &email).await;
    let (client, company) = onboard_with(&app, &link_secret, &email).await;
    assert_eq!(
        link(&app, &client, "microsoft", &email).await.status(),
        303,
        "a Microsoft login is linked"
    );
    let (_, recovery_codes) = enrol(&app, &client).await;
    // A second, pending invitation: its link must stop working.
    let pending = invite(&app, &email).await;
    let token = privacy_token(&app);

    // The export shows what is stored, and no secret.
    let response = export(&app, Some(&token), &email).await;
    assert_eq!(response.status(), 200);
    let exported: Value = response.json().await.unwrap();
    assert_eq!(exported["email"], email.as_str());
    let invitations = exported["invitations"].as_array().unwrap();
    assert_eq!(invitations.len(), 2);
    for invitation in invitations {
        let stored = app.invitation(invitation["id"].as_str().unwrap()).await;
        assert_eq!(invitation, &stored, "the export is the stored invitation");
        assert!(
            invitation["history"]
                .as_array()
                .is_some_and(|h| !h.is_empty())
        );
    }
    assert_eq!(exported["account"]["email"], email.as_str());
    let providers: Vec<&str> = exported["logins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["local", "live.com"]);
    assert!(exported["logins"][0]["linkedAt"].is_string());
    assert_eq!(exported["mfa"]["enabled"], true);
    assert!(exported["mfa"]["since"].is_string());
    assert_eq!(exported["memberships"][0]["companyId"], company.as_str());
    assert_eq!(exported["memberships"][0]["role"], "administrator");
    assert!(exported["memberships"][0]["since"].is_string());
    let text = exported.to_string();
    let mfa_row = app
        .table_rows("Accounts")
        .await
        .into_iter()
        .find(|r| r["RowKey"] == "mfa")
        .unwrap();
    assert!(
        !text.contains(mfa_row["Secret"].as_str().unwrap()) && !text.contains("inviteUrl"),
        "no secret in the export: {text}"
    );

    // A returning sign-in in another browser.
    let (returning, response) = sign_in(&app, &email, "local").await;
    assert_eq!(location(&response), "/api/Profile/mfa");
    let response = give_code(&app, &returning, &recovery_codes[0]).await;
    assert_eq!(location(&response), "/api/Home");

    // Erasure.
    let response = erase(&app, Some(&token), &email).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer,
        json!({
            "erased": {"invitations": 2, "accounts": 1, "memberships": 1},
            "companiesWithoutAdministrator": [company],
        })
    );

    // Nothing in any table leads to the person.
    let rows = all_rows(&app).await;
    let lower = email.to_lowercase();
    assert!(!rows.contains(&lower), "the address is gone: {rows}");
    assert!(
        !rows.contains(&sha256_hex(&lower)),
        "nothing keyed by the address's hash remains"
    );
    assert!(!rows.contains("dupont"), "nor any part of it");
    // The company stays, without its creator's address.
    let companies = app.table_rows("Companies").await;
    let kept = companies
        .iter()
        .find(|r| r["PartitionKey"] == company.as_str())
        .expect("the company remains");
    assert_eq!(kept["Name"], "Privacy Test SA");
    // Who asked is recorded, without the address.
    let requests = app.table_rows("PrivacyRequests").await;
    let kinds: Vec<&str> = requests
        .iter()
        .map(|r| r["Kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"erase") && kinds.contains(&"export"),
        "{kinds:?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| r["StaffEmail"] == "tamer@gfms.example")
    );

    // Their session, links and logins open nothing.
    for path in ["/api/Home", "/api/Profile", "/api/CreateCompany"] {
        let mut response = client.get(app.url(path)).send().await.unwrap();
        if response.status() == 303 {
            // The onboarding session goes back to its invitation, which is gone.
            assert_eq!(location(&response), "/api/CreateCompany");
            response = client
                .get(app.url("/api/CreateCompany"))
                .send()
                .await
                .unwrap();
        }
        assert_eq!(response.status(), 401, "{path} opens nothing");
        assert!(!response.text().await.unwrap().contains(&email));
    }
    let response = returning.get(app.url("/api/Home")).send().await.unwrap();
    assert_eq!(
        response.status(),
        401,
        "a returning sign-in's session opens nothing"
    );
    assert!(!response.text().await.unwrap().contains(&email));
    for login in ["local", "live.com"] {
        let (_, response) = sign_in(&app, &email, login).await;
        assert_eq!(response.status(), 403, "{login} opens nothing");
    }
    for old in [&link_secret, &pending] {
        let response = browser().get(old.as_str()).send().await.unwrap();
        assert_eq!(response.status(), 404, "the link leads nowhere");
    }

    // Asking again finds nothing.
    let again: Value = erase(&app, Some(&token), &email)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again,
        json!({
            "erased": {"invitations": 0, "accounts": 0, "memberships": 0},
            "companiesWithoutAdministrator": [],
        })
    );
    let empty: Value = export(&app, Some(&token), &email)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["invitations"], json!([]));
    assert_eq!(empty["account"], Value::Null);
    assert_eq!(empty["mfa"]["enabled"], false);
}

#[tokio::test]
async fn both_personal_data_calls_are_refused_without_the_privacy_role() {
    let app = TestApp::spawn().await;
    let email = mixed_case_email("kept");
    let invitation = app.invite_email(&email).await;
    let sales = app.idp.token();
    for response in [
        erase(&app, None, &email).await,
        export(&app, None, &email).await,
    ] {
        problem(response, 401).await;
    }
    for response in [
        erase(&app, Some(&sales), &email).await,
        export(&app, Some(&sales), &email).await,
    ] {
        let body = problem(response, 403).await;
        assert!(body["detail"].as_str().unwrap().contains(PRIVACY_ROLE));
    }
    let token = privacy_token(&app);
    let body = problem(erase(&app, Some(&token), "not an address").await, 400).await;
    assert!(body["errors"]["email"].is_string());
    problem(export(&app, Some(&token), "").await, 400).await;
    let kept = app.invitation(invitation["id"].as_str().unwrap()).await;
    assert_eq!(kept["status"], "pending", "nothing was erased or revoked");
    assert!(app.table_rows("PrivacyRequests").await.is_empty());
}

/// The profile's delete form, posted with `confirm`.
async fn delete_account(app: &TestApp, client: &Client, confirm: bool) -> reqwest::Response {
    let profile = page(client, &app.url("/api/Profile")).await;
    assert!(profile.contains("id=\"delete-account\""), "{profile}");
    let mut form = vec![("csrf", csrf_in(&profile))];
    if confirm {
        form.push(("confirm", "yes".into()));
    }
    post_form(client, &app.url("/api/Profile/delete"), &form).await
}

#[tokio::test]
async fn a_customer_deletes_their_own_account_after_confirming() {
    let app = TestApp::spawn().await;
    let email = mixed_case_email("leaving");
    let link_secret = invite(&app, &email).await;
    let (client, company) = onboard_with(&app, &link_secret, &email).await;

    // Without the form's token, or with an old sign-in: nothing happens.
    let response = post_form(
        &client,
        &app.url("/api/Profile/delete"),
        &[("confirm", "yes".into())],
    )
    .await;
    assert_eq!(response.status(), 403);
    app.clock.advance(Duration::minutes(11));
    let response = delete_account(&app, &client, true).await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("sign in again"));
    let (client, response) = sign_in(&app, &email, "local").await;
    assert_eq!(location(&response), "/api/Home");

    // First a confirmation page.
    let response = delete_account(&app, &client, false).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Delete your account?") && html.contains("name=\"confirm\" value=\"yes\"")
    );
    assert!(
        page(&client, &app.url("/api/Profile"))
            .await
            .contains(&email),
        "nothing is deleted before the confirmation"
    );

    // Confirmed: erased and signed out.
    let response = delete_account(&app, &client, true).await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("inv_session=;")),
        "the session cookie is cleared"
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Your account is deleted")
    );
    let response = client.get(app.url("/api/Profile")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let (_, response) = sign_in(&app, &email, "local").await;
    assert_eq!(response.status(), 403, "the login opens nothing");
    assert!(!all_rows(&app).await.contains(&email.to_lowercase()));
    assert!(
        app.table_rows("Companies")
            .await
            .iter()
            .any(|r| r["PartitionKey"] == company.as_str()),
        "the company stays"
    );
    let requests = app.table_rows("PrivacyRequests").await;
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["Kind"], "self-delete");
    assert_eq!(requests[0]["StaffEmail"], "");
}

#[tokio::test]
async fn the_last_administrator_of_a_company_with_other_members_must_hand_over_first() {
    let app = TestApp::spawn().await;
    let email = mixed_case_email("admin");
    // In French: the pages follow the invitation's language.
    app.invite(json!({"email": email, "locale": "fr"})).await;
    let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
    let link_secret = mailbox::link_in(mails.last().expect("the invitation email"));
    let (client, company) = onboard_with(&app, &link_secret, &email).await;
    // A colleague's membership, as the colleague invitations write it.
    let colleague = json!({
        "PartitionKey": format!("acct-{}", unique("colleague")),
        "RowKey": format!("company-{company}"),
        "CompanyName": "Privacy Test SA",
        "Role": "member",
    });
    app.table("Accounts")
        .insert::<_, Value>(colleague)
        .unwrap()
        .await
        .unwrap();

    for confirm in [false, true] {
        let response = delete_account(&app, &client, confirm).await;
        assert_eq!(response.status(), 409);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("Vous êtes le dernier administrateur")
                && html.contains("Privacy Test SA")
                && html.contains("lang=\"fr\""),
            "{html}"
        );
    }
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(profile.contains(&email), "nothing was deleted");
}

#[tokio::test]
async fn ended_invitations_are_erased_after_the_retention_period_and_the_others_stay() {
    let app = TestApp::spawn_with(Vec::new(), |s| s.retention_days = 30).await;
    let expiring = app
        .invite(json!({"email": mixed_case_email("expiring"), "expiresInDays": 1}))
        .await;
    let revoked = app.invite_email(&mixed_case_email("revoked")).await;
    let revoked_id = revoked["id"].as_str().unwrap();
    let response = app
        .client
        .delete(app.url(&format!("/api/invitations/{revoked_id}")))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let email = mixed_case_email("completed");
    let link_secret = invite(&app, &email).await;
    onboard_with(&app, &link_secret, &email).await;
    let completed = app.list("status=completed").await["items"][0].clone();

    app.clock.advance(Duration::days(31));
    let pending = app.invite_email(&mixed_case_email("pending")).await;
    let recent = app.invite_email(&mixed_case_email("recent")).await;
    app.client
        .delete(app.url(&format!(
            "/api/invitations/{}",
            recent["id"].as_str().unwrap()
        )))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap();
    let counters_before = app.table_rows("Limits").await.len();

    let response = app
        .client
        .post(app.url("/PurgeEnded"))
        .json(&json!({"Data": {"timer": {"IsPastDue": false}}, "Metadata": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["ReturnValue"]["invitations"], 2, "{answer}");
    assert!(answer["ReturnValue"]["counters"].as_u64().unwrap() > 0);
    assert!(
        answer["Logs"][0]
            .as_str()
            .unwrap()
            .starts_with("PurgeEnded: 2 ended")
    );
    assert!(answer["Outputs"].is_object());

    for gone in [&expiring, &revoked] {
        let id = gone["id"].as_str().unwrap();
        assert_eq!(app.get_invitation(id).await.status(), 404);
        let index = app.table_rows("InvitationIndex").await;
        assert!(
            !index.iter().any(|r| r.to_string().contains(id)),
            "no index row of {id} remains"
        );
    }
    for kept in [&completed, &pending, &recent] {
        assert_eq!(
            app.get_invitation(kept["id"].as_str().unwrap())
                .await
                .status(),
            200
        );
    }
    // The counters of a month ago are gone; today's stay.
    let limits = app.table_rows("Limits").await;
    assert!(limits.len() < counters_before);
    assert!(!limits.is_empty(), "today's counters stay");
    let again: Value = app
        .client
        .post(app.url("/PurgeEnded"))
        .json(&json!({"Data": {}, "Metadata": {}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["ReturnValue"],
        json!({"invitations": 0, "counters": 0})
    );
}

#[tokio::test]
async fn the_retention_can_be_run_by_hand() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_handler"))
        .arg("purge-ended")
        .env_clear()
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", "0")
        .env("PUBLIC_BASE_URL", "http://localhost:7071")
        .env("INVITATIONS_STORAGE", &stack().storage_connection_string)
        .env("TABLE_PREFIX", unique("purge"))
        .env("B2C_METADATA_URL", "http://127.0.0.1:9/b2c")
        .env("B2C_CLIENT_ID", "client")
        .env("B2C_CLIENT_SECRET", "secret")
        .env("STAFF_METADATA_URL", "http://127.0.0.1:9/staff")
        .env("STAFF_AUDIENCE", "api://x")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "PurgeEnded: 0 ended invitations erased, 0 finished counters removed"
    );
}

/// The handler binary at `RUST_LOG=debug` through a whole journey (invite, a duplicate,
/// the email, sign-in, company, profile, export, erasure, both timers): its logs hold no
/// address, name or company detail.
#[tokio::test]
async fn the_logs_of_a_whole_journey_hold_no_address_name_or_company_detail() {
    use crate::support::staff::api_token;
    let stack = stack();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let log_path = std::env::temp_dir().join(format!("{}.log", unique("logscan")));
    let log_file = std::fs::File::create(&log_path).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handler"))
        .env_clear()
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .env("PUBLIC_BASE_URL", &base)
        .env("INVITATIONS_STORAGE", &stack.storage_connection_string)
        .env("TABLE_PREFIX", unique("logscan"))
        .env("B2C_METADATA_URL", &stack.b2c_metadata_url)
        .env("B2C_CLIENT_ID", &stack.b2c_client_id)
        .env("B2C_CLIENT_SECRET", &stack.b2c_client_secret)
        .env("STAFF_METADATA_URL", &stack.staff_metadata_url)
        .env("STAFF_AUDIENCE", &stack.staff_audience)
        // The local sales client's token carries this role: one token for every call.
        .env("STAFF_PRIVACY_ROLE", "Invitations.Send")
        .env("SMTP_URL", &stack.smtp_url)
        .env("COOKIE_KEY", crate::support::random_cookie_key())
        .env("RUST_LOG", "debug")
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .spawn()
        .unwrap();

    let email = mixed_case_email("logscan");
    let token = api_token().await;
    let http = Client::new();
    let body = json!({
        "email": email,
        "displayName": "Zoé Logscan-Person",
        "company": {"name": "Logscan Machining SA", "street": "Rue du Journal 77",
                    "postalCode": "1400", "city": "Nivelles", "country": "BE"},
    });
    let mut created = None;
    for _ in 0..100 {
        match http
            .post(format!("{base}/api/InviteUser"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        {
            Ok(response) if response.status() == 201 => {
                created = Some(response);
                break;
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    assert!(created.is_some(), "the invitation was created");
    let duplicate = http
        .post(format!("{base}/api/InviteUser"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), 409);
    let mails = crate::support::mailbox::wait_for(&stack.maildev_url, &email, 1).await;
    let link = crate::support::mailbox::link_in(mails.last().expect("the email arrived"));

    let client = browser();
    let response = client.get(&link).send().await.unwrap();
    let callback = sign_in_at_b2c(&client, &location(&response), &email, "local").await;
    client.get(&callback).send().await.unwrap();
    let form = page(&client, &format!("{base}/api/CreateCompany")).await;
    let mut fields = company_form(&csrf_in(&form));
    fields[0].1 = "Logscan Machining SA".into();
    fields[2].1 = "Rue du Journal 77".into();
    let response = post_form(&client, &format!("{base}/api/CreateCompany"), &fields).await;
    assert_eq!(location(&response), "/api/Home");
    assert!(
        page(&client, &format!("{base}/api/Profile"))
            .await
            .contains(&email)
    );

    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", &email)
        .finish();
    let response = http
        .get(format!("{base}/api/privacy/export?{query}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = http
        .post(format!("{base}/api/privacy/erase"))
        .bearer_auth(&token)
        .json(&json!({"email": email}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    for timer in ["RetryDeliveries", "PurgeEnded"] {
        let response = http
            .post(format!("{base}/{timer}"))
            .json(&json!({"Data": {}, "Metadata": {}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_file(&log_path);
    assert!(
        logs.contains("personal data erased") && logs.contains("company created"),
        "the journey was logged: {logs}"
    );
    for secret in [
        email.to_lowercase(),
        email.split('@').next().unwrap().to_lowercase(),
        "logscan-person".into(),
        "logscan machining".into(),
        "rue du journal".into(),
    ] {
        let lines: Vec<&str> = logs
            .lines()
            .filter(|l| l.to_lowercase().contains(&secret))
            .collect();
        assert!(lines.is_empty(), "{secret:?} is in the logs: {lines:#?}");
    }
}
