//! What the service does, step by step: reads the clock once, applies the domain's rules,
//! touches storage and mail. No HTTP here.

pub mod account;
pub mod claims;
pub mod company_rule;
pub mod delivery;
mod event_data;
pub mod events;
pub mod invitations;
pub mod language;
pub mod limits;
pub mod members;
mod merge;
pub mod onboarding;
pub mod passkeys;
pub mod pending;
pub mod person;
pub mod privacy;
pub mod reminders;
pub mod stats;

use crate::clock::Clock;
use crate::mail::Mailer;
use crate::settings::Limits;
use crate::storage::{AccountStore, InvitationStore, LimitStore, PrivacyStore, StoreError};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The outside services and fixed facts every operation needs.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn InvitationStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub limit_store: Arc<dyn LimitStore>,
    pub privacy: Arc<dyn PrivacyStore>,
    pub members: Arc<dyn crate::storage::MemberStore>,
    /// Who a person is: the rows that lead a login or an address to an account.
    pub people: Arc<dyn crate::storage::PersonStore>,
    /// An account's passkeys.
    pub passkeys: Arc<dyn crate::storage::PasskeyStore>,
    /// The WebAuthn relying party (`PUBLIC_BASE_URL`'s host), built at its first use.
    pub relying_party: Arc<passkeys::RelyingParty>,
    pub limits: Limits,
    /// `RETENTION_DAYS`: how long ended invitations are kept.
    pub retention_days: u32,
    /// `REMINDER_AFTER_DAYS`: when an unopened invitation needs a nudge (0: never).
    pub reminder_after_days: u32,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub public_base_url: Url,
    pub product_name: String,
    /// `PRODUCT_URL`: where people go on after onboarding ("Continue to …"), if set.
    pub product_url: Option<Url>,
    pub mail_timeout: Duration,
    /// The events' outbox, where they go, and how their `data` shows what changed.
    pub events: Arc<dyn crate::storage::EventStore>,
    pub destinations: crate::events::send::Destinations,
    pub views: events::EventViews,
}

/// What can go wrong with invitations, as a caller must tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error("an active invitation for this email exists")]
    Duplicate(crate::domain::invitation::InvitationId),
    #[error("no such invitation")]
    NotFound,
    /// The invitation's state does not allow this; the refusal says which and why.
    #[error("not allowed: {0:?}")]
    NotAllowed(Refusal),
    /// An abuse limit is reached; try again after `retry_after` seconds.
    /// Displayed without its data, which may name an address: errors are logged.
    #[error("limit reached")]
    Limited { retry_after: u64, limit: Limit },
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why an invitation's state refuses an action, as data: pages and problem details word
/// it in the reader's language (`locales/*/errors.ftl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Only pending or expired invitations can be resent; this one has `status`.
    NotResendable(crate::domain::invitation::Status),
    /// An invitation whose company exists (`status`) cannot be revoked.
    NotRevocable(crate::domain::invitation::Status),
    /// Another active invitation exists for this email (a resend of an expired one).
    OtherActive(crate::domain::invitation::InvitationId),
}

/// Which abuse limit was reached, as data.
#[derive(Clone, PartialEq, Eq)]
pub enum Limit {
    /// At most `limit` invitations and resends per staff member per hour.
    StaffPerHour { limit: u32 },
    /// A bulk request of `rows` valid rows when only `remaining` may be sent this hour.
    StaffBulk { rows: u32, remaining: u32 },
    /// At most `limit` invitation emails to `address` per day.
    EmailsPerDay { limit: u32, address: String },
    /// At most `limit` colleague invitations and resends per company per day.
    CompanyPerDay { limit: u32 },
}

/// Never prints the address.
impl std::fmt::Debug for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::StaffPerHour { limit } => write!(f, "StaffPerHour({limit})"),
            Self::StaffBulk { rows, remaining } => write!(f, "StaffBulk({rows}, {remaining})"),
            Self::EmailsPerDay { limit, .. } => write!(f, "EmailsPerDay({limit})"),
            Self::CompanyPerDay { limit } => write!(f, "CompanyPerDay({limit})"),
        }
    }
}

