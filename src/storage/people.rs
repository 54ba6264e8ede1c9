//! Who a person is, in `{prefix}Accounts`: the rows that lead to an account. A login's
//! row (`login-{sha256(iss, sub)}` / `login`) leads the login to its account and carries
//! when the account's sessions were last ended; an email's row (`email-{sha256}` /
//! `account`) says which account the address has, and is claimed insert-if-absent, so
//! an address has one account however many logins come at once. A third key, the
//! person's tenant and object id (`object-{sha256}` / `object`, see `objects.rs`), leads
//! the claims provider to the account. Also what the operator's merge of older duplicate
//! accounts reads and rewrites.

use super::StoreError;
pub use super::accounts::LoginRecord;
use super::accounts::{EmailEntity, LoginEntity, email_account, login_record};
use super::edm;
use super::keys::{
    EMAIL_ROW, LOGIN_ROW, PROFILE_ROW, email_partition, login_partition, object_partition,
};
use super::table::{self, insert_absent};
use crate::domain::account::{AccountId, LinkedLogin};
use crate::domain::email::EmailAddress;
use crate::domain::ids::ObjectId;
use crate::domain::invitation::LoginId;
use async_trait::async_trait;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// An account's profile as the merge reads it: whose address, made when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountOfAddress {
    pub account: AccountId,
    pub created_at: OffsetDateTime,
}

#[async_trait]
pub trait PersonStore: Send + Sync + 'static {
    /// The account a login opens and when that account's sessions were last ended.
    async fn login_account(&self, login: &LoginId) -> Result<Option<LoginRecord>, StoreError>;
    /// The account a login opens, if any.
    async fn account_for(&self, login: &LoginId) -> Result<Option<AccountId>, StoreError> {
        Ok(self.login_account(login).await?.map(|found| found.account))
    }
    /// The account of the person the tenant and object id name, if any (one read).
    async fn object_account(&self, object: &ObjectId) -> Result<Option<AccountId>, StoreError>;
    /// Makes the person's tenant and object id lead to `account`, and marks `login`'s
    /// row with them (two writes).
    async fn record_object(
        &self,
        object: &ObjectId,
        login: &LoginId,
        account: &AccountId,
    ) -> Result<(), StoreError>;
    /// Makes the person's tenant and object id lead to `account` (one write), for a
    /// login whose row the joining wrote with their mark.
    async fn lead_object(
        &self,
        object: &ObjectId,
        login: &LoginId,
        account: &AccountId,
    ) -> Result<(), StoreError>;
    /// The account the address has, if any.
    async fn account_for_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<AccountId>, StoreError>;
    /// Makes `account` the address's account unless it has one: the account it has after,
    /// and whether this call made the claim.
    async fn claim_email(
        &self,
        email: &EmailAddress,
        account: &AccountId,
    ) -> Result<(AccountId, bool), StoreError>;
    /// Takes back a claim that led to no account (only while it still names `account`).
    async fn release_email(
        &self,
        email: &EmailAddress,
        account: &AccountId,
    ) -> Result<(), StoreError>;
    /// Makes a login no account has seen lead to `account` (its row, insert-if-absent):
    /// `Some(owner)` when it leads to another account already, and nothing changed.
    async fn insert_login(
        &self,
        login: &LinkedLogin,
        account: &AccountId,
    ) -> Result<Option<AccountId>, StoreError>;
    /// Makes the address's row name `account`, whatever it named (the merge's survivor).
    async fn set_email_account(
        &self,
        email: &EmailAddress,
        account: &AccountId,
    ) -> Result<(), StoreError>;
    /// Makes `login` lead to `account`, whatever it led to (the merge moves logins), with
    /// the later of the two session marks.
    async fn lead_login(&self, login: &LinkedLogin, account: &AccountId) -> Result<(), StoreError>;
    /// Ends every session of `logins` issued before `at` (Unix milliseconds).
    async fn end_sessions(&self, logins: &[LinkedLogin], at: i64) -> Result<(), StoreError>;
    /// Every account of the address: the one its row leads to and each whose profile
    /// names it in any case (one query over the profiles: accounts made twice for one
    /// address by the code before one person was one account).
    async fn accounts_of_email(&self, email: &EmailAddress) -> Result<Vec<AccountId>, StoreError>;
    /// The addresses more than one account's profile names, each with those accounts
    /// (one query over every profile).
    async fn shared_addresses(
        &self,
    ) -> Result<Vec<(EmailAddress, Vec<AccountOfAddress>)>, StoreError>;
}

#[derive(Clone)]
pub struct TablePersonStore {
    accounts: TableClient,
}

impl TablePersonStore {
    pub fn new(service: &TableServiceClient, prefix: &str) -> Self {
        Self {
            accounts: service.table_client(format!("{prefix}Accounts")),
        }
    }
}

/// The mark [`PersonStore::end_sessions`] merges into a login's row.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct SessionsEnded {
    sessions_ended_at: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProfileRow {
    partition_key: String,
    email: String,
    #[serde(with = "edm::datetime")]
    created_at: OffsetDateTime,
}

impl TablePersonStore {
    /// Every profile row, with the address it names.
    async fn profiles(&self) -> Result<Vec<(EmailAddress, AccountOfAddress)>, StoreError> {
        let rows: Vec<ProfileRow> = table::query(
            &self.accounts,
            Some(format!("RowKey eq '{PROFILE_ROW}'")),
            None,
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let id = row.partition_key.strip_prefix("acct-")?;
                Some((
                    EmailAddress::parse(&row.email).ok()?,
                    AccountOfAddress {
                        account: AccountId::from_stored(id.to_owned()),
                        created_at: row.created_at,
                    },
                ))
            })
            .collect())
    }
}

