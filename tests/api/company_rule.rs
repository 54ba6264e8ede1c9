//! A company that requires a second factor of its members (issue #27): only an
//! administrator who has one may turn it on, a member without one is sent to set one up
//! before any page of the company, and the staff API shows the rule.

use crate::account::{between, enrol, onboard};
use crate::integrity::{accept_with, invite_into, newest_link};
use crate::support::browser::{browser, csrf_in, location, page, post_form};
use crate::support::{TestApp, unique_email};

/// The company as the staff API shows it.
async fn api_get(app: &TestApp, path: &str) -> serde_json::Value {
    let request = app.client.get(app.url(path)).bearer_auth(app.idp.token());
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn rule(csrf: String, on: &str) -> Vec<(&'static str, String)> {
    vec![("csrf", csrf), ("requireSecondFactor", on.to_owned())]
}

#[tokio::test]
async fn a_company_requires_a_second_factor_of_its_members_and_never_locks_out_its_administrator() {
    let app = TestApp::spawn().await;
    let anne = unique_email("anne");
    let admin = onboard(&app, &anne, "local").await;
    let home = page(&admin, &app.url("/api/Home")).await;
    let company = between(&home, "/api/Companies/", "\"").to_owned();
    let company_url = app.url(&format!("/api/Companies/{company}"));
    let security = app.url(&format!("/api/Companies/{company}/security"));
    let staff_view = format!("/api/companies/{company}");
    let html = page(&admin, &company_url).await;
    assert!(
        html.contains("Require a second factor of every member"),
        "{html}"
    );

    // Without a second factor of her own: refused, nothing changed.
    let response = post_form(&admin, &security, &rule(csrf_in(&html), "1")).await;
    assert_eq!(response.status(), 409);
    let refusal = response.text().await.unwrap();
    assert!(
        refusal.contains("Set up your own second factor first"),
        "{refusal}"
    );
    assert_eq!(
        api_get(&app, &staff_view).await["requireSecondFactor"],
        false
    );

    // A colleague joins as a member; a member may not change the rule.
    let bert = unique_email("bert");
    invite_into(&app, &bert, &company, "member").await;
    let member = browser();
    let joined = accept_with(&member, &newest_link(&bert, 1).await, &bert, "local").await;
    assert_eq!(location(&joined), "/api/Home");
    let seen = page(&member, &company_url).await;
    assert!(
        !seen.contains("id=\"second-factor-on\""),
        "no switch for a member"
    );
    let response = post_form(&member, &security, &rule(csrf_in(&seen), "1")).await;
    assert_eq!(response.status(), 403);
    // A post without the session's token changes nothing either.
    let response = post_form(&admin, &security, &rule("forged".into(), "1")).await;
    assert_eq!(response.status(), 403);

    // With the app on, the administrator turns the rule on.
    enrol(&app, &admin).await;
    let html = page(&admin, &company_url).await;
    let response = post_form(&admin, &security, &rule(csrf_in(&html), "1")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), format!("/api/Companies/{company}"));
    let html = page(&admin, &company_url).await;
    assert!(html.contains("Stop requiring a second factor"), "{html}");
    assert_eq!(
        api_get(&app, &staff_view).await["requireSecondFactor"],
        true
    );

    // The member without one: sent to set one up, told which company asks.
    let response = member.get(&company_url).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let to = location(&response);
    assert_eq!(to, format!("/api/Profile?required={company}"));
    let profile = page(&member, &app.url(&to)).await;
    assert!(
        profile.contains(&format!(
            "Company of {anne} requires a second factor of its members"
        )),
        "{profile}"
    );
    // Another person's company is not named to them.
    let stranger = onboard(&app, &unique_email("carla"), "local").await;
    let page_of_stranger = page(&stranger, &app.url(&to)).await;
    assert!(!page_of_stranger.contains("requires a second factor"));

    // Once the member has a second factor, the company's page opens.
    enrol(&app, &member).await;
    assert_eq!(member.get(&company_url).send().await.unwrap().status(), 200);

    // Turned off again.
    let html = page(&admin, &company_url).await;
    let response = post_form(&admin, &security, &rule(csrf_in(&html), "0")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        api_get(&app, &staff_view).await["requireSecondFactor"],
        false
    );
    // Anything but 1 or 0: refused.
    let response = post_form(&admin, &security, &rule(csrf_in(&html), "yes")).await;
    assert_eq!(response.status(), 422);
}
