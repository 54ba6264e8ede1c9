//! Events (issue #25): every change reaches each webhook as a signed CloudEvent (checked
//! by the npm `standardwebhooks` package in `local/events/`), retries, the timer, staff
//! listing and redelivery, Event Grid, and no event for a change that was not stored.

mod delivery;
mod office;
mod privacy;
mod types;

use crate::support::{Overrides, TestApp, stack, unique};
use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// A `whsec_` secret of 32 random bytes.
pub(crate) fn secret() -> String {
    let key: [u8; 32] = std::array::from_fn(|_| rand::random());
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

/// One webhook endpoint of the receiver in `local/events/`.
pub(crate) struct Receiver {
    base: String,
}

impl Receiver {
    /// A new endpoint checking signatures with `secrets`, refusing the next `fail`
    /// deliveries with 503.
    pub(crate) async fn new(secrets: &[&str], fail: u32) -> Self {
        let receiver = Self {
            base: format!("{}/hooks/{}", stack().events_url, unique("hook")),
        };
        receiver.setup(secrets, fail).await;
        receiver
    }

    pub(crate) async fn setup(&self, secrets: &[&str], fail: u32) {
        let response = reqwest::Client::new()
            .put(format!("{}/setup", self.base))
            .json(&json!({"secrets": secrets, "fail": fail}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }

    pub(crate) fn url(&self) -> &str {
        &self.base
    }

    /// Every delivery so far, oldest first.
    pub(crate) async fn received(&self) -> Vec<Value> {
        reqwest::get(format!("{}/received", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The deliveries, once `count` were made that `accepted` (or 10 s passed).
    pub(crate) async fn wait_for(&self, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let received = self.received().await;
            let taken = received.iter().filter(|r| r["answered"] == 204).count();
            if taken >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.received().await
    }

    /// The events taken (answered 204), oldest first.
    pub(crate) async fn events(&self) -> Vec<Value> {
        self.received()
            .await
            .into_iter()
            .filter(|r| r["answered"] == 204)
            .map(|r| r["event"].clone())
            .collect()
    }
}

/// An app sending its events to `receivers`, signed with `secrets` (current first).
pub(crate) async fn app_for(receivers: &[&Receiver], secrets: &[&str], more: Overrides) -> TestApp {
    let urls: Vec<&str> = receivers.iter().map(|r| r.url()).collect();
    let mut overrides: Overrides = vec![("EVENTS_WEBHOOK_URLS", Some(urls.join(",")))];
    if let Some(current) = secrets.first() {
        overrides.push(("EVENTS_WEBHOOK_SECRET", Some(current.to_string())));
    }
    if let Some(previous) = secrets.get(1) {
        overrides.push(("EVENTS_WEBHOOK_SECRET_PREVIOUS", Some(previous.to_string())));
    }
    overrides.extend(more);
    TestApp::spawn_with(overrides, |_| {}).await
}

/// `GET /api/events{query}` as staff: status and body.
pub(crate) async fn listed(app: &TestApp, query: &str) -> (u16, Value) {
    let path = format!("/api/events{query}");
    status_and_body(app.as_staff(Method::GET, &path).await).await
}

/// `POST /api/events/{id}/redeliver` as staff: status and body.
pub(crate) async fn redeliver(app: &TestApp, id: &str) -> (u16, Value) {
    let path = format!("/api/events/{id}/redeliver");
    status_and_body(app.as_staff(Method::POST, &path).await).await
}

/// The status of `response` and its body (`null` when not JSON).
async fn status_and_body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The types of `events`, in order.
pub(crate) fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}
