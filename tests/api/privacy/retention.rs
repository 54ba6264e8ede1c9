//! The retention rule: the `PurgeEnded` timer under a shifted clock, and by hand.

use super::{mixed_case_email, onboard_with};
use crate::account::invite;
use crate::support::{TestApp, unique};
use serde_json::json;
use time::Duration;

#[tokio::test]
async fn ended_invitations_are_erased_after_the_retention_period_and_the_others_stay() {
    let app = TestApp::spawn_with(Vec::new(), |s| s.retention_days = 30).await;
    let expiring = app
        .invite(json!({"email": mixed_case_email("expiring"), "expiresInDays": 1}))
        .await;
    let revoked = app.invite_email(&mixed_case_email("revoked")).await;
    let revoked_id = revoked["id"].as_str().unwrap();
    let response = app.revoke_raw(revoked_id).await;
    assert_eq!(response.status(), 200);
    let email = mixed_case_email("completed");
    let link_secret = invite(&app, &email).await;
    onboard_with(&app, &link_secret, &email).await;
    let completed = app.list("status=completed").await["items"][0].clone();

    app.clock.advance(Duration::days(31));
    let pending = app.invite_email(&mixed_case_email("pending")).await;
    let recent = app.invite_email(&mixed_case_email("recent")).await;
    app.client
        .delete(app.url(&format!(
            "/api/invitations/{}",
            recent["id"].as_str().unwrap()
        )))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap();
    let counters_before = app.table_rows("Limits").await.len();

    let answer = app.run_timer("PurgeEnded").await;
    assert_eq!(answer["ReturnValue"]["invitations"], 2, "{answer}");
    assert!(answer["ReturnValue"]["counters"].as_u64().unwrap() > 0);
    assert!(
        answer["Logs"][0]
            .as_str()
            .unwrap()
            .starts_with("PurgeEnded: 2 ended")
    );
    assert!(answer["Outputs"].is_object());

    for gone in [&expiring, &revoked] {
        let id = gone["id"].as_str().unwrap();
        assert_eq!(app.get_invitation(id).await.status(), 404);
        let index = app.table_rows("InvitationIndex").await;
        assert!(
            !index.iter().any(|r| r.to_string().contains(id)),
            "no index row of {id} remains"
        );
    }
    for kept in [&completed, &pending, &recent] {
        assert_eq!(
            app.get_invitation(kept["id"].as_str().unwrap())
                .await
                .status(),
            200
        );
    }
    // The counters of a month ago are gone; today's stay.
    let limits = app.table_rows("Limits").await;
    assert!(limits.len() < counters_before);
    assert!(!limits.is_empty(), "today's counters stay");
    let again = app.run_timer("PurgeEnded").await;
    assert_eq!(
        again["ReturnValue"],
        json!({"invitations": 0, "counters": 0})
    );
}

#[tokio::test]
async fn the_retention_can_be_run_by_hand() {
    assert_eq!(
        crate::binary::run_once("purge-ended", &unique("purge")),
        "PurgeEnded: 0 ended invitations erased, 0 finished counters removed"
    );
}
