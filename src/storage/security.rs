//! The rows behind an account's sign-in security, in `{prefix}Accounts`:
//! - `acct-{id}` / `login-{key}`: one per linked login, for the profile's list (the
//!   `login-{key}` / `login` row elsewhere is what leads from a login to its account);
//! - `acct-{id}` / `mfa`: the TOTP secret (sealed, the row's other fields bound to it),
//!   whether MFA is on, the last step used and the unused recovery codes' keyed hashes;
//!   every change is an `If-Match` write, so a code used twice at once is accepted once.

use super::edm::{self, DateTimeTag};
use super::keys::{
    LISTED_LOGIN_PREFIX, MFA_ROW, PASSKEY_PREFIX, account_partition, listed_login_row,
    row_keys_starting_with, rows_starting_with,
};
use super::sealed::Sealer;
use super::table;
use super::{StoreError, Versioned};
use crate::domain::account::{AccountId, LinkedLogin, Provider};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::LoginId;
use crate::domain::mfa::Mfa;
use crate::domain::totp::TotpSecret;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListedLoginEntity {
    pub partition_key: String,
    pub row_key: String,
    pub issuer: String,
    pub subject: String,
    pub provider: String,
    pub email: String,
    #[serde(with = "edm::datetime")]
    pub linked_at: OffsetDateTime,
    #[serde(rename = "LinkedAt@odata.type", default)]
    pub linked_at_type: DateTimeTag,
}

impl ListedLoginEntity {
    pub fn new(account: &AccountId, linked: &LinkedLogin) -> Self {
        Self {
            partition_key: account_partition(account),
            row_key: listed_login_row(&linked.login),
            issuer: linked.login.issuer.clone(),
            subject: linked.login.subject.clone(),
            provider: linked.provider.stored().to_owned(),
            email: linked.email.to_string(),
            linked_at: linked.linked_at,
            linked_at_type: DateTimeTag,
        }
    }

    fn into_linked(self) -> Option<LinkedLogin> {
        Some(LinkedLogin {
            provider: Provider::from_idp(Some(&self.provider)),
            email: EmailAddress::parse(&self.email).ok()?,
            linked_at: self.linked_at,
            object: None,
            login: LoginId {
                issuer: self.issuer,
                subject: self.subject,
            },
        })
    }
}

