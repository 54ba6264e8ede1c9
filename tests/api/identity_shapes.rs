//! The customer's journey against both shapes of the local customer identity provider:
//! Azure AD B2C (`emails`, `tfp`, an issuer that differs from the metadata address) and
//! Entra External ID (`email`, no `emails`/`tfp`, the tenant GUID's issuer, `domain_hint`
//! not honoured: the provider picker appears when a customer links a Microsoft account).

use crate::support::browser::{
    browser, create_company, csrf_in, location, page, post_form, sign_in_at_b2c,
};
use crate::support::{Overrides, TestApp, mailbox, stack, unique_email};
use reqwest::Client;
use serde_json::json;

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    B2c,
    ExternalId,
}

fn settings(shape: Shape) -> Overrides {
    let stack = stack();
    match shape {
        Shape::B2c => Vec::new(),
        Shape::ExternalId => vec![
            (
                "B2C_METADATA_URL",
                Some(stack.external_id_metadata_url.clone()),
            ),
            ("B2C_CLIENT_ID", Some(stack.external_id_client_id.clone())),
            (
                "B2C_CLIENT_SECRET",
                Some(stack.external_id_client_secret.clone()),
            ),
        ],
    }
}

fn metadata_base(shape: Shape) -> String {
    let url = match shape {
        Shape::B2c => &stack().b2c_metadata_url,
        Shape::ExternalId => &stack().external_id_metadata_url,
    };
    url.trim_end_matches(".well-known/openid-configuration")
        .to_owned()
}

/// The provider's login page for `authorize` (after its redirects).
async fn login_page(client: &Client, authorize: &str) -> String {
    let mut url = reqwest::Url::parse(authorize).unwrap();
    for _ in 0..10 {
        let response = client.get(url.clone()).send().await.unwrap();
        if response.status().is_redirection() {
            url = url.join(&location(&response)).unwrap();
            continue;
        }
        return response.text().await.unwrap();
    }
    panic!("no login page at {authorize}");
}

async fn journey(shape: Shape) {
    let app = TestApp::spawn_with(settings(shape), |_| {}).await;
    let email = unique_email("shape");
    app.invite(json!({"email": email, "company": {"name": "URS Machining SA", "country": "BE"}}))
        .await;
    let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
    let link = mailbox::link_in(&mails[0]);

    // Invitation link → the provider → AcceptInvite → CreateCompany → Home.
    let client = browser();
    let response = client.get(&link).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let authorize = location(&response);
    assert!(authorize.starts_with(&metadata_base(shape)), "{authorize}");
    let callback = sign_in_at_b2c(&client, &authorize, &email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(
        response.status(),
        303,
        "the id_token of this shape is accepted"
    );
    assert_eq!(location(&response), "/api/CreateCompany");
    let response = create_company(&client, &app.url("/api/CreateCompany")).await;
    assert_eq!(location(&response), "/api/Home");
    let home = page(&client, &app.url("/api/Home")).await;
    assert!(home.contains("<h1>Welcome to "), "{home}");
    assert!(home.contains("<li>URS Machining SA "), "{home}");

    // Linking a Microsoft account: B2C takes domain_hint and opens Microsoft's sign-in
    // (here: the picker with Microsoft chosen); External ID shows its provider picker
    // as it is, and the customer chooses Microsoft there. Either way it gets linked.
    let profile = page(&client, &app.url("/api/Profile")).await;
    let response = post_form(
        &client,
        &app.url("/api/Profile/link"),
        &[
            ("csrf", csrf_in(&profile)),
            ("provider", "microsoft".into()),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let authorize = location(&response);
    let picker = login_page(&client, &authorize).await;
    let microsoft_chosen = picker.contains("value=\"live.com\" checked");
    assert_eq!(
        microsoft_chosen,
        shape == Shape::B2c,
        "domain_hint is honoured by B2C only"
    );
    assert!(
        picker.contains("value=\"live.com\""),
        "Microsoft is offered"
    );
    let callback = sign_in_at_b2c(&client, &authorize, &email, "live.com").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/api/Profile");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("Your Microsoft login is linked")
            && profile.contains("data-provider=\"Microsoft\""),
        "{profile}"
    );

    // And the Microsoft login signs in to the same account later.
    let again = browser();
    let response = again.get(app.url("/api/SignIn")).send().await.unwrap();
    let callback = sign_in_at_b2c(&again, &location(&response), &email, "live.com").await;
    let response = again.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/api/Home");
}

#[tokio::test]
async fn the_customer_journey_with_b2c_shaped_tokens() {
    journey(Shape::B2c).await;
}

#[tokio::test]
async fn the_customer_journey_with_external_id_shaped_tokens() {
    journey(Shape::ExternalId).await;
}

#[tokio::test]
async fn an_organisation_that_blocks_the_app_gets_an_admin_consent_address_to_forward() {
    let app = TestApp::spawn().await;
    let email = unique_email("consent");
    app.invite(json!({"email": email})).await;
    let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
    let link = mailbox::link_in(&mails[0]);
    let client_id = "1b2c3d4e-0000-4000-8000-00000000abcd";
    let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    for (error, description, address) in [
        (
            "access_denied",
            format!(
                "AADSTS65001: The user or administrator has not consented to use the application with ID '{client_id}' named 'GFMS'. Send an interactive authorization request for this user and resource. Tenant '{tenant}'."
            ),
            Some(format!(
                "https://login.microsoftonline.com/{tenant}/adminconsent?client_id={client_id}"
            )),
        ),
        ("consent_required", String::new(), None),
    ] {
        let client = browser();
        let authorize = location(&client.get(&link).send().await.unwrap());
        let state = crate::support::browser::param(&authorize, "state").unwrap();
        let callback = reqwest::Url::parse_with_params(
            &app.url("/api/AcceptInvite"),
            &[
                ("error", error),
                ("error_description", description.as_str()),
                ("state", state.as_str()),
            ],
        )
        .unwrap();
        let response = client.get(callback).send().await.unwrap();
        assert_eq!(response.status(), 403);
        let html = response.text().await.unwrap();
        assert!(html.contains("IT department"), "{html}");
        match address {
            Some(address) => assert!(
                html.contains(&address.replace('&', "&amp;")) || html.contains(&address),
                "the page gives {address}: {html}"
            ),
            None => assert!(
                !html.contains("adminconsent"),
                "no address without an application named"
            ),
        }
    }
}
