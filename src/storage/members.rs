//! A company's members and membership history, in the company's own partition of
//! `{prefix}Companies` (beside its `company` row), so "the members of a company" is one
//! point read and its history one single-partition query:
//!
//! - RowKey `members`: the roster, every member (account, email, name, role, since) as
//!   JSON, with the administrator count beside it. Every change is an `If-Match` replace
//!   (or an insert-if-absent for the first), in one entity-group transaction with the
//!   history row that records it: two changes decided on the same roster cannot both land,
//!   so two administrators demoting each other at once leave one administrator.
//! - RowKey `history-{13-digit ms}-{8 hex}`: one row per event, oldest first.
//! - RowKey `invited-{invitation id}`: a pending colleague invitation (`pending.rs`).
//!
//! The roster is written with the company's row (its creator, in one entity-group
//! transaction), and read with it in one query. A company made before that has no
//! `members` row: its roster is its creator (by the account its email opened), written
//! on the first change.
//! The account-side `company-{id}` row (Accounts, the account's partition) follows the
//! roster after each change, so Home lists an account's companies with one query.

use super::StoreError;
use super::accounts::{CompanyEntity, EmailEntity, MembershipEntity};
use super::edm::{self, DateTimeTag};
use super::keys::{
    COMPANY_ROW, EMAIL_ROW, HISTORY_PREFIX, ROSTER_ROW, account_partition, email_partition,
    history_row, invited_row, membership_row, rows_starting_with,
};
use super::table::{self, Write, row_json};
use crate::domain::account::{AccountId, Company, CompanyId, CompanySummary, Role};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::Invitation;
use crate::domain::membership::{Member, MemberEvent, MemberHistoryEntry, Roster};
use async_trait::async_trait;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A pending row found by the retention pass: its company, its invitation's id, and the
/// invitation as the row shows it (`None`: a row that does not read as one).
pub type PendingRow = (CompanyId, String, Option<Invitation>);

/// What an erased person's email becomes in a company's history.
pub const ERASED_PERSON: &str = "erased";

#[async_trait]
pub trait MemberStore: Send + Sync + 'static {
    /// Stores the company with its roster of one, `creator` (one entity-group
    /// transaction), unless one with its id exists, then its line in the companies list;
    /// returns the stored company.
    async fn create_company(
        &self,
        company: &Company,
        creator: &Member,
    ) -> Result<Company, StoreError>;
    /// The company's row and its roster, in one query of its partition (`None`: no
    /// company).
    async fn company_and_roster(&self, id: &CompanyId) -> Result<Option<CompanyRead>, StoreError>;
    /// The company's roster and the ETag to change it with (`None`: no roster row yet).
    async fn roster(&self, company: &Company) -> Result<(Roster, Option<String>), StoreError>;
    /// Writes the roster (insert without `etag`, `If-Match` with it) together with
    /// `history`, all or nothing; `Conflict` when the roster changed meanwhile.
    async fn save(
        &self,
        company: &CompanyId,
        roster: &Roster,
        etag: Option<&str>,
        history: &[MemberHistoryEntry],
    ) -> Result<(), StoreError>;
    /// Adds the `invited` history entry of a colleague invitation with its pending row
    /// (`pending.rs`), in one transaction.
    async fn invited(
        &self,
        company: &CompanyId,
        entry: &MemberHistoryEntry,
        invitation: &Invitation,
    ) -> Result<(), StoreError>;
    /// The company's pending rows, as the invitations they show (one query).
    async fn pending(&self, company: &CompanyId) -> Result<Vec<Invitation>, StoreError>;
    /// Brings the pending row of `invitation` in step with it (written, or removed once
    /// it ended).
    async fn set_pending(
        &self,
        company: &CompanyId,
        invitation: &Invitation,
    ) -> Result<(), StoreError>;
    /// Removes the pending row of the invitation with id `invitation` (gone).
    async fn drop_pending(&self, company: &CompanyId, invitation: &str) -> Result<(), StoreError>;
    /// Every company's pending rows: a scan of the table, for the retention pass only.
    async fn every_pending(&self) -> Result<Vec<PendingRow>, StoreError>;
    /// Sets whether the company requires a second factor of its members (a merge of that
    /// one column of its row); `false` when the company is gone.
    async fn require_second_factor(
        &self,
        company: &CompanyId,
        on: bool,
    ) -> Result<bool, StoreError>;
    /// The company's membership history, oldest first.
    async fn history(&self, company: &CompanyId) -> Result<Vec<MemberHistoryEntry>, StoreError>;
    /// Makes the account-side row of `account` in `company` say `role`, or removes it.
    async fn set_account_row(
        &self,
        account: &AccountId,
        company: &Company,
        role: Option<Role>,
    ) -> Result<(), StoreError>;
    /// Companies newest first (ids count down), `top` of them after `after`, from the
    /// companies list (one query); the next page's start when there are more.
    async fn companies(
        &self,
        top: u32,
        after: Option<&CompanyId>,
    ) -> Result<(Vec<CompanySummary>, Option<CompanyId>), StoreError>;
    /// Writes the company's line in the companies list with `members`.
    async fn list(&self, company: &Company, members: usize) -> Result<(), StoreError>;
    /// Every company, from the companies' own rows: a scan of the table, for putting the
    /// companies made before the list into it (`handler index-companies`) only.
    async fn every_company(&self) -> Result<Vec<Company>, StoreError>;
    /// Replaces `email` in the company's history (actor or subject) by
    /// [`ERASED_PERSON`]; returns how many rows changed.
    async fn pseudonymise(
        &self,
        company: &CompanyId,
        email: &EmailAddress,
    ) -> Result<u32, StoreError>;
    /// Deletes the company's history entries of `invitation` (an invitation the retention
    /// rule erases: its entries name the invitee) and its pending row; how many entries.
    async fn forget_invitation(
        &self,
        company: &CompanyId,
        invitation: &str,
    ) -> Result<u32, StoreError>;
}

