//! Companies and customer accounts on Table Storage.
//!
//! `{prefix}Companies`: PartitionKey = company id (derived from its invitation), RowKey
//! `company`. `{prefix}Accounts`: PartitionKey `acct-{account id}` holds the account's
//! `profile` row and one `company-{id}` row per membership; PartitionKey
//! `login-{sha256(iss, sub)}`, RowKey `login`, leads from a login to its account;
//! PartitionKey `email-{sha256}`, RowKey `account`, says an email has an account. Every
//! row is written insert-if-absent, so repeating a creation finds the first write.

use super::StoreError;
use super::Versioned;
use super::edm::{self, DateTimeTag};
use super::keys::{
    COMPANY_ROW, EMAIL_ROW, LOGIN_ROW, MEMBERSHIP_PREFIX, PROFILE_ROW, ROSTER_ROW,
    account_partition, email_partition, listed_login_row, login_partition, membership_row,
    rows_starting_with,
};
use super::sealed::Sealer;
use super::security::{self, ListedLoginEntity};
use super::table::{
    self, delete_if_present, insert_absent, insert_together, read_value as read, row_json,
};
use crate::domain::account::{
    AccountId, Company, CompanyId, LinkResult, LinkedLogin, Membership, Profile, Role,
};
use crate::domain::company::CompanyDetails;
use crate::domain::country::{CountryCode, PostalCode, VatNumber};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{InvitationId, LoginId};
use crate::domain::locale::Locale;
use crate::domain::mfa::Mfa;
use async_trait::async_trait;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    async fn ensure_tables(&self) -> Result<(), StoreError>;
    async fn company(&self, id: &CompanyId) -> Result<Option<Company>, StoreError>;
    /// Removes a company, its line in the companies list, `account`'s membership of it and
    /// its roster (a company whose invitation ended before it could be completed); rows
    /// already gone are fine. Whether the company's row was there.
    async fn remove_company(&self, account: &AccountId, id: &CompanyId)
    -> Result<bool, StoreError>;
    /// Makes sure the account exists and administers `company` (see [`Self::add_member`]).
    async fn add_administrator(
        &self,
        account: &AccountId,
        login: &LinkedLogin,
        company: &Company,
        when: (Locale, OffsetDateTime),
        new: NewRows,
    ) -> Result<(), StoreError> {
        self.add_member(account, login, (company, Role::Administrator), when, new)
            .await
    }
    /// Writes the account's own rows that `new` names, in one entity-group transaction
    /// (rows that exist already stay: a retry), so that the account exists, lists the
    /// login and has a row for `joins`'s company (inserted if absent) with its role; a new
    /// account's language is `locale`. The email's claim and the login's row that leads
    /// to the account are the caller's to write first (`service::person::for_joining`):
    /// they decide which account a person has, and so `new`.
    async fn add_member(
        &self,
        account: &AccountId,
        login: &LinkedLogin,
        joins: (&Company, Role),
        when: (Locale, OffsetDateTime),
        new: NewRows,
    ) -> Result<(), StoreError>;
    /// The account's own row, with the ETag that guards changes to its set of logins.
    async fn profile(&self, account: &AccountId) -> Result<Option<Versioned<Profile>>, StoreError>;
    /// The logins that open the account, oldest first.
    async fn logins(&self, account: &AccountId) -> Result<Vec<LinkedLogin>, StoreError>;
    /// Makes `login` open `account`, unless it opens another account already.
    async fn link_login(
        &self,
        account: &AccountId,
        login: &LinkedLogin,
    ) -> Result<LinkResult, StoreError>;
    /// Removes a login, if the profile is still at `profile_etag` (the caller counted the
    /// remaining logins against that version): `Conflict` otherwise.
    async fn unlink_login(
        &self,
        profile: &Versioned<Profile>,
        login: &LoginId,
    ) -> Result<(), StoreError>;
    /// Whether TOTP secrets can be kept (a `COOKIE_KEY` is set to derive their key from).
    fn can_keep_secrets(&self) -> bool;
    /// The key new recovery codes of `account` are kept under (none without `COOKIE_KEY`).
    fn recovery_key(&self, account: &AccountId) -> Option<crate::domain::mfa::RecoveryKey>;
    /// The MFA row, opened (none without `COOKIE_KEY`: see [`Self::has_mfa_row`]).
    async fn mfa(&self, account: &AccountId) -> Result<Option<Versioned<Mfa>>, StoreError>;
    /// Whether an MFA row exists, opened or not.
    async fn has_mfa_row(&self, account: &AccountId) -> Result<bool, StoreError>;
    /// Whether a sign-in of the account must give a second factor (the app on, or a
    /// passkey): one query.
    async fn has_second_factor(&self, account: &AccountId) -> Result<bool, StoreError>;
    /// Insert-if-absent without `etag`, `If-Match` replace with it; `Conflict` if it changed.
    async fn save_mfa(
        &self,
        account: &AccountId,
        mfa: &Mfa,
        etag: Option<&str>,
    ) -> Result<Versioned<Mfa>, StoreError>;
    async fn delete_mfa(&self, account: &AccountId, etag: &str) -> Result<(), StoreError>;
    async fn memberships(&self, account: &AccountId) -> Result<Vec<Membership>, StoreError>;
    /// Whether an account was made for this email (for the email's wording only: an
    /// account is opened by its logins, never by an email).
    async fn has_account_for_email(&self, email: &EmailAddress) -> Result<bool, StoreError>;
    /// The language the account's person reads, if recorded (see `language.rs`).
    async fn language(&self, account: &AccountId) -> Result<Option<Locale>, StoreError>;
    /// Records it; the last choice wins.
    async fn set_language(&self, account: &AccountId, locale: Locale) -> Result<(), StoreError>;
}

