//! Rows of the `InvitationIndex` table, which let the service find an invitation without
//! scanning the `Invitations` table:
//!
//! | PartitionKey     | RowKey          | what it answers                                  |
//! |------------------|-----------------|--------------------------------------------------|
//! | `link-{sha256}`  | `link`          | which invitation a link belongs to (links sent before they carried the id; no longer written) |
//! | `email-{sha256}` | `active`        | the one active invitation of an email (the lock that makes a second create a 409) |
//! | `email-{sha256}` | `{id}`          | every invitation of an email, newest first       |
//! | `mailq-{0…f}`    | `{id}`          | invitations whose email may still need sending (16 partitions by the id's last digit; `mailq` alone before); holds the whole invitation, its outbox, until the invitation's row is written |
//!
//! Emails are keyed by the SHA-256 of their lower-cased form: table keys may not hold
//! `/`, `#` or `?`, which addresses may.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A row that points at an invitation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pointer {
    pub partition_key: String,
    pub row_key: String,
    pub invitation_id: String,
    /// When the pointer was written, by the service's clock.
    #[serde(with = "super::edm::datetime")]
    pub written_at: OffsetDateTime,
    #[serde(rename = "WrittenAt@odata.type", default)]
    written_at_type: super::edm::DateTimeTag,
}

impl Pointer {
    pub fn new(
        partition_key: String,
        row_key: &str,
        invitation_id: &str,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            partition_key,
            row_key: row_key.to_owned(),
            invitation_id: invitation_id.to_owned(),
            written_at: now,
            written_at_type: super::edm::DateTimeTag,
        }
    }
}

/// A row whose keys say everything (email listing, delivery queue).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Marker {
    pub partition_key: String,
    pub row_key: String,
}
