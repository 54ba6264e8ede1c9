//! `InvitationStore` on Azure Table Storage.

use super::edm;
use super::entity::InvitationEntity;
use super::index::{Marker, Pointer};
use super::keys::{self, LEGACY_MAIL_QUEUE, LINK_ROW};
use super::stats;
use super::table::{self, Write, insert_absent, insert_together, query, read, row_json};
use super::{InvitationStore, LinkTarget, Page, StoreError, Versioned};
use crate::domain::invitation::{Invitation, InvitationId, ListFilter};
use crate::domain::secret::LinkHash;
use crate::domain::stats::Tallies;
use async_trait::async_trait;
use azure_data_tables::prelude::*;
use std::sync::Arc;
use time::{Date, Duration, OffsetDateTime};

/// How long an email lock that points at no stored invitation is honoured: long enough
/// for a create under way to store its invitation, short enough to clear a crashed one.
const ORPHAN_LOCK_GRACE: Duration = Duration::minutes(1);

/// The most invitation rows one listing by status reads (one page of Table Storage); a
/// page that stopped there has a continuation token, even with fewer items than `top`.
pub const STATUS_SCAN_ROWS: usize = 1000;

/// How many times a write is made again after losing on its figures row to another
/// invitation of the same shard (a bulk's creates).
const STATS_TRIES: u32 = 8;

#[derive(Clone)]
pub struct TableInvitationStore {
    invitations: TableClient,
    index: TableClient,
    /// The figures rows this instance wrote last.
    recent: Arc<stats::Recent>,
}

impl TableInvitationStore {
    pub fn new(service: &TableServiceClient, prefix: &str) -> Self {
        Self {
            invitations: service.table_client(format!("{prefix}Invitations")),
            index: service.table_client(format!("{prefix}InvitationIndex")),
            recent: Arc::default(),
        }
    }

    async fn get_entity(
        &self,
        id: &InvitationId,
    ) -> Result<Option<Versioned<Invitation>>, StoreError> {
        match read::<InvitationEntity>(&self.invitations, id.bucket(), id.as_str()).await? {
            Some((entity, etag)) => Ok(Some(versioned(entity, etag)?)),
            None => self.write_from_queue(id).await,
        }
    }

    /// An invitation without its own row, whose delivery-queue row holds it (a create
    /// still sending its email, or cut short after it took the email's lock): its row is
    /// written from there, insert-if-absent, so that whoever asks sees it. A queue row
    /// whose invitation does not hold its email's lock never came to be (its create
    /// stopped before taking the lock, or lost it to another invitation): `None`, and
    /// the delivery retry drops it ([`InvitationStore::settle_unmade`]). An erased or
    /// purged invitation does not come back this way: erasure deletes the queue row
    /// before the invitation's row (`src/storage/privacy.rs`).
    async fn write_from_queue(
        &self,
        id: &InvitationId,
    ) -> Result<Option<Versioned<Invitation>>, StoreError> {
        let Some(queued) = self.queued(id).await? else {
            return Ok(None);
        };
        let (_, invitation) = queued;
        if !self.holds_lock(&invitation).await? {
            return Ok(None);
        }
        match self.insert_row(&invitation).await {
            Ok(etag) => {
                tracing::info!(invitation = %id, "invitation row written from its queue row");
                Ok(Some(Versioned {
                    value: invitation,
                    etag,
                }))
            }
            Err(StoreError::Conflict) => {
                let written =
                    read::<InvitationEntity>(&self.invitations, id.bucket(), id.as_str()).await?;
                written
                    .map(|(entity, etag)| versioned(entity, etag))
                    .transpose()
            }
            Err(e) => Err(e),
        }
    }

    /// The invitation its queue row holds, as its own row would hold it; `None` without
    /// a queue row, or with one queued before queue rows held the invitation.
    async fn queued(
        &self,
        id: &InvitationId,
    ) -> Result<Option<(InvitationEntity, Invitation)>, StoreError> {
        let queue = keys::mail_queue_partition(id);
        let Some((row, _)) = read::<serde_json::Value>(&self.index, &queue, id.as_str()).await?
        else {
            return Ok(None);
        };
        if row.get("Email").is_none() {
            return Ok(None); // queued before queue rows held the invitation
        }
        let mut entity: InvitationEntity =
            serde_json::from_value(row).map_err(|e| StoreError::Unexpected(e.to_string()))?;
        entity.partition_key = id.bucket().to_owned();
        entity.etag = None;
        let invitation = Invitation::try_from(entity.clone())
            .map_err(|e| StoreError::Unexpected(e.to_string()))?;
        Ok(Some((entity, invitation)))
    }

