//! The `SendReminders` timer cut short: its setup (an invitation nobody opened, sent
//! four days ago), its call, and its own rule: the reminder went (twice at most, when a
//! process died between the send and its record, as a resend's retry would) and both
//! the first link and the reminder's open the invitation.

use super::world::World;
use super::{Case, answer, staff};
use crate::support::mailbox::{link_in, sent_to};
use crate::support::{events, stack};
use futures::future::BoxFuture;
use serde_json::Value;

/// Rita's invitation, sent four days ago (`REMINDER_AFTER_DAYS` is 3) and never opened.
pub fn a_reminder_due(world: &mut World) -> BoxFuture<'_, ()> {
    Box::pin(async {
        world.app.clock.advance(time::Duration::days(-4));
        let invitation = world.invite("rita", Value::Null).await;
        world.app.clock.advance(time::Duration::days(4));
        let id = invitation["id"].as_str().unwrap().to_owned();
        let link = invitation["inviteUrl"].as_str().unwrap().to_owned();
        world.values.insert("reminded", id);
        world.values.insert("first link", link);
    })
}

pub fn send_reminders(case: &Case) -> BoxFuture<'_, ()> {
    Box::pin(async {
        answer(staff::timer(case, "SendReminders")).await;
    })
}

/// The rule of a case whose setup made a reminder due.
pub async fn reminded(case: &Case, broken: &mut Vec<String>) {
    let Some(id) = case.world.values.get("reminded") else {
        return;
    };
    let request = reqwest::Client::new()
        .get(case.url(&format!("/api/invitations/{id}")))
        .bearer_auth(case.staff());
    let Some(response) = answer(request).await else {
        broken.push(format!("invitation {id} could not be read"));
        return;
    };
    let read: Value = response.json().await.unwrap_or_default();
    if !events(&read).contains(&"reminded") {
        broken.push(format!("invitation {id} has no `reminded` event: {read}"));
    }
    let reminders: Vec<_> = sent_to(&stack().maildev_url, case.email("rita"))
        .await
        .into_iter()
        .filter(|m| !case.mails_before.contains(&m.id) && m.subject.starts_with("Reminder: "))
        .collect();
    if !(1..=2).contains(&reminders.len()) {
        broken.push(format!("{} reminders of {id} were sent", reminders.len()));
    }
    let links = reminders
        .last()
        .map(link_in)
        .into_iter()
        .chain([case.value("first link").to_owned()]);
    for link in links {
        let opened = case
            .browser("nobody")
            .get(case.rebase(&link))
            .send()
            .await
            .unwrap();
        if opened.status() != 302 {
            broken.push(format!(
                "a link of reminded {id} leads to a {}",
                opened.status()
            ));
        }
    }
}
