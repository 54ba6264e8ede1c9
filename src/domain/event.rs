//! Events for the product's other systems: what changed, as a CloudEvents 1.0 structured
//! JSON, where its stored row lives (its id says), and when a destination that did not
//! take it is tried again. Time is an argument.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    InvitationCreated,
    InvitationOpened,
    InvitationAccepted,
    InvitationCompleted,
    InvitationResent,
    InvitationRevoked,
    InvitationExpired,
    CompanyCreated,
    MemberJoined,
    MemberRoleChanged,
    MemberRemoved,
    PersonErased,
}

impl EventType {
    pub const ALL: [EventType; 12] = [
        Self::InvitationCreated,
        Self::InvitationOpened,
        Self::InvitationAccepted,
        Self::InvitationCompleted,
        Self::InvitationResent,
        Self::InvitationRevoked,
        Self::InvitationExpired,
        Self::CompanyCreated,
        Self::MemberJoined,
        Self::MemberRoleChanged,
        Self::MemberRemoved,
        Self::PersonErased,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvitationCreated => "invitation.created",
            Self::InvitationOpened => "invitation.opened",
            Self::InvitationAccepted => "invitation.accepted",
            Self::InvitationCompleted => "invitation.completed",
            Self::InvitationResent => "invitation.resent",
            Self::InvitationRevoked => "invitation.revoked",
            Self::InvitationExpired => "invitation.expired",
            Self::CompanyCreated => "company.created",
            Self::MemberJoined => "member.joined",
            Self::MemberRoleChanged => "member.roleChanged",
            Self::MemberRemoved => "member.removed",
            Self::PersonErased => "person.erased",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// What an event is about, as its id's first part says: an invitation's change (its id's
/// partition the invitation's), a company's (the company's id), or an erasure (the day,
/// `20261205`). A label only: every event's row is in `Events`, in the queue partition
/// its id's last digit names ([`EventId::spread`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    Invitations,
    Companies,
    Outbox,
}

impl Home {
    fn tag(self) -> &'static str {
        match self {
            Self::Invitations => "evi",
            Self::Companies => "evc",
            Self::Outbox => "evo",
        }
    }
}

/// An event's id, fixed when it is stored: `{evi|evc|evo}-{partition}-{ms}-{hex}` (see
/// [`Home`]); its row is found by it with one point read (`storage::keys::
/// event_queue_partition`). Every retry sends it as `webhook-id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not an event id")]
pub struct MalformedEventId;

impl EventId {
    /// `partition` is a partition key of `home` (digits, or `c` and digits and hex).
    pub fn new(home: Home, partition: &str, at: OffsetDateTime, random: u32) -> Self {
        let millis = (at.unix_timestamp_nanos() / 1_000_000).clamp(0, 9_999_999_999_999);
        Self(format!(
            "{}-{partition}-{millis:013}-{random:08x}",
            home.tag()
        ))
    }

