//! What the platform imposes: the Functions host routes without regard to case, and the
//! Bicep in `infra/` declares every table the handler creates and sets Flex-only and
//! Consumption-only properties where each plan accepts them.

use crate::support::{TestApp, stack, unique_email};
use futures::StreamExt as _;
use serde_json::json;

#[tokio::test]
async fn paths_match_without_regard_to_case_as_the_host_forwards_them() {
    let app = TestApp::spawn().await;
    let email = unique_email("case");
    let created = app
        .client
        .post(app.url("/API/inviteuser"))
        .bearer_auth(app.idp.token())
        .json(&json!({"email": email}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "/api/inviteuser is /api/InviteUser");
    let created: serde_json::Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap();

    let read = app
        .client
        .get(app.url(&format!("/api/Invitations/{id}")))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.json::<serde_json::Value>().await.unwrap()["id"], id);

    let page = app
        .client
        .get(app.url("/api/STAFF?lang=en"))
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 404, "the back office answers in any case");
    let query_kept = app
        .client
        .get(app.url(&format!("/api/INVITATIONS?email={email}")))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap();
    assert_eq!(query_kept.status(), 200);
    let listed: serde_json::Value = query_kept.json().await.unwrap();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
}

/// The names in `var tableNames = [ … ]` of infra/resources.bicep.
fn tables_in_bicep() -> Vec<String> {
    let bicep = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/infra/resources.bicep"
    ))
    .unwrap();
    let list = bicep
        .split("var tableNames = [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("infra/resources.bicep declares var tableNames = [ … ]");
    let mut names: Vec<String> = list
        .lines()
        .map(|l| l.trim().trim_matches('\'').to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn every_table_the_handler_creates_is_declared_in_the_bicep() {
    let app = TestApp::spawn().await;
    let parsed = azure_storage::ConnectionString::new(&stack().storage_connection_string).unwrap();
    let service = azure_data_tables::clients::TableServiceClientBuilder::with_location(
        azure_storage::CloudLocation::Custom {
            account: "devstoreaccount1".into(),
            uri: parsed.table_endpoint.unwrap().to_owned(),
        },
        parsed.storage_credentials().unwrap(),
    )
    .build();
    let mut created = Vec::new();
    let mut pages = service.list().into_stream();
    while let Some(page) = pages.next().await {
        for table in page.unwrap().tables {
            if let Some(name) = table.name.strip_prefix(&app.table_prefix) {
                created.push(name.to_owned());
            }
        }
    }
    created.sort();
    assert!(!created.is_empty(), "the handler created its tables");
    assert_eq!(
        created,
        tables_in_bicep(),
        "the tables the handler creates at start (left) and those infra/resources.bicep declares (right)"
    );
}

fn infra(file: &str) -> String {
    std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The text of the resource declared as `resource {name} '…' = …{ … }` (up to the next
/// top-level declaration).
fn resource<'a>(bicep: &'a str, name: &str) -> &'a str {
    let start = bicep
        .find(&format!("resource {name} '"))
        .unwrap_or_else(|| panic!("resource {name} is declared"));
    let rest = &bicep[start..];
    let end = rest[1..]
        .find("\nresource ")
        .or_else(|| rest[1..].find("\nvar "))
        .or_else(|| rest[1..].find("\noutput "))
        .map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

#[test]
fn flex_only_and_consumption_only_properties_sit_where_each_plan_accepts_them() {
    let resources = infra("infra/resources.bicep");
    let site = resource(&resources, "functionApp");
    assert!(
        site.lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .all(|l| !l.contains("ftpsState")),
        "Flex Consumption rejects ftpsState: the site must not set it"
    );
    let web = resource(&resources, "linuxConsumptionWebConfig");
    assert!(web.contains("= if (!isFlex)") && web.contains("ftpsState: 'Disabled'"));
    assert!(site.contains("functionAppConfig: isFlex ? flexFunctionAppConfig : null"));

    let main = infra("infra/main.bicep");
    let count = main
        .split("param flexMaximumInstanceCount")
        .next()
        .and_then(|before| before.rsplit("\nparam ").next())
        .unwrap();
    assert!(
        count.contains("@minValue(40)") && count.contains("@maxValue(1000)"),
        "Flex Consumption's maximum instance count is 40 to 1000: {count}"
    );
    let memory = main
        .split("param flexInstanceMemoryMB")
        .next()
        .and_then(|before| before.rsplit("\nparam ").next())
        .unwrap();
    let sizes: Vec<&str> = memory
        .split("@allowed([")
        .nth(1)
        .and_then(|a| a.split("])").next())
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(sizes, ["512", "2048", "4096"]);

    let azure = infra("azure.yaml");
    assert!(
        azure.contains("requiredVersions:\n  azd: \">= 1.20.0\""),
        "language: custom needs azd 1.20 or later"
    );
}
