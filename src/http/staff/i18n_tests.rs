//! Every back-office page, rendered in each of the five languages: no sentence of the
//! English version is left in another language's version (user data aside).

use super::StaffSession;
use super::funnel::FunnelView;
use super::views::{
    ConfirmPage, DetailPage, FormField, Frame, OfficePage, Row, Sent, actor_label, event_label,
    language_name, statuses, when,
};
use crate::domain::company::CompanyDraft;
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{
    DisplayName, ExpiryDays, Invitation, InvitationId, Inviter, NewInvitation,
};
use crate::domain::locale::Locale;
use crate::domain::secret::InvitationSecret;
use crate::domain::stats::{Figures, Period};
use crate::http::form::{FORM, FormState, label_id};
use crate::http::input::parse_create;
use crate::i18n::Tr;
use crate::i18n::check::assert_translated;
use crate::service::stats::Overview;
use askama::Template;
use time::macros::datetime;

const DATA: [&str; 9] = [
    "Portal",
    "Tamer Mohamed-Nour",
    "tamer@gfms.example",
    "willy.urs@example.com",
    "Willy URS",
    "Mobile SRL",
    "https://p.example/x",
    "BE",
    "name@company.com",
];

fn invitation() -> Invitation {
    let now = datetime!(2026-11-22 10:00 UTC);
    let mut invitation = Invitation::create(
        NewInvitation {
            email: EmailAddress::parse("willy.urs@example.com").unwrap(),
            display_name: DisplayName::parse("Willy URS").unwrap(),
            locale: Locale::De,
            expires_in: ExpiryDays::default(),
            company: CompanyDraft {
                name: Some("Mobile SRL".into()),
                ..CompanyDraft::default()
            },
            join: None,
        },
        Inviter {
            name: "Tamer Mohamed-Nour".into(),
            email: EmailAddress::parse("tamer@gfms.example").unwrap(),
        },
        InvitationId::new(now, 7),
        InvitationSecret::generate("9998235962181a1b2c3d4e5f6")
            .unwrap()
            .hash(),
        now,
    );
    let staff = EmailAddress::parse("tamer@gfms.example").unwrap();
    invitation
        .resend(
            InvitationSecret::generate("9998235962181a1b2c3d4e5f7")
                .unwrap()
                .hash(),
            &staff,
            now,
        )
        .unwrap();
    invitation
}