impl From<StoreError> for InvitationError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Duplicate(id) => Self::Duplicate(id),
            StoreError::Unavailable(why) => Self::Unavailable(why),
            StoreError::Conflict => {
                Self::Unavailable("the invitation kept changing; try again".into())
            }
            StoreError::Unexpected(why) => Self::Internal(why),
        }
    }
}

impl From<crate::domain::secret::RandomSourceFailed> for InvitationError {
    fn from(error: crate::domain::secret::RandomSourceFailed) -> Self {
        Self::Internal(error.to_string())
    }
}

/// 64 random bits for an id (not a secret: ids are public).
pub(crate) fn random_u64() -> Result<u64, InvitationError> {
    use rand::TryRngCore as _;
    rand::rngs::OsRng
        .try_next_u64()
        .map_err(|_| InvitationError::Internal("the random source failed".into()))
}

/// Changes an invitation with an ETag write: reads it (or starts from `current`), applies
/// `change`, and replaces it with the ETag it was read with; on a conflict reads it again
/// and decides again, so a concurrent change is never overwritten. `change` answers
/// `Ok(true)` when it changed something to write, `Ok(false)` when nothing is to be done.
/// Returns the invitation with its current ETag.
///
/// The events of the history entries the change adds are announced before its write
/// (once, whatever the attempts: an attempt that lost leaves them to be confirmed by the
/// one that lands, with the same entries) and delivered once it landed.
pub(crate) async fn update_invitation<E: From<InvitationError>>(
    services: &Services,
    id: &crate::domain::invitation::InvitationId,
    current: Option<crate::storage::Versioned<crate::domain::invitation::Invitation>>,
    change: impl FnMut(&mut crate::domain::invitation::Invitation) -> Result<bool, E>,
) -> Result<crate::storage::Versioned<crate::domain::invitation::Invitation>, E> {
    update_invitation_with(services, id, current, Vec::new(), change).await
}

/// [`update_invitation`] for an operation that announced the change's events already,
/// with its other events, in one call (`announced`): they are delivered once it landed.
pub(crate) async fn update_invitation_with<E: From<InvitationError>>(
    services: &Services,
    id: &crate::domain::invitation::InvitationId,
    mut current: Option<crate::storage::Versioned<crate::domain::invitation::Invitation>>,
    mut announced: Vec<crate::storage::QueuedEvent>,
    mut change: impl FnMut(&mut crate::domain::invitation::Invitation) -> Result<bool, E>,
) -> Result<crate::storage::Versioned<crate::domain::invitation::Invitation>, E> {
    for attempt in 0..8 {
        if attempt > 0 {
            // Lost to another writer: let the writers of this invitation take turns.
            crate::storage::back_off(attempt).await;
        }
        let read = match current.take() {
            Some(read) => read,
            None => services
                .store
                .get(id)
                .await
                .map_err(InvitationError::from)?
                .ok_or(InvitationError::NotFound)?,
        };
        let mut invitation = read.value.clone();
        if !change(&mut invitation)? {
            return Ok(crate::storage::Versioned {
                value: invitation,
                etag: read.etag,
            });
        }
        let mut fresh = events::not_yet(
            &announced,
            events::of_change(services, &read.value, &invitation),
        );
        if !fresh.is_empty() {
            events::announce(services, &mut fresh)
                .await
                .map_err(InvitationError::from)?;
            announced.extend(fresh);
        }
        match services.store.replace(&invitation, &read).await {
            Ok(written) => {
                let ids = announced.into_iter().map(|e| e.event.id).collect();
                events::deliver_soon(services, ids);
                return Ok(written);
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(InvitationError::from(e).into()),
        }
    }
    Err(InvitationError::from(StoreError::Conflict).into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_limit_error_does_not_print_its_detail() {
        let error = super::InvitationError::Limited {
            retry_after: 60,
            limit: super::Limit::EmailsPerDay {
                limit: 5,
                address: "willy@example.com".into(),
            },
        };
        assert_eq!(error.to_string(), "limit reached");
        assert!(!format!("{error:?}").contains("willy"));
    }
}
