//! The `SendReminders` timer (issue #29): one reminder for a pending invitation nobody
//! opened `REMINDER_AFTER_DAYS` after its email was sent, in its language, with a second
//! link beside the first; never twice, never after opening, revoke or expiry; counted in
//! the address's daily limit.

use crate::capacity::check;
use crate::organisations::onboard;
use crate::support::browser::{browser, csrf_in, page, post_form};
use crate::support::mailbox::{self, Mail};
use crate::support::storage_calls::Kind;
use crate::support::{TestApp, events, stack, unique_email};
use serde_json::{Value, json};
use time::Duration;

async fn mails(email: &str) -> Vec<Mail> {
    mailbox::all_to(&stack().maildev_url, email).await
}

/// Waits for the `count`-th email to `email` and returns them all.
async fn arrived(email: &str, count: usize) -> Vec<Mail> {
    let mails = mailbox::wait_for(&stack().maildev_url, email, count).await;
    assert_eq!(mails.len(), count, "{count} emails to {email}");
    mails
}

async fn remind(app: &TestApp) -> Value {
    app.run_timer("SendReminders").await["ReturnValue"].clone()
}

/// What opening `link` answers: 302 to the sign-in while the invitation is usable.
async fn open(link: &str) -> u16 {
    browser().get(link).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn one_reminder_after_the_days_in_the_invitations_language_and_both_links_open_it() {
    let app = TestApp::spawn_with(Vec::new(), |s| s.reminder_after_days = 3).await;
    let (french, german) = (unique_email("rappel"), unique_email("erinnerung"));
    let first = app
        .invite(json!({"email": french, "displayName": "Willy URS", "locale": "fr"}))
        .await;
    app.invite(json!({"email": german, "locale": "de"})).await;
    arrived(&french, 1).await;
    arrived(&german, 1).await;

    app.clock.advance(Duration::days(2));
    assert_eq!(
        remind(&app).await,
        json!({"sent": 0, "limited": 0, "failed": 0})
    );
    app.clock.advance(Duration::days(1));
    let answer = app.run_timer("SendReminders").await;
    assert_eq!(answer["ReturnValue"]["sent"], 2, "{answer}");
    assert_eq!(
        answer["Logs"][0],
        "SendReminders: 2 sent, 0 over the address's daily limit, 0 not sent"
    );

    let reminder = arrived(&french, 2).await.pop().unwrap();
    assert_eq!(
        reminder.subject,
        "Rappel : Tamer Mohamed-Nour vous attend sur GFMS Customer Portal"
    );
    assert!(
        reminder.text.starts_with(
            "Un rappel : Tamer Mohamed-Nour vous attend toujours. Votre invitation n'a pas encore été ouverte.\n\nBonjour Willy URS,"
        ),
        "{}",
        reminder.text
    );
    let german_reminder = arrived(&german, 2).await.pop().unwrap();
    assert_eq!(
        german_reminder.subject,
        "Erinnerung: Tamer Mohamed-Nour wartet auf Sie bei GFMS Customer Portal"
    );
    assert!(
        german_reminder
            .text
            .starts_with("Eine Erinnerung: Tamer Mohamed-Nour wartet noch auf Sie."),
        "{}",
        german_reminder.text
    );

    // Not twice: the timer runs again, that day and later.
    assert_eq!(remind(&app).await["sent"], 0);
    app.clock.advance(Duration::days(1));
    assert_eq!(remind(&app).await["sent"], 0);
    assert_eq!(mails(&french).await.len(), 2);

    // The reminder's link opens the invitation, and the first one still does.
    let second = mailbox::link_in(&reminder);
    let first_link = first["inviteUrl"].as_str().unwrap();
    assert_ne!(second, first_link);
    assert_eq!(open(&second).await, 302);
    assert_eq!(open(first_link).await, 302);
    let read = app.invitation(first["id"].as_str().unwrap()).await;
    assert_eq!(read["status"], "pending");
    assert_eq!(
        events(&read),
        ["created", "emailSent", "reminded", "opened"],
        "{read}"
    );
    assert_eq!(read["history"][2]["actor"], "system");
    assert_eq!(
        read["expiresAt"], first["expiresAt"],
        "a reminder does not restart the expiry"
    );

    // A resend replaces both links: each then says a newer email was sent.
    let id = first["id"].as_str().unwrap();
    let response = app.resend_raw(id).await;
    assert_eq!(response.status(), 200);
    for old in [second.as_str(), first_link] {
        let page = browser().get(old).send().await.unwrap();
        assert_eq!(page.status(), 410, "{old}");
        let text = page.text().await.unwrap();
        assert!(
            text.contains("Une invitation plus récente vous a été envoyée"),
            "in the invitation's language: {text}"
        );
    }
}

#[tokio::test]
async fn no_reminder_once_opened_revoked_or_expired_and_none_when_turned_off() {
    let app = TestApp::spawn_with(Vec::new(), |s| s.reminder_after_days = 3).await;
    let opened = unique_email("opened");
    let link = app.invite_email(&opened).await["inviteUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(open(&link).await, 302);
    let revoked = unique_email("revoked");
    let id = app.invite_email(&revoked).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app.revoke_raw(&id).await;
    assert_eq!(response.status(), 200);
    let expired = unique_email("expired");
    app.invite(json!({"email": expired, "expiresInDays": 2}))
        .await;
    let waiting = unique_email("waiting");
    app.invite_email(&waiting).await;

    app.clock.advance(Duration::days(3));
    assert_eq!(remind(&app).await["sent"], 1, "only the one still waiting");
    arrived(&waiting, 2).await;
    for email in [&opened, &revoked, &expired] {
        assert_eq!(mails(email).await.len(), 1, "{email} got no reminder");
    }

    let off = TestApp::spawn_with(Vec::new(), |s| s.reminder_after_days = 0).await;
    let unopened = unique_email("off");
    off.invite_email(&unopened).await;
    off.clock.advance(Duration::days(10));
    assert_eq!(
        remind(&off).await,
        json!({"sent": 0, "limited": 0, "failed": 0})
    );
    assert_eq!(mails(&unopened).await.len(), 1);
}

#[tokio::test]
async fn a_colleague_is_reminded_and_the_address_daily_limit_holds_a_reminder_a_day() {
    let app = TestApp::spawn_with(Vec::new(), |s| {
        s.reminder_after_days = 3;
        s.limits.emails_per_address_per_day = 1;
    })
    .await;
    let (_, company_id) = onboard(&app, &unique_email("anne"), "URS Machining SA").await;
    let person = unique_email("twice");
    let own = app.invite_email(&person).await;
    app.clock.advance(Duration::days(1));
    let colleague = app
        .invite(json!({"email": person, "companyId": company_id, "role": "member"}))
        .await;
    arrived(&person, 2).await;

    // Both due; the address takes one email a day: the newest goes, the other waits.
    app.clock.advance(Duration::days(3));
    assert_eq!(
        remind(&app).await,
        json!({"sent": 1, "limited": 1, "failed": 0})
    );
    let reminder = arrived(&person, 3).await.pop().unwrap();
    assert_eq!(
        reminder.subject, "Reminder: URS Machining SA is waiting for you on GFMS Customer Portal",
        "a colleague's reminder names the company"
    );
    let colleague = app.invitation(colleague["id"].as_str().unwrap()).await;
    assert_eq!(events(&colleague).last(), Some(&"reminded"));
    assert!(!events(&app.invitation(own["id"].as_str().unwrap()).await).contains(&"reminded"));

    app.clock.advance(Duration::days(1));
    assert_eq!(
        remind(&app).await,
        json!({"sent": 1, "limited": 0, "failed": 0})
    );
    let reminder = arrived(&person, 4).await.pop().unwrap();
    assert_eq!(
        reminder.subject,
        "Reminder: Tamer Mohamed-Nour is waiting for you on GFMS Customer Portal"
    );
    assert_eq!(remind(&app).await["sent"], 0);
}

#[tokio::test]
async fn a_run_costs_one_query_and_six_calls_at_most_per_reminder() {
    let (app, calls) = TestApp::spawn_counted(vec![]).await;
    let email = unique_email("counted");
    app.invite_email(&email).await;
    app.clock.advance(Duration::days(3));
    calls.take();
    assert_eq!(remind(&app).await["sent"], 1);
    let run = calls.take();
    // 1 query, then per due invitation: its row, the address's counter read and written,
    // the claim and the record (each with its figures row, one transaction), and the
    // figures row's read when this instance did not write it last.
    check("SendReminders, one reminder due", &run, 7);
    assert_eq!(run.iter().filter(|c| c.kind == Kind::Query).count(), 1);
    assert_eq!(remind(&app).await["sent"], 0);
    check("SendReminders, nothing due", &calls.take(), 1);
}

#[tokio::test]
async fn a_colleague_an_administrator_invited_from_the_company_page_is_reminded_in_dutch() {
    let app = TestApp::spawn_with(Vec::new(), |s| s.reminder_after_days = 2).await;
    let (anne, company) = onboard(&app, &unique_email("anne"), "Page Works SA").await;
    let company_page = app.url(&format!("/api/Companies/{company}"));
    let csrf = csrf_in(&page(&anne, &company_page).await);
    let bert = unique_email("bert");
    let form = [
        ("email", bert.clone()),
        ("role", "member".to_owned()),
        ("locale", "nl".to_owned()),
        ("csrf", csrf),
    ];
    let sent = post_form(&anne, &format!("{company_page}/invitations"), &form).await;
    assert_eq!(sent.status(), 303);
    arrived(&bert, 1).await;

    app.clock.advance(Duration::days(2));
    assert_eq!(remind(&app).await["sent"], 1);
    let reminder = arrived(&bert, 2).await.pop().unwrap();
    assert_eq!(
        reminder.subject,
        "Herinnering: Page Works SA wacht op u bij GFMS Customer Portal"
    );
    assert!(
        reminder
            .text
            .starts_with("Een herinnering: Page Works SA wacht nog op u."),
        "{}",
        reminder.text
    );
    assert_eq!(open(&mailbox::link_in(&reminder)).await, 302);
}

#[test]
fn the_reminders_can_be_sent_by_hand() {
    assert_eq!(
        crate::binary::run_once("send-reminders", &crate::support::unique("remind")),
        "SendReminders: 0 sent, 0 over the address's daily limit, 0 not sent"
    );
}

#[tokio::test]
async fn two_runs_at_once_send_one_reminder() {
    let app = TestApp::spawn_with(Vec::new(), |s| s.reminder_after_days = 3).await;
    let emails: Vec<String> = (0..4).map(|i| unique_email(&format!("race{i}"))).collect();
    for email in &emails {
        app.invite_email(email).await;
    }
    app.clock.advance(Duration::days(3));
    let (one, other) = futures::join!(remind(&app), remind(&app));
    let sent = one["sent"].as_u64().unwrap() + other["sent"].as_u64().unwrap();
    assert_eq!(sent, 4, "{one} {other}");
    for email in &emails {
        let read = app.list(&format!("email={email}")).await["items"][0]["id"].clone();
        let history = app.invitation(read.as_str().unwrap()).await;
        let reminded = events(&history)
            .iter()
            .filter(|e| **e == "reminded")
            .count();
        assert_eq!(reminded, 1, "{history}");
        assert_eq!(arrived(email, 2).await.len(), 2, "one reminder to {email}");
    }
}
