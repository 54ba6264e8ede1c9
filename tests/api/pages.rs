//! What the customer's pages and the back office answer over HTTP where a person could get
//! stuck (issue 13): the CSP that lets forms end at the provider, sign-out through the
//! provider's end-session endpoint, sign-in instead of dead ends, one language per person,
//! and the back office's answer to a post (a redirect, the link shown once).

use crate::account::{onboard, sign_in};
use crate::support::browser::{
    browser, csrf_in, end_provider_session, location, page, param, post_form, sign_in_at_b2c,
};
use crate::support::staff::{invite_form, spawn_back_office, staff_browser, staff_email};
use crate::support::{TestApp, mailbox, stack, unique_email};
use reqwest::Client;
use time::Duration;
use url::Url;

fn origin(metadata_url: &str) -> String {
    Url::parse(metadata_url)
        .unwrap()
        .origin()
        .ascii_serialization()
}

fn csp(response: &reqwest::Response) -> String {
    response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The `form-action` directive of a CSP.
fn form_action(csp: &str) -> &str {
    csp.split(';')
        .map(str::trim)
        .find(|d| d.starts_with("form-action"))
        .unwrap()
}

#[tokio::test]
async fn pages_whose_forms_end_at_the_provider_allow_its_origin_and_no_other() {
    let app = TestApp::spawn().await;
    let client = onboard(&app, &unique_email("csp"), "local").await;
    let idp = origin(&stack().b2c_metadata_url);
    for path in ["/api/Home", "/api/Profile"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            form_action(&csp(&response)),
            format!("form-action 'self' {idp}"),
            "{path}: linking and sign-out end at the provider"
        );
    }
    // A page without such a form keeps 'self' only.
    let response = client
        .get(app.url("/api/InviteUser?invitationId=nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(form_action(&csp(&response)), "form-action 'self'");
}

#[tokio::test]
async fn the_back_office_allows_the_staff_directory_in_form_action_for_its_sign_out() {
    let app = spawn_back_office().await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let response = client.get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        form_action(&csp(&response)),
        format!("form-action 'self' {}", origin(&stack().staff_metadata_url))
    );
}

/// Follows the provider's sign-out from its end-session address (its page posts a form to
/// itself, as the browser would), back to the service: that address.
pub(crate) async fn through_provider_sign_out(client: &Client, end_session: &str) -> String {
    let url = Url::parse(end_session).unwrap();
    let response = client.get(url.clone()).send().await.unwrap();
    assert_eq!(response.status(), 200, "the provider's sign-out page");
    let html = response.text().await.unwrap();
    end_provider_session(client, &url, &html).await.to_string()
}

#[tokio::test]
async fn sign_out_ends_the_session_at_the_provider_too_and_comes_back_to_a_signed_out_page() {
    let app = TestApp::spawn().await;
    let client = onboard(&app, &unique_email("bye"), "local").await;
    let home = page(&client, &app.url("/api/Home")).await;
    let response = post_form(
        &client,
        &app.url("/api/SignOut"),
        &[("csrf", csrf_in(&home))],
    )
    .await;
    assert_eq!(response.status(), 303);
    let end_session = location(&response);
    assert!(
        end_session.starts_with(&origin(&stack().b2c_metadata_url))
            && end_session.contains("/logout?"),
        "{end_session}"
    );
    assert_eq!(
        param(&end_session, "post_logout_redirect_uri").as_deref(),
        Some(app.url("/api/SignedOut").as_str())
    );
    assert_eq!(
        param(&end_session, "client_id").as_deref(),
        Some(stack().b2c_client_id.as_str())
    );
    let back = through_provider_sign_out(&client, &end_session).await;
    assert!(back.starts_with(&app.url("/api/SignedOut")), "{back}");
    let response = client.get(&back).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("You are signed out"),
        "{html}"
    );
    // The session is gone: Home asks for a sign-in.
    let response = client.get(app.url("/api/Home")).send().await.unwrap();
    assert_eq!(response.status(), 302);
    // The way back in French when the sign-out was in French.
    let french = page(&browser(), &app.url("/api/SignedOut?state=fr")).await;
    assert!(french.contains("Vous êtes déconnecté"), "{french}");
}

#[tokio::test]
async fn the_back_office_sign_out_goes_through_the_staff_directory() {
    let app = spawn_back_office().await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let office = page(&client, &app.url("/api/Staff?lang=fr")).await;
    let response = post_form(
        &client,
        &app.url("/api/Staff/signout"),
        &[("csrf", csrf_in(&office)), ("lang", "fr".into())],
    )
    .await;
    assert_eq!(response.status(), 303);
    let end_session = location(&response);
    assert_eq!(
        param(&end_session, "post_logout_redirect_uri").as_deref(),
        Some(app.url("/api/Staff/signedout").as_str())
    );
    let back = through_provider_sign_out(&client, &end_session).await;
    let html = page(&client, &back).await;
    assert!(
        html.contains("Vous êtes déconnecté du back-office"),
        "{html}"
    );
    let response = client.get(app.url("/api/Staff")).send().await.unwrap();
    assert_eq!(
        response.status(),
        302,
        "signed out: the back office asks for a sign-in"
    );
}

