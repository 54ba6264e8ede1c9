//! Every PartitionKey and RowKey the stores write, by name: one place to read how rows
//! are keyed, and the only place a key's literal appears.
//!
//! | table | PartitionKey | RowKey |
//! |---|---|---|
//! | Accounts | [`account_partition`] `acct-{id}` | [`PROFILE_ROW`], [`LANGUAGE_ROW`], [`MFA_ROW`], [`membership_row`] `company-{id}`, [`listed_login_row`] `login-{sha256}`, [`passkey_row`] `passkey-{id}` |
//! | Accounts | [`login_partition`] `login-{sha256}` | [`LOGIN_ROW`] |
//! | Accounts | [`email_partition`] `email-{sha256}` | [`EMAIL_ROW`] |
//! | Accounts | [`object_partition`] `object-{sha256(tid, oid)}` | [`OBJECT_ROW`] |
//! | Companies | the company id | [`COMPANY_ROW`], [`ROSTER_ROW`], [`history_row`] `history-{ms}-{hex}`, [`invited_row`] `invited-{invitation id}`: a pending colleague invitation, as the company page shows it |
//! | Companies | [`COMPANY_LIST_PARTITION`] `companies` | the company id |
//! | InvitationIndex | [`email_partition`] | [`active_row`]: [`ACTIVE_ROW`] `active`, or `active-{company id}` for a colleague invitation |
//! | InvitationIndex | [`link_partition`] `link-{sha256}` | [`LINK_ROW`] |
//! | PrivacyRequests | [`request_partition`] `{yyyy}-{mm}` | [`request_row`] `{countdown ms}-{hex}` |
//! | Events | [`event_queue_partition`] `evq-{hex}` | the event id |
//! | Invitations | the id's [`InvitationId::bucket`] | the invitation id; [`stats_row`] `~stats-{yyyymmdd}-{shard}`: the sales figures of the invitations sent that day, beside them |
//! | InvitationIndex | [`mail_queue_partition`] `mailq-{hex}` (or [`LEGACY_MAIL_QUEUE`]) | the invitation id |

use super::edm;
use crate::domain::account::{AccountId, CompanyId, login_key, object_key};
use crate::domain::email::EmailAddress;
use crate::domain::ids::ObjectId;
use crate::domain::invitation::{InvitationId, LoginId};
use crate::domain::secret::{LinkHash, hex};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// An account's own partition.
pub fn account_partition(account: &AccountId) -> String {
    format!("acct-{}", account.as_str())
}

/// An account's profile (its email, when it was made).
pub const PROFILE_ROW: &str = "profile";
/// The language an account's person reads.
pub const LANGUAGE_ROW: &str = "language";
/// An account's MFA secret (sealed) and its dates.
pub const MFA_ROW: &str = "mfa";

/// The account-side row of a membership.
pub const MEMBERSHIP_PREFIX: &str = "company-";

pub fn membership_row(company: &CompanyId) -> String {
    format!("{MEMBERSHIP_PREFIX}{}", company.as_str())
}

/// One of an account's passkeys.
pub const PASSKEY_PREFIX: &str = "passkey-";

pub fn passkey_row(id: &str) -> String {
    format!("{PASSKEY_PREFIX}{id}")
}

/// The account-side row that lists one of its logins.
pub const LISTED_LOGIN_PREFIX: &str = "login-";

pub fn listed_login_row(login: &LoginId) -> String {
    format!("{LISTED_LOGIN_PREFIX}{}", login_key(login))
}

/// The partition that leads from a login to its account, in [`LOGIN_ROW`].
pub fn login_partition(login: &LoginId) -> String {
    format!("login-{}", login_key(login))
}

pub const LOGIN_ROW: &str = "login";

/// The partition that leads a person's tenant and object id to their account, in
/// [`OBJECT_ROW`].
pub fn object_partition(object: &ObjectId) -> String {
    format!("object-{}", object_key(object))
}

pub const OBJECT_ROW: &str = "object";

/// An email's partition (in Accounts: whether it has an account; in the invitation
/// index: its active invitation).
pub fn email_partition(email: &EmailAddress) -> String {
    format!(
        "email-{}",
        hex(&Sha256::digest(email.normalized().as_bytes()))
    )
}

/// The row that says an email has an account.
pub const EMAIL_ROW: &str = "account";

/// A company's own row, in its partition of Companies.
pub const COMPANY_ROW: &str = "company";
/// A company's roster of members.
pub const ROSTER_ROW: &str = "members";
/// The companies list: one row per company, keyed by its id (newest first). No company
/// id can be this: an id is `c` and an invitation id, all digits and hex.
pub const COMPANY_LIST_PARTITION: &str = "companies";
/// One event of a company's membership history, oldest first.
pub const HISTORY_PREFIX: &str = "history-";

pub fn history_row(millis: i128, random: u32) -> String {
    format!("{HISTORY_PREFIX}{millis:013}-{random:08x}")
}

/// A colleague invitation of the company that is pending or accepted (expired ones too,
/// until they are purged: the reader decides by the row's expiry), with what the company
/// page shows of it, so the page lists them with one query of the company's partition.
pub const INVITED_PREFIX: &str = "invited-";

