//! An invitation and its life: states, transitions, delivery bookkeeping and history.
//! Every function takes the time it acts at; none reads a clock.

use super::FieldError;
use super::account::{CompanyId, Role};
use super::company::CompanyDraft;
use super::email::EmailAddress;
pub use super::ids::{InvitationId, LoginId, MalformedId};
use super::locale::Locale;
use super::secret::LinkHash;
use time::{Duration, OffsetDateTime};

/// The state kept in storage. `expired` is not kept: it is what a pending invitation is
/// once its time has passed, see [`Invitation::status_at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredStatus {
    Pending,
    Accepted,
    Completed,
    Revoked,
}

/// The state as people and programs see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Accepted,
    Completed,
    Revoked,
    Expired,
}

impl StoredStatus {
    pub fn as_str(self) -> &'static str {
        Status::from(self).as_str()
    }

    pub fn parse(value: &str) -> Option<Self> {
        match Status::parse(value)? {
            Status::Pending => Some(Self::Pending),
            Status::Accepted => Some(Self::Accepted),
            Status::Completed => Some(Self::Completed),
            Status::Revoked => Some(Self::Revoked),
            Status::Expired => None,
        }
    }
}

impl From<StoredStatus> for Status {
    fn from(stored: StoredStatus) -> Self {
        match stored {
            StoredStatus::Pending => Self::Pending,
            StoredStatus::Accepted => Self::Accepted,
            StoredStatus::Completed => Self::Completed,
            StoredStatus::Revoked => Self::Revoked,
        }
    }
}

impl Status {
    pub const ALL: [Status; 5] = [
        Self::Pending,
        Self::Accepted,
        Self::Completed,
        Self::Revoked,
        Self::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Completed => "completed",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// How many days a link stays usable: 1 to 30, 7 by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryDays(u8);

impl ExpiryDays {
    pub const MIN: i64 = 1;
    pub const MAX: i64 = 30;

    pub fn new(days: i64) -> Result<Self, FieldError> {
        if (Self::MIN..=Self::MAX).contains(&days) {
            Ok(Self(days as u8))
        } else {
            Err(Self::refused())
        }
    }

    /// What a value out of range, or not a whole number, is told.
    pub fn refused() -> FieldError {
        FieldError::Days {
            min: Self::MIN,
            max: Self::MAX,
        }
    }

    pub fn duration(self) -> Duration {
        Duration::days(i64::from(self.0))
    }

    pub fn days(self) -> u8 {
        self.0
    }
}

impl Default for ExpiryDays {
    fn default() -> Self {
        Self(7)
    }
}

/// A person's display name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX: usize = 100;

    /// `Ok(None)` for an empty or blank name.
    pub fn parse(input: &str) -> Result<Option<Self>, FieldError> {
        let value = input.trim();
        if value.is_empty() {
            Ok(None)
        } else if value.chars().count() > Self::MAX {
            Err(FieldError::TooLong { max: Self::MAX })
        } else if value.chars().any(char::is_control) {
            Err(FieldError::ControlCharacters)
        } else {
            Ok(Some(Self(value.to_owned())))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The staff member who sent the invitation, as their token names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inviter {
    pub name: String,
    pub email: EmailAddress,
}

/// How an erased inviter is shown (their name and email both).
pub const ERASED_INVITER: &str = "erased";

/// What a sales person asks for, already checked.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: EmailAddress,
    pub display_name: Option<DisplayName>,
    pub locale: Locale,
    pub expires_in: ExpiryDays,
    pub company: CompanyDraft,
    /// For a colleague: the existing company they join and their role there.
    pub join: Option<Join>,
}

/// What a `member` invitation joins: an existing company, with a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    pub company_id: CompanyId,
    pub role: Role,
}

/// `company`: the customer creates a company; `member`: the person joins one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Company,
    Member,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Company => "company",
            Self::Member => "member",
        }
    }
}