/// The logins listed in an account's partition, oldest first.
pub async fn logins(
    table: &TableClient,
    account: &AccountId,
) -> Result<Vec<LinkedLogin>, StoreError> {
    let filter = rows_starting_with(&account_partition(account), LISTED_LOGIN_PREFIX);
    let rows: Vec<ListedLoginEntity> = table::query(table, Some(filter), None).await?;
    let mut logins: Vec<LinkedLogin> = rows
        .into_iter()
        .filter_map(ListedLoginEntity::into_linked)
        .collect();
    logins.sort_by_key(|l| l.linked_at);
    Ok(logins)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaEntity {
    pub partition_key: String,
    pub row_key: String,
    /// Sealed with [`Sealer`]; the associated data binds the row's key and every other
    /// field below ([`MfaEntity::bound`]), so editing one in the table is detected.
    pub secret: String,
    #[serde(with = "edm::datetime")]
    pub started_at: OffsetDateTime,
    #[serde(rename = "StartedAt@odata.type", default)]
    pub started_at_type: DateTimeTag,
    #[serde(with = "edm::option_datetime", default)]
    pub enabled_at: Option<OffsetDateTime>,
    /// The last step used, as decimal text ("" for none).
    #[serde(default)]
    pub last_step: String,
    /// Unused recovery codes' keyed hashes, comma-separated.
    #[serde(default)]
    pub recovery: String,
    /// The id of the `COOKIE_KEY` the recovery hashes are keyed with ("" for none).
    #[serde(default)]
    pub recovery_key: String,
}

/// What reading an MFA row found.
pub struct OpenedMfa {
    pub mfa: Mfa,
    /// Sealed with an earlier key or written by the first format: write it again.
    pub stale: bool,
}

impl MfaEntity {
    /// The fields the sealed secret vouches for, one per line (times in whole seconds, as
    /// the table keeps them at least that precisely).
    fn bound(&self) -> Vec<u8> {
        let enabled_at = self
            .enabled_at
            .map(|at| at.unix_timestamp().to_string())
            .unwrap_or_default();
        [
            "mfa-row-v2",
            &self.partition_key,
            &self.started_at.unix_timestamp().to_string(),
            &enabled_at,
            &self.last_step,
            &self.recovery,
            &self.recovery_key,
        ]
        .join("\n")
        .into_bytes()
    }

    pub fn seal(account: &AccountId, mfa: &Mfa, sealer: &Sealer) -> Result<Self, StoreError> {
        let mut entity = Self {
            partition_key: account_partition(account),
            row_key: MFA_ROW.to_owned(),
            secret: String::new(),
            started_at: mfa.started_at,
            started_at_type: DateTimeTag,
            enabled_at: mfa.enabled_at,
            last_step: mfa.last_step.map(|s| s.to_string()).unwrap_or_default(),
            recovery: String::new(),
            recovery_key: String::new(),
        };
        if let Some(key) = &mfa.recovery_key {
            entity.recovery = mfa.recovery.join(",");
            entity.recovery_key = key.id().to_owned();
        }
        entity.secret = sealer
            .seal(mfa.secret.as_bytes(), &entity.bound())
            .ok_or_else(|| StoreError::Unexpected("sealing the TOTP secret failed".into()))?;
        Ok(entity)
    }

    /// Opens the row; a row of the first format (its secret sealed with the row key
    /// alone, its recovery hashes plain SHA-256) opens too and comes back stale, its
    /// hashes keyed, to be written again in the bound format.
    pub fn open(self, sealer: &Sealer) -> Result<OpenedMfa, StoreError> {
        let unreadable =
            || StoreError::Unexpected(format!("{}: unreadable MFA row", self.partition_key));
        let first_format = Sealer::is_first_format(&self.secret);
        let associated = if first_format {
            self.partition_key.clone().into_bytes()
        } else {
            self.bound()
        };
        let opened = sealer
            .open(&self.secret, &associated)
            .ok_or_else(unreadable)?;
        let secret = TotpSecret::from_bytes(opened.plain).ok_or_else(unreadable)?;
        let last_step = match self.last_step.as_str() {
            "" => None,
            text => Some(text.parse().map_err(|_| unreadable())?),
        };
        let hashes = self
            .recovery
            .split(',')
            .filter(|h| !h.is_empty())
            .map(str::to_owned);
        let (recovery, recovery_key) = if first_format {
            let key = sealer.recovery_key(None, &self.partition_key);
            let keyed = match &key {
                Some(key) => hashes.filter_map(|h| key.keyed(&h)).collect(),
                None => Vec::new(),
            };
            (keyed, key)
        } else if self.recovery_key.is_empty() {
            (Vec::new(), None)
        } else {
            // Under a key no longer configured, the codes are kept but match nothing.
            let key = sealer.recovery_key(Some(&self.recovery_key), &self.partition_key);
            (hashes.collect(), key)
        };
        Ok(OpenedMfa {
            mfa: Mfa {
                secret,
                started_at: self.started_at,
                enabled_at: self.enabled_at,
                last_step,
                recovery,
                recovery_key,
            },
            stale: opened.stale,
        })
    }
}

/// Reads an account's MFA row. A row sealed with an earlier key (or in the first format)
/// is sealed again with today's key at once, `If-Match`, so after a rotation each row
/// moves to the new key at its first use; if another request changed the row meanwhile,
/// the row is returned as read and moves at the next read.
pub async fn read_mfa(
    table: &TableClient,
    account: &AccountId,
    sealer: &Sealer,
) -> Result<Option<Versioned<Mfa>>, StoreError> {
    let Some((entity, etag)) =
        table::read::<MfaEntity>(table, &account_partition(account), MFA_ROW).await?
    else {
        return Ok(None);
    };
    let opened = entity.open(sealer)?;
    if opened.stale {
        match write_mfa(table, account, &opened.mfa, Some(&etag), sealer).await {
            Ok(written) => {
                tracing::info!(
                    account = account.as_str(),
                    "MFA row sealed with today's key"
                );
                return Ok(Some(written));
            }
            Err(e) => tracing::warn!(error = %e, "MFA row not sealed again yet"),
        }
    }
    Ok(Some(Versioned {
        value: opened.mfa,
        etag,
    }))
}

/// Whether a sign-in of `account` must give a second factor: a passkey, or the app
/// turned on (its row opened with `sealer`; without one, any MFA row: it can be neither
/// opened nor trusted). One query of the account's partition: its MFA row and its first
/// passkey row.
pub async fn has_second_factor(
    table: &TableClient,
    account: &AccountId,
    sealer: Option<&Sealer>,
) -> Result<bool, StoreError> {
    let filter = format!(
        "PartitionKey eq {} and (RowKey eq '{MFA_ROW}' or ({}))",
        edm::string_literal(&account_partition(account)),
        row_keys_starting_with(PASSKEY_PREFIX)
    );
    let rows: Vec<serde_json::Value> = table::query(table, Some(filter), Some(2)).await?;
    let mut app = None;
    for row in rows {
        if row["RowKey"] != MFA_ROW {
            return Ok(true); // a passkey
        }
        app = Some(row);
    }
    let Some(row) = app else {
        return Ok(false);
    };
    let Some(sealer) = sealer else {
        return Ok(true);
    };
    let entity: MfaEntity =
        serde_json::from_value(row).map_err(|e| StoreError::Unexpected(e.to_string()))?;
    Ok(entity.open(sealer)?.mfa.is_on())
}

/// Whether the account has an MFA row at all (read without opening it: for an
/// installation that has no key to open it with, which must then not skip the code).
pub async fn has_mfa_row(table: &TableClient, account: &AccountId) -> Result<bool, StoreError> {
    Ok(
        table::read::<serde_json::Value>(table, &account_partition(account), MFA_ROW)
            .await?
            .is_some(),
    )
}

/// Writes an account's MFA row: insert-if-absent without `etag` (a concurrent first write
/// is a `Conflict`), an `If-Match` replace with it.
pub async fn write_mfa(
    table: &TableClient,
    account: &AccountId,
    mfa: &Mfa,
    etag: Option<&str>,
    sealer: &Sealer,
) -> Result<Versioned<Mfa>, StoreError> {
    let entity = MfaEntity::seal(account, mfa, sealer)?;
    let etag = match etag {
        None => table::insert_if_absent(table, &entity).await?,
        Some(etag) => {
            table::replace_if_match(table, &entity.partition_key, MFA_ROW, &entity, etag).await?
        }
    }
    .ok_or(StoreError::Conflict)?;
    Ok(Versioned {
        value: mfa.clone(),
        etag,
    })
}

/// Deletes an account's MFA row if it is still as read.
pub async fn delete_mfa(
    table: &TableClient,
    account: &AccountId,
    etag: &str,
) -> Result<(), StoreError> {
    if table::delete_if_match(table, &account_partition(account), MFA_ROW, etag).await? {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mfa::Used;
    use crate::domain::totp::{self, CodeError};
    use time::macros::datetime;

    fn sealer() -> Sealer {
        Sealer::from_cookie_key(&[3u8; 64]).unwrap()
    }

    fn enabled(account: &AccountId) -> (Mfa, Vec<String>) {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut mfa = Mfa::enrol(now);
        let code = format!("{:06}", mfa.secret.code_at_step(totp::step_at(now)));
        let key = sealer()
            .recovery_key(None, &account_partition(account))
            .unwrap();
        let codes = mfa.enable(&code, now, key).unwrap();
        (mfa, codes)
    }

    #[test]
    fn a_row_opens_as_sealed_and_not_after_an_edit_of_a_bound_field() {
        let account = AccountId::from_stored("a1".into());
        let (mfa, _) = enabled(&account);
        let entity = MfaEntity::seal(&account, &mfa, &sealer()).unwrap();
        let opened = entity.clone().open(&sealer()).unwrap();
        assert!(!opened.stale);
        assert_eq!(opened.mfa, mfa);
        let edits: [fn(&mut MfaEntity); 5] = [
            |e| e.enabled_at = None,
            |e| e.last_step = String::new(),
            |e| e.recovery = e.recovery.split(',').skip(1).collect::<Vec<_>>().join(","),
            |e| e.recovery_key = String::new(),
            |e| e.started_at += time::Duration::hours(1),
        ];
        for edit in edits {
            let mut edited = entity.clone();
            edit(&mut edited);
            assert!(edited.open(&sealer()).is_err());
        }
        let mut moved = entity;
        moved.partition_key = "acct-a2".into();
        assert!(moved.open(&sealer()).is_err(), "another account's row");
    }

    #[test]
    fn a_row_of_the_first_format_opens_stale_with_its_recovery_codes_keyed() {
        let account = AccountId::from_stored("a1".into());
        let partition = account_partition(&account);
        let (mfa, codes) = enabled(&account);
        // As the earlier code wrote it: plain SHA-256 hashes, the row key alone bound.
        let entity = MfaEntity {
            partition_key: partition.clone(),
            row_key: MFA_ROW.into(),
            secret: sealer()
                .seal_first_format(mfa.secret.as_bytes(), &partition)
                .unwrap(),
            started_at: mfa.started_at,
            started_at_type: DateTimeTag,
            enabled_at: mfa.enabled_at,
            last_step: mfa.last_step.unwrap().to_string(),
            recovery: codes
                .iter()
                .map(|c| totp::recovery_hash(c))
                .collect::<Vec<_>>()
                .join(","),
            recovery_key: String::new(),
        };
        let opened = entity.open(&sealer()).unwrap();
        assert!(opened.stale, "to be written again in the bound format");
        assert_eq!(opened.mfa.recovery, mfa.recovery, "the hashes are keyed");
        let mut migrated = opened.mfa;
        let now = datetime!(2026-11-22 10:05 UTC);
        assert_eq!(
            migrated.check(&codes[2], now),
            Ok(Used::Recovery { left: 9 })
        );
        assert_eq!(
            migrated.check(&codes[2], now),
            Err(crate::domain::mfa::MfaError::Code(CodeError::Wrong))
        );
        let rewritten = MfaEntity::seal(&account, &migrated, &sealer()).unwrap();
        assert!(rewritten.secret.starts_with("v2."));
        assert!(!rewritten.open(&sealer()).unwrap().stale);
    }
}
