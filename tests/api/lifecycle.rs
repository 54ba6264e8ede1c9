//! Invitations over their whole life: resend, revoke, expiry, existing customers, limits
//! and bulk invitations.

use crate::support::browser::{browser, company_form, csrf_in, location, page, post_form};
use crate::support::{TestApp, events, mailbox, problem, stack, unique_email};
use serde_json::{Value, json};
use time::Duration;

async fn post(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap()
}

async fn bulk(app: &TestApp, rows: &impl serde::Serialize) -> reqwest::Response {
    app.client
        .post(app.url("/api/invitations/bulk"))
        .bearer_auth(app.idp.token())
        .json(rows)
        .send()
        .await
        .unwrap()
}

async fn delete(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .delete(app.url(path))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_resend_sends_a_new_link_restarts_the_expiry_and_retires_the_old_link() {
    let app = TestApp::spawn().await;
    let email = unique_email("resend");
    let created = app
        .invite(json!({"email": email, "expiresInDays": 3}))
        .await;
    let id = created["id"].as_str().unwrap();
    let old_link = created["inviteUrl"].as_str().unwrap().to_owned();

    app.clock.advance(Duration::days(4));
    assert_eq!(app.invitation(id).await["status"], "expired");
    let response = post(&app, &format!("/api/invitations/{id}/resend")).await;
    assert_eq!(response.status(), 200);
    let resent: Value = response.json().await.unwrap();
    assert_eq!(resent["status"], "pending");
    assert_eq!(resent["emailDelivery"], "sent");
    let new_link = resent["inviteUrl"].as_str().unwrap().to_owned();
    assert_ne!(new_link, old_link);
    let now = time::OffsetDateTime::now_utc() + Duration::days(4);
    let expires = time::OffsetDateTime::parse(
        resent["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        (expires - now - Duration::days(3)).abs() < Duration::minutes(1),
        "the expiry restarted: {expires}"
    );

    let mails = mailbox::wait_for(&stack().maildev_url, &email, 2).await;
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().any(|m| mailbox::link_in(m) == new_link));

    let old = browser().get(&old_link).send().await.unwrap();
    assert_eq!(old.status(), 410);
    assert!(
        old.text()
            .await
            .unwrap()
            .contains("A newer invitation was sent to you")
    );
    assert_eq!(browser().get(&new_link).send().await.unwrap().status(), 302);

    let read = app.invitation(id).await;
    let history = events(&read);
    assert_eq!(
        history,
        [
            "created",
            "emailSent",
            "expired",
            "resent",
            "emailSent",
            "opened"
        ]
    );
    assert_eq!(
        read["history"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["event"] == "resent")
            .unwrap()["actor"],
        "tamer@gfms.example"
    );
}

#[tokio::test]
async fn only_pending_or_expired_invitations_can_be_resent() {
    let app = TestApp::spawn().await;
    let created = app.invite_email(&unique_email("norevive")).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        delete(&app, &format!("/api/invitations/{id}"))
            .await
            .status(),
        200
    );
    let body = problem(
        post(&app, &format!("/api/invitations/{id}/resend")).await,
        409,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("revoked"));
    problem(
        post(&app, "/api/invitations/0000000000000aaaaaaaaaaaa/resend").await,
        404,
    )
    .await;
}

#[tokio::test]
async fn a_revoked_invitation_shows_a_revoked_page_and_stays_listed() {
    let app = TestApp::spawn().await;
    let email = unique_email("revoked");
    let created = app.invite_email(&email).await;
    let id = created["id"].as_str().unwrap();
    let link = created["inviteUrl"].as_str().unwrap().to_owned();

    // A sign-in under way when the invitation is revoked cannot complete.
    let client = browser();
    let authorize = location(&client.get(&link).send().await.unwrap());
    let callback =
        crate::support::browser::sign_in_at_b2c(&client, &authorize, &email, "local").await;

    let response = delete(&app, &format!("/api/invitations/{id}")).await;
    assert_eq!(response.status(), 200);
    let revoked: Value = response.json().await.unwrap();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(
        delete(&app, &format!("/api/invitations/{id}"))
            .await
            .status(),
        200,
        "revoking again is harmless"
    );

    let page = client.get(&callback).send().await.unwrap();
    assert_eq!(page.status(), 410);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("This invitation was withdrawn")
    );
    let page = browser().get(&link).send().await.unwrap();
    assert_eq!(page.status(), 410);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Tamer Mohamed-Nour withdrew this invitation")
    );

    let listed = app.list("status=revoked").await;
    assert_eq!(listed["items"][0]["id"], id);
    let read = app.invitation(id).await;
    assert_eq!(events(&read).iter().filter(|e| **e == "revoked").count(), 1);
    // The email is free for a new invitation.
    app.invite_email(&email).await;
}

