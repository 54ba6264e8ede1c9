//! The rows of the sales figures ([`keys::stats_row`]): in each Invitations partition,
//! after its invitations, the [`Tallies`] of the invitations sent on one day (UTC), in
//! [`keys::STATS_SHARDS`] rows chosen by the invitation's id.
//!
//! Every write of an invitation's row carries the change of its figures row in the same
//! entity-group transaction ([`add_to_batch`]): both are written or neither, so a write
//! cut short anywhere neither loses nor doubles a count, and the figures equal a recount
//! of the invitations. It costs one read (the figures row and its ETag); a transaction
//! that lost on the figures row (another invitation of the same shard changed at once)
//! is made again from a fresh read.

use super::StoreError;
use super::edm;
use super::keys;
use super::table::{self, Write, query, read, row_json};
use crate::domain::ids::InvitationId;
use crate::domain::invitation::Invitation;
use crate::domain::stats::{Tallies, counted};
use azure_data_tables::prelude::TableClient;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StatsRow {
    partition_key: String,
    row_key: String,
    /// [`Tallies`] as JSON.
    tallies: String,
}

impl StatsRow {
    fn tallies(&self) -> Result<Tallies, StoreError> {
        serde_json::from_str(&self.tallies).map_err(|e| StoreError::Unexpected(e.to_string()))
    }
}

/// The figures row a transaction writes, as it was read: tells a transaction that lost
/// on it from one that lost on the invitation ([`changed`]).
pub(super) struct Read {
    partition: String,
    row_key: String,
    etag: Option<String>,
}

/// Adds to `writes` (the invitation's own write, in its partition) the change of the
/// invitation's figures row from `before` to `after` (`before`: `None` for a new row).
/// Reads that row: the one extra call of a change. `None` when the invitation is not
/// counted (sent before the figures were kept).
pub(super) async fn add_to_batch(
    table: &TableClient,
    before: Option<&Invitation>,
    after: &Invitation,
    writes: &mut Vec<Write>,
) -> Result<Option<Read>, StoreError> {
    if !counted(after) {
        return Ok(None);
    }
    let partition = after.id.bucket().to_owned();
    let row_key = keys::stats_row(&after.id, after.created_at.date());
    let found = read::<StatsRow>(table, &partition, &row_key).await?;
    let mut tallies = match &found {
        Some((row, _)) => row.tallies()?,
        None => Tallies::default(),
    };
    tallies.change(before, after);
    let row = row_json(&StatsRow {
        partition_key: partition.clone(),
        row_key: row_key.clone(),
        tallies: serde_json::to_string(&tallies)
            .map_err(|e| StoreError::Unexpected(e.to_string()))?,
    })?;
    let etag = found.map(|(_, etag)| etag);
    writes.push(match &etag {
        None => Write::Insert(row),
        Some(etag) => Write::Replace {
            rk: row_key.clone(),
            row,
            etag: etag.clone(),
        },
    });
    Ok(Some(Read {
        partition,
        row_key,
        etag,
    }))
}

/// Whether the figures row changed since it was `read`: a transaction refused as a whole
/// then lost on it, and is made again.
pub(super) async fn changed(table: &TableClient, read: &Option<Read>) -> Result<bool, StoreError> {
    let Some(read) = read else {
        return Ok(false);
    };
    let now = table::read::<StatsRow>(table, &read.partition, &read.row_key).await?;
    Ok(now.map(|(_, etag)| etag) != read.etag)
}

/// The tallies of the invitations sent on the days `from` to `to` (not included): one
/// query over the partitions those days' invitations are in, for their figures rows only.
pub(super) async fn days(
    table: &TableClient,
    from: Date,
    to: Date,
) -> Result<Vec<Tallies>, StoreError> {
    let bucket = |day: Date| InvitationId::new(day.midnight().assume_utc(), 0);
    // Ids count down with time: the last moment of the period has the lowest partition.
    let lowest = InvitationId::new(to.midnight().assume_utc() - Duration::milliseconds(1), 0);
    let highest = bucket(from);
    let filter = format!(
        "PartitionKey ge {} and PartitionKey le {} and RowKey ge {} and RowKey lt {}",
        edm::string_literal(lowest.bucket()),
        edm::string_literal(highest.bucket()),
        edm::string_literal(&keys::stats_day_key(from)),
        edm::string_literal(&keys::stats_day_key(to)),
    );
    let rows: Vec<StatsRow> = query(table, Some(filter), None).await?;
    rows.iter().map(StatsRow::tallies).collect()
}
