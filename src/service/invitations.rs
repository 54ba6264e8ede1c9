//! Creating, reading and listing invitations.

use super::{InvitationError, Services, delivery, random_u64};
use crate::domain::invitation::{Invitation, InvitationId, Inviter, ListFilter, NewInvitation};
use crate::domain::secret::InvitationSecret;
use crate::mail::invitation::invite_url;
use crate::storage::Page;
use time::OffsetDateTime;

pub struct Created {
    pub invitation: Invitation,
    pub invite_url: String,
    pub now: OffsetDateTime,
}

/// Stores the invitation, then sends its email. The invitation is stored first and never
/// lost: if the email cannot go now it stays `queued` and is retried.
pub async fn create(
    services: &Services,
    new: NewInvitation,
    inviter: Inviter,
) -> Result<Created, InvitationError> {
    let now = services.clock.now();
    let secret = InvitationSecret::generate()?;
    let id = InvitationId::new(now, random_u64()?);
    let invitation = Invitation::create(new, inviter, id, secret.hash(), now);
    let stored = services.store.insert(&invitation, now).await?;
    tracing::info!(invitation = %invitation.id, "invitation created");
    let url = invite_url(&services.public_base_url, &secret);
    let invitation = delivery::first_attempt(services, stored, &url).await;
    Ok(Created {
        invitation,
        invite_url: url,
        now,
    })
}

pub async fn get(
    services: &Services,
    id: &InvitationId,
) -> Result<(Invitation, OffsetDateTime), InvitationError> {
    let now = services.clock.now();
    match services.store.get(id).await? {
        Some(found) => Ok((found.value, now)),
        None => Err(InvitationError::NotFound),
    }
}

pub async fn list(
    services: &Services,
    filter: &ListFilter,
) -> Result<(Page, OffsetDateTime), InvitationError> {
    let now = services.clock.now();
    Ok((services.store.list(filter, now).await?, now))
}
