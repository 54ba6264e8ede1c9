//! An account's authenticator-app MFA: enrolment (a secret shown, not yet trusted), turning
//! on after a correct code, checking codes at sign-in (TOTP or a single-use recovery code)
//! and turning off. The time is an argument.

use super::totp::{self, CodeError, TotpCode, TotpSecret};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mfa {
    pub secret: TotpSecret,
    /// When enrolment began (the secret was first shown).
    pub started_at: OffsetDateTime,
    /// `None` while enrolment waits for its first correct code.
    pub enabled_at: Option<OffsetDateTime>,
    /// The last time step whose code was accepted: that code and older ones are refused.
    pub last_step: Option<u64>,
    /// Hashes of the recovery codes not used yet.
    pub recovery: Vec<String>,
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
        Self {
            secret: TotpSecret::generate(),
            started_at: now,
            enabled_at: None,
            last_step: None,
            recovery: Vec::new(),
        }
    }

    pub fn is_on(&self) -> bool {
        self.enabled_at.is_some()
    }

    /// Turns MFA on if `typed` is the app's current code; returns the recovery codes to
    /// show once (only their hashes are kept).
    pub fn enable(&mut self, typed: &str, now: OffsetDateTime) -> Result<Vec<String>, MfaError> {
        if self.is_on() {
            return Err(MfaError::AlreadyOn);
        }
        let code = TotpCode::parse(typed).ok_or(MfaError::Unreadable)?;
        let step = totp::verify(&self.secret, code, now, self.last_step)?;
        let (codes, hashes) = totp::recovery_codes();
        self.last_step = Some(step);
        self.enabled_at = Some(now);
        self.recovery = hashes;
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
        let index =
            totp::find_recovery(&self.recovery, typed).ok_or(MfaError::Code(CodeError::Wrong))?;
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

    fn code(mfa: &Mfa, now: OffsetDateTime) -> String {
        format!("{:06}", mfa.secret.code_at_step(totp::step_at(now)))
    }

    #[test]
    fn enabling_needs_the_current_code_and_gives_ten_recovery_codes() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut mfa = Mfa::enrol(now);
        assert!(!mfa.is_on());
        assert_eq!(mfa.enable("000000x", now), Err(MfaError::Unreadable));
        let wrong = format!(
            "{:06}",
            (mfa.secret.code_at_step(totp::step_at(now)) + 1) % 1_000_000
        );
        assert!(matches!(
            mfa.enable(&wrong, now),
            Err(MfaError::Code(CodeError::Wrong))
        ));
        assert!(!mfa.is_on());
        let codes = mfa.enable(&code(&mfa, now), now).unwrap();
        assert!(mfa.is_on());
        assert_eq!((codes.len(), mfa.recovery.len()), (10, 10));
        assert_eq!(mfa.enable(&code(&mfa, now), now), Err(MfaError::AlreadyOn));
    }

    #[test]
    fn the_enabling_code_cannot_sign_in_again_but_the_next_one_can() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut mfa = Mfa::enrol(now);
        let first = code(&mfa, now);
        mfa.enable(&first, now).unwrap();
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
        let codes = mfa.enable(&code(&mfa, now), now).unwrap();
        assert_eq!(mfa.check(&codes[0], now), Ok(Used::Recovery { left: 9 }));
        assert_eq!(
            mfa.check(&codes[0], now),
            Err(MfaError::Code(CodeError::Wrong))
        );
        assert_eq!(mfa.check("hello", now), Err(MfaError::Unreadable));
    }

    #[test]
    fn checks_are_refused_while_mfa_is_off() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let mut mfa = Mfa::enrol(now);
        let c = code(&mfa, now);
        assert_eq!(mfa.check(&c, now), Err(MfaError::Off));
    }
}
