//! Findings 3 and 4: the invitations an administrator sent, and the company history that
//! names people, are reached by erasure and export; the retention purge takes an
//! invitation's company history with it.

use super::{company_post, invite_from_page, newest_link, pending_id};
use crate::organisations::onboard;
use crate::privacy::{all_rows, privacy_token};
use crate::support::browser::{browser, param, post_form};
use crate::support::{TestApp, unique_email};
use serde_json::{Value, json};
use sha2::Digest as _;

async fn staff_call(app: &TestApp, erase: bool, email: &str) -> Value {
    let token = privacy_token(app);
    let request = if erase {
        app.client
            .post(app.url("/api/privacy/erase"))
            .json(&json!({ "email": email }))
    } else {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("email", email)
            .finish();
        app.client
            .get(app.url(&format!("/api/privacy/export?{query}")))
    };
    let response = request.bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_erased_administrator_is_gone_from_the_invitations_they_sent_and_exported_with_them() {
    let app = TestApp::spawn().await;
    let karin = unique_email("karin");
    let (client, company) = onboard(&app, &karin, "Karin Sends SA").await;
    let lars = unique_email("lars");
    let sent = invite_from_page(&app, &client, &company, &lars, "member").await;
    assert_eq!(sent.status(), 303);
    let id = pending_id(&app, &client, &company, &lars).await;
    let link = newest_link(&lars, 1).await;

    let exported = staff_call(&app, false, &karin).await;
    let sent_ids: Vec<&str> = exported["invitationsSent"]
        .as_array()
        .unwrap_or_else(|| panic!("the export lists the invitations she sent: {exported}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(sent_ids, [id.as_str()]);

    staff_call(&app, true, &karin).await;
    let read = app.invitation(&id).await;
    let text = read.to_string().to_lowercase();
    assert!(!text.contains(&karin.to_lowercase()), "{read}");
    assert_eq!(read["invitedBy"]["email"], "erased", "{read}");
    assert_eq!(
        read["email"],
        lars.to_lowercase().as_str(),
        "Lars's own data stays"
    );
    let rows = all_rows(&app).await;
    let naming: Vec<&str> = rows
        .lines()
        .filter(|l| l.contains(&karin.to_lowercase()))
        .collect();
    assert!(naming.is_empty(), "rows still naming her: {naming:?}");

    // Once Lars's link expired, there is nobody to ask for a new one: its page offers no
    // "ask for a new link", and asking anyway shows the link's page and sends nothing.
    app.clock.advance(time::Duration::days(60));
    let lars_browser = browser();
    let expired = lars_browser.get(&link).send().await.unwrap();
    assert_eq!(expired.status(), 410);
    let html = expired.text().await.unwrap();
    assert!(html.contains("This invitation has expired"), "{html}");
    assert!(!html.contains("/api/InviteUser/renew"), "{html}");
    let ask = [("invitationId", param(&link, "invitationId").unwrap())];
    let asked = post_form(&lars_browser, &app.url("/api/InviteUser/renew"), &ask).await;
    assert_eq!(asked.status(), 303);
    let counted = format!("renew-{:x}", sha2::Sha256::digest(id.as_bytes()));
    assert!(
        !all_rows(&app).await.contains(&counted),
        "no request counted"
    );
}

#[tokio::test]
async fn the_retention_purge_takes_a_withdrawn_invitations_company_history_with_it() {
    let app = TestApp::spawn().await;
    let anne = unique_email("anne");
    let (client, company) = onboard(&app, &anne, "Purge History SA").await;
    let zed = unique_email("zed");
    assert_eq!(
        invite_from_page(&app, &client, &company, &zed, "member")
            .await
            .status(),
        303
    );
    let id = pending_id(&app, &client, &company, &zed).await;
    let path = format!("/api/Companies/{company}/invitations/{id}/revoke");
    assert_eq!(
        company_post(&app, &client, &company, &path, &[])
            .await
            .status(),
        303
    );
    assert!(all_rows(&app).await.contains(&zed.to_lowercase()));

    app.clock.advance(time::Duration::days(91));
    let purged = app.run_timer("PurgeEnded").await;
    assert_eq!(purged["ReturnValue"]["invitations"], 1, "{purged}");
    let rows = all_rows(&app).await;
    assert!(
        !rows.contains(&zed.to_lowercase()),
        "nothing names the invitee any more: {}",
        rows.lines()
            .filter(|l| l.contains(&zed.to_lowercase()))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
