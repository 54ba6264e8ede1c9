//! A company's pending colleague invitations, in the company's own partition of
//! `{prefix}Companies` (RowKey [`invited_row`] `invited-{invitation id}`), so the company
//! page lists them with one query of that partition instead of one read per invitation.
//!
//! A row is the invitation as the page and `GET /api/companies/{id}` show it (the
//! invitation's own columns, without its history, its replaced links, its reminder and
//! the login it is bound to), present while the invitation is `pending` or `accepted`:
//! expiry writes nothing (the row carries `ExpiresAt`, the reader decides). The service
//! writes it after each change of the invitation (`service::pending`); a colleague's
//! join marks it `completed` in the roster's own transaction ([`completed_stub`]); the
//! retention pass puts right whatever a change cut short left behind.

use super::StoreError;
use super::entity::InvitationEntity;
use super::keys::{INVITED_PREFIX, invited_row, row_keys_starting_with, rows_starting_with};
use super::table;
use crate::domain::account::CompanyId;
use crate::domain::invitation::{Invitation, InvitationId, StoredStatus};
use azure_data_tables::prelude::TableClient;
use serde_json::{Value, json};

/// Whether an invitation in this stored status has a row.
pub fn listed(invitation: &Invitation) -> bool {
    matches!(
        invitation.status,
        StoredStatus::Pending | StoredStatus::Accepted
    )
}

/// The row of `invitation` in `company`'s partition.
fn entity(company: &CompanyId, invitation: &Invitation) -> InvitationEntity {
    let mut shown = invitation.clone();
    shown.history.clear();
    shown.previous_links.clear();
    shown.reminder = None;
    shown.bound_to = None;
    shown.in_figures = false;
    let mut row = InvitationEntity::from(&shown);
    row.partition_key = company.as_str().to_owned();
    row.row_key = invited_row(invitation.id.as_str());
    row
}

/// A row read back as the invitation it shows; `None` for a row that does not read as
/// one (a join's [`completed_stub`] of a row that was gone).
fn read(row: Value) -> Option<Invitation> {
    let mut entity: InvitationEntity = serde_json::from_value(row).ok()?;
    entity.row_key = entity.row_key.strip_prefix(INVITED_PREFIX)?.to_owned();
    entity.partition_key = InvitationId::parse(&entity.row_key)
        .ok()?
        .bucket()
        .to_owned();
    Invitation::try_from(entity).ok()
}

/// Writes the row of `invitation` as it now is, or removes it once it ended.
pub async fn write(
    companies: &TableClient,
    company: &CompanyId,
    invitation: &Invitation,
) -> Result<(), StoreError> {
    let rk = invited_row(invitation.id.as_str());
    if !listed(invitation) {
        return table::delete_if_present(companies, company.as_str(), &rk)
            .await
            .map(|_| ());
    }
    table::upsert(
        companies,
        company.as_str(),
        &rk,
        &entity(company, invitation),
    )
    .await
}

/// Removes the row of invitation `id` (the invitation is gone).
pub async fn remove(
    companies: &TableClient,
    company: &CompanyId,
    id: &str,
) -> Result<(), StoreError> {
    let rk = invited_row(id);
    table::delete_if_present(companies, company.as_str(), &rk)
        .await
        .map(|_| ())
}

/// The row of `invitation`, as JSON for an entity-group transaction (an upsert).
pub fn row_of(company: &CompanyId, invitation: &Invitation) -> Result<Value, StoreError> {
    table::row_json(&entity(company, invitation))
}

/// What a colleague's join merges into the row of the invitation it completes, in the
/// roster's transaction: the row stays but no longer reads as pending (and where the row
/// was gone, the stub reads as nothing); the retention pass removes it.
pub fn completed_stub(company: &CompanyId, invitation: &str) -> (String, Value) {
    let rk = invited_row(invitation);
    let row = json!({
        "PartitionKey": company.as_str(),
        "RowKey": rk,
        "Status": StoredStatus::Completed.as_str(),
    });
    (rk, row)
}

/// The company's rows: one query of its partition.
pub async fn of_company(
    companies: &TableClient,
    company: &CompanyId,
) -> Result<Vec<Invitation>, StoreError> {
    let filter = rows_starting_with(company.as_str(), INVITED_PREFIX);
    let rows: Vec<Value> = table::query(companies, Some(filter), None).await?;
    Ok(rows.into_iter().filter_map(read).collect())
}

/// Every company's rows (a scan of the table, for the retention pass only): the company,
/// the invitation's id, and what the row shows (`None`: a stub).
pub async fn every(
    companies: &TableClient,
) -> Result<Vec<(CompanyId, String, Option<Invitation>)>, StoreError> {
    let filter = row_keys_starting_with(INVITED_PREFIX);
    let rows: Vec<Value> = table::query(companies, Some(filter), None).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let company = CompanyId::from_stored(row["PartitionKey"].as_str()?.to_owned());
            let id = row["RowKey"].as_str()?.strip_prefix(INVITED_PREFIX)?;
            let id = id.to_owned();
            Some((company, id, read(row)))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::Role;
    use crate::domain::company::CompanyDraft;
    use crate::domain::email::EmailAddress;
    use crate::domain::invitation::{DisplayName, ExpiryDays, Inviter, Join, NewInvitation};
    use crate::domain::locale::Locale;
    use crate::domain::secret::InvitationSecret;
    use time::macros::datetime;

    fn colleague(company: &CompanyId) -> Invitation {
        let now = datetime!(2026-12-05 10:00 UTC);
        let new = NewInvitation {
            email: EmailAddress::parse("bert@example.com").unwrap(),
            display_name: DisplayName::parse("Bert Keller").unwrap(),
            locale: Locale::De,
            expires_in: ExpiryDays::default(),
            company: CompanyDraft::default(),
            join: Some(Join {
                company_id: company.clone(),
                role: Role::Administrator,
            }),
        };
        let inviter = Inviter {
            name: "Anne".into(),
            email: EmailAddress::parse("anne@example.com").unwrap(),
        };
        let id = InvitationId::new(now, 7);
        let hash = InvitationSecret::generate(id.as_str()).unwrap().hash();
        Invitation::create(new, inviter, id, hash, now)
    }

    #[test]
    fn a_row_reads_back_as_what_the_page_shows_without_the_history() {
        let company = CompanyId::from_stored("c9998235962181a1b2c3d4e5f6".into());
        let invitation = colleague(&company);
        assert!(!invitation.history.is_empty());
        let row = row_of(&company, &invitation).unwrap();
        assert_eq!(row["PartitionKey"], company.as_str());
        assert_eq!(row["RowKey"], format!("invited-{}", invitation.id));
        assert_eq!(row["History"], "[]");
        let shown = read(row).unwrap();
        assert_eq!(shown.id, invitation.id);
        assert_eq!(shown.email, invitation.email);
        assert_eq!(shown.status, invitation.status);
        assert_eq!(shown.expires_at, invitation.expires_at);
        assert_eq!(shown.inviter_email(), "anne@example.com");
        assert_eq!(shown.join(), invitation.join());
        assert!(listed(&shown));
    }

    #[test]
    fn a_joins_stub_of_a_row_that_was_gone_reads_as_nothing() {
        let company = CompanyId::from_stored("c9998235962181a1b2c3d4e5f6".into());
        let (rk, stub) = completed_stub(&company, "9998235962181a1b2c3d4e5f6");
        assert_eq!(rk, "invited-9998235962181a1b2c3d4e5f6");
        assert!(read(stub).is_none());
    }
}
