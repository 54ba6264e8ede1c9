//! A returning customer's account: finding it by a login (never by email alone), linking
//! and unlinking logins, and authenticator-app MFA (enrolment, codes at sign-in, turning
//! it off), wrong codes throttled per account in the tables.

use super::{InvitationError, Services, limits};
use crate::domain::account::{AccountId, LinkResult, LinkedLogin, Profile, Provider};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{Invitation, ListFilter, LoginId, Status};
use crate::domain::mfa::{Mfa, MfaError, Used};
use crate::domain::totp::CodeError;
use crate::identity::customer::SignedIn;
use crate::storage::StoreError;
use time::{Duration, OffsetDateTime};

/// An enrolment not finished within this time starts again with a new secret.
pub const ENROLMENT_LIFETIME: Duration = Duration::hours(1);

/// Where a provider's sign-in leads.
pub enum Returning {
    /// The account this login opens; `mfa` when a code must be asked first.
    Account { account: AccountId, mfa: bool },
    /// No account yet, but an invitation this login accepted and has not finished.
    Unfinished(Box<Invitation>),
    /// Nothing: the person needs an invitation.
    NoAccount,
}

pub async fn returning(
    services: &Services,
    signed_in: &SignedIn,
) -> Result<Returning, InvitationError> {
    if let Some(account) = services.accounts.account_for(&signed_in.login).await? {
        let mfa = mfa_on(services, &account).await?;
        return Ok(Returning::Account { account, mfa });
    }
    // The invitation is found by its email but taken only if bound to this very login.
    if let Some(email) = &signed_in.email {
        let filter = ListFilter {
            status: Some(Status::Accepted),
            email: Some(email.clone()),
            top: 10,
            after: None,
        };
        let page = services.store.list(&filter, services.clock.now()).await?;
        if let Some(invitation) = page
            .items
            .into_iter()
            .find(|i| i.bound_to.as_ref() == Some(&signed_in.login))
        {
            return Ok(Returning::Unfinished(Box::new(invitation)));
        }
    }
    Ok(Returning::NoAccount)
}

pub async fn account_for(
    services: &Services,
    login: &LoginId,
) -> Result<Option<AccountId>, InvitationError> {
    Ok(services.accounts.account_for(login).await?)
}

pub async fn mfa_on(services: &Services, account: &AccountId) -> Result<bool, InvitationError> {
    Ok(services
        .accounts
        .mfa(account)
        .await?
        .is_some_and(|m| m.value.is_on()))
}

/// The profile page's facts.
pub struct Overview {
    pub profile: Profile,
    pub logins: Vec<LinkedLogin>,
    pub mfa: bool,
}

pub async fn overview(
    services: &Services,
    account: &AccountId,
) -> Result<Option<Overview>, InvitationError> {
    let (profile, logins, mfa) = futures::join!(
        services.accounts.profile(account),
        services.accounts.logins(account),
        mfa_on(services, account),
    );
    let Some(profile) = profile? else {
        return Ok(None);
    };
    Ok(Some(Overview {
        profile: profile.value,
        logins: logins?,
        mfa: mfa?,
    }))
}

