//! Passkeys on the profile (`POST /api/Profile/passkeys`: `action` = `start`, `finish`,
//! `rename` or `remove`) and at the step after a provider's sign-in (`action=passkey` on
//! `/api/Profile/mfa`). A ceremony's state is sealed in the five-minute `inv_passkey`
//! cookie, bound to the session (adding) or the held sign-in (the step) that started it;
//! the browser's part is `assets/passkeys.js`, handed the options in the page as JSON
//! data, which posts the authenticator's answer with the form.

use super::confirm::{Ask, CONFIRMED, ConfirmPage};
use super::messages::Message;
use super::pages::{Ceremony, PasskeyPage};
use super::signed_in::SignedIn;
use super::signin::{self, MfaPending};
use crate::domain::account::AccountId;
use crate::http::AppState;
use crate::http::cookies::PASSKEY;
use crate::http::extract::{Posted, Visit};
use crate::http::failure::{into_page, message_page};
use crate::http::layout::html;
use crate::http::session::Notice;
use crate::i18n::Tr;
use crate::page::Page;
use crate::service::passkeys::{self, PasskeyFailure, SignInState};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use warp::http::StatusCode;
use warp::reply::Response;
use webauthn_rs::prelude::SecurityKeyRegistration;

/// How long a ceremony may take.
pub const CEREMONY_LIFETIME: Duration = Duration::minutes(5);

/// The form of `POST /api/Profile/passkeys`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Form {
    action: String,
    name: String,
    id: String,
    /// The authenticator's answer (JSON), put there by the page's script.
    credential: String,
    confirm: String,
}

/// A passkey being added, kept by the browser of the session that started it.
#[derive(Serialize, Deserialize)]
struct Adding {
    account: String,
    /// The starting session's CSRF token, which no other session has.
    session: String,
    name: String,
    state: SecurityKeyRegistration,
}

/// The step's assertion under way, bound to the held sign-in (its CSRF token).
#[derive(Serialize, Deserialize)]
struct Asserting {
    pending: String,
    state: SignInState,
}

