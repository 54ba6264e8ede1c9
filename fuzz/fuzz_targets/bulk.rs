//! `POST /api/invitations/bulk`: a CSV file or a JSON array, each row then read as a
//! create body.
#![no_main]

use invitations::http::api::bulk::parse_rows;
use invitations::http::input::parse_create;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for content_type in ["text/csv", "application/json"] {
        if let Ok(rows) = parse_rows(Some(content_type), data) {
            for row in rows.iter().flatten() {
                let _ = parse_create(row);
            }
        }
    }
});
