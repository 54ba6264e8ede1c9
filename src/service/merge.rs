//! The operator's merge of accounts that share an address (`handler merge-accounts`):
//! before one person was one account, a second login of the same address that accepted
//! an invitation got an account of its own. Each such address keeps one account (the one
//! with MFA on, else the one the address's row names, else the oldest); every other
//! account's logins are led to it, its memberships moved on the companies' rosters and
//! its rows removed, its profile last.
//!
//! Every step is idempotent and the account merged away keeps its profile until the end,
//! so a run that stops anywhere is finished by running it again; a second run finds
//! nothing. Log lines name accounts by id, never by address.

use super::{InvitationError, Services};
use crate::domain::account::AccountId;
use crate::domain::email::EmailAddress;
use crate::storage::AccountOfAddress;

/// What a merge did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MergeReport {
    /// Addresses that had more than one account.
    pub addresses: u32,
    /// Accounts merged into another (and gone).
    pub merged: u32,
}

/// Merges every set of accounts that share an address into one.
pub async fn merge_duplicates(services: &Services) -> Result<MergeReport, InvitationError> {
    let mut report = MergeReport::default();
    for (email, accounts) in services.people.shared_addresses().await? {
        let keep = survivor(services, &email, &accounts).await?;
        // The address leads to the one kept from now on (and a second run chooses it).
        services.people.set_email_account(&email, &keep).await?;
        for merged in accounts.iter().map(|a| &a.account).filter(|a| **a != keep) {
            merge_into(services, merged, &keep).await?;
            report.merged += 1;
        }
        report.addresses += 1;
    }
    tracing::info!(
        addresses = report.addresses,
        merged = report.merged,
        "accounts sharing an address merged"
    );
    Ok(report)
}

/// The line `handler merge-accounts` prints.
pub fn merge_line(report: &MergeReport) -> String {
    let addresses = match report.addresses {
        1 => "1 address had 2 accounts".to_owned(),
        n => format!("{n} addresses had 2 accounts or more"),
    };
    let merged = match report.merged {
        1 => "1 account merged into another".to_owned(),
        n => format!("{n} accounts merged"),
    };
    format!("merge-accounts: {addresses}; {merged}")
}

/// The account an address keeps: one with MFA on (MFA is never lost), else the one its
/// row names, else the oldest.
async fn survivor(
    services: &Services,
    email: &EmailAddress,
    accounts: &[AccountOfAddress],
) -> Result<AccountId, InvitationError> {
    let named = services.people.account_for_email(email).await?;
    let mut ranked = Vec::new();
    for candidate in accounts {
        let mfa = services.accounts.has_mfa_row(&candidate.account).await?;
        let is_named = named.as_ref() == Some(&candidate.account);
        ranked.push((
            !mfa,
            !is_named,
            candidate.created_at,
            candidate.account.clone(),
        ));
    }
    ranked.sort();
    ranked
        .into_iter()
        .next()
        .map(|(.., account)| account)
        .ok_or_else(|| InvitationError::Internal("no account to keep".into()))
}

/// Moves everything of `merged` to `keep`, then removes `merged`'s rows.
async fn merge_into(
    services: &Services,
    merged: &AccountId,
    keep: &AccountId,
) -> Result<(), InvitationError> {
    for login in services.accounts.logins(merged).await? {
        services.people.lead_login(&login, keep).await?;
        services.accounts.link_login(keep, &login).await?;
    }
    for membership in services.accounts.memberships(merged).await? {
        let role = super::members::rename_member(services, &membership.company_id, merged, keep)
            .await
            .map_err(super::privacy::member_error)?;
        if let (Some(role), Some(company)) = (
            role,
            services.accounts.company(&membership.company_id).await?,
        ) {
            services
                .members
                .set_account_row(keep, &company, Some(role))
                .await?;
        }
    }
    // Its logins lead elsewhere now: erasing the account removes only its own rows.
    services.privacy.erase_account(merged, false).await?;
    tracing::info!(
        merged = merged.as_str(),
        kept = keep.as_str(),
        "account merged into another of the same address"
    );
    Ok(())
}
