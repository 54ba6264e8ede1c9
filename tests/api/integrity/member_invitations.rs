//! Findings 5, 6 and 7: a company's colleague invitations are its own (keyed by company
//! and email, counted against the company's budgets, revealing nothing from anyone
//! else); a removed administrator's pending invitations are withdrawn; a colleague's
//! invitation never leads to the company form or to a company.

use super::{accept_with, company_post, invite_from_page, invite_into, newest_link, pending_id};
use crate::account::sign_in;
use crate::organisations::onboard;
use crate::support::browser::{browser, csrf_in, location, page, post_form};
use crate::support::{TestApp, events, mailbox, stack, unique_email};
use invitations::domain::account::AccountId;
use serde_json::json;

async fn resend_from_page(
    app: &TestApp,
    client: &reqwest::Client,
    company: &str,
    id: &str,
) -> reqwest::Response {
    let path = format!("/api/Companies/{company}/invitations/{id}/resend");
    company_post(app, client, company, &path, &[]).await
}

/// The review's three effects: an oracle (a 409 for an address someone else invited), a
/// lock-out (the company's emails spending the address's daily budget, so the sales
/// staff's own invitation was a 429) and spam (no budget of the company's own).
#[tokio::test]
async fn a_companys_invitations_neither_reveal_nor_spend_anyone_elses_and_have_their_own_budget() {
    let app = TestApp::spawn_with(
        vec![(
            "LIMIT_MEMBER_INVITATIONS_PER_COMPANY_PER_DAY",
            Some("7".into()),
        )],
        |_| {},
    )
    .await;
    let anne = unique_email("anne");
    let (client, company) = onboard(&app, &anne, "Own Budget SA").await;

    // A competitor is being onboarded by the sales staff: the company learns nothing.
    let olga = unique_email("olga");
    app.invite(json!({"email": olga, "company": {"name": "Competitor AG"}}))
        .await;
    let sent = invite_from_page(&app, &client, &company, &olga, "member").await;
    assert_eq!(sent.status(), 303, "no 409 for someone else's invitation");
    assert_eq!(
        mailbox::wait_for(&stack().maildev_url, &olga, 2)
            .await
            .len(),
        2
    );

    // The company's invitation and four resends: five emails to Pia from the company…
    let pia = unique_email("pia");
    assert_eq!(
        invite_from_page(&app, &client, &company, &pia, "member")
            .await
            .status(),
        303
    );
    let id = pending_id(&app, &client, &company, &pia).await;
    for _ in 0..4 {
        assert_eq!(
            resend_from_page(&app, &client, &company, &id)
                .await
                .status(),
            303
        );
    }
    mailbox::wait_for(&stack().maildev_url, &pia, 5).await;
    // …which are not the sales staff's: their own invitation to Pia still goes.
    let response = app
        .invite_with_token(&app.idp.token(), &json!({"email": pia}))
        .await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    // The company's own budget per address is spent: a sixth email is a 429 page.
    let sixth = resend_from_page(&app, &client, &company, &id).await;
    assert_eq!(sixth.status(), 429);
    assert_eq!(mailbox::all_to(&stack().maildev_url, &pia).await.len(), 6);

    // The company's daily budget (7 here: Olga, Pia and five sends to Pia … already 6):
    // one more invitation goes, the next is a 429 page and sends nothing.
    let quinn = unique_email("quinn");
    assert_eq!(
        invite_from_page(&app, &client, &company, &quinn, "member")
            .await
            .status(),
        303
    );
    let rita = unique_email("rita");
    let refused = invite_from_page(&app, &client, &company, &rita, "member").await;
    assert_eq!(refused.status(), 429);
    let html = refused.text().await.unwrap();
    assert!(html.contains("lang=\"en\""), "{html}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        mailbox::all_to(&stack().maildev_url, &rita)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn removing_an_administrator_withdraws_the_invitations_they_sent() {
    let app = TestApp::spawn().await;
    let nina = unique_email("nina");
    let (nina_browser, company) = onboard(&app, &nina, "Withdrawn SA").await;
    let olaf = unique_email("olaf");
    invite_into(&app, &olaf, &company, "administrator").await;
    let olaf_browser = browser();
    let response = accept_with(&olaf_browser, &newest_link(&olaf, 1).await, &olaf, "local").await;
    assert_eq!(location(&response), "/api/Home");
    let zoe = unique_email("zoe");
    assert_eq!(
        invite_from_page(&app, &olaf_browser, &company, &zoe, "administrator")
            .await
            .status(),
        303
    );
    let id = pending_id(&app, &olaf_browser, &company, &zoe).await;

    // Nina removes Olaf.
    let html = page(
        &nina_browser,
        &app.url(&format!("/api/Companies/{company}")),
    )
    .await;
    let marker = format!("data-email=\"{}\"", olaf.to_lowercase());
    let line = &html[html.find(&marker).unwrap()..];
    let members = format!("/api/Companies/{company}/members/");
    let start = line.find(&members).unwrap() + members.len();
    let olaf_id = AccountId::from_stored(line[start..].split('"').next().unwrap().to_owned());
    let path = format!("{members}{}", olaf_id.as_str());
    let removed = company_post(
        &app,
        &nina_browser,
        &company,
        &path,
        &[("remove", "1"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(removed.status(), 303);

    let read = app.invitation(&id).await;
    assert_eq!(read["status"], "revoked", "{read}");
    let last = read["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], "revoked");
    assert_eq!(last["reason"], "inviterRemoved", "history says why: {last}");
    // Zoe's link now says the invitation was withdrawn.
    let response = browser()
        .get(newest_link(&zoe, 1).await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 410);
}

/// Joining fails before the membership exists (here the company is gone): before, the
/// invitation stayed `accepted` and the next sign-in led to the company form, which made
/// a new company of it.
#[tokio::test]
async fn a_colleagues_invitation_never_leads_to_the_company_form_or_a_company() {
    let app = TestApp::spawn().await;
    let anne = unique_email("anne");
    let (_, company) = onboard(&app, &anne, "Gone Soon SA").await;
    let bert = unique_email("bert");
    let created = invite_into(&app, &bert, &company, "member").await;
    let id = created["id"].as_str().unwrap().to_owned();
    // The company disappears (its rows removed) before Bert joins.
    for row in app.table_rows("Companies").await {
        if row["PartitionKey"] == company.as_str() {
            app.table("Companies")
                .partition_key_client(row["PartitionKey"].as_str().unwrap())
                .entity_client(row["RowKey"].as_str().unwrap())
                .delete()
                .await
                .unwrap();
        }
    }
    let client = browser();
    let response = accept_with(&client, &newest_link(&bert, 1).await, &bert, "local").await;
    assert_ne!(location_or_empty(&response), "/api/CreateCompany");

    let (signed_in, response) = sign_in(&app, &bert, "local").await;
    assert_ne!(
        location_or_empty(&response),
        "/api/CreateCompany",
        "never the company form"
    );
    // Even posted by hand, the form makes no company of a colleague's invitation.
    let form = page(&signed_in, &app.url("/api/CreateCompany")).await;
    if form.contains("name=\"csrf\"") {
        let mut fields = crate::support::browser::company_form(&csrf_in(&form));
        fields[0].1 = "Made From A Member SA".into();
        post_form(&signed_in, &app.url("/api/CreateCompany"), &fields).await;
    }
    let companies = app.table_rows("Companies").await;
    assert!(
        !companies
            .iter()
            .any(|r| r["RowKey"] == "company" && r["PartitionKey"] == format!("c{id}")),
        "no company was made from the colleague's invitation"
    );
    let read = app.invitation(&id).await;
    assert_ne!(read["companyId"], format!("c{id}"), "{read}");
    assert!(!events(&read).contains(&"completed"));
}

/// A colleague's invitation accepted by the code before this change (left `accepted`
/// when joining failed): the next sign-in finishes joining instead of the company form.
#[tokio::test]
async fn an_accepted_colleagues_invitation_is_finished_by_the_next_sign_in() {
    let app = TestApp::spawn().await;
    let anne = unique_email("anne");
    let (_, company) = onboard(&app, &anne, "Finish Join SA").await;
    let bert = unique_email("bert");
    let created = invite_into(&app, &bert, &company, "member").await;
    let id = invitations::domain::invitation::InvitationId::parse(created["id"].as_str().unwrap())
        .unwrap();
    // Accepted (bound to Bert's local login) but not joined, as the old callback left it.
    let login = super::local_login(&app, &bert).await;
    let stored = app.services.store.get(&id).await.unwrap().unwrap();
    let mut accepted = stored.value.clone();
    accepted
        .accept(
            login,
            &accepted.email.clone(),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    app.services
        .store
        .replace(&accepted, &stored)
        .await
        .unwrap();

    let (signed_in, response) = sign_in(&app, &bert, "local").await;
    assert_eq!(location(&response), "/api/Home");
    let home = page(&signed_in, &app.url("/api/Home")).await;
    assert!(home.contains("Finish Join SA"), "{home}");
    assert_eq!(
        app.invitation(created["id"].as_str().unwrap()).await["status"],
        "completed"
    );
}

fn location_or_empty(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
