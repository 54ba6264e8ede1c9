//! `POST /api/Profile/delete`: the customer deletes their own account. Without
//! `confirm=yes` it shows what will happen and asks to confirm; with it, the account is
//! erased as a staff erasure would, and the browser is signed out. Needs the form's CSRF
//! token and a recent sign-in; the last administrator of a company with other members
//! must hand over first (409).

use super::messages::Message;
use super::pages::{Chrome, MessagePage, html};
use super::profile::signed_in_account;
use super::{error_page, message_page};
use crate::domain::account::Membership;
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::cookies::{MFA, SESSION};
use crate::i18n::Tr;
use crate::service::account;
use crate::service::privacy::{self, DeleteFailure};
use askama::Template;
use warp::http::StatusCode;
use warp::reply::Response;

#[derive(Template)]
#[template(path = "pages/delete_account.html")]
pub(super) struct ConfirmPage {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    csrf: String,
    button: String,
    cancel: String,
}

/// The form of `POST /api/Profile/delete`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct DeleteForm {
    csrf: String,
    confirm: String,
}

pub async fn post(
    state: AppState,
    cookie_header: Option<String>,
    accept_language: Option<String>,
    body: Result<bytes::Bytes, crate::http::problem::Problem>,
) -> Result<Response, Response> {
    let now = state.services.clock.now();
    let (session, account_id) = signed_in_account(
        &state,
        cookie_header.as_deref(),
        accept_language.as_deref(),
        now,
    )
    .await?;
    let locale = session.locale();
    let DeleteForm { csrf, confirm } =
        crate::http::session::form(&body.unwrap_or_default()).unwrap_or_default();
    let confirmed = confirm == "yes";
    if !session.csrf_matches(&csrf) {
        let expired = Message::FormExpired {
            page: "/api/Profile",
        };
        return Err(message_page(&state, expired, locale, &[]));
    }
    if !account::is_recent(session.signed_in_at, now) {
        return Err(message_page(&state, Message::ReauthNeeded, locale, &[]));
    }
    let product = &state.services.product_name;
    if !confirmed {
        let blocked = privacy::handover_needed(&state.services, &account_id)
            .await
            .map_err(|e| error_page(&state, e, locale))?;
        if !blocked.is_empty() {
            return Err(handover_page(&blocked, locale, product));
        }
        return Ok(html(
            StatusCode::OK,
            &confirm_page(locale, product, session.csrf.clone()),
            &[],
        ));
    }
    match privacy::delete_own_account(&state.services, &account_id).await {
        Ok(_) => Ok(html(
            StatusCode::OK,
            &deleted_page(locale, product),
            &[state.cookies.clear(SESSION), state.cookies.clear(MFA)],
        )),
        Err(DeleteFailure::LastAdministrator(blocked)) => {
            Err(handover_page(&blocked, locale, product))
        }
        Err(DeleteFailure::NoAccount) => Err(message_page(
            &state,
            Message::SessionRequired,
            locale,
            &[state.cookies.clear(SESSION)],
        )),
        Err(DeleteFailure::Store(e)) => Err(error_page(&state, e, locale)),
    }
}

pub(super) fn confirm_page(locale: Locale, product: &str, csrf: String) -> ConfirmPage {
    let tr = Tr::new(locale);
    ConfirmPage {
        chrome: Chrome::new(locale, tr.t("delete-title"), product),
        heading: tr.t("delete-heading"),
        paragraphs: vec![tr.t1("delete-p1", "product", product), tr.t("delete-p2")],
        csrf,
        button: tr.t("delete-confirm"),
        cancel: tr.t("delete-cancel"),
    }
}

pub(super) fn deleted_page(locale: Locale, product: &str) -> MessagePage {
    let tr = Tr::new(locale);
    MessagePage {
        chrome: Chrome::new(locale, tr.t("deleted-title"), product),
        heading: tr.t("deleted-heading"),
        paragraphs: vec![tr.t1("deleted-p1", "product", product)],
        action: None,
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
        action: Some((tr.t("action-back-to-profile"), "/api/Profile".to_owned())),
    }
}
