//! `GET /api/invitations/stats`: the figures of a played scenario, exact per step, per
//! inviter and per send day (the clock moved across midnight).

use crate::account::onboard_with_link;
use crate::support::browser::{browser, location, sign_in_at_b2c};
use crate::support::{TestApp, problem, unique_email};
use invitations::clock::Clock as _;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, Time};

const SOFIA: &str = "sofia@gfms.example";

/// The counts of an answer, in the order sent, opened, accepted, completed, revoked,
/// expired.
fn counts(figures: &Value) -> [u64; 6] {
    [
        "sent",
        "opened",
        "accepted",
        "completed",
        "revoked",
        "expired",
    ]
    .map(|step| {
        figures[step]
            .as_u64()
            .unwrap_or_else(|| panic!("{step}: {figures}"))
    })
}

fn at(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().unwrap(), &Rfc3339).unwrap()
}

/// Hours from sent to completed, as the history of the invitation `id` says.
async fn hours_to_complete(app: &TestApp, id: &str) -> f64 {
    let invitation = app.invitation(id).await;
    let completed = invitation["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["event"] == "completed")
        .unwrap();
    (at(&completed["at"]) - at(&invitation["createdAt"])).as_seconds_f64() / 3600.0
}

fn rounded(hours: f64) -> f64 {
    (hours * 100.0).round() / 100.0
}

fn query_of(from: OffsetDateTime, to: OffsetDateTime) -> String {
    let text = |t: OffsetDateTime| t.format(&Rfc3339).unwrap().replace('+', "%2B");
    format!("from={}&to={}", text(from), text(to))
}

/// Opens `link`, signs in as `email` and comes back: accepted, no company yet.
async fn accept(link: &str, email: &str) {
    let client = browser();
    let response = client.get(link).send().await.unwrap();
    let callback = sign_in_at_b2c(&client, &location(&response), email, "local").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn the_figures_count_each_step_of_the_invitations_sent_per_day_and_per_inviter() {
    let app = TestApp::spawn().await;
    // Day one starts at 01:00 (UTC), so its invitations share it whenever the test runs.
    let now = app.clock.now();
    let day_one = (now.date() + Duration::days(1)).midnight().assume_utc();
    app.clock.advance(day_one + Duration::hours(1) - now);

    let invite = |name: &str| {
        let email = unique_email(name);
        let app = &app;
        async move {
            let created = app.invite(json!({"email": email})).await;
            (email, created)
        }
    };
    let (a, completed) = invite("stats-a").await;
    let (_, opened) = invite("stats-b").await;
    let (_, revoked) = invite("stats-c").await;
    let (_, _left) = invite("stats-d").await;
    let e = unique_email("stats-e");
    let by_sofia = app
        .invite_with_token(
            &app.idp
                .token_with(|c| c["preferred_username"] = json!(SOFIA)),
            &json!({"email": e}),
        )
        .await;
    assert_eq!(by_sofia.status(), 201);
    let by_sofia: Value = by_sofia.json().await.unwrap();

    let link = |created: &Value| created["inviteUrl"].as_str().unwrap().to_owned();
    assert_eq!(
        browser().get(link(&opened)).send().await.unwrap().status(),
        302
    );
    accept(&link(&by_sofia), &e).await;
    let revoke = app
        .client
        .delete(app.url(&format!(
            "/api/invitations/{}",
            revoked["id"].as_str().unwrap()
        )))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    // Three hours later, `a` creates the company.
    app.clock.advance(Duration::hours(3));
    onboard_with_link(&app, &link(&completed), &a, "local").await;
    let hours_a = hours_to_complete(&app, completed["id"].as_str().unwrap()).await;
    assert!(hours_a >= 3.0, "{hours_a}");

    // Day two: `f` is invited and completes at once.
    app.clock.advance(Duration::hours(21));
    let (f, second_day) = invite("stats-f").await;
    onboard_with_link(&app, &link(&second_day), &f, "local").await;
    let hours_f = hours_to_complete(&app, second_day["id"].as_str().unwrap()).await;

    let day_two = day_one + Duration::days(1);
    let one_day = query_of(day_one, day_two);
    let first = app.stats(&one_day).await;
    assert_eq!(counts(&first), [5, 3, 2, 1, 1, 0], "{first}");
    assert_eq!((at(&first["from"]), at(&first["to"])), (day_one, day_two));
    assert_eq!(first["medianHoursToComplete"], json!(rounded(hours_a)));
    let tamer = app
        .stats(&format!("{one_day}&invitedBy=Tamer%40GFMS.example"))
        .await;
    assert_eq!(counts(&tamer), [4, 2, 1, 1, 1, 0], "{tamer}");
    let sofia = app.stats(&format!("{one_day}&invitedBy={SOFIA}")).await;
    assert_eq!(counts(&sofia), [1, 1, 1, 0, 0, 0], "{sofia}");
    assert_eq!(sofia["medianHoursToComplete"], Value::Null);
    let second = app
        .stats(&query_of(day_two, day_two + Duration::days(1)))
        .await;
    assert_eq!(counts(&second), [1, 1, 1, 1, 0, 0], "{second}");

    // A week later the two pending ones have expired; the accepted one has not.
    app.clock.advance(Duration::days(8));
    let both = app
        .stats(&query_of(day_one, day_two + Duration::days(1)))
        .await;
    assert_eq!(counts(&both), [6, 4, 3, 2, 1, 2], "{both}");
    assert_eq!(
        both["medianHoursToComplete"],
        json!(rounded((hours_a + hours_f) / 2.0))
    );
    // Times inside a day count its whole day; the default is the last 30 days.
    let inside = day_one.to_offset(time::macros::offset!(+2)) + Duration::hours(12);
    let rounded_days = app
        .stats(&query_of(inside, day_two + Duration::minutes(1)))
        .await;
    assert_eq!(counts(&rounded_days), counts(&both));
    assert_eq!(at(&rounded_days["to"]), day_two + Duration::days(1));
    let default = app.stats("").await;
    assert_eq!(counts(&default), counts(&both));
    let today = app.clock.now().date().next_day().unwrap();
    assert_eq!(
        at(&default["to"]),
        today.with_time(Time::MIDNIGHT).assume_utc()
    );
}

#[tokio::test]
async fn a_bad_period_or_inviter_is_a_problem_naming_the_field() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("from=yesterday", "from"),
        ("to=2026-13-01T00:00:00Z", "to"),
        ("invitedBy=not-an-address", "invitedBy"),
        ("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from"),
        ("from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
    ] {
        let answer = problem(app.stats_raw(query).await, 400).await;
        assert!(answer["errors"][field].is_string(), "{query}: {answer}");
    }
    let anonymous = app
        .client
        .get(app.url("/api/invitations/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// An invitation whose row was written before the figures were kept (no `InFigures`)
/// is in no figures, and its changes leave them alone.
#[tokio::test]
async fn an_invitation_from_before_the_figures_changes_nothing_in_them() {
    let app = TestApp::spawn().await;
    let counted = app.invite(json!({"email": unique_email("counted")})).await;
    let id = counted["id"].as_str().unwrap();
    let mut legacy = app
        .invitation_rows()
        .await
        .into_iter()
        .find(|r| r["RowKey"] == id)
        .unwrap();
    let old_id = invitations::domain::ids::InvitationId::new(app.clock.now(), 7);
    let row = legacy.as_object_mut().unwrap();
    row.retain(|k, _| !k.starts_with("odata.") && k != "Timestamp" && k != "InFigures");
    row.insert("RowKey".into(), json!(old_id.as_str()));
    row.insert("PartitionKey".into(), json!(old_id.bucket()));
    row.insert("Email".into(), json!(unique_email("legacy")));
    app.table("Invitations")
        .insert::<&Value, Value>(&legacy)
        .unwrap()
        .return_entity(false)
        .await
        .unwrap();
    let before = app.stats("").await;
    assert_eq!(counts(&before), [1, 0, 0, 0, 0, 0], "{before}");
    let revoke = app
        .client
        .delete(app.url(&format!("/api/invitations/{}", old_id.as_str())))
        .bearer_auth(app.idp.token())
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    assert_eq!(counts(&app.stats("").await), [1, 0, 0, 0, 0, 0]);
}
