//! The settings read at start, the storage connection string first: lines of
//! `NAME=value` over a valid set. A bad value must be an error naming the setting, never
//! a crash.
#![no_main]

use invitations::settings::Settings;
use invitations::storage::connection;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = connection::validate(text);
    let mut env: HashMap<String, String> = [
        ("FUNCTIONS_CUSTOMHANDLER_PORT", "7071"),
        ("PUBLIC_BASE_URL", "http://127.0.0.1:7071"),
        ("INVITATIONS_STORAGE", "UseDevelopmentStorage=true"),
        (
            "B2C_METADATA_URL",
            "http://127.0.0.1:7080/b2c/.well-known/openid-configuration",
        ),
        ("B2C_CLIENT_ID", "client"),
        ("B2C_CLIENT_SECRET", "secret"),
        (
            "STAFF_METADATA_URL",
            "http://127.0.0.1:7080/staff/.well-known/openid-configuration",
        ),
        ("STAFF_AUDIENCE", "api://x"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for line in text.lines() {
        if let Some((name, value)) = line.split_once('=') {
            env.insert(name.to_owned(), value.to_owned());
        }
    }
    if let Err(e) = Settings::from_lookup(|name| env.get(name).cloned()) {
        assert!(!e.to_string().is_empty());
    }
});
