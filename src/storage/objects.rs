//! The index from a person's tenant and object id (`tid`, `oid`, as the customer
//! directory names them to every application) to their account, in `{prefix}Accounts`:
//! PartitionKey `object-{sha256(tid, oid)}`, RowKey `object`, one row per person. The
//! claims provider finds a person with one point read of it, never by email.
//!
//! A login's row carries `ObjectKey`, the partition of the index row its id_token's
//! `tid`/`oid` were recorded under: a sign-in that finds it equal writes nothing, so
//! only the first sign-in of a login (or one whose `tid`/`oid` changed) writes. The
//! erasure, an unlink and the operator's merge read it to remove or re-point the index
//! row.

use super::StoreError;
use super::keys::{LOGIN_ROW, OBJECT_ROW, login_partition, object_partition};
use super::table;
use crate::domain::account::AccountId;
use crate::domain::ids::ObjectId;
use crate::domain::invitation::LoginId;
use azure_data_tables::prelude::TableClient;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ObjectEntity {
    partition_key: String,
    row_key: String,
    account_id: String,
    /// The partition of the login whose sign-in recorded it.
    login: String,
}

/// What [`record`] merges into the login's row (read back: absent until recorded).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ObjectMark {
    #[serde(default)]
    object_key: Option<String>,
}

impl super::LoginRecord {
    /// Whether the login's row says `object` was recorded for it.
    pub fn names(&self, object: &ObjectId) -> bool {
        self.object_key.as_deref() == Some(object_partition(object).as_str())
    }
}

/// The account the person `object` has, if any: one point read.
pub(super) async fn account(
    accounts: &TableClient,
    object: &ObjectId,
) -> Result<Option<AccountId>, StoreError> {
    Ok(
        table::read_value::<ObjectEntity>(accounts, &object_partition(object), OBJECT_ROW)
            .await?
            .map(|row| AccountId::from_stored(row.account_id)),
    )
}

/// Makes `object` lead to `account` (its index row, whatever it said), then marks the
/// login's row with it: two writes.
pub(super) async fn record(
    accounts: &TableClient,
    object: &ObjectId,
    login: &LoginId,
    account: &AccountId,
) -> Result<(), StoreError> {
    let partition = object_partition(object);
    lead(accounts, &partition, &login_partition(login), account).await?;
    let mark = ObjectMark {
        object_key: Some(partition),
    };
    table::merge_if_present(accounts, &login_partition(login), LOGIN_ROW, &mark).await?;
    Ok(())
}

/// Makes the index row `partition` lead to `account` (the merge's survivor).
pub(super) async fn lead(
    accounts: &TableClient,
    partition: &str,
    login_partition: &str,
    account: &AccountId,
) -> Result<(), StoreError> {
    let row = ObjectEntity {
        partition_key: partition.to_owned(),
        row_key: OBJECT_ROW.to_owned(),
        account_id: account.as_str().to_owned(),
        login: login_partition.to_owned(),
    };
    table::upsert(accounts, partition, OBJECT_ROW, &row).await
}

/// Deletes the index row `partition` if it still leads to `account` (an erasure, an
/// unlink): never another person's on a guess.
pub(super) async fn forget(
    accounts: &TableClient,
    partition: &str,
    account: &AccountId,
) -> Result<(), StoreError> {
    let found = table::read::<ObjectEntity>(accounts, partition, OBJECT_ROW).await?;
    if let Some((_, etag)) = found.filter(|(row, _)| row.account_id == account.as_str()) {
        table::delete_if_match(accounts, partition, OBJECT_ROW, &etag).await?;
    }
    Ok(())
}

/// [`forget`] the index row a login's row names, before the login's row goes.
pub(super) async fn forget_login(
    accounts: &TableClient,
    login: &LoginId,
    account: &AccountId,
) -> Result<(), StoreError> {
    let marked = table::read_value::<ObjectMark>(accounts, &login_partition(login), LOGIN_ROW)
        .await?
        .and_then(|row| row.object_key);
    if let Some(partition) = marked {
        forget(accounts, &partition, account).await?;
    }
    Ok(())
}
