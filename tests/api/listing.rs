//! `GET /api/invitations`: newest first, filtered, paged; `expired` as soon as it is.

use crate::support::{TestApp, problem, unique_email};
use serde_json::Value;
use time::Duration;

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn invitations_are_listed_newest_first_and_paged() {
    let app = TestApp::spawn().await;
    let mut created = Vec::new();
    for day in 0..5 {
        // Days apart, so they fall in different storage partitions.
        if day > 0 {
            app.clock.advance(Duration::hours(30));
        }
        created.push(
            app.invite_email(&unique_email("page")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    created.reverse();

    let first = app.list("top=2").await;
    assert_eq!(ids(&first), created[..2]);
    let token = first["continuationToken"].as_str().unwrap();
    let second = app.list(&format!("top=2&continuationToken={token}")).await;
    assert_eq!(ids(&second), created[2..4]);
    let token = second["continuationToken"].as_str().unwrap();
    let third = app.list(&format!("top=2&continuationToken={token}")).await;
    assert_eq!(ids(&third), created[4..]);
    assert_eq!(third["continuationToken"], Value::Null);

    let all = app.list("").await;
    assert_eq!(ids(&all), created, "default top is 50");
    assert!(all["items"][0].get("inviteUrl").is_none());
}

#[tokio::test]
async fn invitations_are_filtered_by_email_and_status() {
    let app = TestApp::spawn().await;
    let email = unique_email("filter");
    let mine = app.invite_email(&email).await;
    app.invite_email(&unique_email("other")).await;

    let by_email = app.list(&format!("email={}", email.to_uppercase())).await;
    assert_eq!(ids(&by_email), [mine["id"].as_str().unwrap()]);
    assert_eq!(ids(&app.list("status=pending").await).len(), 2);
    assert!(ids(&app.list("status=completed").await).is_empty());
    assert!(ids(&app.list(&format!("status=revoked&email={email}")).await).is_empty());
}

#[tokio::test]
async fn an_invitation_is_expired_as_soon_as_its_time_has_passed() {
    let app = TestApp::spawn().await;
    let email = unique_email("expiry");
    let created = app
        .invite(serde_json::json!({"email": email, "expiresInDays": 1}))
        .await;
    let id = created["id"].as_str().unwrap();

    app.clock.advance(Duration::hours(23));
    assert_eq!(app.invitation(id).await["status"], "pending");
    app.clock.advance(Duration::hours(1));
    assert_eq!(app.invitation(id).await["status"], "expired");
    assert_eq!(ids(&app.list("status=expired").await), [id]);
    assert!(ids(&app.list("status=pending").await).is_empty());

    // An expired invitation no longer blocks a new one for the same email.
    let again = app.invite_email(&email).await;
    assert_ne!(again["id"], created["id"]);
    assert_eq!(
        ids(&app.list(&format!("email={email}")).await),
        [again["id"].as_str().unwrap(), id]
    );
}

#[tokio::test]
async fn bad_list_queries_are_400_keyed_by_parameter() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("status=lost", "status"),
        ("top=0", "top"),
        ("top=101", "top"),
        ("top=ten", "top"),
        ("email=nope", "email"),
        ("continuationToken=garbage", "continuationToken"),
        ("format=xml", "format"),
    ] {
        let body = problem(app.list_raw(query).await, 400).await;
        assert!(body["errors"][field].is_string(), "{query}: {body}");
    }
}
