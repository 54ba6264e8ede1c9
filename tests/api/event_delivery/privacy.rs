//! Events and personal data: an erasure tells `member.removed` (reason `erased`, without
//! email and name) and `person.erased` (no personal data), and takes the person out of
//! every stored event; a self-deletion says `deleted`. Expiry, told by the timer once,
//! and delivered events purged after 7 days.

use super::{Receiver, app_for, secret, types};
use crate::organisations::{follow, onboard};
use crate::support::{TestApp, mailbox, stack, tokens, unique_email};
use invitations::domain::email::EmailAddress;
use invitations::service::privacy::{self, Requester};
use serde_json::{Value, json};
use std::time::Duration;

/// Waits until an event of `kind` was taken; all taken so far.
async fn until(receiver: &Receiver, kind: &str) -> Vec<Value> {
    for _ in 0..200 {
        let events = receiver.events().await;
        if events.iter().any(|e| e["type"] == kind) {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {kind}: {:?}", types(&receiver.events().await));
}

/// Anne's company, which Bert joins: the app, the receiver, the company's id.
async fn company_with_bert(anne: &str, bert: &str) -> (TestApp, Receiver, String) {
    let key = secret();
    let receiver = Receiver::new(&[&key], 0).await;
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    let (_, company_id) = onboard(&app, anne, "Forgetful SA").await;
    let invited = app
        .invite_with_token(
            &app.idp.token(),
            &json!({"email": bert, "displayName": "Bert Keller", "companyId": company_id}),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let mails = mailbox::wait_for(&stack().maildev_url, bert, 1).await;
    follow(&mailbox::link_in(&mails[0]), bert).await;
    until(&receiver, "member.joined").await;
    (app, receiver, company_id)
}

#[tokio::test]
async fn erasing_a_member_tells_it_without_their_data_and_scrubs_every_stored_event() {
    let (anne, bert) = (unique_email("anne"), unique_email("bert"));
    let (app, receiver, company_id) = company_with_bert(&anne, &bert).await;
    let token = app
        .idp
        .token_with(|c| c["roles"] = json!([tokens::ROLE, "Invitations.Privacy"]));
    let erased = app
        .client
        .post(app.url("/api/privacy/erase"))
        .bearer_auth(token)
        .json(&json!({ "email": bert }))
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200);
    let events = until(&receiver, "person.erased").await;
    let removed = events
        .iter()
        .find(|e| e["type"] == "member.removed")
        .expect("member.removed");
    assert_eq!(removed["subject"], company_id.as_str());
    assert_eq!(removed["data"]["reason"], "erased");
    assert!(removed["data"]["accountId"].is_string());
    assert!(removed["data"].get("email").is_none() && removed["data"].get("name").is_none());
    let gone = events
        .iter()
        .find(|e| e["type"] == "person.erased")
        .unwrap();
    assert!(!gone.to_string().contains('@'), "{gone}");
    assert_eq!(gone["data"]["accountIds"][0], removed["data"]["accountId"]);

    // Nothing stored names Bert any more, delivered or not; Anne is still there.
    let rows = app.table_rows("Events").await;
    let stored = serde_json::to_string(&rows).unwrap().to_lowercase();
    assert!(!stored.contains(&bert.to_lowercase()), "{stored}");
    assert!(!stored.contains("bert keller"), "{stored}");
    assert!(stored.contains(&anne.to_lowercase()));
}

#[tokio::test]
async fn a_member_deleting_their_account_is_removed_for_reason_deleted() {
    let (anne, bert) = (unique_email("anne"), unique_email("bert"));
    let (app, receiver, _) = company_with_bert(&anne, &bert).await;
    let email = EmailAddress::parse(&bert).unwrap();
    let account = app
        .services
        .people
        .accounts_of_email(&email)
        .await
        .unwrap()
        .remove(0);
    privacy::erase(&app.services, &email, &Requester::Customer(account))
        .await
        .unwrap();
    let events = until(&receiver, "person.erased").await;
    let removed = events
        .iter()
        .find(|e| e["type"] == "member.removed")
        .expect("member.removed");
    assert_eq!(removed["data"]["reason"], "deleted");
}

#[tokio::test]
async fn an_expired_link_is_told_once_and_delivered_events_go_after_seven_days() {
    let key = secret();
    let receiver = Receiver::new(&[&key], 0).await;
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    let created = app
        .invite(json!({"email": unique_email("late"), "expiresInDays": 1}))
        .await;
    receiver.wait_for(1).await;
    app.clock.advance(time::Duration::hours(25));
    let first = app.run_timer("DeliverEvents").await;
    assert_eq!(first["ReturnValue"]["expired"], 1, "{first}");
    assert_eq!(first["ReturnValue"]["delivered"], 1, "{first}");
    let again = app.run_timer("DeliverEvents").await;
    assert_eq!(again["ReturnValue"]["expired"], 0, "told once: {again}");
    let events = receiver.events().await;
    assert_eq!(types(&events), ["invitation.created", "invitation.expired"]);
    assert_eq!(events[1]["subject"], created["id"]);
    assert_eq!(events[1]["data"]["status"], "expired");

    assert_eq!(app.table_rows("Events").await.len(), 2);
    app.clock.advance(time::Duration::days(8));
    let later = app.run_timer("DeliverEvents").await;
    assert_eq!(later["ReturnValue"]["purged"], 2, "{later}");
    assert!(app.table_rows("Events").await.is_empty());
}

#[tokio::test]
async fn a_failed_event_is_kept_a_week_after_its_day_of_attempts_then_purged() {
    let key = secret();
    let receiver = Receiver::new(&[&key], 1_000_000).await;
    let app = app_for(&[&receiver], &[&key], vec![]).await;
    app.invite(json!({"email": unique_email("never"), "expiresInDays": 30}))
        .await;
    while receiver.received().await.is_empty() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut failed = 0;
    for _ in 0..10 {
        app.clock.advance(time::Duration::hours(6));
        failed += app.run_timer("DeliverEvents").await["ReturnValue"]["failed"]
            .as_u64()
            .unwrap();
        if failed == 1 {
            break;
        }
    }
    assert_eq!(failed, 1);
    app.clock.advance(time::Duration::days(6));
    let kept = app.run_timer("DeliverEvents").await;
    assert_eq!(kept["ReturnValue"]["purged"], 0, "{kept}");
    assert_eq!(app.table_rows("Events").await.len(), 1);
    app.clock.advance(time::Duration::days(2));
    let purged = app.run_timer("DeliverEvents").await;
    assert_eq!(purged["ReturnValue"]["purged"], 1, "{purged}");
    assert!(app.table_rows("Events").await.is_empty());
}
