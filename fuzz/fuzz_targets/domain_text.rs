//! The domain's text types, parsed from what people type: email addresses, country codes,
//! VAT numbers and postal codes for every country, locales and `Accept-Language`.
#![no_main]

use invitations::domain::country::{CountryCode, ISO_3166_ALPHA2, PostalCode, VatNumber};
use invitations::domain::email::EmailAddress;
use invitations::domain::locale::Locale;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(email) = EmailAddress::parse(text) {
        let again = EmailAddress::parse(email.as_str()).expect("a parsed address parses again");
        assert!(again == email);
        let upper = EmailAddress::parse(&email.as_str().to_uppercase());
        if let Ok(upper) = upper {
            assert_eq!(upper.normalized(), email.normalized());
        }
    }
    let _ = Locale::negotiate(Some(text));
    let _ = Locale::parse(text);
    let country = CountryCode::parse(text).ok();
    let _ = VatNumber::parse(text, None);
    let _ = PostalCode::parse(text, None);
    // The first two bytes pick a country for the rest.
    let codes: Vec<&str> = ISO_3166_ALPHA2.split(' ').collect();
    let pick = data.first().map_or(0, |b| *b as usize) % codes.len();
    let chosen = CountryCode::parse(codes[pick]).ok().or(country);
    let rest = text.get(1..).unwrap_or_default();
    if let Ok(vat) = VatNumber::parse(rest, chosen) {
        assert_eq!(
            VatNumber::parse(vat.as_str(), chosen)
                .ok()
                .map(|v| v.as_str().to_owned()),
            Some(vat.as_str().to_owned()),
            "a VAT number parses to itself"
        );
    }
    if let Ok(postal) = PostalCode::parse(rest, chosen) {
        assert!(PostalCode::parse(postal.as_str(), chosen).is_ok());
    }
});
