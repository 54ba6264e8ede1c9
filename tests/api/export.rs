//! The list as CSV: every page, the bulk CSV's columns and the service's, RFC 4180
//! quoting, UTF-8 with a BOM, and no cell a spreadsheet would run as a formula.

use crate::support::{TestApp, unique_email};
use serde_json::{Value, json};

async fn csv(app: &TestApp, query: &str, accept: Option<&str>) -> (String, Vec<csv::StringRecord>) {
    let mut request = app
        .client
        .get(app.url(&format!("/api/invitations?{query}")))
        .bearer_auth(app.idp.token());
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let body = response.text().await.unwrap();
    let text = body
        .strip_prefix('\u{feff}')
        .expect("a BOM first")
        .to_owned();
    let records = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    (text, records)
}

#[tokio::test]
async fn the_list_as_csv_holds_every_page_quoted_and_without_formulas() {
    let app = TestApp::spawn_with(
        vec![("LIMIT_INVITATIONS_PER_HOUR", Some("1000".into()))],
        |_| {},
    )
    .await;
    let special = unique_email("csv");
    let created = app
        .invite(
            json!({"email": special, "displayName": "Ünal \"Uli\" Çelik, 東京",
            "locale": "de",
            "company": {"name": "=HYPERLINK(\"http://evil\"), Ltd", "city": "Zürich",
                "country": "CH"}}),
        )
        .await;
    let rows: Vec<Value> = (0..104)
        .map(|n| json!({"email": unique_email(&format!("csv{n}."))}))
        .collect();
    app.bulk(&rows).await;

    let (text, records) = csv(&app, "format=csv", None).await;
    assert!(
        text.ends_with("\r\n") && text.contains("\r\n"),
        "CRLF lines"
    );
    assert_eq!(
        text.lines().next().unwrap(),
        "email,companyId,role,displayName,locale,expiresInDays,company.name,\
         company.vatNumber,company.street,company.postalCode,company.city,company.country,\
         id,kind,status,createdAt,expiresAt",
        "the bulk CSV's columns, then the service's"
    );
    assert_eq!(records.len(), 1 + 105, "every page (100 a page), once each");
    let row = records
        .iter()
        .find(|r| &r[0] == special.as_str())
        .expect("the special row");
    assert_eq!(&row[3], "Ünal \"Uli\" Çelik, 東京");
    assert_eq!(&row[4], "de");
    assert_eq!(
        &row[6], "'=HYPERLINK(\"http://evil\"), Ltd",
        "shown as text"
    );
    assert_eq!(&row[10], "Zürich");
    assert_eq!(&row[12], created["id"].as_str().unwrap());
    assert_eq!((&row[13], &row[14]), ("company", "pending"));
    assert_eq!(&row[15], created["createdAt"].as_str().unwrap());
    assert!(
        text.contains("\"Ünal \"\"Uli\"\" Çelik, 東京\""),
        "RFC 4180 quoting"
    );

    // The same filters as the JSON list; Accept asks for CSV too.
    let (_, one) = csv(&app, &format!("email={special}"), Some("text/csv")).await;
    assert_eq!(one.len(), 2);
    let (_, none) = csv(&app, "format=csv&status=completed", None).await;
    assert_eq!(none.len(), 1, "the header alone");
}
