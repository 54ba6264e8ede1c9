//! The back office's section of events that did not arrive, and its Redeliver button.

use super::{Receiver, secret};
use crate::support::browser::{csrf_in, location, page as read_page};
use crate::support::staff::{
    api_get, invite_form, spawn_back_office_with, staff_browser, staff_email,
};
use crate::support::unique_email;
use std::time::Duration;

#[tokio::test]
async fn the_back_office_lists_an_event_that_did_not_arrive_and_redelivers_it() {
    let key = secret();
    let receiver = Receiver::new(&[&key], 1000).await;
    let app = spawn_back_office_with(vec![
        ("EVENTS_WEBHOOK_URLS", Some(receiver.url().to_owned())),
        ("EVENTS_WEBHOOK_SECRET", Some(key.clone())),
    ])
    .await;
    let (client, _) = staff_browser(&app, &staff_email(), true).await;
    let office = app.url("/api/Staff?lang=fr");
    let page = read_page(&client, &office).await;
    assert!(page.contains("id=\"no-events\""), "{page}");
    let csrf = csrf_in(&page);
    let sent = client
        .post(app.url("/api/Staff/invite"))
        .form(&invite_form(&csrf, &unique_email("office-events")))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);

    // Once its first attempt was refused, the office shows it, in French.
    let mut id = String::new();
    for _ in 0..100 {
        let list = api_get(&app, "/api/events").await;
        if list["items"][0]["destinations"][0]["attempts"] == 1 {
            id = list["items"][0]["id"].as_str().unwrap().to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!id.is_empty(), "the first attempt was recorded");
    let page = read_page(&client, &office).await;
    assert!(page.contains(&format!("data-event=\"{id}\"")), "{page}");
    assert!(page.contains("invitation.created") && page.contains("HTTP 503"));
    assert!(
        page.contains("1 tentative") && page.contains("Renvoyer"),
        "{page}"
    );
    let redeliver = app.url(&format!("/api/Staff/events/{id}/redeliver"));

    // Without the form's token: refused, nothing tried.
    let forged = client
        .post(&redeliver)
        .form(&[("lang", "fr")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(receiver.received().await.len(), 1);

    // The receiver is back; the button sends it now and comes back to the section.
    receiver.setup(&[&key], 0).await;
    let response = client
        .post(&redeliver)
        .form(&[("csrf", csrf.as_str()), ("lang", "fr")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/api/Staff?lang=fr#events");
    assert_eq!(receiver.events().await[0]["id"], id.as_str());
    let page = read_page(&client, &office).await;
    assert!(page.contains("id=\"no-events\""), "{page}");

    // An unknown event: the back office's not-found page.
    let unknown = client
        .post(app.url("/api/Staff/events/evi-1-0000000000000-00000000/redeliver"))
        .form(&[("csrf", csrf.as_str()), ("lang", "fr")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let said = unknown.text().await.unwrap();
    assert!(
        said.contains("Événement introuvable") && !said.contains("Invitation introuvable"),
        "the page names an event, not an invitation: {said}"
    );
}
