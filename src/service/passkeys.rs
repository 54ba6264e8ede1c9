//! Passkeys as a second factor (WebAuthn, `webauthn-rs`'s security-key ceremonies: user
//! verification preferred, discoverable credentials allowed, no attestation asked):
//! adding one (a registration), naming and removing it, and the assertion after a
//! provider's sign-in. The relying party is the host of `PUBLIC_BASE_URL`; a ceremony's
//! state is the caller's to keep (sealed, in the browser of the session that started it).

use super::{InvitationError, Services, limits};
use crate::domain::account::AccountId;
use crate::domain::passkey::{self, Passkey, challenge_hash};
use crate::storage::StoreError;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use url::Url;
use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, SecurityKeyAuthentication, SecurityKeyRegistration, Uuid, Webauthn,
    WebauthnBuilder,
};

/// The relying party: built at its first use (a cold start builds nothing), from
/// `PUBLIC_BASE_URL`. A base URL whose host is an IP address has no RP ID (WebAuthn
/// refuses one): passkeys are then not offered.
pub struct RelyingParty {
    base: Url,
    built: OnceLock<Option<Webauthn>>,
}

impl RelyingParty {
    pub fn new(base: &Url) -> Self {
        Self {
            base: base.clone(),
            built: OnceLock::new(),
        }
    }

