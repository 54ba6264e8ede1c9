//! The tables of one case: a copy of the rows an operation's setup left (so every case
//! starts from the same state without running the setup again), moved back in time as
//! an older run would have written them, and dropped when the case is over.

use crate::support::{TABLES, rows_of, stack, table};
use futures::StreamExt as _;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// Every row of every table of `prefix`, by table.
pub type Snapshot = BTreeMap<&'static str, Vec<Value>>;

pub fn client(prefix: &str, name: &str) -> azure_data_tables::prelude::TableClient {
    table(&stack().storage_connection_string, prefix, name)
}

pub async fn snapshot(prefix: &str) -> Snapshot {
    let mut all = Snapshot::new();
    for name in TABLES {
        all.insert(name, rows_of(&client(prefix, name)).await);
    }
    all
}

/// A row as it is written: its keys and properties, without what the service adds when
/// it answers (`odata.*`, `Timestamp`).
fn writable(row: &Value) -> Map<String, Value> {
    let mut row = row.as_object().unwrap().clone();
    row.retain(|key, _| !key.starts_with("odata.") && !key.starts_with("Timestamp"));
    row
}

/// Creates the tables of `prefix` holding `rows`.
pub async fn restore(prefix: &str, rows: &Snapshot) {
    for name in TABLES {
        client(prefix, name).create().await.unwrap();
    }
    let inserts = rows.iter().flat_map(|(name, rows)| {
        rows.iter().map(move |row| {
            let table = client(prefix, name);
            let row = writable(row);
            async move {
                table
                    .insert::<&Map<String, Value>, Value>(&row)
                    .unwrap()
                    .return_entity(false)
                    .await
                    .unwrap();
            }
        })
    });
    futures::stream::iter(inserts)
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
}

/// Moves every time the rows of `prefix` hold `by` into the past (each `Edm.DateTime`
/// property, and the times inside JSON lists such as an invitation's history): what the
/// service and its timers see is then what they would see `by` later.
pub async fn age(prefix: &str, by: Duration) {
    for name in TABLES {
        let table = client(prefix, name);
        let rewrites = rows_of(&table).await.into_iter().filter_map(|row| {
            let mut row = writable(&row);
            let mut changed = false;
            for (key, value) in row.clone() {
                let typed = row
                    .get(&format!("{key}@odata.type"))
                    .and_then(Value::as_str);
                if let (Some("Edm.DateTime"), Some(at)) = (typed, value.as_str()) {
                    let at = OffsetDateTime::parse(at, &Rfc3339).unwrap();
                    row.insert(key, Value::String(format_time(at - by)));
                    changed = true;
                } else if let Some(list) = value.as_str().and_then(|v| aged_list(v, by)) {
                    row.insert(key, Value::String(list));
                    changed = true;
                }
            }
            let pk = row["PartitionKey"].as_str().unwrap().to_owned();
            let rk = row["RowKey"].as_str().unwrap().to_owned();
            let table = table.clone();
            changed.then_some(async move {
                table
                    .partition_key_client(pk)
                    .entity_client(rk)
                    .insert_or_replace(&row)
                    .unwrap()
                    .await
                    .unwrap();
            })
        });
        futures::stream::iter(rewrites)
            .buffer_unordered(16)
            .collect::<Vec<()>>()
            .await;
    }
}

/// A JSON list of objects (a history, a roster) with each time in it moved `by` back.
fn aged_list(text: &str, by: Duration) -> Option<String> {
    let mut list: Vec<Map<String, Value>> = serde_json::from_str(text).ok()?;
    for item in &mut list {
        for value in item.values_mut() {
            if let Some(at) = value
                .as_str()
                .and_then(|v| OffsetDateTime::parse(v, &Rfc3339).ok())
            {
                *value = Value::String(format_time(at - by));
            }
        }
    }
    serde_json::to_string(&list).ok()
}

/// A time as Table Storage writes it (UTC, 7 fractional digits).
fn format_time(at: OffsetDateTime) -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z"
    );
    at.format(FORMAT).unwrap()
}

pub async fn drop(prefix: &str) {
    for name in TABLES {
        let _ = client(prefix, name).delete().await;
    }
}
