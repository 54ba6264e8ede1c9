//! What the product's tokens say of a person (the custom claims provider): the account
//! and the companies of the person a tenant and object id name. Two reads at most: the
//! index row of the tenant and object id, then the account's membership rows (one
//! query of its partition). Never by email: an id the index does not know has nothing.

use super::{InvitationError, Services};
use crate::domain::account::{AccountId, Membership};
use crate::domain::ids::ObjectId;

/// The person's account and its companies; `None` for a person without an account.
pub async fn of_person(
    services: &Services,
    object: &ObjectId,
) -> Result<Option<(AccountId, Vec<Membership>)>, InvitationError> {
    let Some(account) = services.people.object_account(object).await? else {
        return Ok(None);
    };
    let memberships = services.accounts.memberships(&account).await?;
    Ok(Some((account, memberships)))
}
