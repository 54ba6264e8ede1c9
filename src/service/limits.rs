//! Abuse limits: how many invitations a staff member sends per hour, how many invitation
//! emails one address receives per day from the sales staff, how many colleague
//! invitations a company sends per day and to one address (its own budgets, apart from
//! the staff's), how many unknown links one client tries per hour, how many MFA codes are checked per account per quarter of an
//! hour. Counted in the tables, so they hold across instances.

use super::{InvitationError, Limit, Services};
use crate::domain::account::CompanyId;
use crate::domain::email::EmailAddress;
use crate::domain::secret::hex;
use crate::storage::Tally;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

fn key(kind: &str, what: &str) -> String {
    format!("{kind}-{}", hex(&Sha256::digest(what.as_bytes())))
}

/// The `Limits` partition counting invitation emails to `address` (derived from it, so
/// an erasure removes it).
pub fn mail_key(address: &EmailAddress) -> String {
    key("mail", &address.normalized())
}

/// The `Limits` partition counting wrong MFA codes of `account` (the app's by the quarter
/// hour, recovery codes by the hour).
pub fn mfa_key(account: &str) -> String {
    key("mfa", account)
}

/// Whether a counter's window (a row key: `2026-11-22` a day, `2026-11-22T10` an hour,
/// `2026-11-22T10:15` a quarter of an hour) is over at `now`. Unreadable windows are
/// over: nothing counts in them any more.
pub fn window_over(window: &str, now: OffsetDateTime) -> bool {
    use time::macros::format_description;
    use time::{Date, Duration, PrimitiveDateTime, Time};
    let (Some(date), Some(rest)) = (window.get(..10), window.get(10..)) else {
        return true;
    };
    let Ok(date) = Date::parse(date, format_description!("[year]-[month]-[day]")) else {
        return true;
    };
    let start = |h: &str, m: &str| -> Option<PrimitiveDateTime> {
        let time = Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()?;
        Some(PrimitiveDateTime::new(date, time))
    };
    let (start, length) = match (rest.len(), rest.get(1..3), rest.get(4..6)) {
        (0, _, _) => (
            Some(PrimitiveDateTime::new(date, Time::MIDNIGHT)),
            Duration::DAY,
        ),
        (3, Some(h), _) if rest.starts_with('T') => (start(h, "0"), Duration::HOUR),
        (6, Some(h), Some(m)) if rest.starts_with('T') => (start(h, m), Duration::minutes(15)),
        _ => (None, Duration::ZERO),
    };
    start.is_none_or(|start| start.assume_utc() + length <= now)
}

fn hour(now: OffsetDateTime) -> (String, u64) {
    let left = 3600 - u64::from(now.minute()) * 60 - u64::from(now.second());
    (format!("{}T{:02}", now.date(), now.hour()), left.max(1))
}

fn day(now: OffsetDateTime) -> (String, u64) {
    let elapsed =
        u64::from(now.hour()) * 3600 + u64::from(now.minute()) * 60 + u64::from(now.second());
    (now.date().to_string(), (86_400 - elapsed).max(1))
}

/// A counter read before its hits are added, so that checking and counting cost one
/// read and one write.
#[derive(Debug)]
pub struct Counted {
    key: String,
    window: String,
    seen: Tally,
    limit: u32,
    retry_after: u64,
}

impl Counted {
    /// How many more hits the window takes.
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.seen.count)
    }

    pub fn retry_after(&self) -> u64 {
        self.retry_after
    }

    /// Adds `hits` (one write; a lost write reads again and decides again); `Ok(false)`
    /// when they would pass the limit, and then nothing is counted.
    async fn add(self, services: &Services, hits: u32) -> Result<bool, InvitationError> {
        Ok(services
            .limit_store
            .add(&self.key, &self.window, self.seen, hits, self.limit)
            .await?)
    }
}

async fn read_counter(
    services: &Services,
    key: String,
    (window, retry_after): (String, u64),
    limit: u32,
) -> Result<Counted, InvitationError> {
    let seen = services.limit_store.read(&key, &window).await?;
    Ok(Counted {
        key,
        window,
        seen,
        limit,
        retry_after,
    })
}

fn staff_limited(limit: u32, retry_after: u64) -> InvitationError {
    InvitationError::Limited {
        retry_after,
        limit: Limit::StaffPerHour { limit },
    }
}

/// Counts `count` invitations (or resends) by `staff` in one write; refused, counting
/// nothing, when they would pass the hourly limit.
pub async fn staff_sends(
    services: &Services,
    staff: &EmailAddress,
    count: u32,
    now: OffsetDateTime,
) -> Result<(), InvitationError> {
    staff_sends_counted(services, staff_counter(services, staff, now).await?, count).await
}

