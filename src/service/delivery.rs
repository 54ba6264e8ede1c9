//! Sending invitation emails, and sending again those that could not go.
//!
//! Only a link's hash is stored, so a retry cannot resend the first link: it mints a new
//! one (the old one then says a newer email was sent). Each attempt is claimed with an
//! ETag write first, so two instances never send the same email twice.

use super::{InvitationError, Services};
use crate::domain::invitation::{Delivery, Invitation, InvitationId};
use crate::domain::secret::InvitationSecret;
use crate::mail::MailError;
use crate::mail::invitation::render;
use crate::page::Page;
use crate::storage::{StoreError, Versioned};
use serde::Serialize;
use time::OffsetDateTime;

/// Sends the email of an invitation whose claim the calling request holds (a resend)
/// and records the outcome. Never fails the request: the outcome is in `delivery`.
pub async fn first_attempt(
    services: &Services,
    stored: Versioned<Invitation>,
    url: &str,
) -> Invitation {
    let outcome = send(services, &stored.value, url).await;
    let now = services.clock.now();
    match record(services, stored, outcome.is_ok(), now).await {
        Ok(updated) => updated,
        Err((fallback, e)) => {
            tracing::warn!(invitation = %fallback.id, error = %e, "delivery outcome not recorded; the retry will resend");
            fallback
        }
    }
}

/// Writes the row of a just-created invitation, once, with its first attempt's outcome
/// (its delivery-queue row holds it until then; the retry takes that row away once it
/// is no longer needed). Never fails the request: a row that cannot be written now is
/// written from the queue row by the next reader, still `queued`, and the retry sends
/// again; a row a reader wrote meanwhile gets the outcome with an ETag write.
pub async fn store_first(services: &Services, queued: Invitation, sent: bool) -> Invitation {
    let now = services.clock.now();
    let mut invitation = queued.clone();
    apply(&mut invitation, sent, now);
    let conflict = match services.store.store(&invitation).await {
        Ok(stored) => return stored.value,
        Err(StoreError::Conflict) => services.store.get(&invitation.id).await,
        Err(e) => Err(e),
    };
    let recorded = match conflict {
        Ok(Some(current)) => record(services, current, sent, now).await,
        Ok(None) => Err((invitation, StoreError::Conflict)),
        Err(e) => Err((invitation, e)),
    };
    recorded.unwrap_or_else(|(_, e)| {
        tracing::warn!(invitation = %queued.id, error = %e, "invitation row not written; its queue row holds it and the retry will resend");
        queued
    })
}

fn apply(invitation: &mut Invitation, sent: bool, now: OffsetDateTime) {
    if sent {
        invitation.record_delivery_success(now);
    } else {
        invitation.record_delivery_failure(now);
    }
}

/// Renders and sends; the error is already logged.
pub async fn send(
    services: &Services,
    invitation: &Invitation,
    url: &str,
) -> Result<(), MailError> {
    let email = render(invitation, url.to_owned(), &services.product_name);
    deliver(services, invitation, email).await
}

/// Sends a rendered email of `invitation` (its invitation or its reminder), within the
/// mail timeout; the error is already logged.
pub async fn deliver(
    services: &Services,
    invitation: &Invitation,
    email: Result<crate::mail::OutgoingEmail, askama::Error>,
) -> Result<(), MailError> {
    let result = match email {
        Err(e) => Err(MailError::Permanent(format!("template: {e}"))),
        Ok(email) => {
            match tokio::time::timeout(services.mail_timeout, services.mailer.send(&email)).await {
                Ok(result) => result,
                Err(_) => Err(MailError::Transient("timed out".into())),
            }
        }
    };
    match &result {
        Ok(()) => tracing::info!(invitation = %invitation.id, "invitation email sent"),
        Err(e) => {
            tracing::warn!(invitation = %invitation.id, error = %e, "invitation email not sent")
        }
    }
    result
}

