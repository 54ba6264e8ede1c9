//! A returning customer's account: finding it by a login (never by email alone), linking
//! and unlinking logins, and authenticator-app MFA (enrolment, codes at sign-in, turning
//! it off), wrong codes throttled per account in the tables.

use super::person::Person;
use super::{InvitationError, Services, limits};
use crate::domain::account::{AccountId, LinkResult, LinkedLogin, LoginFacts, Profile, Provider};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{Invitation, Kind, ListFilter, LoginId, Status};
use crate::domain::mfa::{Mfa, MfaError, Used};
use crate::domain::totp::CodeError;
use crate::identity::customer::SignedIn;
use crate::storage::StoreError;
use time::{Duration, OffsetDateTime};

/// An enrolment not finished within this time starts again with a new secret.
pub const ENROLMENT_LIFETIME: Duration = Duration::minutes(15);

/// Where a provider's sign-in leads.
pub enum Returning {
    /// The account this login opens; `mfa` when a second factor (the app's code or a
    /// passkey) must be given first. `joins`: a
    /// login the account has not seen, of the address the account has (one person, one
    /// account), to link once the code (if any) is given.
    Account {
        account: AccountId,
        mfa: bool,
        joins: Option<LinkedLogin>,
    },
    /// No account yet, but an invitation this login accepted and has not finished.
    Unfinished(Box<Invitation>),
    /// Nothing: the person needs an invitation.
    NoAccount,
}

pub async fn returning(
    services: &Services,
    signed_in: &SignedIn,
) -> Result<Returning, InvitationError> {
    let email = signed_in.email.as_ref();
    let object = signed_in.object.as_ref();
    match super::person::find(services, &signed_in.login, email, object).await? {
        Person::Known(account) => {
            let mfa = second_factor(services, &account).await?;
            return Ok(Returning::Account {
                account,
                mfa,
                joins: None,
            });
        }
        Person::ByEmail(account) => {
            let mfa = second_factor(services, &account).await?;
            let joins = email.map(|email| LinkedLogin {
                login: signed_in.login.clone(),
                provider: Provider::from_idp(signed_in.idp.as_deref()),
                email: email.clone(),
                linked_at: services.clock.now(),
                object: None,
            });
            return Ok(Returning::Account {
                account,
                mfa,
                joins,
            });
        }
        Person::Fresh(_) | Person::Claimed(_) | Person::Nobody => {}
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
            if invitation.kind() == Kind::Member {
                // A colleague's invitation never leads to the company form: joining is
                // finished here (or, the company gone, nothing opens).
                return finish_joining(services, signed_in, email, &invitation.id).await;
            }
            return Ok(Returning::Unfinished(Box::new(invitation)));
        }
    }
    Ok(Returning::NoAccount)
}

/// Joins the company of a colleague's invitation accepted earlier whose joining failed.
async fn finish_joining(
    services: &Services,
    signed_in: &SignedIn,
    email: &EmailAddress,
    id: &crate::domain::invitation::InvitationId,
) -> Result<Returning, InvitationError> {
    let Some(current) = services.store.get(id).await? else {
        return Ok(Returning::NoAccount);
    };
    let facts = LoginFacts::new(signed_in.idp.as_deref(), signed_in.object.as_ref());
    match super::members::join(services, current, &signed_in.login, email, facts).await {
        Ok(joined) => Ok(Returning::Account {
            mfa: second_factor_of_joined(services, &joined).await?,
            account: joined.account,
            joins: None,
        }),
        Err(super::members::MemberError::Invitation(e)) => Err(e),
        Err(other) => {
            tracing::info!(invitation = %id, error = %other, "colleague's invitation not joined at sign-in");
            Ok(Returning::NoAccount)
        }
    }
}

pub async fn account_for(
    services: &Services,
    login: &LoginId,
) -> Result<Option<AccountId>, InvitationError> {
    Ok(services.people.account_for(login).await?)
}

