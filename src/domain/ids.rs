//! The identifiers the invitation and the account both name: an invitation's id and a
//! login at an identity provider. Apart from both, so neither module imports the other
//! back (`invitation` re-exports them where they were first defined).

use std::fmt;
use time::OffsetDateTime;

/// Identifier of an invitation: 13 digits that count down with its creation time (so the
/// natural key order is newest first) followed by 12 random hex digits. Public, not secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvitationId(String);

const ID_TIME_DIGITS: usize = 13;
const ID_RANDOM_DIGITS: usize = 12;
const ID_TIME_CEILING: i128 = 9_999_999_999_999;
/// Ids sharing their first digits were created within the same ~28 hours; the storage
/// groups them in one partition.
const ID_BUCKET_DIGITS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not an invitation id")]
pub struct MalformedId;

impl InvitationId {
    pub fn new(created_at: OffsetDateTime, random: u64) -> Self {
        let millis = created_at.unix_timestamp_nanos() / 1_000_000;
        let countdown = (ID_TIME_CEILING - millis).clamp(0, ID_TIME_CEILING);
        Self(format!("{countdown:013}{:012x}", random & 0xffff_ffff_ffff))
    }

    pub fn parse(input: &str) -> Result<Self, MalformedId> {
        // ASCII first: slicing at a byte offset inside a multi-byte character would panic.
        let valid = input.len() == ID_TIME_DIGITS + ID_RANDOM_DIGITS
            && input.is_ascii()
            && input[..ID_TIME_DIGITS].bytes().all(|b| b.is_ascii_digit())
            && input[ID_TIME_DIGITS..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(Self(input.to_owned()))
        } else {
            Err(MalformedId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The storage partition: the id's leading digits.
    pub fn bucket(&self) -> &str {
        &self.0[..ID_BUCKET_DIGITS]
    }
}

impl fmt::Display for InvitationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A login at an identity provider: its issuer and subject. Emails are not identities.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoginId {
    pub issuer: String,
    pub subject: String,
}

/// A person as the customer directory names them to every application of the tenant:
/// the tenant id and the person's object id (`tid`, `oid`). External ID's `sub` differs
/// per application, so the product's token names the person by these (Entra's
/// `user.id`), and the claims provider finds the account by them. GUIDs: compared
/// without regard to case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ObjectId {
    pub tenant: String,
    pub object: String,
}

impl ObjectId {
    /// Both parts non-empty, at most 64 visible ASCII characters (a GUID is 36).
    pub fn new(tenant: &str, object: &str) -> Option<Self> {
        let part = |s: &str| {
            let s = s.trim();
            (!s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_graphic()))
                .then(|| s.to_ascii_lowercase())
        };
        Some(Self {
            tenant: part(tenant)?,
            object: part(object)?,
        })
    }
}
