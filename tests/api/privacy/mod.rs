//! Personal data over HTTP with real components: erasure and export by staff with the
//! privacy role (here), the customer deleting their own account (`own_deletion.rs`), the
//! retention timer under a shifted clock (`retention.rs`), and a log scan of the handler
//! binary through a whole journey (`logs.rs`).

mod logs;
mod own_deletion;
mod retention;

use crate::account::{enrol, give_code, invite, link, sign_in};
use crate::support::browser::{
    browser, company_form, csrf_in, location, page, post_form, sign_in_at_b2c,
};
use crate::support::{TABLES, TestApp, problem, unique};
use reqwest::Client;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const PRIVACY_ROLE: &str = "Invitations.Privacy";
/// A staff token carrying only the privacy role.
pub(crate) fn privacy_token(app: &TestApp) -> String {
    app.idp.token_with(|c| c["roles"] = json!([PRIVACY_ROLE]))
}

/// An address with a capital (the domain is kept lower-case, as addresses are stored),
/// so "any case" is tested.
pub(super) fn mixed_case_email(name: &str) -> String {
    format!("{}.Dupont@customer.example", unique(name))
}

/// Accepts `link` as `email` and creates the company "Privacy Test SA"; returns the
/// signed-in browser and the company id.
pub(super) async fn onboard_with(app: &TestApp, link: &str, email: &str) -> (Client, String) {
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

pub(crate) async fn erase(app: &TestApp, token: Option<&str>, email: &str) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/privacy/erase"))
        .json(&json!({ "email": email }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

pub(crate) async fn export(app: &TestApp, token: Option<&str>, email: &str) -> reqwest::Response {
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
pub(crate) async fn all_rows(app: &TestApp) -> String {
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
