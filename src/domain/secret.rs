//! The secret carried by an invitation link. 256 bits from the operating system's random
//! source; only its SHA-256 hash is ever stored or logged-about.
//!
//! A link's value is `{invitation id}.{secret}`: the id lets the service read the
//! invitation's row directly (one storage call) and compare the hash there. Links sent
//! before the id was added carry the 43 characters of the secret alone; they are found
//! through the link index and keep working until they expire. Either way the stored hash
//! is the SHA-256 of the whole value.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore as _;
use sha2::{Digest, Sha256};
use std::fmt;

const SECRET_BYTES: usize = 32;
/// base64url without padding of 32 bytes.
const ENCODED_LEN: usize = 43;
/// An invitation id's length (13 digits, 12 hex digits); `InvitationId` checks it fully.
const ID_LEN: usize = 25;

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
    /// A new link for the invitation `invitation_id`.
    pub fn generate(invitation_id: &str) -> Result<Self, RandomSourceFailed> {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|_| RandomSourceFailed)?;
        Ok(Self(format!(
            "{invitation_id}.{}",
            URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    /// Accepts only what `generate` can produce, or a link from before the id was added
    /// (the secret alone), so anything else is refused before any table is read.
    pub fn parse(input: &str) -> Result<Self, MalformedSecret> {
        let secret = match input.split_once('.') {
            Some((id, secret))
                if id.len() == ID_LEN && id.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                secret
            }
            Some(_) => return Err(MalformedSecret),
            None => input,
        };
        let valid = secret.len() == ENCODED_LEN
            && URL_SAFE_NO_PAD
                .decode(secret)
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

    /// The invitation id the link carries; `None` for a link from before it did.
    pub fn invitation_id(&self) -> Option<&str> {
        self.0.split_once('.').map(|(id, _)| id)
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

    /// Compares in constant time (the stored hash against one computed from a link).
    pub fn matches(&self, other: &LinkHash) -> bool {
        use subtle::ConstantTimeEq as _;
        bool::from(self.0.as_bytes().ct_eq(other.0.as_bytes()))
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

    const ID: &str = "9998235962181a1b2c3d4e5f6";

    #[test]
    fn generated_secrets_are_long_distinct_and_parse_back() {
        let a = InvitationSecret::generate(ID).unwrap();
        let b = InvitationSecret::generate(ID).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), ID_LEN + 1 + ENCODED_LEN);
        assert_eq!(InvitationSecret::parse(a.expose()).unwrap(), a);
        assert_eq!(a.invitation_id(), Some(ID));
    }

    #[test]
    fn links_sent_before_the_id_was_added_still_parse() {
        let old = URL_SAFE_NO_PAD.encode([7u8; SECRET_BYTES]);
        let parsed = InvitationSecret::parse(&old).unwrap();
        assert_eq!(parsed.invitation_id(), None);
        assert_eq!(parsed.hash().as_str().len(), 64);
    }

    #[test]
    fn hashes_compare_by_value() {
        let a = InvitationSecret::generate(ID).unwrap();
        let b = InvitationSecret::generate(ID).unwrap();
        assert!(a.hash().matches(&a.hash()));
        assert!(!a.hash().matches(&b.hash()));
    }

    #[test]
    fn the_hash_is_sha256_hex_and_never_the_secret() {
        let secret = InvitationSecret::generate(ID).unwrap();
        let hash = secret.hash();
        assert_eq!(hash.as_str().len(), 64);
        assert!(!hash.as_str().contains(secret.expose()));
        assert_eq!(hash, secret.hash());
    }

    #[test]
    fn malformed_links_are_refused() {
        let good = "A".repeat(43);
        for bad in [
            "",
            "abc",
            &"A".repeat(44),
            &"*".repeat(43),
            &format!("{ID}.{}", "A".repeat(42)),
            &format!("{}.{good}", &ID[1..]),
            &format!("{}x.{good}", &ID[1..]),
            &format!(".{good}"),
        ] {
            assert!(InvitationSecret::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let secret = InvitationSecret::generate(ID).unwrap();
        assert!(!format!("{secret:?}").contains(secret.expose()));
    }
}
