//! Every customer page, rendered in each of the five languages: no sentence of the
//! English version is left in another language's version (user data aside), no variable
//! is missing, and `<html lang>` names the language.

use super::company::{field_views, rules_json};
use super::delete::{confirm_page, deleted_page, handover_message};
use super::mfa::{failure_text, locked_text, mfa_page};
use super::pages::{
    Ceremony, CompanyFormPage, CompanyLine, HomePage, LoginView, PasskeyPage, PasskeyView,
    ProfilePage,
};
use super::profile::notice_text;
use crate::domain::FieldErrors;
use crate::domain::account::Provider;
use crate::domain::company::RawCompany;
use crate::domain::locale::Locale;
use crate::http::layout::Chrome;
use crate::http::session::Notice;
use crate::i18n::check::assert_translated;
use crate::service::account::MfaFailure;
use askama::Template;

const PRODUCT: &str = "GFMS Customer Portal";
const DATA: [&str; 9] = [
    PRODUCT,
    crate::domain::country::ISO_3166_ALPHA2,
    "willy@example.com",
    "Tamer Mohamed-Nour",
    "Mobile SRL",
    "Usine Nord SA",
    "Google Authenticator, Microsoft Authenticator, Authy",
    "Google",
    "Microsoft",
];

/// Every page, in `locale`, rendered.
fn every_page(locale: Locale) -> Vec<(&'static str, String)> {
    let mut errors = FieldErrors::default();
    for field in [
        "name",
        "vatNumber",
        "street",
        "postalCode",
        "city",
        "country",
    ] {
        errors.add(field, crate::domain::FieldError::Required);
    }
    let values = RawCompany {
        name: Some("Mobile SRL".into()),
        vat_number: Some("XX".into()),
        ..RawCompany::default()
    };
    let form = |prefilled| CompanyFormPage {
        chrome: Chrome::new(locale, "t", PRODUCT).with_switch(),
        inviter: "Tamer Mohamed-Nour".into(),
        email: "willy@example.com".into(),
        csrf: "c".into(),
        prefilled,
        countries: vec![("BE", crate::i18n::Tr::new(locale).t("country-BE"))],
        fields: field_views(&values, &errors, locale),
        rules: rules_json(locale),
    };
    let home = |companies: Vec<&str>| HomePage {
        chrome: Chrome::new(locale, "t", PRODUCT).with_switch(),
        email: "willy@example.com".into(),
        companies: companies
            .into_iter()
            .zip(["home-role-administrator", "home-role-member"])
            .map(|(name, role)| CompanyLine {
                id: "c1".into(),
                name: name.into(),
                role,
            })
            .collect(),
        csrf: "c".into(),
        notice: Some(crate::i18n::Tr::new(locale).t("home-notice-left")),
        next: Some(crate::i18n::Tr::new(locale).t("home-joined")),
        product_url: Some("https://product.example/welcome".into()),
    };
    let profile = |mfa, notice: Notice| ProfilePage {
        chrome: Chrome::new(locale, "t", PRODUCT).with_switch(),
        email: "willy@example.com".into(),
        logins: vec![LoginView {
            key: "k".into(),
            provider: super::profile::provider_name(
                &crate::domain::account::Provider::Local,
                locale,
            ),
            linked: crate::i18n::Tr::new(locale)
                .date(time::macros::datetime!(2026-11-29 10:00 UTC)),
            current: true,
            removable: true,
        }],
        can_link_microsoft: true,
        can_link_google: true,
        mfa,
        passkeys_available: true,
        required_by: Some("Usine Nord SA".into()),
        passkeys: vec![
            PasskeyView {
                id: "p1".into(),
                name: "Laptop".into(),
                added: crate::i18n::Tr::new(locale)
                    .date(time::macros::datetime!(2026-11-29 10:00 UTC)),
                last_used: None,
            },
            PasskeyView {
                id: "p2".into(),
                name: "YubiKey".into(),
                added: crate::i18n::Tr::new(locale)
                    .date(time::macros::datetime!(2026-11-29 10:00 UTC)),
                last_used: Some(
                    crate::i18n::Tr::new(locale)
                        .date(time::macros::datetime!(2026-11-30 10:00 UTC)),
                ),
            },
        ],
        caution: matches!(notice, Notice::AlreadyLinked(_)),
        notice: Some(notice_text(&notice, locale)),
        csrf: "c".into(),
    };
    let mfa = |mode| {
        let mut page = mfa_page(PRODUCT, locale, mode, "c");
        page.error = Some(failure_text(&MfaFailure::Wrong, locale));
        page
    };
    let mut pages = vec![
        ("form prefilled", form(true).render()),
        ("form empty", form(false).render()),
        ("home one", home(vec!["Mobile SRL"]).render()),
        (
            "home two",
            home(vec!["Mobile SRL", "Usine Nord SA"]).render(),
        ),
        (
            "profile off",
            profile(false, Notice::Linked(Provider::Google)).render(),
        ),
        ("profile on", profile(true, Notice::MfaOn).render()),
        (
            "profile unlinked",
            profile(true, Notice::Unlinked(Provider::Microsoft)).render(),
        ),
        (
            "profile already",
            profile(true, Notice::AlreadyLinked(Provider::Google)).render(),
        ),
        ("profile mfa off", profile(false, Notice::MfaOff).render()),
        ("mfa enable", mfa("enable").render()),
        ("mfa challenge", mfa("challenge").render()),
        ("mfa manage", mfa("manage").render()),
        ("mfa recovery", mfa("recovery").render()),
        ("delete", confirm_page(locale, PRODUCT, "c").render()),
        ("deleted", deleted_page(locale, PRODUCT).render()),
        (
            "handover",
            handover_message("Mobile SRL", 1, locale, PRODUCT).render(),
        ),
        (
            "handover two",
            handover_message("Mobile SRL, Usine Nord SA", 2, locale, PRODUCT).render(),
        ),
    ];
    let ceremony = |mode, button| Ceremony {
        options: "{}".into(),
        mode,
        post_to: "/api/Profile/mfa".into(),
        action: "passkey",
        csrf: "c".into(),
        button: crate::i18n::Tr::new(locale).t(button),
    };
    for (name, notice) in [
        ("profile passkey added", Notice::PasskeyAdded),
        ("profile passkey renamed", Notice::PasskeyRenamed),
        ("profile passkey removed", Notice::PasskeyRemoved),
    ] {
        pages.push((name, profile(true, notice).render()));
    }
    for (name, mode, error) in [
        ("step passkey", "passkey", None),
        (
            "step passkey refused",
            "passkey",
            Some("passkey-error-refused"),
        ),
        (
            "step passkey or code",
            "challenge",
            Some("passkey-error-use"),
        ),
    ] {
        let mut page = mfa_page(PRODUCT, locale, mode, "c");
        page.passkey = Some(ceremony("get", "passkey-use"));
        page.error = error.map(|id| crate::i18n::Tr::new(locale).t(id));
        pages.push((name, page.render()));
    }
    let adding = PasskeyPage::new(
        (locale, PRODUCT),
        "Laptop".into(),
        ceremony("create", "passkey-create"),
    );
    pages.push(("passkey add", adding.render()));
    for failure in [MfaFailure::Replayed, MfaFailure::Unreadable] {
        let mut page = mfa_page(PRODUCT, locale, "challenge", "c");
        page.error = Some(failure_text(&failure, locale));
        pages.push(("mfa error", page.render()));
    }
    for (mode, recovery) in [("challenge", false), ("manage", true)] {
        let mut page = mfa_page(PRODUCT, locale, mode, "c");
        page.error = Some(locked_text(600, recovery, locale));
        page.locked = true;
        pages.push(("mfa locked", page.render()));
    }
    pages
        .into_iter()
        .map(|(name, page)| (name, page.unwrap()))
        .collect()
}

#[test]
fn every_customer_page_speaks_each_language_with_no_english_sentence_left() {
    let english = every_page(Locale::En);
    for locale in Locale::ALL.into_iter().skip(1) {
        for ((name, en), (_, page)) in english.iter().zip(every_page(locale)) {
            assert_translated(name, en, &page, locale, &DATA);
        }
    }
}

#[test]
fn the_company_form_says_what_is_wrong_in_german() {
    let page = every_page(Locale::De).remove(0).1;
    assert!(
        page.contains("Geben Sie eine gültige Umsatzsteuer-Identifikationsnummer"),
        "{page}"
    );
    assert!(page.contains("Dieses Feld ist erforderlich."), "{page}");
    assert!(page.contains("Unternehmen anlegen"), "{page}");
}
