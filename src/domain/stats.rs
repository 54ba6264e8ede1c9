//! The sales figures: how many invitations sent on a day reached each step (sent,
//! opened, accepted, completed, revoked, expired), and how long completed ones took.
//!
//! Each invitation adds its [`Tally::of`] to its send day's figures; a change of the
//! invitation adds the difference between its tally after and before ([`Tallies::change`]),
//! so the figures always equal a recount of the invitations. `expired` is decided when
//! it is read (an invitation expires by time passing, not by a write): a pending
//! invitation keeps its expiry in `pending_until`, counted as expired once that time is
//! past ([`Tally::figures`]).

use super::FieldError;
use super::invitation::{Event, Invitation, StoredStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset};

/// Whether `invitation` is in the figures (see [`Invitation::in_figures`]).
pub fn counted(invitation: &Invitation) -> bool {
    invitation.in_figures
}

/// What invitations of one send day and one inviter add up to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    #[serde(default, rename = "s")]
    pub sent: u32,
    #[serde(default, rename = "o")]
    pub opened: u32,
    #[serde(default, rename = "a")]
    pub accepted: u32,
    #[serde(default, rename = "c")]
    pub completed: u32,
    #[serde(default, rename = "r")]
    pub revoked: u32,
    /// Expired, then resent (the expiry is kept in their history).
    #[serde(default, rename = "e")]
    pub expired: u32,
    /// The expiry (Unix seconds) of each pending invitation that has not expired before:
    /// counted as expired once it is past.
    #[serde(default, rename = "p", skip_serializing_if = "Vec::is_empty")]
    pub pending_until: Vec<i64>,
    /// Seconds from sent to completed, one per completed invitation (the median is exact).
    #[serde(default, rename = "h", skip_serializing_if = "Vec::is_empty")]
    pub to_complete: Vec<i64>,
}

impl Tally {
    /// What one invitation adds to its send day's figures.
    pub fn of(invitation: &Invitation) -> Self {
        let has = |event: Event| invitation.history.iter().any(|h| h.event == event);
        let expired_before = has(Event::Expired);
        let completed_at = invitation
            .history
            .iter()
            .find(|h| h.event == Event::Completed)
            .map(|h| h.at);
        let completed = invitation.status == StoredStatus::Completed;
        Self {
            sent: 1,
            opened: u32::from(has(Event::Opened)),
            accepted: u32::from(has(Event::Accepted)),
            completed: u32::from(completed),
            revoked: u32::from(invitation.status == StoredStatus::Revoked),
            expired: u32::from(expired_before),
            pending_until: if invitation.status == StoredStatus::Pending && !expired_before {
                vec![invitation.expires_at.unix_timestamp()]
            } else {
                vec![]
            },
            to_complete: match completed_at {
                Some(at) if completed => vec![(at - invitation.created_at).whole_seconds()],
                _ => vec![],
            },
        }
    }

    fn add(&mut self, other: &Self) {
        self.sent += other.sent;
        self.opened += other.opened;
        self.accepted += other.accepted;
        self.completed += other.completed;
        self.revoked += other.revoked;
        self.expired += other.expired;
        self.pending_until.extend(&other.pending_until);
        self.to_complete.extend(&other.to_complete);
    }

    /// Takes `other` away; saturating, so a row written before an invitation was counted
    /// never goes below zero.
    fn take(&mut self, other: &Self) {
        self.sent = self.sent.saturating_sub(other.sent);
        self.opened = self.opened.saturating_sub(other.opened);
        self.accepted = self.accepted.saturating_sub(other.accepted);
        self.completed = self.completed.saturating_sub(other.completed);
        self.revoked = self.revoked.saturating_sub(other.revoked);
        self.expired = self.expired.saturating_sub(other.expired);
        for value in &other.pending_until {
            remove_one(&mut self.pending_until, *value);
        }
        for value in &other.to_complete {
            remove_one(&mut self.to_complete, *value);
        }
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The figures as of `now`, with the seconds to complete of each completed one.
    pub fn figures(&self, now: OffsetDateTime) -> Figures {
        let now = now.unix_timestamp();
        Figures {
            sent: self.sent,
            opened: self.opened,
            accepted: self.accepted,
            completed: self.completed,
            revoked: self.revoked,
            expired: self.expired
                + self.pending_until.iter().filter(|&&at| at <= now).count() as u32,
            to_complete: self.to_complete.clone(),
        }
    }
}

fn remove_one(list: &mut Vec<i64>, value: i64) {
    if let Some(index) = list.iter().position(|v| *v == value) {
        list.swap_remove(index);
    }
}

/// The tallies of one send day (in one shard), by inviter (their email, or `erased`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tallies(pub BTreeMap<String, Tally>);

impl Tallies {
    /// Adds a change of one invitation: its tally `after` minus its tally `before`
    /// (`None`: it was not counted yet).
    /// Whether changing `before` into `after` changes any figure (their inviter's tally):
    /// an email's outcome, a delivery claim or a reminder does not.
    pub fn changed_by(before: &Invitation, after: &Invitation) -> bool {
        counted(before) != counted(after)
            || inviter_key(before) != inviter_key(after)
            || Tally::of(before) != Tally::of(after)
    }

