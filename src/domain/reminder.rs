//! The one reminder an invitation nobody opened gets, `REMINDER_AFTER_DAYS` after its
//! email was sent (the `SendReminders` timer).
//!
//! Only link hashes are stored, so the first email's link cannot be sent again: the
//! reminder carries a second link to the same invitation, kept beside the current one.
//! Both open the invitation until it expires (a reminder does not restart the expiry);
//! a resend replaces both, and they then say a newer email was sent.
//!
//! Sending follows the delivery queue's discipline: claim (an ETag write that holds the
//! reminder for [`Delivery::CLAIM`]), send, record. A process stopped after the claim
//! leaves a claim that runs out, and a later run sends it; stopped after the send and
//! before the record, a later run sends it once more, as a resend's retry would.

use super::invitation::{Delivery, Event, Invitation, NotAllowed, Reminder, SYSTEM_ACTOR, Status};
use super::secret::LinkHash;
use time::{Duration, OffsetDateTime};

impl Invitation {
    /// When its latest email was sent: at its creation, or its latest resend.
    pub fn last_sent_at(&self) -> OffsetDateTime {
        self.history
            .iter()
            .rev()
            .find(|h| matches!(h.event, Event::Created | Event::Resent))
            .map_or(self.created_at, |h| h.at)
    }

    /// Whether it got its reminder.
    pub fn reminded(&self) -> bool {
        self.history.iter().any(|h| h.event == Event::Reminded)
    }

    /// Whether its reminder is to be sent at `now`: pending, its email sent `after` ago
    /// or more and never opened, not reminded yet, and no other instance sending it.
    /// Never with `after` zero (reminders are off).
    pub fn reminder_due(&self, after: Duration, now: OffsetDateTime) -> bool {
        let free = self
            .reminder
            .as_ref()
            .is_none_or(|r| r.claimed_until.is_some_and(|until| until <= now));
        after.is_positive()
            && self.status_at(now) == Status::Pending
            && self.delivery == Delivery::Sent
            && !self.history.iter().any(|h| h.event == Event::Opened)
            && !self.reminded()
            && self.last_sent_at() + after <= now
            && free
    }

    /// Takes the reminder for one attempt with its new link. A link of an earlier claim
    /// (whose instance stopped, maybe after sending) is kept among the replaced ones.
    pub fn claim_reminder(
        &mut self,
        link: LinkHash,
        now: OffsetDateTime,
    ) -> Result<(), NotAllowed> {
        let status = self.status_at(now);
        if status != Status::Pending || self.reminded() {
            return Err(NotAllowed(status));
        }
        if let Some(earlier) = self.reminder.take() {
            self.previous_links.push(earlier.link_hash);
        }
        self.reminder = Some(Reminder {
            link_hash: link,
            claimed_until: Some(now + Delivery::CLAIM),
        });
        Ok(())
    }

    /// Records the attempt: sent (history `reminded`, its link stays), or not (the claim
    /// and its link go; the next run tries again). Whether anything changed.
    pub fn record_reminder(&mut self, sent: bool, now: OffsetDateTime) -> bool {
        let claimed = self
            .reminder
            .as_ref()
            .is_some_and(|r| r.claimed_until.is_some());
        if !claimed || self.reminded() {
            return false;
        }
        if sent {
            if let Some(reminder) = &mut self.reminder {
                reminder.claimed_until = None;
            }
            self.push(now, Event::Reminded, SYSTEM_ACTOR);
        } else {
            self.reminder = None;
        }
        true
    }

    /// Whether `hash` is a link that opens it now: its current one or its reminder's.
    pub fn opens_with(&self, hash: &LinkHash) -> bool {
        self.link_hash.matches(hash)
            || self
                .reminder
                .as_ref()
                .is_some_and(|r| r.link_hash.matches(hash))
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::email::EmailAddress;
    use crate::domain::invitation::*;
    use crate::domain::secret::InvitationSecret;
    use time::Duration;
    use time::macros::datetime;

    fn sent_invitation() -> (Invitation, time::OffsetDateTime) {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut invitation = crate::domain::invitation::tests::new_invitation(now);
        invitation.record_delivery_success(now);
        (invitation, now)
    }

    #[test]
    fn due_once_after_the_days_then_never_again() {
        let (mut invitation, sent) = sent_invitation();
        let after = Duration::days(3);
        assert!(!invitation.reminder_due(after, sent + Duration::days(2)));
        let now = sent + Duration::days(3);
        assert!(invitation.reminder_due(after, now));
        assert!(!invitation.reminder_due(Duration::ZERO, now), "0 is off");
        let secret = InvitationSecret::generate(invitation.id.as_str()).unwrap();
        invitation.claim_reminder(secret.hash(), now).unwrap();
        assert!(!invitation.reminder_due(after, now), "claimed");
        assert!(invitation.opens_with(&secret.hash()));
        assert!(invitation.record_reminder(true, now));
        assert!(invitation.reminded());
        assert!(!invitation.reminder_due(after, now + Delivery::CLAIM));
        assert!(invitation.claim_reminder(secret.hash(), now).is_err());
        assert!(
            invitation.opens_with(&secret.hash()),
            "the reminder's link works"
        );
    }

    #[test]
    fn a_claim_that_ran_out_is_taken_again_and_a_failure_frees_it() {
        let (mut invitation, sent) = sent_invitation();
        let now = sent + Duration::days(3);
        let first = InvitationSecret::generate(invitation.id.as_str()).unwrap();
        invitation.claim_reminder(first.hash(), now).unwrap();
        let later = now + Delivery::CLAIM;
        assert!(invitation.reminder_due(Duration::days(3), later));
        let second = InvitationSecret::generate(invitation.id.as_str()).unwrap();
        invitation.claim_reminder(second.hash(), later).unwrap();
        assert!(invitation.had_link(&first.hash()));
        assert!(invitation.record_reminder(false, later));
        assert!(!invitation.opens_with(&second.hash()));
        assert!(invitation.reminder_due(Duration::days(3), later));
    }

    #[test]
    fn not_due_once_opened_revoked_or_expired_and_a_resend_replaces_both_links() {
        let (invitation, sent) = sent_invitation();
        let after = Duration::days(3);
        let now = sent + after;
        let mut opened = invitation.clone();
        opened.record_opened(sent + Duration::hours(1));
        assert!(!opened.reminder_due(after, now));
        let mut revoked = invitation.clone();
        let staff = EmailAddress::parse("tamer@gfms.example").unwrap();
        revoked.revoke(&staff, sent).unwrap();
        assert!(!revoked.reminder_due(after, now));
        assert!(!invitation.reminder_due(after, invitation.expires_at));
        let mut reminded = invitation.clone();
        let link = InvitationSecret::generate(invitation.id.as_str()).unwrap();
        reminded.claim_reminder(link.hash(), now).unwrap();
        reminded.record_reminder(true, now);
        let renewed = InvitationSecret::generate(invitation.id.as_str()).unwrap();
        reminded.resend(renewed.hash(), &staff, now).unwrap();
        assert!(!reminded.opens_with(&link.hash()));
        assert!(reminded.had_link(&link.hash()));
    }
}