/// The account a session of `login` issued at `issued_at` (Unix ms) still opens: see
/// [`super::person::session_account`].
pub async fn session_account(
    services: &Services,
    login: &LoginId,
    issued_at: i64,
) -> Result<Option<AccountId>, InvitationError> {
    super::person::session_account(services, login, issued_at).await
}

/// Ends every session of `account` (signing out): a copy of a session cookie opens
/// nothing afterwards.
pub async fn sign_out(services: &Services, account: &AccountId) -> Result<(), InvitationError> {
    super::person::end_sessions(services, account, services.clock.now())
        .await
        .map(|_| ())
}

/// Whether a sign-in of `account` must give a code. Without `COOKIE_KEY` the row can be
/// neither opened nor trusted: an account that has one is asked for a code (which is then
/// refused with a page), never let in without it.
pub async fn mfa_on(services: &Services, account: &AccountId) -> Result<bool, InvitationError> {
    if !services.accounts.can_keep_secrets() {
        return Ok(services.accounts.has_mfa_row(account).await?);
    }
    Ok(services
        .accounts
        .mfa(account)
        .await?
        .is_some_and(|m| m.value.is_on()))
}

/// Whether a sign-in of `account` must give a second factor: the app's code (MFA on) or
/// a passkey (one query for both).
pub async fn second_factor(
    services: &Services,
    account: &AccountId,
) -> Result<bool, InvitationError> {
    Ok(services.accounts.has_second_factor(account).await?)
}

/// [`second_factor`] of the account that just joined a company: none for one the joining
/// made (nobody can have signed in to it), nothing read.
pub async fn second_factor_of_joined(
    services: &Services,
    joined: &super::members::Joined,
) -> Result<bool, InvitationError> {
    if joined.fresh {
        return Ok(false);
    }
    second_factor(services, &joined.account).await
}

/// MFA turned on: its recovery codes, and the issue time (Unix ms) from which sessions
/// are valid (the others were ended; the one that turned it on takes this time).
pub struct Enabled {
    pub codes: Vec<String>,
    pub sessions_from: i64,
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
        .people
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
            object: None,
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
    /// Too many wrong codes (`recovery`: recovery codes) in the window.
    #[error("too many wrong codes")]
    Throttled { retry_after: u64, recovery: bool },
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

/// A new enrolment: a fresh secret, never stored until a code turns it on. The caller
/// keeps it for the session that asked (and only that one) while the person scans it.
pub async fn enrolment(services: &Services, account: &AccountId) -> Result<Mfa, MfaFailure> {
    if !services.accounts.can_keep_secrets() {
        return Err(MfaFailure::NotAvailable);
    }
    if mfa_on(services, account).await? {
        return Err(MfaFailure::AlreadyOn);
    }
    Ok(Mfa::enrol(services.clock.now()))
}

/// What to do with a code of MFA that is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeUse {
    /// The second factor of a sign-in or a link.
    SignIn,
    /// Turn MFA off.
    Disable,
}

/// What a correct code did.
#[derive(Debug)]
pub enum CodeAccepted {
    SignedIn(Used),
    Disabled,
}

/// Counts the attempt of `typed` (refused when the window's are used up), then runs
/// `check`; a right code gives its attempt back. Wrong codes keep theirs, so however many
/// arrive at once, at most [`limits::MFA_FAILURES_PER_QUARTER`] wrong codes are checked
/// per window. Recovery codes have their own count: the way out of a lock-out.
async fn counted<T>(
    services: &Services,
    account: &AccountId,
    typed: &str,
    now: OffsetDateTime,
    check: impl std::future::Future<Output = Result<T, MfaFailure>>,
) -> Result<T, MfaFailure> {
    let recovery = Mfa::is_recovery_code(typed);
    let attempt = limits::mfa_attempt(services, account.as_str(), recovery, now)
        .await?
        .map_err(|retry_after| MfaFailure::Throttled {
            retry_after,
            recovery,
        })?;
    let outcome = check.await;
    match &outcome {
        Ok(_) => limits::mfa_attempt_succeeded(services, attempt).await,
        Err(MfaFailure::Wrong | MfaFailure::Replayed) => {
            tracing::info!(account = account.as_str(), "MFA code refused");
        }
        Err(_) => {}
    }
    outcome
}

