//! The secret carried by an invitation link. 256 bits from the operating system's random
//! source; only its SHA-256 hash is ever stored or logged-about.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore as _;
use sha2::{Digest, Sha256};
use std::fmt;

const SECRET_BYTES: usize = 32;
/// base64url without padding of 32 bytes.
const ENCODED_LEN: usize = 43;

/// The plain secret: it exists only in memory, on its way into an email or a response.
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationSecret(String);

/// What the tables keep: a lowercase hex SHA-256 of the secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkHash(String);

#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed")]
pub struct RandomSourceFailed;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not an invitation link")]
pub struct MalformedSecret;

impl InvitationSecret {
    pub fn generate() -> Result<Self, RandomSourceFailed> {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|_| RandomSourceFailed)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Accepts only what `generate` can produce, so anything else is refused before any
    /// table is read.
    pub fn parse(input: &str) -> Result<Self, MalformedSecret> {
        let valid = input.len() == ENCODED_LEN
            && URL_SAFE_NO_PAD
                .decode(input)
                .is_ok_and(|b| b.len() == SECRET_BYTES);
        if valid {
            Ok(Self(input.to_owned()))
        } else {
            Err(MalformedSecret)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> LinkHash {
        LinkHash(hex(&Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for InvitationSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InvitationSecret([redacted])")
    }
}

impl LinkHash {
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_long_distinct_and_parse_back() {
        let a = InvitationSecret::generate().unwrap();
        let b = InvitationSecret::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), ENCODED_LEN);
        assert_eq!(InvitationSecret::parse(a.expose()).unwrap(), a);
    }

    #[test]
    fn the_hash_is_sha256_hex_and_never_the_secret() {
        let secret = InvitationSecret::generate().unwrap();
        let hash = secret.hash();
        assert_eq!(hash.as_str().len(), 64);
        assert!(!hash.as_str().contains(secret.expose()));
        assert_eq!(hash, secret.hash());
    }

    #[test]
    fn malformed_links_are_refused() {
        for bad in ["", "abc", &"A".repeat(44), &"*".repeat(43)] {
            assert!(InvitationSecret::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let secret = InvitationSecret::generate().unwrap();
        assert!(!format!("{secret:?}").contains(secret.expose()));
    }
}