#[derive(Debug, thiserror::Error)]
pub enum LinkFailure {
    #[error("the login's email is not the account's")]
    WrongEmail {
        account: EmailAddress,
        login: Option<EmailAddress>,
    },
    #[error("the login opens another account")]
    OwnedElsewhere,
    #[error("the account is gone")]
    NoAccount,
    #[error(transparent)]
    Store(#[from] InvitationError),
}

/// Checks a login signed in for linking against the account (same email, not another
/// account's), without changing anything.
pub async fn check_link(
    services: &Services,
    account: &AccountId,
    signed_in: &SignedIn,
) -> Result<LinkedLogin, LinkFailure> {
    let profile = services
        .accounts
        .profile(account)
        .await
        .map_err(InvitationError::from)?
        .ok_or(LinkFailure::NoAccount)?
        .value;
    if signed_in.email.as_ref() != Some(&profile.email) {
        return Err(LinkFailure::WrongEmail {
            account: profile.email,
            login: signed_in.email.clone(),
        });
    }
    match services
        .accounts
        .account_for(&signed_in.login)
        .await
        .map_err(InvitationError::from)?
    {
        Some(owner) if owner != *account => Err(LinkFailure::OwnedElsewhere),
        _ => Ok(LinkedLogin {
            login: signed_in.login.clone(),
            provider: Provider::from_idp(signed_in.idp.as_deref()),
            email: profile.email,
            linked_at: services.clock.now(),
        }),
    }
}

/// Links a login checked by [`check_link`]; `Ok(false)` when it was linked already.
pub async fn link(
    services: &Services,
    account: &AccountId,
    login: &LinkedLogin,
) -> Result<bool, LinkFailure> {
    match services
        .accounts
        .link_login(account, login)
        .await
        .map_err(InvitationError::from)?
    {
        LinkResult::Linked => {
            tracing::info!(
                account = account.as_str(),
                provider = login.provider.stored(),
                "login linked"
            );
            Ok(true)
        }
        LinkResult::AlreadyYours => Ok(false),
        LinkResult::OwnedElsewhere => Err(LinkFailure::OwnedElsewhere),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UnlinkFailure {
    #[error("the last login cannot be removed")]
    LastLogin,
    #[error("the login in use cannot be removed")]
    InUse,
    #[error("no such login on this account")]
    NotFound,
    #[error(transparent)]
    Store(#[from] InvitationError),
}

/// Removes a login while another remains (and it is not the one signed in now).
pub async fn unlink(
    services: &Services,
    account: &AccountId,
    login_key: &str,
    current: &LoginId,
) -> Result<LinkedLogin, UnlinkFailure> {
    for _ in 0..3 {
        let profile = services
            .accounts
            .profile(account)
            .await
            .map_err(InvitationError::from)?
            .ok_or(UnlinkFailure::NotFound)?;
        let logins = services
            .accounts
            .logins(account)
            .await
            .map_err(InvitationError::from)?;
        let Some(target) = logins
            .iter()
            .find(|l| crate::domain::account::login_key(&l.login) == login_key)
        else {
            return Err(UnlinkFailure::NotFound);
        };
        if target.login == *current {
            return Err(UnlinkFailure::InUse);
        }
        if logins.len() < 2 {
            return Err(UnlinkFailure::LastLogin);
        }
        match services
            .accounts
            .unlink_login(&profile, &target.login)
            .await
        {
            Ok(()) => {
                tracing::info!(account = account.as_str(), "login unlinked");
                return Ok(target.clone());
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(InvitationError::from(e).into()),
        }
    }
    Err(InvitationError::from(StoreError::Conflict).into())
}

#[derive(Debug, thiserror::Error)]
pub enum MfaFailure {
    #[error("MFA cannot be kept on this installation (no COOKIE_KEY)")]
    NotAvailable,
    #[error("wrong code")]
    Wrong,
    #[error("code already used")]
    Replayed,
    #[error("not a code")]
    Unreadable,
    #[error("too many wrong codes")]
    Throttled { retry_after: u64 },
    #[error("MFA is already on")]
    AlreadyOn,
    #[error("MFA is off")]
    Off,
    #[error(transparent)]
    Store(#[from] InvitationError),
}

impl From<StoreError> for MfaFailure {
    fn from(e: StoreError) -> Self {
        Self::Store(e.into())
    }
}

/// The enrolment to show: the pending one if recent, else a new secret.
pub async fn enrolment(services: &Services, account: &AccountId) -> Result<Mfa, MfaFailure> {
    if !services.accounts.can_keep_secrets() {
        return Err(MfaFailure::NotAvailable);
    }
    let now = services.clock.now();
    let current = services.accounts.mfa(account).await?;
    match current {
        Some(m) if m.value.is_on() => Err(MfaFailure::AlreadyOn),
        Some(m) if now - m.value.started_at < ENROLMENT_LIFETIME => Ok(m.value),
        Some(stale) => {
            let fresh = Mfa::enrol(now);
            match services
                .accounts
                .save_mfa(account, &fresh, Some(&stale.etag))
                .await
            {
                Ok(saved) => Ok(saved.value),
                Err(StoreError::Conflict) => Box::pin(enrolment(services, account)).await,
                Err(e) => Err(e.into()),
            }
        }
        None => {
            let fresh = Mfa::enrol(now);
            match services.accounts.save_mfa(account, &fresh, None).await {
                Ok(saved) => Ok(saved.value),
                Err(StoreError::Conflict) => Box::pin(enrolment(services, account)).await,
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// What to do with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeUse {
    /// Finish enrolment: MFA turns on.
    Enable,
    /// The second factor of a sign-in or a link.
    SignIn,
    /// Turn MFA off.
    Disable,
}

/// What a correct code did.
#[derive(Debug)]
pub enum CodeAccepted {
    /// MFA is on; the recovery codes to show once.
    Enabled(Vec<String>),
    SignedIn(Used),
    Disabled,
}

/// Checks `typed` for `purpose`, throttled per account, each code once: the row is
/// written with `If-Match`, so of two uses of one code at once, one is refused.
pub async fn use_code(
    services: &Services,
    account: &AccountId,
    typed: &str,
    purpose: CodeUse,
) -> Result<CodeAccepted, MfaFailure> {
    if !services.accounts.can_keep_secrets() {
        return Err(MfaFailure::NotAvailable);
    }
    let now = services.clock.now();
    if let Some(retry_after) = limits::mfa_blocked(services, account.as_str(), now).await? {
        return Err(MfaFailure::Throttled { retry_after });
    }
    let Some(current) = services.accounts.mfa(account).await? else {
        return Err(MfaFailure::Off);
    };
    let mut mfa = current.value.clone();
    let outcome = match purpose {
        CodeUse::Enable => mfa.enable(typed, now).map(CodeAccepted::Enabled),
        CodeUse::SignIn => mfa.check(typed, now).map(CodeAccepted::SignedIn),
        CodeUse::Disable => mfa.check(typed, now).map(|_| CodeAccepted::Disabled),
    };
    let accepted = match outcome {
        Ok(accepted) => accepted,
        Err(MfaError::AlreadyOn) => return Err(MfaFailure::AlreadyOn),
        Err(MfaError::Off) => return Err(MfaFailure::Off),
        Err(MfaError::Unreadable) => return Err(MfaFailure::Unreadable),
        Err(MfaError::Code(kind)) => {
            limits::mfa_failed(services, account.as_str(), now).await?;
            tracing::info!(account = account.as_str(), reason = %kind, "MFA code refused");
            return Err(match kind {
                CodeError::Wrong => MfaFailure::Wrong,
                CodeError::Replayed => MfaFailure::Replayed,
            });
        }
    };
    let written = match accepted {
        CodeAccepted::Disabled => services.accounts.delete_mfa(account, &current.etag).await,
        _ => services
            .accounts
            .save_mfa(account, &mfa, Some(&current.etag))
            .await
            .map(|_| ()),
    };
    match written {
        Ok(()) => {
            tracing::info!(account = account.as_str(), ?purpose, "MFA code accepted");
            Ok(accepted)
        }
        // Another request used a code meanwhile: this one counts as a replay.
        Err(StoreError::Conflict) => Err(MfaFailure::Replayed),
        Err(e) => Err(e.into()),
    }
}

/// The time a session counts as a recent sign-in for sensitive changes.
pub const RECENT_SIGN_IN: Duration = Duration::minutes(10);

pub fn is_recent(signed_in_at: i64, now: OffsetDateTime) -> bool {
    let age = now.unix_timestamp() - signed_in_at;
    (0..=RECENT_SIGN_IN.whole_seconds()).contains(&age)
}
