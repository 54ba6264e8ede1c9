//! Events for the product's other systems: an outbox (`storage::events`), delivery right
//! after the request and by the `DeliverEvents` timer, and the staff's view.
//!
//! An event's row is written *before* its change (one insert: the one storage call an
//! operation adds), unconfirmed. The change is then stored as it always was, and the
//! dispatcher looks for it before the first attempt ([`stored`]): an invitation's history
//! entry of that kind at that time, a company's membership history entry, the company
//! with its invitation completed. Found: the event is confirmed and delivered (at least
//! once: a process that dies right after the change leaves the row to the timer). Not
//! found after [`CONFIRM_GRACE`]: the change never happened and the row goes, so no event
//! is ever sent for a change that was not stored.

use super::Services;
pub use super::event_data::{
    EventViews, RosterNotice, about_company, about_invitation, invitation_event, member_gone,
    not_yet, of_change, of_roster_change, scrub,
};
use super::event_data::{queued, random_u32};
use crate::domain::account::CompanyId;
use crate::domain::event::{Event, EventId, EventType, Home, Standing};
use crate::domain::invitation::{self, Invitation, InvitationId};
use crate::domain::membership::{Member, MemberEvent, MemberHistoryEntry, Roster};
use crate::storage::{QueuedEvent, StoreError, Versioned};
use serde::Serialize;
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// How long an unconfirmed event waits for its change before it is dropped: far longer
/// than any request takes, and than the email retry needs to write a created
/// invitation's row from its queue row.
const CONFIRM_GRACE: Duration = Duration::minutes(15);

/// Delivered events are kept this long (for redelivery), then purged by the timer.
const KEEP_DELIVERED: Duration = Duration::days(7);

/// At most this many attempts run at once (across destinations and subjects).
const PARALLEL: usize = 16;

/// Writes the rows of events about to be stored with their change: one call, in one
/// queue partition. Nothing without a destination: no event is kept for nobody.
pub async fn announce(services: &Services, events: &mut [QueuedEvent]) -> Result<(), StoreError> {
    if services.destinations.is_empty() {
        return Ok(());
    }
    if let Some(spread) = events.first().map(|e| e.event.id.spread()) {
        for queued in events.iter_mut() {
            queued.event.id = queued.event.id.spread_as(spread);
        }
    }
    services.events.enqueue(events).await
}

/// Takes back the event of a change that was refused (best effort: the dispatcher drops
/// it anyway once its grace is over).
pub async fn withdraw(services: &Services, queued: &QueuedEvent) {
    if services.destinations.is_empty() {
        return;
    }
    if let Err(e) = services.events.remove(&queued.event.id).await {
        tracing::info!(event = %queued.event.id, error = %e, "event of a refused change left to the dispatcher");
    }
}

/// Delivers `events` now, in a task of its own: the request never waits for it, and a
/// destination that is down changes nothing for it (the timer tries again).
pub fn deliver_soon(services: &Services, events: Vec<EventId>) {
    let destinations = &services.destinations;
    if events.is_empty() || destinations.is_empty() || !destinations.right_away() {
        return;
    }
    let services = services.clone();
    tokio::spawn(async move {
        for id in events {
            if let Err(e) = deliver_one(&services, &id, false).await {
                tracing::info!(event = %id, error = %e, "event left for the timer");
            }
        }
    });
}

/// Announces a colleague's join: `member.joined` and `invitation.completed` (if the
/// invitation can complete) in one call; the roster's events first, the invitation's
/// second.
pub async fn announce_join(
    services: &Services,
    company: &CompanyId,
    member: &Member,
    joined: &MemberHistoryEntry,
    invitation: &Invitation,
    login: &crate::domain::invitation::LoginId,
) -> Result<(RosterNotice, Vec<QueuedEvent>), StoreError> {
    let after = Roster {
        members: vec![member.clone()],
    };
    let mut announced = of_roster_change(
        services,
        company,
        &Roster::default(),
        &after,
        std::slice::from_ref(joined),
        None,
    );
    let mut done = invitation.clone();
    if done.complete(login, company.as_str(), joined.at).is_ok() {
        announced.extend(of_change(services, invitation, &done));
    }
    announce(services, &mut announced).await?;
    let (on_roster, on_invitation) = announced
        .into_iter()
        .partition(|e| e.event.kind == EventType::MemberJoined);
    let notice = RosterNotice {
        announced: on_roster,
        gone: None,
    };
    Ok((notice, on_invitation))
}

