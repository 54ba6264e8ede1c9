//! The back office's sign-in (`/api/Staff`, `/api/StaffCallback`): a real
//! authorization-code flow at the local staff directory, the role, the session.

use crate::support::browser::{
    browser, csrf_in, location, page as read_page, param, sign_in_at_b2c,
};
use crate::support::staff::{api_token, set_cookie, spawn_back_office, staff_browser, staff_email};
use crate::support::{TestApp, mailbox, stack, unique_email};
use serde_json::json;

#[tokio::test]
async fn without_a_session_the_back_office_sends_the_browser_to_the_staff_directory() {
    let app = spawn_back_office().await;
    let response = browser().get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let flow = set_cookie(&response, "inv_flow").expect("a flow cookie");
    assert!(flow.contains("HttpOnly") && flow.contains("Path=/api"));
    let authorize = location(&response);
    assert!(
        authorize.starts_with(
            stack()
                .staff_metadata_url
                .trim_end_matches(".well-known/openid-configuration")
        )
    );
    assert_eq!(
        param(&authorize, "client_id"),
        Some(stack().staff_client_id.clone())
    );
    assert_eq!(param(&authorize, "response_type").as_deref(), Some("code"));
    assert_eq!(
        param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(param(&authorize, "code_challenge").is_some_and(|c| c.len() == 43));
    assert!(param(&authorize, "state").is_some_and(|s| s.len() >= 43));
    assert!(param(&authorize, "nonce").is_some_and(|s| s.len() >= 43));
    assert_eq!(
        param(&authorize, "redirect_uri"),
        Some(app.url("/api/StaffCallback"))
    );
}

#[tokio::test]
async fn without_staff_sign_in_configured_the_back_office_says_so() {
    let app = TestApp::spawn().await;
    let response = browser().get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Staff sign-in is not configured")
    );
}

#[tokio::test]
async fn a_staff_member_with_the_role_signs_in_and_sees_the_invitations() {
    let app = spawn_back_office().await;
    let customer = unique_email("listed");
    let created = app
        .invite_with_token(&api_token().await, &json!({"email": customer}))
        .await;
    assert_eq!(created.status(), 201);

    let (client, callback) = staff_browser(&app, &staff_email(), true).await;
    assert_eq!(callback.status(), 303);
    assert_eq!(location(&callback), "/api/Staff");
    let session = set_cookie(&callback, "inv_staff").expect("a staff session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("Path=/api")
            && session.contains("Max-Age=3600")
    );

    let response = client
        .get(app.url("/api/Staff?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"));
    let page = response.text().await.unwrap();
    assert!(page.contains("Invite a customer") && page.contains(&customer));
    assert!(page.contains("Tamer Mohamed-Nour"));

    let page = read_page(&client, &app.url("/api/Staff?lang=fr")).await;
    assert!(page.contains("Inviter un client") && page.contains("En attente"));
}

#[tokio::test]
async fn a_person_without_the_role_gets_a_403_page() {
    let app = spawn_back_office().await;
    let email = staff_email();
    let (client, callback) = staff_browser(&app, &email, false).await;
    assert_eq!(callback.status(), 403);
    assert!(set_cookie(&callback, "inv_staff").is_none());
    let page = callback.text().await.unwrap();
    assert!(page.contains(&email) && page.contains("Invitations.Send"));
    // Still no way in: the back office asks for a sign-in again.
    let response = client.get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(response.status(), 302);
}

#[tokio::test]
async fn staff_and_customer_sessions_do_not_open_each_other() {
    let app = spawn_back_office().await;
    let (_, callback) = staff_browser(&app, &staff_email(), true).await;
    let staff_value = set_cookie(&callback, "inv_staff").unwrap();
    let staff_value = staff_value
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("inv_staff=")
        .to_owned();

    // The staff cookie under the customers' name opens no customer session.
    let response = browser()
        .get(app.url("/api/Home"))
        .header("cookie", format!("inv_session={staff_value}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        302,
        "no session: Home asks for a sign-in"
    );
    assert!(location(&response).starts_with("/api/SignIn"));

    // A customer's session, renamed, opens no back office.
    let customer = unique_email("bothways");
    app.invite_with_token(&api_token().await, &json!({"email": customer}))
        .await;
    let mails = mailbox::wait_for(&stack().maildev_url, &customer, 1).await;
    let client = browser();
    let response = client
        .get(mailbox::link_in(&mails[0]))
        .send()
        .await
        .unwrap();
    let callback = sign_in_at_b2c(&client, &location(&response), &customer, "local").await;
    let accepted = client.get(&callback).send().await.unwrap();
    assert_eq!(accepted.status(), 303);
    let customer_value = set_cookie(&accepted, "inv_session").unwrap();
    let customer_value = customer_value
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("inv_session=")
        .to_owned();
    let response = browser()
        .get(app.url("/api/Staff"))
        .header("cookie", format!("inv_staff={customer_value}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302, "sent to sign in, not let in");
}

#[tokio::test]
async fn signing_out_ends_the_staff_session() {
    let app = spawn_back_office().await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let page = read_page(&client, &app.url("/api/Staff")).await;
    let response = client
        .post(app.url("/api/Staff/signout"))
        .form(&[("csrf", csrf_in(&page))])
        .send()
        .await
        .unwrap();
    // Through the staff directory's end-session endpoint (pages.rs follows it back).
    assert_eq!(response.status(), 303);
    let cleared = set_cookie(&response, "inv_staff").unwrap();
    assert!(cleared.contains("Max-Age=0"));
    assert!(location(&response).contains("post_logout_redirect_uri="));
    let response = client.get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(response.status(), 302, "signed out: sent to sign in again");
}

#[tokio::test]
async fn a_refusal_at_the_staff_directory_is_a_403_page_with_its_words_escaped() {
    let app = spawn_back_office().await;
    let client = browser();
    let response = client.get(app.url("/api/Staff")).send().await.unwrap();
    let authorize = location(&response);
    let callback = reqwest::Url::parse_with_params(
        &app.url("/api/StaffCallback"),
        &[
            ("error", "access_denied"),
            ("error_description", "<b>AADSTS50105</b> not assigned"),
            ("state", &param(&authorize, "state").unwrap()),
        ],
    )
    .unwrap();
    let response = client.get(callback).send().await.unwrap();
    assert_eq!(response.status(), 403);
    assert!(set_cookie(&response, "inv_staff_session").is_none());
    let html = response.text().await.unwrap();
    assert!(
        html.contains("AADSTS50105"),
        "the directory's words are shown"
    );
    assert!(!html.contains("<b>AADSTS"), "{html}");
}