/// Which of an account's own rows a joining writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewRows {
    /// All of them, each if absent: its profile, language, the login listed and the
    /// membership (a new account, or one that may be half made).
    Account,
    /// The membership alone: the login opened the account already.
    Membership,
}

#[derive(Clone)]
pub struct TableAccountStore {
    companies: TableClient,
    accounts: TableClient,
    sealer: Option<Sealer>,
}

impl TableAccountStore {
    /// `sealer` keeps TOTP secrets encrypted; without one, MFA cannot be turned on.
    pub fn new(service: &TableServiceClient, prefix: &str, sealer: Option<Sealer>) -> Self {
        Self {
            companies: service.table_client(format!("{prefix}Companies")),
            accounts: service.table_client(format!("{prefix}Accounts")),
            sealer,
        }
    }

    fn sealer(&self) -> Result<&Sealer, StoreError> {
        self.sealer
            .as_ref()
            .ok_or_else(|| StoreError::Unexpected("no key for TOTP secrets (COOKIE_KEY)".into()))
    }

    pub(super) fn login_row(account: &AccountId, linked: &LinkedLogin) -> LoginEntity {
        LoginEntity {
            partition_key: login_partition(&linked.login),
            row_key: LOGIN_ROW.into(),
            account_id: account.as_str().to_owned(),
            issuer: linked.login.issuer.clone(),
            subject: linked.login.subject.clone(),
            email: linked.email.to_string(),
            linked_at: linked.linked_at,
            linked_at_type: DateTimeTag,
            sessions_ended_at: 0,
            object_key: linked.object.as_ref().map(super::keys::object_partition),
        }
    }