    /// Whether the email's lock names this invitation: from the moment it does, the
    /// invitation exists (see [`InvitationStore::insert`]).
    async fn holds_lock(&self, invitation: &Invitation) -> Result<bool, StoreError> {
        let partition = keys::email_partition(&invitation.email);
        Ok(
            read::<Pointer>(&self.index, &partition, &lock_row(invitation))
                .await?
                .is_some_and(|(lock, _)| lock.invitation_id == invitation.id.as_str()),
        )
    }

    /// Removes what a create that never took the email's lock wrote: its listing row,
    /// then its queue row (the row that leads the retry to it goes last).
    async fn forget_unmade(&self, invitation: &Invitation) -> Result<(), StoreError> {
        let partition = keys::email_partition(&invitation.email);
        let id = invitation.id.as_str();
        table::delete_if_present(&self.index, &partition, id).await?;
        table::delete_if_present(&self.index, &keys::mail_queue_partition(&invitation.id), id)
            .await?;
        Ok(())
    }

    /// Inserts an invitation row; `Conflict` when it exists. Answers its ETag.
    async fn insert_row(&self, invitation: &Invitation) -> Result<String, StoreError> {
        let row = row_json(&InvitationEntity::from(invitation))?;
        self.write_row(None, invitation, Write::Insert(row)).await
    }

    /// Makes `write` (the invitation's row, from `before` to `after`) together with the
    /// change of its sales figures ([`stats::add_to_batch`]) in one transaction; its
    /// ETag, or `Conflict` when the row exists (an insert) or changed (a replace).
    async fn write_row(
        &self,
        before: Option<&Invitation>,
        after: &Invitation,
        write: Write,
    ) -> Result<String, StoreError> {
        let partition = after.id.bucket();
        for attempt in 0..STATS_TRIES {
            let mut writes = vec![write.clone()];
            let figures =
                stats::add_to_batch(&self.invitations, &self.recent, before, after, &mut writes)
                    .await?;
            match table::write_all(&self.invitations, partition, writes).await? {
                Some(etags) => {
                    stats::written(&self.recent, figures, etags.get(1));
                    return etags.into_iter().next().ok_or(StoreError::Conflict);
                }
                None if stats::changed(&self.invitations, &self.recent, &figures).await? => {
                    super::back_off(attempt).await; // lost on the figures row: again
                }
                None => return Err(StoreError::Conflict),
            }
        }
        Err(StoreError::Conflict)
    }

    /// Takes the email's lock for `invitation`, or names the active invitation holding it.
    async fn lock_email(
        &self,
        invitation: &Invitation,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let partition = keys::email_partition(&invitation.email);
        let row = lock_row(invitation);
        let lock = Pointer::new(partition.clone(), &row, invitation.id.as_str(), now);
        for _ in 0..3 {
            if insert_absent(&self.index, &lock).await? {
                return Ok(());
            }
            let Some((held, etag)) = read::<Pointer>(&self.index, &partition, &row).await? else {
                continue; // released meanwhile: try again
            };
            let holder = InvitationId::parse(&held.invitation_id)
                .map_err(|_| StoreError::Unexpected("unreadable email lock".into()))?;
            if holder == invitation.id {
                return Ok(());
            }
            let stale = match self.get_entity(&holder).await? {
                Some(current) => !current.value.is_active(now),
                // A lock written before creates wrote their queue row first, by a create
                // that stopped before that row: all it left is this lock and its listing
                // row, which goes first.
                None if now - held.written_at > ORPHAN_LOCK_GRACE => {
                    table::delete_if_present(&self.index, &partition, holder.as_str()).await?;
                    true
                }
                None => false,
            };
            if !stale {
                return Err(StoreError::Duplicate(holder));
            }
            // `None`: another writer changed or removed the lock meanwhile: look again.
            if table::replace_if_match(&self.index, &partition, &row, &lock, &etag)
                .await?
                .is_some()
            {
                return Ok(());
            }
        }
        Err(StoreError::Conflict)
    }

    async fn list_by_email(
        &self,
        filter: &ListFilter,
        now: OffsetDateTime,
    ) -> Result<Page, StoreError> {
        let Some(email) = &filter.email else {
            return Ok(Page {
                items: vec![],
                next: None,
            });
        };
        let mut condition = format!(
            "PartitionKey eq {} and RowKey lt 'a'",
            edm::string_literal(&keys::email_partition(email))
        );
        if let Some(after) = &filter.after {
            condition.push_str(&format!(
                " and RowKey gt {}",
                edm::string_literal(after.as_str())
            ));
        }
        // One email has few invitations: read its ids, then each invitation.
        let markers: Vec<Marker> = query(&self.index, Some(condition), Some(1000)).await?;
        let want = filter.top as usize + 1;
        let mut items = Vec::new();
        for marker in markers {
            let Ok(id) = InvitationId::parse(&marker.row_key) else {
                continue;
            };
            let Some(found) = self.get_entity(&id).await? else {
                continue;
            };
            if filter
                .status
                .is_none_or(|s| found.value.status_at(now) == s)
            {
                items.push(found.value);
                if items.len() == want {
                    break;
                }
            }
        }
        Ok(paginate(items, filter.top))
    }
}

