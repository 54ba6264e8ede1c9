//! `GET /api/Profile` (email, linked logins, MFA state) and `POST /api/Profile/link`
//! (link Microsoft or Google; unlink while another login remains).

use super::messages::Message;
use super::pages::{Chrome, LoginView, ProfilePage, html};
use super::signin::{self, Purpose};
use super::{Session, error_page, message_page, open_session};
use crate::domain::account::{AccountId, Provider, login_key};
use crate::domain::locale::Locale;
use crate::http::AppState;
use crate::http::session::Notice;
use crate::i18n::Tr;
use crate::identity::customer::AuthorizeHints;
use crate::service::account::{self, UnlinkFailure};
use time::OffsetDateTime;
use warp::http::StatusCode;
use warp::reply::Response;

pub fn provider_name(provider: &Provider, locale: Locale) -> String {
    match (provider, locale) {
        (Provider::Local, _) => Tr::new(locale).t("provider-local"),
        (Provider::Google, _) => "Google".into(),
        (Provider::Microsoft, _) => "Microsoft".into(),
        (Provider::Other(idp), _) => idp.clone(),
    }
}

/// The signed-in session and its account, or the page to show instead.
pub async fn signed_in_account(
    state: &AppState,
    cookie_header: Option<&str>,
    accept_language: Option<&str>,
    now: OffsetDateTime,
) -> Result<(Session, AccountId), Response> {
    let Some(session) = open_session(state, cookie_header, now) else {
        let locale = Locale::negotiate(accept_language);
        return Err(message_page(state, Message::SessionRequired, locale, &[]));
    };
    let locale = session.locale();
    match account::account_for(&state.services, &session.login()).await {
        Ok(Some(account)) => Ok((session, account)),
        Ok(None) if session.invitation.is_some() => Err(super::pages::redirect(
            StatusCode::SEE_OTHER,
            "/api/CreateCompany",
            &[],
        )),
        Ok(None) => {
            let email = Some(session.email.clone()).filter(|e| !e.is_empty());
            Err(message_page(
                state,
                Message::NoAccount { email },
                locale,
                &[],
            ))
        }
        Err(e) => Err(error_page(state, e, locale)),
    }
}

/// A notice in `locale`.
pub(super) fn notice_text(notice: &Notice, locale: Locale) -> String {
    let (id, provider) = notice.message();
    let tr = Tr::new(locale);
    match provider {
        Some(provider) => tr.t1(id, "provider", provider_name(provider, locale)),
        None => tr.t(id),
    }
}

pub async fn show(
    state: AppState,
    query: String,
    cookie_header: Option<String>,
    accept_language: Option<String>,
) -> Result<Response, Response> {
    let now = state.services.clock.now();
    if open_session(&state, cookie_header.as_deref(), now).is_none() {
        // Signed out: a sign-in, which comes back here.
        let locale = super::query_locale(&query)
            .unwrap_or_else(|| Locale::negotiate(accept_language.as_deref()));
        let to = format!("/api/SignIn?next=profile&lang={}", locale.as_str());
        return Err(super::pages::redirect(StatusCode::FOUND, &to, &[]));
    }
    let (mut session, account) = signed_in_account(
        &state,
        cookie_header.as_deref(),
        accept_language.as_deref(),
        now,
    )
    .await?;
    let switched = super::choose_language(&state, &mut session, &query, now)
        .await
        .is_some();
    let locale = session.locale();
    let overview = match account::overview(&state.services, &account).await {
        Ok(Some(overview)) => overview,
        Ok(None) => return Err(message_page(&state, Message::SessionRequired, locale, &[])),
        Err(e) => return Err(error_page(&state, e, locale)),
    };
    let current = session.login();
    let removable = overview.logins.len() > 1;
    let logins: Vec<LoginView> = overview
        .logins
        .iter()
        .map(|l| LoginView {
            key: login_key(&l.login),
            provider: provider_name(&l.provider, locale),
            linked: crate::mail::invitation::long_date(l.linked_at, locale),
            current: l.login == current,
            removable: removable && l.login != current,
        })
        .collect();
    let has = |p: &Provider| overview.logins.iter().any(|l| &l.provider == p);
    let notice = session.notice.take().map(|n| notice_text(&n, locale));
    // The notice is shown once: the session is written back without it.
    let cookies = if notice.is_some() || switched {
        vec![signin::reseal(&state, &session, now)]
    } else {
        Vec::new()
    };
    let page = ProfilePage {
        chrome: Chrome::new(
            locale,
            Tr::new(locale).t("profile-title"),
            &state.services.product_name,
        )
        .with_switch(),
        email: overview.profile.email.to_string(),
        logins,
        can_link_microsoft: !has(&Provider::Microsoft),
        can_link_google: !has(&Provider::Google),
        mfa: overview.mfa,
        notice,
        csrf: session.csrf.clone(),
    };
    Ok(html(StatusCode::OK, &page, &cookies))
}