/// The staff member's hourly counter as it stands (one read): how many more invitations
/// they may send this hour, to be counted with [`staff_sends_counted`].
pub async fn staff_counter(
    services: &Services,
    staff: &EmailAddress,
    now: OffsetDateTime,
) -> Result<Counted, InvitationError> {
    let limit = services.limits.invitations_per_staff_per_hour;
    read_counter(
        services,
        key("staff", &staff.normalized()),
        hour(now),
        limit,
    )
    .await
}

/// Counts `count` invitations on a counter read by [`staff_counter`] (one write unless
/// another request wrote it meanwhile); refused, counting nothing, past the limit.
pub async fn staff_sends_counted(
    services: &Services,
    counter: Counted,
    count: u32,
) -> Result<(), InvitationError> {
    let (limit, retry_after) = (counter.limit, counter.retry_after);
    if counter.add(services, count).await? {
        Ok(())
    } else {
        Err(staff_limited(limit, retry_after))
    }
}

fn mail_limited(address: &EmailAddress, limit: u32, retry_after: u64) -> InvitationError {
    InvitationError::Limited {
        retry_after,
        limit: Limit::EmailsPerDay {
            limit,
            address: address.to_string(),
        },
    }
}

/// Refuses when `address` has had its invitation emails for today (one read, counts
/// nothing); the counter read is counted on later with [`email_counted`].
pub async fn email_allowed(
    services: &Services,
    address: &EmailAddress,
    now: OffsetDateTime,
) -> Result<Counted, InvitationError> {
    let limit = services.limits.emails_per_address_per_day;
    let counter = read_counter(services, mail_key(address), day(now), limit).await?;
    if counter.remaining() > 0 {
        Ok(counter)
    } else {
        Err(mail_limited(address, limit, counter.retry_after))
    }
}

/// Counts one invitation email to `address` on the counter [`email_allowed`] read (one
/// write unless another request wrote it meanwhile); refused past the daily limit.
pub async fn email_counted(
    services: &Services,
    address: &EmailAddress,
    counter: Counted,
) -> Result<(), InvitationError> {
    let (limit, retry_after) = (counter.limit, counter.retry_after);
    if counter.add(services, 1).await? {
        Ok(())
    } else {
        Err(mail_limited(address, limit, retry_after))
    }
}

/// Counts one invitation email to `address`; refused past the daily limit.
pub async fn email_to(
    services: &Services,
    address: &EmailAddress,
    now: OffsetDateTime,
) -> Result<(), InvitationError> {
    let counter = email_allowed(services, address, now).await?;
    email_counted(services, address, counter).await
}

/// A company's own budgets for one more colleague invitation email to `address` (its
/// administrators' invitations and resends): the company's daily total
/// (`LIMIT_MEMBER_INVITATIONS_PER_COMPANY_PER_DAY`) and its own daily count for that
/// address (`LIMIT_EMAILS_PER_ADDRESS_PER_DAY`), never the sales staff's counters. Two
/// reads; refused, counting nothing, when either is spent. Counted with [`count_sent`].
pub async fn company_allows(
    services: &Services,
    company: &CompanyId,
    address: &EmailAddress,
    now: OffsetDateTime,
) -> Result<Vec<Counted>, InvitationError> {
    let limits = &services.limits;
    let per_address = format!("{}\n{}", company.as_str(), address.normalized());
    let (total, to_address) = futures::join!(
        read_counter(
            services,
            key("company", company.as_str()),
            day(now),
            limits.member_invitations_per_company_per_day,
        ),
        read_counter(
            services,
            key("company-mail", &per_address),
            day(now),
            limits.emails_per_address_per_day,
        ),
    );
    let (total, to_address) = (total?, to_address?);
    if to_address.remaining() == 0 {
        return Err(mail_limited(
            address,
            to_address.limit,
            to_address.retry_after,
        ));
    }
    if total.remaining() == 0 {
        return Err(InvitationError::Limited {
            retry_after: total.retry_after,
            limit: Limit::CompanyPerDay { limit: total.limit },
        });
    }
    Ok(vec![total, to_address])
}

/// Counts one email on each counter read before (one write each unless another request
/// wrote it meanwhile); `false` when one of them was spent meanwhile (the others still
/// count it).
pub async fn count_sent(
    services: &Services,
    counters: Vec<Counted>,
) -> Result<bool, InvitationError> {
    let added = futures::future::join_all(counters.into_iter().map(|c| c.add(services, 1))).await;
    let mut all = true;
    for one in added {
        all &= one?;
    }
    Ok(all)
}

