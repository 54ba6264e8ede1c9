//! Authenticator-app codes (RFC 6238 TOTP over RFC 4226 HOTP) with the parameters every
//! app honours: HMAC-SHA-1, 6 digits, 30-second steps. Codes are accepted one step either
//! side of now (clock drift), and never at or before the last step used (no replay, even
//! within a code's window). Recovery codes are single-use and kept only as hashes.
//! The time is an argument: nothing here reads a clock.

use super::secret::hex;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;
use time::OffsetDateTime;

pub const DIGITS: u32 = 6;
pub const STEP_SECONDS: i64 = 30;
/// Steps accepted either side of the current one.
pub const DRIFT_STEPS: u64 = 1;
/// 160 bits, RFC 4226's recommended length.
pub const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;

/// A shared TOTP secret. Never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A secret from its bytes (at least 160 bits).
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        (bytes.len() >= SECRET_BYTES).then_some(Self(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Base32 (RFC 4648, no padding), as authenticator apps take it.
    pub fn base32(&self) -> String {
        base32(&self.0)
    }

    /// The same, in groups of four for reading aloud or typing.
    pub fn grouped(&self) -> String {
        self.base32()
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The code for time step `step` (RFC 4226 dynamic truncation).
    pub fn code_at_step(&self, step: u64) -> u32 {
        let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(&self.0) else {
            return u32::MAX; // HMAC takes keys of any length; never reached
        };
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[digest.len() - 1] & 0x0f);
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        binary % 10u32.pow(DIGITS)
    }

    /// `otpauth://totp/{issuer}:{account}?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            enc(issuer),
            enc(account),
            self.base32(),
            enc(issuer)
        )
    }
}

/// The 30-second step `now` falls in.
pub fn step_at(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp().div_euclid(STEP_SECONDS)).unwrap_or(0)
}

/// A code as typed: six digits (spaces and dashes ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpCode(u32);

impl TotpCode {
    pub fn parse(input: &str) -> Option<Self> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(Self)
    }

    pub fn value(self) -> u32 {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("the code is not the one the app shows now")]
    Wrong,
    #[error("the code was already used")]
    Replayed,
}

/// Checks `code` against the steps around `now`; returns the step it matched, which
/// must then be stored as the last used. A code of a step at or before `last_used` is a
/// replay, refused even inside its window.
pub fn verify(
    secret: &TotpSecret,
    code: TotpCode,
    now: OffsetDateTime,
    last_used: Option<u64>,
) -> Result<u64, CodeError> {
    let current = step_at(now);
    let mut matched = None;
    for step in current.saturating_sub(DRIFT_STEPS)..=current + DRIFT_STEPS {
        let expected = secret.code_at_step(step).to_be_bytes();
        // Every candidate is compared, in constant time, whatever matched before.
        if bool::from(expected.ct_eq(&code.0.to_be_bytes())) && matched.is_none() {
            matched = Some(step);
        }
    }
    match matched {
        None => Err(CodeError::Wrong),
        Some(step) if last_used.is_some_and(|last| step <= last) => Err(CodeError::Replayed),
        Some(step) => Ok(step),
    }
}

/// Ten fresh recovery codes (`xxxxx-xxxxx`, 50 bits each, from an alphabet without
/// look-alike characters) and their plain hashes (`mfa::RecoveryKey` keys them before
/// they are kept: 50 bits are too few to keep unkeyed).
pub fn recovery_codes() -> (Vec<String>, Vec<String>) {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let mut code = String::with_capacity(11);
            for i in 0..10 {
                if i == 5 {
                    code.push('-');
                }
                let index = (rng.next_u32() as usize) % ALPHABET.len();
                code.push(char::from(ALPHABET[index]));
            }
            code
        })
        .collect();
    let hashes = codes.iter().map(|c| recovery_hash(c)).collect();
    (codes, hashes)
}

/// The hash a recovery code is kept as; typing is forgiving about case, spaces and dashes.
pub fn recovery_hash(typed: &str) -> String {
    let normal: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex(&Sha256::digest(normal.as_bytes()))
}

