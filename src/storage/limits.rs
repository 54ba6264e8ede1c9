//! Counters for abuse limits, kept in `{prefix}Limits` so every instance sees the same
//! count: PartitionKey = what is counted (`staff-{sha256}`, `mail-{sha256}`,
//! `link-{sha256}`, `mfa-{sha256}`), RowKey = the window (`2026-11-22T10` for an hour,
//! `2026-11-22` for a day, `2026-11-22T10:15` for a quarter). Each hit is an ETag write
//! (or an insert-if-absent), so concurrent hits are all counted, and never more than the
//! limit: a hit that finds the limit reached writes nothing.

use super::StoreError;
use super::table;
use async_trait::async_trait;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};

/// A counter as it was read: its hits, and the version a write of it must match.
/// A counter as it was read: its hits, and the version a write of it must match.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub count: u32,
    /// `None`: no row yet (the write is an insert-if-absent).
    etag: Option<String>,
}

#[async_trait]
pub trait LimitStore: Send + Sync + 'static {
    async fn ensure_table(&self) -> Result<(), StoreError>;
    /// The counter as it stands (one read).
    async fn read(&self, key: &str, window: &str) -> Result<Tally, StoreError>;
    /// Adds `hits` to the counter as `seen` read it, unless that would pass `limit`
    /// (`Ok(false)`, nothing written): one write when nobody wrote meanwhile; a write
    /// that lost to another reads again and decides again.
    async fn add(
        &self,
        key: &str,
        window: &str,
        seen: Tally,
        hits: u32,
        limit: u32,
    ) -> Result<bool, StoreError>;
    /// Counts one hit unless `limit` hits were counted already; `Ok(false)` when over.
    async fn hit(&self, key: &str, window: &str, limit: u32) -> Result<bool, StoreError> {
        let seen = self.read(key, window).await?;
        self.add(key, window, seen, 1, limit).await
    }
    /// Gives one hit back (an attempt counted before it was known to be harmless).
    async fn release(&self, key: &str, window: &str) -> Result<(), StoreError>;
}

#[derive(Clone)]
pub struct TableLimitStore {
    table: TableClient,
}

impl TableLimitStore {
    pub fn new(service: &TableServiceClient, prefix: &str) -> Self {
        Self {
            table: service.table_client(format!("{prefix}Limits")),
        }
    }

    async fn row(&self, key: &str, window: &str) -> Result<Option<(Counter, String)>, StoreError> {
        table::read::<Counter>(&self.table, key, window).await
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Counter {
    partition_key: String,
    row_key: String,
    count: i32,
}

#[async_trait]
impl LimitStore for TableLimitStore {
    async fn ensure_table(&self) -> Result<(), StoreError> {
        table::ensure(&self.table).await
    }
    async fn read(&self, key: &str, window: &str) -> Result<Tally, StoreError> {
        Ok(match self.row(key, window).await? {
            Some((counter, etag)) => Tally {
                count: u32::try_from(counter.count).unwrap_or(0),
                etag: Some(etag),
            },
            None => Tally::default(),
        })
    }

    async fn add(
        &self,
        key: &str,
        window: &str,
        mut seen: Tally,
        hits: u32,
        limit: u32,
    ) -> Result<bool, StoreError> {
        for attempt in 0..10 {
            if attempt > 0 {
                super::back_off(attempt).await;
                seen = self.read(key, window).await?;
            }
            let total = seen.count.saturating_add(hits);
            if total > limit {
                return Ok(false);
            }
            let counter = Counter {
                partition_key: key.to_owned(),
                row_key: window.to_owned(),
                count: i32::try_from(total).unwrap_or(i32::MAX),
            };
            let written = match &seen.etag {
                None => table::insert_if_absent(&self.table, &counter).await?,
                Some(etag) => {
                    table::replace_if_match(&self.table, key, window, &counter, etag).await?
                }
            };
            // `None`: another writer came first (or deleted the row): read again.
            if written.is_some() {
                return Ok(true);
            }
        }
        Err(StoreError::Conflict)
    }

    async fn release(&self, key: &str, window: &str) -> Result<(), StoreError> {
        for attempt in 0..5 {
            if attempt > 0 {
                super::back_off(attempt).await;
            }
            let Some((mut counter, etag)) = self.row(key, window).await? else {
                return Ok(());
            };
            if counter.count <= 0 {
                return Ok(());
            }
            counter.count -= 1;
            if table::replace_if_match(&self.table, key, window, &counter, &etag)
                .await?
                .is_some()
            {
                return Ok(());
            }
        }
        Err(StoreError::Conflict)
    }
}