/// Records an attempt's outcome with an ETag write, reading again on a conflict.
async fn record(
    services: &Services,
    mut current: Versioned<Invitation>,
    sent: bool,
    now: OffsetDateTime,
) -> Result<Invitation, (Invitation, StoreError)> {
    for _ in 0..5 {
        let mut invitation = current.value.clone();
        apply(&mut invitation, sent, now);
        match services.store.replace(&invitation, &current).await {
            Ok(_) => return Ok(invitation),
            Err(StoreError::Conflict) => match services.store.get(&invitation.id).await {
                Ok(Some(fresh)) => current = fresh,
                Ok(None) => return Err((invitation, StoreError::Conflict)),
                Err(e) => return Err((invitation, e)),
            },
            Err(e) => return Err((invitation, e)),
        }
    }
    Err((current.value, StoreError::Conflict))
}

/// What one pass over the queue did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RetryReport {
    pub sent: u32,
    pub requeued: u32,
    pub failed: u32,
    pub abandoned: u32,
    pub waiting: u32,
}

/// Sends every queued email that is due, once, with the backoff the domain sets.
pub async fn retry_due(services: &Services) -> Result<RetryReport, InvitationError> {
    let mut report = RetryReport::default();
    for id in services.store.delivery_queue().await? {
        match retry_one(services, &id).await {
            Ok(outcome) => outcome.count(&mut report),
            Err(e) => tracing::warn!(invitation = %id, error = %e, "retry skipped"),
        }
    }
    Ok(report)
}

enum Outcome {
    Sent,
    Requeued,
    Failed,
    Abandoned,
    Waiting,
    Done,
}

impl Outcome {
    fn count(self, report: &mut RetryReport) {
        match self {
            Self::Sent => report.sent += 1,
            Self::Requeued => report.requeued += 1,
            Self::Failed => report.failed += 1,
            Self::Abandoned => report.abandoned += 1,
            Self::Waiting => report.waiting += 1,
            Self::Done => {}
        }
    }
}

async fn retry_one(services: &Services, id: &InvitationId) -> Result<Outcome, InvitationError> {
    let now = services.clock.now();
    let Some(current) = services.store.get(id).await? else {
        return Ok(if services.store.settle_unmade(id, now).await? {
            Outcome::Done
        } else {
            Outcome::Waiting
        });
    };
    if !matches!(current.value.delivery, Delivery::Queued { .. }) {
        // A colleague invitation's pending row before its queue row goes: a create cut
        // short before writing it is finished here.
        super::pending::mirror(services, &current.value).await?;
        services.store.dequeue_delivery(id).await?;
        return Ok(Outcome::Done);
    }
    if !current.value.delivery_due(now) {
        return Ok(Outcome::Waiting);
    }
    let secret = InvitationSecret::generate(id.as_str())?;
    let mut claimed = current.value.clone();
    if claimed.claim_delivery(Some(secret.hash()), now).is_err() {
        claimed.abandon_delivery(now);
        services.store.replace(&claimed, &current).await?;
        super::pending::mirror(services, &claimed).await?;
        services.store.dequeue_delivery(id).await?;
        return Ok(Outcome::Abandoned);
    }
    let claimed = match services.store.replace(&claimed, &current).await {
        Ok(claimed) => claimed,
        Err(StoreError::Conflict) => return Ok(Outcome::Waiting), // another instance has it
        Err(e) => return Err(e.into()),
    };
    let url = Page::InvitationLink(secret.expose().to_owned()).url(&services.public_base_url);
    let sent = send(services, &claimed.value, &url).await.is_ok();
    let after = services.clock.now();
    let recorded = record(services, claimed, sent, after)
        .await
        .map_err(|(_, e)| InvitationError::from(e))?;
    super::pending::mirror(services, &recorded).await?;
    if !matches!(recorded.delivery, Delivery::Queued { .. }) {
        services.store.dequeue_delivery(id).await?;
    }
    Ok(match recorded.delivery {
        Delivery::Sent => Outcome::Sent,
        Delivery::Queued { .. } => Outcome::Requeued,
        Delivery::Failed { .. } => Outcome::Failed,
    })
}
