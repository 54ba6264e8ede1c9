//! The `SendReminders` timer's work: one reminder for each pending invitation nobody
//! opened `REMINDER_AFTER_DAYS` after its email was sent (`domain::reminder`).

use super::{InvitationError, Services, delivery, limits, update_invitation};
use crate::domain::invitation::{ExpiryDays, Invitation};
use crate::domain::secret::InvitationSecret;
use crate::mail::invitation::render_reminder;
use crate::page::Page;
use crate::storage::StoreError;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// What one run did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReminderReport {
    pub sent: u32,
    /// Not sent today: the address had its emails for the day (tried on the next run).
    pub limited: u32,
    /// The email could not go (tried on the next run).
    pub failed: u32,
}

/// Sends the reminders that are due. Only the day partitions of the invitations sent
/// from the longest link life ago to `REMINDER_AFTER_DAYS` ago are read (one query): an
/// invitation sent earlier has expired unless it was resent.
pub async fn send_due(services: &Services) -> Result<ReminderReport, InvitationError> {
    let mut report = ReminderReport::default();
    if services.reminder_after_days == 0 {
        return Ok(report);
    }
    let after = Duration::days(i64::from(services.reminder_after_days));
    let now = services.clock.now();
    let oldest = now - Duration::days(ExpiryDays::MAX);
    for listed in services
        .store
        .pending_sent_between(oldest, now - after)
        .await?
    {
        if !listed.reminder_due(after, now) {
            continue;
        }
        match remind(services, &listed, after, now).await {
            Ok(Some(Outcome::Sent)) => report.sent += 1,
            Ok(Some(Outcome::Failed)) => report.failed += 1,
            Ok(None) => {}
            Err(InvitationError::Limited { .. }) => report.limited += 1,
            Err(e) => tracing::warn!(invitation = %listed.id, error = %e, "reminder skipped"),
        }
    }
    Ok(report)
}

enum Outcome {
    Sent,
    Failed,
}

/// Reads the invitation again (its ETag), counts the email against the address's daily
/// limit, claims the reminder with its new link, sends it and records the outcome.
/// `None` when it is no longer due or another instance has it.
async fn remind(
    services: &Services,
    listed: &Invitation,
    after: Duration,
    now: OffsetDateTime,
) -> Result<Option<Outcome>, InvitationError> {
    let Some(current) = services.store.get(&listed.id).await? else {
        return Ok(None);
    };
    if !current.value.reminder_due(after, now) {
        return Ok(None);
    }
    limits::email_to(services, &current.value.email, now).await?;
    let secret = InvitationSecret::generate(listed.id.as_str())?;
    let mut claimed = current.value.clone();
    if claimed.claim_reminder(secret.hash(), now).is_err() {
        return Ok(None);
    }
    let claimed = match services.store.replace(&claimed, &current).await {
        Ok(claimed) => claimed,
        Err(StoreError::Conflict) => return Ok(None), // changed meanwhile: the next run looks again
        Err(e) => return Err(e.into()),
    };
    let url = Page::InvitationLink(secret.expose().to_owned()).url(&services.public_base_url);
    let email = render_reminder(&claimed.value, url, &services.product_name);
    let sent = delivery::deliver(services, &claimed.value, email)
        .await
        .is_ok();
    let at = services.clock.now();
    update_invitation::<InvitationError>(services, &listed.id, Some(claimed), |invitation| {
        Ok(invitation.record_reminder(sent, at))
    })
    .await?;
    tracing::info!(invitation = %listed.id, sent, "reminder");
    Ok(Some(if sent { Outcome::Sent } else { Outcome::Failed }))
}