#[tokio::test]
async fn a_completed_invitation_cannot_be_revoked() {
    let app = TestApp::spawn_with_test_b2c().await;
    let email = unique_email("done");
    let created = app
        .invite(json!({"email": email, "company": {"name": "URS Machining SA", "vatNumber": "BE0123456749", "street": "Rue 1", "postalCode": "1400", "city": "Nivelles", "country": "BE"}}))
        .await;
    let id = created["id"].as_str().unwrap();
    let link = created["inviteUrl"].as_str().unwrap();
    let (client, _, response) = app
        .sign_in_with_test_b2c(link, &email, &crate::support::tokens::SIGNING, "c", |_| {})
        .await;
    assert_eq!(response.status(), 303);
    let html = page(&client, &app.url("/api/CreateCompany")).await;
    let form = company_form(&csrf_in(&html));
    let response = post_form(&client, &app.url("/api/CreateCompany"), &form).await;
    assert_eq!(response.status(), 303);
    let body = problem(delete(&app, &format!("/api/invitations/{id}")).await, 409).await;
    assert!(body["detail"].as_str().unwrap().contains("completed"));
    assert_eq!(app.invitation(id).await["status"], "completed");

    // Invited again later, the same address is told to sign in.
    let again_email = email.clone();
    app.invite(json!({"email": again_email})).await;
    let mails = mailbox::wait_for(&stack().maildev_url, &email, 2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.text.contains("Sign in with your account")),
        "an existing customer is asked to sign in"
    );
}

#[tokio::test]
async fn staff_members_are_limited_per_hour_across_routes() {
    let app = TestApp::spawn_with(
        vec![("LIMIT_INVITATIONS_PER_HOUR", Some("3".into()))],
        |_| {},
    )
    .await;
    for _ in 0..3 {
        app.invite_email(&unique_email("limit")).await;
    }
    let response = app
        .invite_with_token(&app.idp.token(), &json!({"email": unique_email("limit")}))
        .await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry_after));
    problem(response, 429).await;
    // Another staff member is not affected; the next hour starts afresh.
    let other = app
        .idp
        .token_with(|c| c["preferred_username"] = json!("other.sales@gfms.example"));
    assert_eq!(
        app.invite_with_token(&other, &json!({"email": unique_email("limit")}))
            .await
            .status(),
        201
    );
    app.clock.advance(Duration::hours(1));
    app.invite_email(&unique_email("limit")).await;
}

