//! At least once, never for a change not stored: retries at growing intervals driven by
//! the `DeliverEvents` timer, `failed` after a day, the staff's list and redelivery, and
//! Azure Event Grid.

use super::{Receiver, app_for, listed, redeliver, secret, types};
use crate::support::{TestApp, problem, stack, unique, unique_email};
use serde_json::{Value, json};
use std::time::Duration;

/// Waits until the attempt made right after the request is recorded (a timer pass
/// started meanwhile could make a second one at the same moment: at least once).
async fn first_attempt_recorded(app: &TestApp) {
    for _ in 0..100 {
        let (_, list) = listed(app, "").await;
        if list["items"][0]["destinations"][0]["attempts"] == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the first attempt was not recorded");
}

#[tokio::test]
async fn a_receiver_that_fails_gets_the_same_event_again_until_it_takes_it() {
    let key = secret();
    let receiver = Receiver::new(&[&key], 2).await;
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    let created = app.invite_email(&unique_email("retry")).await;

    // The attempt right after the request was refused: listed as pending, with why.
    first_attempt_recorded(&app).await;
    let (status, list) = listed(&app, "?status=pending").await;
    assert_eq!(status, 200, "{list}");
    let item = &list["items"][0];
    assert_eq!(item["type"], "invitation.created");
    assert_eq!(item["subject"], created["id"]);
    let destination = &item["destinations"][0];
    assert_eq!(destination["destination"], receiver.url());
    assert_eq!(destination["attempts"], 1);
    assert_eq!(destination["lastError"], "HTTP 503");
    assert!(destination["nextAttemptAt"].is_string());

    // Not due yet; then due after 10 s (refused again), then after a minute (taken).
    assert_eq!(
        app.run_timer("DeliverEvents").await["ReturnValue"]["retrying"],
        0
    );
    app.clock.advance(time::Duration::seconds(11));
    assert_eq!(
        app.run_timer("DeliverEvents").await["ReturnValue"]["retrying"],
        1
    );
    app.clock.advance(time::Duration::seconds(30));
    assert_eq!(
        app.run_timer("DeliverEvents").await["ReturnValue"]["delivered"],
        0
    );
    app.clock.advance(time::Duration::seconds(31));
    let answer = app.run_timer("DeliverEvents").await;
    assert_eq!(answer["ReturnValue"]["delivered"], 1, "{answer}");
    assert!(
        answer["Logs"][0]
            .as_str()
            .unwrap()
            .starts_with("DeliverEvents: 1 delivered")
    );

    let received = receiver.received().await;
    let answered: Vec<&Value> = received.iter().map(|r| &r["answered"]).collect();
    assert_eq!(answered, [&json!(503), &json!(503), &json!(204)]);
    let ids: Vec<&Value> = received
        .iter()
        .map(|r| &r["headers"]["webhook-id"])
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every retry has the same id: {ids:?}"
    );
    assert!(received.iter().all(|r| r["verified"] == json!([true])));
    assert_eq!(listed(&app, "?status=pending").await.1["items"], json!([]));
}

