//! Threats of docs/security.md that no other test proves: token confusion between the
//! staff API and the customer's sign-in, unsigned and HMAC id_tokens, session fixation,
//! open redirects, reflected provider text, and header injection through names.

use crate::support::browser::{browser, location, page, param, sign_in_at_b2c};
use crate::support::tokens::{self, B2C_CLIENT, SIGNING, forged, sign};
use crate::support::{TestApp, mailbox, problem, stack, unique_email};
use serde_json::{Value, json};

/// Follows `link`, has the in-test provider answer the code with `id_token`, and returns
/// the response of the callback.
async fn callback_with(
    app: &TestApp,
    link: &str,
    id_token: impl FnOnce(&str) -> String,
) -> reqwest::Response {
    let client = browser();
    let authorize = location(&client.get(link).send().await.unwrap());
    let nonce = param(&authorize, "nonce").unwrap();
    app.idp.answer_next_code_with(id_token(&nonce));
    let state = param(&authorize, "state").unwrap();
    client
        .get(app.url(&format!("/api/AcceptInvite?code=c&state={state}")))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn unsigned_and_hmac_id_tokens_are_refused() {
    let app = TestApp::spawn_with_test_b2c().await;
    let email = unique_email("algs");
    let created = app.invite(json!({"email": email})).await;
    let link = created["inviteUrl"].as_str().unwrap().to_owned();
    let headers = [
        json!({"alg": "none", "typ": "JWT", "kid": SIGNING.kid}),
        json!({"alg": "HS256", "typ": "JWT", "kid": SIGNING.kid}),
        json!({"alg": "RS256", "typ": "JWT"}),
    ];
    for header in headers {
        let response = callback_with(&app, &link, |nonce| {
            let claims = app.idp.b2c_claims(&email, nonce);
            // An HMAC made with the provider's public key: the classic confusion.
            let mac = {
                use hmac::Mac as _;
                let mut mac =
                    hmac::Hmac::<sha2::Sha256>::new_from_slice(tokens::STAFF_PUBLIC_PEM).unwrap();
                mac.update(b"x");
                mac.finalize().into_bytes().to_vec()
            };
            forged(header.clone(), &claims, &mac)
        })
        .await;
        assert_eq!(response.status(), 400, "{header}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("could not confirm your sign-in")
        );
    }
    assert_eq!(
        app.invitation(created["id"].as_str().unwrap()).await["status"],
        "pending"
    );
}

#[tokio::test]
async fn a_customer_id_token_is_no_staff_token_and_a_staff_token_no_id_token() {
    // One provider, one issuer, one key for both: only the audience tells them apart.
    let app = TestApp::spawn_with_test_b2c().await;
    let email = unique_email("confused");
    let customer_token = sign(&SIGNING, &app.idp.b2c_claims(&email, "n"));
    let response = app
        .client
        .get(app.url("/api/invitations"))
        .bearer_auth(&customer_token)
        .send()
        .await
        .unwrap();
    problem(response, 401).await;
    // Even a customer token that carries the staff role.
    let with_role = sign(&SIGNING, &{
        let mut claims = app.idp.b2c_claims(&email, "n");
        claims["roles"] = json!([tokens::ROLE]);
        claims["preferred_username"] = json!(email);
        claims
    });
    let response = app
        .client
        .get(app.url("/api/invitations"))
        .bearer_auth(&with_role)
        .send()
        .await
        .unwrap();
    problem(response, 401).await;

    let created = app.invite(json!({"email": email})).await;
    let response = callback_with(&app, created["inviteUrl"].as_str().unwrap(), |nonce| {
        app.idp.token_with(|claims| {
            claims["nonce"] = json!(nonce);
            claims["sub"] = json!("staff-subject-1");
            claims["emails"] = json!([email]);
        })
    })
    .await;
    assert_eq!(response.status(), 400, "a staff token is not an id_token");
    assert_eq!(
        app.invitation(created["id"].as_str().unwrap()).await["status"],
        "pending"
    );
    assert_ne!(tokens::AUDIENCE, B2C_CLIENT);
}

/// Signs `email` in for `link` in `client`; returns the session cookie the callback set.
async fn session_after_sign_in(client: &reqwest::Client, link: &str, email: &str) -> String {
    let authorize = location(&client.get(link).send().await.unwrap());
    let callback = sign_in_at_b2c(client, &authorize, email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), 303);
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("inv_session=") && !v.starts_with("inv_session=;"))
        .expect("the sign-in sets a session")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// A browser holding `cookie` (a `name=value` pair) for the handler's `path`.
