//! One invitation: `GET /api/Staff/invitations/{id}` (its facts and history),
//! `GET …/{id}/resend` and `…/{id}/revoke` (the confirmation step, works without
//! JavaScript) and `POST` to the same addresses (the action, with the CSRF token).

use super::messages::StaffMessage;
use super::views::{
    ConfirmPage, DetailPage, FLASH_LIFETIME, Flash, Frame, Row, Sent, actor_label, event_label,
    language_name, when,
};
use super::{Staff, StaffSession};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{Invitation, InvitationId, Status};
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::STAFF_FLASH;
use crate::http::explain;
use crate::http::extract::{NoFields, Posted, Visit};
use crate::http::failure::{into_page, message_page};
use crate::http::layout::{html, redirect};
use crate::i18n::Tr;
use crate::page::Page;
use crate::service::{InvitationError, invitations};
use time::OffsetDateTime;
use warp::http::StatusCode;
use warp::reply::Response;

/// What a staff member may do to one invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Resend,
    Revoke,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::Resend => "resend",
            Self::Revoke => "revoke",
        }
    }
}

fn detail_page(
    state: &AppState,
    session: &StaffSession,
    locale: Locale,
    invitation: &Invitation,
    now: OffsetDateTime,
    flash: Flash,
    created_company: Option<String>,
) -> DetailPage {
    let tr = Tr::new(locale);
    let Flash { sent, notice } = flash;
    DetailPage {
        frame: Frame::new(
            locale,
            invitation.email.as_str(),
            &state.services.product_name,
            session,
        ),
        sent,
        notice,
        row: Row::new(invitation, now, tr),
        language: language_name(invitation.locale, tr),
        created_company,
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
            .collect(),
    }
}

/// The company the customer created from this invitation, as one line; `None` before.
async fn created_company(state: &AppState, invitation: &Invitation) -> Option<String> {
    if invitation.status_at(state.services.clock.now()) != Status::Completed {
        return None;
    }
    let company = match invitations::created_company(&state.services, &invitation.id).await {
        Ok(company) => company?,
        Err(e) => {
            tracing::warn!(error = %e, "the created company could not be read");
            return None;
        }
    };
    let d = &company.details;
    Some(format!(
        "{} · {} · {}, {} {} · {}",
        d.name,
        d.vat_number.as_str(),
        d.street,
        d.postal_code.as_str(),
        d.city,
        d.country
    ))
}

/// The invitation named in the path, or the page to show instead.
async fn open(staff: &Staff, id: &str) -> Result<(Invitation, OffsetDateTime), Response> {
    let (state, locale) = (&staff.visit.state, staff.locale);
    let Ok(id) = InvitationId::parse(id) else {
        return Err(message_page(state, &StaffMessage::NotFound, locale, &[]));
    };
    match invitations::get(&state.services, &id).await {
        Ok(found) => Ok(found),
        Err(e) => Err(into_page::<StaffMessage>(state, e, locale)),
    }
}

/// `GET /api/Staff/invitations/{id}`.
pub async fn detail(id: String, staff: Staff) -> Result<Response, Response> {
    let (invitation, now) = open(&staff, &id).await?;
    let (visit, session, locale) = (&staff.visit, &staff.session, &staff.locale);
    let (state, locale) = (&visit.state, *locale);
    // What the post before the redirect here left to show, once.
    let flash: Option<Flash> = visit.cookie(STAFF_FLASH);
    let cookies: Vec<String> = flash
        .is_some()
        .then(|| state.cookies.clear(STAFF_FLASH))
        .into_iter()
        .collect();
    let company = created_company(state, &invitation).await;
    let flash = flash.unwrap_or_default();
    let page = detail_page(state, session, locale, &invitation, now, flash, company);
    Ok(html(StatusCode::OK, &page, &cookies))
}

/// `GET /api/Staff/invitations/{id}/{action}`: are you sure?
pub async fn confirm(id: String, action: Action, staff: Staff) -> Result<Response, Response> {
    let (invitation, now) = open(&staff, &id).await?;
    let (visit, session, locale) = (&staff.visit, &staff.session, &staff.locale);
    let page = confirm_page(visit, session, *locale, &invitation, action, now);
    Ok(html(StatusCode::OK, &page, &[]))
}

/// The confirmation step of `action` on `invitation`.
fn confirm_page(
    visit: &Visit,
    session: &StaffSession,
    locale: Locale,
    invitation: &Invitation,
    action: Action,
    now: OffsetDateTime,
) -> ConfirmPage {
    let product = &visit.state.services.product_name;
    ConfirmPage {
        frame: Frame::new(locale, invitation.email.as_str(), product, session),
        action: action.as_str(),
        row: Row::new(invitation, now, Tr::new(locale)),
        error: None,
    }
}

/// `POST /api/Staff/invitations/{id}/{action}`: the action, then the invitation's page.
pub async fn act(
    id: String,
    action: Action,
    staff: Staff,
    posted: Posted<NoFields>,
) -> Result<Response, Response> {
    let (invitation, _) = open(&staff, &id).await?;
    let (visit, session, locale) = (staff.visit, staff.session, staff.locale);
    super::checked(&visit, &session, posted, locale)?;
    let state = &visit.state;
    let Ok(staff) = EmailAddress::parse(&session.email) else {
        return Err(message_page(state, &StaffMessage::Internal, locale, &[]));
    };
    let tr = Tr::new(locale);
    let result = perform(state, action, &invitation.id, &staff, tr).await;
    // Refused: the confirmation step again, saying why.
    let refused = |status: StatusCode, why: String| {
        let now = state.services.clock.now();
        let mut page = confirm_page(&visit, &session, locale, &invitation, action, now);
        page.error = Some(why);
        html(status, &page, &[])
    };
    Ok(match result {
        // Answered with a redirect, so reloading the page does not post again.
        Ok((invitation, now, sent, notice)) => {
            let flash = state.cookies.seal(
                STAFF_FLASH,
                &Flash { sent, notice },
                now,
                now + FLASH_LIFETIME,
            );
            let to =
                Page::OfficeInvitation(invitation.id.to_string()).with("lang", locale.as_str());
            redirect(StatusCode::SEE_OTHER, &to.href(), &[flash])
        }
        Err(InvitationError::NotAllowed(why)) => {
            refused(StatusCode::CONFLICT, explain::refusal(tr, &why))
        }
        Err(InvitationError::Limited { limit, .. }) => {
            refused(StatusCode::TOO_MANY_REQUESTS, explain::limit(tr, &limit))
        }
        Err(e) => into_page::<StaffMessage>(state, e, locale),
    })
}

/// What a done action shows next: the invitation, the time, the link sent (a resend) and
/// a notice (a revoke).
type Done = (Invitation, OffsetDateTime, Option<Sent>, Option<String>);

/// Resends or revokes the invitation as `staff`.
async fn perform(
    state: &AppState,
    action: Action,
    id: &InvitationId,
    staff: &EmailAddress,
    tr: Tr,
) -> Result<Done, InvitationError> {
    match action {
        Action::Resend => {
            let sender = invitations::Sender::Staff;
            let r = invitations::resend(&state.services, id, staff, sender).await?;
            let sent = Sent {
                id: r.invitation.id.to_string(),
                email: r.invitation.email.to_string(),
                invite_url: r.invite_url,
                resent: true,
            };
            Ok((r.invitation, r.now, Some(sent), None))
        }
        Action::Revoke => {
            let (invitation, now) = invitations::revoke(&state.services, id, staff).await?;
            Ok((invitation, now, None, Some(tr.t("staff-notice-revoked"))))
        }
    }
}
