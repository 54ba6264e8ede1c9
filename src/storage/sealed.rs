//! Secrets kept at rest in the tables (TOTP secrets): AES-256-GCM under a key derived
//! from `COOKIE_KEY` with HKDF-SHA-256 for this purpose only, a fresh nonce per write,
//! and the owning row's key as associated data, so a sealed value copied to another
//! account's row does not open there.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;

const VERSION: &str = "v1.";
const INFO: &[u8] = b"invitations: TOTP secrets at rest, v1";

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(…)")
    }
}

impl Sealer {
    /// A sealer keyed from `COOKIE_KEY`'s bytes.
    pub fn from_cookie_key(cookie_key: &[u8]) -> Option<Self> {
        let mut key = [0u8; 32];
        hkdf::Hkdf::<sha2::Sha256>::new(None, cookie_key)
            .expand(INFO, &mut key)
            .ok()?;
        Aes256Gcm::new_from_slice(&key)
            .ok()
            .map(|cipher| Self { cipher })
    }

    pub fn seal(&self, plain: &[u8], owner: &str) -> Option<String> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: owner.as_bytes(),
                },
            )
            .ok()?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Some(format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn open(&self, stored: &str, owner: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(stored.strip_prefix(VERSION)?).ok()?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        self.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: owner.as_bytes(),
                },
            )
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_owner_and_key() {
        let sealer = Sealer::from_cookie_key(&[3u8; 64]).unwrap();
        let stored = sealer.seal(b"12345678901234567890", "acct-a").unwrap();
        assert!(!stored.contains("1234567890"));
        assert_ne!(
            stored,
            sealer.seal(b"12345678901234567890", "acct-a").unwrap()
        );
        assert_eq!(
            sealer.open(&stored, "acct-a").as_deref(),
            Some(&b"12345678901234567890"[..])
        );
        assert_eq!(sealer.open(&stored, "acct-b"), None);
        let other = Sealer::from_cookie_key(&[4u8; 64]).unwrap();
        assert_eq!(other.open(&stored, "acct-a"), None);
        assert_eq!(sealer.open("v1.garbage", "acct-a"), None);
        assert_eq!(sealer.open("", "acct-a"), None);
    }
}
