//! The sales figures: how many invitations sent in a period reached each step, for one
//! inviter or everyone ([`crate::domain::stats`]), read from the figures rows the
//! invitations' own writes keep (a handful of calls for any period up to a year).

use super::{InvitationError, Services};
use crate::domain::FieldError;
use crate::domain::email::EmailAddress;
use crate::domain::invitation::Invitation;
use crate::domain::stats::{Figures, Nudge, Period, Tallies};
use time::OffsetDateTime;

/// The period a request asks for, as of now (the one clock read of the request).
pub fn period(
    services: &Services,
    from: Option<OffsetDateTime>,
    to: Option<OffsetDateTime>,
) -> Result<(Period, OffsetDateTime), FieldError> {
    let now = services.clock.now();
    Ok((Period::new(from, to, now)?, now))
}

/// The figures of the invitations sent in `period` by `inviter` (everyone's with `None`),
/// as of `now`.
pub async fn figures(
    services: &Services,
    period: Period,
    inviter: Option<&EmailAddress>,
    now: OffsetDateTime,
) -> Result<Figures, InvitationError> {
    let rows = services.store.figures(period.from, period.to).await?;
    let inviter = inviter.map(EmailAddress::normalized);
    Ok(Tallies::sum(&rows, inviter.as_deref()).figures(now))
}

/// How many invitations each list of the back office's "needs a nudge" shows.
pub const NUDGES: usize = 10;

/// What the back office shows above its list: the last 30 days' figures for the
/// signed-in sales person and for everyone, and the invitations that need a nudge.
pub struct Overview {
    pub period: Period,
    pub mine: Figures,
    pub everyone: Figures,
    /// Pending and never opened `REMINDER_AFTER_DAYS` after they were sent, newest first.
    pub unopened: Vec<Invitation>,
    /// Expired and not resent, newest first.
    pub expired: Vec<Invitation>,
    pub now: OffsetDateTime,
}

/// The back office's overview for `me`: two queries, at once (the figures rows of the
/// last 30 days, and their invitations still pending as stored).
pub async fn overview(services: &Services, me: &EmailAddress) -> Result<Overview, InvitationError> {
    let now = services.clock.now();
    let period = Period::new(None, None, now)
        .map_err(|_| InvitationError::Internal("the default period".into()))?;
    let (rows, pending) = futures::join!(
        services.store.figures(period.from, period.to),
        services.store.pending_sent_between(period.starts(), now),
    );
    let rows = rows?;
    let mine = Tallies::sum(&rows, Some(&me.normalized())).figures(now);
    let everyone = Tallies::sum(&rows, None).figures(now);
    let (mut unopened, mut expired) = (Vec::new(), Vec::new());
    for invitation in pending? {
        match Nudge::of(&invitation, services.reminder_after_days, now) {
            Some(Nudge::Unopened) if unopened.len() < NUDGES => unopened.push(invitation),
            Some(Nudge::Expired) if expired.len() < NUDGES => expired.push(invitation),
            _ => {}
        }
    }
    Ok(Overview {
        period,
        mine,
        everyone,
        unopened,
        expired,
        now,
    })
}
