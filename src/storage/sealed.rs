//! Secrets kept at rest in the tables (TOTP secrets): AES-256-GCM under a key derived
//! from `COOKIE_KEY` with HKDF-SHA-256 for this purpose only, a fresh nonce per write,
//! and associated data chosen by the caller (the owning row's key and the row's other
//! fields), so a sealed value copied to another row, or a row whose fields were edited,
//! does not open.
//!
//! Each sealed value names the key that made it (`v2.{key id}.{…}`; the id is derived
//! from the key with its own HKDF label and tells nothing about it). New values are made
//! with `COOKIE_KEY`; values made with one of `COOKIE_KEY_PREVIOUS` still open, and say
//! they are stale so the caller seals them again. Values of the first format (`v1.`, no
//! key id, the row key alone as associated data) still open with any configured key.

use crate::domain::mfa::RecoveryKey;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use rand::RngCore as _;
use sha2::Sha256;

const V1: &str = "v1.";
const V2: &str = "v2.";
const SECRET_INFO: &[u8] = b"invitations: TOTP secrets at rest, v1";
const RECOVERY_INFO: &[u8] = b"invitations: recovery codes at rest, v1: ";
const ID_INFO: &[u8] = b"invitations: key id, v1";

#[derive(Clone)]
struct SealKey {
    id: String,
    cipher: Aes256Gcm,
    hkdf: Hkdf<Sha256>,
}

impl SealKey {
    fn derive(cookie_key: &[u8]) -> Option<Self> {
        let hkdf = Hkdf::<Sha256>::new(None, cookie_key);
        let mut key = [0u8; 32];
        hkdf.expand(SECRET_INFO, &mut key).ok()?;
        let mut id = [0u8; 6];
        hkdf.expand(ID_INFO, &mut id).ok()?;
        Some(Self {
            id: crate::domain::secret::hex(&id),
            cipher: Aes256Gcm::new_from_slice(&key).ok()?,
            hkdf,
        })
    }
}

/// What [`Sealer::open`] found.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened {
    pub plain: Vec<u8>,
    /// Made with an earlier key or in the first format: seal it again.
    pub stale: bool,
}

#[derive(Clone)]
pub struct Sealer {
    /// `COOKIE_KEY`'s first, then `COOKIE_KEY_PREVIOUS`'s in order.
    keys: Vec<SealKey>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(…)")
    }
}

impl Sealer {
    /// A sealer keyed from `COOKIE_KEY`'s bytes.
    pub fn from_cookie_key(cookie_key: &[u8]) -> Option<Self> {
        Self::with_previous(cookie_key, &[])
    }

    /// A sealer that makes values with `current` and still opens those of `previous`.
    pub fn with_previous(current: &[u8], previous: &[&[u8]]) -> Option<Self> {
        let keys = std::iter::once(current)
            .chain(previous.iter().copied())
            .map(SealKey::derive)
            .collect::<Option<Vec<_>>>()?;
        Some(Self { keys })
    }

    fn current(&self) -> Option<&SealKey> {
        self.keys.first()
    }

    /// Whether `stored` is of the first format, sealed with the row key alone as
    /// associated data.
    pub fn is_first_format(stored: &str) -> bool {
        stored.starts_with(V1)
    }