/// The row of the invitation with id `invitation` (as stored: a row of a gone invitation
/// is still removed by it).
pub fn invited_row(invitation: &str) -> String {
    format!("{INVITED_PREFIX}{invitation}")
}

/// Which invitation a link belongs to (links sent before they carried the id).
pub const LINK_ROW: &str = "link";

pub fn link_partition(hash: &LinkHash) -> String {
    format!("link-{}", hash.as_str())
}

/// The one active invitation of an email (a company invitation, the sales staff's).
pub const ACTIVE_ROW: &str = "active";

/// The lock row of an invitation in its email's partition: [`ACTIVE_ROW`] for a company
/// invitation, `active-{company id}` for a colleague invitation into that company, so a
/// company's colleague invitations are keyed by company and email and never meet (nor
/// reveal) anyone else's.
pub fn active_row(joins: Option<&CompanyId>) -> String {
    match joins {
        None => ACTIVE_ROW.to_owned(),
        Some(company) => format!("{ACTIVE_ROW}-{}", company.as_str()),
    }
}

/// The first key after every invitation id in an Invitations partition: rows from here
/// on are not invitations (the sales figures, [`stats_row`]).
pub const AFTER_INVITATIONS: &str = "~";

/// The rows of sales figures, after the invitations of their partition.
pub const STATS_PREFIX: &str = "~stats-";

/// How many rows share one day's figures in a partition, so that concurrent creates
/// (a bulk) take turns on several rows instead of one.
pub const STATS_SHARDS: u32 = 8;

/// The figures row an invitation counts in: its send day (UTC) and a shard chosen by
/// its id's last (random) hex digit.
pub fn stats_row(id: &InvitationId, sent_on: time::Date) -> String {
    let digit = id
        .as_str()
        .chars()
        .last()
        .and_then(|c| c.to_digit(16))
        .unwrap_or(0);
    format!("{}-{}", stats_day_key(sent_on), digit % STATS_SHARDS)
}

/// The start of a day's figures rows (`~stats-20261205`); the shards follow it.
pub fn stats_day_key(day: time::Date) -> String {
    format!(
        "{STATS_PREFIX}{:04}{:02}{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// The delivery queue's one partition before it was spread; still read and emptied.
pub const LEGACY_MAIL_QUEUE: &str = "mailq";

/// The delivery queue's partition for an invitation: `mailq-` and the id's last (random)
/// hex digit, so a burst of invitations spreads its queue writes over 16 partitions.
pub fn mail_queue_partition(id: &InvitationId) -> String {
    let digit = id.as_str().chars().last().unwrap_or('0');
    format!("{LEGACY_MAIL_QUEUE}-{digit}")
}

/// An event's partition in Events: `evq-` and its id's last (random) hex digit, so a
/// burst of changes spreads its outbox writes over 16 partitions.
pub fn event_queue_partition(id: &crate::domain::event::EventId) -> String {
    format!("evq-{}", id.spread())
}

/// A query filter for every row of the delivery queue, old partition and new ones.
pub fn mail_queue_filter() -> String {
    format!("PartitionKey ge '{LEGACY_MAIL_QUEUE}' and PartitionKey lt 'mailr'")
}

/// A personal-data request's partition in PrivacyRequests: its month (`2026-11`).
pub fn request_partition(at: OffsetDateTime) -> String {
    format!("{}-{:02}", at.year(), u8::from(at.month()))
}

/// A personal-data request's row: newest first within a month (the key counts down from
/// the time), then random digits.
pub fn request_row(at: OffsetDateTime, random: u32) -> String {
    let millis = u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    format!(
        "{:013}-{random:08x}",
        9_999_999_999_999u64.saturating_sub(millis)
    )
}

/// A query filter for the rows of `partition` whose RowKey starts with `prefix` (a prefix
/// ending in `-`: the range up to the same prefix ending in `.`, the next character).
pub fn rows_starting_with(partition: &str, prefix: &str) -> String {
    format!(
        "PartitionKey eq {} and {}",
        edm::string_literal(partition),
        row_keys_starting_with(prefix)
    )
}

/// The RowKey range of [`rows_starting_with`] alone, to combine with other conditions.
pub fn row_keys_starting_with(prefix: &str) -> String {
    let stem = prefix.trim_end_matches('-');
    format!("RowKey gt '{stem}-' and RowKey lt '{stem}.'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_filter_is_the_range_the_stores_have_always_asked_for() {
        assert_eq!(
            rows_starting_with("acct-a", MEMBERSHIP_PREFIX),
            "PartitionKey eq 'acct-a' and RowKey gt 'company-' and RowKey lt 'company.'"
        );
        assert_eq!(history_row(42, 0xab), "history-0000000000042-000000ab");
        let at = time::macros::datetime!(2026-11-30 21:00 UTC);
        assert_eq!(request_partition(at), "2026-11");
        assert!(request_row(at, 1) > request_row(at + time::Duration::SECOND, 1));
    }
}
