//! Hostile input over HTTP: bodies one byte over the limit (announced or streamed), huge
//! headers and cookies, and inputs the fuzz targets found crashing. Each gets a clean
//! 4xx, and the handler lives on.

use crate::support::browser::browser;
use crate::support::{TestApp, problem, unique_email};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

const LIMIT: usize = 64 * 1024;

/// A JSON create body of exactly `len` bytes (padded with spaces, which JSON ignores).
fn create_body_of(len: usize, email: &str) -> Vec<u8> {
    let mut body = serde_json::to_vec(&json!({"email": email})).unwrap();
    body.resize(len, b' ');
    body
}

async fn alive(app: &TestApp) {
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200, "the handler still answers");
}

#[tokio::test]
async fn a_body_one_byte_over_64_kib_is_a_413_announced_or_streamed() {
    let app = TestApp::spawn().await;
    let post = |body: reqwest::Body| {
        app.client
            .post(app.url("/api/InviteUser"))
            .bearer_auth(app.idp.token())
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let email = unique_email("edge");
    let at_limit = post(create_body_of(LIMIT, &email).into()).await.unwrap();
    assert_eq!(at_limit.status(), 201, "exactly 64 KiB is accepted");

    let over = unique_email("over");
    let response = post(create_body_of(LIMIT + 1, &over).into()).await.unwrap();
    let body = problem(response, 413).await;
    assert!(body["detail"].as_str().unwrap().contains("64"), "{body}");

    // Without a Content-Length (chunked), the limit holds as the bytes arrive.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = create_body_of(LIMIT + 1, &over)
        .chunks(4096)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let streamed = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    problem(post(streamed).await.unwrap(), 413).await;
    assert!(
        app.list(&format!("email={over}")).await["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was created"
    );

    // The customer's form post has the same limit.
    let form = browser()
        .post(app.url("/api/CreateCompany"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name={}", "a".repeat(LIMIT + 1)))
        .send()
        .await
        .unwrap();
    assert!(form.status().is_client_error(), "{}", form.status());
    alive(&app).await;
}

#[tokio::test]
async fn huge_headers_and_cookies_get_a_clean_4xx() {
    let app = TestApp::spawn().await;
    let garbage = "A".repeat(60 * 1024);

    // A huge session cookie is simply not a session.
    let response = browser()
        .get(app.url("/api/CreateCompany"))
        .header(
            "cookie",
            format!("inv_session={garbage}; inv_flow={garbage}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Please sign in first")
    );

    // A huge bearer token is not a token.
    let response = app
        .client
        .get(app.url("/api/invitations"))
        .header(
            "authorization",
            format!("Bearer {garbage}.{garbage}.{garbage}"),
        )
        .send()
        .await
        .unwrap();
    problem(response, 401).await;

    // Headers past the server's limit are refused before any handler runs.
    for (name, size) in [("x-padding", 1024 * 1024), ("cookie", 1024 * 1024)] {
        let response = reqwest::Client::new()
            .get(app.url("/api/Home"))
            .header(name, "B".repeat(size))
            .send()
            .await;
        match response {
            Ok(response) => assert!(
                response.status().is_client_error(),
                "{name}: {}",
                response.status()
            ),
            // The server may close the connection on a request it will not read.
            Err(e) => assert!(!e.is_timeout(), "{name}: {e}"),
        }
    }
    // Many headers at once.
    let mut request = reqwest::Client::new().get(app.url("/api/Home"));
    for n in 0..500 {
        request = request.header(format!("x-h{n}"), "v");
    }
    match request.send().await {
        Ok(response) => assert!(response.status().as_u16() < 500, "{}", response.status()),
        Err(e) => assert!(!e.is_timeout(), "{e}"),
    }
    alive(&app).await;
}

#[tokio::test]
async fn a_continuation_token_that_decodes_to_multibyte_text_is_a_400() {
    // Found by the query_strings fuzz target: 25 bytes whose 13th is inside a character
    // made the id parser slice through it (a panic, which aborts a release build).
    let app = TestApp::spawn().await;
    let token = URL_SAFE_NO_PAD.encode("000000000000\u{e9}00000000000");
    let response = app.list_raw(&format!("continuationToken={token}")).await;
    let body = problem(response, 400).await;
    assert!(body["errors"]["continuationToken"].is_string(), "{body}");
    alive(&app).await;
}
