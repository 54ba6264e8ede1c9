//! `POST /api/Profile/delete`: the customer deletes their own account. Without
//! `confirm=yes` it shows what will happen and asks to confirm; with it, the account is
//! erased as a staff erasure would, and the browser is signed out. Needs the form's CSRF
//! token and a recent sign-in; the last administrator of a company with other members
//! must hand over first (409).

use super::confirm::{Ask, CONFIRMED, ConfirmPage};
use super::messages::Message;
use super::signed_in::SignedIn;
use crate::domain::account::Membership;
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::{MFA, SESSION};
use crate::http::extract::{Posted, SignedOutQuery};
use crate::http::failure::{into_page, message_page};
use crate::http::layout::{Chrome, MessagePage, html, redirect};
use crate::i18n::Tr;
use crate::page::{Link, Page};
use crate::service::privacy::{self, DeleteFailure};
use warp::http::StatusCode;
use warp::reply::Response;

/// The form of `POST /api/Profile/delete`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
}

pub async fn post(who: SignedIn, posted: Posted<DeleteForm>) -> Result<Response, Response> {
    let DeleteForm { confirm } = who.form(posted, Page::Profile)?;
    who.recent(Message::ReauthNeeded)?;
    let (state, locale) = (who.state(), who.locale());
    let product = &state.services.product_name;
    if confirm != CONFIRMED {
        let blocked = privacy::handover_needed(&state.services, &who.account)
            .await
            .map_err(|e| into_page::<Message>(state, e, locale))?;
        if !blocked.is_empty() {
            return Err(handover_page(&blocked, locale, product));
        }
        return Ok(confirm_page(locale, product, &who.session.csrf).answer());
    }
    match privacy::delete_own_account(&state.services, &who.account).await {
        Ok(_) => Ok(signed_out(state, locale).await),
        Err(DeleteFailure::LastAdministrator(blocked)) => {
            Err(handover_page(&blocked, locale, product))
        }
        Err(DeleteFailure::NoAccount) => Err(message_page(
            state,
            &Message::SessionRequired,
            locale,
            &[state.cookies.clear(SESSION)],
        )),
        Err(DeleteFailure::Store(e)) => Err(into_page::<Message>(state, e, locale)),
    }
}

pub(super) fn confirm_page(locale: Locale, product: &str, csrf: &str) -> ConfirmPage {
    let tr = Tr::new(locale);
    let ask = Ask {
        heading: tr.t("delete-heading"),
        paragraphs: vec![tr.t1("delete-p1", "product", product), tr.t("delete-p2")],
        button: ("delete-confirm", tr.t("delete-confirm")),
        cancel: (tr.t("delete-cancel"), Page::Profile.href()),
    };
    let action = (Page::ProfileDelete.href(), Vec::new());
    ConfirmPage::new((locale, product), ask, action, csrf)
}

/// Deleted: signed out here and, when the provider has an end-session endpoint, there too
/// (else a visit to Home would sign the person straight back in, to a "no account"
/// page), coming back to `/api/SignedOut`, which says the account is deleted in the
/// person's language.
async fn signed_out(state: &AppState, locale: Locale) -> Response {
    let cleared = [state.cookies.clear(SESSION), state.cookies.clear(MFA)];
    let back = Page::SignedOut.url(&state.services.public_base_url);
    let said = format!("{}{}", locale.as_str(), SignedOutQuery::DELETED);
    match state.customer.end_session_url(&back, &said).await {
        Some(url) => redirect(StatusCode::SEE_OTHER, url.as_str(), &cleared),
        None => {
            let page = deleted_page(locale, &state.services.product_name);
            html(StatusCode::OK, &page, &cleared)
        }
    }
}

/// "Your account is deleted", with a way on: a sign-in in the same language (another
/// account, or a new invitation).
pub(super) fn deleted_page(locale: Locale, product: &str) -> MessagePage {
    let tr = Tr::new(locale);
    let sign_in = Link::from(Page::SignIn).lang(locale).href();
    MessagePage {
        chrome: Chrome::new(locale, tr.t("deleted-title"), product),
        heading: tr.t("deleted-heading"),
        paragraphs: vec![tr.t1("deleted-p1", "product", product)],
        action: Some((tr.t("action-sign-in"), sign_in)),
        post: None,
    }
}

/// 409: the account is the last administrator of companies that have other members.
fn handover_page(blocked: &[Membership], locale: Locale, product: &str) -> Response {
    let names = blocked
        .iter()
        .map(|m| m.company_name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let page = handover_message(&names, blocked.len(), locale, product);
    html(StatusCode::CONFLICT, &page, &[])
}

pub(super) fn handover_message(
    names: &str,
    count: usize,
    locale: Locale,
    product: &str,
) -> MessagePage {
    let tr = Tr::new(locale);
    MessagePage {
        chrome: Chrome::new(locale, tr.t("handover-title"), product),
        heading: tr.t("handover-heading"),
        paragraphs: vec![
            tr.t2("handover-p1", "companies", names, "count", count),
            tr.t("handover-p2"),
        ],
        action: Some((tr.t("action-back-to-profile"), Page::Profile.href())),
        post: None,
    }
}