/// Where the invitation email stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Not delivered yet; `attempts` made so far, the next one due at `next_attempt_at`.
    Queued {
        attempts: u32,
        next_attempt_at: OffsetDateTime,
    },
    Failed {
        attempts: u32,
    },
}

impl Delivery {
    /// After this many failed attempts the email is given up as `failed`.
    pub const MAX_ATTEMPTS: u32 = 6;
    /// How long one instance holds a queued email while it tries to send it.
    pub const CLAIM: Duration = Duration::minutes(5);

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Queued { .. } => "queued",
            Self::Failed { .. } => "failed",
        }
    }

    pub fn attempts(&self) -> u32 {
        match self {
            Self::Sent => 0,
            Self::Queued { attempts, .. } | Self::Failed { attempts } => *attempts,
        }
    }

    /// The wait after the `attempts`-th failure: 1, 5, 15, 60 then 180 minutes.
    pub fn backoff(attempts: u32) -> Duration {
        const MINUTES: [i64; 5] = [1, 5, 15, 60, 180];
        let index = (attempts.max(1) as usize - 1).min(MINUTES.len() - 1);
        Duration::minutes(MINUTES[index])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Created,
    EmailSent,
    EmailFailed,
    Opened,
    Accepted,
    Completed,
    Resent,
    Revoked,
    Expired,
    Reminded,
}

impl Event {
    const ALL: [Event; 10] = [
        Self::Created,
        Self::EmailSent,
        Self::EmailFailed,
        Self::Opened,
        Self::Accepted,
        Self::Completed,
        Self::Resent,
        Self::Revoked,
        Self::Expired,
        Self::Reminded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::EmailSent => "emailSent",
            Self::EmailFailed => "emailFailed",
            Self::Opened => "opened",
            Self::Accepted => "accepted",
            Self::Completed => "completed",
            Self::Resent => "resent",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Reminded => "reminded",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == value)
    }
}

/// Who caused an event: a staff member's or customer's email, or the system itself.
pub const SYSTEM_ACTOR: &str = "system";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: OffsetDateTime,
    pub event: Event,
    pub actor: String,
    /// Why, when the event does not say it all (`inviterRemoved`: revoked because the
    /// administrator who sent it was removed from the company).
    pub reason: Option<String>,
}

/// The reason of a colleague invitation withdrawn with its inviter's removal.
pub const INVITER_REMOVED: &str = "inviterRemoved";

#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: EmailAddress,
    pub display_name: Option<DisplayName>,
    pub locale: Locale,
    pub status: StoredStatus,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// How long each link stays usable (a resend restarts it).
    pub expires_in: ExpiryDays,
    /// The email already had an account when invited: the email says "sign in".
    pub existing_customer: bool,
    /// Who sent it; `None` once that person was erased (a customer administrator asking
    /// for erasure): shown as [`ERASED_INVITER`].
    pub invited_by: Option<Inviter>,
    pub company: CompanyDraft,
    pub delivery: Delivery,
    pub link_hash: LinkHash,
    /// The hashes of links a newer one replaced, newest last (at most
    /// [`Invitation::PREVIOUS_LINKS`]): such a link says a newer email was sent.
    pub previous_links: Vec<LinkHash>,
    /// The reminder's link (the `reminder` module): opens it too, until a resend replaces both.
    pub reminder: Option<Reminder>,
    /// For `company`: the company created from it; for `member`: the one it joins.
    pub company_id: Option<String>,
    /// Set for a `member` invitation: the role the person gets.
    pub member_role: Option<Role>,
    /// The login the invitation was accepted with (`iss`, `sub`).
    pub bound_to: Option<LoginId>,
    pub history: Vec<HistoryEntry>,
    /// Whether the sales figures count it (`super::stats`): every invitation made since
    /// they are kept; an older one never, before or after a change, so none is off.
    pub in_figures: bool,
}

