//! Programs (issue #26): a token with only `STAFF_READ_ROLE` (an app-only token of the
//! product's back end: no name, no email) reads every `GET` of the staff API the OpenAPI
//! document lists, and nothing else (403), the personal-data export included.

use crate::support::{TestApp, json_of, unique_email};
use serde_json::json;

const READ_ROLE: &str = "Invitations.Read";

/// An app-only v2.0 token with only the read role.
fn program_token(app: &TestApp) -> String {
    app.idp.token_with(|c| {
        let claims = c.as_object_mut().unwrap();
        for personal in ["name", "preferred_username", "email", "upn"] {
            claims.remove(personal);
        }
        c["roles"] = json!([READ_ROLE]);
        c["idtyp"] = json!("app");
        c["azp"] = json!("product-back-end");
    })
}

#[tokio::test]
async fn a_program_with_the_read_role_reads_every_get_and_may_do_nothing_else() {
    let app = TestApp::spawn().await;
    let invitation = app.invite_email(&unique_email("program")).await;
    let id = invitation["id"].as_str().unwrap();
    let token = program_token(&app);
    let document = json_of(app.client.get(app.url("/api/openapi.json"))).await;
    let mut gets = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{id}", id)
            .replace("{companyId}", &format!("c{id}"));
        let query = if path.ends_with("/export") {
            "?email=someone%40customer.example"
        } else {
            ""
        };
        for (method, operation) in operations.as_object().unwrap() {
            let roles = &operation["x-required-roles"];
            let request = match method.as_str() {
                "get" => app.client.get(app.url(&format!("{concrete}{query}"))),
                "post" => app.client.post(app.url(&concrete)).json(&json!({})),
                "delete" => app.client.delete(app.url(&concrete)),
                _ => continue,
            };
            let status = request.bearer_auth(&token).send().await.unwrap().status();
            let readable = roles.as_array().unwrap().contains(&json!(READ_ROLE));
            if readable {
                gets += 1;
                assert!(
                    ![401, 403].contains(&status.as_u16()),
                    "{method} {path}: {status}"
                );
            } else {
                assert_eq!(status, 403, "{method} {path}");
            }
            assert_eq!(
                readable,
                method == "get" && !path.contains("/privacy/"),
                "{method} {path}"
            );
        }
    }
    assert!(gets >= 4, "{gets} GETs");
    // What it reads is the staff's answer.
    let listed = json_of(
        app.client
            .get(app.url("/api/invitations"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(listed["items"][0]["id"], id);
    // Revoking is refused with a problem that names the role it lacks; nothing changed.
    let response = app
        .client
        .delete(app.url(&format!("/api/invitations/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let problem = crate::support::problem(response, 403).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Invitations.Send"),
        "{problem}"
    );
    assert_eq!(app.invitation(id).await["status"], "pending");
}

#[tokio::test]
async fn staff_with_the_send_role_still_read_and_a_token_with_neither_role_reads_nothing() {
    let app = TestApp::spawn_with(
        vec![("STAFF_READ_ROLE", Some("Product.Read".into()))],
        |_| {},
    )
    .await;
    let get = |token: String| {
        let request = app.client.get(app.url("/api/companies")).bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get(app.idp.token()).await, 200, "the staff role reads");
    let renamed = app.idp.token_with(|c| c["roles"] = json!(["Product.Read"]));
    assert_eq!(get(renamed).await, 200, "STAFF_READ_ROLE names the role");
    assert_eq!(
        get(program_token(&app)).await,
        403,
        "the default name is not it now"
    );
    // The refusal names both roles that would read.
    let refused = app
        .client
        .get(app.url("/api/companies"))
        .bearer_auth(program_token(&app))
        .send()
        .await
        .unwrap();
    let problem = crate::support::problem(refused, 403).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("Product.Read") && detail.contains("Invitations.Send"),
        "{problem}"
    );
}

/// The way on (`PRODUCT_URL`): Home, where a customer lands after creating a company or
/// joining one, offers "Continue to {PRODUCT_NAME}" in the reader's language; without
/// the setting, no such link.
#[tokio::test]
async fn home_offers_the_way_on_to_the_product_only_when_product_url_is_set() {
    use crate::support::browser::page;
    let url = "https://product.example/welcome?from=invitations";
    for product_url in [Some(url), None] {
        let app =
            TestApp::spawn_test_b2c_with(vec![("PRODUCT_URL", product_url.map(str::to_owned))])
                .await;
        let client = crate::claims::onboarded(&app).await;
        let home = page(&client, &app.url("/api/Home")).await;
        let french = page(&client, &app.url("/api/Home?lang=fr")).await;
        match product_url {
            Some(_) => {
                assert!(
                    home.contains(
                        "href=\"https://product.example/welcome?from=invitations\" id=\"continue-to-product\">Continue to GFMS Customer Portal</a>"
                    ),
                    "{home}"
                );
                assert!(
                    french.contains(">Continuer vers GFMS Customer Portal</a>"),
                    "{french}"
                );
            }
            None => assert!(!home.contains("continue-to-product"), "{home}"),
        }
    }
}
