//! The sales back office (`/api/Staff…`): a real authorization-code sign-in at the local
//! staff directory, then what a sales person sees and does.

use crate::support::browser::{browser, csrf_in, location, param, sign_in_at_b2c};
use crate::support::staff::{api_token, set_cookie, spawn_back_office, staff_browser};
use crate::support::{TestApp, mailbox, stack, unique, unique_email};
use serde_json::{Value, json};

fn staff_email() -> String {
    format!("{}@gfms.example", unique("sales"))
}

async fn api_get(app: &TestApp, path: &str) -> Value {
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
async fn invitations_of(app: &TestApp, email: &str) -> Vec<Value> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", email)
        .finish();
    let list = api_get(app, &format!("/api/invitations?{query}")).await;
    list["items"].as_array().unwrap().clone()
}

fn invite_form(csrf: &str, email: &str) -> Vec<(&'static str, String)> {
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

#[tokio::test]
async fn without_a_session_the_back_office_sends_the_browser_to_the_staff_directory() {
    let app = spawn_back_office().await;
    let response = browser().get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let flow = set_cookie(&response, "inv_staff_flow").expect("a flow cookie");
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

    let page = client
        .get(app.url("/api/Staff?lang=fr"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
async fn invite_form_errors_show_beside_the_fields_and_nothing_is_created() {
    let app = spawn_back_office().await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let page = client
        .get(app.url("/api/Staff?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form = invite_form(&csrf_in(&page), "not-an-address");
    form.push(("lang", "en".into()));
    form.retain(|(k, _)| *k != "expiresInDays" && *k != "company.vatNumber");
    form.push(("expiresInDays", "45".into()));
    form.push(("company.vatNumber", "BE0123456748".into()));
    let response = client
        .post(app.url("/api/Staff/invite"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    for (id, text) in [
        ("f-email-error", "Is not a valid email address"),
        ("f-expires-error", "From 1 to 30"),
        ("f-company-vat-error", "VAT"),
    ] {
        let at = page
            .find(&format!("id=\"{id}\">"))
            .unwrap_or_else(|| panic!("{id} in {page}"));
        let shown = &page[at..at + 200];
        assert!(
            shown.to_lowercase().contains(&text.to_lowercase()),
            "{id}: {shown}"
        );
    }
    assert!(page.contains("value=\"not-an-address\""), "the values stay");
    assert!(app.table_rows("Invitations").await.is_empty());
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_back_office().await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let customer = unique_email("nocsrf");
    let mut form = invite_form("", &customer);
    form.retain(|(k, _)| *k != "csrf");
    let response = client
        .post(app.url("/api/Staff/invite"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(app.table_rows("Invitations").await.is_empty());

    let created: Value = app
        .invite_with_token(&api_token().await, &json!({"email": customer}))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let response = client
        .post(app.url(&format!("/api/Staff/invitations/{id}/revoke")))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        invitations_of(&app, &customer).await[0]["status"],
        "pending"
    );
}

#[tokio::test]
async fn a_sales_person_invites_resends_and_revokes_from_the_back_office() {
    let app = spawn_back_office().await;
    let staff = staff_email();
    let (client, _) = staff_browser(&app, &staff, true).await;
    let page = client
        .get(app.url("/api/Staff?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_in(&page);
    let customer = unique_email("office");
    let response = client
        .post(app.url("/api/Staff/invite"))
        .form(&invite_form(&csrf, &customer))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("/api/InviteUser?invitationId="),
        "the link is shown once"
    );
    let found = invitations_of(&app, &customer).await;
    assert_eq!(found.len(), 1);
    let id = found[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(found[0]["invitedBy"]["email"], staff.as_str());
    assert_eq!(found[0]["invitedBy"]["name"], "Tamer Mohamed-Nour");
    assert_eq!(found[0]["company"]["vatNumber"], "BE0123456749");
    assert_eq!(found[0]["locale"], "fr");
    assert!(
        page.contains(&format!("data-id=\"{id}\"")),
        "the row is listed"
    );
    mailbox::wait_for(&stack().maildev_url, &customer, 1).await;

    // Resend: a confirmation step, then a new link.
    let confirm = client
        .get(app.url(&format!("/api/Staff/invitations/{id}/resend?lang=en")))
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), 200);
    assert!(
        confirm
            .text()
            .await
            .unwrap()
            .contains("Resend the invitation?")
    );
    let response = client
        .post(app.url(&format!("/api/Staff/invitations/{id}/resend")))
        .form(&[("csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("/api/InviteUser?invitationId=")
    );

    // Revoke.
    let response = client
        .post(app.url(&format!("/api/Staff/invitations/{id}/revoke")))
        .form(&[("csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let invitation = api_get(&app, &format!("/api/invitations/{id}")).await;
    assert_eq!(invitation["status"], "revoked");
    let events: Vec<&str> = invitation["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"resent") && events.contains(&"revoked"),
        "{events:?}"
    );

    // The history on its own page.
    let page = client
        .get(app.url(&format!("/api/Staff/invitations/{id}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("History") && page.contains("Resent") && page.contains("Revoked"));
    assert!(page.contains(&staff));
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
    assert_eq!(response.status(), 401);

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