    pub fn parse(input: &str) -> Result<Self, MalformedEventId> {
        let parts: Vec<&str> = input.split('-').collect();
        let valid = matches!(parts.as_slice(), [tag, partition, millis, random]
            if matches!(*tag, "evi" | "evc" | "evo")
                && (1..=40).contains(&partition.len())
                && partition.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                && millis.len() == 13 && millis.bytes().all(|b| b.is_ascii_digit())
                && random.len() == 8 && random.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        if valid {
            Ok(Self(input.to_owned()))
        } else {
            Err(MalformedEventId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id's last hex digit: which of 16 queue partitions holds its delivery state.
    pub fn spread(&self) -> char {
        self.0.chars().last().unwrap_or('0')
    }

    /// The same id with `spread` as its last digit: the events of one change share a
    /// queue partition, so they are written in one entity-group transaction.
    pub fn spread_as(&self, spread: char) -> Self {
        let mut id = self.0.clone();
        if spread.is_ascii_hexdigit() && !spread.is_ascii_uppercase() {
            id.pop();
            id.push(spread);
        }
        Self(id)
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One event: what happened to which subject, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: EventId,
    pub kind: EventType,
    /// The invitation's or the company's id.
    pub subject: String,
    /// When the change happened.
    pub time: OffsetDateTime,
    pub data: Value,
}

impl Event {
    /// The CloudEvents 1.0 structured JSON of the event, `source` the service's address.
    pub fn cloud_event(&self, source: &str) -> Value {
        json!({
            "specversion": "1.0",
            "id": self.id.as_str(),
            "source": source,
            "type": self.kind.as_str(),
            "subject": self.subject,
            "time": rfc3339(self.time),
            "datacontenttype": "application/json",
            "data": self.data,
        })
    }
}

/// `2026-12-05T13:17:02.123Z`: UTC, milliseconds.
fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Where one destination stands with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Pending,
    Delivered,
    Failed,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// One destination's attempts at one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempts {
    /// The destination's name: a webhook URL without its query, or `eventgrid`.
    pub destination: String,
    pub standing: Standing,
    pub attempts: u32,
    pub first_attempt_at: Option<OffsetDateTime>,
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
}

/// How long after a failed attempt the next one is due, by the attempts made so far;
/// the last interval repeats until [`GIVE_UP_AFTER`].
const INTERVALS: [Duration; 9] = [
    Duration::seconds(10),
    Duration::minutes(1),
    Duration::minutes(5),
    Duration::minutes(15),
    Duration::minutes(30),
    Duration::hours(1),
    Duration::hours(2),
    Duration::hours(4),
    Duration::hours(6),
];

/// A destination is tried for at least this long after its first attempt, then `failed`.
const GIVE_UP_AFTER: Duration = Duration::hours(24);

impl Attempts {
    /// A destination not tried yet, due at once.
    pub fn new(destination: String, now: OffsetDateTime) -> Self {
        Self {
            destination,
            standing: Standing::Pending,
            attempts: 0,
            first_attempt_at: None,
            next_attempt_at: now,
            last_error: None,
        }
    }

    pub fn due(&self, now: OffsetDateTime) -> bool {
        self.standing == Standing::Pending && self.next_attempt_at <= now
    }

    pub fn record_success(&mut self, now: OffsetDateTime) {
        self.attempts += 1;
        self.first_attempt_at.get_or_insert(now);
        self.standing = Standing::Delivered;
        self.last_error = None;
        self.next_attempt_at = now;
    }

    /// A failed attempt: due again after a growing interval, or `failed` once the first
    /// attempt is [`GIVE_UP_AFTER`] old.
    pub fn record_failure(&mut self, error: String, now: OffsetDateTime) {
        self.attempts += 1;
        let first = *self.first_attempt_at.get_or_insert(now);
        self.last_error = Some(error);
        let step = (self.attempts as usize - 1).min(INTERVALS.len() - 1);
        if now - first >= GIVE_UP_AFTER {
            self.standing = Standing::Failed;
        } else {
            self.next_attempt_at = now + INTERVALS[step];
        }
    }

    /// Staff asked to send it again now (failed, still pending, or delivered and kept
    /// for this: a receiver that lost it): the 24 hours start over.
    pub fn redeliver(&mut self, now: OffsetDateTime) {
        self.standing = Standing::Pending;
        self.first_attempt_at = None;
        self.next_attempt_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_event_id_reads_back_and_names_its_queue_partition() {
        let at = datetime!(2026-12-05 13:00:00.250 UTC);
        let id = EventId::new(Home::Invitations, "82353", at, 0xab12);
        assert_eq!(id.as_str(), "evi-82353-1796475600250-0000ab12");
        assert_eq!(EventId::parse(id.as_str()), Ok(id.clone()));
        assert_eq!(id.spread(), '2');
        let company = EventId::new(Home::Companies, "c0123abc", at, 7);
        assert!(company.as_str().starts_with("evc-c0123abc-"));
        assert_eq!(company.spread(), '7');
        let moved = company.spread_as('c');
        assert_eq!(moved.spread(), 'c');
        assert_eq!(EventId::parse(moved.as_str()), Ok(moved.clone()));
    }

    #[test]
    fn anything_else_is_not_an_event_id() {
        for bad in [
            "",
            "evi",
            "evx-1-1796475600250-0000ab12",
            "evi-1-176493960025-0000ab12",
            "evi-1-1796475600250-0000AB12",
            "evi-1-1796475600250-0000ab12-x",
            "evi--1796475600250-0000ab12",
            "evi-ä-1796475600250-0000ab12",
            "evi-../x-1796475600250-0000ab12",
        ] {
            assert!(EventId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_cloud_event_has_every_required_attribute() {
        let event = Event {
            id: EventId::new(Home::Companies, "c1", datetime!(2026-12-05 13:00 UTC), 1),
            kind: EventType::MemberRoleChanged,
            subject: "c1".into(),
            time: datetime!(2026-12-05 13:00 UTC),
            data: json!({"role": "administrator"}),
        };
        let cloud = event.cloud_event("https://invite.example/");
        assert_eq!(cloud["specversion"], "1.0");
        assert_eq!(cloud["id"], event.id.as_str());
        assert_eq!(cloud["source"], "https://invite.example/");
        assert_eq!(cloud["type"], "member.roleChanged");
        assert_eq!(cloud["subject"], "c1");
        assert_eq!(cloud["time"], "2026-12-05T13:00:00.000Z");
        assert_eq!(cloud["datacontenttype"], "application/json");
        assert_eq!(cloud["data"]["role"], "administrator");
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn a_failing_destination_is_tried_at_growing_intervals_for_a_day_then_failed() {
        let start = datetime!(2026-12-05 13:00 UTC);
        let mut attempts = Attempts::new("https://hooks.example/in".into(), start);
        let mut now = start;
        let mut gaps = Vec::new();
        while attempts.standing == Standing::Pending {
            assert!(attempts.due(now));
            attempts.record_failure("HTTP 503".into(), now);
            if attempts.standing == Standing::Pending {
                gaps.push(attempts.next_attempt_at - now);
                assert!(!attempts.due(now));
                now = attempts.next_attempt_at;
            }
        }
        assert!(gaps.windows(2).all(|w| w[0] <= w[1]), "{gaps:?}");
        assert!(now - start >= GIVE_UP_AFTER);
        assert!(now - start < GIVE_UP_AFTER + Duration::hours(6));
        assert_eq!(attempts.standing, Standing::Failed);
        assert_eq!(attempts.last_error.as_deref(), Some("HTTP 503"));
        attempts.redeliver(now);
        assert!(attempts.due(now));
        attempts.record_success(now);
        assert_eq!(attempts.standing, Standing::Delivered);
        assert!(!attempts.due(now));
        // Kept after delivery for this: sent again on request.
        attempts.redeliver(now);
        assert!(attempts.due(now));
    }
}
