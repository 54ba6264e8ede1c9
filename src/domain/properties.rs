//! Properties of the domain types, checked over generated inputs (proptest): what must
//! hold for every email, id, secret, locale header, company and sequence of transitions,
//! not only for the examples in the unit tests beside each type.

use super::company::{CompanyDraft, RawCompany};
use super::country::{CountryCode, ISO_3166_ALPHA2, PostalCode, VatNumber};
use super::email::EmailAddress;
use super::invitation::{
    DisplayName, ExpiryDays, Invitation, InvitationId, Inviter, LoginId, NewInvitation, Status,
};
use super::locale::Locale;
use super::secret::InvitationSecret;
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::seconds(seconds)
}

/// Addresses of the shape people have: a dotted local part and a domain.
fn address() -> impl Strategy<Value = String> {
    (
        "[A-Za-z0-9_+-]{1,12}(\\.[A-Za-z0-9_+-]{1,8}){0,2}",
        "[A-Za-z0-9]{1,12}(-[A-Za-z0-9]{1,5})?",
        "[A-Za-z]{2,6}",
    )
        .prop_map(|(local, host, tld)| format!("{local}@{host}.{tld}"))
}

/// Flips the case of the characters `mask` selects.
fn recase(text: &str, mask: &[bool]) -> String {
    text.chars()
        .zip(mask.iter().cycle())
        .map(|(c, flip)| match (flip, c.is_ascii_lowercase()) {
            (true, true) => c.to_ascii_uppercase(),
            (true, false) => c.to_ascii_lowercase(),
            (false, _) => c,
        })
        .collect()
}

/// A pending invitation created at `now` (also for the tests of `stats`).
pub(super) fn invitation(now: OffsetDateTime) -> Invitation {
    let email = EmailAddress::parse("willy.urs@example.com").unwrap();
    Invitation::create(
        NewInvitation {
            email: email.clone(),
            display_name: DisplayName::parse("Willy").unwrap_or_default(),
            locale: Locale::En,
            expires_in: ExpiryDays::default(),
            company: CompanyDraft::default(),
            join: None,
        },
        Inviter {
            name: "Tamer".into(),
            email,
        },
        InvitationId::new(now, 7),
        InvitationSecret::generate("9998235962181a1b2c3d4e5f6")
            .unwrap()
            .hash(),
        now,
    )
}

#[derive(Debug, Clone)]
enum Step {
    Wait(i64),
    Open,
    Accept(u8),
    Complete(u8),
    Resend,
    Revoke,
    DeliveryFailed,
    DeliverySent,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0i64..20 * 86_400).prop_map(Step::Wait),
        Just(Step::Open),
        (0u8..3).prop_map(Step::Accept),
        (0u8..3).prop_map(Step::Complete),
        Just(Step::Resend),
        Just(Step::Revoke),
        Just(Step::DeliveryFailed),
        Just(Step::DeliverySent),
    ]
}

fn login(n: u8) -> LoginId {
    LoginId {
        issuer: "https://b2c.example/v2.0/".into(),
        subject: format!("sub-{n}"),
    }
}

