//! Who a person is. A person is one account: a login opens the account its row leads to;
//! a login without one, whose provider vouches for an address (`SignedIn::email`), joins
//! the account that address already has, when it accepts an invitation or signs in, as
//! linking does; a person with neither gets an account whose address is claimed for it
//! (insert-if-absent), so two first logins of one address at once make one account.
//!
//! Every "which account is this" of the service is answered here (`find`, `for_joining`,
//! `new_account`). The person's tenant and object id (`tid`, `oid`) are not a way in
//! here: they are [`remember`]ed with the account, for the claims provider alone.

pub use super::merge::{MergeReport, merge_duplicates, merge_line};
use super::{InvitationError, Services};
use crate::domain::account::{AccountId, LinkedLogin};
use crate::domain::email::EmailAddress;
use crate::domain::ids::ObjectId;
use crate::domain::invitation::LoginId;
use crate::storage::LoginRecord;

/// Who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    /// The login opens this account.
    Known(AccountId),
    /// A login the account has not seen, of the address the account has: it joins.
    ByEmail(AccountId),
    /// A new account, made for this login: its address is claimed for it.
    Fresh(AccountId),
    /// The account an earlier attempt of this login claimed the address for: perhaps
    /// half made, perhaps joined by another login of the address since.
    Claimed(AccountId),
    /// Nobody: no account for the login nor for its address.
    Nobody,
}

impl Person {
    /// Which of the account's own rows its joining a company writes.
    pub fn new_rows(&self) -> crate::storage::NewRows {
        use crate::storage::NewRows;
        match self {
            // An address's account another login joins may be one that login's first
            // attempt left half made: each row if absent.
            Self::Fresh(_) | Self::Claimed(_) | Self::ByEmail(_) | Self::Nobody => NewRows::Account,
            Self::Known(_) => NewRows::Membership,
        }
    }

    /// The account, once there is one.
    pub fn account(&self) -> Option<&AccountId> {
        match self {
            Self::Known(account)
            | Self::ByEmail(account)
            | Self::Fresh(account)
            | Self::Claimed(account) => Some(account),
            Self::Nobody => None,
        }
    }
}

/// The login's account, else the account of the address its provider vouched for (none
/// when it vouched for none). Reads one row, two for a login without an account; a
/// known login whose row does not yet name `object` records it (see [`remember`]).
pub async fn find(
    services: &Services,
    login: &LoginId,
    email: Option<&EmailAddress>,
    object: Option<&ObjectId>,
) -> Result<Person, InvitationError> {
    if let Some(found) = services.people.login_account(login).await? {
        remember(services, object, login, &found).await;
        return Ok(Person::Known(found.account));
    }
    let Some(email) = email else {
        return Ok(Person::Nobody);
    };
    Ok(match services.people.account_for_email(email).await? {
        Some(account) => Person::ByEmail(account),
        None => Person::Nobody,
    })
}

/// The account a person with no account by their login gets: the address's, or a new one
/// claimed for the address (the id the login makes, so a retry finds the same). `Fresh`
/// only when this call claimed the address; an earlier attempt's claim is `Claimed`.
async fn new_account(
    services: &Services,
    login: &LoginId,
    email: &EmailAddress,
) -> Result<Person, InvitationError> {
    let fresh = AccountId::for_first_login(login);
    let (owner, claimed_now) = services.people.claim_email(email, &fresh).await?;
    Ok(match (owner == fresh, claimed_now) {
        (true, true) => Person::Fresh(fresh),
        (true, false) => Person::Claimed(fresh),
        (false, _) => Person::ByEmail(owner),
    })
}

