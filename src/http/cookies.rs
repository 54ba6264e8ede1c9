//! Cookies the service sets: encrypted and authenticated (AES-256-GCM, keyed by
//! `COOKIE_KEY`, the cookie's name bound in), HttpOnly, SameSite=Lax, Secure when the
//! public address is https, and carrying their own expiry, checked on every read. After a
//! rotation, cookies made with one of `COOKIE_KEY_PREVIOUS` still open; new ones are
//! always made with `COOKIE_KEY`.

use cookie::{Cookie, CookieJar, Key, SameSite};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

/// The sign-in under way, whatever its purpose (`http/sign_in`: state, nonce, PKCE
/// verifier, the purpose): ten minutes.
pub const FLOW: &str = "inv_flow";
/// The signed-in customer.
pub const SESSION: &str = "inv_session";
/// A provider sign-in waiting for its authenticator code: five minutes.
pub const MFA: &str = "inv_mfa";
/// The signed-in staff member: a name of its own, so neither session opens as the other.
pub const STAFF_SESSION: &str = "inv_staff";
/// An authenticator enrolment under way: its secret, tied to the session that started it.
pub const ENROLMENT: &str = "inv_enrol";
/// A passkey ceremony under way (adding one, or the step after a sign-in): its
/// `webauthn-rs` state, tied to the session or held sign-in that started it; five minutes.
pub const PASSKEY: &str = "inv_passkey";
/// What the back-office page after a post shows once (the link sent, a notice): five minutes.
pub const STAFF_FLASH: &str = "inv_staff_flash";

#[derive(Clone)]
pub struct CookieCodec {
    key: Key,
    /// Earlier keys, tried in order when `key` does not open a cookie.
    previous: Vec<Key>,
    secure: bool,
}

#[derive(serde::Deserialize, Serialize)]
struct Envelope<T> {
    exp: i64,
    value: T,
}

impl CookieCodec {
    /// `key` must hold at least 64 bytes (settings check it); a shorter one is refused.
    pub fn new(key: &[u8], secure: bool) -> Option<Self> {
        Key::try_from(key).ok().map(|key| Self {
            key,
            previous: Vec::new(),
            secure,
        })
    }

    /// The same codec, still opening cookies made with `previous` keys (each at least 64
    /// bytes, or `None`).
    pub fn with_previous(mut self, previous: &[&[u8]]) -> Option<Self> {
        self.previous = previous
            .iter()
            .map(|key| Key::try_from(*key).ok())
            .collect::<Option<_>>()?;
        Some(self)
    }

    /// A `Set-Cookie` value carrying `value` until `expires`.
    pub fn seal<T: Serialize>(
        &self,
        name: &'static str,
        value: &T,
        now: OffsetDateTime,
        expires: OffsetDateTime,
    ) -> String {
        let payload = serde_json::to_string(&Envelope {
            exp: expires.unix_timestamp(),
            value,
        })
        .unwrap_or_default();
        let mut jar = CookieJar::new();
        jar.private_mut(&self.key).add(self.base(
            name,
            payload,
            (expires - now).max(time::Duration::ZERO),
        ));
        jar.get(name)
            .map(|c| c.encoded().to_string())
            .unwrap_or_default()
    }

    /// A `Set-Cookie` value that deletes the cookie.
    pub fn clear(&self, name: &'static str) -> String {
        self.base(name, String::new(), time::Duration::ZERO)
            .encoded()
            .to_string()
    }

    /// The value of cookie `name` in a `Cookie` header, if it is ours, intact and unexpired.
    pub fn open<T: DeserializeOwned>(
        &self,
        header: Option<&str>,
        name: &str,
        now: OffsetDateTime,
    ) -> Option<T> {
        let mut named = Cookie::split_parse_encoded(header?.to_owned())
            .flatten()
            .filter(|c| c.name() == name);
        let cookie = named.next()?.into_owned();
        // This service sets one cookie of a name (on `/api`); two mean another was
        // planted beside it (another path or a sibling domain) to be read instead of ours.
        if named.next().is_some() {
            return None;
        }
        let mut jar = CookieJar::new();
        jar.add_original(cookie);
        let cookie = std::iter::once(&self.key)
            .chain(&self.previous)
            .find_map(|key| jar.private(key).get(name))?;
        let envelope: Envelope<T> = serde_json::from_str(cookie.value()).ok()?;
        (envelope.exp > now.unix_timestamp()).then_some(envelope.value)
    }

