//! Every event type, whichever way its change happens, signed and shaped as the contract
//! says.

use super::{Receiver, app_for, secret, types};
use crate::organisations::{follow, onboard};
use crate::support::{TestApp, unique_email};
use invitations::domain::account::{CompanyId, Role};
use invitations::service::members;
use serde_json::{Value, json};

/// What every delivery must be: signed (checked by the npm package), CloudEvents JSON,
/// the event's id as `webhook-id`.
fn assert_well_formed(app: &TestApp, delivery: &Value) {
    assert_eq!(delivery["verified"], json!([true]), "{delivery}");
    let headers = &delivery["headers"];
    assert_eq!(headers["content-type"], "application/cloudevents+json");
    let event = &delivery["event"];
    assert_eq!(headers["webhook-id"], event["id"]);
    assert!(
        headers["webhook-signature"]
            .as_str()
            .unwrap()
            .starts_with("v1,")
    );
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(
        event["source"],
        app.address.as_str(),
        "PUBLIC_BASE_URL as set"
    );
    assert_eq!(event["datacontenttype"], "application/json");
    assert!(event["time"].as_str().unwrap().ends_with('Z'));
    assert!(event["data"].get("inviteUrl").is_none(), "{event}");
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {events:#?}"))
}

#[tokio::test]
async fn a_customer_creating_their_company_sends_each_step_as_a_signed_cloud_event() {
    let key = secret();
    let receiver = Receiver::new(&[&key], 0).await;
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    let email = unique_email("journey");
    let (_, company_id) = onboard(&app, &email, "Evented SA").await;
    let invitation_id = &company_id[1..];

    let received = receiver.wait_for(5).await;
    for delivery in &received {
        assert_well_formed(&app, delivery);
    }
    let events: Vec<Value> = received.iter().map(|r| r["event"].clone()).collect();
    let mut kinds = types(&events);
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "company.created",
            "invitation.accepted",
            "invitation.completed",
            "invitation.created",
            "invitation.opened"
        ]
    );
    let created = of_type(&events, "invitation.created");
    assert_eq!(created["subject"], invitation_id);
    assert_eq!(created["data"]["id"], invitation_id);
    assert_eq!(created["data"]["email"], email.to_lowercase());
    assert_eq!(created["data"]["status"], "pending");
    assert_eq!(
        of_type(&events, "invitation.completed")["data"]["status"],
        "completed"
    );
    let company = of_type(&events, "company.created");
    assert_eq!(company["subject"], company_id.as_str());
    assert_eq!(company["data"]["id"], company_id.as_str());
    assert_eq!(company["data"]["name"], "Evented SA");
    assert_eq!(company["data"]["members"][0]["role"], "administrator");
    // Each event once: the ids differ and nothing else came.
    let mut ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 5);
}

#[tokio::test]
async fn staff_resending_and_revoking_send_their_events() {
    let key = secret();
    let receiver = Receiver::new(&[&key], 0).await;
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    let invitation = app.invite_email(&unique_email("resent")).await;
    let id = invitation["id"].as_str().unwrap();
    let resend = app.resend_raw(id).await;
    assert_eq!(resend.status(), 200);
    let revoke = app.revoke_raw(id).await;
    assert_eq!(revoke.status(), 200);
    let received = receiver.wait_for(3).await;
    received.iter().for_each(|d| assert_well_formed(&app, d));
    let events = receiver.events().await;
    let mut kinds = types(&events);
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "invitation.created",
            "invitation.resent",
            "invitation.revoked"
        ]
    );
    assert!(events.iter().all(|e| e["subject"] == id));
    assert_eq!(
        of_type(&events, "invitation.revoked")["data"]["status"],
        "revoked"
    );
}

#[tokio::test]
async fn a_colleague_joining_changing_role_and_leaving_sends_member_events() {
    let key = secret();
    let receiver = Receiver::new(&[&key], 0).await;
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    let anne = unique_email("anne");
    let (_, company_id) = onboard(&app, &anne, "Members Evented SA").await;
    receiver.wait_for(5).await;

    let bert = unique_email("bert");
    follow(&app.colleague_link(&bert, &company_id).await, &bert).await;
    receiver.wait_for(10).await;

    let services = &app.services;
    let cid = CompanyId::parse(&company_id).unwrap();
    let [a, b] = app.accounts_of(&cid, [&anne, &bert]).await;
    members::change_role(services, &cid, &a, &b, Role::Administrator)
        .await
        .unwrap();
    members::remove(services, &cid, &b, &b).await.unwrap();
    let received = receiver.wait_for(12).await;
    received.iter().for_each(|d| assert_well_formed(&app, d));
    let events = receiver.events().await;
    let member: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("member."))
        .collect();
    let kinds: Vec<&str> = member.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["member.joined", "member.roleChanged", "member.removed"]
    );
    for event in &member {
        assert_eq!(event["subject"], company_id.as_str());
        assert_eq!(event["data"]["companyId"], company_id.as_str());
        assert_eq!(event["data"]["accountId"], b.as_str());
        assert_eq!(event["data"]["email"], bert.to_lowercase());
    }
    assert_eq!(member[0]["data"]["role"], "member");
    assert_eq!(member[0]["data"]["name"], "Bert Keller");
    assert_eq!(member[1]["data"]["role"], "administrator");
    assert_eq!(member[1]["data"]["previousRole"], "member");
    assert_eq!(member[2]["data"]["reason"], "left");
    // Bert's own invitation went its way too.
    let theirs: Vec<&str> = events
        .iter()
        .filter(|e| {
            e["data"]["email"] == bert.to_lowercase()
                && e["type"].as_str().unwrap().starts_with("invitation.")
        })
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert!(
        theirs.contains(&"invitation.created") && theirs.contains(&"invitation.completed"),
        "{theirs:?}"
    );
}

#[tokio::test]
async fn during_a_rotation_both_secrets_sign_and_either_one_verifies() {
    let (current, previous, other) = (secret(), secret(), secret());
    let both = Receiver::new(&[&current, &previous], 0).await;
    let stranger = Receiver::new(&[&other], 0).await;
    let app = app_for(&[&both, &stranger], &[&current, &previous], vec![]).await;
    app.invite_email(&unique_email("rotation")).await;
    let signed = both.wait_for(1).await;
    assert_eq!(
        signed[0]["verified"],
        json!([true, true]),
        "each secret alone verifies"
    );
    let header = signed[0]["headers"]["webhook-signature"].as_str().unwrap();
    assert_eq!(header.split(' ').count(), 2, "{header}");
    let unsigned = stranger.wait_for(1).await;
    assert_eq!(
        unsigned[0]["verified"],
        json!([false]),
        "a secret it does not hold"
    );
}