    pub fn seal(&self, plain: &[u8], associated: &[u8]) -> Option<String> {
        let key = self.current()?;
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = key
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: associated,
                },
            )
            .ok()?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Some(format!("{V2}{}.{}", key.id, URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn open(&self, stored: &str, associated: &[u8]) -> Option<Opened> {
        if let Some(rest) = stored.strip_prefix(V2) {
            let (id, body) = rest.split_once('.')?;
            let position = self.keys.iter().position(|k| k.id == id)?;
            let plain = decrypt(&self.keys[position].cipher, body, associated)?;
            return Some(Opened {
                plain,
                stale: position > 0,
            });
        }
        let body = stored.strip_prefix(V1)?;
        self.keys.iter().find_map(|key| {
            decrypt(&key.cipher, body, associated).map(|plain| Opened { plain, stale: true })
        })
    }

    /// The id of the key new values are made with.
    pub fn current_id(&self) -> &str {
        self.current().map_or("", |k| k.id.as_str())
    }

    /// The key `owner`'s recovery codes are kept under: with the key named `id`, or the
    /// current one; for an id no configured key has, a key that matches nothing.
    pub fn recovery_key(&self, id: Option<&str>, owner: &str) -> Option<RecoveryKey> {
        let key = match id {
            Some(id) => match self.keys.iter().find(|k| k.id == id) {
                Some(key) => key,
                None => return Some(RecoveryKey::unknown(id.to_owned())),
            },
            None => self.current()?,
        };
        let mut bytes = [0u8; 32];
        let info = [RECOVERY_INFO, owner.as_bytes()].concat();
        key.hkdf.expand(&info, &mut bytes).ok()?;
        Some(RecoveryKey::new(key.id.clone(), bytes))
    }
}

#[cfg(test)]
impl Sealer {
    /// A value as the first format wrote it: `v1.` + nonce and ciphertext, no key id, the
    /// row key alone as associated data (for tests of rows written by earlier code).
    pub(crate) fn seal_first_format(&self, plain: &[u8], owner: &str) -> Option<String> {
        let sealed = self.seal(plain, owner.as_bytes())?;
        let (_, body) = sealed.strip_prefix(V2)?.split_once('.')?;
        Some(format!("{V1}{body}"))
    }
}

fn decrypt(cipher: &Aes256Gcm, body: &str, associated: &[u8]) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
    if bytes.len() < 12 + 16 {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: sealed,
                aad: associated,
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(plain: &[u8], stale: bool) -> Option<Opened> {
        Some(Opened {
            plain: plain.to_vec(),
            stale,
        })
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_owner_and_key() {
        let sealer = Sealer::from_cookie_key(&[3u8; 64]).unwrap();
        let stored = sealer.seal(b"12345678901234567890", b"acct-a").unwrap();
        assert!(!stored.contains("1234567890"));
        assert!(stored.starts_with(&format!("v2.{}.", sealer.current_id())));
        assert_ne!(
            stored,
            sealer.seal(b"12345678901234567890", b"acct-a").unwrap()
        );
        assert_eq!(
            sealer.open(&stored, b"acct-a"),
            opened(b"12345678901234567890", false)
        );
        assert_eq!(sealer.open(&stored, b"acct-b"), None);
        let other = Sealer::from_cookie_key(&[4u8; 64]).unwrap();
        assert_eq!(other.open(&stored, b"acct-a"), None);
        assert_eq!(sealer.open("v1.garbage", b"acct-a"), None);
        assert_eq!(sealer.open("v2.nokey.garbage", b"acct-a"), None);
        assert_eq!(sealer.open("", b"acct-a"), None);
    }

    #[test]
    fn after_a_rotation_old_values_open_as_stale_and_new_ones_use_the_new_key() {
        let old = Sealer::from_cookie_key(&[3u8; 64]).unwrap();
        let stored = old.seal(b"secret", b"acct-a").unwrap();
        let rotated = Sealer::with_previous(&[5u8; 64], &[&[3u8; 64]]).unwrap();
        assert_ne!(rotated.current_id(), old.current_id());
        assert_eq!(rotated.open(&stored, b"acct-a"), opened(b"secret", true));
        let resealed = rotated.seal(b"secret", b"acct-a").unwrap();
        assert_eq!(rotated.open(&resealed, b"acct-a"), opened(b"secret", false));
        assert_eq!(old.open(&resealed, b"acct-a"), None, "the old key cannot");
        let only_new = Sealer::from_cookie_key(&[5u8; 64]).unwrap();
        assert_eq!(only_new.open(&stored, b"acct-a"), None);
    }

    #[test]
    fn values_of_the_first_format_still_open_and_are_stale() {
        let old = Sealer::from_cookie_key(&[3u8; 64]).unwrap();
        let stored = old.seal_first_format(b"secret", "acct-a").unwrap();
        assert!(Sealer::is_first_format(&stored));
        let rotated = Sealer::with_previous(&[5u8; 64], &[&[3u8; 64]]).unwrap();
        assert_eq!(rotated.open(&stored, b"acct-a"), opened(b"secret", true));
        assert_eq!(rotated.open(&stored, b"acct-b"), None);
    }

    #[test]
    fn recovery_keys_are_per_account_and_per_cookie_key() {
        let rotated = Sealer::with_previous(&[5u8; 64], &[&[3u8; 64]]).unwrap();
        let old = Sealer::from_cookie_key(&[3u8; 64]).unwrap();
        let a = rotated.recovery_key(None, "acct-a").unwrap();
        assert_eq!(a.id(), rotated.current_id());
        assert_ne!(a, rotated.recovery_key(None, "acct-b").unwrap());
        let from_old = rotated
            .recovery_key(Some(old.current_id()), "acct-a")
            .unwrap();
        assert_eq!(from_old, old.recovery_key(None, "acct-a").unwrap());
        let unknown = rotated.recovery_key(Some("unknown"), "acct-a").unwrap();
        assert_eq!((unknown.id(), unknown.keyed("x")), ("unknown", None));
    }
}
