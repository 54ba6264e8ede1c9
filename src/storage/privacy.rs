//! A person's rows found and erased, ended invitations purged, finished counters removed,
//! and the record of personal-data requests (`{prefix}PrivacyRequests`).
//!
//! Every key comes from the module that writes the row (`index.rs`, `accounts.rs`,
//! `security.rs`): this module only deletes what those write. Deletes are idempotent (a
//! row already gone is fine), and the rows that lead to a person (the email rows) go last,
//! so an erasure interrupted half-way is finished by asking again.

use super::StoreError;
use super::accounts::EmailEntity;
use super::edm::{self, DateTimeTag};
use super::entity::InvitationEntity;
use super::index::{Marker, Pointer};
use super::keys::{
    self, COMPANY_ROW, EMAIL_ROW, LEGACY_MAIL_QUEUE, LINK_ROW, LISTED_LOGIN_PREFIX, LOGIN_ROW,
    MEMBERSHIP_PREFIX, MFA_ROW, OBJECT_ROW, PROFILE_ROW, account_partition, email_partition,
    login_partition,
};
use super::security::MfaEntity;
use super::table;
use crate::domain::account::{AccountId, CompanyId};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{Invitation, LoginId};
use async_trait::async_trait;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use time::OffsetDateTime;

/// Whether MFA is on, and since when (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaState {
    pub started_at: OffsetDateTime,
    pub enabled_at: Option<OffsetDateTime>,
}

/// What erasing an account removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ErasedAccount {
    pub accounts: u32,
    pub memberships: u32,
}

/// Which row leads whoever erases invitations (and, cut short, erases them again) to
/// them: it is deleted last, so a second pass finds what the first left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundBy {
    /// The email's listing rows (an erasure lists the person's invitations).
    Email,
    /// The invitation's own row (the retention rule reads ended ones from the table).
    Row,
}

/// One personal-data request, as recorded: who asked (a staff member, or the customer
/// themselves), when, and how much was found. Never the address or anything derived
/// from it.
#[derive(Debug, Clone)]
pub struct PrivacyRecord {
    pub at: OffsetDateTime,
    /// `erase`, `export` or `self-delete`.
    pub kind: &'static str,
    /// The staff member's name and email; `None` when the customer deleted their account.
    pub staff: Option<(String, String)>,
    pub invitations: u32,
    pub accounts: u32,
    pub memberships: u32,
    /// Companies the erasure left without an administrator (ids), for staff to follow.
    pub companies_without_administrator: Vec<CompanyId>,
}

#[async_trait]
pub trait PrivacyStore: Send + Sync + 'static {
    async fn ensure_table(&self) -> Result<(), StoreError>;
    /// The account made for this email, if any.
    async fn account_for_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<AccountId>, StoreError>;
    async fn mfa_state(&self, account: &AccountId) -> Result<Option<MfaState>, StoreError>;
    /// Erases invitations entirely: their row, link rows (old links too), queue row, email
    /// listing row and the email's lock when it is theirs, the row they were `found_by`
    /// last. Returns how many rows existed.
    async fn erase_invitations(
        &self,
        invitations: &[Invitation],
        found_by: FoundBy,
    ) -> Result<u32, StoreError>;
    /// Brings the copy of `invitation` its delivery-queue row holds (the outbox) in line
    /// with who sent it and its history, as the invitation's row now says (an erased
    /// inviter); nothing when there is no such row.
    async fn rewrite_queued_copy(&self, invitation: &Invitation) -> Result<(), StoreError>;
    /// Erases an account: the rows that lead its logins to it, and its whole partition
    /// (profile, logins, MFA, memberships; the profile last of it). The logins go first,
    /// so the account opens nothing from the start; with `logins_last`, after the
    /// partition, so the person erasing their own account can sign in again to finish an
    /// erasure cut short.
    async fn erase_account(
        &self,
        account: &AccountId,
        logins_last: bool,
    ) -> Result<ErasedAccount, StoreError>;
    /// Erases the rows keyed by the email's hash: its invitation index partition and the
    /// row that says it has an account.
    async fn erase_email_rows(&self, email: &EmailAddress) -> Result<(), StoreError>;
    /// Clears a company's `CreatedBy` when it is this email (the company stays).
    async fn forget_creator(
        &self,
        company: &CompanyId,
        email: &EmailAddress,
    ) -> Result<(), StoreError>;
    /// Erases every counter row of these `Limits` partitions.
    async fn erase_counters(&self, partitions: &[String]) -> Result<(), StoreError>;
    /// Erases the counter rows whose window `over(window, now)` says is over; returns
    /// how many.
    async fn erase_finished_counters(
        &self,
        over: for<'w> fn(&'w str, OffsetDateTime) -> bool,
        now: OffsetDateTime,
    ) -> Result<u32, StoreError>;
    /// Invitations that may have ended before `cutoff`: every revoked one (those revoked
    /// since are the retention rule's to look at too), pending ones that expired before it.
    async fn ended_before(&self, cutoff: OffsetDateTime) -> Result<Vec<Invitation>, StoreError>;
    async fn record(&self, record: &PrivacyRecord) -> Result<(), StoreError>;
}