/// Who joins a company through an invitation to `email` (checked against the token's
/// vouched address by the caller). `likely_known`: the invitation found the address an
/// account when it was sent; then the login's row is read first, otherwise the address is
/// claimed first, which a newcomer needs anyway (one call fewer for them). Both orders
/// answer the same: the login's account first, then the address's.
///
/// Afterwards the login's row leads to the account returned (written here, with the
/// person's tenant and object id, for all but a `Known` one), never `Nobody`; a `Known`
/// login's row is marked with them here too, when it is not yet (see [`remember_joined`]
/// for the others). A `Fresh` account is new with this call: nobody can have signed in to
/// it, so it has no second factor to ask for.
pub async fn for_joining(
    services: &Services,
    linked: &LinkedLogin,
    likely_known: bool,
) -> Result<Person, InvitationError> {
    let person = if likely_known {
        let object = linked.object.as_ref();
        find(services, &linked.login, Some(&linked.email), object).await?
    } else {
        Person::Nobody
    };
    let person = match person {
        Person::Nobody => new_account(services, &linked.login, &linked.email).await?,
        found => found,
    };
    match person {
        // The address had no account; the login may still have one (its address at the
        // provider changed since): then that account it is, and the claim goes.
        Person::Fresh(ref account) | Person::Claimed(ref account) => {
            match services.people.insert_login(linked, account).await? {
                None => Ok(person),
                Some(owner) => {
                    services
                        .people
                        .release_email(&linked.email, account)
                        .await?;
                    known(services, linked, owner).await
                }
            }
        }
        // The login joins the address's account, unless it has one (its row, written
        // first, says which).
        Person::ByEmail(owner) => match services.people.insert_login(linked, &owner).await? {
            None => Ok(Person::ByEmail(owner)),
            Some(account) => known(services, linked, account).await,
        },
        other => Ok(other),
    }
}

/// A login found to have an account of its own while joining (its address at the
/// provider changed since): its row is marked with the person's tenant and object id
/// (two writes; rare).
async fn known(
    services: &Services,
    linked: &LinkedLogin,
    account: AccountId,
) -> Result<Person, InvitationError> {
    if let Some(object) = &linked.object {
        services
            .people
            .record_object(object, &linked.login, &account)
            .await?;
    }
    Ok(Person::Known(account))
}

/// Records that the person `object` names (from the id_token of `login`) has the account
/// `found` (the login's row as read) leads to, for the claims provider: two writes, none
/// when that row names `object` already. A failure is logged, never the sign-in's: the
/// next one tries again.
async fn remember(
    services: &Services,
    object: Option<&ObjectId>,
    login: &LoginId,
    found: &LoginRecord,
) {
    let Some(object) = object.filter(|object| !found.names(object)) else {
        return;
    };
    let account = &found.account;
    if let Err(e) = services.people.record_object(object, login, account).await {
        tracing::warn!(account = account.as_str(), error = %e, "tenant and object id not recorded");
    }
}

/// After a joining (a company made, a colleague's invitation accepted) whose
/// [`for_joining`] wrote the login's row with the person's mark: their index row, one
/// write (none for a `Known` login: `for_joining` saw to it). Before the invitation
/// completes: a failure fails the joining, and its retry writes it.
pub async fn remember_joined(
    services: &Services,
    linked: &LinkedLogin,
    person: &Person,
) -> Result<(), InvitationError> {
    match (&linked.object, person) {
        (_, Person::Known(_)) | (None, _) => Ok(()),
        (Some(object), joined) => {
            let Some(account) = joined.account() else {
                return Ok(());
            };
            Ok(services
                .people
                .lead_object(object, &linked.login, account)
                .await?)
        }
    }
}

/// Ends every session of `account` issued up to `at` (each of its logins' rows is
/// marked; every signed-in request reads its login's row, so this costs them nothing).
/// Returns the first issue time a session is valid from (a session re-issued by the
/// request that ended the others, after turning MFA on, takes it).
pub async fn end_sessions(
    services: &Services,
    account: &AccountId,
    at: time::OffsetDateTime,
) -> Result<i64, InvitationError> {
    let logins = services.accounts.logins(account).await?;
    let valid_from = session_time(at).saturating_add(1);
    services.people.end_sessions(&logins, valid_from).await?;
    tracing::info!(account = account.as_str(), "sessions ended");
    Ok(valid_from)
}

/// A session's issue time as sessions and the login rows' marks keep it: Unix ms.
pub fn session_time(at: time::OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The account a session of `login` issued at `issued_at` (Unix ms) still opens: none
/// when the login opens none, or when the account's sessions were ended after it was
/// issued (signed out, deleted, MFA turned on…). The one read every signed-in request
/// makes.
pub async fn session_account(
    services: &Services,
    login: &LoginId,
    issued_at: i64,
) -> Result<Option<AccountId>, InvitationError> {
    Ok(services
        .people
        .login_account(login)
        .await?
        .filter(|found| issued_at >= found.sessions_ended_at)
        .map(|found| found.account))
}
