//! The invitation as Table Storage keeps it, and its conversion to and from the domain
//! type. The partition is the id's leading digits (about a day of invitations), the row
//! key the id itself, so a table query returns invitations newest first.

use super::edm::{self, DateTimeTag};
use crate::domain::company::CompanyDraft;
use crate::domain::country::{CountryCode, PostalCode, VatNumber};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{
    Delivery, DisplayName, ERASED_INVITER, Event, ExpiryDays, HistoryEntry, Invitation,
    InvitationId, Inviter, LoginId, Reminder, StoredStatus,
};
use crate::domain::locale::Locale;
use crate::domain::secret::LinkHash;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvitationEntity {
    pub partition_key: String,
    pub row_key: String,
    #[serde(rename = "odata.etag", default, skip_serializing)]
    pub etag: Option<String>,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub display_name: Option<String>,
    pub locale: String,
    pub status: String,
    #[serde(with = "edm::datetime")]
    pub created_at: OffsetDateTime,
    #[serde(rename = "CreatedAt@odata.type", default)]
    created_at_type: DateTimeTag,
    #[serde(with = "edm::datetime")]
    pub expires_at: OffsetDateTime,
    #[serde(rename = "ExpiresAt@odata.type", default)]
    expires_at_type: DateTimeTag,
    /// Absent in rows written before it existed: 7 days.
    #[serde(default = "default_expiry_days")]
    pub expires_in_days: i32,
    #[serde(default)]
    pub existing_customer: bool,
    pub invited_by_name: String,
    pub invited_by_email: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub company_vat_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub company_street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub company_postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub company_city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub company_country: Option<String>,
    pub email_delivery: String,
    pub delivery_attempts: i32,
    #[serde(
        with = "edm::option_datetime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_delivery_at: Option<OffsetDateTime>,
    /// Present only with a value: a typed null is refused by the service.
    #[serde(
        rename = "NextDeliveryAt@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    next_delivery_at_type: Option<DateTimeTag>,
    pub link_hash: String,
    /// The hashes of replaced links, comma-separated, oldest first; absent when none.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous_links: Option<String>,
    /// The reminder's link (`domain::reminder`); absent before one was claimed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reminder_link_hash: Option<String>,
    /// While an instance sends the reminder: until when it holds it.
    #[serde(
        with = "edm::option_datetime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reminder_claimed_until: Option<OffsetDateTime>,
    #[serde(
        rename = "ReminderClaimedUntil@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    reminder_claimed_until_type: Option<DateTimeTag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub company_id: Option<String>,
    /// Only in a `member` invitation: the role it gives (`administrator`, `member`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub member_role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub bound_issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub bound_subject: Option<String>,
    /// JSON array of `{"at","event","actor"}`.
    pub history: String,
    /// Whether the sales figures count it; absent (false) in rows written before they
    /// were kept.
    #[serde(default)]
    pub in_figures: bool,
}

fn default_expiry_days() -> i32 {
    7
}