    fn base(&self, name: &'static str, value: String, max_age: time::Duration) -> Cookie<'static> {
        Cookie::build((name, value))
            .path("/api")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .max_age(cookie::time::Duration::seconds(max_age.whole_seconds()))
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn codec() -> CookieCodec {
        CookieCodec::new(&[7u8; 64], true).unwrap()
    }

    fn header_from(set_cookie: &str) -> String {
        set_cookie.split(';').next().unwrap().to_owned()
    }

    #[test]
    fn a_sealed_value_opens_until_it_expires() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let set = codec().seal(
            SESSION,
            &"hello".to_owned(),
            now,
            now + time::Duration::hours(1),
        );
        assert!(set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Lax"));
        assert!(!set.contains("hello"), "the value is encrypted");
        let header = header_from(&set);
        assert_eq!(
            codec().open::<String>(Some(&header), SESSION, now),
            Some("hello".into())
        );
        assert_eq!(
            codec().open::<String>(Some(&header), SESSION, now + time::Duration::hours(2)),
            None
        );
    }

    #[test]
    fn tampered_foreign_or_renamed_cookies_do_not_open() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let set = codec().seal(
            SESSION,
            &"hello".to_owned(),
            now,
            now + time::Duration::hours(1),
        );
        let header = header_from(&set);
        let other_key = CookieCodec::new(&[8u8; 64], true).unwrap();
        assert_eq!(other_key.open::<String>(Some(&header), SESSION, now), None);
        let renamed = header.replacen(SESSION, FLOW, 1);
        assert_eq!(codec().open::<String>(Some(&renamed), FLOW, now), None);
        let mut tampered = header.clone();
        tampered.pop();
        tampered.push('A');
        assert_eq!(codec().open::<String>(Some(&tampered), SESSION, now), None);
        assert_eq!(codec().open::<String>(Some("garbage"), SESSION, now), None);
        assert!(CookieCodec::new(&[1u8; 32], true).is_none());
    }

    #[test]
    fn after_a_rotation_old_cookies_open_and_new_ones_use_the_new_key() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let later = now + time::Duration::hours(1);
        let old = codec();
        let made_before = header_from(&old.seal(SESSION, &"before", now, later));
        let rotated = CookieCodec::new(&[9u8; 64], true)
            .unwrap()
            .with_previous(&[&[7u8; 64]])
            .unwrap();
        assert_eq!(
            rotated
                .open::<String>(Some(&made_before), SESSION, now)
                .as_deref(),
            Some("before")
        );
        let made_after = header_from(&rotated.seal(SESSION, &"after", now, later));
        assert_eq!(old.open::<String>(Some(&made_after), SESSION, now), None);
        let without_previous = CookieCodec::new(&[9u8; 64], true).unwrap();
        assert_eq!(
            without_previous.open::<String>(Some(&made_before), SESSION, now),
            None
        );
        assert!(
            CookieCodec::new(&[9u8; 64], true)
                .unwrap()
                .with_previous(&[&[1u8; 8]])
                .is_none()
        );
    }

    #[test]
    fn two_cookies_of_one_name_open_neither() {
        let codec = codec();
        let now = datetime!(2026-11-22 10:00 UTC);
        let ours = header_from(&codec.seal(SESSION, &"ours", now, now + time::Duration::hours(1)));
        let planted =
            header_from(&codec.seal(SESSION, &"planted", now, now + time::Duration::hours(1)));
        assert_eq!(
            codec.open::<String>(Some(&ours), SESSION, now).as_deref(),
            Some("ours")
        );
        for header in [format!("{ours}; {planted}"), format!("{planted}; {ours}")] {
            assert_eq!(codec.open::<String>(Some(&header), SESSION, now), None);
        }
    }
}