fn versioned(entity: InvitationEntity, etag: String) -> Result<Versioned<Invitation>, StoreError> {
    let value = Invitation::try_from(entity).map_err(|e| StoreError::Unexpected(e.to_string()))?;
    Ok(Versioned { value, etag })
}

fn to_invitations(rows: Vec<InvitationEntity>) -> Result<Vec<Invitation>, StoreError> {
    rows.into_iter()
        .map(Invitation::try_from)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Unexpected(e.to_string()))
}

fn paginate(mut items: Vec<Invitation>, top: u32) -> Page {
    let more = items.len() > top as usize;
    items.truncate(top as usize);
    let next = if more {
        items.last().map(|i| i.id.clone())
    } else {
        None
    };
    Page { items, next }
}

/// The invitation's lock row in its email's partition (see [`keys::active_row`]).
pub(super) fn lock_row(invitation: &Invitation) -> String {
    keys::active_row(invitation.join().as_ref().map(|join| &join.company_id))
}

#[async_trait]
impl InvitationStore for TableInvitationStore {
    async fn ensure_tables(&self) -> Result<(), StoreError> {
        for table in [&self.invitations, &self.index] {
            table::ensure(table).await?;
        }
        Ok(())
    }

    async fn insert(&self, invitation: &Invitation, now: OffsetDateTime) -> Result<(), StoreError> {
        let id = invitation.id.as_str();
        let partition = keys::email_partition(&invitation.email);
        let listed = Marker {
            partition_key: partition.clone(),
            row_key: id.to_owned(),
        };
        // The queue row first: it holds the whole invitation (its outbox) until the
        // invitation's own row is written, once, with its delivery outcome. The invitation
        // comes to be when the email's lock names it: a reader that finds no row writes it
        // from the queue row only then, and a queue row whose invitation never took the
        // lock (a create cut short before it) is dropped by the delivery retry once the
        // create's claim is over. So a create cut short anywhere leaves either an
        // invitation that exists (its email sent now or by the retry) or nothing that
        // blocks the address. Links carry the invitation's id, so no link row is written.
        let mut queued = InvitationEntity::from(invitation);
        queued.partition_key = keys::mail_queue_partition(&invitation.id);
        if !insert_absent(&self.index, &queued).await? {
            return Err(StoreError::Unexpected(format!(
                "queue row of {id} already exists"
            )));
        }
        // The email's lock and its listing row share a partition: one entity-group
        // transaction writes both while the email is free; otherwise the listing row goes
        // first and the lock is decided row by row (a stale one is taken over).
        let lock = Pointer::new(partition.clone(), &lock_row(invitation), id, now);
        let together = [row_json(&lock)?, row_json(&listed)?];
        if insert_together(&self.index, &partition, &together).await? {
            return Ok(());
        }
        insert_absent(&self.index, &listed).await?;
        match self.lock_email(invitation, now).await {
            Ok(()) => Ok(()),
            Err(refused @ (StoreError::Duplicate(_) | StoreError::Conflict)) => {
                // Never came to be: what it wrote goes (or, cut short, the retry drops it).
                if let Err(e) = self.forget_unmade(invitation).await {
                    tracing::warn!(invitation = %id, error = %e, "rows of a refused invitation left for the retry");
                }
                Err(refused)
            }
            Err(e) => Err(e),
        }
    }

    async fn store(&self, invitation: &Invitation) -> Result<Versioned<Invitation>, StoreError> {
        let etag = self.insert_row(invitation).await?;
        Ok(Versioned {
            value: invitation.clone(),
            etag,
        })
    }

    async fn claim_email(
        &self,
        invitation: &Invitation,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.lock_email(invitation, now).await
    }

    async fn get(&self, id: &InvitationId) -> Result<Option<Versioned<Invitation>>, StoreError> {
        self.get_entity(id).await
    }

    async fn find_by_link(&self, hash: &LinkHash) -> Result<LinkTarget, StoreError> {
        let Some((pointer, _)) =
            read::<Pointer>(&self.index, &keys::link_partition(hash), LINK_ROW).await?
        else {
            return Ok(LinkTarget::Unknown);
        };
        let Ok(id) = InvitationId::parse(&pointer.invitation_id) else {
            return Ok(LinkTarget::Unknown);
        };
        Ok(match self.get_entity(&id).await? {
            Some(invitation) => {
                let current = invitation.value.opens_with(hash);
                LinkTarget::Invitation {
                    invitation: Box::new(invitation),
                    current,
                }
            }
            None => LinkTarget::Unknown,
        })
    }

