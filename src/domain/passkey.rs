//! Passkeys (WebAuthn credentials) as a second factor: what the service keeps of one, and
//! the rule for the name a person gives it. The ceremonies themselves are
//! `webauthn-rs`'s (`service::passkeys`).

use super::secret::hex;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use webauthn_rs::prelude::SecurityKey;

/// The longest name a passkey may have, in characters.
pub const NAME_MAX: usize = 60;

/// One passkey of an account: its public key and signature counter (`key`, never a
/// secret), the name its person gave it and its dates.
#[derive(Debug, Clone)]
pub struct Passkey {
    /// The key's handle in pages and forms: a hash of its credential id.
    pub id: String,
    pub name: String,
    pub added_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub key: SecurityKey,
    /// A hash of the challenge of its last accepted assertion: the same assertion sent
    /// again is refused even by an authenticator whose counter stays at 0.
    pub last_challenge: String,
}

impl Passkey {
    pub fn new(name: String, key: SecurityKey, now: OffsetDateTime) -> Self {
        Self {
            id: id_of(key.cred_id().as_ref()),
            name,
            added_at: now,
            last_used_at: None,
            key,
            last_challenge: String::new(),
        }
    }
}

/// The handle of a credential id (its raw bytes).
fn id_of(credential_id: &[u8]) -> String {
    hex(&Sha256::digest(credential_id))[..32].to_owned()
}

/// The hash kept of an accepted assertion's challenge.
pub fn challenge_hash(challenge: &[u8]) -> String {
    hex(&Sha256::digest(challenge))
}

/// A name as typed: trimmed, 1 to [`NAME_MAX`] characters, no control characters.
pub fn name(typed: &str) -> Option<String> {
    let name = typed.trim();
    let fits = (1..=NAME_MAX).contains(&name.chars().count());
    (fits && !name.chars().any(char::is_control)).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_short_and_printable() {
        assert_eq!(name("  Laptop  ").as_deref(), Some("Laptop"));
        assert_eq!(name("   "), None);
        assert_eq!(
            name(&"é".repeat(NAME_MAX)).map(|n| n.chars().count()),
            Some(NAME_MAX)
        );
        assert_eq!(name(&"a".repeat(NAME_MAX + 1)), None);
        assert_eq!(name("a\u{7}b"), None);
    }

    #[test]
    fn ids_are_fixed_length_hashes_of_the_credential() {
        assert_eq!(id_of(b"one").len(), 32);
        assert_ne!(id_of(b"one"), id_of(b"two"));
    }
}
