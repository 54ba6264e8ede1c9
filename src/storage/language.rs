//! The language an account's person reads: PartitionKey `acct-{account id}`, RowKey
//! `language`, written from the invitation's locale when the account is made and replaced
//! by each choice of the pages' language switch (the last choice wins).

use super::StoreError;
use super::keys::{LANGUAGE_ROW, account_partition};
use super::table;
use crate::domain::account::AccountId;
use crate::domain::locale::Locale;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct LanguageEntity {
    partition_key: String,
    row_key: String,
    locale: String,
}

pub async fn read(
    accounts: &TableClient,
    account: &AccountId,
) -> Result<Option<Locale>, StoreError> {
    let row =
        table::read_value::<LanguageEntity>(accounts, &account_partition(account), LANGUAGE_ROW)
            .await?;
    Ok(row.and_then(|r| Locale::parse(&r.locale).ok()))
}

/// The row that records `locale` as the account's language.
pub(super) fn entity(account: &AccountId, locale: Locale) -> LanguageEntity {
    LanguageEntity {
        partition_key: account_partition(account),
        row_key: LANGUAGE_ROW.into(),
        locale: locale.as_str().into(),
    }
}

pub async fn write(
    accounts: &TableClient,
    account: &AccountId,
    locale: Locale,
) -> Result<(), StoreError> {
    let row = entity(account, locale);
    let partition = row.partition_key.clone();
    table::upsert(accounts, &partition, LANGUAGE_ROW, &row).await
}
