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
use crate::domain::account::{Company, CompanyId};
use crate::domain::event::{Event, EventId, EventType, Home, Standing};
use crate::domain::invitation::{self, Invitation, InvitationId};
use crate::domain::membership::{Member, MemberEvent, MemberHistoryEntry, Roster};
use crate::storage::{QueuedEvent, StoreError, Versioned};
use serde::Serialize;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// How long an unconfirmed event waits for its change before it is dropped: far longer
/// than any request takes, and than the email retry needs to write a created
/// invitation's row from its queue row.
pub const CONFIRM_GRACE: Duration = Duration::minutes(15);

/// Delivered events are kept this long (for redelivery), then purged by the timer.
pub const KEEP_DELIVERED: Duration = Duration::days(7);

/// At most this many attempts run at once (across destinations and subjects).
const PARALLEL: usize = 16;

/// How programs see what an event's `data` holds: the staff API's own views, handed in
/// by the web floor (which owns them) when the service is wired.
#[derive(Clone, Copy)]
pub struct EventViews {
    /// The invitation as `GET /api/invitations/{id}` returns it (never its link).
    pub invitation: fn(&Invitation, OffsetDateTime) -> Value,
    /// The company as `GET /api/companies/{id}` returns it.
    pub company: fn(&Company, &Roster, OffsetDateTime) -> Value,
}

impl EventViews {
    /// Plain views for unit tests and one-off commands.
    pub fn bare() -> Self {
        Self {
            invitation: |i, _| json!({ "id": i.id.as_str() }),
            company: |c, _, _| json!({ "id": c.id.as_str() }),
        }
    }
}

fn random_u32() -> u32 {
    rand::random()
}

/// A new event about an invitation (its row beside the invitation's).
pub fn about_invitation(
    services: &Services,
    kind: EventType,
    invitation: &Invitation,
    at: OffsetDateTime,
) -> QueuedEvent {
    let id = EventId::new(Home::Invitations, invitation.id.bucket(), at, random_u32());
    let data = (services.views.invitation)(invitation, at);
    queued(services, id, kind, invitation.id.as_str(), at, data, false)
}

/// A new event about a company (its membership or its creation).
pub fn about_company(
    services: &Services,
    kind: EventType,
    company: &CompanyId,
    at: OffsetDateTime,
    data: Value,
) -> QueuedEvent {
    let id = EventId::new(Home::Companies, company.as_str(), at, random_u32());
    queued(services, id, kind, company.as_str(), at, data, false)
}

fn queued(
    services: &Services,
    id: EventId,
    kind: EventType,
    subject: &str,
    at: OffsetDateTime,
    data: Value,
    confirmed: bool,
) -> QueuedEvent {
    let event = Event {
        id,
        kind,
        subject: subject.to_owned(),
        time: at,
        data,
    };
    QueuedEvent::new(event, services.destinations.names(), confirmed, at)
}

/// The events of an attempt at a change that an earlier attempt did not announce yet
/// (an attempt that lost to another writer decides again, with the same moment).
pub fn not_yet(announced: &[QueuedEvent], events: Vec<QueuedEvent>) -> Vec<QueuedEvent> {
    events
        .into_iter()
        .filter(|new| {
            !announced.iter().any(|old| {
                old.event.kind == new.event.kind
                    && old.event.time == new.event.time
                    && old.event.subject == new.event.subject
                    && old.event.data.get("accountId") == new.event.data.get("accountId")
            })
        })
        .collect()
}