/// Whether `typed` looks like a recovery code rather than a six-digit code.
pub fn looks_like_recovery_code(typed: &str) -> bool {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 10
}

/// Finds `wanted` (a typed code's hash, keyed as the kept ones are) among the kept
/// hashes, comparing each in constant time.
pub fn find_recovery(hashes: &[String], wanted: &str) -> Option<usize> {
    let mut found = None;
    for (i, hash) in hashes.iter().enumerate() {
        if bool::from(hash.as_bytes().ct_eq(wanted.as_bytes())) && found.is_none() {
            found = Some(i);
        }
    }
    found
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// RFC 6238 appendix B's SHA-1 seed.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap()
    }

    #[test]
    fn rfc_6238_test_vectors_in_six_digits() {
        // Appendix B's 8-digit values, last six digits.
        for (unix, code) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
            (20_000_000_000, 353_130),
        ] {
            let now = OffsetDateTime::from_unix_timestamp(unix).unwrap();
            assert_eq!(rfc_secret().code_at_step(step_at(now)), code, "at {unix}");
        }
    }

    #[test]
    fn rfc_4226_hotp_vectors() {
        let expected = [
            755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871,
            520_489,
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(rfc_secret().code_at_step(counter as u64), *code);
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(rfc_secret().base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(TotpSecret::generate().base32().len(), 32);
    }

    #[test]
    fn one_step_of_drift_is_accepted_two_are_not() {
        let s = rfc_secret();
        let now = datetime!(2026-11-22 10:00:15 UTC);
        let step = step_at(now);
        let code = |st: u64| TotpCode::parse(&format!("{:06}", s.code_at_step(st))).unwrap();
        assert_eq!(verify(&s, code(step), now, None), Ok(step));
        assert_eq!(verify(&s, code(step - 1), now, None), Ok(step - 1));
        assert_eq!(verify(&s, code(step + 1), now, None), Ok(step + 1));
        assert_eq!(verify(&s, code(step - 2), now, None), Err(CodeError::Wrong));
        assert_eq!(verify(&s, code(step + 2), now, None), Err(CodeError::Wrong));
    }

    #[test]
    fn a_used_code_or_an_older_one_is_a_replay() {
        let s = rfc_secret();
        let now = datetime!(2026-11-22 10:00:15 UTC);
        let step = step_at(now);
        let code = |st: u64| TotpCode::parse(&format!("{:06}", s.code_at_step(st))).unwrap();
        assert_eq!(
            verify(&s, code(step), now, Some(step)),
            Err(CodeError::Replayed)
        );
        assert_eq!(
            verify(&s, code(step - 1), now, Some(step)),
            Err(CodeError::Replayed)
        );
        assert_eq!(verify(&s, code(step + 1), now, Some(step)), Ok(step + 1));
    }

    #[test]
    fn codes_parse_only_as_six_digits() {
        assert_eq!(TotpCode::parse("012 345").map(|c| c.value()), Some(12_345));
        assert_eq!(TotpCode::parse("123-456").map(|c| c.value()), Some(123_456));
        for bad in ["", "12345", "1234567", "abcdef", "12345٣", "+12345"] {
            assert_eq!(TotpCode::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_found_once_typed_loosely() {
        let (codes, hashes) = recovery_codes();
        assert_eq!(codes.len(), 10);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 10);
        assert!(codes.iter().all(|c| looks_like_recovery_code(c)));
        let typed = codes[3].to_uppercase().replace('-', " ");
        assert_eq!(find_recovery(&hashes, &recovery_hash(&typed)), Some(3));
        assert_eq!(find_recovery(&hashes, &recovery_hash("aaaaa-aaaaa")), None);
        assert!(!looks_like_recovery_code("123456"));
    }

    #[test]
    fn the_otpauth_link_names_issuer_account_and_parameters() {
        let uri = rfc_secret().otpauth_uri("Acme Portal", "willy@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/Acme%20Portal:willy%40example%2Ecom?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Portal&algorithm=SHA1&digits=6&period=30"
        );
        assert!(!format!("{:?}", rfc_secret()).contains("GEZ"));
    }
}