#[async_trait]
impl PersonStore for TablePersonStore {
    async fn login_account(&self, login: &LoginId) -> Result<Option<LoginRecord>, StoreError> {
        login_record(&self.accounts, login).await
    }

    async fn object_account(&self, object: &ObjectId) -> Result<Option<AccountId>, StoreError> {
        super::objects::account(&self.accounts, object).await
    }

    async fn record_object(
        &self,
        object: &ObjectId,
        login: &LoginId,
        account: &AccountId,
    ) -> Result<(), StoreError> {
        super::objects::record(&self.accounts, object, login, account).await
    }

    async fn lead_object(
        &self,
        object: &ObjectId,
        login: &LoginId,
        account: &AccountId,
    ) -> Result<(), StoreError> {
        let (partition, login) = (object_partition(object), login_partition(login));
        super::objects::lead(&self.accounts, &partition, &login, account).await
    }

    async fn account_for_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<AccountId>, StoreError> {
        email_account(&self.accounts, email).await
    }

    async fn claim_email(
        &self,
        email: &EmailAddress,
        account: &AccountId,
    ) -> Result<(AccountId, bool), StoreError> {
        let row = EmailEntity {
            partition_key: email_partition(email),
            row_key: EMAIL_ROW.into(),
            account_id: account.as_str().to_owned(),
        };
        for _ in 0..3 {
            if insert_absent(&self.accounts, &row).await? {
                return Ok((account.clone(), true));
            }
            if let Some(owner) = self.account_for_email(email).await? {
                return Ok((owner, false));
            }
            // Erased meanwhile: claim it again.
        }
        Err(StoreError::Conflict)
    }

    async fn release_email(
        &self,
        email: &EmailAddress,
        account: &AccountId,
    ) -> Result<(), StoreError> {
        let partition = email_partition(email);
        if let Some((_, etag)) = table::read::<EmailEntity>(&self.accounts, &partition, EMAIL_ROW)
            .await?
            .filter(|(row, _)| row.account_id == account.as_str())
        {
            table::delete_if_match(&self.accounts, &partition, EMAIL_ROW, &etag).await?;
        }
        Ok(())
    }

    async fn insert_login(
        &self,
        login: &LinkedLogin,
        account: &AccountId,
    ) -> Result<Option<AccountId>, StoreError> {
        let row = super::accounts::TableAccountStore::login_row(account, login);
        if insert_absent(&self.accounts, &row).await? {
            return Ok(None);
        }
        Ok(self
            .account_for(&login.login)
            .await?
            .filter(|owner| owner != account))
    }

    async fn set_email_account(
        &self,
        email: &EmailAddress,
        account: &AccountId,
    ) -> Result<(), StoreError> {
        let row = EmailEntity {
            partition_key: email_partition(email),
            row_key: EMAIL_ROW.into(),
            account_id: account.as_str().to_owned(),
        };
        table::upsert(&self.accounts, &row.partition_key, EMAIL_ROW, &row).await
    }

    async fn lead_login(&self, login: &LinkedLogin, account: &AccountId) -> Result<(), StoreError> {
        let partition = login_partition(&login.login);
        let before =
            table::read_value::<LoginEntity>(&self.accounts, &partition, LOGIN_ROW).await?;
        let mut row = super::accounts::TableAccountStore::login_row(account, login);
        if let Some(before) = before {
            if before.account_id == account.as_str() {
                return Ok(());
            }
            row.sessions_ended_at = before.sessions_ended_at;
            row.object_key = before.object_key;
        }
        // The person's tenant and object id follow the login (the claims name the
        // survivor), before the login's row does.
        if let Some(object) = &row.object_key {
            super::objects::lead(&self.accounts, object, &partition, account).await?;
        }
        table::upsert(&self.accounts, &partition, LOGIN_ROW, &row).await
    }

    async fn end_sessions(&self, logins: &[LinkedLogin], at: i64) -> Result<(), StoreError> {
        let mark = SessionsEnded {
            sessions_ended_at: at,
        };
        for login in logins {
            // A login unlinked meanwhile has no row to mark: nothing opens with it anyway.
            let partition = login_partition(&login.login);
            table::merge_if_present(&self.accounts, &partition, LOGIN_ROW, &mark).await?;
        }
        Ok(())
    }

    async fn accounts_of_email(&self, email: &EmailAddress) -> Result<Vec<AccountId>, StoreError> {
        let (by_row, profiles) = futures::join!(self.account_for_email(email), self.profiles());
        let mut found: Vec<AccountId> = by_row?.into_iter().collect();
        for (named, profile) in profiles? {
            if named == *email && !found.contains(&profile.account) {
                found.push(profile.account);
            }
        }
        Ok(found)
    }

    async fn shared_addresses(
        &self,
    ) -> Result<Vec<(EmailAddress, Vec<AccountOfAddress>)>, StoreError> {
        let mut by_address: BTreeMap<String, (EmailAddress, Vec<AccountOfAddress>)> =
            BTreeMap::new();
        for (email, profile) in self.profiles().await? {
            by_address
                .entry(email.normalized())
                .or_insert_with(|| (email.clone(), Vec::new()))
                .1
                .push(profile);
        }
        Ok(by_address
            .into_values()
            .filter(|(_, accounts)| accounts.len() > 1)
            .collect())
    }
}
