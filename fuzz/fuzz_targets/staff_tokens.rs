//! Bearer tokens as the identity code parses them (`identity/bearer.rs`, the one check of
//! the staff API's and the claims provider's callers): the `Authorization` header, the
//! JWT header (alg, kid), then the full check against a real RS256 public key. Nothing
//! the fuzzer makes may pass (it cannot sign), and nothing may crash.
#![no_main]

use invitations::identity::provider::OidcProvider;
use invitations::identity::bearer::{AccessTokens, read_bearer};
use jsonwebtoken::DecodingKey;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::time::Duration;

const ISSUER: &str = "http://127.0.0.1:1/tenant/v2.0";

fn checker() -> &'static (AccessTokens, DecodingKey) {
    static CHECKER: OnceLock<(AccessTokens, DecodingKey)> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let provider = std::sync::Arc::new(OidcProvider::new(
            url::Url::parse("http://127.0.0.1:1/.well-known/openid-configuration").unwrap(),
            None,
            reqwest::Client::new(),
            Duration::from_secs(60),
            Duration::from_secs(3600),
        ));
        let key = DecodingKey::from_rsa_pem(include_bytes!(
            "../../tests/fixtures/staff-signing-key.pub.pem"
        ))
        .unwrap();
        (
            AccessTokens::new(provider, "api://x".into(), Some("https://other.example/".into())),
            key,
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (authenticator, key) = checker();
    for header in [text.to_owned(), format!("Bearer {text}")] {
        if let Ok((token, _kid)) = read_bearer(Some(&header)) {
            assert!(
                authenticator.verify(token, key, ISSUER).is_err(),
                "an unsigned token passed: {token}"
            );
        }
    }
});
