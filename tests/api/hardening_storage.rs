//! Issue 12, finding 14: after a cold start, requests wait for the tables being created
//! instead of failing, and a missing table is never read as an empty one.

use crate::support::azurite::shared_table_endpoint;
use crate::support::{TestApp, problem, unique_email};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

/// Whether a chunk sent to storage starts a table creation (`POST …/Tables`).
fn creates_a_table(chunk: &[u8]) -> bool {
    chunk.starts_with(b"POST ")
        && chunk
            .split(|b| *b == b'\n')
            .next()
            .is_some_and(|line| line.windows(8).any(|w| w == b"/Tables "))
}

/// A TCP proxy to Azurite that holds every chunk sent to it for `delay` (storage a little
/// far away, so creating the tables at start takes a moment) and, when
/// `refuse_table_creation`, answers a table creation with the 403 of a credential
/// without that right.
async fn storage_proxy(delay: Duration, refuse_table_creation: bool) -> String {
    let azurite = url::Url::parse(&shared_table_endpoint()).unwrap();
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
                let (mut from_client, to_client) = client.into_split();
                let to_client = Arc::new(Mutex::new(to_client));
                let (mut from_server, mut to_server) = server.into_split();
                let back = to_client.clone();
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; 64 * 1024];
                    while let Ok(n) = from_server.read(&mut buffer).await {
                        if n == 0 || back.lock().await.write_all(&buffer[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let mut buffer = vec![0u8; 64 * 1024];
                while let Ok(n) = from_client.read(&mut buffer).await {
                    if n == 0 {
                        break;
                    }
                    if refuse_table_creation && creates_a_table(&buffer[..n]) {
                        let refusal = "HTTP/1.1 403 Forbidden\r\nx-ms-error-code: AuthorizationPermissionMismatch\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                        let _ = to_client.lock().await.write_all(refusal.as_bytes()).await;
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
    let storage = storage_proxy(Duration::from_millis(150), false).await;
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

#[tokio::test]
async fn storage_that_may_not_create_tables_uses_the_ones_an_operator_made() {
    let made = TestApp::spawn().await; // the tables exist under this prefix
    let storage = storage_proxy(Duration::ZERO, true).await;
    let app = TestApp::spawn_unready(
        vec![
            ("INVITATIONS_STORAGE", Some(storage)),
            ("TABLE_PREFIX", Some(made.table_prefix.clone())),
        ],
        |_| {},
    )
    .await;
    let started = std::time::Instant::now();
    let (token, body) = (app.idp.token(), json!({"email": unique_email("nocreate")}));
    let created = app.invite_with_token(&token, &body).await;
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "no waiting for tables that cannot be made: {:?}",
        started.elapsed()
    );
}
