//! Issue #22, "one person, one account": each finding of the second outside review
//! reproduced against the real stack (Azurite, maildev, the local OpenID stand-ins),
//! one file per group of findings.

mod last_admin;
mod member_invitations;
pub(crate) mod merge;
mod one_account;
mod sent_invitations;
mod sessions;

use crate::support::browser::{csrf_in, location, page, post_form, sign_in_at_b2c};
use crate::support::{TestApp, mailbox, stack};
use reqwest::Client;
use serde_json::{Value, json};
use std::sync::Arc;

/// A browser whose cookies a test can read (to copy a session, as a stolen profile would).
pub(crate) fn browser_with_jar() -> (Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .unwrap();
    (client, jar)
}

/// Staff invite `email` into `company` with `role`; the invitation as created.
pub(crate) async fn invite_into(app: &TestApp, email: &str, company: &str, role: &str) -> Value {
    app.invite(json!({"email": email, "displayName": "Invited Colleague", "companyId": company, "role": role}))
        .await
}

/// The login `email`'s local account at the customer provider makes (the provider's
/// issuer as an earlier sign-in's login row recorded it).
pub(crate) async fn local_login(
    app: &TestApp,
    email: &str,
) -> invitations::domain::invitation::LoginId {
    let issuer = app
        .table_rows("Accounts")
        .await
        .into_iter()
        .find(|r| r["RowKey"] == "login")
        .expect("an earlier sign-in's login row")["Issuer"]
        .as_str()
        .unwrap()
        .to_owned();
    invitations::domain::invitation::LoginId {
        issuer,
        subject: merge::local_subject("local", email),
    }
}

/// The link of the newest email to `email`, once `count` have arrived.
pub(crate) async fn newest_link(email: &str, count: usize) -> String {
    let mails = mailbox::wait_for(&stack().maildev_url, email, count).await;
    mailbox::link_in(mails.last().expect("an email"))
}

/// Follows `link` in `client` and signs in at the local B2C as `email` with `idp`
/// (`local`, `google.com`, `live.com`): the answer of `/api/AcceptInvite`.
pub(crate) async fn accept_with(
    client: &Client,
    link: &str,
    email: &str,
    idp: &str,
) -> reqwest::Response {
    let response = client.get(link).send().await.unwrap();
    assert_eq!(response.status(), 302, "the link leads to the sign-in");
    let callback = sign_in_at_b2c(client, &location(&response), email, idp).await;
    client.get(&callback).send().await.unwrap()
}

/// The rows of `table` whose `column` is `value` (ignoring case).
pub(crate) async fn rows_where(
    app: &TestApp,
    table: &str,
    column: &str,
    value: &str,
) -> Vec<Value> {
    app.table_rows(table)
        .await
        .into_iter()
        .filter(|r| {
            r[column]
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case(value))
        })
        .collect()
}

/// The account profiles that name `email`.
pub(crate) async fn profiles_of(app: &TestApp, email: &str) -> Vec<Value> {
    rows_where(app, "Accounts", "Email", email)
        .await
        .into_iter()
        .filter(|r| r["RowKey"] == "profile")
        .collect()
}

/// Posts the profile's delete form with `confirm=yes`.
pub(crate) async fn delete_own_account(app: &TestApp, client: &Client) -> reqwest::Response {
    let profile = page(client, &app.url("/api/Profile")).await;
    let form = vec![("csrf", csrf_in(&profile)), ("confirm", "yes".to_owned())];
    post_form(client, &app.url("/api/Profile/delete"), &form).await
}

/// Posts `fields` to `path` with the CSRF token of the company page of `company`.
pub(crate) async fn company_post(
    app: &TestApp,
    client: &Client,
    company: &str,
    path: &str,
    fields: &[(&'static str, &str)],
) -> reqwest::Response {
    let html = page(client, &app.url(&format!("/api/Companies/{company}"))).await;
    let mut form: Vec<(&'static str, String)> =
        fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    form.push(("csrf", csrf_in(&html)));
    post_form(client, &app.url(path), &form).await
}

/// An administrator invites `email` as `role` from the company page.
pub(crate) async fn invite_from_page(
    app: &TestApp,
    client: &Client,
    company: &str,
    email: &str,
    role: &str,
) -> reqwest::Response {
    let path = format!("/api/Companies/{company}/invitations");
    let fields = [
        ("email", email),
        ("displayName", "Page Colleague"),
        ("role", role),
    ];
    company_post(app, client, company, &path, &fields).await
}

/// The id of the pending invitation of `email` the company page lists.
pub(crate) async fn pending_id(
    app: &TestApp,
    client: &Client,
    company: &str,
    email: &str,
) -> String {
    let html = page(client, &app.url(&format!("/api/Companies/{company}"))).await;
    let marker = format!("data-email=\"{}\"", email.to_lowercase());
    let line = &html[html
        .find(&marker)
        .unwrap_or_else(|| panic!("{email} pending: {html}"))..];
    let invitations = format!("/api/Companies/{company}/invitations/");
    let start = line.find(&invitations).unwrap() + invitations.len();
    line[start..].split('/').next().unwrap().to_owned()
}
