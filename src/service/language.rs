//! One language per person: the customer's language is remembered on their account (from
//! the invitation when the account is made, then from each choice of the language switch),
//! and every later sign-in reads it, whatever the browser's `Accept-Language` says.

use super::{InvitationError, Services};
use crate::domain::account::AccountId;
use crate::domain::invitation::LoginId;
use crate::domain::locale::Locale;

/// The account's language, if one was recorded.
pub async fn remembered(
    services: &Services,
    account: &AccountId,
) -> Result<Option<Locale>, InvitationError> {
    Ok(services.accounts.language(account).await?)
}

/// Records `locale` as the language of the account `login` opens; nothing when it opens
/// none yet (the invitation's locale is recorded when the account is made).
pub async fn remember(
    services: &Services,
    login: &LoginId,
    locale: Locale,
) -> Result<(), InvitationError> {
    if let Some(account) = services.people.account_for(login).await? {
        services.accounts.set_language(&account, locale).await?;
    }
    Ok(())
}