fn data(options: &impl Serialize) -> String {
    serde_json::to_string(options)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

/// `POST /api/Profile/passkeys`.
pub async fn post(who: SignedIn, posted: Posted<Form>) -> Result<Response, Response> {
    let form = who.form(posted, Page::Profile)?;
    if form.action != "rename" {
        // Adding and removing one change how the account is protected.
        who.recent(Message::ReauthNeeded)?;
    }
    match form.action.as_str() {
        "start" => start(&who, &form).await,
        "finish" => finish(who, &form).await,
        "rename" => {
            let services = &who.state().services;
            let done = passkeys::rename(services, &who.account, &form.id, &form.name).await;
            done_or_refused(who, done, Notice::PasskeyRenamed)
        }
        "remove" if form.confirm == CONFIRMED => {
            let services = &who.state().services;
            let done = passkeys::remove(services, &who.account, &form.id).await;
            done_or_refused(who, done, Notice::PasskeyRemoved)
        }
        "remove" => confirm_removal(&who, form.id).await,
        _ => Err(who.page(Message::BadForm)),
    }
}

/// The profile again with `notice`, or the page that says why nothing changed.
fn done_or_refused(
    mut who: SignedIn,
    done: Result<(), PasskeyFailure>,
    notice: Notice,
) -> Result<Response, Response> {
    done.map_err(|failure| refused(&who, failure))?;
    who.session.notice = Some(notice);
    let (state, now) = (&who.visit.state, who.visit.now);
    let clear = state.cookies.clear(PASSKEY);
    Ok(signin::grant(
        state,
        &who.session,
        &Page::Profile.href(),
        now,
        &[clear],
    ))
}

fn refused(who: &SignedIn, failure: PasskeyFailure) -> Response {
    match Message::try_from(failure) {
        Ok(message) => who.page(message),
        Err(e) => into_page::<Message>(who.state(), e, who.locale()),
    }
}

/// `action=start`: the named passkey's registration, on a page whose button creates it.
async fn start(who: &SignedIn, form: &Form) -> Result<Response, Response> {
    let (state, locale, now) = (who.state(), who.locale(), who.visit.now);
    let Some(name) = crate::domain::passkey::name(&form.name) else {
        return Err(refused(who, PasskeyFailure::BadName));
    };
    let user = who.session.email.as_str();
    let (options, registration) = passkeys::start_adding(&state.services, &who.account, user)
        .await
        .map_err(|failure| refused(who, failure))?;
    let kept = Adding {
        account: who.account.as_str().to_owned(),
        session: who.session.csrf.clone(),
        name: name.clone(),
        state: registration,
    };
    let cookie = state
        .cookies
        .seal(PASSKEY, &kept, now, now + CEREMONY_LIFETIME);
    let tr = Tr::new(locale);
    let ceremony = Ceremony {
        options: data(&options),
        mode: "create",
        post_to: Page::ProfilePasskeys.href(),
        action: "finish",
        csrf: who.session.csrf.clone(),
        button: tr.t("passkey-create"),
    };
    let view = PasskeyPage::new((locale, &state.services.product_name), name, ceremony);
    Ok(html(StatusCode::OK, &view, &[cookie]))
}

/// `action=finish`: the authenticator's answer to this session's registration.
async fn finish(who: SignedIn, form: &Form) -> Result<Response, Response> {
    let kept: Option<Adding> = who.visit.cookie(PASSKEY);
    let Some(kept) =
        kept.filter(|k| k.account == who.account.as_str() && who.session.csrf_matches(&k.session))
    else {
        return Err(who.page(Message::FormExpired {
            page: Page::Profile,
        }));
    };
    let services = &who.state().services;
    let added = passkeys::finish_adding(
        services,
        &who.account,
        &kept.name,
        &kept.state,
        &form.credential,
    )
    .await;
    done_or_refused(who, added.map(|_| ()), Notice::PasskeyAdded)
}

/// Removing a passkey asks first, naming it.
async fn confirm_removal(who: &SignedIn, id: String) -> Result<Response, Response> {
    let (state, locale) = (who.state(), who.locale());
    let keys = passkeys::list(&state.services, &who.account)
        .await
        .map_err(|e| into_page::<Message>(state, e, locale))?;
    let Some(key) = keys.into_iter().find(|k| k.id == id) else {
        return Err(refused(who, PasskeyFailure::NotFound));
    };
    let tr = Tr::new(locale);
    let ask = Ask {
        heading: tr.t("passkey-remove-heading"),
        paragraphs: vec![tr.t1("passkey-remove-p1", "name", key.name)],
        button: ("passkey-remove-confirm", tr.t("passkey-remove-confirm")),
        cancel: (tr.t("delete-cancel"), Page::Profile.href()),
    };
    let fields = vec![("action", "remove".to_owned()), ("id", id)];
    let form = (Page::ProfilePasskeys.href(), fields);
    let product = &state.services.product_name;
    Ok(ConfirmPage::new((locale, product), ask, form, &who.session.csrf).answer())
}

/// The step after a provider's sign-in, for a held sign-in whose account has passkeys:
/// the ceremony for its page and the cookie that keeps its state; `None` without.
pub(super) async fn step(
    state: &AppState,
    pending: &MfaPending,
    now: OffsetDateTime,
) -> Result<Option<(Ceremony, String)>, Response> {
    let account = AccountId::from_stored(pending.account.clone());
    let locale = pending.session.locale();
    let (options, asserting) = match passkeys::start_sign_in(&state.services, &account).await {
        Ok(Some(started)) => started,
        Ok(None) | Err(PasskeyFailure::NotAvailable) => return Ok(None),
        Err(PasskeyFailure::Store(e)) => return Err(into_page::<Message>(state, e, locale)),
        Err(_) => return Err(message_page(state, &Message::Internal, locale, &[])),
    };
    let until = OffsetDateTime::from_unix_timestamp(pending.until).unwrap_or(now);
    let kept = Asserting {
        pending: pending.csrf.clone(),
        state: asserting,
    };
    let cookie = state.cookies.seal(PASSKEY, &kept, now, until);
    let ceremony = Ceremony {
        options: data(&options),
        mode: "get",
        post_to: Page::ProfileMfa.href(),
        action: "passkey",
        csrf: pending.csrf.clone(),
        button: Tr::new(locale).t("passkey-use"),
    };
    Ok(Some((ceremony, cookie)))
}

/// The state of the step's assertion this held sign-in started, if any.
pub(super) fn held(visit: &Visit, pending: &MfaPending) -> Option<SignInState> {
    let kept: Option<Asserting> = visit.cookie(PASSKEY);
    kept.filter(|k| k.pending == pending.csrf).map(|k| k.state)
}