#[tokio::test]
async fn after_a_day_of_refusals_the_event_is_failed_listed_and_redelivered_on_request() {
    let key = secret();
    let receiver = Receiver::new(&[&key], 1000).await;
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    app.invite_email(&unique_email("failing")).await;
    first_attempt_recorded(&app).await;
    let mut failed = 0;
    for _ in 0..30 {
        app.clock.advance(time::Duration::seconds(6 * 3600));
        failed = app.run_timer("DeliverEvents").await["ReturnValue"]["failed"]
            .as_u64()
            .unwrap();
        if failed == 1 {
            break;
        }
    }
    assert_eq!(failed, 1, "failed after at least 24 hours of attempts");
    let (_, pending) = listed(&app, "").await;
    assert_eq!(pending["items"], json!([]));
    let (_, list) = listed(&app, "?status=failed&top=10").await;
    let item = &list["items"][0];
    assert_eq!(item["status"], "failed");
    assert_eq!(item["destinations"][0]["status"], "failed");
    assert_eq!(item["destinations"][0]["nextAttemptAt"], Value::Null);
    let attempts = item["destinations"][0]["attempts"].as_u64().unwrap();
    // The first attempt, then one per 6-hour pass until a day is over.
    assert!(attempts >= 5, "{item}");
    assert_eq!(receiver.received().await.len() as u64, attempts);

    // The receiver is back: staff redeliver it now.
    receiver.setup(&[&key], 0).await;
    let id = item["id"].as_str().unwrap();
    let (status, redelivered) = redeliver(&app, id).await;
    assert_eq!(status, 200, "{redelivered}");
    assert_eq!(redelivered["status"], "delivered");
    assert_eq!(receiver.events().await[0]["id"], id);
    assert_eq!(listed(&app, "?status=failed").await.1["items"], json!([]));
    // Delivered and kept: a receiver that lost it asks, and it is sent again.
    let (status, again) = redeliver(&app, id).await;
    assert_eq!((status, &again["status"]), (200, &json!("delivered")));
    let ids: Vec<Value> = receiver
        .events()
        .await
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    assert_eq!(ids, [json!(id), json!(id)]);

    // Unknown and malformed ids are 404 problems; a status to list is pending or failed.
    let unknown = format!("{}ffffffff", &id[..id.len() - 8]);
    let (status, body) = redeliver(&app, &unknown).await;
    assert_eq!(status, 404, "{body}");
    let gone = app
        .client
        .post(app.url("/api/events/evi-1-0000000000000-00000000/redeliver"))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap();
    problem(gone, 404).await;
    let (status, body) = listed(&app, "?status=delivered").await;
    assert_eq!(status, 400);
    assert!(body["errors"]["status"].is_string(), "{body}");
    let anonymous = app.client.get(app.url("/api/events")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn the_list_pages_with_a_continuation_token() {
    let receiver = Receiver::new(&[], 1000).await;
    let key = secret();
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    for n in 0..3 {
        app.invite_email(&unique_email(&format!("page{n}."))).await;
    }
    let mut seen = Vec::new();
    let mut query = "?top=2".to_owned();
    loop {
        let (status, page) = listed(&app, &query).await;
        assert_eq!(status, 200, "{page}");
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["continuationToken"].as_str() {
            Some(token) => query = format!("?top=2&continuationToken={token}"),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 3);
    let (status, _) = listed(&app, "?continuationToken=%%%").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_refused_invitation_sends_no_event() {
    let key = secret();
    let receiver = Receiver::new(&[&key], 0).await;
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    let email = unique_email("twice");
    app.invite_email(&email).await;
    let again = app
        .invite_with_token(&app.idp.token(), &json!({"email": email}))
        .await;
    assert_eq!(again.status(), 409);
    receiver.wait_for(1).await;
    // Long after: the timer finds nothing more to send.
    app.clock.advance(time::Duration::seconds(3600));
    app.run_timer("DeliverEvents").await;
    assert_eq!(types(&receiver.events().await), ["invitation.created"]);
    assert_eq!(app.table_rows("Events").await.len(), 1);
}

/// The Event Grid stand-in's topic `name`, taking `key`.
async fn topic(name: &str, key: &str) -> String {
    let base = format!("{}/grid/{name}", stack().events_url);
    let response = reqwest::Client::new()
        .put(format!("{base}/setup"))
        .json(&json!({"key": key}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    format!("{base}/api/events")
}

async fn published(name: &str) -> Vec<Value> {
    reqwest::get(format!("{}/grid/{name}/received", stack().events_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn event_grid_takes_the_events_with_its_key_and_a_wrong_key_is_retried() {
    let name = unique("topic");
    let endpoint = topic(&name, "grid-key-1").await;
    let app = TestApp::spawn_with(
        vec![
            ("EVENTS_EVENTGRID_ENDPOINT", Some(endpoint.clone())),
            ("EVENTS_EVENTGRID_KEY", Some("grid-key-1".into())),
        ],
        |_| {},
    )
    .await;
    let created = app.invite_email(&unique_email("grid")).await;
    let mut got = Vec::new();
    for _ in 0..100 {
        got = published(&name).await;
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["auth"], "key");
    assert_eq!(got[0]["contentType"], "application/cloudevents+json");
    let event = &got[0]["events"][0];
    assert_eq!(event["type"], "invitation.created");
    assert_eq!(event["subject"], created["id"]);

    let wrong = TestApp::spawn_with(
        vec![
            ("EVENTS_EVENTGRID_ENDPOINT", Some(endpoint)),
            ("EVENTS_EVENTGRID_KEY", Some("not-the-key".into())),
        ],
        |_| {},
    )
    .await;
    wrong.invite_email(&unique_email("grid")).await;
    let mut item = Value::Null;
    for _ in 0..100 {
        let (_, list) = listed(&wrong, "").await;
        item = list["items"][0].clone();
        if item["destinations"][0]["attempts"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(item["destinations"][0]["destination"], "eventgrid");
    assert_eq!(item["destinations"][0]["lastError"], "HTTP 401");
    assert_eq!(published(&name).await.len(), 1);
}
