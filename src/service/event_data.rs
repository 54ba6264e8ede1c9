//! What events say: made from a change (an invitation's new history entries, a roster's
//! change), with the `data` programs read, and taken out of stored events when a person
//! is erased. Announcing, confirming and delivering them is `service::events`.

use super::Services;
use crate::domain::account::{Company, CompanyId};
use crate::domain::event::{Event, EventId, EventType, Home};
use crate::domain::invitation::{self, Invitation};
use crate::domain::membership::{Member, MemberEvent, MemberHistoryEntry, Roster};
use crate::storage::{QueuedEvent, StoreError, Versioned};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

/// How programs see what an event's `data` holds: the staff API's own views, handed in
/// by the web floor (which owns them) when the service is wired.
#[derive(Clone, Copy)]
pub struct EventViews {
    /// The invitation as `GET /api/invitations/{id}` returns it (never its link).
    pub invitation: fn(&Invitation, OffsetDateTime) -> Value,
    /// The company as `GET /api/companies/{id}` returns it.
    pub company: fn(&Company, &Roster, OffsetDateTime) -> Value,
}

pub(super) fn random_u32() -> u32 {
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

pub(super) fn queued(
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
    QueuedEvent::new(event, services.destinations.names().to_vec(), confirmed, at)
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

/// The invitation event a new history entry is, if it is one.
pub fn invitation_event(entry: invitation::Event) -> Option<EventType> {
    use invitation::Event as E;
    match entry {
        E::Opened => Some(EventType::InvitationOpened),
        E::Accepted => Some(EventType::InvitationAccepted),
        E::Completed => Some(EventType::InvitationCompleted),
        E::Resent => Some(EventType::InvitationResent),
        E::Revoked => Some(EventType::InvitationRevoked),
        // A reminder changes nothing the product knows of: the contract has no type for it.
        E::Created | E::EmailSent | E::EmailFailed | E::Expired | E::Reminded => None,
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
