//! The customer deletes their own account from the profile.

use super::{all_rows, mixed_case_email, onboard_with};
use crate::account::{invite, sign_in};
use crate::pages::through_provider_sign_out;
use crate::support::browser::{csrf_in, location, page, post_form};
use crate::support::{TestApp, mailbox, stack};
use reqwest::Client;
use serde_json::json;
use time::Duration;

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
    assert_eq!(response.status(), 303, "on to the provider's sign-out");
    assert!(
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("inv_session=;")),
        "the session cookie is cleared"
    );
    let back = through_provider_sign_out(&client, &location(&response)).await;
    let html = page(&client, &back).await;
    assert!(html.contains("Your account is deleted"), "{html}");
    let response = client.get(app.url("/api/Profile")).send().await.unwrap();
    assert_eq!(
        response.status(),
        302,
        "signed out: the profile asks for a sign-in"
    );
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
    // A colleague joins as a member.
    let colleague = crate::support::unique_email("colleague");
    let invited = app
        .invite(json!({"email": colleague, "companyId": company, "role": "member"}))
        .await;
    assert_eq!(invited["kind"], "member");
    let mails = mailbox::wait_for(&stack().maildev_url, &colleague, 1).await;
    let (_, response) =
        crate::organisations::follow(&mailbox::link_in(&mails[0]), &colleague).await;
    assert_eq!(location(&response), "/api/Home");

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
