//! The back office's templates and what they show of an invitation; the words come from
//! `locales/*/staff.ftl` through [`Tr`].

use super::StaffSession;
use crate::domain::invitation::{Invitation, Status};
use crate::domain::locale::Locale;
use crate::i18n::Tr;
use askama::Template;
use time::OffsetDateTime;

/// What every back-office page shows around its content.
pub struct Frame {
    pub lang: &'static str,
    pub tr: Tr,
    pub title: String,
    pub product: String,
    pub staff_name: String,
    pub staff_email: String,
    pub csrf: String,
}

impl Frame {
    pub fn new(locale: Locale, title: &str, product: &str, session: &StaffSession) -> Self {
        Self {
            lang: locale.as_str(),
            tr: Tr::new(locale),
            title: title.to_owned(),
            product: product.to_owned(),
            staff_name: session.name.clone(),
            staff_email: session.email.clone(),
            csrf: session.csrf.clone(),
        }
    }

    /// Every language, each named in itself.
    pub fn languages(&self) -> Vec<(&'static str, &'static str)> {
        crate::http::layout::LANGUAGE_NAMES.to_vec()
    }

    /// The languages the switch offers, the page's own marked current.
    pub fn switch(&self) -> Vec<crate::http::layout::SwitchLink> {
        crate::http::layout::switch_links(self.lang)
    }
}

/// One field of the invite form.
pub struct FormField {
    pub name: &'static str,
    pub id: &'static str,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
}

/// An invitation as a row of the list or the head of its own page.
pub struct Row {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub status: &'static str,
    pub status_label: String,
    pub delivery_label: String,
    pub created: String,
    /// When the link stops working; `None` once completed or revoked (it no longer can).
    pub expires: Option<String>,
    pub inviter: String,
    pub company: String,
    /// What the invitation is for: a new customer's company, or a colleague joining a
    /// company with a role.
    pub kind: String,
    pub can_resend: bool,
    pub can_revoke: bool,
}

/// The invitation just created or resent, with its link, shown once (carried across the
/// redirect that answers the post in an encrypted five-minute cookie).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Sent {
    pub id: String,
    pub email: String,
    pub invite_url: String,
    pub resent: bool,
}

#[derive(Template)]
#[template(path = "pages/staff/office.html")]
pub struct OfficePage {
    pub frame: Frame,
    pub sent: Option<Sent>,
    pub form_error: Option<String>,
    pub fields: Vec<FormField>,
    pub locale_value: String,
    pub filter_status: String,
    pub filter_email: String,
    pub filter_errors: Vec<String>,
    pub statuses: Vec<(&'static str, String)>,
    pub rows: Vec<Row>,
    pub next: Option<String>,
    /// Events that did not arrive (`None`: no event destination is set).
    pub events: Option<Vec<EventRow>>,
    /// The whole list with the same filters, as CSV.
    pub csv: String,
    /// The last 30 days' funnel and what needs a nudge.
    pub funnel: super::funnel::FunnelView<Row>,
}

/// One undelivered event, as the office lists it.
pub struct EventRow {
    pub id: String,
    pub kind: &'static str,
    pub subject: String,
    pub time: String,
    pub status: &'static str,
    pub status_label: String,
    /// "9 attempts", in the page's language.
    pub attempts: String,
    pub last_error: String,
}

#[derive(Template)]
#[template(path = "pages/staff/detail.html")]
pub struct DetailPage {
    pub frame: Frame,
    pub sent: Option<Sent>,
    pub notice: Option<String>,
    pub row: Row,
    /// The language of the invitation, named in the page's language.
    pub language: String,
    /// The company the customer created, once they did: name, VAT number, address.
    pub created_company: Option<String>,
    pub history: Vec<(String, String, String)>,
}

/// How long what a post leaves to show (the link, a notice) waits for the page after it.
pub const FLASH_LIFETIME: time::Duration = time::Duration::minutes(5);

/// What the page after a post shows once: the link sent, or a notice.
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    pub sent: Option<Sent>,
    pub notice: Option<String>,
}

/// A language's name, in the page's language.
pub fn language_name(locale: Locale, tr: Tr) -> String {
    tr.t(&format!("staff-language-{}", locale.as_str()))
}

/// Who did something: a staff member or the customer (their address), or the service
/// itself (its emails), named in the page's language.
pub fn actor_label(actor: &str, tr: Tr) -> String {
    if actor == crate::domain::invitation::SYSTEM_ACTOR {
        tr.t("staff-actor-system")
    } else {
        actor.to_owned()
    }
}

#[derive(Template)]
#[template(path = "pages/staff/confirm.html")]
pub struct ConfirmPage {
    pub frame: Frame,
    pub action: &'static str,
    pub row: Row,
    pub error: Option<String>,
}

/// `2026-11-22 10:00 UTC`.
pub fn when(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// A status's name (`""`: all of them, for the filter).
pub fn status_label(status: &str, tr: Tr) -> String {
    match status {
        "pending" | "accepted" | "completed" | "revoked" | "expired" => {
            tr.t(&format!("staff-status-{status}"))
        }
        _ => tr.t("staff-status-all"),
    }
}

pub fn statuses(tr: Tr) -> Vec<(&'static str, String)> {
    ["", "pending", "accepted", "completed", "revoked", "expired"]
        .into_iter()
        .map(|s| (s, status_label(s, tr)))
        .collect()
}

fn delivery_label(delivery: &str, tr: Tr) -> String {
    match delivery {
        "sent" | "queued" => tr.t(&format!("staff-delivery-{delivery}")),
        _ => tr.t("staff-delivery-failed"),
    }
}

pub fn event_label(event: &str, tr: Tr) -> String {
    match event {
        "created" | "emailSent" | "emailFailed" | "opened" | "accepted" | "completed"
        | "resent" | "revoked" | "reminded" => tr.t(&format!("staff-event-{event}")),
        _ => tr.t("staff-event-expired"),
    }
}

/// "New customer", or "Colleague: joins {company} as {role}".
fn kind_label(invitation: &Invitation, tr: Tr) -> String {
    match invitation.join() {
        Some(join) => tr.t2(
            "staff-kind-colleague",
            "company",
            invitation.company.name.clone().unwrap_or_default(),
            "role",
            tr.t(&format!("staff-role-{}", join.role.as_str())),
        ),
        None => tr.t("staff-kind-company"),
    }
}

impl Row {
    pub fn new(invitation: &Invitation, now: OffsetDateTime, tr: Tr) -> Self {
        let status = invitation.status_at(now);
        let company = &invitation.company;
        let company = [
            company.name.clone(),
            company.vat_number.as_ref().map(|v| v.as_str().to_owned()),
            company.city.clone(),
            company.country.map(|c| c.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        Self {
            id: invitation.id.to_string(),
            email: invitation.email.to_string(),
            display_name: invitation
                .display_name
                .as_ref()
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default(),
            status: status.as_str(),
            status_label: status_label(status.as_str(), tr),
            delivery_label: delivery_label(invitation.delivery.as_str(), tr),
            created: when(invitation.created_at),
            expires: (!matches!(status, Status::Completed | Status::Revoked))
                .then(|| when(invitation.expires_at)),
            inviter: format!(
                "{} ({})",
                invitation.inviter_name(),
                invitation.inviter_email()
            ),
            kind: kind_label(invitation, tr),
            company,
            can_resend: matches!(status, Status::Pending | Status::Expired),
            can_revoke: matches!(status, Status::Pending | Status::Accepted | Status::Expired),
        }
    }
}
