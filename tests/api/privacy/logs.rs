//! No address, name or company detail in the logs of a whole journey.

use super::mixed_case_email;
use crate::support::browser::{
    browser, company_form, csrf_in, location, page, post_form, sign_in_at_b2c,
};
use crate::support::{stack, unique};
use reqwest::Client;
use serde_json::json;

/// The handler binary at `RUST_LOG=debug` through a whole journey (invite, a duplicate,
/// the email, sign-in, company, profile, export, erasure, both timers): its logs hold no
/// address, name or company detail.
#[tokio::test]
async fn the_logs_of_a_whole_journey_hold_no_address_name_or_company_detail() {
    use crate::support::staff::api_token;
    let stack = stack();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let log_path = std::env::temp_dir().join(format!("{}.log", unique("logscan")));
    let log_file = std::fs::File::create(&log_path).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handler"))
        .env_clear()
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .env("PUBLIC_BASE_URL", &base)
        .env("INVITATIONS_STORAGE", &stack.storage_connection_string)
        .env("TABLE_PREFIX", unique("logscan"))
        .env("B2C_METADATA_URL", &stack.b2c_metadata_url)
        .env("B2C_CLIENT_ID", &stack.b2c_client_id)
        .env("B2C_CLIENT_SECRET", &stack.b2c_client_secret)
        .env("STAFF_METADATA_URL", &stack.staff_metadata_url)
        .env("STAFF_AUDIENCE", &stack.staff_audience)
        // The local sales client's token carries this role: one token for every call.
        .env("STAFF_PRIVACY_ROLE", "Invitations.Send")
        .env("SMTP_URL", &stack.smtp_url)
        .env("COOKIE_KEY", crate::support::random_cookie_key())
        .env("RUST_LOG", "debug")
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .spawn()
        .unwrap();

    let email = mixed_case_email("logscan");
    let token = api_token().await;
    let http = Client::new();
    let body = json!({
        "email": email,
        "displayName": "Zoé Logscan-Person",
        "company": {"name": "Logscan Machining SA", "street": "Rue du Journal 77",
                    "postalCode": "1400", "city": "Nivelles", "country": "BE"},
    });
    let mut created = None;
    for _ in 0..100 {
        match http
            .post(format!("{base}/api/InviteUser"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        {
            Ok(response) if response.status() == 201 => {
                created = Some(response);
                break;
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    assert!(created.is_some(), "the invitation was created");
    let duplicate = http
        .post(format!("{base}/api/InviteUser"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), 409);
    let mails = crate::support::mailbox::wait_for(&stack.maildev_url, &email, 1).await;
    let link = crate::support::mailbox::link_in(mails.last().expect("the email arrived"));

    let client = browser();
    let response = client.get(&link).send().await.unwrap();
    let callback = sign_in_at_b2c(&client, &location(&response), &email, "local").await;
    client.get(&callback).send().await.unwrap();
    let form = page(&client, &format!("{base}/api/CreateCompany")).await;
    let mut fields = company_form(&csrf_in(&form));
    fields[0].1 = "Logscan Machining SA".into();
    fields[2].1 = "Rue du Journal 77".into();
    let response = post_form(&client, &format!("{base}/api/CreateCompany"), &fields).await;
    assert_eq!(location(&response), "/api/Home");
    assert!(
        page(&client, &format!("{base}/api/Profile"))
            .await
            .contains(&email)
    );

    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", &email)
        .finish();
    let response = http
        .get(format!("{base}/api/privacy/export?{query}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = http
        .post(format!("{base}/api/privacy/erase"))
        .bearer_auth(&token)
        .json(&json!({"email": email}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    for timer in ["RetryDeliveries", "PurgeEnded", "SendReminders"] {
        let response = http
            .post(format!("{base}/{timer}"))
            .json(&json!({"Data": {}, "Metadata": {}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_file(&log_path);
    assert!(
        logs.contains("personal data erased") && logs.contains("company created"),
        "the journey was logged: {logs}"
    );
    for secret in [
        email.to_lowercase(),
        email.split('@').next().unwrap().to_lowercase(),
        "logscan-person".into(),
        "logscan machining".into(),
        "rue du journal".into(),
    ] {
        let lines: Vec<&str> = logs
            .lines()
            .filter(|l| l.to_lowercase().contains(&secret))
            .collect();
        assert!(lines.is_empty(), "{secret:?} is in the logs: {lines:#?}");
    }
}
