//! Service errors that carry data (which limit, which status, which invitation), put
//! into words in the reader's language: the one place pages and problem details get
//! them from (`locales/*/errors.ftl`).

use crate::i18n::{Arg, Tr};
use crate::service::{Limit, Refusal};

/// Why the invitation's state refuses the action.
pub fn refusal(tr: Tr, refusal: &Refusal) -> String {
    match refusal {
        Refusal::NotResendable(status) => tr.t1(
            "refusal-not-resendable",
            "status",
            tr.t(&format!("state-{}", status.as_str())),
        ),
        Refusal::NotRevocable(status) => tr.t1(
            "refusal-not-revocable",
            "status",
            tr.t(&format!("state-{}", status.as_str())),
        ),
        Refusal::OtherActive(id) => tr.t1("refusal-other-active", "id", id.to_string()),
    }
}

/// Which limit was reached and what to do.
pub fn limit(tr: Tr, limit: &Limit) -> String {
    match limit {
        Limit::StaffPerHour { limit } => tr.t1("limit-staff-per-hour", "limit", u64::from(*limit)),
        Limit::StaffBulk { rows, remaining } => tr.with(
            "limit-staff-bulk",
            vec![
                ("rows", Arg::from(u64::from(*rows))),
                ("remaining", Arg::from(u64::from(*remaining))),
            ],
        ),
        Limit::EmailsPerDay { limit, address } => tr.t2(
            "limit-emails-per-day",
            "address",
            address,
            "limit",
            u64::from(*limit),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invitation::{InvitationId, Status};
    use crate::domain::locale::Locale;
    use crate::i18n::check::english_left;

    fn every(tr: Tr) -> String {
        let id = InvitationId::new(time::macros::datetime!(2026-11-22 10:00 UTC), 7);
        [
            refusal(tr, &Refusal::NotResendable(Status::Completed)),
            refusal(tr, &Refusal::NotRevocable(Status::Completed)),
            refusal(tr, &Refusal::OtherActive(id)),
            limit(tr, &Limit::StaffPerHour { limit: 1 }),
            limit(tr, &Limit::StaffPerHour { limit: 200 }),
            limit(
                tr,
                &Limit::StaffBulk {
                    rows: 12,
                    remaining: 3,
                },
            ),
            limit(
                tr,
                &Limit::EmailsPerDay {
                    limit: 5,
                    address: "willy@example.com".into(),
                },
            ),
        ]
        .join("\n")
    }

    #[test]
    fn limits_and_refusals_are_said_in_each_language_with_their_data() {
        let english = every(Tr::new(Locale::En));
        assert!(
            english.contains("at most 200 invitations an hour"),
            "{english}"
        );
        assert!(
            english.contains("at most 1 invitation an hour"),
            "{english}"
        );
        for locale in Locale::ALL.into_iter().skip(1) {
            let other = every(Tr::new(locale));
            assert!(other.contains("willy@example.com") && other.contains("200"));
            assert!(!other.contains("{$"), "{other}");
            let left = english_left(&english, &other, &["willy@example.com"]);
            assert!(left.is_empty(), "{locale} still says {left:?}:\n{other}");
        }
    }
}
