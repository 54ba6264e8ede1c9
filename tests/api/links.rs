//! The email link: what opening it costs in storage calls, links sent before they carried
//! the invitation's id, and the failed-link limit (every link that leads nowhere counts;
//! the client is the last `X-Forwarded-For` entry over all the header's lines, an IPv6
//! client its /64).

use crate::support::browser::browser;
use crate::support::storage_calls::{Call, Kind};
use crate::support::{TestApp, unique_email};
use azure_data_tables::IfMatchCondition;
use base64::Engine as _;
use serde_json::{Value, json};

fn call(kind: Kind, table: &str, partition: &str) -> Call {
    Call {
        kind,
        table: table.into(),
        partition: partition.into(),
    }
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Opens `link` from `client` (`X-Forwarded-For` lines as given) and returns the status.
async fn open(link: &str, forwarded_for: &[&str]) -> u16 {
    let mut request = browser().get(link);
    for line in forwarded_for {
        request = request.header("x-forwarded-for", *line);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn opening_a_link_reads_one_row_and_writes_only_the_first_opening() {
    let (app, calls) = TestApp::spawn_counted(vec![]).await;
    let created = app.invite_email(&unique_email("onecall")).await;
    let id = created["id"].as_str().unwrap();
    let link = created["inviteUrl"].as_str().unwrap();
    calls.take();
    let bucket = &id[..5];

    assert_eq!(open(link, &[]).await, 302);
    assert_eq!(
        calls.take(),
        [
            call(Kind::Read, "Invitations", bucket),
            call(Kind::Batch, "Invitations", bucket)
        ],
        "the first opening: the invitation's row, then the `opened` record with its \
         sales figures (their row known from the create, so not read again)"
    );
    for _ in 0..2 {
        assert_eq!(open(link, &[]).await, 302);
        assert_eq!(
            calls.take(),
            [call(Kind::Read, "Invitations", bucket)],
            "a later opening: one read, no counter, no index"
        );
    }
}

/// Turns a just-created invitation into one sent before links carried the id: its link
/// is a bare 43-character secret found through a `link-{hash}` index row.
async fn make_it_an_old_link(app: &TestApp, id: &str) -> String {
    let secret =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = sha256_hex(&secret);
    let row = app
        .table("Invitations")
        .partition_key_client(&id[..5])
        .entity_client(id)
        .get::<Value>()
        .await
        .unwrap()
        .entity;
    let mut row = row.as_object().unwrap().clone();
    row.retain(|k, _| !k.starts_with("odata."));
    row.insert("LinkHash".into(), json!(hash));
    app.table("Invitations")
        .partition_key_client(&id[..5])
        .entity_client(id)
        .update(&row, IfMatchCondition::Any)
        .unwrap()
        .await
        .unwrap();
    let pointer = json!({
        "PartitionKey": format!("link-{hash}"), "RowKey": "link", "InvitationId": id,
        "WrittenAt": "2026-11-01T10:00:00.000Z", "WrittenAt@odata.type": "Edm.DateTime"
    });
    app.table("InvitationIndex")
        .insert::<&Value, Value>(&pointer)
        .unwrap()
        .return_entity(false)
        .await
        .unwrap();
    format!("{}/api/InviteUser?invitationId={secret}", app.address)
}

#[tokio::test]
async fn links_sent_before_they_carried_the_id_keep_working_until_they_expire() {
    let (app, calls) = TestApp::spawn_counted(vec![]).await;
    let created = app.invite_email(&unique_email("oldlink")).await;
    let id = created["id"].as_str().unwrap();
    let old = make_it_an_old_link(&app, id).await;
    calls.take();

    assert_eq!(open(&old, &[]).await, 302, "the old link still signs in");
    let made = calls.take();
    assert_eq!(
        made.iter()
            .map(|c| (c.kind, c.table.as_str()))
            .collect::<Vec<_>>(),
        [
            (Kind::Read, "InvitationIndex"),
            (Kind::Read, "Invitations"),
            (Kind::Batch, "Invitations")
        ],
        "read the old way: the link row, then the invitation"
    );
    assert_eq!(app.invitation(id).await["history"][2]["event"], "opened");

    // A resend replaces it: the old link then says so.
    let resent = app.resend_raw(id).await;
    assert_eq!(resent.status(), 200);
    let page = browser().get(&old).send().await.unwrap();
    assert_eq!(page.status(), 410);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("A newer invitation was sent to you")
    );

    // And once expired, it says that.
    app.clock.advance(time::Duration::days(8));
    let other = app.invite_email(&unique_email("oldlink2")).await;
    let other_id = other["id"].as_str().unwrap();
    let old = make_it_an_old_link(&app, other_id).await;
    app.clock.advance(time::Duration::days(8));
    assert_eq!(open(&old, &[]).await, 410, "an expired old link has ended");
}

#[tokio::test]
async fn a_replaced_link_that_carries_the_id_says_a_newer_email_was_sent() {
    let (app, calls) = TestApp::spawn_counted(vec![]).await;
    let created = app.invite_email(&unique_email("replaced")).await;
    let id = created["id"].as_str().unwrap();
    let first = created["inviteUrl"].as_str().unwrap().to_owned();
    let resent: Value = app.resend_raw(id).await.json().await.unwrap();
    assert_ne!(resent["inviteUrl"], first.as_str());
    calls.take();
    let page = browser().get(&first).send().await.unwrap();
    assert_eq!(page.status(), 410);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("A newer invitation was sent to you")
    );
    assert_eq!(
        calls.take(),
        [call(Kind::Read, "Invitations", &id[..5])],
        "told from the invitation's own row"
    );
}

#[tokio::test]
async fn every_link_that_leads_nowhere_counts_against_the_client() {
    let app = TestApp::spawn_with(
        vec![("LIMIT_FAILED_LINKS_PER_HOUR", Some("3".into()))],
        |_| {},
    )
    .await;
    let created = app.invite_email(&unique_email("nowhere")).await;
    let id = created["id"].as_str().unwrap();
    let real = created["inviteUrl"].as_str().unwrap().to_owned();
    let secret = |n: u8| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([n; 32]);
    // Well formed, all three: an old-style secret, the real id with a wrong secret, an
    // id that does not exist.
    let guesses = [
        secret(1),
        format!("{id}.{}", secret(2)),
        format!("9000000000000000000000000.{}", secret(3)),
    ];
    let ip = "203.0.113.70";
    for guess in &guesses {
        let url = app.url(&format!("/api/InviteUser?invitationId={guess}"));
        assert_eq!(open(&url, &[ip]).await, 404, "{guess}");
    }
    let url = app.url(&format!("/api/InviteUser?invitationId={}", secret(4)));
    assert_eq!(open(&url, &[ip]).await, 429, "the fourth guess is refused");
    assert_eq!(
        open(&real, &["198.51.100.2"]).await,
        302,
        "other clients are not affected"
    );
}

#[tokio::test]
async fn the_client_is_the_last_forwarded_entry_across_all_header_lines() {
    let app = TestApp::spawn_with(
        vec![("LIMIT_FAILED_LINKS_PER_HOUR", Some("2".into()))],
        |_| {},
    )
    .await;
    let guess = app.url("/api/InviteUser?invitationId=guess");
    for _ in 0..2 {
        assert_eq!(open(&guess, &["203.0.113.80"]).await, 404);
    }
    // The client writes a first line of its own; the front end appends another.
    assert_eq!(
        open(&guess, &["198.51.100.99", "203.0.113.80:50312"]).await,
        429,
        "the front end's line names the client"
    );
    assert_eq!(open(&guess, &["203.0.113.80", "198.51.100.98"]).await, 404);
}

#[tokio::test]
async fn an_ipv6_client_is_limited_by_its_64() {
    let app = TestApp::spawn_with(
        vec![("LIMIT_FAILED_LINKS_PER_HOUR", Some("2".into()))],
        |_| {},
    )
    .await;
    let guess = app.url("/api/InviteUser?invitationId=guess");
    assert_eq!(open(&guess, &["2001:db8:1:2::a"]).await, 404);
    assert_eq!(open(&guess, &["[2001:db8:1:2:ffff::b]:443"]).await, 404);
    assert_eq!(
        open(&guess, &["2001:db8:1:2:1234:5678:9abc:def0"]).await,
        429,
        "another address of the same /64 is the same client"
    );
    assert_eq!(
        open(&guess, &["2001:db8:1:3::a"]).await,
        404,
        "the next /64 is not"
    );
}
