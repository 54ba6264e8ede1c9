//! The back office's funnel above the list: the last 30 days for the signed-in sales
//! person and for everyone, as an SVG hidden from screen readers beside a table of the
//! numbers, in every language; and what needs a nudge, with its resend button.

use crate::support::browser::{csrf_in, page as read_page};
use crate::support::staff::{
    api_token, invite_form, spawn_back_office, staff_browser, staff_email,
};
use crate::support::{TestApp, mailbox, stack, unique_email};
use serde_json::{Value, json};
use time::Duration;

/// The funnel section of the back office, read by `me` in `lang`.
async fn funnel(app: &TestApp, me: &str, lang: &str) -> String {
    let (client, _) = staff_browser(app, me, true).await;
    let page = read_page(&client, &app.url(&format!("/api/Staff?lang={lang}"))).await;
    let start = page.find("id=\"funnel\"").expect("a funnel");
    let end = page[start..].find("</section>").unwrap() + start;
    page[start..end].to_owned()
}

/// The texts of the funnel table's cells, row by row.
fn table(section: &str) -> Vec<Vec<String>> {
    let body = &section[section.find("<tbody>").unwrap()..section.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split(['<', '>'])
                .enumerate()
                .filter(|(n, text)| n % 2 == 0 && !text.trim().is_empty())
                .map(|(_, text)| text.trim().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_funnel_shows_the_last_30_days_for_me_and_everyone_in_every_language() {
    let app = spawn_back_office().await;
    let me = staff_email();
    let (client, _) = staff_browser(&app, &me, true).await;
    let (opened, unopened) = (unique_email("funnel-a"), unique_email("funnel-b"));
    for customer in [&opened, &unopened] {
        let page = read_page(&client, &app.url("/api/Staff?lang=en")).await;
        let response = client
            .post(app.url("/api/Staff/invite"))
            .form(&invite_form(&csrf_in(&page), customer))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
    }
    let mails = mailbox::wait_for(&stack().maildev_url, &opened, 1).await;
    let link = mailbox::link_in(&mails[0]);
    assert_eq!(
        crate::support::browser::browser()
            .get(&link)
            .send()
            .await
            .unwrap()
            .status(),
        302
    );
    let others: Vec<Value> = (0..2)
        .map(|n| json!({"email": unique_email(&format!("funnel{n}."))}))
        .collect();
    let bulk = app
        .client
        .post(app.url("/api/invitations/bulk"))
        .bearer_auth(api_token().await)
        .json(&others)
        .send()
        .await
        .unwrap();
    assert_eq!(bulk.status(), 200);

    let section = funnel(&app, &me, "en").await;
    assert_eq!(
        table(&section),
        [
            ["Sent", "2 (100 %)", "4 (100 %)"],
            ["Opened", "1 (50 %)", "1 (25 %)"],
            ["Signed in", "0 (0 %)", "0 (0 %)"],
            ["Company created", "0 (0 %)", "0 (0 %)"],
        ]
    );
    assert!(section.contains("<caption>"), "a table with a caption");
    let svg = &section[section.find("<svg").unwrap()..section.find("</svg>").unwrap()];
    assert!(
        svg.contains("aria-hidden=\"true\"") && !svg.contains("style="),
        "{svg}"
    );
    let widths: Vec<&str> = svg
        .split("width=\"")
        .skip(2)
        .map(|w| w.split('"').next().unwrap())
        .collect();
    assert_eq!(
        widths,
        ["240", "240", "120", "60", "0", "0", "0", "0"],
        "{svg}"
    );
    for (lang, heading, sent) in [
        ("fr", "Les 30 derniers jours", "Envoyées"),
        ("de", "Die letzten 30 Tage", "Gesendet"),
        ("it", "Gli ultimi 30 giorni", "Inviati"),
        ("nl", "De laatste 30 dagen", "Verstuurd"),
    ] {
        let section = funnel(&app, &me, lang).await;
        assert!(section.contains(heading), "{lang}: {section}");
        assert_eq!(
            table(&section)[0],
            [sent, "2 (100 %)", "4 (100 %)"],
            "{lang}"
        );
    }

    // Four days on, the unopened one needs a nudge; eleven days on, both expired.
    app.clock.advance(Duration::days(4));
    let section = funnel(&app, &me, "en").await;
    let nudges = &section[section.find("id=\"nudge-unopened\"").expect("a nudge")..];
    let nudges = &nudges[..nudges.find("</ul>").unwrap()];
    assert!(
        nudges.contains(&unopened) && !nudges.contains(&opened),
        "{nudges}"
    );
    assert!(nudges.contains("/resend?lang=en"), "with its resend button");
    app.clock.advance(Duration::days(7));
    let section = funnel(&app, &me, "en").await;
    let expired = &section[section.find("id=\"nudge-expired\"").expect("expired ones")..];
    assert!(
        expired.contains(&opened) && expired.contains(&unopened),
        "{expired}"
    );
}