/// The form of `POST /api/Profile/link`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct LinkForm {
    csrf: String,
    provider: Option<String>,
    unlink: Option<String>,
}

/// `POST /api/Profile/link`: `provider` = `microsoft` | `google` starts linking;
/// `unlink` = a login's key removes it.
pub async fn link(
    state: AppState,
    cookie_header: Option<String>,
    accept_language: Option<String>,
    body: Result<bytes::Bytes, crate::http::problem::Problem>,
) -> Result<Response, Response> {
    let now = state.services.clock.now();
    let (session, account) = signed_in_account(
        &state,
        cookie_header.as_deref(),
        accept_language.as_deref(),
        now,
    )
    .await?;
    let locale = session.locale();
    let LinkForm {
        csrf,
        provider,
        unlink,
    } = crate::http::session::form(&body.unwrap_or_default()).unwrap_or_default();
    if !session.csrf_matches(&csrf) {
        return Err(message_page(
            &state,
            Message::FormExpired {
                page: "/api/Profile",
            },
            locale,
            &[],
        ));
    }
    let reauth = match provider.as_deref() {
        Some("microsoft") => Message::ReauthToLink {
            next: "link-microsoft",
        },
        Some("google") => Message::ReauthToLink {
            next: "link-google",
        },
        _ => Message::ReauthNeeded,
    };
    if !account::is_recent(session.signed_in_at, now) {
        return Err(message_page(&state, reauth, locale, &[]));
    }
    if let Some(key) = unlink {
        return Ok(remove(&state, session, &account, &key, now).await);
    }
    start_link(&state, &session, &account, provider.as_deref()).await
}

/// `GET /api/Profile/link?provider=…`: linking asked for before a sign-in again, resumed
/// once that sign-in is done (recent); otherwise the profile, where it can be asked again.
pub async fn resume_link(
    state: AppState,
    query: String,
    cookie_header: Option<String>,
    accept_language: Option<String>,
) -> Result<Response, Response> {
    let now = state.services.clock.now();
    let (session, account) = signed_in_account(
        &state,
        cookie_header.as_deref(),
        accept_language.as_deref(),
        now,
    )
    .await?;
    let provider = url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "provider")
        .map(|(_, value)| value.into_owned());
    if !account::is_recent(session.signed_in_at, now) {
        return Err(super::pages::redirect(
            StatusCode::SEE_OTHER,
            "/api/Profile",
            &[],
        ));
    }
    start_link(&state, &session, &account, provider.as_deref()).await
}

/// Sends the browser to the provider to sign in with the login to link.
async fn start_link(
    state: &AppState,
    session: &Session,
    account: &AccountId,
    provider: Option<&str>,
) -> Result<Response, Response> {
    let locale = session.locale();
    let domain_hint = match provider {
        Some("microsoft") => "live.com",
        Some("google") => "google.com",
        _ => return Err(message_page(state, Message::BadForm, locale, &[])),
    };
    let hints = AuthorizeHints {
        login_hint: Some(session.email.as_str()).filter(|e| !e.is_empty()),
        domain_hint: Some(domain_hint),
        prompt: Some("login"),
        ui_locales: Some(locale.as_str()),
    };
    let purpose = Purpose::Link {
        account: account.as_str().to_owned(),
    };
    Ok(signin::start(state, purpose, locale, hints, StatusCode::SEE_OTHER).await)
}

async fn remove(
    state: &AppState,
    mut session: Session,
    account: &AccountId,
    key: &str,
    now: OffsetDateTime,
) -> Response {
    let locale = session.locale();
    match account::unlink(&state.services, account, key, &session.login()).await {
        Ok(removed) => {
            session.notice = Some(Notice::Unlinked(removed.provider.clone()));
            signin::grant(state, &session, "/api/Profile", now, &[])
        }
        Err(UnlinkFailure::LastLogin) => {
            message_page(state, Message::UnlinkRefused { last: true }, locale, &[])
        }
        Err(UnlinkFailure::InUse) => {
            message_page(state, Message::UnlinkRefused { last: false }, locale, &[])
        }
        Err(UnlinkFailure::NotFound) => message_page(state, Message::BadForm, locale, &[]),
        Err(UnlinkFailure::Store(e)) => error_page(state, e, locale),
    }
}