#[derive(Serialize, Deserialize)]
struct StoredHistory {
    at: String,
    event: String,
    actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl From<&Invitation> for InvitationEntity {
    fn from(inv: &Invitation) -> Self {
        let (attempts, next) = match inv.delivery {
            Delivery::Sent => (0, None),
            Delivery::Queued {
                attempts,
                next_attempt_at,
            } => (attempts, Some(next_attempt_at)),
            Delivery::Failed { attempts } => (attempts, None),
        };
        let history: Vec<StoredHistory> = inv
            .history
            .iter()
            .map(|h| StoredHistory {
                at: edm::format(h.at),
                event: h.event.as_str().to_owned(),
                actor: h.actor.clone(),
                reason: h.reason.clone(),
            })
            .collect();
        Self {
            partition_key: inv.id.bucket().to_owned(),
            row_key: inv.id.as_str().to_owned(),
            etag: None,
            email: inv.email.to_string(),
            display_name: inv.display_name.as_ref().map(|n| n.as_str().to_owned()),
            locale: inv.locale.as_str().to_owned(),
            status: inv.status.as_str().to_owned(),
            created_at: inv.created_at,
            created_at_type: DateTimeTag,
            expires_at: inv.expires_at,
            expires_at_type: DateTimeTag,
            expires_in_days: i32::from(inv.expires_in.days()),
            existing_customer: inv.existing_customer,
            invited_by_name: inv.inviter_name(),
            invited_by_email: inv.inviter_email(),
            company_name: inv.company.name.clone(),
            company_vat_number: inv
                .company
                .vat_number
                .as_ref()
                .map(|v| v.as_str().to_owned()),
            company_street: inv.company.street.clone(),
            company_postal_code: inv
                .company
                .postal_code
                .as_ref()
                .map(|p| p.as_str().to_owned()),
            company_city: inv.company.city.clone(),
            company_country: inv.company.country.map(|c| c.to_string()),
            email_delivery: inv.delivery.as_str().to_owned(),
            delivery_attempts: i32::try_from(attempts).unwrap_or(i32::MAX),
            next_delivery_at: next,
            next_delivery_at_type: next.map(|_| DateTimeTag),
            link_hash: inv.link_hash.as_str().to_owned(),
            previous_links: (!inv.previous_links.is_empty()).then(|| {
                inv.previous_links
                    .iter()
                    .map(LinkHash::as_str)
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            reminder_link_hash: inv
                .reminder
                .as_ref()
                .map(|r| r.link_hash.as_str().to_owned()),
            reminder_claimed_until: inv.reminder.as_ref().and_then(|r| r.claimed_until),
            reminder_claimed_until_type: inv
                .reminder
                .as_ref()
                .and_then(|r| r.claimed_until)
                .map(|_| DateTimeTag),
            company_id: inv.company_id.clone(),
            member_role: inv.member_role.map(|r| r.as_str().to_owned()),
            bound_issuer: inv.bound_to.as_ref().map(|l| l.issuer.clone()),
            bound_subject: inv.bound_to.as_ref().map(|l| l.subject.clone()),
            history: serde_json::to_string(&history).unwrap_or_else(|_| "[]".to_owned()),
            in_figures: inv.in_figures,
        }
    }
}

/// A stored row that no longer reads as an invitation.
#[derive(Debug, thiserror::Error)]
#[error("invitation row {row_key}: {field} is unreadable")]
pub struct CorruptEntity {
    pub row_key: String,
    pub field: &'static str,
}

impl TryFrom<InvitationEntity> for Invitation {
    type Error = CorruptEntity;

    fn try_from(e: InvitationEntity) -> Result<Self, Self::Error> {
        let row_key = e.row_key.clone();
        let corrupt = |field| CorruptEntity {
            row_key: row_key.clone(),
            field,
        };
        let country = e
            .company_country
            .as_deref()
            .map(CountryCode::parse)
            .transpose()
            .map_err(|_| corrupt("CompanyCountry"))?;
        let attempts =
            u32::try_from(e.delivery_attempts).map_err(|_| corrupt("DeliveryAttempts"))?;
        let delivery = match (e.email_delivery.as_str(), e.next_delivery_at) {
            ("sent", _) => Delivery::Sent,
            ("queued", Some(next_attempt_at)) => Delivery::Queued {
                attempts,
                next_attempt_at,
            },
            ("failed", _) => Delivery::Failed { attempts },
            _ => return Err(corrupt("EmailDelivery")),
        };
        let history: Vec<StoredHistory> =
            serde_json::from_str(&e.history).map_err(|_| corrupt("History"))?;
        let history = history
            .into_iter()
            .map(|h| {
                Some(HistoryEntry {
                    at: OffsetDateTime::parse(
                        &h.at,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .ok()?,
                    event: Event::parse(&h.event)?,
                    actor: h.actor,
                    reason: h.reason,
                })
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| corrupt("History"))?;
        Ok(Invitation {
            in_figures: e.in_figures,
            id: InvitationId::parse(&e.row_key).map_err(|_| corrupt("RowKey"))?,
            email: EmailAddress::parse(&e.email).map_err(|_| corrupt("Email"))?,
            display_name: e
                .display_name
                .as_deref()
                .map(DisplayName::parse)
                .transpose()
                .map_err(|_| corrupt("DisplayName"))?
                .flatten(),
            locale: Locale::parse(&e.locale).map_err(|_| corrupt("Locale"))?,
            status: StoredStatus::parse(&e.status).ok_or_else(|| corrupt("Status"))?,
            created_at: e.created_at,
            expires_at: e.expires_at,
            expires_in: ExpiryDays::new(i64::from(e.expires_in_days))
                .map_err(|_| corrupt("ExpiresInDays"))?,
            existing_customer: e.existing_customer,
            invited_by: match e.invited_by_email.as_str() {
                ERASED_INVITER => None,
                stored => Some(Inviter {
                    name: e.invited_by_name,
                    email: EmailAddress::parse(stored).map_err(|_| corrupt("InvitedByEmail"))?,
                }),
            },
            company: CompanyDraft {
                name: e.company_name,
                vat_number: e.company_vat_number.map(VatNumber::from_stored),
                street: e.company_street,
                postal_code: e.company_postal_code.map(PostalCode::from_stored),
                city: e.company_city,
                country,
            },
            delivery,
            link_hash: LinkHash::from_stored(e.link_hash),
            previous_links: e
                .previous_links
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter(|h| !h.is_empty())
                .map(|h| LinkHash::from_stored(h.to_owned()))
                .collect(),
            reminder: e.reminder_link_hash.map(|hash| Reminder {
                link_hash: LinkHash::from_stored(hash),
                claimed_until: e.reminder_claimed_until,
            }),
            company_id: e.company_id,
            member_role: e
                .member_role
                .as_deref()
                .map(|r| {
                    crate::domain::account::Role::parse(r).ok_or_else(|| corrupt("MemberRole"))
                })
                .transpose()?,
            bound_to: match (e.bound_issuer, e.bound_subject) {
                (Some(issuer), Some(subject)) => Some(LoginId { issuer, subject }),
                (None, None) => None,
                _ => return Err(corrupt("BoundSubject")),
            },
            history,
        })
    }
}