fn code_refused(kind: CodeError) -> MfaFailure {
    match kind {
        CodeError::Wrong => MfaFailure::Wrong,
        CodeError::Replayed => MfaFailure::Replayed,
    }
}

/// Turns MFA on with `enrolment` (the secret the person's session was shown) if `typed`
/// is its current code; returns the recovery codes to show once.
pub async fn enable(
    services: &Services,
    account: &AccountId,
    enrolment: &Mfa,
    typed: &str,
) -> Result<Enabled, MfaFailure> {
    let key = services
        .accounts
        .recovery_key(account)
        .ok_or(MfaFailure::NotAvailable)?;
    let now = services.clock.now();
    // A row left by an enrolment of the earlier code, or by turning MFA off, is replaced.
    let current = services.accounts.mfa(account).await?;
    if current.as_ref().is_some_and(|m| m.value.is_on()) {
        return Err(MfaFailure::AlreadyOn);
    }
    if !Mfa::readable(typed, false) {
        return Err(MfaFailure::Unreadable);
    }
    counted(services, account, typed, now, async {
        let mut mfa = enrolment.clone();
        let codes = match mfa.enable(typed, now, key) {
            Ok(codes) => codes,
            Err(MfaError::Code(kind)) => return Err(code_refused(kind)),
            Err(MfaError::AlreadyOn) => return Err(MfaFailure::AlreadyOn),
            Err(MfaError::Off | MfaError::Unreadable) => return Err(MfaFailure::Unreadable),
        };
        let etag = current.as_ref().map(|m| m.etag.as_str());
        match services.accounts.save_mfa(account, &mfa, etag).await {
            Ok(_) => {
                tracing::info!(account = account.as_str(), "MFA turned on");
                // Every other session (a copy taken before, another browser) ends.
                let sessions_from = super::person::end_sessions(services, account, now).await?;
                Ok(Enabled {
                    codes,
                    sessions_from,
                })
            }
            // Turned on by another request meanwhile.
            Err(StoreError::Conflict) => Err(MfaFailure::AlreadyOn),
            Err(e) => Err(e.into()),
        }
    })
    .await
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
    let Some(current) = services
        .accounts
        .mfa(account)
        .await?
        .filter(|m| m.value.is_on())
    else {
        return Err(MfaFailure::Off);
    };
    if !Mfa::readable(typed, true) {
        return Err(MfaFailure::Unreadable);
    }
    counted(services, account, typed, now, async {
        let mut mfa = current.value.clone();
        let used = match mfa.check(typed, now) {
            Ok(used) => used,
            Err(MfaError::Code(kind)) => return Err(code_refused(kind)),
            Err(MfaError::Off) => return Err(MfaFailure::Off),
            Err(MfaError::AlreadyOn | MfaError::Unreadable) => {
                return Err(MfaFailure::Unreadable);
            }
        };
        let written = match purpose {
            CodeUse::Disable => services.accounts.delete_mfa(account, &current.etag).await,
            CodeUse::SignIn => services
                .accounts
                .save_mfa(account, &mfa, Some(&current.etag))
                .await
                .map(|_| ()),
        };
        match written {
            Ok(()) => {
                tracing::info!(account = account.as_str(), ?purpose, "MFA code accepted");
                Ok(match purpose {
                    CodeUse::Disable => CodeAccepted::Disabled,
                    CodeUse::SignIn => CodeAccepted::SignedIn(used),
                })
            }
            // Another request used a code meanwhile: this one counts as a replay.
            Err(StoreError::Conflict) => Err(MfaFailure::Replayed),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// The time a session counts as a recent sign-in for sensitive changes.
pub const RECENT_SIGN_IN: Duration = Duration::minutes(10);

pub fn is_recent(signed_in_at: i64, now: OffsetDateTime) -> bool {
    let age = now.unix_timestamp() - signed_in_at;
    (0..=RECENT_SIGN_IN.whole_seconds()).contains(&age)
}
