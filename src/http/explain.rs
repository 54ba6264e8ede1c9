//! Errors that carry data (which limit, which status, which field and why), put into
//! words in the reader's language: the one place pages, problem details and bulk results
//! get them from (`locales/*/errors.ftl`).

use crate::domain::country::VatError;
use crate::domain::email::EmailError;
use crate::domain::invitation::AcceptError;
use crate::domain::membership::MembershipError;
use crate::domain::{FieldError, FieldErrors};
use crate::i18n::{Arg, Tr};
use crate::identity::staff::{Lacking, TokenFault};
use crate::service::{Limit, Refusal};
use std::collections::BTreeMap;

/// Why the invitation's state refuses the action.
pub fn refusal(tr: Tr, refusal: &Refusal) -> String {
    match refusal {
        Refusal::NotResendable(status) => {
            tr.t1("refusal-not-resendable", "status", state(tr, *status))
        }
        Refusal::NotRevocable(status) => {
            tr.t1("refusal-not-revocable", "status", state(tr, *status))
        }
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
        Limit::CompanyPerDay { limit } => {
            tr.t1("limit-company-per-day", "limit", u64::from(*limit))
        }
    }
}

/// The invitation's state that refuses a change.
fn state(tr: Tr, status: crate::domain::invitation::Status) -> String {
    tr.t(&format!("state-{}", status.as_str()))
}

/// Why a staff member's token was refused.
pub fn token_fault(tr: Tr, fault: TokenFault) -> String {
    tr.t(match fault {
        TokenFault::Malformed => "token-fault-malformed",
        TokenFault::NotRs256 => "token-fault-not-rs256",
        TokenFault::NoKeyId => "token-fault-no-key-id",
        TokenFault::UnknownKey => "token-fault-unknown-key",
        TokenFault::Expired => "token-fault-expired",
        TokenFault::NotYetValid => "token-fault-not-yet-valid",
        TokenFault::OtherAudience => "token-fault-other-audience",
        TokenFault::OtherIssuer => "token-fault-other-issuer",
        TokenFault::Signature => "token-fault-signature",
        TokenFault::MissingClaim => "token-fault-missing-claim",
        TokenFault::IdToken => "token-fault-id-token",
        TokenFault::NotAccessToken => "token-fault-not-access-token",
        TokenFault::NoClient => "token-fault-no-client",
        TokenFault::OtherClient => "token-fault-other-client",
    })
}

/// What a valid staff token lacks.
pub fn lacking(tr: Tr, lacking: &Lacking) -> String {
    match lacking {
        Lacking::Role(role) => tr.t1("problem-forbidden-role", "role", role),
        Lacking::EitherRole(first, second) => tr.t2(
            "problem-forbidden-either-role",
            "first",
            first.clone(),
            "second",
            second.clone(),
        ),
        Lacking::Email => tr.t("problem-forbidden-email"),
    }
}

/// Why a membership change was refused.
pub fn membership(tr: Tr, why: &MembershipError) -> String {
    tr.t(match why {
        MembershipError::NotAMember => "problem-not-a-member",
        MembershipError::NotAdministrator => "problem-not-administrator",
        MembershipError::LastAdministrator => "problem-last-administrator",
        MembershipError::UnknownMember => "problem-unknown-member",
    })
}

/// Why an invitation cannot be accepted.
pub fn not_acceptable(tr: Tr, why: &AcceptError) -> String {
    match why {
        AcceptError::NotUsable(status) => tr.t1("problem-not-usable", "status", state(tr, *status)),
        AcceptError::BoundElsewhere => tr.t("problem-bound-elsewhere"),
        AcceptError::WrongEmail => tr.t("problem-wrong-email"),
    }
}

/// Each refused field with what is wrong, keyed by the request's field names.
pub fn fields(tr: Tr, errors: &FieldErrors) -> BTreeMap<String, String> {
    errors
        .iter()
        .map(|(name, error)| (name.clone(), field(tr, error)))
        .collect()
}