#[tokio::test]
async fn one_address_is_not_mailed_more_than_the_daily_limit_whatever_the_route() {
    let app = TestApp::spawn_with(
        vec![("LIMIT_EMAILS_PER_ADDRESS_PER_DAY", Some("2".into()))],
        |_| {},
    )
    .await;
    let email = unique_email("daily");
    let created = app.invite_email(&email).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        post(&app, &format!("/api/invitations/{id}/resend"))
            .await
            .status(),
        200
    );
    problem(
        post(&app, &format!("/api/invitations/{id}/resend")).await,
        429,
    )
    .await;
    assert_eq!(
        mailbox::wait_for(&stack().maildev_url, &email, 2)
            .await
            .len(),
        2
    );
    app.clock.advance(Duration::days(1));
    assert_eq!(
        post(&app, &format!("/api/invitations/{id}/resend"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_client_trying_unknown_links_is_stopped() {
    let app = TestApp::spawn_with(
        vec![("LIMIT_FAILED_LINKS_PER_HOUR", Some("3".into()))],
        |_| {},
    )
    .await;
    let created = app.invite_email(&unique_email("guess")).await;
    let try_link = |link: String, ip: &'static str| {
        let client = browser();
        async move {
            client
                .get(link)
                .header("x-forwarded-for", ip)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for n in 0..3 {
        let guess = app.url(&format!("/api/InviteUser?invitationId=guess{n}"));
        assert_eq!(try_link(guess, "203.0.113.7").await, 404);
    }
    assert_eq!(
        try_link(
            app.url("/api/InviteUser?invitationId=guess9"),
            "203.0.113.7"
        )
        .await,
        429
    );
    let real = created["inviteUrl"].as_str().unwrap().to_owned();
    // The counter is touched only by a link that leads nowhere: a real link (256 bits
    // nobody guesses) is answered from the invitation's row alone.
    assert_eq!(
        try_link(real.clone(), "203.0.113.7").await,
        302,
        "a real link still opens"
    );
    let guess = app.url("/api/InviteUser?invitationId=guess10");
    assert_eq!(
        try_link(guess.clone(), "198.51.100.2").await,
        404,
        "other clients are not affected"
    );
    // What the client writes before the front end's entry does not make it someone else.
    assert_eq!(
        try_link(guess, "198.51.100.99, 203.0.113.7:50312").await,
        429,
        "a prepended address changes nothing"
    );
}

#[tokio::test]
async fn a_bulk_json_array_gets_one_result_per_row_in_order() {
    let app = TestApp::spawn().await;
    let existing = unique_email("bulk.existing");
    let first = app.invite_email(&existing).await;
    let fresh = unique_email("bulk.fresh");
    let rows = json!([
        {"email": fresh, "locale": "fr", "company": {"name": "Bulk SA", "country": "BE"}},
        {"email": existing},
        {"email": "not-an-email"},
        "not an object",
        {"email": unique_email("bulk.other"), "expiresInDays": 99},
    ]);
    let response = bulk(&app, &rows).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let results = body["results"].as_array().unwrap();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["created", "duplicate", "invalid", "invalid", "invalid"]
    );
    assert_eq!(
        results
            .iter()
            .map(|r| r["row"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(results[1]["id"], first["id"]);
    assert!(results[2]["errors"]["email"].is_string());
    assert!(results[4]["errors"]["expiresInDays"].is_string());
    let created = app.invitation(results[0]["id"].as_str().unwrap()).await;
    assert_eq!(created["company"]["name"], "Bulk SA");
    assert_eq!(
        mailbox::wait_for(&stack().maildev_url, &fresh, 1)
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_bulk_csv_file_with_good_and_bad_rows() {
    let app = TestApp::spawn().await;
    let a = unique_email("csv.a");
    let b = unique_email("csv.b");
    let csv = format!(
        "email,displayName,locale,expiresInDays,company.name,company.vatNumber,company.country\n\
         {a},Anne,en,10,Anne SPRL,BE0123456749,BE\n\
         {b},Bert,es,,,,\n\
         {a},Anne again,,,,,\n"
    );
    let response = app
        .client
        .post(app.url("/api/invitations/bulk"))
        .bearer_auth(app.idp.token())
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let results = body["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "created");
    assert_eq!(results[1]["status"], "invalid");
    assert!(results[1]["errors"]["locale"].is_string());
    assert_eq!(results[2]["status"], "duplicate");
    assert_eq!(results[2]["id"], results[0]["id"]);
    let created = app.invitation(results[0]["id"].as_str().unwrap()).await;
    assert_eq!(created["company"]["vatNumber"], "BE0123456749");
}

#[tokio::test]
async fn more_than_500_rows_is_413_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let marker = unique_email("toomany");
    let rows: Vec<Value> = (0..501)
        .map(|n| json!({"email": format!("{n}.{marker}")}))
        .collect();
    let response = bulk(&app, &rows).await;
    problem(response, 413).await;
    assert!(app.list("").await["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_bulk_request_over_the_hourly_limit_is_429_and_creates_nothing() {
    let app = TestApp::spawn_with(
        vec![("LIMIT_INVITATIONS_PER_HOUR", Some("2".into()))],
        |_| {},
    )
    .await;
    let rows: Vec<Value> = (0..3)
        .map(|_| json!({"email": unique_email("bulk.limit")}))
        .collect();
    let response = bulk(&app, &rows).await;
    problem(response, 429).await;
    assert!(app.list("").await["items"].as_array().unwrap().is_empty());
}