    /// A new account's rows of its own partition, but its memberships.
    fn account_rows(
        account: &AccountId,
        login: &LinkedLogin,
        locale: Locale,
        now: OffsetDateTime,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        Ok(vec![
            row_json(&ProfileEntity {
                partition_key: account_partition(account),
                row_key: PROFILE_ROW.into(),
                email: login.email.to_string(),
                created_at: now,
                created_at_type: DateTimeTag,
            })?,
            row_json(&ListedLoginEntity::new(account, login))?,
            row_json(&super::language::entity(account, locale))?,
        ])
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CompanyEntity {
    partition_key: String,
    row_key: String,
    name: String,
    vat_number: String,
    street: String,
    postal_code: String,
    city: String,
    country: String,
    invitation_id: String,
    created_by: String,
    #[serde(default)]
    created_by_name: String,
    #[serde(with = "edm::datetime")]
    created_at: OffsetDateTime,
    #[serde(rename = "CreatedAt@odata.type", default)]
    created_at_type: DateTimeTag,
    #[serde(default)]
    require_second_factor: bool,
}

impl From<&Company> for CompanyEntity {
    fn from(c: &Company) -> Self {
        Self {
            partition_key: c.id.as_str().to_owned(),
            row_key: COMPANY_ROW.to_owned(),
            name: c.details.name.clone(),
            vat_number: c.details.vat_number.as_str().to_owned(),
            street: c.details.street.clone(),
            postal_code: c.details.postal_code.as_str().to_owned(),
            city: c.details.city.clone(),
            country: c.details.country.to_string(),
            invitation_id: c.invitation_id.to_string(),
            created_by: c
                .created_by
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            created_by_name: c.created_by_name.clone().unwrap_or_default(),
            created_at: c.created_at,
            created_at_type: DateTimeTag,
            require_second_factor: c.require_second_factor,
        }
    }
}

impl TryFrom<CompanyEntity> for Company {
    type Error = StoreError;

    fn try_from(e: CompanyEntity) -> Result<Self, Self::Error> {
        let corrupt = |what: &str| {
            StoreError::Unexpected(format!("company {}: unreadable {what}", e.partition_key))
        };
        Ok(Company {
            details: CompanyDetails {
                name: e.name.clone(),
                vat_number: VatNumber::from_stored(e.vat_number.clone()),
                street: e.street.clone(),
                postal_code: PostalCode::from_stored(e.postal_code.clone()),
                city: e.city.clone(),
                country: CountryCode::parse(&e.country).map_err(|_| corrupt("Country"))?,
            },
            invitation_id: InvitationId::parse(&e.invitation_id)
                .map_err(|_| corrupt("InvitationId"))?,
            // Empty once its creator was erased (the company stays).
            created_by: EmailAddress::parse(&e.created_by).ok(),
            created_by_name: Some(e.created_by_name.clone()).filter(|n| !n.is_empty()),
            require_second_factor: e.require_second_factor,
            created_at: e.created_at,
            id: CompanyId::from_stored(e.partition_key),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProfileEntity {
    partition_key: String,
    row_key: String,
    email: String,
    #[serde(with = "edm::datetime")]
    created_at: OffsetDateTime,
    #[serde(rename = "CreatedAt@odata.type", default)]
    created_at_type: DateTimeTag,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct LoginEntity {
    pub partition_key: String,
    pub row_key: String,
    pub account_id: String,
    pub issuer: String,
    pub subject: String,
    pub email: String,
    #[serde(with = "edm::datetime")]
    pub linked_at: OffsetDateTime,
    #[serde(rename = "LinkedAt@odata.type", default)]
    pub linked_at_type: DateTimeTag,
    /// When the account's sessions were last ended (Unix ms): a session issued before
    /// opens nothing.
    #[serde(default)]
    pub sessions_ended_at: i64,
    /// The index row of the login's tenant and object id (`objects.rs`), once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MembershipEntity {
    pub partition_key: String,
    pub row_key: String,
    pub company_name: String,
    pub role: String,
    /// Set by the table when the row was written (membership rows are never changed).
    #[serde(
        rename = "Timestamp",
        with = "edm::option_datetime",
        default,
        skip_serializing
    )]
    pub since: Option<OffsetDateTime>,
}

impl MembershipEntity {
    /// An account's row for a company it is a member of, with its role.
    pub(super) fn new(account: &AccountId, (company, role): (&Company, Role)) -> Self {
        Self {
            partition_key: account_partition(account),
            row_key: membership_row(&company.id),
            company_name: company.details.name.clone(),
            role: role.as_str().to_owned(),
            since: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct EmailEntity {
    pub partition_key: String,
    pub row_key: String,
    pub account_id: String,
}

#[async_trait]
impl AccountStore for TableAccountStore {
    async fn ensure_tables(&self) -> Result<(), StoreError> {
        for table in [&self.companies, &self.accounts] {
            table::ensure(table).await?;
        }
        Ok(())
    }

    async fn company(&self, id: &CompanyId) -> Result<Option<Company>, StoreError> {
        read::<CompanyEntity>(&self.companies, id.as_str(), COMPANY_ROW)
            .await?
            .map(Company::try_from)
            .transpose()
    }

    async fn remove_company(
        &self,
        account: &AccountId,
        id: &CompanyId,
    ) -> Result<bool, StoreError> {
        // The company's row last: it is what leads a removal cut short to finish.
        super::listing::remove(&self.companies, id).await?;
        delete_if_present(
            &self.accounts,
            &account_partition(account),
            &membership_row(id),
        )
        .await?;
        delete_if_present(&self.companies, id.as_str(), ROSTER_ROW).await?;
        delete_if_present(&self.companies, id.as_str(), COMPANY_ROW).await
    }

    async fn add_member(
        &self,
        account: &AccountId,
        login: &LinkedLogin,
        joins: (&Company, Role),
        (locale, now): (Locale, OffsetDateTime),
        new: NewRows,
    ) -> Result<(), StoreError> {
        let membership = MembershipEntity::new(account, joins);
        if new == NewRows::Membership {
            insert_absent(&self.accounts, &membership).await?;
            return Ok(());
        }
        let mut rows = Self::account_rows(account, login, locale, now)?;
        rows.push(row_json(&membership)?);
        let partition = account_partition(account);
        if insert_together(&self.accounts, &partition, &rows).await? {
            return Ok(());
        }
        // Some exist (a retry): each if absent; the language the account has stays.
        let language = super::keys::LANGUAGE_ROW;
        for row in rows.iter().filter(|r| r["RowKey"] != language) {
            insert_absent(&self.accounts, row).await?;
        }
        Ok(())
    }

    async fn profile(&self, account: &AccountId) -> Result<Option<Versioned<Profile>>, StoreError> {
        let Some((entity, etag)) =
            table::read::<ProfileEntity>(&self.accounts, &account_partition(account), PROFILE_ROW)
                .await?
        else {
            return Ok(None);
        };
        let email = EmailAddress::parse(&entity.email)
            .map_err(|_| StoreError::Unexpected("unreadable profile email".into()))?;
        Ok(Some(Versioned {
            value: Profile {
                id: account.clone(),
                email,
                created_at: entity.created_at,
            },
            etag,
        }))
    }

    async fn logins(&self, account: &AccountId) -> Result<Vec<LinkedLogin>, StoreError> {
        security::logins(&self.accounts, account).await
    }

    async fn link_login(
        &self,
        account: &AccountId,
        login: &LinkedLogin,
    ) -> Result<LinkResult, StoreError> {
        let result = if insert_absent(&self.accounts, &Self::login_row(account, login)).await? {
            LinkResult::Linked
        } else {
            match login_record(&self.accounts, &login.login)
                .await?
                .map(|found| found.account)
            {
                Some(owner) if owner == *account => LinkResult::AlreadyYours,
                Some(_) => return Ok(LinkResult::OwnedElsewhere),
                // Unlinked meanwhile: try once more.
                None if insert_absent(&self.accounts, &Self::login_row(account, login)).await? => {
                    LinkResult::Linked
                }
                None => return Err(StoreError::Conflict),
            }
        };
        insert_absent(&self.accounts, &ListedLoginEntity::new(account, login)).await?;
        Ok(result)
    }

    async fn unlink_login(
        &self,
        profile: &Versioned<Profile>,
        login: &LoginId,
    ) -> Result<(), StoreError> {
        // Bumping the profile with If-Match serialises unlinks: of two at once that each
        // counted "another login remains", one fails here.
        let partition = account_partition(&profile.value.id);
        let bumped = ProfileEntity {
            partition_key: partition.clone(),
            row_key: PROFILE_ROW.into(),
            email: profile.value.email.to_string(),
            created_at: profile.value.created_at,
            created_at_type: DateTimeTag,
        };
        table::replace_if_match(
            &self.accounts,
            &partition,
            PROFILE_ROW,
            &bumped,
            &profile.etag,
        )
        .await?
        .ok_or(StoreError::Conflict)?;
        super::objects::forget_login(&self.accounts, login, &profile.value.id).await?;
        for (pk, rk) in [
            (login_partition(login), LOGIN_ROW.to_owned()),
            (partition, listed_login_row(login)),
        ] {
            delete_if_present(&self.accounts, &pk, &rk).await?;
        }
        Ok(())
    }

    fn can_keep_secrets(&self) -> bool {
        self.sealer.is_some()
    }

    fn recovery_key(&self, account: &AccountId) -> Option<crate::domain::mfa::RecoveryKey> {
        self.sealer
            .as_ref()?
            .recovery_key(None, &account_partition(account))
    }

    async fn has_mfa_row(&self, account: &AccountId) -> Result<bool, StoreError> {
        security::has_mfa_row(&self.accounts, account).await
    }

    async fn has_second_factor(&self, account: &AccountId) -> Result<bool, StoreError> {
        security::has_second_factor(&self.accounts, account, self.sealer.as_ref()).await
    }

    async fn mfa(&self, account: &AccountId) -> Result<Option<Versioned<Mfa>>, StoreError> {
        match &self.sealer {
            Some(sealer) => security::read_mfa(&self.accounts, account, sealer).await,
            None => Ok(None),
        }
    }

    async fn save_mfa(
        &self,
        account: &AccountId,
        mfa: &Mfa,
        etag: Option<&str>,
    ) -> Result<Versioned<Mfa>, StoreError> {
        security::write_mfa(&self.accounts, account, mfa, etag, self.sealer()?).await
    }

    async fn delete_mfa(&self, account: &AccountId, etag: &str) -> Result<(), StoreError> {
        security::delete_mfa(&self.accounts, account, etag).await
    }

    async fn has_account_for_email(&self, email: &EmailAddress) -> Result<bool, StoreError> {
        Ok(email_account(&self.accounts, email).await?.is_some())
    }

    async fn memberships(&self, account: &AccountId) -> Result<Vec<Membership>, StoreError> {
        let filter = rows_starting_with(&account_partition(account), MEMBERSHIP_PREFIX);
        let rows: Vec<MembershipEntity> = table::query(&self.accounts, Some(filter), None).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let id = row.row_key.strip_prefix(MEMBERSHIP_PREFIX)?;
                Some(Membership {
                    company_id: CompanyId::from_stored(id.to_owned()),
                    company_name: row.company_name,
                    // Rows written before members existed are administrators'.
                    role: Role::parse(&row.role).unwrap_or(Role::Administrator),
                    since: row.since,
                })
            })
            .collect())
    }

    async fn language(&self, account: &AccountId) -> Result<Option<Locale>, StoreError> {
        super::language::read(&self.accounts, account).await
    }

    async fn set_language(&self, account: &AccountId, locale: Locale) -> Result<(), StoreError> {
        super::language::write(&self.accounts, account, locale).await
    }
}

/// A login's row, read.
pub(super) async fn login_record(
    accounts: &TableClient,
    login: &LoginId,
) -> Result<Option<LoginRecord>, StoreError> {
    Ok(
        table::read_value::<LoginEntity>(accounts, &login_partition(login), LOGIN_ROW)
            .await?
            .map(|row| LoginRecord {
                account: AccountId::from_stored(row.account_id),
                sessions_ended_at: row.sessions_ended_at,
                object_key: row.object_key,
            }),
    )
}

/// An address's row, read.
pub(super) async fn email_account(
    accounts: &TableClient,
    email: &EmailAddress,
) -> Result<Option<AccountId>, StoreError> {
    Ok(
        table::read_value::<EmailEntity>(accounts, &email_partition(email), EMAIL_ROW)
            .await?
            .map(|row| AccountId::from_stored(row.account_id)),
    )
}

/// What a login's row says: its account, and when the account's sessions were last ended
/// (Unix milliseconds; 0 when never).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRecord {
    pub account: AccountId,
    pub sessions_ended_at: i64,
    /// The index row its tenant and object id were recorded under, if they were.
    pub object_key: Option<String>,
}