/// A company and its roster as read together, with the ETag to change the roster with
/// (`None`: no roster row yet).
pub struct CompanyRead {
    pub company: Company,
    pub roster: Roster,
    pub etag: Option<String>,
}

#[derive(Clone)]
pub struct TableMemberStore {
    companies: TableClient,
    accounts: TableClient,
}

impl TableMemberStore {
    pub fn new(service: &TableServiceClient, prefix: &str) -> Self {
        Self {
            companies: service.table_client(format!("{prefix}Companies")),
            accounts: service.table_client(format!("{prefix}Accounts")),
        }
    }

    /// The roster of a company without a roster row: its creator, if their account exists.
    async fn seed(&self, company: &Company) -> Result<Roster, StoreError> {
        let Some(creator) = &company.created_by else {
            return Ok(Roster::default());
        };
        let account =
            table::read_value::<EmailEntity>(&self.accounts, &email_partition(creator), EMAIL_ROW)
                .await?;
        Ok(Roster {
            members: account
                .map(|row| Member {
                    account: AccountId::from_stored(row.account_id),
                    email: creator.clone(),
                    name: company.created_by_name.clone(),
                    role: Role::Administrator,
                    since: company.created_at,
                })
                .into_iter()
                .collect(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RosterEntity {
    partition_key: String,
    row_key: String,
    #[serde(rename = "odata.etag", default, skip_serializing)]
    etag: Option<String>,
    /// JSON array of [`StoredMember`].
    members: String,
    administrators: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredMember {
    account: String,
    email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    role: String,
    since: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HistoryEntity {
    partition_key: String,
    row_key: String,
    #[serde(with = "edm::datetime")]
    at: OffsetDateTime,
    #[serde(rename = "At@odata.type", default)]
    at_type: DateTimeTag,
    event: String,
    actor: String,
    subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invitation_id: Option<String>,
}

fn roster_entity(company: &CompanyId, roster: &Roster) -> Result<RosterEntity, StoreError> {
    let members: Vec<StoredMember> = roster
        .members
        .iter()
        .map(|m| StoredMember {
            account: m.account.as_str().to_owned(),
            email: m.email.to_string(),
            name: m.name.clone(),
            role: m.role.as_str().to_owned(),
            since: edm::format(m.since),
        })
        .collect();
    Ok(RosterEntity {
        partition_key: company.as_str().to_owned(),
        row_key: ROSTER_ROW.to_owned(),
        etag: None,
        members: serde_json::to_string(&members)
            .map_err(|e| StoreError::Unexpected(e.to_string()))?,
        administrators: i32::try_from(roster.administrators()).unwrap_or(i32::MAX),
    })
}

fn read_roster(entity: &RosterEntity) -> Result<Roster, StoreError> {
    let corrupt = || StoreError::Unexpected(format!("roster {}: unreadable", entity.partition_key));
    let stored: Vec<StoredMember> = serde_json::from_str(&entity.members).map_err(|_| corrupt())?;
    let members = stored
        .into_iter()
        .map(|m| {
            Some(Member {
                account: AccountId::from_stored(m.account),
                email: EmailAddress::parse(&m.email).ok()?,
                name: m.name,
                role: Role::parse(&m.role)?,
                since: OffsetDateTime::parse(
                    &m.since,
                    &time::format_description::well_known::Rfc3339,
                )
                .ok()?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(corrupt)?;
    Ok(Roster { members })
}

fn history_entity(company: &CompanyId, entry: &MemberHistoryEntry) -> HistoryEntity {
    use rand::Rng as _;
    let millis = (entry.at.unix_timestamp_nanos() / 1_000_000).max(0);
    HistoryEntity {
        partition_key: company.as_str().to_owned(),
        row_key: history_row(millis, rand::rng().random::<u32>()),
        at: entry.at,
        at_type: DateTimeTag,
        event: entry.event.as_str().to_owned(),
        actor: entry.actor.clone(),
        subject: entry.subject.clone(),
        role: entry.role.map(|r| r.as_str().to_owned()),
        invitation_id: entry.invitation.clone(),
    }
}

fn history_filter(company: &CompanyId) -> String {
    rows_starting_with(company.as_str(), HISTORY_PREFIX)
}

#[async_trait]
impl MemberStore for TableMemberStore {
    async fn create_company(
        &self,
        company: &Company,
        creator: &Member,
    ) -> Result<Company, StoreError> {
        let roster = Roster {
            members: vec![creator.clone()],
        };
        let rows = [
            row_json(&CompanyEntity::from(company))?,
            row_json(&roster_entity(&company.id, &roster)?)?,
        ];
        let stored = if table::insert_together(&self.companies, company.id.as_str(), &rows).await? {
            company.clone()
        } else {
            self.company_and_roster(&company.id)
                .await?
                .ok_or_else(|| StoreError::Unexpected("company vanished after a conflict".into()))?
                .company
        };
        // Then its line in the companies list (again on a retry: it may be the one
        // missing).
        super::listing::add(&self.companies, &stored).await?;
        Ok(stored)
    }

    async fn company_and_roster(&self, id: &CompanyId) -> Result<Option<CompanyRead>, StoreError> {
        let filter = format!(
            "PartitionKey eq {} and (RowKey eq '{COMPANY_ROW}' or RowKey eq '{ROSTER_ROW}')",
            edm::string_literal(id.as_str())
        );
        let rows: Vec<serde_json::Value> =
            table::query(&self.companies, Some(filter), None).await?;
        let unreadable = |e: serde_json::Error| StoreError::Unexpected(e.to_string());
        let (mut company, mut roster) = (None, None);
        for row in rows {
            match row["RowKey"].as_str() {
                Some(COMPANY_ROW) => {
                    company =
                        Some(serde_json::from_value::<CompanyEntity>(row).map_err(unreadable)?)
                }
                Some(ROSTER_ROW) => {
                    roster = Some(serde_json::from_value::<RosterEntity>(row).map_err(unreadable)?)
                }
                _ => {}
            }
        }
        let Some(company) = company.map(Company::try_from).transpose()? else {
            return Ok(None);
        };
        let (roster, etag) = match roster {
            Some(found) => (read_roster(&found)?, found.etag),
            None => (self.seed(&company).await?, None),
        };
        Ok(Some(CompanyRead {
            company,
            roster,
            etag,
        }))
    }

    async fn require_second_factor(
        &self,
        company: &CompanyId,
        on: bool,
    ) -> Result<bool, StoreError> {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Rule {
            require_second_factor: bool,
        }
        let rule = Rule {
            require_second_factor: on,
        };
        table::merge_if_present(&self.companies, company.as_str(), COMPANY_ROW, &rule).await
    }

    async fn roster(&self, company: &Company) -> Result<(Roster, Option<String>), StoreError> {
        match table::read::<RosterEntity>(&self.companies, company.id.as_str(), ROSTER_ROW).await? {
            Some((found, etag)) => Ok((read_roster(&found)?, Some(etag))),
            None => Ok((self.seed(company).await?, None)),
        }
    }

    async fn save(
        &self,
        company: &CompanyId,
        roster: &Roster,
        etag: Option<&str>,
        history: &[MemberHistoryEntry],
    ) -> Result<(), StoreError> {
        let row = row_json(&roster_entity(company, roster)?)?;
        let mut writes = vec![match etag {
            None => Write::Insert(row),
            Some(etag) => Write::Replace {
                rk: ROSTER_ROW.to_owned(),
                row,
                etag: etag.to_owned(),
            },
        }];
        for entry in history {
            writes.push(Write::Insert(row_json(&history_entity(company, entry))?));
            // A join completes its invitation: its pending row stops reading as pending.
            if let (MemberEvent::Joined, Some(invitation)) = (&entry.event, &entry.invitation) {
                let (rk, row) = super::pending::completed_stub(company, invitation);
                writes.push(Write::Merge { rk, row });
            }
        }
        // Refused as a whole: the roster changed (412) or was made meanwhile (409).
        match table::write_all(&self.companies, company.as_str(), writes).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::Conflict),
        }
    }

    async fn invited(
        &self,
        company: &CompanyId,
        entry: &MemberHistoryEntry,
        invitation: &Invitation,
    ) -> Result<(), StoreError> {
        let mut writes = vec![Write::Insert(row_json(&history_entity(company, entry))?)];
        if super::pending::listed(invitation) {
            writes.push(Write::Upsert {
                rk: invited_row(invitation.id.as_str()),
                row: super::pending::row_of(company, invitation)?,
            });
        }
        match table::write_all(&self.companies, company.as_str(), writes).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::Conflict),
        }
    }

    async fn pending(&self, company: &CompanyId) -> Result<Vec<Invitation>, StoreError> {
        super::pending::of_company(&self.companies, company).await
    }

    async fn set_pending(
        &self,
        company: &CompanyId,
        invitation: &Invitation,
    ) -> Result<(), StoreError> {
        super::pending::write(&self.companies, company, invitation).await
    }

    async fn drop_pending(&self, company: &CompanyId, invitation: &str) -> Result<(), StoreError> {
        super::pending::remove(&self.companies, company, invitation).await
    }

    async fn every_pending(&self) -> Result<Vec<PendingRow>, StoreError> {
        super::pending::every(&self.companies).await
    }

    async fn history(&self, company: &CompanyId) -> Result<Vec<MemberHistoryEntry>, StoreError> {
        let rows: Vec<HistoryEntity> =
            table::query(&self.companies, Some(history_filter(company)), None).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(MemberHistoryEntry {
                    at: row.at,
                    event: MemberEvent::parse(&row.event)?,
                    actor: row.actor,
                    subject: row.subject,
                    role: row.role.as_deref().and_then(Role::parse),
                    invitation: row.invitation_id,
                })
            })
            .collect())
    }

    async fn set_account_row(
        &self,
        account: &AccountId,
        company: &Company,
        role: Option<Role>,
    ) -> Result<(), StoreError> {
        let partition = account_partition(account);
        let row_key = membership_row(&company.id);
        let Some(role) = role else {
            return table::delete_if_present(&self.accounts, &partition, &row_key)
                .await
                .map(|_| ());
        };
        let row = MembershipEntity::new(account, (company, role));
        table::upsert(&self.accounts, &partition, &row_key, &row).await?;
        Ok(())
    }

    async fn companies(
        &self,
        top: u32,
        after: Option<&CompanyId>,
    ) -> Result<(Vec<CompanySummary>, Option<CompanyId>), StoreError> {
        super::listing::page(&self.companies, top, after).await
    }

    async fn list(&self, company: &Company, members: usize) -> Result<(), StoreError> {
        super::listing::write(&self.companies, company, members).await
    }

    async fn every_company(&self) -> Result<Vec<Company>, StoreError> {
        let filter = format!("RowKey eq '{COMPANY_ROW}'");
        let rows: Vec<CompanyEntity> = table::query(&self.companies, Some(filter), None).await?;
        rows.into_iter().map(Company::try_from).collect()
    }

    async fn forget_invitation(
        &self,
        company: &CompanyId,
        invitation: &str,
    ) -> Result<u32, StoreError> {
        super::pending::remove(&self.companies, company, invitation).await?;
        let filter = format!(
            "{} and InvitationId eq {}",
            history_filter(company),
            edm::string_literal(invitation)
        );
        let rows: Vec<HistoryEntity> = table::query(&self.companies, Some(filter), None).await?;
        let mut removed = 0;
        for row in rows {
            if table::delete_if_present(&self.companies, company.as_str(), &row.row_key).await? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    async fn pseudonymise(
        &self,
        company: &CompanyId,
        email: &EmailAddress,
    ) -> Result<u32, StoreError> {
        let rows: Vec<HistoryEntity> =
            table::query(&self.companies, Some(history_filter(company)), None).await?;
        let named = |who: &str| EmailAddress::parse(who).is_ok_and(|e| e == *email);
        let mut changed = 0;
        for mut row in rows {
            if !named(&row.actor) && !named(&row.subject) {
                continue;
            }
            for who in [&mut row.actor, &mut row.subject] {
                if named(who) {
                    ERASED_PERSON.clone_into(who);
                }
            }
            table::upsert(&self.companies, company.as_str(), &row.row_key, &row).await?;
            changed += 1;
        }
        Ok(changed)
    }
}