fn browser_holding(app: &TestApp, cookie: &str, path: &str) -> reqwest::Client {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &format!("{cookie}; Path={path}"),
        &app.url("/").parse().unwrap(),
    );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_planted_session_gains_nothing_when_someone_signs_in() {
    // Session fixation: someone plants their own session in another person's browser
    // (the same path as ours, or another path so that both are sent), then that person
    // signs in there.
    let app = TestApp::spawn().await;
    let mut invitations = Vec::new();
    for (who, company) in [
        ("planter", "Planter Ltd"),
        ("victim", "Victim SA"),
        ("victim2", "Victim Two SA"),
    ] {
        let email = unique_email(who);
        app.invite(json!({"email": email, "company": {"name": company}}))
            .await;
        let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
        invitations.push((email, mailbox::link_in(&mails[0])));
    }
    let planted = session_after_sign_in(&browser(), &invitations[0].1, &invitations[0].0).await;

    // Same path: the sign-in replaces it.
    let shared = browser_holding(&app, &planted, "/api");
    assert!(
        page(&shared, &app.url("/api/CreateCompany"))
            .await
            .contains("Planter Ltd")
    );
    let victims = session_after_sign_in(&shared, &invitations[1].1, &invitations[1].0).await;
    assert_ne!(planted, victims, "the sign-in issued a new session");
    let in_browser = page(&shared, &app.url("/api/CreateCompany")).await;
    assert!(in_browser.contains("Victim SA") && !in_browser.contains("Planter Ltd"));
    // The planter's copy still opens only the planter's own invitation.
    let with_planted = page(
        &browser_holding(&app, &planted, "/api"),
        &app.url("/api/CreateCompany"),
    )
    .await;
    assert!(with_planted.contains("Planter Ltd") && !with_planted.contains("Victim SA"));

    // Another path: both cookies are sent, and neither is trusted (it used to be the
    // planted one, which came last).
    let shared = browser_holding(&app, &planted, "/");
    session_after_sign_in(&shared, &invitations[2].1, &invitations[2].0).await;
    let response = shared
        .get(app.url("/api/CreateCompany"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("Planter Ltd") && html.contains("Please sign in first"),
        "{html}"
    );
}

#[tokio::test]
async fn no_parameter_sends_the_browser_to_another_site() {
    let app = TestApp::spawn().await;
    let email = unique_email("redirect");
    let created = app.invite(json!({"email": email})).await;
    let evil = "https%3A%2F%2Fevil.example%2F";
    let link = format!(
        "{}&redirect_uri={evil}&returnUrl={evil}&next={evil}",
        created["inviteUrl"].as_str().unwrap()
    );
    let client = browser();
    let authorize = location(&client.get(&link).send().await.unwrap());
    let b2c = url::Url::parse(&stack().b2c_metadata_url).unwrap();
    let went = url::Url::parse(&authorize).unwrap();
    assert_eq!(went.host_str(), b2c.host_str());
    assert_eq!(went.port(), b2c.port());
    assert_eq!(
        param(&authorize, "redirect_uri").unwrap(),
        app.url("/api/AcceptInvite")
    );
    let callback = sign_in_at_b2c(&client, &authorize, &email, "local").await;
    let response = client
        .get(format!(
            "{callback}&redirect_uri={evil}&returnUrl={evil}&next={evil}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/api/CreateCompany");
}

#[tokio::test]
async fn the_providers_words_are_escaped_on_the_error_page() {
    let app = TestApp::spawn().await;
    let created = app.invite(json!({"email": unique_email("reflect")})).await;
    let client = browser();
    let authorize = location(
        &client
            .get(created["inviteUrl"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    );
    let callback = reqwest::Url::parse_with_params(
        &app.url("/api/AcceptInvite"),
        &[
            ("error", "access_denied"),
            (
                "error_description",
                "<script>alert(1)</script><img src=x onerror=alert(2)>",
            ),
            ("state", &param(&authorize, "state").unwrap()),
        ],
    )
    .unwrap();
    let response = client.get(callback).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = response.text().await.unwrap();
    assert!(html.contains("alert(1)"), "the provider's words are shown");
    assert!(
        !html.contains("<script>alert") && !html.contains("<img src=x"),
        "{html}"
    );
}

#[tokio::test]
async fn line_breaks_in_names_cannot_add_mail_headers() {
    let app = TestApp::spawn().await;
    let email = unique_email("crlf");
    let evil = unique_email("bcc");
    let response = app
        .invite_with_token(
            &app.idp.token(),
            &json!({"email": email, "displayName": format!("Willy\r\nBcc: {evil}")}),
        )
        .await;
    let body = problem(response, 400).await;
    assert!(body["errors"]["displayName"].is_string(), "{body}");

    // The inviter's name comes from the staff token and goes into the subject.
    let token = app
        .idp
        .token_with(|claims| claims["name"] = json!(format!("Tamer\r\nBcc: {evil}\r\n")));
    let created: Value = app
        .invite_with_token(&token, &json!({"email": email}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created["emailDelivery"], "sent");
    let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
    assert_eq!(mails.len(), 1);
    assert!(!mails[0].subject.contains('\n') && !mails[0].subject.contains('\r'));
    assert_eq!(mails[0].to.len(), 1);
    assert!(
        mailbox::all_to(&stack().maildev_url, &evil)
            .await
            .is_empty(),
        "nobody else got the email"
    );
}
