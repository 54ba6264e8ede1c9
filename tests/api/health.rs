use crate::support::{TestApp, mailbox, problem, stack, unique_email};
use serde_json::json;
use std::time::Duration;

/// Storage at a port where nothing listens.
fn dead_storage() -> Option<String> {
    Some(format!(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={};TableEndpoint=http://127.0.0.1:9/devstoreaccount1",
        azure_storage::EMULATOR_ACCOUNT_KEY
    ))
}

#[tokio::test]
async fn the_readiness_probe_answers_at_once() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

/// An address that takes connections and never answers: whoever waits on it waits for
/// ever (the listener lives as long as the returned task).
async fn silent_address() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (address, task)
}

#[tokio::test]
async fn readiness_does_not_wait_for_storage_or_identity_providers() {
    // Storage and both identity providers take the connection and never answer: a
    // readiness that waited on any of them would never come.
    let (silent, _listener) = silent_address().await;
    // Guards against a hang, far above any start's or answer's time: no speed is measured.
    let guard = Duration::from_secs(30);
    let start = TestApp::spawn_unready(
        vec![
            (
                "INVITATIONS_STORAGE",
                Some(format!(
                    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={};TableEndpoint=http://{silent}/devstoreaccount1",
                    azure_storage::EMULATOR_ACCOUNT_KEY
                )),
            ),
            (
                "STAFF_METADATA_URL",
                Some(format!("http://{silent}/.well-known/openid-configuration")),
            ),
            (
                "B2C_METADATA_URL",
                Some(format!(
                    "http://{silent}/b2c/.well-known/openid-configuration"
                )),
            ),
        ],
        // Nothing the handler does gives up on them before the guard below does.
        |settings| settings.tuning.outgoing_timeout = Duration::from_secs(3600),
    );
    let app = tokio::time::timeout(guard, start)
        .await
        .expect("the handler starts while storage and the providers are silent");
    let response = app
        .client
        .get(app.url("/"))
        .timeout(guard)
        .send()
        .await
        .expect("readiness answers while storage and the providers are silent");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_staff_provider_that_is_away_is_a_503_not_a_401() {
    let app = TestApp::spawn_unready(
        vec![(
            "STAFF_METADATA_URL",
            Some("http://127.0.0.1:9/.well-known/openid-configuration".into()),
        )],
        |_| {},
    )
    .await;
    // A token cannot be checked: the caller is told to come back, not that it is wrong.
    let response = app
        .client
        .get(app.url("/api/invitations"))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("5")
    );
    problem(response, 503).await;
}

#[tokio::test]
async fn storage_that_cannot_be_reached_gives_a_503_and_sends_nothing() {
    let app = TestApp::spawn_unready(vec![("INVITATIONS_STORAGE", dead_storage())], |_| {}).await;
    let email = unique_email("nostore");
    let response = app
        .invite_with_token(&app.idp.token(), &json!({"email": email}))
        .await;
    assert!(response.headers().contains_key("retry-after"));
    let body = problem(response, 503).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Nothing was changed")
    );
    let mails = mailbox::all_to(&stack().maildev_url, &email).await;
    assert!(
        mails.is_empty(),
        "no email goes out for an invitation that was not stored"
    );
}

#[tokio::test]
async fn unknown_addresses_and_methods_get_problem_details() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/api/NoSuchFunction"))
        .send()
        .await
        .unwrap();
    problem(response, 404).await;
    let response = app
        .client
        .put(app.url("/api/InviteUser"))
        .send()
        .await
        .unwrap();
    problem(response, 405).await;
}

#[tokio::test]
async fn the_timer_trigger_answers_in_the_hosts_shape() {
    let app = TestApp::spawn().await;
    let body = app.retry_deliveries().await;
    assert!(body["Outputs"].is_object());
    assert!(body["Logs"].as_array().is_some_and(|logs| !logs.is_empty()));
    assert_eq!(body["ReturnValue"]["sent"], 0);
    let response = app
        .client
        .post(app.url("/RetryDeliveries"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    problem(response, 400).await;
}