proptest! {
    #[test]
    fn parsing_any_text_as_an_email_never_panics_and_is_idempotent(input in any::<String>()) {
        if let Ok(email) = EmailAddress::parse(&input) {
            let again = EmailAddress::parse(email.as_str());
            prop_assert_eq!(again.as_ref().map(EmailAddress::as_str), Ok(email.as_str()));
        }
    }

    #[test]
    fn addresses_round_trip_and_compare_ignoring_case(
        text in address(),
        mask in proptest::collection::vec(any::<bool>(), 1..8),
    ) {
        let email = EmailAddress::parse(&text);
        prop_assert!(email.is_ok(), "{} refused", text);
        let email = email.unwrap();
        let padded = format!("  {text}\t");
        prop_assert_eq!(
            EmailAddress::parse(&padded).map(|e| e.as_str().to_owned()),
            Ok(email.as_str().to_owned())
        );
        let other = EmailAddress::parse(&recase(&text, &mask)).unwrap();
        prop_assert!(other == email);
        prop_assert_eq!(other.normalized(), email.normalized());
        prop_assert_eq!(email.normalized(), text.to_ascii_lowercase());
    }

    #[test]
    fn ids_order_newest_first_and_parse_back(
        a in 0i64..4_000_000_000,
        b in 0i64..4_000_000_000,
        ra in any::<u64>(),
        rb in any::<u64>(),
    ) {
        let (first, second) = (InvitationId::new(at(a), ra), InvitationId::new(at(b), rb));
        if a < b {
            prop_assert!(second < first, "the newer id sorts first");
        }
        for id in [&first, &second] {
            prop_assert_eq!(InvitationId::parse(id.as_str()), Ok(id.clone()));
            prop_assert!(id.as_str().starts_with(id.bucket()));
        }
    }

    #[test]
    fn parsing_any_text_as_an_id_or_a_secret_never_panics(input in any::<String>()) {
        if let Ok(id) = InvitationId::parse(&input) {
            prop_assert_eq!(id.as_str(), input.as_str());
        }
        if let Ok(secret) = InvitationSecret::parse(&input) {
            prop_assert_eq!(secret.expose(), input.as_str());
        }
    }

    #[test]
    fn secrets_parse_back_hash_stably_and_never_print(_n in 0u8..32) {
        let one = InvitationSecret::generate("9998235962181a1b2c3d4e5f6").unwrap();
        let two = InvitationSecret::generate("9998235962181a1b2c3d4e5f6").unwrap();
        prop_assert_ne!(one.expose(), two.expose());
        prop_assert_ne!(one.hash(), two.hash());
        let parsed = InvitationSecret::parse(one.expose()).unwrap();
        prop_assert_eq!(parsed.hash(), one.hash());
        let hash = one.hash();
        prop_assert_eq!(hash.as_str().len(), 64);
        prop_assert!(hash.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        prop_assert!(!hash.as_str().contains(one.expose()));
        let printed = format!("{:?}", one);
        prop_assert!(!printed.contains(one.expose()));
        // A secret one character short, or one changed, is not a secret.
        let short = &one.expose()[1..];
        prop_assert!(InvitationSecret::parse(short).is_err());
    }

    #[test]
    fn locale_negotiation_never_panics_and_picks_french_only_when_asked(header in any::<String>()) {
        let locale = Locale::negotiate(Some(&header));
        if locale == Locale::Fr {
            prop_assert!(header.to_ascii_lowercase().contains("fr"));
        }
    }

    #[test]
    fn french_with_the_highest_quality_wins(q in 1u8..9) {
        let header = format!("en;q=0.{q}, fr-BE, de;q=0.1");
        prop_assert_eq!(Locale::negotiate(Some(&header)), Locale::Fr);
    }

    #[test]
    fn any_company_input_is_validated_without_panicking(
        name in proptest::option::of(any::<String>()),
        vat in proptest::option::of("[A-Z]{0,2}[0-9 .-]{0,14}|\\PC{0,16}"),
        postal in proptest::option::of("[A-Z0-9 -]{0,10}|\\PC{0,12}"),
        country in proptest::option::of("[A-Za-z]{2}|\\PC{0,3}"),
        city in proptest::option::of(any::<String>()),
    ) {
        let raw = RawCompany {
            name,
            vat_number: vat,
            street: None,
            postal_code: postal,
            city,
            country,
        };
        if let Ok(draft) = CompanyDraft::parse(&raw) {
            // What was accepted is accepted again as stored.
            let again = CompanyDraft::parse(&RawCompany {
                name: draft.name.clone(),
                vat_number: draft.vat_number.as_ref().map(|v| v.as_str().to_owned()),
                street: draft.street.clone(),
                postal_code: draft.postal_code.as_ref().map(|p| p.as_str().to_owned()),
                city: draft.city.clone(),
                country: draft.country.as_ref().map(|c| c.as_str().to_owned()),
            });
            prop_assert_eq!(again, Ok(draft));
        }
    }

    #[test]
    fn belgian_vat_numbers_hold_by_their_check_digits(
        base in 0u32..10_000_000,
        wrong in 1u32..97,
        spaced in any::<bool>(),
    ) {
        let be = CountryCode::parse("BE").ok();
        let check = 97 - (base % 97);
        let digits = format!("0{base:07}{check:02}");
        let typed = if spaced {
            format!("BE {}.{}.{}", &digits[..4], &digits[4..7], &digits[7..])
        } else {
            digits.clone()
        };
        let vat = VatNumber::parse(&typed, be);
        prop_assert_eq!(vat.map(|v| v.as_str().to_owned()), Ok(format!("BE{digits}")));
        let bad_check = (check - 1 + wrong) % 97 + 1;
        let bad = format!("0{base:07}{bad_check:02}");
        prop_assert!(VatNumber::parse(&bad, be).is_err(), "{} passed", bad);
    }

    #[test]
    fn every_iso_country_parses_in_either_case(pick in 0usize..249, lower in any::<bool>()) {
        let codes: Vec<&str> = ISO_3166_ALPHA2.split(' ').collect();
        let code = codes[pick % codes.len()];
        let typed = if lower { code.to_ascii_lowercase() } else { code.to_owned() };
        let country = CountryCode::parse(&typed).map(|c| c.as_str().to_owned());
        prop_assert_eq!(country, Ok(code.to_owned()));
        let _ = PostalCode::parse("1400", CountryCode::parse(code).ok());
    }

    #[test]
    fn an_ended_invitation_never_becomes_usable_again(
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let staff = EmailAddress::parse("tamer@gfms.example").unwrap();
        let invited = EmailAddress::parse("WILLY.URS@example.com").unwrap();
        let mut now = at(1_800_000_000);
        let mut invitation = invitation(now);
        let mut ended: Option<Status> = None;
        let mut bound: Option<LoginId> = None;
        let mut company: Option<String> = None;
        for step in steps {
            match step {
                Step::Wait(seconds) => now += Duration::seconds(seconds),
                Step::Open => { invitation.record_opened(now); }
                Step::Accept(n) => { let _ = invitation.accept(login(n), &invited, now); }
                Step::Complete(n) => { let _ = invitation.complete(&login(n), &format!("c-{n}"), now); }
                Step::Resend => {
                    let hash = InvitationSecret::generate("9998235962181a1b2c3d4e5f6").unwrap().hash();
                    let before = invitation.status_at(now);
                    let resent = invitation.resend(hash, &staff, now);
                    prop_assert_eq!(
                        resent.is_ok(),
                        matches!(before, Status::Pending | Status::Expired),
                        "resend allowed only when pending or expired"
                    );
                }
                Step::Revoke => {
                    let before = invitation.status_at(now);
                    let revoked = invitation.revoke(&staff, now);
                    prop_assert_eq!(revoked.is_err(), before == Status::Completed);
                }
                Step::DeliveryFailed => invitation.record_delivery_failure(now),
                Step::DeliverySent => invitation.record_delivery_success(now),
            }
            let status = invitation.status_at(now);
            if let Some(end) = ended {
                prop_assert_eq!(status, end, "an ended invitation stays ended");
            }
            if matches!(status, Status::Revoked | Status::Completed) {
                ended = Some(status);
            }
            // Once bound to a login, always that login; once a company, always that one.
            if let Some(login) = &bound {
                prop_assert_eq!(invitation.bound_to.as_ref(), Some(login));
            }
            bound = invitation.bound_to.clone();
            if let Some(id) = &company {
                prop_assert_eq!(invitation.company_id.as_ref(), Some(id));
            }
            company = invitation.company_id.clone();
            if status == Status::Completed {
                prop_assert!(invitation.bound_to.is_some() && invitation.company_id.is_some());
            }
            // The history only grows, and in time order.
            let history = invitation.history_at(now);
            prop_assert!(history.windows(2).all(|w| w[0].at <= w[1].at));
        }
    }
}