/// An invitation's reminder (the `reminder` module): its link, and while an instance sends
/// it, until when that instance holds it (`None` once it was sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub link_hash: LinkHash,
    pub claimed_until: Option<OffsetDateTime>,
}

/// Why an invitation cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceptError {
    #[error("the invitation is {}", .0.as_str())]
    NotUsable(Status),
    #[error("the invitation was accepted by another login")]
    BoundElsewhere,
    #[error("the signed-in email differs from the invited one")]
    WrongEmail,
}

/// A transition that the invitation's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the invitation is {}", .0.as_str())]
pub struct NotAllowed(pub Status);

impl Invitation {
    /// A new pending invitation. Its email is queued and claimed by the creating request
    /// for its first attempt; should that request die, a retry takes over after the claim.
    pub fn create(
        new: NewInvitation,
        invited_by: Inviter,
        id: InvitationId,
        link_hash: LinkHash,
        now: OffsetDateTime,
    ) -> Self {
        let actor = invited_by.email.to_string();
        let (company_id, member_role) = match new.join {
            Some(join) => (Some(join.company_id.as_str().to_owned()), Some(join.role)),
            None => (None, None),
        };
        Self {
            id,
            email: new.email,
            display_name: new.display_name,
            locale: new.locale,
            status: StoredStatus::Pending,
            created_at: now,
            expires_at: now + new.expires_in.duration(),
            expires_in: new.expires_in,
            existing_customer: false,
            invited_by: Some(invited_by),
            company: new.company,
            delivery: Delivery::Queued {
                attempts: 0,
                next_attempt_at: now + Delivery::CLAIM,
            },
            link_hash,
            previous_links: Vec::new(),
            reminder: None,
            company_id,
            member_role,
            bound_to: None,
            history: vec![HistoryEntry {
                at: now,
                event: Event::Created,
                actor,
                reason: None,
            }],
            in_figures: true,
        }
    }

    pub fn kind(&self) -> Kind {
        if self.member_role.is_some() {
            Kind::Member
        } else {
            Kind::Company
        }
    }

    /// The inviter's name, or [`ERASED_INVITER`].
    pub fn inviter_name(&self) -> String {
        self.invited_by
            .as_ref()
            .map_or_else(|| ERASED_INVITER.to_owned(), |i| i.name.clone())
    }

    /// The inviter's email, or [`ERASED_INVITER`].
    pub fn inviter_email(&self) -> String {
        self.invited_by
            .as_ref()
            .map_or_else(|| ERASED_INVITER.to_owned(), |i| i.email.to_string())
    }

    /// Whether `email` sent it.
    pub fn sent_by(&self, email: &EmailAddress) -> bool {
        self.invited_by.as_ref().is_some_and(|i| i.email == *email)
    }

    /// Erases the inviter `email`: no longer named as the sender nor as the actor of any
    /// history entry. Whether anything changed.
    pub fn forget_inviter(&mut self, email: &EmailAddress) -> bool {
        let mut changed = false;
        if self.sent_by(email) {
            self.invited_by = None;
            changed = true;
        }
        for entry in &mut self.history {
            if EmailAddress::parse(&entry.actor).is_ok_and(|a| a == *email) {
                entry.actor = ERASED_INVITER.to_owned();
                changed = true;
            }
        }
        changed
    }

    /// The company a `member` invitation joins and the role it gives.
    pub fn join(&self) -> Option<Join> {
        Some(Join {
            company_id: CompanyId::from_stored(self.company_id.clone()?),
            role: self.member_role?,
        })
    }

    pub fn status_at(&self, now: OffsetDateTime) -> Status {
        match self.status {
            StoredStatus::Pending if now >= self.expires_at => Status::Expired,
            stored => stored.into(),
        }
    }