    pub fn change(&mut self, before: Option<&Invitation>, after: &Invitation) {
        if let Some(before) = before {
            self.entry(before).take(&Tally::of(before));
        }
        self.entry(after).add(&Tally::of(after));
        self.0.retain(|_, tally| !tally.is_empty());
    }

    fn entry(&mut self, invitation: &Invitation) -> &mut Tally {
        self.0.entry(inviter_key(invitation)).or_default()
    }

    /// The sum of the tallies of `inviter` (everyone's with `None`).
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a Tallies>, inviter: Option<&str>) -> Tally {
        let mut sum = Tally::default();
        for tallies in all {
            for (key, tally) in &tallies.0 {
                if inviter.is_none_or(|wanted| wanted == key) {
                    sum.add(tally);
                }
            }
        }
        sum
    }
}

/// How an inviter is named in the figures: their email's normalized form, or
/// [`super::invitation::ERASED_INVITER`].
pub fn inviter_key(invitation: &Invitation) -> String {
    invitation.invited_by.as_ref().map_or_else(
        || super::invitation::ERASED_INVITER.to_owned(),
        |inviter| inviter.email.normalized(),
    )
}

/// Why an invitation needs a nudge from its sales person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nudge {
    /// Pending, and its link was never opened `after_days` after it was sent.
    Unopened,
    /// Expired unused, and not resent.
    Expired,
}

impl Nudge {
    /// Whether `invitation` needs a nudge at `now`, and which; `after_days` 0: only
    /// expired ones do.
    pub fn of(invitation: &Invitation, after_days: u32, now: OffsetDateTime) -> Option<Self> {
        match invitation.status_at(now) {
            super::invitation::Status::Expired => Some(Self::Expired),
            super::invitation::Status::Pending
                if after_days > 0
                    && invitation.created_at + Duration::days(i64::from(after_days)) <= now
                    && !invitation.history.iter().any(|h| h.event == Event::Opened) =>
            {
                Some(Self::Unopened)
            }
            _ => None,
        }
    }
}

/// The send days a figures request covers: `from` to `to` (not included), UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// The longest period one request covers.
    pub const MAX_DAYS: i64 = 366;
    /// The period without `from`: the 30 days ending with `to`'s.
    pub const DEFAULT_DAYS: i64 = 30;

    /// The whole days `[from, to)` touches: a `from` inside a day starts at that day's
    /// midnight, a `to` inside a day ends at the next midnight (UTC). Without `to`: up to
    /// the end of today; without `from`: [`Self::DEFAULT_DAYS`] before `to`.
    pub fn new(
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<Self, FieldError> {
        let to = to.unwrap_or(now).to_offset(UtcOffset::UTC);
        let to_day = if to.time() == Time::MIDNIGHT {
            to.date()
        } else {
            to.date().next_day().unwrap_or(to.date())
        };
        let from_day = match from {
            Some(from) => from.to_offset(UtcOffset::UTC).date(),
            None => to_day - Duration::days(Self::DEFAULT_DAYS),
        };
        let days = (to_day - from_day).whole_days();
        if !(1..=Self::MAX_DAYS).contains(&days) {
            return Err(FieldError::Period {
                max_days: Self::MAX_DAYS,
            });
        }
        Ok(Self {
            from: from_day,
            to: to_day,
        })
    }

    pub fn starts(&self) -> OffsetDateTime {
        self.from.midnight().assume_utc()
    }

    pub fn ends(&self) -> OffsetDateTime {
        self.to.midnight().assume_utc()
    }
}

/// The figures of a period as of a moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub sent: u32,
    pub opened: u32,
    pub accepted: u32,
    pub completed: u32,
    pub revoked: u32,
    pub expired: u32,
    to_complete: Vec<i64>,
}