    async fn replace(
        &self,
        invitation: &Invitation,
        read: &Versioned<Invitation>,
    ) -> Result<Versioned<Invitation>, StoreError> {
        let write = Write::Replace {
            rk: invitation.id.as_str().to_owned(),
            row: row_json(&InvitationEntity::from(invitation))?,
            etag: read.etag.clone(),
        };
        let etag = self.write_row(Some(&read.value), invitation, write).await?;
        Ok(Versioned {
            value: invitation.clone(),
            etag,
        })
    }

    async fn list(&self, filter: &ListFilter, now: OffsetDateTime) -> Result<Page, StoreError> {
        if filter.email.is_some() {
            return self.list_by_email(filter, now).await;
        }
        // Invitations only: the figures rows sort after them in each partition.
        let only_invitations =
            format!("RowKey lt {}", edm::string_literal(keys::AFTER_INVITATIONS));
        let after = Some(match &filter.after {
            Some(after) => format!(
                "PartitionKey ge {} and RowKey gt {} and {only_invitations}",
                edm::string_literal(after.bucket()),
                edm::string_literal(after.as_str())
            ),
            None => only_invitations,
        });
        let Some(status) = filter.status else {
            let rows: Vec<InvitationEntity> =
                query(&self.invitations, after, Some(filter.top as usize + 1)).await?;
            return Ok(paginate(to_invitations(rows)?, filter.top));
        };
        // A status is decided here, on at most STATUS_SCAN_ROWS rows in key order: a
        // filter in the query would have Table Storage scan old rows until it found
        // enough, however many that takes.
        let rows: Vec<InvitationEntity> =
            query(&self.invitations, after, Some(STATUS_SCAN_ROWS)).await?;
        let read_all = rows.len() == STATUS_SCAN_ROWS;
        let last_read = rows.last().map(|r| r.row_key.clone());
        let matching: Vec<Invitation> = to_invitations(rows)?
            .into_iter()
            .filter(|i| i.status_at(now) == status)
            .take(filter.top as usize + 1)
            .collect();
        let mut page = paginate(matching, filter.top);
        if page.next.is_none() && read_all {
            // Stopped at the bound: the next page starts after the last row read.
            page.next = last_read.and_then(|id| InvitationId::parse(&id).ok());
        }
        Ok(page)
    }

    async fn pending_sent_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invitation>, StoreError> {
        // Ids count down with time: the newest moment has the lowest partition and id.
        let (lowest, highest) = (InvitationId::new(to, 0), InvitationId::new(from, 0));
        let filter = format!(
            "PartitionKey ge {} and PartitionKey le {} and RowKey lt {} and Status eq 'pending'",
            edm::string_literal(lowest.bucket()),
            edm::string_literal(highest.bucket()),
            edm::string_literal(keys::AFTER_INVITATIONS),
        );
        let rows: Vec<InvitationEntity> =
            query(&self.invitations, Some(filter), Some(STATUS_SCAN_ROWS)).await?;
        if rows.len() >= STATUS_SCAN_ROWS {
            // Reminders and the nudge list then miss the rest of the period.
            tracing::warn!(
                rows = rows.len(),
                "pending invitations of the period read up to the cap only"
            );
        }
        Ok(to_invitations(rows)?
            .into_iter()
            .filter(|i| (from..to).contains(&i.created_at))
            .collect())
    }

    async fn figures(&self, from: Date, to: Date) -> Result<Vec<Tallies>, StoreError> {
        stats::days(&self.invitations, from, to).await
    }

    async fn delivery_queue(&self) -> Result<Vec<InvitationId>, StoreError> {
        let rows: Vec<Marker> =
            query(&self.index, Some(keys::mail_queue_filter()), Some(1000)).await?;
        Ok(rows
            .iter()
            .filter_map(|m| InvitationId::parse(&m.row_key).ok())
            .collect())
    }

    async fn settle_unmade(
        &self,
        id: &InvitationId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let Some((_, invitation)) = self.queued(id).await? else {
            // No queue row, or one queued before queue rows held the invitation.
            self.dequeue_delivery(id).await?;
            return Ok(true);
        };
        if self.holds_lock(&invitation).await? {
            return Ok(false); // it came to be meanwhile: the next pass writes and sends it
        }
        if invitation.delivery_due(now) {
            self.forget_unmade(&invitation).await?;
            tracing::info!(invitation = %id, "queue row of an invitation that never came to be dropped");
            return Ok(true);
        }
        Ok(false) // its create may still be under way
    }

    async fn dequeue_delivery(&self, id: &InvitationId) -> Result<(), StoreError> {
        // A row queued before the queue was spread is in the one old partition.
        for partition in [keys::mail_queue_partition(id), LEGACY_MAIL_QUEUE.to_owned()] {
            if table::delete_if_present(&self.index, &partition, id.as_str()).await? {
                return Ok(());
            }
        }
        Ok(())
    }
}