fn every_page(locale: Locale) -> Vec<(&'static str, String)> {
    let tr = Tr::new(locale);
    let session = StaffSession {
        name: "Tamer Mohamed-Nour".into(),
        email: "tamer@gfms.example".into(),
        roles: vec![],
        csrf: "c".into(),
    };
    let frame = || Frame::new(locale, &tr.t("staff-office-title"), "Portal", &session);
    let invitation = invitation();
    let now = datetime!(2026-11-23 10:00 UTC);
    let sent = |resent| Sent {
        id: "i".into(),
        email: "willy.urs@example.com".into(),
        invite_url: "https://p.example/x".into(),
        resent,
    };
    let form = FormState::from_body(b"email=&displayName=&expiresInDays=45&locale=xx&company.vatNumber=BE1&company.postalCode=x&company.country=BEL&company.name=");
    let errors = parse_create(&form.as_create_body()).unwrap_err();
    let mut form = form.with_errors(errors, locale);
    form.values.insert("email".into(), "not-an-address".into());
    let form2 = FormState::from_body(b"email=not-an-address&displayName=").with_errors(
        parse_create(&FormState::from_body(b"email=not-an-address").as_create_body()).unwrap_err(),
        locale,
    );
    let fields = |form: &FormState| -> Vec<FormField> {
        FORM.iter()
            .map(|(name, id, kind)| FormField {
                name,
                id,
                label: tr.t(&label_id(name)),
                kind,
                value: form.values.get(*name).cloned().unwrap_or_default(),
                error: form.errors.get(*name).cloned(),
            })
            .collect()
    };
    let office = |sent: Option<Sent>, form: &FormState, rows: Vec<Row>| OfficePage {
        frame: frame(),
        sent,
        form_error: None,
        fields: fields(form),
        locale_value: "de".into(),
        filter_status: String::new(),
        filter_email: String::new(),
        filter_errors: vec![tr.t1("staff-filter-invalid", "field", "status")],
        statuses: statuses(tr),
        rows,
        next: Some("/api/Staff?x".into()),
        events: Some(vec![super::views::EventRow {
            id: "evi-82353-1796475600250-0000ab12".into(),
            kind: "invitation.created",
            subject: "8235359621811a2b3c4d5e6f7".into(),
            time: when(now),
            status: "failed",
            status_label: tr.t("staff-event-failed"),
            attempts: tr.t1("staff-event-attempts", "count", 9u64),
            last_error: "HTTP 503".into(),
        }]),
        csv: "/api/Staff?format=csv".into(),
        funnel: funnel(&invitation, tr),
    };
    // A colleague's invitation: its kind names the company and the role.
    let mut colleague = invitation.clone();
    colleague.company_id = Some("c1".into());
    colleague.member_role = Some(crate::domain::account::Role::Administrator);
    let detail = DetailPage {
        frame: frame(),
        sent: Some(sent(true)),
        notice: Some(tr.t("staff-notice-revoked")),
        row: Row::new(&invitation, now, tr),
        language: language_name(invitation.locale, tr),
        created_company: Some("Mobile SRL".into()),
        history: invitation
            .history_at(now)
            .iter()
            .map(|h| {
                (
                    when(h.at),
                    event_label(h.event.as_str(), tr),
                    actor_label(&h.actor, tr),
                )
            })
            .chain(
                [
                    "emailFailed",
                    "opened",
                    "accepted",
                    "completed",
                    "revoked",
                    "expired",
                    "reminded",
                ]
                .into_iter()
                .map(|e| (String::new(), event_label(e, tr), actor_label("system", tr))),
            )
            .collect(),
    };
    let confirm = |action| ConfirmPage {
        frame: frame(),
        action,
        row: Row::new(&invitation, now, tr),
        error: Some(tr.t1("staff-duplicate", "id", "X1")),
    };
    vec![
        (
            "office",
            office(
                Some(sent(false)),
                &form,
                vec![
                    Row::new(&invitation, now, tr),
                    Row::new(&colleague, now, tr),
                ],
            ),
        ),
        ("office empty", office(None, &form2, vec![])),
    ]
    .into_iter()
    .map(|(n, p)| (n, p.render().unwrap()))
    .chain([
        ("detail", detail.render().unwrap()),
        ("resend", confirm("resend").render().unwrap()),
        ("revoke", confirm("revoke").render().unwrap()),
    ])
    .collect()
}

/// A funnel with figures and one invitation in each list that needs a nudge.
fn funnel(invitation: &Invitation, tr: Tr) -> FunnelView<Row> {
    let now = datetime!(2026-12-05 10:00 UTC);
    let mut mine = Figures::default();
    (mine.sent, mine.opened, mine.accepted, mine.completed) = (4, 3, 2, 1);
    let mut everyone = mine.clone();
    everyone.sent = 8;
    let overview = Overview {
        period: Period::new(None, None, now).unwrap(),
        mine,
        everyone,
        unopened: vec![invitation.clone()],
        expired: vec![invitation.clone()],
        now,
    };
    FunnelView::new(&overview, 3, tr, |i, now| Row::new(i, now, tr))
}

#[test]
fn every_back_office_page_speaks_each_language_with_no_english_sentence_left() {
    let english = every_page(Locale::En);
    for locale in Locale::ALL.into_iter().skip(1) {
        for ((name, en), (_, page)) in english.iter().zip(every_page(locale)) {
            assert_translated(name, en, &page, locale, &DATA);
        }
    }
}
