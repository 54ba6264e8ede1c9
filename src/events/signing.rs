//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): `webhook-id`,
//! `webhook-timestamp` and `webhook-signature`, `v1,` and the base64 HMAC-SHA256 of
//! `{id}.{timestamp}.{body}` under each secret, space-separated.
//!
//! A few lines on `hmac`/`sha2`/`base64`, which the service already uses: the
//! `standardwebhooks` crate (1.0.1) would add a second base64 (0.21) and a second
//! SHA-256 (`hmac-sha256`), and signs with one secret where a rotation needs two.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// A `whsec_` secret's key; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadSecret {
    #[error("must start with whsec_")]
    Prefix,
    #[error("is not base64 after whsec_")]
    Base64,
    #[error("must hold between 24 and 64 bytes")]
    Length,
}

impl WebhookSecret {
    pub fn parse(value: &str) -> Result<Self, BadSecret> {
        let encoded = value
            .trim()
            .strip_prefix("whsec_")
            .ok_or(BadSecret::Prefix)?;
        let key = STANDARD.decode(encoded).map_err(|_| BadSecret::Base64)?;
        if !(24..=64).contains(&key.len()) {
            return Err(BadSecret::Length);
        }
        Ok(Self(key))
    }

    /// `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        // HMAC takes a key of any length: this cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

/// The `webhook-signature` header: one signature per secret (the current one first,
/// then the previous one during a rotation), space-separated.
pub fn signature_header(
    secrets: &[WebhookSecret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|secret| secret.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's published test vector.
    #[test]
    fn the_specification_test_vector_signs_alike() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = secret.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_rotation_signs_with_both_secrets_the_current_first() {
        let current = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let previous =
            WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([7u8; 32]))).unwrap();
        let header = signature_header(&[current.clone(), previous.clone()], "evi-1", 5, b"{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(
            parts,
            [
                current.sign("evi-1", 5, b"{}"),
                previous.sign("evi-1", 5, b"{}")
            ]
        );
        assert_ne!(parts[0], parts[1]);
    }

    #[test]
    fn a_malformed_secret_is_refused_and_none_prints() {
        assert_eq!(
            WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            Err(BadSecret::Prefix)
        );
        assert_eq!(WebhookSecret::parse("whsec_***"), Err(BadSecret::Base64));
        assert_eq!(WebhookSecret::parse("whsec_AAAA"), Err(BadSecret::Length));
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert!(!format!("{secret:?}").contains("MfKQ"));
    }
}
