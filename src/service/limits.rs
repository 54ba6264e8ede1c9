//! Abuse limits: how many invitations a staff member sends per hour, how many invitation
//! emails one address receives per day (whatever the route), how many unknown links one
//! client tries per hour. Counted in the tables, so they hold across instances.

use super::{InvitationError, Services};
use crate::domain::email::EmailAddress;
use crate::domain::secret::hex;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

fn key(kind: &str, what: &str) -> String {
    format!("{kind}-{}", hex(&Sha256::digest(what.as_bytes())))
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

/// Counts one invitation (or resend) by `staff`; refused past the hourly limit.
pub async fn staff_sends(
    services: &Services,
    staff: &EmailAddress,
    count: u32,
    now: OffsetDateTime,
) -> Result<(), InvitationError> {
    let limit = services.limits.invitations_per_staff_per_hour;
    let (window, retry_after) = hour(now);
    let key = key("staff", &staff.normalized());
    for _ in 0..count {
        if !services.limit_store.hit(&key, &window, limit).await? {
            return Err(InvitationError::Limited {
                retry_after,
                detail: format!(
                    "You can send at most {limit} invitations an hour. Try again later."
                ),
            });
        }
    }
    Ok(())
}

/// How many more invitations `staff` may send this hour.
pub async fn staff_remaining(
    services: &Services,
    staff: &EmailAddress,
    now: OffsetDateTime,
) -> Result<(u32, u64), InvitationError> {
    let limit = services.limits.invitations_per_staff_per_hour;
    let (window, retry_after) = hour(now);
    let used = services
        .limit_store
        .count(&key("staff", &staff.normalized()), &window)
        .await?;
    Ok((limit.saturating_sub(used), retry_after))
}

fn mail_limited(address: &EmailAddress, limit: u32, retry_after: u64) -> InvitationError {
    InvitationError::Limited {
        retry_after,
        detail: format!(
            "{address} has already received {limit} invitation emails today. Try again tomorrow."
        ),
    }
}

/// Refuses when `address` has had its invitation emails for today (counts nothing).
pub async fn email_allowed(
    services: &Services,
    address: &EmailAddress,
    now: OffsetDateTime,
) -> Result<(), InvitationError> {
    let limit = services.limits.emails_per_address_per_day;
    let (window, retry_after) = day(now);
    let sent = services
        .limit_store
        .count(&key("mail", &address.normalized()), &window)
        .await?;
    if sent < limit {
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
    let limit = services.limits.emails_per_address_per_day;
    let (window, retry_after) = day(now);
    if services
        .limit_store
        .hit(&key("mail", &address.normalized()), &window, limit)
        .await?
    {
        Ok(())
    } else {
        Err(mail_limited(address, limit, retry_after))
    }
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

/// Wrong MFA codes allowed per account in a quarter of an hour.
pub const MFA_FAILURES_PER_QUARTER: u32 = 5;

fn quarter(now: OffsetDateTime) -> (String, u64) {
    let minute = now.minute() - now.minute() % 15;
    let elapsed = u64::from(now.minute() - minute) * 60 + u64::from(now.second());
    (
        format!("{}T{:02}:{:02}", now.date(), now.hour(), minute),
        (900 - elapsed).max(1),
    )
}

/// `Some(seconds to wait)` when `account` has used up its wrong MFA codes.
pub async fn mfa_blocked(
    services: &Services,
    account: &str,
    now: OffsetDateTime,
) -> Result<Option<u64>, InvitationError> {
    let (window, retry_after) = quarter(now);
    let used = services
        .limit_store
        .count(&key("mfa", account), &window)
        .await?;
    Ok((used >= MFA_FAILURES_PER_QUARTER).then_some(retry_after))
}

/// Counts one wrong MFA code for `account`.
pub async fn mfa_failed(
    services: &Services,
    account: &str,
    now: OffsetDateTime,
) -> Result<(), InvitationError> {
    let (window, _) = quarter(now);
    services
        .limit_store
        .hit(&key("mfa", account), &window, MFA_FAILURES_PER_QUARTER)
        .await?;
    Ok(())
}
