//! The staff API's JSON create body (as `POST /api/InviteUser` reads it) and the customer's
//! company form (`POST /api/CreateCompany`, form-urlencoded, as its handler reads it).
#![no_main]

use invitations::domain::company::{CompanyDetails, RawCompany};
use invitations::http::body::json_object;
use invitations::http::input::parse_create;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(object) = json_object(Some("application/json; charset=utf-8"), data) {
        let _ = parse_create(&object);
    }
    let mut raw = RawCompany::default();
    for (key, value) in url::form_urlencoded::parse(data) {
        let value = Some(value.into_owned());
        match key.as_ref() {
            "name" => raw.name = value,
            "vatNumber" => raw.vat_number = value,
            "street" => raw.street = value,
            "postalCode" => raw.postal_code = value,
            "city" => raw.city = value,
            "country" => raw.country = value,
            _ => {}
        }
    }
    let _ = CompanyDetails::parse(&raw);
});