/// What is wrong with one field, said of it ("is required", "must be at most 100 characters").
pub fn field(tr: Tr, error: &FieldError) -> String {
    let range = |id: &str, min: i64, max: i64| {
        tr.with(
            id,
            vec![("min", Arg::Number(min)), ("max", Arg::Number(max))],
        )
    };
    match error {
        FieldError::Required => tr.t("field-error-required"),
        FieldError::NotText => tr.t("field-error-not-text"),
        FieldError::NotAnObject => tr.t("field-error-not-an-object"),
        FieldError::TooLong { max } => tr.t1("field-error-too-long", "max", *max),
        FieldError::ControlCharacters => tr.t("field-error-control-characters"),
        FieldError::Email(EmailError::TooLong) => {
            tr.t1("field-error-too-long", "max", crate::domain::email::MAX_LEN)
        }
        FieldError::Email(_) => tr.t("field-error-email"),
        FieldError::Country => tr.t("field-error-country"),
        FieldError::Vat(VatError::WrongFormat(country)) => {
            tr.t1("field-error-vat-for", "country", country)
        }
        FieldError::Vat(VatError::Invalid) => tr.t("field-error-vat"),
        FieldError::Vat(VatError::CheckDigits) => tr.t("field-error-vat-check-digits"),
        FieldError::PostalCode { country: Some(c) } => {
            tr.t1("field-error-postal-code-for", "country", c)
        }
        FieldError::PostalCode { country: None } => tr.t("field-error-postal-code"),
        FieldError::Locale => tr.t("field-error-locale"),
        FieldError::Status => tr.t("field-error-status"),
        FieldError::EventStatus => tr.t("field-error-event-status"),
        FieldError::Number { min, max } => range("field-error-number", *min, *max),
        FieldError::Days { min, max } => range("field-error-days", *min, *max),
        FieldError::Role => tr.t("field-error-role"),
        FieldError::CompanyId => tr.t("field-error-company-id"),
        FieldError::RequiredWithRole => tr.t("field-error-required-with-role"),
        FieldError::NotWithCompanyId => tr.t("field-error-not-with-company-id"),
        FieldError::ContinuationToken => tr.t("field-error-continuation-token"),
        FieldError::AlreadyMember => tr.t("field-error-already-member"),
        FieldError::UnknownCompany => tr.t("field-error-unknown-company"),
        FieldError::NotStored => tr.t("field-error-not-stored"),
        FieldError::NotCsv => tr.t("field-error-not-csv"),
        FieldError::Timestamp => tr.t("field-error-timestamp"),
        FieldError::Format => tr.t("field-error-format"),
        FieldError::Period { max_days } => {
            tr.with("field-error-period", vec![("max", Arg::Number(*max_days))])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invitation::{InvitationId, Status};
    use crate::domain::locale::Locale;
    use crate::domain::membership::MembershipError;
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
            limit(tr, &Limit::CompanyPerDay { limit: 100 }),
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

    /// Every field error, token fault and refusal this module says, one a line.
    fn every_field_error(tr: Tr) -> String {
        let fields = [
            FieldError::Required,
            FieldError::NotText,
            FieldError::NotAnObject,
            FieldError::TooLong { max: 200 },
            FieldError::ControlCharacters,
            FieldError::Email(EmailError::TooLong),
            FieldError::Email(EmailError::Invalid),
            FieldError::Country,
            FieldError::Vat(VatError::WrongFormat("BE".into())),
            FieldError::Vat(VatError::Invalid),
            FieldError::Vat(VatError::CheckDigits),
            FieldError::PostalCode {
                country: Some("FR".into()),
            },
            FieldError::PostalCode { country: None },
            FieldError::Locale,
            FieldError::Status,
            FieldError::EventStatus,
            FieldError::Number { min: 1, max: 100 },
            FieldError::Days { min: 1, max: 30 },
            FieldError::Role,
            FieldError::CompanyId,
            FieldError::RequiredWithRole,
            FieldError::NotWithCompanyId,
            FieldError::ContinuationToken,
            FieldError::AlreadyMember,
            FieldError::UnknownCompany,
            FieldError::NotStored,
            FieldError::NotCsv,
            FieldError::Timestamp,
            FieldError::Format,
            FieldError::Period { max_days: 366 },
        ];
        let faults = [
            TokenFault::Malformed,
            TokenFault::NotRs256,
            TokenFault::NoKeyId,
            TokenFault::UnknownKey,
            TokenFault::Expired,
            TokenFault::NotYetValid,
            TokenFault::OtherAudience,
            TokenFault::OtherIssuer,
            TokenFault::Signature,
            TokenFault::MissingClaim,
            TokenFault::IdToken,
            TokenFault::NotAccessToken,
            TokenFault::NoClient,
            TokenFault::OtherClient,
        ];
        let refusals = [
            MembershipError::NotAMember,
            MembershipError::NotAdministrator,
            MembershipError::LastAdministrator,
            MembershipError::UnknownMember,
        ];
        let accepts = [
            AcceptError::NotUsable(crate::domain::invitation::Status::Revoked),
            AcceptError::BoundElsewhere,
            AcceptError::WrongEmail,
        ];
        fields
            .iter()
            .map(|e| field(tr, e))
            .chain(faults.into_iter().map(|f| token_fault(tr, f)))
            .chain(refusals.iter().map(|r| membership(tr, r)))
            .chain(accepts.iter().map(|a| not_acceptable(tr, a)))
            .chain([
                lacking(tr, &Lacking::Role("Invitations.Send".into())),
                lacking(
                    tr,
                    &Lacking::EitherRole("Invitations.Read".into(), "Invitations.Send".into()),
                ),
                lacking(tr, &Lacking::Email),
            ])
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn field_errors_and_token_faults_are_said_in_each_language_with_their_data() {
        let english = every_field_error(Tr::new(Locale::En));
        assert!(
            english.contains("must be at most 200 characters"),
            "{english}"
        );
        assert!(
            english.contains("is not a valid VAT number for BE"),
            "{english}"
        );
        assert!(english.contains("from 1 to 30"), "{english}");
        for locale in Locale::ALL {
            let said = every_field_error(Tr::new(locale));
            // A message id said back means the message is missing.
            for line in said.lines() {
                assert!(
                    !line.starts_with("field-error-")
                        && !line.starts_with("token-fault-")
                        && !line.starts_with("problem-")
                        && !line.contains("{$"),
                    "{locale}: {line}"
                );
            }
            assert!(said.contains("200") && said.contains("FR") && said.contains("30"));
            assert!(said.contains("Invitations.Send"), "{locale}: {said}");
            if locale != Locale::En {
                let left = english_left(&english, &said, &["Invitations.Send"]);
                assert!(left.is_empty(), "{locale} still says {left:?}:\n{said}");
            }
        }
    }
}
