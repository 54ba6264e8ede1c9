//! Table Storage: which tables exist, how rows are keyed, and every read and write.
//!
//! Table Storage has no transactions across entities, so exactly-once comes from ETags
//! (every change of an invitation is an `If-Match` replace), insert-if-absent (a row that
//! already exists is a 409, never overwritten), and rows whose keys derive from what they
//! belong to.

mod accounts;
pub mod connection;
mod edm;
mod entity;
pub mod gate;
mod index;
mod invitations;
mod language;
mod limits;
mod members;
mod privacy;
mod sealed;
mod security;

pub use accounts::{AccountStore, TableAccountStore};
pub use invitations::TableInvitationStore;
pub use limits::{LimitStore, TableLimitStore, Tally};
pub use members::{ERASED_PERSON, MemberStore, TableMemberStore};
pub use privacy::{ErasedAccount, MfaState, PrivacyRecord, PrivacyStore, TablePrivacyStore};
pub use sealed::Sealer;

use crate::domain::invitation::{Invitation, InvitationId, ListFilter};
use crate::domain::secret::LinkHash;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Waits a random moment before the next try of an ETag write that lost to another
/// writer, a little longer each time, so that many writers of one row (a staff member's
/// hourly counter, one invitation) take turns instead of colliding again at once.
pub(crate) async fn back_off(attempt: u32) {
    use rand::Rng as _;
    let ceiling = (4u64 << attempt.min(5)).min(100);
    let millis = rand::rng().random_range(0..=ceiling);
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
}

/// Inserts `rows`, all of `partition`, in one entity-group transaction (one request);
/// `Ok(false)` when it was refused as a whole (a row exists), so nothing was written.
pub(crate) async fn insert_together(
    table: &azure_data_tables::prelude::TableClient,
    partition: &str,
    rows: &[serde_json::Value],
) -> Result<bool, StoreError> {
    let mut batch = table.partition_key_client(partition).transaction();
    for row in rows {
        batch = batch
            .insert(row)
            .map_err(|e| StoreError::Unexpected(e.to_string()))?;
    }
    match batch.await.map_err(classify) {
        Ok(response) => Ok(response.operation_responses.len() == rows.len()
            && response
                .operation_responses
                .iter()
                .all(|r| r.status_code.is_success())),
        Err(ErrorClass::Unavailable(why)) => Err(StoreError::Unavailable(why)),
        // Refused as a whole: the caller decides row by row.
        Err(_) => Ok(false),
    }
}

/// A row as the JSON an entity-group transaction sends.
pub(crate) fn row_json<T: serde::Serialize>(row: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(row).map_err(|e| StoreError::Unexpected(e.to_string()))
}

/// A value with the ETag it was read or written with.
#[derive(Debug, Clone)]
pub struct Versioned<T> {
    pub value: T,
    pub etag: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An active invitation for the same email exists.
    #[error("an active invitation for this email exists: {0}")]
    Duplicate(InvitationId),
    /// The row changed since it was read (ETag mismatch): read again and decide again.
    #[error("the invitation changed meanwhile")]
    Conflict,
    /// Storage cannot be reached or answers with a server error.
    #[error("table storage is unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a row this version cannot read.
    #[error("table storage error: {0}")]
    Unexpected(String),
}

/// A page of the staff listing, and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Invitation>,
    pub next: Option<InvitationId>,
}

/// What a link hash leads to.
#[derive(Debug, Clone)]
pub enum LinkTarget {
    Unknown,
    /// The invitation; `current` is false when a newer link replaced this one.
    Invitation {
        invitation: Box<Versioned<Invitation>>,
        current: bool,
    },
}

