//! The encrypted cookie decoder: any `Cookie` header, opened as the sign-in flow and the
//! session, must be refused or accepted without a crash; and anything sealed opens again.
#![no_main]

use invitations::http::cookies::{CookieCodec, FLOW, SESSION};
use invitations::http::customer::Session;
use invitations::http::sign_in::Flow;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use time::OffsetDateTime;

fn codec() -> &'static CookieCodec {
    static CODEC: OnceLock<CookieCodec> = OnceLock::new();
    CODEC.get_or_init(|| CookieCodec::new(&[7u8; 64], true).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let codec = codec();
    let _ = codec.open::<Session>(Some(text), SESSION, now);
    let _ = codec.open::<Flow>(Some(text), FLOW, now);
    let _ = codec.open::<serde_json::Value>(Some(text), SESSION, now);

    // Round trip: what the service seals, it opens, and only before it expires.
    let sealed = codec.seal(SESSION, &text, now, now + time::Duration::hours(8));
    let header = sealed.split(';').next().unwrap();
    assert_eq!(
        codec.open::<String>(Some(header), SESSION, now).as_deref(),
        Some(text)
    );
    assert_eq!(codec.open::<String>(Some(header), FLOW, now), None);
    let later = now + time::Duration::hours(9);
    assert_eq!(codec.open::<String>(Some(header), SESSION, later), None);
});
