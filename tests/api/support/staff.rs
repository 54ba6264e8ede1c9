//! The back office as a sales person's browser sees it: a handler pointed at the local
//! staff directory (`local/idp/staff.mjs`) with the back office's app registration, the
//! directory's login form posted over plain HTTP, and API tokens from the same directory.

use super::browser::{browser, location};
use super::{TestApp, stack, unique};
use reqwest::Client;
use serde_json::Value;
use url::Url;

/// A handler whose staff provider is the local staff directory, with staff sign-in on.
pub async fn spawn_back_office() -> TestApp {
    spawn_back_office_with(Vec::new()).await
}

/// The same, with more settings (a lower limit, …).
pub async fn spawn_back_office_with(more: super::Overrides) -> TestApp {
    let stack = stack();
    let mut settings = more;
    settings.extend(vec![
        ("STAFF_METADATA_URL", Some(stack.staff_metadata_url.clone())),
        ("STAFF_AUDIENCE", Some(stack.staff_audience.clone())),
        ("STAFF_CLIENT_ID", Some(stack.staff_client_id.clone())),
        (
            "STAFF_CLIENT_SECRET",
            Some(stack.staff_client_secret.clone()),
        ),
    ]);
    TestApp::spawn_with(settings, |_| {}).await
}

/// What the local directory's token endpoint answers to `form`.
pub async fn token_response(form: &[(&str, &str)]) -> Value {
    Client::new()
        .post(&stack().staff_token_endpoint)
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A staff API token of the local directory's sales client ("Sam Sales", with the role).
pub async fn api_token() -> String {
    let stack = stack();
    let response = token_response(&[
        ("grant_type", "client_credentials"),
        ("client_id", stack.sales_cli_client_id.as_str()),
        ("client_secret", stack.cli_client_secret.as_str()),
    ])
    .await;
    response["access_token"].as_str().unwrap().to_owned()
}

/// From the directory's authorize address to the redirect back to `/api/StaffCallback`,
/// signing in as `email`, with the staff role or without. Returns the callback address.
pub async fn sign_in_at_staff_directory(
    client: &Client,
    authorize: &str,
    email: &str,
    role: bool,
) -> String {
    let mut url = Url::parse(authorize).unwrap();
    for _ in 0..10 {
        let response = client.get(url.clone()).send().await.unwrap();
        if response.status().is_redirection() {
            let next = url.join(&location(&response)).unwrap();
            if next.path().ends_with("/api/StaffCallback") {
                return next.to_string();
            }
            url = next;
            continue;
        }
        assert_eq!(response.status(), 200, "the login page at {url}");
        let login = Url::parse(&format!(
            "{}/login",
            url.as_str().split('?').next().unwrap()
        ))
        .unwrap();
        let mut form = vec![
            ("email", email),
            ("password", "correct horse"),
            ("name", "Tamer Mohamed-Nour"),
        ];
        if role {
            form.push(("role", "on"));
        }
        let response = client.post(login.clone()).form(&form).send().await.unwrap();
        assert!(response.status().is_redirection(), "login accepted");
        url = login.join(&location(&response)).unwrap();
    }
    panic!("never came back to /api/StaffCallback");
}

/// A fresh browser signed in to the back office as `email`; also the callback's answer.
pub async fn staff_browser(app: &TestApp, email: &str, role: bool) -> (Client, reqwest::Response) {
    let client = browser();
    let response = client.get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let callback = sign_in_at_staff_directory(&client, &location(&response), email, role).await;
    let response = client.get(&callback).send().await.unwrap();
    (client, response)
}

/// The `Set-Cookie` value of cookie `name` in a response (`name=value`).
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

pub fn staff_email() -> String {
    format!("{}@gfms.example", unique("sales"))
}

pub async fn api_get(app: &TestApp, path: &str) -> Value {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(api_token().await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The invitations of `email`, through the staff API.
pub async fn invitations_of(app: &TestApp, email: &str) -> Vec<Value> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", email)
        .finish();
    let list = api_get(app, &format!("/api/invitations?{query}")).await;
    list["items"].as_array().unwrap().clone()
}

pub fn invite_form(csrf: &str, email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_owned()),
        ("email", email.to_owned()),
        ("displayName", "Willy URS".into()),
        ("locale", "fr".into()),
        ("expiresInDays", "10".into()),
        ("company.name", "URS Machining SA".into()),
        ("company.vatNumber", "BE0123456749".into()),
        ("company.country", "BE".into()),
    ]
}
