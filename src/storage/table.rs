//! The one place that calls the table driver: read-or-none, insert-if-absent,
//! replace-if-match, delete-if-match, delete-if-present, upsert, ensure-table, query and
//! entity-group insert, and the one mapping of the driver's errors ([`classify`]).
//!
//! A missing row is `None`/`false`; a missing table is never "empty": it stays
//! [`StoreError::Unavailable`] (start-up has not created it yet, or it was deleted).

use super::StoreError;
use azure_core::Etag;
use azure_data_tables::IfMatchCondition;
use azure_data_tables::prelude::TableClient;
use futures::StreamExt as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What an Azure error means to this service.
#[derive(Debug)]
pub(crate) enum ErrorClass {
    NotFound(String),
    AlreadyExists,
    PreconditionFailed,
    Unavailable(String),
    Other(String),
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

fn store_error(error: azure_core::Error) -> StoreError {
    classify(error).into()
}

/// The error of a write made with `If-Match`: a changed or vanished row is a `Conflict`
/// (read again and decide again).
pub(crate) fn conditional_write_error(error: azure_core::Error) -> StoreError {
    match lost_or(classify(error)) {
        None => StoreError::Conflict,
        Some(other) => other,
    }
}

/// `None` when a conditional write lost (the row changed, vanished or already exists);
/// the error otherwise.
fn lost_or(class: ErrorClass) -> Option<StoreError> {
    match class {
        ErrorClass::PreconditionFailed | ErrorClass::AlreadyExists => None,
        ErrorClass::NotFound(code) if code != "TableNotFound" => None,
        other => Some(other.into()),
    }
}

/// A row and its ETag; `None` when there is no such row.
pub(crate) async fn read<T: DeserializeOwned + Send + Sync>(
    table: &TableClient,
    pk: &str,
    rk: &str,
) -> Result<Option<(T, String)>, StoreError> {
    match table
        .partition_key_client(pk)
        .entity_client(rk)
        .get::<T>()
        .await
        .map_err(classify)
    {
        Ok(response) => Ok(Some((response.entity, response.etag.to_string()))),
        Err(ErrorClass::NotFound(code)) if code != "TableNotFound" => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// A row without its ETag; `None` when there is no such row.
pub(crate) async fn read_value<T: DeserializeOwned + Send + Sync>(
    table: &TableClient,
    pk: &str,
    rk: &str,
) -> Result<Option<T>, StoreError> {
    Ok(read(table, pk, rk).await?.map(|(row, _)| row))
}

/// Inserts a row; its ETag, or `None` when a row with its keys already exists.
pub(crate) async fn insert_if_absent<T: Serialize>(
    table: &TableClient,
    row: &T,
) -> Result<Option<String>, StoreError> {
    let insert = table
        .insert::<&T, serde_json::Value>(row)
        .map_err(|e| StoreError::Unexpected(e.to_string()))?
        .return_entity(false);
    match insert.await.map_err(classify) {
        Ok(response) => Ok(Some(response.etag.to_string())),
        Err(ErrorClass::AlreadyExists) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Inserts a row; `false` when a row with its keys already exists.
pub(crate) async fn insert_absent<T: Serialize>(
    table: &TableClient,
    row: &T,
) -> Result<bool, StoreError> {
    Ok(insert_if_absent(table, row).await?.is_some())
}

/// Replaces a row if it still has `etag`; its new ETag, or `None` when it changed or
/// vanished meanwhile.
pub(crate) async fn replace_if_match<T: Serialize>(
    table: &TableClient,
    pk: &str,
    rk: &str,
    row: &T,
    etag: &str,
) -> Result<Option<String>, StoreError> {
    let replaced = table
        .partition_key_client(pk)
        .entity_client(rk)
        .update(row, IfMatchCondition::Etag(Etag::from(etag)))
        .map_err(|e| StoreError::Unexpected(e.to_string()))?
        .await;
    match replaced {
        Ok(response) => Ok(Some(response.etag.to_string())),
        Err(e) => lost_or(classify(e)).map_or(Ok(None), Err),
    }
}

/// Merges `row`'s properties into a row if it still has `etag`; `Conflict` otherwise.
pub(crate) async fn merge_if_match<T: Serialize>(
    table: &TableClient,
    pk: &str,
    rk: &str,
    row: &T,
    etag: &str,
) -> Result<(), StoreError> {
    table
        .partition_key_client(pk)
        .entity_client(rk)
        .merge(row, IfMatchCondition::Etag(Etag::from(etag)))
        .map_err(|e| StoreError::Unexpected(e.to_string()))?
        .await
        .map(|_| ())
        .map_err(conditional_write_error)
}

/// Merges `row`'s properties into a row that exists (`If-Match: *`); `false` when there
/// is no such row.
pub(crate) async fn merge_if_present<T: Serialize>(
    table: &TableClient,
    pk: &str,
    rk: &str,
    row: &T,
) -> Result<bool, StoreError> {
    let merged = table
        .partition_key_client(pk)
        .entity_client(rk)
        .merge(row, IfMatchCondition::Any)
        .map_err(|e| StoreError::Unexpected(e.to_string()))?
        .await;
    match merged {
        Ok(_) => Ok(true),
        Err(e) => lost_or(classify(e)).map_or(Ok(false), Err),
    }
}

/// Writes a row whatever is there (insert or replace).
pub(crate) async fn upsert<T: Serialize>(
    table: &TableClient,
    pk: &str,
    rk: &str,
    row: &T,
) -> Result<(), StoreError> {
    table
        .partition_key_client(pk)
        .entity_client(rk)
        .insert_or_replace(row)
        .map_err(|e| StoreError::Unexpected(e.to_string()))?
        .await
        .map_err(store_error)?;
    Ok(())
}

/// Deletes a row if it still has `etag`; `false` when it changed or vanished meanwhile.
pub(crate) async fn delete_if_match(
    table: &TableClient,
    pk: &str,
    rk: &str,
    etag: &str,
) -> Result<bool, StoreError> {
    let deleted = table
        .partition_key_client(pk)
        .entity_client(rk)
        .delete()
        .if_match(IfMatchCondition::Etag(Etag::from(etag)))
        .await;
    match deleted {
        Ok(_) => Ok(true),
        Err(e) => lost_or(classify(e)).map_or(Ok(false), Err),
    }
}

/// Deletes a row; `false` when it was not there.
pub(crate) async fn delete_if_present(
    table: &TableClient,
    pk: &str,
    rk: &str,
) -> Result<bool, StoreError> {
    let deleted = table
        .partition_key_client(pk)
        .entity_client(rk)
        .delete()
        .await;
    match deleted.map_err(classify) {
        Ok(_) => Ok(true),
        Err(ErrorClass::NotFound(code)) if code != "TableNotFound" => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// Creates the table unless it exists.
pub(crate) async fn ensure(table: &TableClient) -> Result<(), StoreError> {
    match table.create().await.map_err(classify) {
        Ok(_) | Err(ErrorClass::AlreadyExists) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

/// The rows matching `filter` (all rows without one), page after page; with `top`, at
/// most that many, asked for in pages of that size (at most 1,000, the service's page).
pub(crate) async fn query<T: DeserializeOwned + Send + Sync + 'static>(
    table: &TableClient,
    filter: Option<String>,
    top: Option<usize>,
) -> Result<Vec<T>, StoreError> {
    let mut query = table.query();
    if let Some(filter) = filter {
        query = query.filter(filter);
    }
    if let Some(top) = top {
        query = query.top(u32::try_from(top.min(1000)).unwrap_or(1000));
    }
    let mut stream = query.into_stream::<T>();
    let mut rows = Vec::new();
    while let Some(page) = stream.next().await {
        rows.extend(page.map_err(store_error)?.entities);
        if let Some(top) = top.filter(|top| rows.len() >= *top) {
            rows.truncate(top);
            break;
        }
    }
    Ok(rows)
}

/// Inserts `rows`, all of `partition`, in one entity-group transaction (one request);
/// `Ok(false)` when it was refused as a whole (a row exists), so nothing was written.
pub(crate) async fn insert_together(
    table: &TableClient,
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

/// One write of an entity-group transaction ([`write_all`]).
#[derive(Clone)]
pub(crate) enum Write {
    /// Insert-if-absent.
    Insert(serde_json::Value),
    /// Replace the row `RowKey` if it still has the ETag.
    Replace {
        rk: String,
        row: serde_json::Value,
        etag: String,
    },
    /// Insert or replace, whatever is there.
    Upsert { rk: String, row: serde_json::Value },
    /// Insert or merge these columns into what is there.
    Merge { rk: String, row: serde_json::Value },
}

/// Makes `writes`, all of `partition`, in one entity-group transaction (one request):
/// the new ETag of each, in order; `None` when it was refused as a whole (a row to insert
/// exists, a row to replace changed or vanished), so nothing was written.
pub(crate) async fn write_all(
    table: &TableClient,
    partition: &str,
    writes: Vec<Write>,
) -> Result<Option<Vec<String>>, StoreError> {
    let unexpected = |e: azure_core::Error| StoreError::Unexpected(e.to_string());
    let count = writes.len();
    let mut batch = table.partition_key_client(partition).transaction();
    for write in writes {
        batch = match write {
            Write::Insert(row) => batch.insert(row),
            Write::Replace { rk, row, etag } => {
                batch.update(rk, row, Some(IfMatchCondition::Etag(Etag::from(etag))))
            }
            Write::Upsert { rk, row } => batch.insert_or_replace(rk, row),
            Write::Merge { rk, row } => batch.insert_or_merge(rk, row),
        }
        .map_err(unexpected)?;
    }
    match batch.await {
        Ok(response) => {
            let written: Option<Vec<String>> = response
                .operation_responses
                .iter()
                .map(|r| {
                    r.status_code
                        .is_success()
                        .then(|| r.etag.as_ref().map(ToString::to_string))
                        .flatten()
                })
                .collect();
            Ok(written.filter(|etags| etags.len() == count))
        }
        Err(e) => lost_or(classify(e)).map_or(Ok(None), Err),
    }
}

/// A row as the JSON an entity-group transaction sends.
pub(crate) fn row_json<T: Serialize>(row: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(row).map_err(|e| StoreError::Unexpected(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_table_is_unavailable_and_never_a_missing_row() {
        let table_gone = || ErrorClass::NotFound("TableNotFound".into());
        assert!(matches!(
            lost_or(table_gone()),
            Some(StoreError::Unavailable(_))
        ));
        assert!(matches!(
            StoreError::from(table_gone()),
            StoreError::Unavailable(_)
        ));
        // A row that changed, vanished or already exists: the write lost, read again.
        for lost in [
            ErrorClass::NotFound("ResourceNotFound".into()),
            ErrorClass::PreconditionFailed,
            ErrorClass::AlreadyExists,
        ] {
            assert!(lost_or(lost).is_none());
        }
        assert!(matches!(
            lost_or(ErrorClass::Unavailable("HTTP 503".into())),
            Some(StoreError::Unavailable(_))
        ));
        assert!(matches!(
            lost_or(ErrorClass::Other("HTTP 400".into())),
            Some(StoreError::Unexpected(_))
        ));
    }
}