/// Writes the rows of events about to be stored with their change: one call, in one
/// queue partition. Nothing without a destination: no event is kept for nobody.
pub async fn announce(services: &Services, events: &mut [QueuedEvent]) -> Result<(), StoreError> {
    if services.destinations.names().is_empty() {
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
    if services.destinations.names().is_empty() {
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
    if events.is_empty() || destinations.names().is_empty() || !destinations.right_away() {
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

/// The invitation event a new history entry is, if it is one.
pub fn invitation_event(entry: invitation::Event) -> Option<EventType> {
    use invitation::Event as E;
    match entry {
        E::Opened => Some(EventType::InvitationOpened),
        E::Accepted => Some(EventType::InvitationAccepted),
        E::Completed => Some(EventType::InvitationCompleted),
        E::Resent => Some(EventType::InvitationResent),
        E::Revoked => Some(EventType::InvitationRevoked),
        E::Created | E::EmailSent | E::EmailFailed | E::Expired => None,
    }
}

/// The events of the history entries `after` has beyond `before`'s.
pub fn of_change(services: &Services, before: &Invitation, after: &Invitation) -> Vec<QueuedEvent> {
    after
        .history
        .iter()
        .skip(before.history.len())
        .filter_map(|entry| {
            let kind = invitation_event(entry.event)?;
            Some(about_invitation(services, kind, after, entry.at))
        })
        .collect()
}

/// `member.*` data: who, in which company, in which role.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberData<'a> {
    company_id: &'a str,
    account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

/// What a roster change announces besides its history's events: those announced
/// already, and for members who go without a history entry (an erasure), whether they
/// were erased by staff (`Some(true)`) or deleted their account (`Some(false)`).
#[derive(Default)]
pub struct RosterNotice {
    pub announced: Vec<QueuedEvent>,
    pub gone: Option<bool>,
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

/// The `member.*` events of a roster change: `before` and `after` the change, with the
/// history entries it writes, and `member.removed` for members gone without one when
/// `gone` says why (an erasure).
pub fn of_roster_change(
    services: &Services,
    company: &CompanyId,
    before: &Roster,
    after: &Roster,
    history: &[MemberHistoryEntry],
    gone: Option<bool>,
) -> Vec<QueuedEvent> {
    let at = history
        .first()
        .map(|h| h.at)
        .unwrap_or_else(|| services.clock.now());
    let unrecorded = gone.into_iter().flat_map(|erased| {
        before
            .members
            .iter()
            .filter(|m| after.member(&m.account).is_none())
            .map(move |m| member_gone(services, company, m, erased, at))
    });
    let recorded: Vec<QueuedEvent> = history
        .iter()
        .filter_map(|entry| {
            let (kind, reason, roster) = match entry.event {
                MemberEvent::Joined => (EventType::MemberJoined, None, after),
                MemberEvent::RoleChanged => (EventType::MemberRoleChanged, None, after),
                MemberEvent::Removed => (EventType::MemberRemoved, Some("removed"), before),
                MemberEvent::Left => (EventType::MemberRemoved, Some("left"), before),
                MemberEvent::Invited => return None,
            };
            let member = roster
                .members
                .iter()
                .find(|m| m.email.to_string() == entry.subject)?;
            let previous = before.member(&member.account).map(|m| m.role);
            let data = MemberData {
                company_id: company.as_str(),
                account_id: member.account.as_str(),
                email: Some(member.email.to_string()),
                name: member.name.as_deref(),
                role: member.role.as_str(),
                previous_role: previous
                    .filter(|_| kind == EventType::MemberRoleChanged)
                    .map(|r| r.as_str()),
                reason,
            };
            let data = serde_json::to_value(data).ok()?;
            Some(about_company(services, kind, company, entry.at, data))
        })
        .collect();
    recorded.into_iter().chain(unrecorded).collect()
}

/// `member.removed` for a person deleted or erased: with reason `erased`, without their
/// email and name.
pub fn member_gone(
    services: &Services,
    company: &CompanyId,
    member: &Member,
    erased: bool,
    at: OffsetDateTime,
) -> QueuedEvent {
    let data = MemberData {
        company_id: company.as_str(),
        account_id: member.account.as_str(),
        email: (!erased).then(|| member.email.to_string()),
        name: member.name.as_deref().filter(|_| !erased),
        role: member.role.as_str(),
        previous_role: None,
        reason: Some(if erased { "erased" } else { "deleted" }),
    };
    let data = serde_json::to_value(data).unwrap_or(Value::Null);
    about_company(services, EventType::MemberRemoved, company, at, data)
}

/// `person.erased`, once the erasure is done (written then, confirmed): the ids of the
/// person's accounts and invitations, which the product forgets; nothing else.
pub async fn person_erased(
    services: &Services,
    accounts: &[String],
    invitations: &[String],
) -> Result<(), StoreError> {
    if services.destinations.names().is_empty() {
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

/// Removes a person's data from every stored event about `subjects` (their invitations,
/// the invitations they sent, their companies), delivered or not: their own
/// invitations' events keep only the invitation's id; elsewhere their email goes (as
/// the history shows an erased person: `erased`) with the name beside it, and events
/// about one of their `accounts` lose email and name. Answers how many changed.
pub async fn scrub(
    services: &Services,
    email: &str,
    accounts: &[String],
    own: &[String],
    subjects: &[String],
) -> Result<u32, StoreError> {
    let mut changed = 0;
    for row in services.events.about(subjects).await? {
        let Versioned {
            value: mut queued,
            etag,
        } = row;
        let before = queued.event.data.clone();
        if own.contains(&queued.event.subject) {
            queued.event.data = json!({ "id": queued.event.subject });
        } else {
            forget_in(&mut queued.event.data, email, accounts);
        }
        if queued.event.data != before {
            // A concurrent attempt recorded meanwhile: read again, once.
            if services.events.replace(&queued, &etag).await?.is_none() {
                if let Some(again) = services.events.get(&queued.event.id).await? {
                    let mut fresh = again.value;
                    fresh.event.data = queued.event.data.clone();
                    services.events.replace(&fresh, &again.etag).await?;
                }
            }
            changed += 1;
        }
    }
    Ok(changed)
}

/// Replaces `email` by `erased` (and the name beside it by `null`) in every object of
/// `data` that holds it; drops email and name of an object naming one of `accounts`.
fn forget_in(data: &mut Value, email: &str, accounts: &[String]) {
    match data {
        Value::Object(object) => {
            let names_email = object
                .values()
                .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(email)));
            let names_account = object
                .get("accountId")
                .and_then(Value::as_str)
                .is_some_and(|a| accounts.iter().any(|mine| mine == a));
            if names_account {
                object.remove("email");
                object.remove("name");
            } else if names_email {
                for (key, value) in object.iter_mut() {
                    if value
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(email))
                    {
                        *value = Value::String(crate::storage::ERASED_PERSON.to_owned());
                    } else if matches!(key.as_str(), "name" | "displayName") {
                        *value = Value::Null;
                    }
                }
            }
            object
                .values_mut()
                .for_each(|v| forget_in(v, email, accounts));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| forget_in(v, email, accounts)),
        _ => {}
    }
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
            let Some(company) = services.accounts.company(&id).await? else {
                return Ok(true); // the company itself is gone: so is the membership
            };
            let (roster, _) = services.members.roster(&company).await?;
            Ok(!roster.members.iter().any(|m| m.account.as_str() == account))
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
    if services.destinations.names().is_empty() {
        return Ok(0);
    }
    let mut told = 0;
    for invitation in services
        .events
        .expired_between(now - EXPIRY_LOOKBACK, now)
        .await?
    {
        let at = invitation.expires_at;
        let salt = invitation
            .id
            .as_str()
            .bytes()
            .fold(0x811c_9dc5_u32, |h, b| {
                (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
            });
        let id = EventId::new(Home::Invitations, invitation.id.bucket(), at, salt);
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
        .delivered_before(now - KEEP_DELIVERED)
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