    /// Whether this invitation still blocks a second one for the same email.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        matches!(self.status_at(now), Status::Pending | Status::Accepted)
    }

    /// Whether its email should (still) be sent at `now`.
    pub fn delivery_due(&self, now: OffsetDateTime) -> bool {
        matches!(self.delivery, Delivery::Queued { next_attempt_at, .. } if next_attempt_at <= now)
    }

    /// Takes a queued email for one attempt: other instances leave it alone for
    /// [`Delivery::CLAIM`]. A retry mints a new link, since only the old one's hash was
    /// kept; the old link then leads to a page saying a newer email was sent.
    pub fn claim_delivery(
        &mut self,
        new_link: Option<LinkHash>,
        now: OffsetDateTime,
    ) -> Result<(), NotAllowed> {
        let status = self.status_at(now);
        if status != Status::Pending {
            return Err(NotAllowed(status));
        }
        if let Delivery::Queued { attempts, .. } = self.delivery {
            self.delivery = Delivery::Queued {
                attempts,
                next_attempt_at: now + Delivery::CLAIM,
            };
        }
        if let Some(hash) = new_link {
            self.replace_link(hash);
        }
        Ok(())
    }

    pub fn record_delivery_success(&mut self, now: OffsetDateTime) {
        self.delivery = Delivery::Sent;
        self.push(now, Event::EmailSent, SYSTEM_ACTOR);
    }

    /// Counts a failed attempt: queued again with backoff, or `failed` for good.
    pub fn record_delivery_failure(&mut self, now: OffsetDateTime) {
        let attempts = self.delivery.attempts() + 1;
        self.delivery = if attempts >= Delivery::MAX_ATTEMPTS {
            Delivery::Failed { attempts }
        } else {
            Delivery::Queued {
                attempts,
                next_attempt_at: now + Delivery::backoff(attempts),
            }
        };
        self.push(now, Event::EmailFailed, SYSTEM_ACTOR);
    }

    /// A queued email that can no longer be useful (revoked, expired, accepted…).
    pub fn abandon_delivery(&mut self, now: OffsetDateTime) {
        if let Delivery::Queued { attempts, .. } = self.delivery {
            self.delivery = Delivery::Failed { attempts };
            self.push(now, Event::EmailFailed, SYSTEM_ACTOR);
        }
    }

    /// A new link and a new email for a pending or expired invitation; the expiry restarts
    /// and the old link stops working.
    pub fn resend(
        &mut self,
        new_link: LinkHash,
        actor: &EmailAddress,
        now: OffsetDateTime,
    ) -> Result<(), NotAllowed> {
        let status = self.status_at(now);
        if !matches!(status, Status::Pending | Status::Expired) {
            return Err(NotAllowed(status));
        }
        // The expiry stops being derivable once the invitation is pending again: keep it.
        self.history = self.history_at(now);
        self.replace_link(new_link);
        self.expires_at = now + self.expires_in.duration();
        self.delivery = Delivery::Queued {
            attempts: 0,
            next_attempt_at: now + Delivery::CLAIM,
        };
        self.push(now, Event::Resent, actor.as_str());
        Ok(())
    }

    /// Withdraws the invitation: its link then shows a "revoked" page and a sign-in under
    /// way can no longer complete. Revoking again changes nothing.
    pub fn revoke(
        &mut self,
        actor: &EmailAddress,
        now: OffsetDateTime,
    ) -> Result<bool, NotAllowed> {
        match self.status {
            StoredStatus::Revoked => Ok(false),
            StoredStatus::Completed => Err(NotAllowed(Status::Completed)),
            StoredStatus::Pending | StoredStatus::Accepted => {
                self.status = StoredStatus::Revoked;
                self.push(now, Event::Revoked, actor.as_str());
                Ok(true)
            }
        }
    }

    /// [`Self::revoke`] with the reason the history gives.
    pub fn revoke_because(
        &mut self,
        actor: &EmailAddress,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<bool, NotAllowed> {
        let revoked = self.revoke(actor, now)?;
        if let (true, Some(last)) = (revoked, self.history.last_mut()) {
            last.reason = Some(reason.to_owned());
        }
        Ok(revoked)
    }

    /// The history with `expired` added at the moment it happened, if it has.
    pub fn history_at(&self, now: OffsetDateTime) -> Vec<HistoryEntry> {
        let mut history = self.history.clone();
        if self.status_at(now) == Status::Expired
            && !history.iter().any(|h| h.event == Event::Expired)
        {
            let at = self.expires_at;
            let index = history
                .iter()
                .position(|h| h.at > at)
                .unwrap_or(history.len());
            history.insert(
                index,
                HistoryEntry {
                    at,
                    event: Event::Expired,
                    actor: SYSTEM_ACTOR.to_owned(),
                    reason: None,
                },
            );
        }
        history
    }

    /// When it ended without making anything, as of `now`: an expired invitation at its
    /// expiry, a revoked one at its (last) revocation. `None` while pending or accepted,
    /// and for a completed one (the company needs it).
    pub fn ended_at(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        match self.status_at(now) {
            Status::Expired => Some(self.expires_at),
            Status::Revoked => Some(
                self.history
                    .iter()
                    .rev()
                    .find(|h| h.event == Event::Revoked)
                    .map_or(self.created_at, |h| h.at),
            ),
            Status::Pending | Status::Accepted | Status::Completed => None,
        }
    }

    /// Notes the first opening of the link (later openings change nothing: mail scanners
    /// open links too). Returns whether anything changed.
    pub fn record_opened(&mut self, now: OffsetDateTime) -> bool {
        if self.history.iter().any(|h| h.event == Event::Opened) {
            return false;
        }
        self.push(now, Event::Opened, SYSTEM_ACTOR);
        true
    }

    /// Binds a pending invitation to the login that signed in with the invited email.
    /// Accepting again with the same login is allowed and changes nothing, also once the
    /// invitation is completed (a second browser finishing the same sign-in).
    pub fn accept(
        &mut self,
        login: LoginId,
        email: &EmailAddress,
        now: OffsetDateTime,
    ) -> Result<bool, AcceptError> {
        match self.status_at(now) {
            Status::Pending => {}
            Status::Accepted | Status::Completed if self.bound_to.as_ref() == Some(&login) => {
                return Ok(false);
            }
            Status::Accepted => return Err(AcceptError::BoundElsewhere),
            other => return Err(AcceptError::NotUsable(other)),
        }
        if *email != self.email {
            return Err(AcceptError::WrongEmail);
        }
        self.status = StoredStatus::Accepted;
        self.bound_to = Some(login);
        self.push(now, Event::Accepted, email.as_str());
        Ok(true)
    }

    /// Marks an accepted invitation completed by the company created from it. Completing
    /// again with the same company changes nothing.
    pub fn complete(
        &mut self,
        login: &LoginId,
        company_id: &str,
        now: OffsetDateTime,
    ) -> Result<bool, AcceptError> {
        if self.bound_to.as_ref() != Some(login) {
            return Err(AcceptError::BoundElsewhere);
        }
        match self.status {
            StoredStatus::Completed if self.company_id.as_deref() == Some(company_id) => Ok(false),
            StoredStatus::Accepted => {
                self.status = StoredStatus::Completed;
                self.company_id = Some(company_id.to_owned());
                let actor = self.email.to_string();
                self.push(now, Event::Completed, &actor);
                Ok(true)
            }
            _ => Err(AcceptError::NotUsable(self.status_at(now))),
        }
    }

    /// How many replaced links are remembered; an older one reads as unknown.
    pub const PREVIOUS_LINKS: usize = 32;

    fn replace_link(&mut self, new_link: LinkHash) {
        let old = std::mem::replace(&mut self.link_hash, new_link);
        self.previous_links.push(old);
        if let Some(reminder) = self.reminder.take() {
            self.previous_links.push(reminder.link_hash);
        }
        let excess = self
            .previous_links
            .len()
            .saturating_sub(Self::PREVIOUS_LINKS);
        self.previous_links.drain(..excess);
    }

    /// Whether `hash` is a link this invitation had before its current one.
    pub fn had_link(&self, hash: &LinkHash) -> bool {
        self.previous_links.iter().any(|h| h.matches(hash))
    }

    pub(super) fn push(&mut self, at: OffsetDateTime, event: Event, actor: &str) {
        self.history.push(HistoryEntry {
            at,
            event,
            actor: actor.to_owned(),
            reason: None,
        });
    }
}