#[tokio::test]
async fn home_and_profile_without_a_session_send_the_browser_to_sign_in_and_back() {
    let app = TestApp::spawn().await;
    let client = browser();
    for (path, to) in [
        ("/api/Home", "/api/SignIn?lang=en"),
        ("/api/Profile", "/api/SignIn?next=profile&lang=en"),
        ("/api/Home?lang=fr", "/api/SignIn?lang=fr"),
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 302, "{path}");
        assert_eq!(location(&response), to, "{path}");
    }
}

#[tokio::test]
async fn a_used_invitation_link_offers_a_sign_in_that_leads_home() {
    let app = TestApp::spawn().await;
    let email = unique_email("used");
    onboard(&app, &email, "local").await;
    let mails = mailbox::all_to(&stack().maildev_url, &email).await;
    let link = mailbox::link_in(mails.last().unwrap());
    let response = browser().get(&link).send().await.unwrap();
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<a class=\"button\" href=\"/api/SignIn\">Sign in</a>"),
        "{html}"
    );
}

#[tokio::test]
async fn linking_after_a_sign_in_again_names_the_address_and_goes_on_with_the_link() {
    let app = TestApp::spawn().await;
    let email = unique_email("again");
    let client = onboard(&app, &email, "local").await;
    app.clock.advance(Duration::minutes(11));
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
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    let again = "/api/SignIn?prompt=login&#38;next=link-microsoft";
    assert!(html.contains(again), "{html}");

    let response = client
        .get(app.url(&again.replace("&#38;", "&")))
        .send()
        .await
        .unwrap();
    let authorize = location(&response);
    assert_eq!(
        param(&authorize, "login_hint").as_deref(),
        Some(email.as_str())
    );
    assert_eq!(param(&authorize, "prompt").as_deref(), Some("login"));
    let callback = sign_in_at_b2c(&client, &authorize, &email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/api/Profile/link?provider=microsoft");
    let response = client
        .get(app.url("/api/Profile/link?provider=microsoft"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "the link goes on at the provider");
    let authorize = location(&response);
    assert_eq!(
        param(&authorize, "domain_hint").as_deref(),
        Some("live.com")
    );
    assert_eq!(
        param(&authorize, "login_hint").as_deref(),
        Some(email.as_str())
    );
}

#[tokio::test]
async fn the_language_a_customer_chooses_stays_theirs_across_sign_ins() {
    let app = TestApp::spawn().await;
    let email = unique_email("lang");
    let client = onboard(&app, &email, "local").await;
    let home = page(&client, &app.url("/api/Home")).await;
    assert!(
        home.contains("<html lang=\"en\">"),
        "the invitation's language first"
    );
    assert!(
        home.contains("href=\"?lang=fr\""),
        "the switch is offered: {home}"
    );

    let home = page(&client, &app.url("/api/Home?lang=fr")).await;
    assert!(home.contains("<html lang=\"fr\">"), "{home}");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("<html lang=\"fr\">"),
        "the session keeps the choice"
    );

    // A later sign-in in a browser that asks for English: still French.
    let (later, response) = sign_in(&app, &email, "local").await;
    assert_eq!(location(&response), "/api/Home");
    let home = later
        .get(app.url("/api/Home"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("<html lang=\"fr\">"), "{home}");
    assert!(
        app.table_rows("Accounts")
            .await
            .iter()
            .any(|r| r["RowKey"] == "language" && r["Locale"] == "fr")
    );
}

#[tokio::test]
async fn an_invite_post_is_answered_with_a_redirect_and_its_link_is_shown_once() {
    let app = spawn_back_office().await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let office = page(&client, &app.url("/api/Staff?lang=en")).await;
    let customer = unique_email("prg");
    let mut form = invite_form(&csrf_in(&office), &customer);
    form.push(("lang", "en".into()));
    let response = post_form(&client, &app.url("/api/Staff/invite"), &form).await;
    assert_eq!(
        response.status(),
        303,
        "a reload then asks for the list, not the post"
    );
    assert_eq!(location(&response), "/api/Staff?lang=en");
    let shown = page(&client, &app.url("/api/Staff?lang=en")).await;
    assert!(
        shown.contains("id=\"invite-url\""),
        "the link is shown after the redirect"
    );
    assert!(
        shown.contains(&format!("Invitation sent to {customer}")),
        "{shown}"
    );
    let again = page(&client, &app.url("/api/Staff?lang=en")).await;
    assert!(!again.contains("id=\"invite-url\""), "and only once");
    assert_eq!(app.invitation_rows().await.len(), 1);
}
