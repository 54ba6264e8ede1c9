//! Query strings as the handler reads them: the staff listing's filters, the email link's
//! `invitationId` (`{id}.{secret}`, or an old link's secret alone), the sign-in callback's
//! parameters (query or form_post), a page's typed query and a posted form, an invitation
//! id in a path, an event id in a path (`/api/events/{id}/redeliver`), and the
//! failed-link limit's client key from an `X-Forwarded-For` value.
#![no_main]

use invitations::domain::event::EventId;
use invitations::domain::invitation::InvitationId;
use invitations::domain::secret::InvitationSecret;
use invitations::http::sign_in::Callback;
use invitations::http::customer::link::client_address;
use invitations::http::extract::{LangQuery, Posted, parse_query};
use invitations::http::input::parse_list_query;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Callback::parse(data);
    let form = Posted::<std::collections::BTreeMap<String, String>>::parse(data);
    let _ = form.lang();
    assert!(form.check("").is_none(), "an empty token never matches");
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let _: LangQuery = parse_query(query);
    if let Ok(filter) = parse_list_query(query) {
        assert!(
            (1..=100).contains(&filter.top),
            "top out of range: {}",
            filter.top
        );
    }
    for (key, value) in url::form_urlencoded::parse(data) {
        if key == "invitationId"
            && let Ok(secret) = InvitationSecret::parse(&value)
        {
            assert_eq!(secret.expose(), value, "a secret is taken as sent");
            assert_eq!(secret.hash().as_str().len(), 64);
            if let Some(id) = secret.invitation_id() {
                assert!(value.starts_with(id), "the id is the link's first part");
            }
        }
    }
    let client = client_address(Some(query));
    assert!(!client.is_empty() && client.chars().count() <= 64, "{client:?}");
    if let Ok(id) = InvitationId::parse(query) {
        assert_eq!(InvitationId::parse(id.as_str()).ok(), Some(id.clone()));
        assert!(id.as_str().starts_with(id.bucket()));
    }
    if let Ok(id) = EventId::parse(query) {
        assert_eq!(EventId::parse(id.as_str()).ok(), Some(id.clone()));
        assert!(id.spread().is_ascii_hexdigit(), "{id}: its queue partition");
    }
});