/// A filter for the staff listing.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub email: Option<EmailAddress>,
    pub top: u32,
    /// Continue after this invitation (ids sort newest first).
    pub after: Option<InvitationId>,
}

impl ListFilter {
    pub const DEFAULT_TOP: u32 = 50;
    pub const MAX_TOP: u32 = 100;

    /// `top`: a whole number from 1 to [`Self::MAX_TOP`].
    pub fn top(value: &str) -> Result<u32, FieldError> {
        value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=Self::MAX_TOP).contains(n))
            .ok_or(FieldError::Number {
                min: 1,
                max: i64::from(Self::MAX_TOP),
            })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::secret::InvitationSecret;
    use time::macros::datetime;

    pub(in crate::domain) fn new_invitation(now: OffsetDateTime) -> Invitation {
        let email = EmailAddress::parse("willy.urs@example.com").unwrap();
        Invitation::create(
            NewInvitation {
                email,
                display_name: DisplayName::parse("Willy URS").unwrap(),
                locale: Locale::Fr,
                expires_in: ExpiryDays::default(),
                company: CompanyDraft::default(),
                join: None,
            },
            Inviter {
                name: "Tamer".into(),
                email: EmailAddress::parse("tamer@gfms.example").unwrap(),
            },
            InvitationId::new(now, 42),
            InvitationSecret::generate("9998235962181a1b2c3d4e5f6")
                .unwrap()
                .hash(),
            now,
        )
    }

    #[test]
    fn ids_sort_newest_first_and_parse_back() {
        let older = InvitationId::new(datetime!(2026-11-22 10:00 UTC), 1);
        let newer = InvitationId::new(datetime!(2026-11-22 10:00:01 UTC), 1);
        assert!(newer < older);
        assert_eq!(InvitationId::parse(older.as_str()), Ok(older.clone()));
        assert_eq!(older.bucket(), &older.as_str()[..5]);
        for bad in [
            "",
            "123",
            "zzzzzzzzzzzzzzzzzzzzzzzzz",
            // 25 bytes with a two-byte character across the digits' end (found by the
            // query_strings fuzz target: it used to panic).
            "000000000000\u{e9}00000000000",
            &format!("{}A", &older.as_str()[..24]),
        ] {
            assert!(InvitationId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_pending_invitation_expires_when_its_time_has_passed() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let invitation = new_invitation(now);
        assert_eq!(invitation.expires_at, datetime!(2026-11-29 10:00 UTC));
        assert_eq!(
            invitation.status_at(now + Duration::days(7) - Duration::SECOND),
            Status::Pending
        );
        assert_eq!(
            invitation.status_at(now + Duration::days(7)),
            Status::Expired
        );
        assert!(!invitation.is_active(now + Duration::days(8)));
    }

    #[test]
    fn failed_deliveries_back_off_then_give_up() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut invitation = new_invitation(now);
        assert!(
            !invitation.delivery_due(now),
            "the creating request holds the first attempt"
        );
        assert!(invitation.delivery_due(now + Delivery::CLAIM));
        invitation.record_delivery_failure(now);
        assert_eq!(
            invitation.delivery,
            Delivery::Queued {
                attempts: 1,
                next_attempt_at: now + Duration::minutes(1)
            }
        );
        assert!(!invitation.delivery_due(now));
        for _ in 1..Delivery::MAX_ATTEMPTS {
            invitation.record_delivery_failure(now);
        }
        assert_eq!(
            invitation.delivery,
            Delivery::Failed {
                attempts: Delivery::MAX_ATTEMPTS
            }
        );
        let failures = invitation
            .history
            .iter()
            .filter(|h| h.event == Event::EmailFailed)
            .count();
        assert_eq!(failures, Delivery::MAX_ATTEMPTS as usize);
    }

    #[test]
    fn a_claim_holds_the_email_and_can_rotate_the_link() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut invitation = new_invitation(now);
        invitation.record_delivery_failure(now);
        let later = now + Duration::minutes(2);
        let new_hash = InvitationSecret::generate("9998235962181a1b2c3d4e5f6")
            .unwrap()
            .hash();
        invitation
            .claim_delivery(Some(new_hash.clone()), later)
            .unwrap();
        assert_eq!(invitation.link_hash, new_hash);
        assert!(!invitation.delivery_due(later + Duration::minutes(4)));
        assert!(invitation.delivery_due(later + Delivery::CLAIM));
        assert_eq!(
            invitation.claim_delivery(None, now + Duration::days(30)),
            Err(NotAllowed(Status::Expired))
        );
    }

    fn login(sub: &str) -> LoginId {
        LoginId {
            issuer: "https://b2c.example/".into(),
            subject: sub.into(),
        }
    }

    #[test]
    fn accepting_binds_the_login_once_and_only_for_the_invited_email() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut invitation = new_invitation(now);
        let other = EmailAddress::parse("someone@example.com").unwrap();
        assert_eq!(
            invitation.accept(login("a"), &other, now),
            Err(AcceptError::WrongEmail)
        );
        let invited = EmailAddress::parse("WILLY.URS@example.com").unwrap();
        assert_eq!(invitation.accept(login("a"), &invited, now), Ok(true));
        assert_eq!(invitation.status_at(now), Status::Accepted);
        assert_eq!(invitation.accept(login("a"), &invited, now), Ok(false));
        assert_eq!(
            invitation.accept(login("b"), &invited, now),
            Err(AcceptError::BoundElsewhere)
        );
        assert_eq!(
            invitation.status_at(now + Duration::days(30)),
            Status::Accepted,
            "accepted does not expire"
        );
    }

    #[test]
    fn only_the_bound_login_completes_and_only_once() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut invitation = new_invitation(now);
        let invited = invitation.email.clone();
        assert!(invitation.complete(&login("a"), "c1", now).is_err());
        invitation.accept(login("a"), &invited, now).unwrap();
        assert_eq!(
            invitation.complete(&login("b"), "c1", now),
            Err(AcceptError::BoundElsewhere)
        );
        assert_eq!(invitation.complete(&login("a"), "c1", now), Ok(true));
        assert_eq!(invitation.complete(&login("a"), "c1", now), Ok(false));
        assert_eq!(invitation.status_at(now), Status::Completed);
        // The same sign-in finished again (a second browser): nothing changes; another
        // login finds it used.
        assert_eq!(invitation.accept(login("a"), &invited, now), Ok(false));
        assert_eq!(
            invitation.accept(login("b"), &invited, now),
            Err(AcceptError::NotUsable(Status::Completed))
        );
        let completed = invitation
            .history
            .iter()
            .filter(|h| h.event == Event::Completed)
            .count();
        assert_eq!(completed, 1);
    }

    #[test]
    fn expired_revoked_and_completed_invitations_cannot_be_accepted() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut invitation = new_invitation(now);
        let invited = invitation.email.clone();
        let later = now + Duration::days(8);
        assert_eq!(
            invitation.accept(login("a"), &invited, later),
            Err(AcceptError::NotUsable(Status::Expired))
        );
        invitation.status = StoredStatus::Revoked;
        assert_eq!(
            invitation.accept(login("a"), &invited, now),
            Err(AcceptError::NotUsable(Status::Revoked))
        );
    }

    #[test]
    fn a_resend_restarts_the_expiry_with_a_new_link_for_pending_or_expired_only() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let staff = EmailAddress::parse("tamer@gfms.example").unwrap();
        let mut invitation = new_invitation(now);
        let later = now + Duration::days(10);
        assert_eq!(invitation.status_at(later), Status::Expired);
        let hash = InvitationSecret::generate("9998235962181a1b2c3d4e5f6")
            .unwrap()
            .hash();
        invitation.resend(hash.clone(), &staff, later).unwrap();
        assert_eq!(invitation.status_at(later), Status::Pending);
        assert_eq!(invitation.expires_at, later + Duration::days(7));
        assert_eq!(invitation.link_hash, hash);
        assert_eq!(
            invitation.history.last().map(|h| h.event),
            Some(Event::Resent)
        );
        invitation.revoke(&staff, later).unwrap();
        let refused = invitation.resend(
            InvitationSecret::generate("9998235962181a1b2c3d4e5f6")
                .unwrap()
                .hash(),
            &staff,
            later,
        );
        assert_eq!(refused, Err(NotAllowed(Status::Revoked)));
    }

    #[test]
    fn revoking_is_idempotent_and_not_for_completed_invitations() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let staff = EmailAddress::parse("tamer@gfms.example").unwrap();
        let mut invitation = new_invitation(now);
        assert_eq!(invitation.revoke(&staff, now), Ok(true));
        assert_eq!(invitation.revoke(&staff, now), Ok(false));
        assert_eq!(invitation.status_at(now), Status::Revoked);
        let mut done = new_invitation(now);
        let email = done.email.clone();
        done.accept(login("a"), &email, now).unwrap();
        done.complete(&login("a"), "c1", now).unwrap();
        assert_eq!(done.revoke(&staff, now), Err(NotAllowed(Status::Completed)));
    }

    #[test]
    fn the_history_shows_when_an_invitation_expired() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let invitation = new_invitation(now);
        assert!(
            !invitation
                .history_at(now)
                .iter()
                .any(|h| h.event == Event::Expired)
        );
        let history = invitation.history_at(now + Duration::days(8));
        let expired = history.iter().find(|h| h.event == Event::Expired).unwrap();
        assert_eq!(
            (expired.at, expired.actor.as_str()),
            (invitation.expires_at, SYSTEM_ACTOR)
        );
    }

    #[test]
    fn only_the_first_opening_is_recorded() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut invitation = new_invitation(now);
        assert!(invitation.record_opened(now));
        assert!(!invitation.record_opened(now));
        assert_eq!(
            invitation
                .history
                .iter()
                .filter(|h| h.event == Event::Opened)
                .count(),
            1
        );
    }

    #[test]
    fn expiry_days_are_bounded() {
        assert!(ExpiryDays::new(0).is_err());
        assert!(ExpiryDays::new(31).is_err());
        assert_eq!(ExpiryDays::new(30).unwrap().duration(), Duration::days(30));
    }

    #[test]
    fn an_invitation_ends_at_its_expiry_or_its_revocation_and_a_completed_one_never() {
        let created = datetime!(2026-11-22 10:00 UTC);
        let mut invitation = new_invitation(created);
        assert_eq!(invitation.ended_at(created), None);
        let later = created + Duration::days(30);
        assert_eq!(invitation.ended_at(later), Some(invitation.expires_at));
        let staff = EmailAddress::parse("tamer@gfms.example").unwrap();
        let revoked_at = created + Duration::days(1);
        assert_eq!(invitation.revoke(&staff, revoked_at), Ok(true));
        assert_eq!(invitation.ended_at(later), Some(revoked_at));
    }
}
