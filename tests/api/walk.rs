//! Issue #28, second part: what a person met when a colleague joined, when the
//! authenticator app locked them out, after deleting their account, and at an expired
//! link.

use crate::account::{self, give_code};
use crate::organisations::onboard;
use crate::pages::through_provider_sign_out;
use crate::support::browser::{browser, csrf_in, location, page, param, post_form, sign_in_at_b2c};
use crate::support::totp::code_at;
use crate::support::{TestApp, mailbox, stack, unique_email};
use invitations::clock::Clock as _;
use serde_json::json;
use time::Duration;
use url::Url;

/// Item 3 and 11: the colleague's used link says they joined (not created) the company; a
/// second browser finishing the same sign-in lands on Home; Home is worded for the
/// creator and for the colleague.
#[tokio::test]
async fn a_colleague_joins_from_two_browsers_and_each_page_says_they_joined() {
    let app = TestApp::spawn().await;
    let anne = unique_email("anne");
    let (anne_browser, company_id) = onboard(&app, &anne, "URS Machining SA").await;
    let creator_home = page(&anne_browser, &app.url("/api/Home")).await;
    assert!(
        creator_home.contains("Your sales contact now sees your company"),
        "{creator_home}"
    );

    let bert = unique_email("bert");
    let link = app.colleague_link(&bert, &company_id).await;
    // Two browsers sign in from the same link; the second finishes just after the first.
    let mut callbacks = Vec::new();
    for _ in 0..2 {
        let client = browser();
        let response = client.get(&link).send().await.unwrap();
        let callback = sign_in_at_b2c(&client, &location(&response), &bert, "local").await;
        callbacks.push((client, callback));
    }
    for (client, callback) in &callbacks {
        let response = client.get(callback).send().await.unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/api/Home", "a member goes Home");
        let home = page(client, &app.url("/api/Home")).await;
        assert!(home.contains("<li>URS Machining SA "), "{home}");
        assert!(
            home.contains("You joined your colleagues&#39; company"),
            "{home}"
        );
        assert!(!home.contains("Your sales contact"), "{home}");
    }

    // The used link, opened again, says it was used to join the company.
    let used = browser().get(&link).send().await.unwrap();
    assert_eq!(used.status(), 409);
    let html = used.text().await.unwrap();
    assert!(
        html.contains("It was used to join URS Machining SA"),
        "{html}"
    );
    assert!(!html.contains("used to create"), "{html}");
}

/// Item 2: after five wrong codes the lock-out page asks for a recovery code, and one
/// works during the lock-out, from that page or after signing in again; wrong recovery
/// codes have their own count.
#[tokio::test]
async fn a_recovery_code_is_the_way_out_of_a_lock_out_and_has_its_own_count() {
    let app = TestApp::spawn().await;
    let email = unique_email("locked");
    let client = account::onboard(&app, &email, "local").await;
    let (secret, recovery) = account::enrol(&app, &client).await;
    app.clock.advance(Duration::seconds(30));

    let (locked, _) = account::sign_in(&app, &email, "local").await;
    for _ in 0..5 {
        assert_eq!(give_code(&app, &locked, "000000").await.status(), 422);
    }
    let right = code_at(&secret, app.clock.now());
    let response = give_code(&app, &locked, &right).await;
    assert_eq!(response.status(), 429, "the app's codes are locked out");
    assert!(response.headers().contains_key("retry-after"));
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<label for=\"code\">Recovery code</label>"),
        "{html}"
    );
    assert!(html.contains("Enter one of the recovery codes"), "{html}");
    // The page's field takes a recovery code, in the same quarter hour.
    let response = give_code(&app, &locked, &recovery[0]).await;
    assert_eq!(location(&response), "/api/Home");

    // Signing in again during the lock-out: a recovery code still works.
    let (again, _) = account::sign_in(&app, &email, "local").await;
    assert_eq!(give_code(&app, &again, &right).await.status(), 429);
    // Wrong recovery codes are counted on their own: five, then even a right one waits.
    for _ in 0..5 {
        assert_eq!(give_code(&app, &again, "abcde12345").await.status(), 422);
    }
    let response = give_code(&app, &again, &recovery[1]).await;
    assert_eq!(response.status(), 429);
    let html = response.text().await.unwrap();
    assert!(html.contains("recovery codes too"), "{html}");
    app.clock.advance(Duration::hours(1));
    let (later, _) = account::sign_in(&app, &email, "local").await;
    let response = give_code(&app, &later, &recovery[1]).await;
    assert_eq!(location(&response), "/api/Home");
}

