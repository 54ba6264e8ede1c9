//! SMTP down: nothing is lost; the email is sent once the server is back.

use crate::support::{TestApp, events, mailbox, stack, unique_email};
use time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// A port where, for now, nothing listens.
async fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// "The SMTP server comes back": forwards `port` to the real SMTP catcher.
async fn bring_smtp_back_on(port: u16) {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let target = stack().smtp_port;
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
}

#[tokio::test]
async fn an_email_that_cannot_be_sent_is_queued_and_sent_once_smtp_is_back() {
    let port = free_port().await;
    let app = TestApp::spawn_with(
        vec![("SMTP_URL", Some(format!("smtp://127.0.0.1:{port}")))],
        |_| {},
    )
    .await;
    let email = unique_email("queued");
    let created = app.invite_email(&email).await;
    assert_eq!(
        created["emailDelivery"], "queued",
        "the invitation is created although mail is down"
    );
    let id = created["id"].as_str().unwrap();
    let first_link = created["inviteUrl"].as_str().unwrap().to_owned();

    // Not due yet: the first retry waits a minute.
    assert_eq!(app.retry_deliveries().await["ReturnValue"]["waiting"], 1);

    app.clock.advance(Duration::minutes(2));
    // Still down: queued again, with a longer wait.
    let report = app.retry_deliveries().await;
    assert_eq!(report["ReturnValue"]["requeued"], 1);
    assert_eq!(app.invitation(id).await["emailDelivery"], "queued");

    bring_smtp_back_on(port).await;
    app.clock.advance(Duration::minutes(6));
    let report = app.retry_deliveries().await;
    assert_eq!(report["ReturnValue"]["sent"], 1, "{report}");

    let mails = mailbox::wait_for(&stack().maildev_url, &email, 1).await;
    assert_eq!(mails.len(), 1);
    let link = mailbox::link_in(&mails[0]);
    assert_ne!(
        link, first_link,
        "the retried email carries a fresh link (only hashes are kept)"
    );
    let read = app.invitation(id).await;
    assert_eq!(read["emailDelivery"], "sent");
    assert_eq!(
        events(&read),
        ["created", "emailFailed", "emailFailed", "emailSent"]
    );

    // Sent once: further passes send nothing more.
    app.clock.advance(Duration::hours(1));
    assert_eq!(app.retry_deliveries().await["ReturnValue"]["sent"], 0);
    assert_eq!(mailbox::all_to(&stack().maildev_url, &email).await.len(), 1);
}

#[tokio::test]
async fn an_email_that_keeps_failing_is_given_up_as_failed() {
    let port = free_port().await;
    let app = TestApp::spawn_with(
        vec![("SMTP_URL", Some(format!("smtp://127.0.0.1:{port}")))],
        |_| {},
    )
    .await;
    let created = app.invite_email(&unique_email("failing")).await;
    let id = created["id"].as_str().unwrap();
    for _ in 0..10 {
        app.clock.advance(Duration::hours(4));
        app.retry_deliveries().await;
    }
    let read = app.invitation(id).await;
    assert_eq!(read["emailDelivery"], "failed");
    let failures = read["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["event"] == "emailFailed")
        .count();
    assert_eq!(failures, 6, "bounded: six attempts in all");
}
