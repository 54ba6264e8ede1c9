//! The customer's journey over HTTP: email link → B2C sign-in → AcceptInvite →
//! CreateCompany → Home, and every page and rejection on the way.

use crate::support::browser::{
    browser, company_form, csrf_in, location, page, param, post_form, sign_in_at_b2c,
};
use crate::support::tokens::{ATTACKER, SIGNING};
use crate::support::{TestApp, events, mailbox, stack, unique_email};
use serde_json::{Value, json};
use time::Duration;

fn company() -> Value {
    json!({
        "name": "URS Machining SA", "vatNumber": "BE0123456749",
        "street": "Rue de l'Industrie 12", "postalCode": "1400", "city": "Nivelles", "country": "BE"
    })
}

/// Invites `email` with the contract's company and returns (invitation, link from the email).
async fn invite(app: &TestApp, email: &str, company: Value) -> (Value, String) {
    let created = app
        .invite(json!({"email": email, "displayName": "Willy URS", "company": company}))
        .await;
    let mails = mailbox::wait_for(&stack().maildev_url, email, 1).await;
    (created, mailbox::link_in(&mails[0]))
}

/// Follows the link and signs in at the local B2C as `email`; returns the client, signed
/// in, and the AcceptInvite response.
async fn accept_as(link: &str, email: &str) -> (reqwest::Client, reqwest::Response) {
    let client = browser();
    let response = client.get(link).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let callback = sign_in_at_b2c(&client, &location(&response), email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    (client, response)
}

#[tokio::test]
async fn a_customer_follows_the_link_signs_in_and_creates_the_company() {
    let app = TestApp::spawn().await;
    let email = unique_email("journey");
    let (created, link) = invite(&app, &email, company()).await;
    let id = created["id"].as_str().unwrap();

    let client = browser();
    let response = client.get(&link).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let authorize = location(&response);
    assert!(
        authorize.starts_with(
            stack()
                .b2c_metadata_url
                .trim_end_matches(".well-known/openid-configuration")
        )
    );
    assert_eq!(param(&authorize, "response_type").as_deref(), Some("code"));
    assert_eq!(
        param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        param(&authorize, "login_hint").as_deref(),
        Some(email.as_str())
    );
    assert_eq!(
        param(&authorize, "redirect_uri"),
        Some(format!("{}/api/AcceptInvite", app.address))
    );
    assert!(param(&authorize, "state").is_some_and(|s| s.len() >= 43));
    assert!(param(&authorize, "nonce").is_some_and(|s| s.len() >= 43));
    assert!(param(&authorize, "code_challenge").is_some_and(|s| s.len() == 43));

    let callback = sign_in_at_b2c(&client, &authorize, &email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/api/CreateCompany");
    assert_eq!(app.invitation(id).await["status"], "accepted");

    let form_page = client
        .get(app.url("/api/CreateCompany"))
        .send()
        .await
        .unwrap();
    assert_eq!(form_page.status(), 200);
    let csp = form_page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    let html = form_page.text().await.unwrap();
    for value in [
        "URS Machining SA",
        "BE0123456749",
        "Rue de l&#39;Industrie 12",
        "1400",
        "Nivelles",
        "value=\"BE\"",
    ] {
        assert!(
            html.contains(value) || html.contains(&value.replace("&#39;", "&#x27;")),
            "the form shows {value}"
        );
    }
    let csrf = csrf_in(&html);

    let response = post_form(
        &client,
        &app.url("/api/CreateCompany"),
        &company_form(&csrf),
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/api/Home");
    let home = page(&client, &app.url("/api/Home")).await;
    // Welcomed to the product, with the company they created.
    assert!(home.contains("<h1>Welcome to "), "{home}");
    assert!(!home.contains("Welcome to URS Machining SA"), "{home}");
    assert!(home.contains("<li>URS Machining SA "), "{home}");

    let read = app.invitation(id).await;
    assert_eq!(read["status"], "completed");
    assert_eq!(read["companyId"], format!("c{id}"));
    assert_eq!(
        events(&read),
        ["created", "emailSent", "opened", "accepted", "completed"]
    );
    let companies = app.companies().await;
    assert_eq!(companies.len(), 1);
    assert_eq!(companies[0]["Name"], "URS Machining SA");
    let accounts = app.table_rows("Accounts").await;
    assert!(
        accounts.iter().any(|r| r["Role"] == "administrator"),
        "the customer administers the company"
    );

    // The link is used up now: a page says so.
    let again = browser().get(&link).send().await.unwrap();
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("already been used"));
}

#[tokio::test]
async fn opening_the_link_never_consumes_it() {
    let app = TestApp::spawn().await;
    let email = unique_email("scanner");
    let (created, link) = invite(&app, &email, json!({})).await;
    for _ in 0..3 {
        // A mail scanner, then the customer.
        assert_eq!(browser().get(&link).send().await.unwrap().status(), 302);
    }
    let read = app.invitation(created["id"].as_str().unwrap()).await;
    assert_eq!(read["status"], "pending");
    assert_eq!(events(&read).iter().filter(|e| **e == "opened").count(), 1);
}

#[tokio::test]
async fn unknown_expired_and_malformed_links_get_pages_that_say_what_happened() {
    let app = TestApp::spawn().await;
    let page = browser()
        .get(app.url("/api/InviteUser?invitationId=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("This invitation link does not work")
    );
    let page = browser()
        .get(app.url("/api/InviteUser?invitationId=<script>"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let page = browser()
        .get(app.url("/api/InviteUser"))
        .header("accept-language", "fr-BE,fr;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"fr\">") && html.contains("ne fonctionne pas"),
        "French for a French browser: {html}"
    );

    let email = unique_email("late");
    let created = app
        .invite(json!({"email": email, "expiresInDays": 1, "locale": "fr"}))
        .await;
    let link = created["inviteUrl"].as_str().unwrap();
    app.clock.advance(Duration::days(2));
    let page = browser().get(link).send().await.unwrap();
    assert_eq!(page.status(), 410);
    let html = page.text().await.unwrap();
    assert!(html.contains("Cette invitation a expiré"), "{html}");
    assert!(
        html.contains("Tamer Mohamed-Nour") && html.contains("tamer@gfms.example"),
        "names the inviter to ask"
    );
}

#[tokio::test]
async fn signing_in_with_another_email_is_refused_with_a_page_naming_both() {
    let app = TestApp::spawn().await;
    let invited = unique_email("invited");
    let (created, link) = invite(&app, &invited, json!({})).await;
    let other = unique_email("someone.else");
    let (_, response) = accept_as(&link, &other).await;
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(html.contains(&invited) && html.contains(&other), "{html}");
    assert!(
        html.contains("prompt=login"),
        "offers to sign in with another account"
    );
    assert_eq!(
        app.invitation(created["id"].as_str().unwrap()).await["status"],
        "pending"
    );
}

#[tokio::test]
async fn a_replayed_callback_or_a_missing_or_foreign_state_changes_nothing() {
    let app = TestApp::spawn().await;
    let email = unique_email("replay");
    let (created, link) = invite(&app, &email, json!({})).await;
    let client = browser();
    let authorize = location(&client.get(&link).send().await.unwrap());
    let callback = sign_in_at_b2c(&client, &authorize, &email, "local").await;

    // The callback in another browser (no flow cookie): refused.
    let page = browser().get(&callback).send().await.unwrap();
    assert_eq!(page.status(), 400);
    // With the cookie but another state: refused.
    let forged = callback.replace(&param(&callback, "state").unwrap(), "forged-state");
    assert_eq!(client.get(&forged).send().await.unwrap().status(), 400);
    assert_eq!(
        app.invitation(created["id"].as_str().unwrap()).await["status"],
        "pending"
    );

    // A fresh sign-in goes through once; replaying its callback does not.
    let authorize = location(&client.get(&link).send().await.unwrap());
    let callback = sign_in_at_b2c(&client, &authorize, &email, "local").await;
    assert_eq!(client.get(&callback).send().await.unwrap().status(), 303);
    let replay = client.get(&callback).send().await.unwrap();
    assert_eq!(replay.status(), 400);
    assert!(
        replay
            .text()
            .await
            .unwrap()
            .contains("This sign-in has expired")
    );
}

#[tokio::test]
async fn every_id_token_defect_is_refused() {
    let app = TestApp::spawn_with_test_b2c().await;
    let email = unique_email("defect");
    let created = app.invite(json!({"email": email})).await;
    let link = created["inviteUrl"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();

    type Defect = Box<dyn Fn(&mut Value)>;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let defects: Vec<(&str, Defect)> = vec![
        (
            "wrong audience",
            Box::new(|c| c["aud"] = json!("another-client")),
        ),
        (
            "wrong issuer",
            Box::new(|c| c["iss"] = json!("https://evil.example/v2.0/")),
        ),
        (
            "expired",
            Box::new(move |c| {
                c["exp"] = json!(now - 600);
                c["iat"] = json!(now - 4000);
                c["nbf"] = json!(now - 4000);
            }),
        ),
        (
            "not yet valid",
            Box::new(move |c| c["nbf"] = json!(now + 600)),
        ),
        (
            "issued in the future",
            Box::new(move |c| c["iat"] = json!(now + 600)),
        ),
        (
            "no iat",
            Box::new(|c| {
                c.as_object_mut().unwrap().remove("iat");
            }),
        ),
        (
            "another nonce",
            Box::new(|c| c["nonce"] = json!("replayed-from-another-sign-in")),
        ),
        (
            "no nonce",
            Box::new(|c| {
                c.as_object_mut().unwrap().remove("nonce");
            }),
        ),
        (
            "no sub",
            Box::new(|c| {
                c.as_object_mut().unwrap().remove("sub");
            }),
        ),
    ];
    for (what, defect) in defects {
        let (_, _, response) = app
            .sign_in_with_test_b2c(&link, &email, &SIGNING, "abc", |c| defect(c))
            .await;
        assert_eq!(response.status(), 400, "{what}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("could not confirm your sign-in"),
            "{what}"
        );
    }
    // Signed by a key the provider does not publish.
    let (_, _, response) = app
        .sign_in_with_test_b2c(&link, &email, &ATTACKER, "abc", |_| {})
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        app.invitation(&id).await["status"],
        "pending",
        "no defect accepted the invitation"
    );

    // The same flow with a sound token goes through, and the code was redeemed with the
    // client secret and the PKCE verifier.
    let (_, authorize, response) = app
        .sign_in_with_test_b2c(&link, &email, &SIGNING, "good", |_| {})
        .await;
    assert_eq!(response.status(), 303);
    let request = app
        .idp
        .token_requests
        .read()
        .unwrap()
        .last()
        .cloned()
        .unwrap();
    assert_eq!(request["code"], "good");
    assert_eq!(request["grant_type"], "authorization_code");
    assert!(
        request["client_secret"] == stack().b2c_client_secret
            && request["code_verifier"].len() >= 43
    );
    use base64::Engine as _;
    use sha2::Digest as _;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(request["code_verifier"].as_bytes()));
    assert_eq!(
        Some(challenge),
        param(&authorize, "code_challenge"),
        "the verifier matches the challenge"
    );
    assert_eq!(app.invitation(&id).await["status"], "accepted");
}

#[tokio::test]
async fn entra_external_id_tokens_with_a_single_email_claim_work() {
    let app = TestApp::spawn_with_test_b2c().await;
    let email = unique_email("entra");
    let created = app.invite(json!({"email": email})).await;
    let link = created["inviteUrl"].as_str().unwrap();
    let (_, _, response) = app
        .sign_in_with_test_b2c(link, &email.to_uppercase(), &SIGNING, "c", |claims| {
            let upper = claims["emails"][0].clone();
            claims.as_object_mut().unwrap().remove("emails");
            claims["email"] = upper;
        })
        .await;
    assert_eq!(response.status(), 303, "emails compare ignoring case");
}

#[tokio::test]
async fn provider_errors_get_pages_that_explain_them() {
    let app = TestApp::spawn().await;
    let email = unique_email("cancel");
    let (_, link) = invite(&app, &email, json!({})).await;
    for (description, status, says) in [
        (
            "AADB2C90091: The user has cancelled entering self-asserted information.",
            400,
            "Sign-in was cancelled",
        ),
        (
            "AADB2C90118: The user has forgotten their password.",
            400,
            "Reset your password",
        ),
        (
            "AADSTS65001: The user or administrator has not consented to use the application.",
            403,
            "IT department",
        ),
    ] {
        let client = browser();
        let authorize = location(&client.get(&link).send().await.unwrap());
        let state = param(&authorize, "state").unwrap();
        let callback = reqwest::Url::parse_with_params(
            &app.url("/api/AcceptInvite"),
            &[
                ("error", "access_denied"),
                ("error_description", description),
                ("state", &state),
            ],
        )
        .unwrap();
        let page = client.get(callback).send().await.unwrap();
        assert_eq!(page.status(), status, "{description}");
        let html = page.text().await.unwrap();
        assert!(html.contains(says), "{description}: {html}");
        assert!(html.contains("invitationId="), "offers to try again");
    }
}

#[tokio::test]
async fn the_company_form_needs_a_session_a_csrf_token_and_valid_fields() {
    let app = TestApp::spawn().await;
    assert_eq!(
        browser()
            .get(app.url("/api/CreateCompany"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        browser()
            .get(app.url("/api/Home"))
            .send()
            .await
            .unwrap()
            .status(),
        302,
        "Home without a session asks for a sign-in"
    );

    let email = unique_email("form");
    let (created, link) = invite(&app, &email, company()).await;
    let (client, response) = accept_as(&link, &email).await;
    assert_eq!(response.status(), 303);
    let html = page(&client, &app.url("/api/CreateCompany")).await;
    let csrf = csrf_in(&html);

    let mut without_token = company_form(&csrf);
    without_token.retain(|(k, _)| *k != "csrf");
    assert_eq!(
        post_form(&client, &app.url("/api/CreateCompany"), &without_token)
            .await
            .status(),
        403
    );
    let mut wrong_token = company_form(&csrf);
    wrong_token.last_mut().unwrap().1 = "forged".into();
    assert_eq!(
        post_form(&client, &app.url("/api/CreateCompany"), &wrong_token)
            .await
            .status(),
        403
    );

    let mut invalid = company_form(&csrf);
    invalid[0].1 = "  ".into();
    invalid[1].1 = "BE0123456748".into();
    let response = post_form(&client, &app.url("/api/CreateCompany"), &invalid).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("This field is required.") && html.contains("Enter a valid VAT number"),
        "{html}"
    );
    assert!(html.contains("Nivelles"), "what was typed is kept");

    assert!(app.table_rows("Companies").await.is_empty());
    assert_eq!(
        app.invitation(created["id"].as_str().unwrap()).await["status"],
        "accepted"
    );
}

#[tokio::test]
async fn concurrent_posts_of_the_company_form_create_exactly_one_company() {
    let app = TestApp::spawn().await;
    let email = unique_email("double.click");
    let (created, link) = invite(&app, &email, company()).await;
    let (client, _) = accept_as(&link, &email).await;
    let html = page(&client, &app.url("/api/CreateCompany")).await;
    let csrf = csrf_in(&html);
    let posts = (0..20).map(|_| {
        client
            .post(app.url("/api/CreateCompany"))
            .form(&company_form(&csrf))
            .send()
    });
    let responses = futures::future::join_all(posts).await;
    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/api/Home");
    }
    assert_eq!(
        app.companies().await.len(),
        1,
        "one company however often it is posted"
    );
    let read = app.invitation(created["id"].as_str().unwrap()).await;
    assert_eq!(
        events(&read).iter().filter(|e| **e == "completed").count(),
        1
    );
    let memberships = app
        .table_rows("Accounts")
        .await
        .into_iter()
        .filter(|r| r["Role"] == "administrator")
        .count();
    assert_eq!(memberships, 1);
}

#[tokio::test]
async fn hostile_company_names_are_escaped_on_every_page() {
    let app = TestApp::spawn().await;
    let email = unique_email("xss");
    let hostile = "<script>alert('x')</script> & Co";
    let (_, link) = invite(&app, &email, json!({"name": hostile, "country": "BE"})).await;
    let (client, _) = accept_as(&link, &email).await;
    let html = page(&client, &app.url("/api/CreateCompany")).await;
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
    let csrf = csrf_in(&html);
    let mut fields = company_form(&csrf);
    fields[0].1 = hostile.into();
    let response = post_form(&client, &app.url("/api/CreateCompany"), &fields).await;
    assert_eq!(response.status(), 303);
    let home = page(&client, &app.url("/api/Home")).await;
    assert!(
        !home.contains("<script>alert") && home.contains("alert("),
        "{home}"
    );
}

#[tokio::test]
async fn sign_in_unavailable_gets_a_page_saying_so() {
    let app = TestApp::spawn_with(
        vec![(
            "B2C_METADATA_URL",
            Some("http://127.0.0.1:9/b2c/v2.0/.well-known/openid-configuration".into()),
        )],
        |_| {},
    )
    .await;
    let created = app.invite(json!({"email": unique_email("down")})).await;
    let page = browser()
        .get(created["inviteUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 503);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Sign-in is unavailable right now")
    );
}