/// The addresses a browser is sent through from `start`, until a page (at most eight).
async fn redirects(client: &reqwest::Client, start: &str) -> Vec<String> {
    let mut url = Url::parse(start).unwrap();
    let mut seen = Vec::new();
    for _ in 0..8 {
        let response = client.get(url.clone()).send().await.unwrap();
        if !response.status().is_redirection() {
            break;
        }
        url = url.join(&location(&response)).unwrap();
        seen.push(url.to_string());
    }
    seen
}

/// Item 15: after deleting the account the person is signed out at the provider too and
/// lands on a page in their language with a way on; Home afterwards does not sign them
/// straight back in.
#[tokio::test]
async fn after_deleting_the_account_the_person_is_signed_out_in_their_language() {
    let app = TestApp::spawn().await;
    let email = unique_email("addio");
    app.invite(json!({"email": email, "locale": "it", "company": {"name": "Mobile SRL"}}))
        .await;
    let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
    let link = mailbox::link_in(&mails[0]);
    let client = account::onboard_with_link(&app, &link, &email, "local").await;
    let profile = page(&client, &app.url("/api/Profile")).await;
    let response = post_form(
        &client,
        &app.url("/api/Profile/delete"),
        &[("csrf", csrf_in(&profile)), ("confirm", "yes".into())],
    )
    .await;
    assert_eq!(response.status(), 303, "on to the provider's sign-out");
    let back = through_provider_sign_out(&client, &location(&response)).await;
    assert!(back.starts_with(&app.url("/api/SignedOut")), "{back}");
    let html = page(&client, &back).await;
    assert!(html.contains("<html lang=\"it\">"), "{html}");
    assert!(html.contains("Il Suo account è stato eliminato"), "{html}");
    assert!(
        html.contains("href=\"/api/SignIn?lang=it\""),
        "a way on, in Italian: {html}"
    );

    // Home afterwards asks for a sign-in at the provider instead of signing in silently.
    let hops = redirects(&client, &app.url("/api/Home")).await;
    assert!(
        !hops.iter().any(|u| u.contains("/api/AuthCallback")),
        "{hops:?}"
    );
}

/// Item 16: an expired link's page offers "ask for a new link"; it tells the sender by
/// email, once a day, and says so.
#[tokio::test]
async fn an_expired_link_asks_its_sender_for_a_new_one_once_a_day() {
    let app = TestApp::spawn().await;
    let email = unique_email("late");
    app.invite(json!({"email": email, "displayName": "Jan Peeters", "expiresInDays": 1}))
        .await;
    let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
    let link = mailbox::link_in(&mails[0]);
    app.clock.advance(Duration::days(2));

    let client = browser();
    let expired = client.get(&link).send().await.unwrap();
    assert_eq!(expired.status(), 410);
    let html = expired.text().await.unwrap();
    assert!(html.contains("This invitation has expired"), "{html}");
    assert!(html.contains("action=\"/api/InviteUser/renew\""), "{html}");
    let secret = param(&link, "invitationId").unwrap();
    let ask = [("invitationId", secret)];
    let asked = post_form(&client, &app.url("/api/InviteUser/renew"), &ask).await;
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    assert!(
        html.contains("Tamer Mohamed-Nour has been asked for a new link"),
        "{html}"
    );
    // The sender's note (sent before the page answers) names the customer and how to
    // send a new link.
    let sender = "tamer@gfms.example";
    let notes = mailbox::all_to(&stack().maildev_url, sender).await;
    let note = notes
        .iter()
        .find(|m| m.text.contains(&email))
        .expect("the note to the sender");
    assert!(note.text.contains("Jan Peeters"), "{}", note.text);
    assert!(note.text.contains("Resend the invitation"), "{}", note.text);

    // Asked again the same day: said, and no second note.
    let again = post_form(&client, &app.url("/api/InviteUser/renew"), &ask).await;
    assert_eq!(again.status(), 200);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("You already asked today")
    );
    let notes = mailbox::all_to(&stack().maildev_url, sender).await;
    assert_eq!(notes.iter().filter(|m| m.text.contains(&email)).count(), 1);
}

/// Item 5: the profile says which login to choose before linking, and a link that ends
/// with the login the account already has says so plainly, not as a success.
#[tokio::test]
async fn linking_with_the_existing_login_says_which_login_to_choose() {
    let app = TestApp::spawn().await;
    let email = unique_email("samelogin");
    let client = account::onboard(&app, &email, "local").await;
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("choose Microsoft or Google itself, even if &#34;Email and password&#34; is offered first"),
        "{profile}"
    );
    // At the provider, the person signs in with the login they already have.
    let response = account::link_as(&app, &client, "microsoft", &email, Some("local")).await;
    assert_eq!(location(&response), "/api/Profile");
    let profile = page(&client, &app.url("/api/Profile")).await;
    assert!(
        profile.contains("<p class=\"notice caution\" role=\"status\" id=\"notice\">Nothing was linked: you signed in with Email and password, the login your account already has."),
        "{profile}"
    );
}
