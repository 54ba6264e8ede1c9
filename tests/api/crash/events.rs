//! Events when the process dies (issue #25): a revoke killed once its change landed still
//! has its event delivered (by the timer of the next process); one killed before its
//! change was stored, its event's row written, never has one.

use super::instance::{Instance, Settings, free_port};
use super::tables;
use super::world::World;
use crate::event_delivery::{Receiver, secret, types};
use crate::support::storage_calls::{Kind, Moment, StorageCalls};
use crate::support::{stack, unique, unique_email};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn a_revoke_killed_right_after_its_change_still_sends_its_event() {
    revoke_killed_at_its_change(Moment::After).await;
}

#[tokio::test]
async fn a_revoke_killed_before_its_change_was_stored_never_sends_one() {
    revoke_killed_at_its_change(Moment::Before).await;
}

async fn timer(address: &str, name: &str) -> Value {
    let answer = reqwest::Client::new()
        .post(format!("{address}/{name}"))
        .json(&json!({"Data": {}, "Metadata": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

async fn revoke_killed_at_its_change(moment: Moment) {
    let world = World::new().await;
    let key = secret();
    let receiver = Receiver::new(&[&key], 0).await;
    let prefix = unique("t");
    let calls = StorageCalls::start(&stack().storage_connection_string, &prefix).await;
    let mut vars = world.settings(&prefix);
    vars.push(("EVENTS_WEBHOOK_URLS", receiver.url().to_owned()));
    vars.push(("EVENTS_WEBHOOK_SECRET", key.clone()));
    let settings = Settings {
        port: free_port(),
        vars,
    };
    let address = settings.address();
    let first = Instance::start(&settings, &calls.connection_string()).await;
    let token = world.staff_token();
    let client = reqwest::Client::new();
    let mut created = Value::Null;
    for _ in 0..100 {
        // The tables are made in the background at start.
        let answer = client
            .post(format!("{address}/api/InviteUser"))
            .bearer_auth(&token)
            .json(&json!({"email": unique_email("crash")}))
            .send()
            .await
            .unwrap();
        if answer.status() == 201 {
            created = answer.json().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let id = created["id"].as_str().unwrap().to_owned();
    receiver.wait_for(1).await;
    // The created event's delivery is recorded before the revoke's calls are counted.
    for _ in 0..100 {
        let rows = tables::client(&prefix, "Events");
        let rows = crate::support::rows_of(&rows).await;
        if rows.iter().all(|r| r["Status"] == "delivered") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The revoke: the invitation read, its event's row, the invitation's write with its sales
    // figures' row (one entity-group transaction; killed).
    calls.take();
    calls.kill_at(3, moment, first.pid());
    let answer = client
        .delete(format!("{address}/api/invitations/{id}"))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(answer.is_err(), "the process died under the request");
    first.kill();
    let made: Vec<(Kind, String)> = calls
        .take()
        .into_iter()
        .map(|c| (c.kind, c.table))
        .collect();
    // (The call killed before it reached storage is not among them.)
    let landed = if moment == Moment::After { 3 } else { 2 };
    assert_eq!(
        made,
        [
            (Kind::Read, "Invitations".to_owned()),
            (Kind::Insert, "Events".to_owned()),
            (Kind::Batch, "Invitations".to_owned())
        ][..landed]
    );

    // A new process; twenty minutes pass (longer than an event waits for its change).
    let second = Instance::start(&settings, &stack().storage_connection_string).await;
    tables::age(&prefix, time::Duration::minutes(20)).await;
    let report = timer(&address, "DeliverEvents").await;
    let status = client
        .get(format!("{address}/api/invitations/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["status"]
        .clone();
    second.kill();
    let events = receiver.events().await;
    if moment == Moment::After {
        assert_eq!(status, "revoked");
        assert_eq!(report["ReturnValue"]["delivered"], 1, "{report}");
        assert_eq!(types(&events), ["invitation.created", "invitation.revoked"]);
        assert_eq!(events[1]["subject"], id.as_str());
    } else {
        assert_eq!(status, "pending");
        assert_eq!(report["ReturnValue"]["dropped"], 1, "{report}");
        assert_eq!(types(&events), ["invitation.created"]);
    }
    let rows = crate::support::rows_of(&tables::client(&prefix, "Events")).await;
    assert!(rows.iter().all(|r| r["Status"] == "delivered"), "{rows:?}");
}
