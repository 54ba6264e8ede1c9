//! An authenticator app, as the tests need one: RFC 6238 (HMAC-SHA-1, 6 digits, 30 s)
//! from the base32 secret read off the enrolment page. Written here on its own, not
//! borrowed from the handler, so a shared mistake cannot pass unnoticed.

use hmac::{Hmac, Mac};
use time::OffsetDateTime;

pub fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u64, 0u32, Vec::new());
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let value = ALPHABET.find(c.to_ascii_uppercase()).expect("base32") as u64;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

/// The code an app shows at `at` for the base32 `secret`.
pub fn code_at(secret: &str, at: OffsetDateTime) -> String {
    let key = base32_decode(secret);
    let counter = (at.unix_timestamp() / 30) as u64;
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).unwrap();
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", value % 1_000_000)
}

#[test]
fn the_test_app_agrees_with_rfc_6238() {
    // "12345678901234567890" in base32; appendix B, 8 digits 94287082 at T = 59.
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(
        code_at(secret, OffsetDateTime::from_unix_timestamp(59).unwrap()),
        "287082"
    );
}