/// `person.erased`, once the erasure is done (written then, confirmed): the ids of the
/// person's accounts and invitations, which the product forgets; nothing else.
pub async fn person_erased(
    services: &Services,
    accounts: &[String],
    invitations: &[String],
) -> Result<(), StoreError> {
    if services.destinations.is_empty() {
        return Ok(());
    }
    let now = services.clock.now();
    let day = format!(
        "{:04}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    );
    let id = EventId::new(Home::Outbox, &day, now, random_u32());
    let subject = accounts
        .first()
        .or(invitations.first())
        .cloned()
        .unwrap_or_default();
    let data = json!({ "accountIds": accounts, "invitationIds": invitations });
    let queued = queued(
        services,
        id,
        EventType::PersonErased,
        &subject,
        now,
        data,
        true,
    );
    services
        .events
        .enqueue(std::slice::from_ref(&queued))
        .await?;
    deliver_soon(services, vec![queued.event.id]);
    Ok(())
}

/// Whether the change an event describes is stored.
async fn stored(services: &Services, event: &Event) -> Result<bool, StoreError> {
    let same_moment = |at: OffsetDateTime| {
        at.unix_timestamp_nanos() / 1_000_000 == event.time.unix_timestamp_nanos() / 1_000_000
    };
    match event.kind {
        EventType::InvitationCreated => {
            let Ok(id) = InvitationId::parse(&event.subject) else {
                return Ok(false);
            };
            Ok(services.store.get(&id).await?.is_some())
        }
        EventType::InvitationOpened
        | EventType::InvitationAccepted
        | EventType::InvitationCompleted
        | EventType::InvitationResent
        | EventType::InvitationRevoked => {
            let Ok(id) = InvitationId::parse(&event.subject) else {
                return Ok(false);
            };
            Ok(services.store.get(&id).await?.is_some_and(|found| {
                found
                    .value
                    .history
                    .iter()
                    .any(|h| invitation_event(h.event) == Some(event.kind) && same_moment(h.at))
            }))
        }
        EventType::CompanyCreated => {
            let Some(id) = CompanyId::parse(&event.subject) else {
                return Ok(false);
            };
            let Some(company) = services.accounts.company(&id).await? else {
                return Ok(false);
            };
            // Stored with the invitation's completion, at the same moment (a creation
            // retried after a crash announces its own: only the one that completed counts).
            Ok(services
                .store
                .get(&company.invitation_id)
                .await?
                .is_some_and(|i| {
                    i.value.status == invitation::StoredStatus::Completed
                        && i.value
                            .history
                            .iter()
                            .any(|h| h.event == invitation::Event::Completed && same_moment(h.at))
                }))
        }
        EventType::MemberRemoved
            if matches!(event.data["reason"].as_str(), Some("erased" | "deleted")) =>
        {
            // Erased or deleted: no history entry; off the roster is the change.
            let (Some(id), Some(account)) = (
                CompanyId::parse(&event.subject),
                event.data["accountId"].as_str(),
            ) else {
                return Ok(false);
            };
            let Some(held) = services.members.company_and_roster(&id).await? else {
                return Ok(true); // the company itself is gone: so is the membership
            };
            Ok(!held
                .roster
                .members
                .iter()
                .any(|m| m.account.as_str() == account))
        }
        EventType::MemberJoined | EventType::MemberRoleChanged | EventType::MemberRemoved => {
            let Some(id) = CompanyId::parse(&event.subject) else {
                return Ok(false);
            };
            let wanted = |e: MemberEvent| match event.kind {
                EventType::MemberJoined => e == MemberEvent::Joined,
                EventType::MemberRoleChanged => e == MemberEvent::RoleChanged,
                _ => matches!(e, MemberEvent::Removed | MemberEvent::Left),
            };
            Ok(services
                .members
                .history(&id)
                .await?
                .iter()
                .any(|h| wanted(h.event) && same_moment(h.at)))
        }
        // Written once their change is done.
        EventType::InvitationExpired | EventType::PersonErased => Ok(true),
    }
}

/// How far back a pass looks for links that expired: passes may stop for a while (an
/// outage), and a link expired once is told once (its event's id derives from it).
const EXPIRY_LOOKBACK: Duration = Duration::days(3);

/// `invitation.expired` for each pending invitation whose link expired lately: expiry is
/// a moment passing, not a write, so the timer tells it, once per expiry (the event's id
/// derives from the invitation and its expiry; a resend restarts the expiry and a later
/// expiry is told again). Answers how many were new.
async fn tell_expiries(services: &Services, now: OffsetDateTime) -> Result<u32, StoreError> {
    if services.destinations.is_empty() {
        return Ok(0);
    }
    let from = now - EXPIRY_LOOKBACK;
    // Those told by an earlier pass (their rows are kept longer than the lookback): not
    // written again, each pass would otherwise try every one of them.
    let (expired, told_before) = futures::join!(
        services.events.expired_between(from, now),
        services
            .events
            .ids_since(EventType::InvitationExpired, from),
    );
    let told_before = told_before?;
    let mut told = 0;
    for invitation in expired? {
        let at = invitation.expires_at;
        let salt = invitation
            .id
            .as_str()
            .bytes()
            .fold(0x811c_9dc5_u32, |h, b| {
                (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
            });
        let id = EventId::new(Home::Invitations, invitation.id.bucket(), at, salt);
        if told_before.contains(id.as_str()) {
            continue;
        }
        let data = (services.views.invitation)(&invitation, now);
        let subject = invitation.id.as_str();
        let queued = queued(
            services,
            id,
            EventType::InvitationExpired,
            subject,
            at,
            data,
            true,
        );
        if services.events.enqueue_once(&queued).await? {
            told += 1;
        }
    }
    Ok(told)
}

/// What one delivery pass did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryReport {
    pub delivered: u32,
    pub retrying: u32,
    pub failed: u32,
    /// Events whose change was never stored, dropped.
    pub dropped: u32,
    /// Delivered more than 7 days ago, purged.
    pub purged: u32,
    /// Links that expired since the last passes, told as `invitation.expired`.
    pub expired: u32,
}

enum Outcome {
    Delivered,
    Retrying,
    Failed,
    Dropped,
    Waiting,
}

/// The `DeliverEvents` pass: every event with an attempt due, at most [`PARALLEL`] at
/// once; then delivered events past [`KEEP_DELIVERED`] are purged.
pub async fn deliver_due(services: &Services) -> Result<DeliveryReport, StoreError> {
    use futures::StreamExt as _;
    let now = services.clock.now();
    let expired = tell_expiries(services, now).await?;
    let due = services.events.due(now, 1000).await?;
    let outcomes: Vec<_> = futures::stream::iter(due)
        .map(|row| async move {
            let id = row.value.event.id.clone();
            let outcome = attempt(services, row, false).await;
            if let Err(e) = &outcome {
                tracing::warn!(event = %id, error = %e, "event delivery skipped");
            }
            outcome
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut report = DeliveryReport {
        expired,
        ..DeliveryReport::default()
    };
    for outcome in outcomes.into_iter().flatten() {
        match outcome {
            Outcome::Delivered => report.delivered += 1,
            Outcome::Retrying => report.retrying += 1,
            Outcome::Failed => report.failed += 1,
            Outcome::Dropped => report.dropped += 1,
            Outcome::Waiting => {}
        }
    }
    for id in services
        .events
        .finished_before(now - KEEP_DELIVERED)
        .await?
    {
        services.events.remove(&id).await?;
        report.purged += 1;
    }
    Ok(report)
}

/// One event's due attempts (all of them with `now`: staff asked to redeliver).
async fn deliver_one(services: &Services, id: &EventId, now: bool) -> Result<(), StoreError> {
    if let Some(row) = services.events.get(id).await? {
        attempt(services, row, now).await?;
    }
    Ok(())
}

/// Confirms the event if need be, then tries each destination that is due, in parallel,
/// and records the outcomes with an ETag write (a concurrent pass that recorded first
/// wins; its outcome stands).
async fn attempt(
    services: &Services,
    row: Versioned<QueuedEvent>,
    redeliver: bool,
) -> Result<Outcome, StoreError> {
    let Versioned {
        value: mut queued,
        etag,
    } = row;
    let now = services.clock.now();
    if !queued.confirmed {
        if stored(services, &queued.event).await? {
            queued.confirmed = true;
        } else if now - queued.queued_at > CONFIRM_GRACE {
            services.events.remove(&queued.event.id).await?;
            tracing::info!(event = %queued.event.id, "event of a change never stored dropped");
            return Ok(Outcome::Dropped);
        } else {
            return Ok(Outcome::Waiting);
        }
    }
    if redeliver {
        queued
            .destinations
            .iter_mut()
            .for_each(|d| d.redeliver(now));
        queued.delivered_at = None;
    }
    let tries = queued.destinations.iter().filter(|d| d.due(now)).map(|d| {
        let event = &queued.event;
        let name = d.destination.clone();
        async move {
            let result = services.destinations.send(&name, event).await;
            (name, result)
        }
    });
    let results = futures::future::join_all(tries).await;
    let after = services.clock.now();
    for (name, result) in results {
        let Some(destination) = queued
            .destinations
            .iter_mut()
            .find(|d| d.destination == name)
        else {
            continue;
        };
        match result {
            Ok(()) => destination.record_success(after),
            Err(why) => {
                tracing::info!(event = %queued.event.id, destination = %name, error = %why, "event not delivered");
                destination.record_failure(why, after);
            }
        }
    }
    let standing = queued.standing();
    if standing == Standing::Delivered {
        queued.delivered_at = Some(after);
    }
    services.events.replace(&queued, &etag).await?;
    Ok(match standing {
        Standing::Delivered => Outcome::Delivered,
        Standing::Pending => Outcome::Retrying,
        Standing::Failed => Outcome::Failed,
    })
}

/// What staff asked to redeliver.
pub enum Redelivery {
    Unknown,
    Tried(Box<QueuedEvent>),
}

/// Tries every destination of the event again now (a failed one too).
pub async fn redeliver(services: &Services, id: &EventId) -> Result<Redelivery, StoreError> {
    let Some(row) = services.events.get(id).await? else {
        return Ok(Redelivery::Unknown);
    };
    attempt(services, row, true).await?;
    Ok(match services.events.get(id).await? {
        Some(now) => Redelivery::Tried(Box::new(now.value)),
        None => Redelivery::Unknown,
    })
}

/// Events not delivered yet (`pending`) or given up (`failed`), a page of them.
pub async fn list(
    services: &Services,
    standing: Standing,
    top: usize,
    after: Option<&EventId>,
) -> Result<(Vec<QueuedEvent>, Option<EventId>), StoreError> {
    services.events.list(standing, top, after).await
}
