//! Issue 12, finding 14: after a cold start, requests wait for the tables being created
//! instead of failing, and a missing table is never read as an empty one.

use crate::support::{TestApp, problem, stack, unique_email};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy to Azurite that holds every chunk sent to it for `delay`: storage a
/// little far away, so creating the tables at start takes a moment.
async fn slow_storage(delay: Duration) -> String {
    let conn = &stack().storage_connection_string;
    let endpoint = conn
        .split(';')
        .find_map(|part| part.strip_prefix("TableEndpoint="))
        .unwrap();
    let azurite = url::Url::parse(endpoint).unwrap();
    let target = format!(
        "{}:{}",
        azurite.host_str().unwrap(),
        azurite.port().unwrap()
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&target).await else {
                    return;
                };
                let (mut from_client, mut to_client) = client.into_split();
                let (mut from_server, mut to_server) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
                });
                let mut buffer = vec![0u8; 64 * 1024];
                while let Ok(n) = from_client.read(&mut buffer).await {
                    if n == 0 {
                        break;
                    }
                    tokio::time::sleep(delay).await;
                    if to_server.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    format!(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1",
        azure_storage::EMULATOR_ACCOUNT_KEY
    )
}

#[tokio::test]
async fn the_first_requests_after_a_cold_start_wait_for_the_tables() {
    let storage = slow_storage(Duration::from_millis(150)).await;
    let app = TestApp::spawn_unready(vec![("INVITATIONS_STORAGE", Some(storage))], |_| {}).await;
    // Straight away, while the tables are still being created.
    let email = unique_email("coldstart");
    let link = format!(
        "{}/api/InviteUser?invitationId={}",
        app.address,
        "A".repeat(43)
    );
    let (token, body) = (app.idp.token(), json!({"email": email}));
    let (created, listed, unknown) = tokio::join!(
        app.invite_with_token(&token, &body),
        app.list_raw("top=5"),
        reqwest::get(&link),
    );
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    assert_eq!(listed.status(), 200, "{:?}", listed.text().await);
    let unknown = unknown.unwrap();
    assert_eq!(
        unknown.status(),
        404,
        "the link page says the link is unknown"
    );
    assert_eq!(
        app.list(&format!("email={email}")).await["items"][0]["email"],
        email
    );
}

#[tokio::test]
async fn a_missing_table_is_unavailable_never_empty() {
    let app = TestApp::spawn().await;
    let created = app.invite_email(&unique_email("gone")).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        app.list("top=5").await["items"].as_array().unwrap().len(),
        1
    );

    app.table("Invitations").delete().await.unwrap();
    let response = app.list_raw("top=5").await;
    assert!(response.headers().contains_key("retry-after"));
    problem(response, 503).await;
    problem(app.get_invitation(id).await, 503).await;
}
