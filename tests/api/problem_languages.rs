//! Problem details in the reader's language: `detail` and the field `errors` follow
//! `Accept-Language` (q-values, regions) while `type` and `title` stay English for
//! programs; `Content-Language` says which language was used.

use crate::support::*;
use serde_json::{Value, json};

/// A create body with three refused fields.
fn invalid_body() -> Value {
    json!({
        "email": "not-an-address",
        "expiresInDays": 0,
        "company": {"country": "FR", "postalCode": "1400"}
    })
}

async fn invite_in(app: &TestApp, language: Option<&str>) -> (Option<String>, Value) {
    let mut request = app
        .client
        .post(app.url("/api/InviteUser"))
        .bearer_auth(app.idp.token())
        .json(&invalid_body());
    if let Some(language) = language {
        request = request.header("accept-language", language);
    }
    let response = request.send().await.unwrap();
    let said = response
        .headers()
        .get("content-language")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (said, problem(response, 400).await)
}

#[tokio::test]
async fn field_errors_and_detail_follow_accept_language_while_the_title_stays_english() {
    let app = TestApp::spawn().await;

    let (said, english) = invite_in(&app, None).await;
    assert_eq!(said.as_deref(), Some("en"));
    assert_eq!(english["title"], "Invalid request");
    assert_eq!(english["errors"]["email"], "is not a valid email address");
    assert_eq!(
        english["errors"]["expiresInDays"],
        "must be a whole number of days from 1 to 30"
    );
    assert_eq!(
        english["errors"]["company.postalCode"],
        "is not a valid postal code for FR"
    );

    let (said, german) = invite_in(&app, Some("de-CH, fr;q=0.8, en;q=0.5")).await;
    assert_eq!(said.as_deref(), Some("de"));
    assert_eq!(german["type"], english["type"]);
    assert_eq!(german["title"], "Invalid request");
    assert_eq!(
        german["detail"],
        "Einige Felder fehlen oder sind ungültig; siehe errors."
    );
    assert_eq!(
        german["errors"]["email"],
        "ist keine gültige E-Mail-Adresse"
    );
    assert_eq!(
        german["errors"]["expiresInDays"],
        "muss eine ganze Zahl von Tagen sein, von 1 bis 30"
    );
    assert_eq!(
        german["errors"]["company.postalCode"],
        "ist keine gültige Postleitzahl für FR"
    );

    let (said, italian) = invite_in(&app, Some("it")).await;
    assert_eq!(said.as_deref(), Some("it"));
    assert_eq!(
        italian["errors"]["email"],
        "non è un indirizzo email valido"
    );

    // A language we do not have: English.
    let (said, fallback) = invite_in(&app, Some("es-ES, ja;q=0.9")).await;
    assert_eq!(said.as_deref(), Some("en"));
    assert_eq!(fallback["detail"], english["detail"]);
}

#[tokio::test]
async fn refused_tokens_unknown_addresses_and_bulk_rows_are_said_in_the_readers_language() {
    let app = TestApp::spawn().await;

    // No token, in Dutch: the challenge header is kept.
    let response = app
        .client
        .get(app.url("/api/invitations"))
        .header("accept-language", "nl-BE")
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("www-authenticate"));
    let body = problem(response, 401).await;
    assert_eq!(body["title"], "Sign-in required");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("Stuur een toegangstoken voor medewerkers"),
        "{body}"
    );

    // An expired token, in French: the reason too.
    let expired = app.idp.token_with(|c| {
        c["exp"] = json!(c["iat"].as_i64().unwrap() - 3600);
        c["nbf"] = json!(c["iat"].as_i64().unwrap() - 7200);
    });
    let response = app
        .client
        .get(app.url("/api/invitations"))
        .bearer_auth(expired)
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    let body = problem(response, 401).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("le jeton a expiré"),
        "{body}"
    );

    // No route at all (warp's own rejection), in Italian.
    let response = app
        .client
        .get(app.url("/api/nothing-here"))
        .header("accept-language", "it-CH")
        .send()
        .await
        .unwrap();
    let body = problem(response, 404).await;
    assert_eq!(body["detail"], "A questo indirizzo non c'è nulla.");

    // A bulk answers 200 with a result per row; a refused row says why in German.
    let response = app
        .client
        .post(app.url("/api/invitations/bulk"))
        .bearer_auth(app.idp.token())
        .header("accept-language", "de")
        .json(&json!([{"email": unique_email("bulk-de")}, {"email": "kaputt"}, 7]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let results: Value = response.json().await.unwrap();
    let results = results["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "created");
    assert_eq!(
        results[1]["errors"]["email"],
        "ist keine gültige E-Mail-Adresse"
    );
    assert_eq!(results[2]["errors"]["row"], "muss ein JSON-Objekt sein");
}