#[derive(Clone)]
pub struct TablePrivacyStore {
    invitations: TableClient,
    index: TableClient,
    accounts: TableClient,
    companies: TableClient,
    limits: TableClient,
    requests: TableClient,
}

impl TablePrivacyStore {
    pub fn new(service: &TableServiceClient, prefix: &str) -> Self {
        let table = |name: &str| service.table_client(format!("{prefix}{name}"));
        Self {
            invitations: table("Invitations"),
            index: table("InvitationIndex"),
            accounts: table("Accounts"),
            companies: table("Companies"),
            limits: table("Limits"),
            requests: table("PrivacyRequests"),
        }
    }
}

impl TablePrivacyStore {
    /// Deletes the `login` rows (by partition) that lead to `account`, each after the
    /// index row of its tenant and object id.
    async fn erase_logins(
        &self,
        account: &AccountId,
        logins: &HashSet<String>,
    ) -> Result<(), StoreError> {
        for login in logins {
            // Only a login that still leads here (it cannot lead elsewhere while listed,
            // but a row is never deleted on a guess).
            let row = table::read_value::<LoginRow>(&self.accounts, login, LOGIN_ROW)
                .await?
                .filter(|row| row.account_id == account.as_str());
            if let Some(row) = row {
                // The claims provider stops naming the account first.
                if let Some(object) = &row.object_key {
                    super::objects::forget(&self.accounts, object, account).await?;
                }
                table::delete_if_present(&self.accounts, login, LOGIN_ROW).await?;
            }
        }
        Ok(())
    }
}

