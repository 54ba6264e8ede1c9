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
mod events;
pub mod gate;
mod index;
mod invitations;
pub(crate) mod keys;
mod language;
mod limits;
mod listing;
mod members;
mod objects;
mod passkeys;
mod pending;
mod people;
mod privacy;
mod sealed;
mod security;
mod stats;
mod table;

pub use accounts::{AccountStore, NewRows, TableAccountStore};
pub use events::{EventStore, QueuedEvent, TableEventStore};
pub use invitations::{STATUS_SCAN_ROWS, TableInvitationStore};
pub use limits::{LimitStore, TableLimitStore, Tally};
pub use members::{CompanyRead, ERASED_PERSON, MemberStore, PendingRow, TableMemberStore};
pub use passkeys::{PasskeyStore, TablePasskeyStore};
pub use pending::listed as pending_listed;
pub use people::{AccountOfAddress, LoginRecord, PersonStore, TablePersonStore};
pub use privacy::{
    ErasedAccount, FoundBy, MfaState, PrivacyRecord, PrivacyStore, TablePrivacyStore,
};
pub use sealed::Sealer;

use crate::domain::invitation::{Invitation, InvitationId, ListFilter};
use crate::domain::secret::LinkHash;
use crate::domain::stats::Tallies;
use async_trait::async_trait;
use time::{Date, OffsetDateTime};

/// Waits a random moment before the next try of an ETag write that lost to another
/// writer, a little longer each time, so that many writers of one row (a staff member's
/// hourly counter, one invitation) take turns instead of colliding again at once.
pub(crate) async fn back_off(attempt: u32) {
    use rand::Rng as _;
    let ceiling = (4u64 << attempt.min(5)).min(100);
    let millis = rand::rng().random_range(0..=ceiling);
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
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
    /// same email is active at `now`: its delivery-queue row, which holds the whole
    /// invitation until [`InvitationStore::store`] writes its own row, then its listing
    /// row and the email's lock. From the moment the lock names it, the invitation exists
    /// (a reader that finds no row writes it from the queue row); a queue row whose
    /// invitation never took the lock is dropped by [`InvitationStore::settle_unmade`].
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
    /// Replaces the invitation `read` if it is still as read (its ETag); `Conflict`
    /// otherwise. Its sales figures change with it, in the same transaction.
    async fn replace(
        &self,
        invitation: &Invitation,
        read: &Versioned<Invitation>,
    ) -> Result<Versioned<Invitation>, StoreError>;
    /// The sales figures of the invitations sent on the days `from` to `to` (not
    /// included), one [`Tallies`] per figures row.
    async fn figures(&self, from: Date, to: Date) -> Result<Vec<Tallies>, StoreError>;
    async fn list(&self, filter: &ListFilter, now: OffsetDateTime) -> Result<Page, StoreError>;
    /// The invitations sent from `from` to `to` that are still `pending` as stored (so
    /// expired ones too), oldest day last: one query over those days' partitions, at most
    /// [`STATUS_SCAN_ROWS`] rows.
    async fn pending_sent_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invitation>, StoreError>;
    /// Invitations whose email may still need sending.
    async fn delivery_queue(&self) -> Result<Vec<InvitationId>, StoreError>;
    /// Takes an invitation off the delivery queue.
    async fn dequeue_delivery(&self, id: &InvitationId) -> Result<(), StoreError>;
    /// For a queued invitation that has no row (`get` found none): drops its queue and
    /// listing rows when it never came to be (its create stopped before taking the
    /// email's lock, or lost it) and the create's claim is over at `now`. Whether it is
    /// off the queue; `false` while its create may still be under way.
    async fn settle_unmade(
        &self,
        id: &InvitationId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}