#[async_trait]
pub trait InvitationStore: Send + Sync + 'static {
    /// Creates the tables that are missing.
    async fn ensure_tables(&self) -> Result<(), StoreError>;
    /// Records a new invitation, refusing it with `Duplicate` while another one for the
    /// same email is active at `now`: its index rows, then its delivery-queue row, which
    /// holds the whole invitation until [`InvitationStore::store`] writes its own row
    /// (a reader that finds no row writes it from there). Once this returns, the
    /// invitation exists.
    async fn insert(&self, invitation: &Invitation, now: OffsetDateTime) -> Result<(), StoreError>;
    /// Writes the row of an invitation [`InvitationStore::insert`] recorded, once, with
    /// its first delivery outcome; `Conflict` when a reader wrote it from the queue row
    /// meanwhile.
    async fn store(&self, invitation: &Invitation) -> Result<Versioned<Invitation>, StoreError>;
    /// Takes (back) the email's lock for this invitation, unless another active invitation
    /// holds it (`Duplicate`).
    async fn claim_email(
        &self,
        invitation: &Invitation,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    async fn get(&self, id: &InvitationId) -> Result<Option<Versioned<Invitation>>, StoreError>;
    /// Finds the invitation of a link sent before links carried the invitation's id,
    /// through the link index (two reads); newer links read the invitation with `get`.
    async fn find_by_link(&self, hash: &LinkHash) -> Result<LinkTarget, StoreError>;
    /// Replaces the invitation if it still has `etag`; `Conflict` otherwise.
    async fn replace(
        &self,
        invitation: &Invitation,
        etag: &str,
    ) -> Result<Versioned<Invitation>, StoreError>;
    async fn list(&self, filter: &ListFilter, now: OffsetDateTime) -> Result<Page, StoreError>;
    /// Invitations whose email may still need sending.
    async fn delivery_queue(&self) -> Result<Vec<InvitationId>, StoreError>;
    /// Takes an invitation off the delivery queue.
    async fn dequeue_delivery(&self, id: &InvitationId) -> Result<(), StoreError>;
}

pub(crate) fn classify(error: azure_core::Error) -> ErrorClass {
    use azure_core::error::ErrorKind;
    match error.kind() {
        ErrorKind::HttpResponse { status, error_code } => {
            let status = *status as u16;
            match status {
                404 => ErrorClass::NotFound(error_code.clone().unwrap_or_default()),
                409 => ErrorClass::AlreadyExists,
                412 => ErrorClass::PreconditionFailed,
                408 | 429 | 500..=599 => ErrorClass::Unavailable(format!("HTTP {status}")),
                _ => ErrorClass::Other(format!(
                    "HTTP {status} {}",
                    error_code.as_deref().unwrap_or("")
                )),
            }
        }
        ErrorKind::Io | ErrorKind::Credential => ErrorClass::Unavailable(error.to_string()),
        _ => ErrorClass::Other(error.to_string()),
    }
}

/// The error of a write made with `If-Match`: a changed or vanished row is a `Conflict`
/// (read again and decide again).
pub(crate) fn conditional_write_error(error: azure_core::Error) -> StoreError {
    match classify(error) {
        ErrorClass::NotFound(code) if code != "TableNotFound" => StoreError::Conflict,
        other => other.into(),
    }
}

/// What an Azure error means to this service.
#[derive(Debug)]
pub(crate) enum ErrorClass {
    NotFound(String),
    AlreadyExists,
    PreconditionFailed,
    Unavailable(String),
    Other(String),
}

impl From<ErrorClass> for StoreError {
    fn from(class: ErrorClass) -> Self {
        match class {
            ErrorClass::PreconditionFailed => StoreError::Conflict,
            ErrorClass::Unavailable(why) => StoreError::Unavailable(why),
            // A missing table means start-up has not created it yet (or it was deleted).
            ErrorClass::NotFound(code) if code == "TableNotFound" => {
                StoreError::Unavailable("table not found".into())
            }
            ErrorClass::NotFound(code) => StoreError::Unexpected(format!("not found: {code}")),
            ErrorClass::AlreadyExists => StoreError::Unexpected("already exists".into()),
            ErrorClass::Other(why) => StoreError::Unexpected(why),
        }
    }
}
