//! An account's authenticator-app MFA: enrolment (a secret shown, not yet trusted), turning
//! on after a correct code, checking codes at sign-in (TOTP or a single-use recovery code)
//! and turning off. The time and the recovery codes' key are arguments.

use super::secret::hex;
use super::totp::{self, CodeError, TotpCode, TotpSecret};
use hmac::{Hmac, Mac};
use time::OffsetDateTime;

/// The key recovery codes are kept under: HMAC-SHA-256 of their plain hash, so a table
/// dump alone cannot test guesses of their 50 bits. Storage derives it from `COOKIE_KEY`
/// for this purpose and this account only; `id` names the `COOKIE_KEY` it came from.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey {
    id: String,
    /// `None` when the key of that id is no longer configured: the codes then match
    /// nothing, but are kept, in case that key is configured again.
    key: Option<[u8; 32]>,
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryKey({}, …)", self.id)
    }
}

impl RecoveryKey {
    pub fn new(id: String, key: [u8; 32]) -> Self {
        Self { id, key: Some(key) }
    }

    /// The key of id `id`, which is not configured (any more).
    pub fn unknown(id: String) -> Self {
        Self { id, key: None }
    }

    /// The id of the `COOKIE_KEY` this key was derived from.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The kept form of a recovery code's plain hash ([`totp::recovery_hash`]); also how
    /// rows from before keyed hashes are brought over (their hashes were plain).
    pub fn keyed(&self, plain_hash: &str) -> Option<String> {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(self.key.as_ref()?).ok()?;
        mac.update(plain_hash.as_bytes());
        Some(hex(&mac.finalize().into_bytes()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mfa {
    pub secret: TotpSecret,
    /// When enrolment began (the secret was first shown).
    pub started_at: OffsetDateTime,
    /// `None` while enrolment waits for its first correct code.
    pub enabled_at: Option<OffsetDateTime>,
    /// The last time step whose code was accepted: that code and older ones are refused.
    pub last_step: Option<u64>,
    /// Keyed hashes of the recovery codes not used yet.
    pub recovery: Vec<String>,
    /// The key `recovery` is kept under (`None` before MFA is on).
    pub recovery_key: Option<RecoveryKey>,
}

/// How a sign-in's second factor was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Used {
    Code,
    Recovery { left: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MfaError {
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error("not six digits or a recovery code")]
    Unreadable,
    #[error("MFA is already on")]
    AlreadyOn,
    #[error("MFA is off")]
    Off,
}

impl Mfa {
    /// A new enrolment with a fresh secret.
    pub fn enrol(now: OffsetDateTime) -> Self {
        Self::pending(TotpSecret::generate(), now)
    }

    /// An enrolment of `secret`, shown since `started_at`, waiting for its first code.
    pub fn pending(secret: TotpSecret, started_at: OffsetDateTime) -> Self {
        Self {
            secret,
            started_at,
            enabled_at: None,
            last_step: None,
            recovery: Vec::new(),
            recovery_key: None,
        }
    }

    /// Whether `typed` is worth checking at all (six digits, or a recovery code where one
    /// is taken): an unreadable entry is refused before it counts as an attempt.
    pub fn readable(typed: &str, recovery_allowed: bool) -> bool {
        TotpCode::parse(typed).is_some()
            || (recovery_allowed && totp::looks_like_recovery_code(typed))
    }

    /// Whether `typed` is checked as a recovery code (not as the app's code), as
    /// [`Mfa::check`] does: the two are counted apart.
    pub fn is_recovery_code(typed: &str) -> bool {
        TotpCode::parse(typed).is_none() && totp::looks_like_recovery_code(typed)
    }

    pub fn is_on(&self) -> bool {
        self.enabled_at.is_some()
    }

    /// Turns MFA on if `typed` is the app's current code; returns the recovery codes to
    /// show once (only their hashes, keyed with `key`, are kept).
    pub fn enable(
        &mut self,
        typed: &str,
        now: OffsetDateTime,
        key: RecoveryKey,
    ) -> Result<Vec<String>, MfaError> {
        if self.is_on() {
            return Err(MfaError::AlreadyOn);
        }
        let code = TotpCode::parse(typed).ok_or(MfaError::Unreadable)?;
        let step = totp::verify(&self.secret, code, now, self.last_step)?;
        let (codes, hashes) = totp::recovery_codes();
        self.last_step = Some(step);
        self.enabled_at = Some(now);
        self.recovery = hashes.iter().filter_map(|h| key.keyed(h)).collect();
        self.recovery_key = Some(key);
        Ok(codes)
    }

    /// Checks a code given at sign-in (or to turn MFA off): the app's code, once only, or
    /// one of the recovery codes, which is then used up.
    pub fn check(&mut self, typed: &str, now: OffsetDateTime) -> Result<Used, MfaError> {
        if !self.is_on() {
            return Err(MfaError::Off);
        }
        if let Some(code) = TotpCode::parse(typed) {
            self.last_step = Some(totp::verify(&self.secret, code, now, self.last_step)?);
            return Ok(Used::Code);
        }
        if !totp::looks_like_recovery_code(typed) {
            return Err(MfaError::Unreadable);
        }
        let wanted = self
            .recovery_key
            .as_ref()
            .and_then(|key| key.keyed(&totp::recovery_hash(typed)))
            .ok_or(MfaError::Code(CodeError::Wrong))?;
        let index =
            totp::find_recovery(&self.recovery, &wanted).ok_or(MfaError::Code(CodeError::Wrong))?;
        self.recovery.remove(index);
        Ok(Used::Recovery {
            left: self.recovery.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn key() -> RecoveryKey {
        RecoveryKey::new("k1".into(), [9u8; 32])
    }

    fn code(mfa: &Mfa, now: OffsetDateTime) -> String {
        format!("{:06}", mfa.secret.code_at_step(totp::step_at(now)))
    }

    #[test]
    fn enabling_needs_the_current_code_and_gives_ten_recovery_codes() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut mfa = Mfa::enrol(now);
        assert!(!mfa.is_on());
        assert_eq!(mfa.enable("000000x", now, key()), Err(MfaError::Unreadable));
        let wrong = format!(
            "{:06}",
            (mfa.secret.code_at_step(totp::step_at(now)) + 1) % 1_000_000
        );
        assert!(matches!(
            mfa.enable(&wrong, now, key()),
            Err(MfaError::Code(CodeError::Wrong))
        ));
        assert!(!mfa.is_on());
        let codes = mfa.enable(&code(&mfa, now), now, key()).unwrap();
        assert!(mfa.is_on());
        assert_eq!((codes.len(), mfa.recovery.len()), (10, 10));
        assert_eq!(
            mfa.enable(&code(&mfa, now), now, key()),
            Err(MfaError::AlreadyOn)
        );
    }

    #[test]
    fn the_enabling_code_cannot_sign_in_again_but_the_next_one_can() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut mfa = Mfa::enrol(now);
        let first = code(&mfa, now);
        mfa.enable(&first, now, key()).unwrap();
        assert_eq!(
            mfa.check(&first, now),
            Err(MfaError::Code(CodeError::Replayed))
        );
        let later = now + time::Duration::seconds(30);
        assert_eq!(mfa.check(&code(&mfa, later), later), Ok(Used::Code));
    }

    #[test]
    fn a_recovery_code_works_once() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut mfa = Mfa::enrol(now);
        let codes = mfa.enable(&code(&mfa, now), now, key()).unwrap();
        assert_eq!(mfa.check(&codes[0], now), Ok(Used::Recovery { left: 9 }));
        assert_eq!(
            mfa.check(&codes[0], now),
            Err(MfaError::Code(CodeError::Wrong))
        );
        assert_eq!(mfa.check("hello", now), Err(MfaError::Unreadable));
    }

    #[test]
    fn recovery_codes_are_kept_keyed_and_match_nothing_without_their_key() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut mfa = Mfa::enrol(now);
        let codes = mfa.enable(&code(&mfa, now), now, key()).unwrap();
        for (code, kept) in codes.iter().zip(&mfa.recovery) {
            assert_ne!(kept, &totp::recovery_hash(code), "not the plain hash");
            assert_eq!(Some(kept), key().keyed(&totp::recovery_hash(code)).as_ref());
        }
        let other = RecoveryKey::new("k1".into(), [8u8; 32]);
        assert_ne!(other.keyed("x"), key().keyed("x"));
        let mut keyless = mfa.clone();
        keyless.recovery_key = Some(RecoveryKey::unknown("k1".into()));
        assert_eq!(
            keyless.check(&codes[0], now),
            Err(MfaError::Code(CodeError::Wrong))
        );
        assert_eq!(keyless.recovery.len(), 10, "kept for when the key returns");
        assert!(Mfa::readable(&codes[0], true) && !Mfa::readable(&codes[0], false));
        assert!(Mfa::readable("123 456", false) && !Mfa::readable("12345", true));
    }

    #[test]
    fn checks_are_refused_while_mfa_is_off() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut mfa = Mfa::enrol(now);
        let c = code(&mfa, now);
        assert_eq!(mfa.check(&c, now), Err(MfaError::Off));
    }
}
