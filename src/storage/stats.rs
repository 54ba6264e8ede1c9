//! The rows of the sales figures ([`keys::stats_row`]): in each Invitations partition,
//! after its invitations, the [`Tallies`] of the invitations sent on one day (UTC), in
//! [`keys::STATS_SHARDS`] rows chosen by the invitation's id.
//!
//! Every write of an invitation's row carries the change of its figures row in the same
//! entity-group transaction ([`add_to_batch`]): both are written or neither, so a write
//! cut short anywhere neither loses nor doubles a count, and the figures equal a recount
//! of the invitations. It costs one read (the figures row and its ETag), none when this
//! instance wrote the row last ([`Recent`]); a transaction that lost on the figures row
//! (another invitation of the same shard changed at once) is made again from a fresh
//! read.

use super::StoreError;
use super::edm;
use super::keys;
use super::table::{self, Write, query, read, row_json};
use crate::domain::ids::InvitationId;
use crate::domain::invitation::Invitation;
use crate::domain::stats::{Tallies, counted};
use azure_data_tables::prelude::TableClient;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
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

/// The figures rows this instance wrote last, with their ETags: a change whose row is
/// here needs no read (its `If-Match` write is refused if another writer changed the row
/// since; then the row is read). Two changes of one invitation in one request (a
/// colleague accepts, then joins) read it once.
#[derive(Default)]
pub(super) struct Recent(Mutex<HashMap<(String, String), (Tallies, String)>>);

/// How many rows [`Recent`] keeps (it starts again when full).
const RECENT_ROWS: usize = 64;

impl Recent {
    fn get(&self, key: &(String, String)) -> Option<(Tallies, String)> {
        self.0.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: (String, String), tallies: Tallies, etag: String) {
        if let Ok(mut rows) = self.0.lock() {
            if rows.len() >= RECENT_ROWS {
                rows.clear();
            }
            rows.insert(key, (tallies, etag));
        }
    }

    fn forget(&self, key: &(String, String)) {
        if let Ok(mut rows) = self.0.lock() {
            rows.remove(key);
        }
    }
}

/// The figures row a transaction writes, as it was read and as it is written: tells a
/// transaction that lost on it from one that lost on the invitation ([`changed`]).
pub(super) struct Read {
    key: (String, String),
    etag: Option<String>,
    written: Tallies,
}

/// Adds to `writes` (the invitation's own write, in its partition) the change of the
/// invitation's figures row from `before` to `after` (`before`: `None` for a new row).
/// Reads that row, unless this instance wrote it last ([`Recent`]): the one extra call
/// of a change. `None` when the invitation is not counted (made before the figures were
/// kept) or the change changes no figure ([`Tallies::changed_by`]): nothing is read.
pub(super) async fn add_to_batch(
    table: &TableClient,
    recent: &Recent,
    before: Option<&Invitation>,
    after: &Invitation,
    writes: &mut Vec<Write>,
) -> Result<Option<Read>, StoreError> {
    if !counted(after) || before.is_some_and(|before| !Tallies::changed_by(before, after)) {
        return Ok(None);
    }
    let key = (
        after.id.bucket().to_owned(),
        keys::stats_row(&after.id, after.created_at.date()),
    );
    let found = match recent.get(&key) {
        Some(known) => Some(known),
        None => match read::<StatsRow>(table, &key.0, &key.1).await? {
            Some((row, etag)) => Some((row.tallies()?, etag)),
            None => None,
        },
    };
    let (mut tallies, etag) = match found {
        Some((tallies, etag)) => (tallies, Some(etag)),
        None => (Tallies::default(), None),
    };
    tallies.change(before, after);
    let row = row_json(&StatsRow {
        partition_key: key.0.clone(),
        row_key: key.1.clone(),
        tallies: serde_json::to_string(&tallies)
            .map_err(|e| StoreError::Unexpected(e.to_string()))?,
    })?;
    writes.push(match &etag {
        None => Write::Insert(row),
        Some(etag) => Write::Replace {
            rk: key.1.clone(),
            row,
            etag: etag.clone(),
        },
    });
    Ok(Some(Read {
        key,
        etag,
        written: tallies,
    }))
}

/// Keeps the figures row a transaction wrote (`etag`: its new ETag) for the next change.
pub(super) fn written(recent: &Recent, read: Option<Read>, etag: Option<&String>) {
    if let (Some(read), Some(etag)) = (read, etag) {
        recent.put(read.key, read.written, etag.clone());
    }
}

/// Whether the figures row changed since it was `read`: a transaction refused as a whole
/// then lost on it, and is made again from the row read here (kept for it: the retry
/// reads nothing).
pub(super) async fn changed(
    table: &TableClient,
    recent: &Recent,
    read: &Option<Read>,
) -> Result<bool, StoreError> {
    let Some(read) = read else {
        return Ok(false);
    };
    recent.forget(&read.key);
    let Some((row, etag)) = table::read::<StatsRow>(table, &read.key.0, &read.key.1).await? else {
        return Ok(read.etag.is_some());
    };
    let changed = read.etag.as_ref() != Some(&etag);
    recent.put(read.key.clone(), row.tallies()?, etag);
    Ok(changed)
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
