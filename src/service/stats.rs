//! The sales figures: how many invitations sent in a period reached each step, for one
//! inviter or everyone ([`crate::domain::stats`]), read from the figures rows the
//! invitations' own writes keep (a handful of calls for any period up to a year).

use super::{InvitationError, Services};
use crate::domain::FieldError;
use crate::domain::email::EmailAddress;
use crate::domain::stats::{Figures, Period, Tallies};
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
