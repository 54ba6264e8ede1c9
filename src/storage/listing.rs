//! The companies list: one partition of `{prefix}Companies`, [`COMPANY_LIST_PARTITION`],
//! one row per company (RowKey = the company id) with what the staff list shows and the
//! member count. Company ids count down with their creation time, so the partition's key
//! order is newest first and a page is one range query, whatever the number of
//! companies, their members or their history rows (the companies' own rows are spread
//! over one partition each: listing them was a scan of the whole table and a roster read
//! per company).
//!
//! The row is inserted when the company is (`members.rs`), rewritten with the new count
//! by every roster change that changes it, before the roster is saved (`members.rs`, so
//! a change cut short between the two is set right by its retry), and deleted before a
//! company is taken away. Companies made before the list are put in by
//! `handler index-companies` (`service::members::index_companies`).

use super::StoreError;
use super::edm::{self, DateTimeTag};
use super::keys::COMPANY_LIST_PARTITION;
use super::table;
use crate::domain::account::{Company, CompanyId, CompanySummary};
use crate::domain::country::{CountryCode, VatNumber};
use azure_data_tables::prelude::TableClient;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedEntity {
    partition_key: String,
    row_key: String,
    name: String,
    vat_number: String,
    country: String,
    #[serde(with = "edm::datetime")]
    created_at: OffsetDateTime,
    #[serde(rename = "CreatedAt@odata.type", default)]
    created_at_type: DateTimeTag,
    members: i32,
}

fn entity(company: &Company, members: usize) -> ListedEntity {
    ListedEntity {
        partition_key: COMPANY_LIST_PARTITION.to_owned(),
        row_key: company.id.as_str().to_owned(),
        name: company.details.name.clone(),
        vat_number: company.details.vat_number.as_str().to_owned(),
        country: company.details.country.to_string(),
        created_at: company.created_at,
        created_at_type: DateTimeTag,
        members: i32::try_from(members).unwrap_or(i32::MAX),
    }
}

/// Adds a new company to the list (with its creator), unless it is there already.
pub(super) async fn add(companies: &TableClient, company: &Company) -> Result<(), StoreError> {
    table::insert_absent(companies, &entity(company, 1)).await?;
    Ok(())
}

/// Writes the company's line with `members`.
pub(super) async fn write(
    companies: &TableClient,
    company: &Company,
    members: usize,
) -> Result<(), StoreError> {
    table::upsert(
        companies,
        COMPANY_LIST_PARTITION,
        company.id.as_str(),
        &entity(company, members),
    )
    .await
}

pub(super) async fn remove(companies: &TableClient, id: &CompanyId) -> Result<(), StoreError> {
    table::delete_if_present(companies, COMPANY_LIST_PARTITION, id.as_str()).await?;
    Ok(())
}

/// `top` companies, newest first, after `after`; where the next page starts.
pub(super) async fn page(
    companies: &TableClient,
    top: u32,
    after: Option<&CompanyId>,
) -> Result<(Vec<CompanySummary>, Option<CompanyId>), StoreError> {
    let mut filter = format!(
        "PartitionKey eq {}",
        edm::string_literal(COMPANY_LIST_PARTITION)
    );
    if let Some(after) = after {
        filter.push_str(&format!(
            " and RowKey gt {}",
            edm::string_literal(after.as_str())
        ));
    }
    let rows: Vec<ListedEntity> =
        table::query(companies, Some(filter), Some(top as usize + 1)).await?;
    let mut listed = rows
        .into_iter()
        .map(|row| {
            let country = CountryCode::parse(&row.country).map_err(|_| {
                StoreError::Unexpected(format!("listed company {}: unreadable", row.row_key))
            })?;
            Ok(CompanySummary {
                id: CompanyId::from_stored(row.row_key),
                name: row.name,
                vat_number: VatNumber::from_stored(row.vat_number),
                country,
                created_at: row.created_at,
                members: usize::try_from(row.members).unwrap_or(0),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let next = if listed.len() > top as usize {
        listed.truncate(top as usize);
        listed.last().map(|c| c.id.clone())
    } else {
        None
    };
    Ok((listed, next))
}