impl Figures {
    /// The median time from sent to completed, in hours (two decimals); `None` when
    /// nothing was completed.
    pub fn median_hours_to_complete(&self) -> Option<f64> {
        let mut seconds = self.to_complete.clone();
        seconds.sort_unstable();
        let n = seconds.len();
        let median = match n {
            0 => return None,
            _ if n % 2 == 1 => seconds[n / 2] as f64,
            _ => (seconds[n / 2 - 1] as f64 + seconds[n / 2] as f64) / 2.0,
        };
        Some((median / 36.0).round() / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invitation::LoginId;
    use crate::domain::properties::invitation as pending;
    use time::macros::datetime;

    #[test]
    fn a_change_moves_an_invitation_along_its_steps_and_never_counts_it_twice() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let sent = pending(now);
        let mut tallies = Tallies::default();
        tallies.change(None, &sent);
        let mut opened = sent.clone();
        assert!(opened.record_opened(now + Duration::hours(1)));
        tallies.change(Some(&sent), &opened);
        let login = LoginId {
            issuer: "https://idp".into(),
            subject: "s".into(),
        };
        let mut accepted = opened.clone();
        let email = accepted.email.clone();
        accepted
            .accept(login.clone(), &email, now + Duration::hours(2))
            .unwrap();
        tallies.change(Some(&opened), &accepted);
        let mut completed = accepted.clone();
        completed
            .complete(&login, "c1", now + Duration::hours(3))
            .unwrap();
        tallies.change(Some(&accepted), &completed);

        let sum = Tallies::sum([&tallies], None);
        let figures = sum.figures(now + Duration::days(30));
        assert_eq!(
            (
                figures.sent,
                figures.opened,
                figures.accepted,
                figures.completed
            ),
            (1, 1, 1, 1)
        );
        assert_eq!((figures.revoked, figures.expired), (0, 0));
        assert_eq!(figures.median_hours_to_complete(), Some(3.0));
        assert_eq!(tallies, {
            let mut direct = Tallies::default();
            direct.change(None, &completed);
            direct
        });
    }

    #[test]
    fn a_pending_invitation_counts_as_expired_once_its_expiry_is_past() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let sent = pending(now);
        let mut tallies = Tallies::default();
        tallies.change(None, &sent);
        let sum = Tallies::sum([&tallies], None);
        assert_eq!(
            sum.figures(sent.expires_at - Duration::seconds(1)).expired,
            0
        );
        assert_eq!(sum.figures(sent.expires_at).expired, 1);
        // Only its inviter's figures hold it.
        assert_eq!(Tallies::sum([&tallies], Some("nobody@example.com")).sent, 0);
        assert_eq!(Tallies::sum([&tallies], Some(&inviter_key(&sent))).sent, 1);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let figures = Figures {
            to_complete: vec![7200, 3600, 36000, 10800],
            ..Figures::default()
        };
        assert_eq!(figures.median_hours_to_complete(), Some(2.5));
        assert_eq!(Figures::default().median_hours_to_complete(), None);
    }

    #[test]
    fn a_period_covers_the_whole_days_it_touches() {
        let now = datetime!(2026-12-05 13:20 UTC);
        let default = Period::new(None, None, now).unwrap();
        assert_eq!(default.starts(), datetime!(2026-11-06 00:00 UTC));
        assert_eq!(default.ends(), datetime!(2026-12-06 00:00 UTC));
        let inside = Period::new(
            Some(datetime!(2026-11-01 10:00 +02:00)),
            Some(datetime!(2026-11-03 00:00 UTC)),
            now,
        )
        .unwrap();
        assert_eq!(inside.starts(), datetime!(2026-11-01 00:00 UTC));
        assert_eq!(inside.ends(), datetime!(2026-11-03 00:00 UTC));
        let year = Period::new(Some(datetime!(2025-12-05 00:00 UTC)), None, now);
        assert!(year.is_ok(), "366 days");
        for (from, to) in [
            (datetime!(2024-12-01 00:00 UTC), now),
            (
                datetime!(2026-11-03 00:00 UTC),
                datetime!(2026-11-03 00:00 UTC),
            ),
            (
                datetime!(2026-11-04 00:00 UTC),
                datetime!(2026-11-03 00:00 UTC),
            ),
        ] {
            assert_eq!(
                Period::new(Some(from), Some(to), now),
                Err(FieldError::Period { max_days: 366 })
            );
        }
    }

    #[test]
    fn an_unopened_invitation_needs_a_nudge_after_the_days_and_an_expired_one_always() {
        let now = datetime!(2026-12-05 13:20 UTC);
        let mut sent = pending(now);
        assert_eq!(
            Nudge::of(&sent, 3, now + Duration::days(3) - Duration::seconds(1)),
            None
        );
        assert_eq!(
            Nudge::of(&sent, 3, now + Duration::days(3)),
            Some(Nudge::Unopened)
        );
        assert_eq!(Nudge::of(&sent, 0, now + Duration::days(3)), None, "0: off");
        assert_eq!(Nudge::of(&sent, 0, sent.expires_at), Some(Nudge::Expired));
        assert!(sent.record_opened(now + Duration::days(1)));
        assert_eq!(Nudge::of(&sent, 3, now + Duration::days(4)), None, "opened");
    }
}
