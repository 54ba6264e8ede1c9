//! The staff's operations and the timers': their setups and requests. A staff member
//! whose request died sends it again; a timer runs again.

use super::world::World;
use super::{Case, answer, tables};
use crate::support::TestApp;
use futures::future::BoxFuture;
use serde_json::{Value, json};

pub fn nothing(_: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {})
}

/// Anne's company, created through her invitation.
pub fn a_company(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let company = world.onboard("anne").await;
        world.values.insert("company", company);
    })
}

/// A pending invitation to Rita.
pub fn a_pending_invitation(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let invitation = world.invite("rita", Value::Null).await;
        let id = invitation["id"].as_str().unwrap().to_owned();
        world.values.insert("invitation", id);
    })
}

/// Anne's company, Bert its member (invited by staff), and a pending invitation of
/// Bert's to create a company of his own.
pub fn a_member_with_a_pending_invitation(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let company = world.onboard("anne").await;
        world.join("bert", &company, "member").await;
        world.invite("bert", Value::Null).await;
        world.values.insert("company", company);
    })
}

/// A completed invitation (Anne's company), a revoked one and a pending one, all made
/// long enough ago for the retention rule to erase the last two.
pub fn ended_long_ago(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        world.onboard("anne").await;
        let revoked = world.invite("rita", Value::Null).await;
        let answer = world
            .app
            .client
            .delete(world.app.url(&format!(
                "/api/invitations/{}",
                revoked["id"].as_str().unwrap()
            )))
            .bearer_auth(world.app.idp.token())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        world.invite("paul", Value::Null).await;
        // Expired 7 days after it was made, and ended more than RETENTION_DAYS (90) ago.
        tables::age(&world.app.table_prefix, time::Duration::days(100)).await;
    })
}

/// An invitation whose email could not go (SMTP down when it was made), due again.
pub fn an_email_that_failed(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let prefix = world.app.table_prefix.clone();
        let down = TestApp::spawn_with(
            vec![
                ("TABLE_PREFIX", Some(prefix.clone())),
                ("SMTP_URL", Some("smtp://127.0.0.1:9".into())),
            ],
            |settings| settings.tuning.outgoing_timeout = std::time::Duration::from_secs(1),
        )
        .await;
        let answer = down
            .invite_with_token(&down.idp.token(), &json!({"email": world.email("rita")}))
            .await;
        assert_eq!(answer.status(), 201);
        let invitation: Value = answer.json().await.unwrap();
        assert_eq!(invitation["emailDelivery"], "queued");
        tables::age(&prefix, time::Duration::minutes(10)).await;
    })
}

fn staff_post(case: &Case, path: &str, body: &Value) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(case.url(path))
        .bearer_auth(case.staff())
        .json(body)
}

fn new_invitation(case: &Case) -> Value {
    json!({"email": case.new_email("new"), "displayName": "Willy URS", "locale": "fr",
        "company": {"name": "URS Machining SA", "vatNumber": "BE0123456749", "country": "BE"}})
}

pub fn invite(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let request = staff_post(case, "/api/InviteUser", &new_invitation(case));
        case.note_answer(answer(request).await).await;
    })
}

pub fn invite_a_colleague(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let body = json!({"email": case.new_email("colleague"), "displayName": "Bert Keller",
            "companyId": case.value("company"), "role": "member"});
        let request = staff_post(case, "/api/InviteUser", &body);
        case.note_answer(answer(request).await).await;
    })
}

pub fn bulk(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let rows = json!([
            new_invitation(case),
            {"email": case.new_email("second")},
            {"email": case.new_email("colleague"), "companyId": case.value("company"), "role": "administrator"},
        ]);
        let request = staff_post(case, "/api/invitations/bulk", &rows);
        case.note_answer(answer(request).await).await;
    })
}

pub fn resend(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let path = format!("/api/invitations/{}/resend", case.value("invitation"));
        let request = staff_post(case, &path, &Value::Null);
        case.note_answer(answer(request).await).await;
    })
}

pub fn revoke(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let path = format!("/api/invitations/{}", case.value("invitation"));
        let request = reqwest::Client::new()
            .delete(case.url(&path))
            .bearer_auth(case.staff());
        answer(request).await;
    })
}

pub fn erase(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        let email = case.email("bert").to_owned();
        case.notes().erased.insert(email.clone());
        let request = staff_post(case, "/api/privacy/erase", &json!({ "email": email }));
        answer(request).await;
    })
}

pub(super) fn timer(case: &Case, name: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(case.url(&format!("/{name}")))
        .json(&json!({"Data": {"timer": {"IsPastDue": false}}, "Metadata": {}}))
}

pub fn purge(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(timer(case, "PurgeEnded")).await;
    })
}

pub fn retry_deliveries(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(timer(case, "RetryDeliveries")).await;
    })
}
