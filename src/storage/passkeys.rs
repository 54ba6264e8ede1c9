//! An account's passkeys, in its partition of `{prefix}Accounts` (`acct-{id}` /
//! `passkey-{id}`): the public key and signature counter as `webauthn-rs` keeps them
//! (JSON; no secret), the name and dates. Erasing the account's partition erases them.
//! Every use is an `If-Match` write, so of two requests with one assertion only one wins.

use super::edm::{self, DateTimeTag};
use super::keys::{PASSKEY_PREFIX, account_partition, passkey_row, rows_starting_with};
use super::table;
use super::{StoreError, Versioned};
use crate::domain::account::AccountId;
use crate::domain::passkey::Passkey;
use async_trait::async_trait;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[async_trait]
pub trait PasskeyStore: Send + Sync + 'static {
    /// The account's passkeys, oldest first (one query).
    async fn passkeys(&self, account: &AccountId) -> Result<Vec<Versioned<Passkey>>, StoreError>;
    /// Adds a passkey; `false` when the account has this credential already.
    async fn add_passkey(&self, account: &AccountId, passkey: &Passkey)
    -> Result<bool, StoreError>;
    /// Writes a passkey back (name, counter, last use) if it is still at `etag`;
    /// `Conflict` when it changed or went meanwhile.
    async fn save_passkey(
        &self,
        account: &AccountId,
        passkey: &Passkey,
        etag: &str,
    ) -> Result<(), StoreError>;
    /// Removes a passkey; `false` when it was not there.
    async fn remove_passkey(&self, account: &AccountId, id: &str) -> Result<bool, StoreError>;
}

pub struct TablePasskeyStore {
    accounts: TableClient,
}

impl TablePasskeyStore {
    pub fn new(service: &TableServiceClient, prefix: &str) -> Self {
        Self {
            accounts: service.table_client(format!("{prefix}Accounts")),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PasskeyEntity {
    partition_key: String,
    row_key: String,
    name: String,
    #[serde(with = "edm::datetime")]
    added_at: OffsetDateTime,
    #[serde(rename = "AddedAt@odata.type", default)]
    added_at_type: DateTimeTag,
    #[serde(with = "edm::option_datetime", default)]
    last_used_at: Option<OffsetDateTime>,
    /// `webauthn-rs`'s `SecurityKey` as JSON: credential id, public key, counter.
    key: String,
    #[serde(default)]
    last_challenge: String,
}

impl PasskeyEntity {
    fn new(account: &AccountId, passkey: &Passkey) -> Result<Self, StoreError> {
        Ok(Self {
            partition_key: account_partition(account),
            row_key: passkey_row(&passkey.id),
            name: passkey.name.clone(),
            added_at: passkey.added_at,
            added_at_type: DateTimeTag,
            last_used_at: passkey.last_used_at,
            key: serde_json::to_string(&passkey.key)
                .map_err(|e| StoreError::Unexpected(e.to_string()))?,
            last_challenge: passkey.last_challenge.clone(),
        })
    }

    fn into_passkey(self) -> Option<Passkey> {
        let key = serde_json::from_str(&self.key).ok()?;
        Some(Passkey {
            id: self.row_key.strip_prefix(PASSKEY_PREFIX)?.to_owned(),
            name: self.name,
            added_at: self.added_at,
            last_used_at: self.last_used_at,
            key,
            last_challenge: self.last_challenge,
        })
    }
}

/// A row with its ETag, as a query returns it.
#[derive(Deserialize)]
struct Row {
    #[serde(rename = "odata.etag")]
    etag: String,
    #[serde(flatten)]
    entity: PasskeyEntity,
}

#[async_trait]
impl PasskeyStore for TablePasskeyStore {
    async fn passkeys(&self, account: &AccountId) -> Result<Vec<Versioned<Passkey>>, StoreError> {
        let filter = rows_starting_with(&account_partition(account), PASSKEY_PREFIX);
        let rows: Vec<Row> = table::query(&self.accounts, Some(filter), None).await?;
        let mut keys: Vec<Versioned<Passkey>> = rows
            .into_iter()
            .filter_map(|row| {
                let value = row.entity.into_passkey();
                if value.is_none() {
                    tracing::error!("a passkey row cannot be read: left out");
                }
                Some(Versioned {
                    value: value?,
                    etag: row.etag,
                })
            })
            .collect();
        keys.sort_by_key(|k| k.value.added_at);
        Ok(keys)
    }

    async fn add_passkey(
        &self,
        account: &AccountId,
        passkey: &Passkey,
    ) -> Result<bool, StoreError> {
        table::insert_absent(&self.accounts, &PasskeyEntity::new(account, passkey)?).await
    }

    async fn save_passkey(
        &self,
        account: &AccountId,
        passkey: &Passkey,
        etag: &str,
    ) -> Result<(), StoreError> {
        let row = PasskeyEntity::new(account, passkey)?;
        match table::replace_if_match(&self.accounts, &row.partition_key, &row.row_key, &row, etag)
            .await?
        {
            Some(_) => Ok(()),
            None => Err(StoreError::Conflict),
        }
    }

    async fn remove_passkey(&self, account: &AccountId, id: &str) -> Result<bool, StoreError> {
        table::delete_if_present(
            &self.accounts,
            &account_partition(account),
            &passkey_row(id),
        )
        .await
    }
}