/// Counts one unknown link tried by `client`; `Ok(false)` when the client had used up
/// its attempts for this hour already.
pub async fn link_failed(
    services: &Services,
    client: &str,
    now: OffsetDateTime,
) -> Result<bool, InvitationError> {
    let (window, _) = hour(now);
    let limit = services.limits.failed_links_per_client_per_hour;
    Ok(services
        .limit_store
        .hit(&key("link", client), &window, limit)
        .await?)
}

/// How often a day the customer of an expired invitation may ask its sender for a new
/// link: once (the sender's daily email count applies too, as to a resend).
pub const RENEWALS_PER_DAY: u32 = 1;

/// Counts one request for a new link to `invitation`; `Ok(false)` when today's was made.
pub async fn renewal_asked(
    services: &Services,
    invitation: &str,
    now: OffsetDateTime,
) -> Result<bool, InvitationError> {
    let (window, _) = day(now);
    Ok(services
        .limit_store
        .hit(&key("renew", invitation), &window, RENEWALS_PER_DAY)
        .await?)
}

/// Gives today's request back when its note could not be sent, so that it can be asked
/// again; if that fails too, it stays counted (logged).
pub async fn renewal_not_sent(services: &Services, invitation: &str, now: OffsetDateTime) {
    let (window, _) = day(now);
    let key = key("renew", invitation);
    if let Err(e) = services.limit_store.release(&key, &window).await {
        tracing::warn!(error = %e, "a request for a new link was not given back");
    }
}

/// MFA codes checked per account in a quarter of an hour, right ones given back: at most
/// this many wrong codes are ever checked in a window.
pub const MFA_FAILURES_PER_QUARTER: u32 = 5;

/// Recovery codes checked per account in an hour, counted apart from the app's codes (in
/// the same partition, by the hour): a lock-out of the app's codes leaves the way out
/// open. A recovery code is ten random letters and digits, so this many guesses an hour
/// stay hopeless.
pub const RECOVERY_FAILURES_PER_HOUR: u32 = 5;

fn quarter(now: OffsetDateTime) -> (String, u64) {
    let minute = now.minute() - now.minute() % 15;
    let elapsed = u64::from(now.minute() - minute) * 60 + u64::from(now.second());
    (
        format!("{}T{:02}:{:02}", now.date(), now.hour(), minute),
        (900 - elapsed).max(1),
    )
}

/// One MFA attempt, counted before its code is checked.
#[derive(Debug)]
pub struct MfaAttempt {
    key: String,
    window: String,
}

/// Counts one MFA attempt of `account` before its code is checked, so that however many
/// arrive at once, at most [`MFA_FAILURES_PER_QUARTER`] app codes (or, for a
/// `recovery` code, [`RECOVERY_FAILURES_PER_HOUR`] recovery codes) are checked in a
/// window: `Ok(Err(seconds to wait))` when the window's attempts are used up. A count
/// that cannot be written (storage away, or writers racing past every retry) is an
/// error: the attempt is refused, never let through uncounted.
pub async fn mfa_attempt(
    services: &Services,
    account: &str,
    recovery: bool,
    now: OffsetDateTime,
) -> Result<Result<MfaAttempt, u64>, InvitationError> {
    let ((window, retry_after), limit) = if recovery {
        (hour(now), RECOVERY_FAILURES_PER_HOUR)
    } else {
        (quarter(now), MFA_FAILURES_PER_QUARTER)
    };
    let key = key("mfa", account);
    if services.limit_store.hit(&key, &window, limit).await? {
        Ok(Ok(MfaAttempt { key, window }))
    } else {
        Ok(Err(retry_after))
    }
}

/// Gives a right code's attempt back, so only wrong codes use up the window. If that
/// fails, the attempt stays counted (the safe side) and the failure is logged.
pub async fn mfa_attempt_succeeded(services: &Services, attempt: MfaAttempt) {
    if let Err(e) = services
        .limit_store
        .release(&attempt.key, &attempt.window)
        .await
    {
        tracing::warn!(error = %e, "a right MFA code's attempt was not given back");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_window_is_over_once_its_hour_day_or_quarter_has_passed() {
        let now = datetime!(2026-11-30 10:20 UTC);
        for (window, over) in [
            (hour(now).0.as_str(), false),
            (day(now).0.as_str(), false),
            (quarter(now).0.as_str(), false),
            ("2026-11-30T09", true),
            ("2026-11-30T10:00", true),
            ("2026-11-30T10:15", false),
            ("2026-11-29", true),
            ("2026-11-30T11", false),
            ("garbage", true),
            ("2026-11-30Tx", true),
        ] {
            assert_eq!(window_over(window, now), over, "{window}");
        }
        assert!(window_over(&day(now).0, datetime!(2026-12-01 00:00 UTC)));
    }
}