    pub fn webauthn(&self) -> Option<&Webauthn> {
        self.built
            .get_or_init(|| {
                let rp_id = self.base.domain()?;
                let origin = Url::parse(&self.base.origin().ascii_serialization()).ok()?;
                let built = WebauthnBuilder::new(rp_id, &origin).and_then(|b| b.build());
                if let Err(e) = &built {
                    tracing::error!(error = %e, "passkeys are not available: no WebAuthn RP ID");
                }
                built.ok()
            })
            .as_ref()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PasskeyFailure {
    #[error("passkeys are not available on this installation")]
    NotAvailable,
    /// The ceremony's answer is unreadable or does not verify (another RP, another
    /// person's credential, a bad signature or counter, an expired challenge).
    #[error("the passkey's answer was refused")]
    Refused,
    #[error("the passkey's answer was used already")]
    Replayed,
    #[error("this passkey is added already")]
    AlreadyAdded,
    #[error("no such passkey")]
    NotFound,
    #[error("the name is empty or too long")]
    BadName,
    /// Too many attempts in the window (counted with the authenticator codes).
    #[error("too many attempts")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Store(#[from] InvitationError),
}

impl From<StoreError> for PasskeyFailure {
    fn from(e: StoreError) -> Self {
        Self::Store(e.into())
    }
}

fn webauthn(services: &Services) -> Result<&Webauthn, PasskeyFailure> {
    services
        .relying_party
        .webauthn()
        .ok_or(PasskeyFailure::NotAvailable)
}

/// Whether this installation can offer passkeys.
pub fn available(services: &Services) -> bool {
    services.relying_party.webauthn().is_some()
}

/// The account's passkeys, oldest first.
pub async fn list(
    services: &Services,
    account: &AccountId,
) -> Result<Vec<Passkey>, InvitationError> {
    let keys = services.passkeys.passkeys(account).await?;
    Ok(keys.into_iter().map(|k| k.value).collect())
}

/// A sign-in's passkey ceremony that could not be started: logged, and the step offers
/// the code alone.
fn not_started(e: impl std::fmt::Display) -> PasskeyFailure {
    tracing::error!(error = %e, "passkey sign-in not started");
    PasskeyFailure::NotAvailable
}

/// The handle a person's authenticators know the account by: not the account's id.
fn user_handle(account: &AccountId) -> Uuid {
    let hash = Sha256::digest(format!("passkey-user\n{}", account.as_str()).as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    Uuid::from_bytes(bytes)
}

/// Starts adding a passkey: the options for the browser and the state to keep.
pub async fn start_adding(
    services: &Services,
    account: &AccountId,
    user_name: &str,
) -> Result<(CreationChallengeResponse, SecurityKeyRegistration), PasskeyFailure> {
    let webauthn = webauthn(services)?;
    let existing = list(services, account).await?;
    let exclude = existing.iter().map(|k| k.key.cred_id().clone()).collect();
    let (mut options, state) = webauthn
        .start_securitykey_registration(
            user_handle(account),
            user_name,
            user_name,
            Some(exclude),
            None,
            None,
        )
        .map_err(|e| PasskeyFailure::Store(InvitationError::Internal(e.to_string())))?;
    // Any authenticator: the platform's passkeys as well as security keys.
    options.public_key.hints = None;
    // The credProtect extension asked for alongside a non-discoverable credential makes
    // Chromium refuse the whole request (NotSupportedError, "protection policy
    // inconsistent"); `webauthn-rs` asks it without enforcing it, so it is left out.
    if let Some(extensions) = options.public_key.extensions.as_mut() {
        extensions.cred_protect = None;
    }
    Ok((options, state))
}

/// Finishes adding the passkey `credential` (the browser's JSON) named `name`.
pub async fn finish_adding(
    services: &Services,
    account: &AccountId,
    name: &str,
    state: &SecurityKeyRegistration,
    credential: &str,
) -> Result<Passkey, PasskeyFailure> {
    let name = passkey::name(name).ok_or(PasskeyFailure::BadName)?;
    let webauthn = webauthn(services)?;
    let answer: RegisterPublicKeyCredential =
        serde_json::from_str(credential).map_err(|_| PasskeyFailure::Refused)?;
    let key = webauthn
        .finish_securitykey_registration(&answer, state)
        .map_err(|e| {
            tracing::info!(account = account.as_str(), error = %e, "passkey registration refused");
            PasskeyFailure::Refused
        })?;
    let added = Passkey::new(name, key, services.clock.now());
    if !services.passkeys.add_passkey(account, &added).await? {
        return Err(PasskeyFailure::AlreadyAdded);
    }
    tracing::info!(account = account.as_str(), "passkey added");
    Ok(added)
}

/// Gives passkey `id` a new name.
pub async fn rename(
    services: &Services,
    account: &AccountId,
    id: &str,
    name: &str,
) -> Result<(), PasskeyFailure> {
    let name = passkey::name(name).ok_or(PasskeyFailure::BadName)?;
    for _ in 0..3 {
        let keys = services.passkeys.passkeys(account).await?;
        let Some(mut found) = keys.into_iter().find(|k| k.value.id == id) else {
            return Err(PasskeyFailure::NotFound);
        };
        found.value.name.clone_from(&name);
        match services
            .passkeys
            .save_passkey(account, &found.value, &found.etag)
            .await
        {
            // Used meanwhile: read it again.
            Err(StoreError::Conflict) => continue,
            other => return Ok(other?),
        }
    }
    Err(StoreError::Conflict.into())
}

/// Removes passkey `id`.
pub async fn remove(
    services: &Services,
    account: &AccountId,
    id: &str,
) -> Result<(), PasskeyFailure> {
    if services.passkeys.remove_passkey(account, id).await? {
        tracing::info!(account = account.as_str(), "passkey removed");
        Ok(())
    } else {
        Err(PasskeyFailure::NotFound)
    }
}

/// An assertion under way, as the browser keeps it: `webauthn-rs`'s state without its
/// credentials (they are read again at the end, with their current counters), so that
/// it fits a cookie however many passkeys the person has.
pub type SignInState = Value;

/// Starts the assertion after a provider's sign-in: the options for the browser and the
/// state to keep; `None` without passkeys.
pub async fn start_sign_in(
    services: &Services,
    account: &AccountId,
) -> Result<Option<(RequestChallengeResponse, SignInState)>, PasskeyFailure> {
    let webauthn = webauthn(services)?;
    let keys: Vec<_> = list(services, account)
        .await?
        .into_iter()
        .map(|k| k.key)
        .collect();
    if keys.is_empty() {
        return Ok(None);
    }
    let (mut options, state) = webauthn
        .start_securitykey_authentication(&keys)
        .map_err(not_started)?;
    options.public_key.hints = None;
    let mut state = serde_json::to_value(state).map_err(not_started)?;
    state["ast"]["credentials"] = Value::Array(Vec::new());
    Ok(Some((options, state)))
}

/// Checks the browser's assertion `credential` against the state kept and the account's
/// passkeys, counted per account with the authenticator codes; a right one records the
/// passkey's counter and use (`If-Match`: of two requests with one answer, one wins).
pub async fn finish_sign_in(
    services: &Services,
    account: &AccountId,
    mut state: SignInState,
    credential: &str,
) -> Result<(), PasskeyFailure> {
    let webauthn = webauthn(services)?;
    let answer: PublicKeyCredential =
        serde_json::from_str(credential).map_err(|_| PasskeyFailure::Refused)?;
    let now = services.clock.now();
    let attempt = limits::mfa_attempt(services, account.as_str(), false, now)
        .await?
        .map_err(|retry_after| PasskeyFailure::Throttled { retry_after })?;
    let keys = services.passkeys.passkeys(account).await?;
    let credentials = keys
        .iter()
        .filter_map(|k| serde_json::to_value(&k.value.key).ok())
        .map(|mut key| key["cred"].take())
        .collect();
    state["ast"]["credentials"] = Value::Array(credentials);
    let challenge = challenge_hash(state["ast"]["challenge"].to_string().as_bytes());
    let state: SecurityKeyAuthentication =
        serde_json::from_value(state).map_err(|_| PasskeyFailure::Refused)?;
    let result = webauthn
        .finish_securitykey_authentication(&answer, &state)
        .map_err(|e| {
            tracing::info!(account = account.as_str(), error = %e, "passkey assertion refused");
            PasskeyFailure::Refused
        })?;
    let Some(mut used) = keys
        .into_iter()
        .find(|k| k.value.key.cred_id() == result.cred_id())
    else {
        return Err(PasskeyFailure::Refused);
    };
    if used.value.last_challenge == challenge {
        return Err(PasskeyFailure::Replayed);
    }
    used.value.key.update_credential(&result);
    used.value.last_used_at = Some(now);
    used.value.last_challenge = challenge;
    match services
        .passkeys
        .save_passkey(account, &used.value, &used.etag)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict) => return Err(PasskeyFailure::Replayed),
        Err(e) => return Err(e.into()),
    }
    limits::mfa_attempt_succeeded(services, attempt).await;
    tracing::info!(account = account.as_str(), "passkey accepted");
    Ok(())
}