/// Every row of a partition, keys only.
async fn partition(table: &TableClient, pk: &str) -> Result<Vec<Marker>, StoreError> {
    table::query(
        table,
        Some(format!("PartitionKey eq {}", edm::string_literal(pk))),
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccountRow {
    row_key: String,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    subject: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LoginRow {
    partition_key: String,
    account_id: String,
    /// The index row of the person's tenant and object id (`objects.rs`), if recorded.
    #[serde(default)]
    object_key: Option<String>,
    /// Only an index row of a tenant and object id has it (its login's partition).
    #[serde(default)]
    login: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreatorEntity {
    partition_key: String,
    row_key: String,
    created_by: String,
    #[serde(default)]
    created_by_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct RequestEntity {
    partition_key: String,
    row_key: String,
    kind: String,
    staff_name: String,
    staff_email: String,
    #[serde(with = "edm::datetime")]
    at: OffsetDateTime,
    #[serde(rename = "At@odata.type")]
    at_type: DateTimeTag,
    invitations: i32,
    accounts: i32,
    memberships: i32,
    /// Comma-separated company ids; absent when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    companies_without_administrator: String,
}

/// What [`PrivacyStore::rewrite_queued_copy`] merges into a queue row.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct QueuedSender {
    invited_by_name: String,
    invited_by_email: String,
    history: String,
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[async_trait]
impl PrivacyStore for TablePrivacyStore {
    async fn ensure_table(&self) -> Result<(), StoreError> {
        table::ensure(&self.requests).await
    }

    async fn account_for_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<AccountId>, StoreError> {
        Ok(
            table::read_value::<EmailEntity>(&self.accounts, &email_partition(email), EMAIL_ROW)
                .await?
                .map(|row| AccountId::from_stored(row.account_id)),
        )
    }

    async fn mfa_state(&self, account: &AccountId) -> Result<Option<MfaState>, StoreError> {
        // Read without opening the sealed secret: only the dates are wanted.
        Ok(
            table::read_value::<MfaEntity>(&self.accounts, &account_partition(account), MFA_ROW)
                .await?
                .map(|row| MfaState {
                    started_at: row.started_at,
                    enabled_at: row.enabled_at,
                }),
        )
    }

    async fn rewrite_queued_copy(&self, invitation: &Invitation) -> Result<(), StoreError> {
        let entity = InvitationEntity::from(invitation);
        let sender = QueuedSender {
            invited_by_name: entity.invited_by_name,
            invited_by_email: entity.invited_by_email,
            history: entity.history,
        };
        let id = invitation.id.as_str();
        let queue = keys::mail_queue_partition(&invitation.id);
        for partition in [queue.as_str(), LEGACY_MAIL_QUEUE] {
            table::merge_if_present(&self.index, partition, id, &sender).await?;
        }
        Ok(())
    }

    async fn erase_invitations(
        &self,
        invitations: &[Invitation],
        found_by: FoundBy,
    ) -> Result<u32, StoreError> {
        if invitations.is_empty() {
            return Ok(0);
        }
        let ids: HashSet<&str> = invitations.iter().map(|i| i.id.as_str()).collect();
        // Links replaced by a resend or a retry are not named by the invitation any more:
        // one scan of the link rows finds them all.
        let links: Vec<Pointer> =
            table::query(&self.index, Some(format!("RowKey eq '{LINK_ROW}'")), None).await?;
        for link in links
            .iter()
            .filter(|l| ids.contains(l.invitation_id.as_str()))
        {
            table::delete_if_present(&self.index, &link.partition_key, LINK_ROW).await?;
        }
        let mut erased = 0;
        for invitation in invitations {
            let id = invitation.id.as_str();
            table::delete_if_present(
                &self.index,
                &keys::link_partition(&invitation.link_hash),
                LINK_ROW,
            )
            .await?;
            // The queue row, in its partition or the one used before the queue was spread.
            table::delete_if_present(&self.index, &keys::mail_queue_partition(&invitation.id), id)
                .await?;
            table::delete_if_present(&self.index, LEGACY_MAIL_QUEUE, id).await?;
            let email = keys::email_partition(&invitation.email);
            let lock = super::invitations::lock_row(invitation);
            if let Some((_, etag)) = table::read::<Pointer>(&self.index, &email, &lock)
                .await?
                .filter(|(held, _)| held.invitation_id == id)
            {
                // Only while it is still this invitation's: a newer one may have taken it.
                table::delete_if_match(&self.index, &email, &lock, &etag).await?;
            }
            let erase_row =
                || table::delete_if_present(&self.invitations, invitation.id.bucket(), id);
            let erase_listing = || table::delete_if_present(&self.index, &email, id);
            let existed = match found_by {
                FoundBy::Email => {
                    let existed = erase_row().await?;
                    erase_listing().await?;
                    existed
                }
                FoundBy::Row => {
                    erase_listing().await?;
                    erase_row().await?
                }
            };
            if existed {
                erased += 1;
            }
        }
        Ok(erased)
    }

    async fn erase_account(
        &self,
        account: &AccountId,
        logins_last: bool,
    ) -> Result<ErasedAccount, StoreError> {
        let partition_key = account_partition(account);
        let rows: Vec<AccountRow> = table::query(
            &self.accounts,
            Some(format!(
                "PartitionKey eq {}",
                edm::string_literal(&partition_key)
            )),
            None,
        )
        .await?;
        // The rows that let a login open the account: those the account lists, and any
        // a crashed link (or an erasure cut short) left unlisted.
        let mut logins: HashSet<String> = rows
            .iter()
            .filter_map(|row| match (&row.issuer, &row.subject) {
                (Some(issuer), Some(subject)) if row.row_key.starts_with(LISTED_LOGIN_PREFIX) => {
                    Some(login_partition(&LoginId {
                        issuer: issuer.clone(),
                        subject: subject.clone(),
                    }))
                }
                _ => None,
            })
            .collect();
        // The same query finds the index rows of the person's tenant and object id
        // that name the account (one a sign-in recorded but did not mark its login with).
        let unlisted: Vec<LoginRow> = table::query(
            &self.accounts,
            Some(format!(
                "(RowKey eq '{LOGIN_ROW}' or RowKey eq '{OBJECT_ROW}') and AccountId eq {}",
                edm::string_literal(account.as_str())
            )),
            None,
        )
        .await?;
        let (objects, unlisted): (Vec<_>, Vec<_>) = unlisted
            .into_iter()
            .filter(|row| row.account_id == account.as_str())
            .partition(|row| row.login.is_some());
        for object in objects {
            super::objects::forget(&self.accounts, &object.partition_key, account).await?;
        }
        logins.extend(unlisted.into_iter().map(|row| row.partition_key));
        if !logins_last {
            self.erase_logins(account, &logins).await?;
        }
        let mut erased = ErasedAccount::default();
        // The profile last: until it goes, asking again finds the account.
        let (profile, others): (Vec<_>, Vec<_>) =
            rows.iter().partition(|row| row.row_key == PROFILE_ROW);
        for row in others.into_iter().chain(profile) {
            if table::delete_if_present(&self.accounts, &partition_key, &row.row_key).await? {
                match row.row_key.as_str() {
                    PROFILE_ROW => erased.accounts += 1,
                    key if key.starts_with(MEMBERSHIP_PREFIX) => erased.memberships += 1,
                    _ => {}
                }
            }
        }
        if logins_last {
            self.erase_logins(account, &logins).await?;
        }
        Ok(erased)
    }

    async fn erase_email_rows(&self, email: &EmailAddress) -> Result<(), StoreError> {
        let listed = keys::email_partition(email);
        for row in partition(&self.index, &listed).await? {
            table::delete_if_present(&self.index, &listed, &row.row_key).await?;
        }
        table::delete_if_present(&self.accounts, &email_partition(email), EMAIL_ROW).await?;
        Ok(())
    }

    async fn forget_creator(
        &self,
        company: &CompanyId,
        email: &EmailAddress,
    ) -> Result<(), StoreError> {
        let Some((row, etag)) =
            table::read::<CreatorEntity>(&self.companies, company.as_str(), COMPANY_ROW).await?
        else {
            return Ok(());
        };
        if !row.created_by.eq_ignore_ascii_case(&email.to_string()) {
            return Ok(());
        }
        let cleared = CreatorEntity {
            created_by: String::new(),
            created_by_name: String::new(),
            ..row
        };
        table::merge_if_match(
            &self.companies,
            company.as_str(),
            COMPANY_ROW,
            &cleared,
            &etag,
        )
        .await
    }

    async fn erase_counters(&self, partitions: &[String]) -> Result<(), StoreError> {
        for pk in partitions {
            for row in partition(&self.limits, pk).await? {
                table::delete_if_present(&self.limits, pk, &row.row_key).await?;
            }
        }
        Ok(())
    }

    async fn erase_finished_counters(
        &self,
        over: for<'w> fn(&'w str, OffsetDateTime) -> bool,
        now: OffsetDateTime,
    ) -> Result<u32, StoreError> {
        let rows: Vec<Marker> = table::query(&self.limits, None, None).await?;
        let finished = rows.into_iter().filter(|row| over(&row.row_key, now));
        let mut erased = 0;
        for row in finished {
            if table::delete_if_present(&self.limits, &row.partition_key, &row.row_key).await? {
                erased += 1;
            }
        }
        Ok(erased)
    }

    async fn ended_before(&self, cutoff: OffsetDateTime) -> Result<Vec<Invitation>, StoreError> {
        let cutoff = edm::filter_literal(cutoff);
        let rows: Vec<InvitationEntity> = table::query(
            &self.invitations,
            Some(format!(
                "(Status eq 'revoked') or (Status eq 'pending' and ExpiresAt le {cutoff})"
            )),
            None,
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let key = row.row_key.clone();
                Invitation::try_from(row)
                    .map_err(|e| tracing::warn!(invitation = %key, error = %e, "unreadable invitation left for the purge"))
                    .ok()
            })
            .collect())
    }

    async fn record(&self, record: &PrivacyRecord) -> Result<(), StoreError> {
        let (staff_name, staff_email) = record.staff.clone().unwrap_or_default();
        let row = RequestEntity {
            partition_key: keys::request_partition(record.at),
            row_key: keys::request_row(record.at, rand::random()),
            kind: record.kind.to_owned(),
            staff_name,
            staff_email,
            at: record.at,
            at_type: DateTimeTag,
            invitations: count(record.invitations),
            accounts: count(record.accounts),
            memberships: count(record.memberships),
            companies_without_administrator: record
                .companies_without_administrator
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(","),
        };
        table::insert_absent(&self.requests, &row).await.map(|_| ())
    }
}
