//! A company's rule that every member has a second factor (the app's code or a passkey):
//! its administrators turn it on and off (on only once they have one themselves, so
//! turning it on never locks them out), and a member without one is sent to set one up
//! before any page of the company.

use super::members::MemberError;
use super::{InvitationError, Services, account};
use crate::domain::account::{AccountId, Company, CompanyId};
use crate::domain::membership::Actor;

#[derive(Debug, thiserror::Error)]
pub enum RuleFailure {
    /// Turning it on, the administrator has no second factor yet.
    #[error("the administrator has no second factor")]
    SecondFactorFirst,
    #[error(transparent)]
    Member(#[from] MemberError),
}

impl From<InvitationError> for RuleFailure {
    fn from(e: InvitationError) -> Self {
        Self::Member(e.into())
    }
}

/// `account`, an administrator of `company_id`, turns the rule on (`on`) or off.
pub async fn set(
    services: &Services,
    company_id: &CompanyId,
    account: &AccountId,
    on: bool,
) -> Result<(), RuleFailure> {
    let roster = super::members::company_with_roster(services, company_id)
        .await?
        .roster;
    roster
        .may_manage(&Actor::Member(account.clone()))
        .map_err(MemberError::from)?;
    if on && !account::second_factor(services, account).await? {
        return Err(RuleFailure::SecondFactorFirst);
    }
    let set = services
        .members
        .require_second_factor(company_id, on)
        .await
        .map_err(MemberError::from)?;
    if !set {
        return Err(MemberError::NoCompany.into());
    }
    tracing::info!(company = company_id.as_str(), on, "second-factor rule set");
    Ok(())
}

/// Whether `account` must set up a second factor before the pages of `company`.
pub async fn blocks(
    services: &Services,
    company: &Company,
    account: &AccountId,
) -> Result<bool, InvitationError> {
    if !company.require_second_factor {
        return Ok(false);
    }
    Ok(!account::second_factor(services, account).await?)
}

/// The name of company `id` when `account` is a member of it (the page that says which
/// company asked names no company to a stranger).
pub async fn company_of_member(
    services: &Services,
    account: &AccountId,
    id: &str,
) -> Result<Option<String>, InvitationError> {
    let memberships = services.accounts.memberships(account).await?;
    Ok(memberships
        .into_iter()
        .find(|m| m.company_id.as_str() == id)
        .map(|m| m.company_name))
}
