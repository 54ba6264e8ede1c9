//! `POST /api/InviteUser` and `GET /api/invitations/{id}`: a sales person invites a
//! customer and the customer receives the invitation email.

use crate::support::{TestApp, events, mailbox, problem, stack, unique_email};
use serde_json::{Value, json};

fn full_body(email: &str) -> Value {
    json!({
        "email": email,
        "displayName": "Willy URS",
        "locale": "en",
        "expiresInDays": 7,
        "company": {
            "name": "URS Machining SA", "vatNumber": "BE0123456749",
            "street": "Rue de l'Industrie 12", "postalCode": "1400", "city": "Nivelles",
            "country": "BE"
        }
    })
}

#[tokio::test]
async fn inviting_a_customer_stores_the_invitation_and_emails_the_link() {
    let app = TestApp::spawn().await;
    let email = unique_email("willy.urs");
    let response = app
        .invite_with_token(&app.idp.token(), &full_body(&email))
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/invitations/{id}"));
    assert_eq!(created["email"], email);
    assert_eq!(created["status"], "pending");
    assert_eq!(created["emailDelivery"], "sent");
    assert_eq!(created["locale"], "en");
    assert_eq!(created["companyId"], Value::Null);
    assert_eq!(created["company"]["vatNumber"], "BE0123456749");
    assert_eq!(created["company"]["country"], "BE");
    let invite_url = created["inviteUrl"].as_str().unwrap();
    assert!(invite_url.starts_with(&format!("{}/api/InviteUser?invitationId=", app.address)));
    let created_at = time::OffsetDateTime::parse(
        created["createdAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires_at = time::OffsetDateTime::parse(
        created["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires_at - created_at, time::Duration::days(7));

    let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
    assert_eq!(mails.len(), 1, "exactly one email");
    let mail = &mails[0];
    assert_eq!(
        mail.subject,
        "Tamer Mohamed-Nour invited you to GFMS Customer Portal"
    );
    assert_eq!(mail.from[0].address, "invitations@gfms.example");
    assert!(mail.text.starts_with("Hi Willy URS,"));
    assert!(mail.text.contains(
        "Tamer Mohamed-Nour (tamer@gfms.example) has invited you to use GFMS Customer Portal"
    ));
    assert!(mail.html.contains("Get started now"));
    assert_eq!(
        mailbox::link_in(mail),
        invite_url,
        "the email carries the same link"
    );
    assert!(
        mail.html.contains(&invite_url.replace('&', "&amp;")),
        "the raw link is printed in the HTML part too"
    );
}

#[tokio::test]
async fn a_french_invitation_gets_a_french_email() {
    let app = TestApp::spawn().await;
    let email = unique_email("elodie");
    app.invite(json!({"email": email, "displayName": "Élodie Martin", "locale": "fr"}))
        .await;
    let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
    assert_eq!(
        mails[0].subject,
        "Tamer Mohamed-Nour vous invite sur GFMS Customer Portal"
    );
    assert!(mails[0].text.starts_with("Bonjour Élodie Martin,"));
    assert!(mails[0].html.contains("Commencer maintenant"));
}

#[tokio::test]
async fn an_invitation_is_read_back_with_its_history_but_without_its_link() {
    let app = TestApp::spawn().await;
    let created = app.invite_email(&unique_email("history")).await;
    let id = created["id"].as_str().unwrap();
    let read = app.invitation(id).await;
    assert_eq!(read["id"], id);
    assert_eq!(read["status"], "pending");
    assert!(
        read.get("inviteUrl").is_none(),
        "the link is returned only at creation"
    );
    assert_eq!(events(&read), ["created", "emailSent"]);
    assert_eq!(read["history"][0]["actor"], "tamer@gfms.example");
    assert_eq!(read["history"][1]["actor"], "system");

    problem(app.get_invitation("0000000000000aaaaaaaaaaaa").await, 404).await;
    problem(app.get_invitation("not-an-id").await, 404).await;
}

#[tokio::test]
async fn a_second_invitation_for_an_active_email_is_409_with_the_first_ones_id() {
    let app = TestApp::spawn().await;
    let email = unique_email("twice");
    let first = app.invite_email(&email).await;
    let response = app
        .invite_with_token(&app.idp.token(), &json!({"email": email.to_uppercase()}))
        .await;
    let body = problem(response, 409).await;
    assert_eq!(body["id"], first["id"]);
}

#[tokio::test]
async fn concurrent_invitations_for_one_email_create_exactly_one() {
    let app = TestApp::spawn().await;
    let email = unique_email("race");
    let token = app.idp.token();
    let body = json!({"email": email});
    let responses =
        futures::future::join_all((0..8).map(|_| app.invite_with_token(&token, &body))).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    let listed = app.list(&format!("email={email}")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn every_invalid_field_is_a_400_keyed_by_that_field_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let email = unique_email("invalid");
    let cases = [
        (json!({}), "email"),
        (json!({"email": "not-an-address"}), "email"),
        (json!({"email": 42}), "email"),
        (json!({"email": email, "locale": "es"}), "locale"),
        (json!({"email": email, "expiresInDays": 0}), "expiresInDays"),
        (
            json!({"email": email, "expiresInDays": 31}),
            "expiresInDays",
        ),
        (
            json!({"email": email, "expiresInDays": "7"}),
            "expiresInDays",
        ),
        (
            json!({"email": email, "expiresInDays": 2.5}),
            "expiresInDays",
        ),
        (
            json!({"email": email, "displayName": "x".repeat(101)}),
            "displayName",
        ),
        (
            json!({"email": email, "company": {"country": "BE", "vatNumber": "BE0123456748"}}),
            "company.vatNumber",
        ),
        (
            json!({"email": email, "company": {"country": "XX"}}),
            "company.country",
        ),
        (
            json!({"email": email, "company": {"country": "FR", "postalCode": "1400"}}),
            "company.postalCode",
        ),
        (json!({"email": email, "company": "URS"}), "company"),
    ];
    for (body, field) in cases {
        let response = app.invite_with_token(&app.idp.token(), &body).await;
        let problem = problem(response, 400).await;
        assert!(
            problem["errors"][field].is_string(),
            "{body} should report {field}: {problem}"
        );
    }
    assert!(
        app.list(&format!("email={email}")).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        mailbox::all_to(&stack().maildev_url, &email)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn malformed_json_a_wrong_content_type_and_oversized_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let send = |body: Vec<u8>, content_type: &'static str| {
        app.client
            .post(app.url("/api/InviteUser"))
            .bearer_auth(app.idp.token())
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let body = problem(
        send(b"{\"email\": ".to_vec(), "application/json")
            .await
            .unwrap(),
        400,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"));
    problem(
        send(b"[1,2]".to_vec(), "application/json").await.unwrap(),
        400,
    )
    .await;
    let email = unique_email("ctype");
    let form = format!("email={email}").into_bytes();
    let body = problem(
        send(form, "application/x-www-form-urlencoded")
            .await
            .unwrap(),
        400,
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );
    let huge =
        serde_json::to_vec(&json!({"email": email, "displayName": "x".repeat(70 * 1024)})).unwrap();
    problem(send(huge, "application/json").await.unwrap(), 413).await;
    assert!(
        app.list(&format!("email={email}")).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn link_secrets_are_stored_only_as_hashes() {
    let app = TestApp::spawn().await;
    let created = app.invite_email(&unique_email("hash")).await;
    let url = created["inviteUrl"].as_str().unwrap();
    let secret = url.split("invitationId=").nth(1).unwrap();
    let mut rows = app.table_rows("Invitations").await;
    rows.extend(app.table_rows("InvitationIndex").await);
    let dump = serde_json::to_string(&rows).unwrap();
    assert!(
        !dump.contains(secret),
        "the secret itself is nowhere in storage"
    );
    use sha2::Digest as _;
    let hash: String = sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        dump.contains(&hash),
        "its SHA-256 is what finds the invitation"
    );
}

#[tokio::test]
async fn without_smtp_the_email_is_written_as_an_eml_file() {
    let dir = std::env::temp_dir().join(crate::support::unique("outbox"));
    let app = TestApp::spawn_with(
        vec![
            ("SMTP_URL", None),
            ("MAIL_DROP_DIR", Some(dir.display().to_string())),
        ],
        |_| {},
    )
    .await;
    let created = app.invite_email(&unique_email("eml")).await;
    assert_eq!(created["emailDelivery"], "sent");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(eml.contains("Subject: Tamer Mohamed-Nour invited you to GFMS Customer Portal"));
    assert!(eml.contains("multipart/alternative"));
    let _ = std::fs::remove_dir_all(dir);
}
