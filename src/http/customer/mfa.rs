//! `GET`/`POST /api/Profile/mfa`: the authenticator app. One address, three forms, each
//! with its hidden `action`: `challenge` (the code after a provider's sign-in, held in the
//! `inv_mfa` cookie), `enable` (enrolment: QR code, secret, `otpauth://` link, first code)
//! and `disable` (needs a current code or a recovery code). An enrolment's secret is new
//! for each enrolment and kept, until its code turns MFA on, in the `inv_enrol` cookie of
//! the session that started it; showing it, turning MFA on and turning it off need a
//! recent sign-in, like linking a login.

use super::messages::Message;
use super::pages::{Chrome, MfaPage, html};
use super::profile::signed_in_account;
use super::signin::{self, MfaPending};
use super::{Session, error_page, message_page};
use crate::domain::account::{AccountId, LinkedLogin, Provider};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::LoginId;
use crate::domain::locale::Locale;
use crate::domain::mfa::Mfa;
use crate::domain::totp::TotpSecret;
use crate::http::AppState;
use crate::http::cookies::{ENROLMENT, MFA};
use crate::http::session::Notice;
use crate::service::account::{self, CodeUse, ENROLMENT_LIFETIME, MfaFailure};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use warp::http::StatusCode;
use warp::reply::Response;

/// The form of every `POST /api/Profile/mfa`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Form {
    action: String,
    code: String,
    csrf: String,
}

impl Form {
    fn parse(body: &[u8]) -> Self {
        let mut form: Self = crate::http::session::form(body).unwrap_or_default();
        form.code = form.code.chars().take(64).collect();
        form
    }
}

/// An enrolment under way, kept (encrypted) by the browser of the session that started
/// it: another session, even of the same account, neither sees nor uses its secret.
#[derive(Serialize, Deserialize)]
struct Enrolment {
    account: String,
    /// The starting session's CSRF token, which no other session has.
    session: String,
    secret: String,
    started_at: i64,
}

impl Enrolment {
    fn open(
        state: &AppState,
        cookie_header: Option<&str>,
        session: &Session,
        account: &AccountId,
        now: OffsetDateTime,
    ) -> Option<Mfa> {
        let kept: Self = state.cookies.open(cookie_header, ENROLMENT, now)?;
        if kept.account != account.as_str() || !session.csrf_matches(&kept.session) {
            return None;
        }
        let secret = TotpSecret::from_bytes(URL_SAFE_NO_PAD.decode(kept.secret).ok()?)?;
        let started_at = OffsetDateTime::from_unix_timestamp(kept.started_at).ok()?;
        Some(Mfa::pending(secret, started_at))
    }

    fn seal(state: &AppState, session: &Session, account: &AccountId, mfa: &Mfa) -> String {
        let kept = Self {
            account: account.as_str().to_owned(),
            session: session.csrf.clone(),
            secret: URL_SAFE_NO_PAD.encode(mfa.secret.as_bytes()),
            started_at: mfa.started_at.unix_timestamp(),
        };
        let expires = mfa.started_at + ENROLMENT_LIFETIME;
        state
            .cookies
            .seal(ENROLMENT, &kept, mfa.started_at, expires)
    }
}

fn pending(
    state: &AppState,
    cookie_header: Option<&str>,
    now: OffsetDateTime,
) -> Option<MfaPending> {
    state.cookies.open(cookie_header, MFA, now)
}

fn page(state: &AppState, locale: Locale, mode: &'static str, csrf: &str) -> MfaPage {
    mfa_page(&state.services.product_name, locale, mode, csrf)
}

pub(super) fn mfa_page(product: &str, locale: Locale, mode: &'static str, csrf: &str) -> MfaPage {
    let tr = crate::i18n::Tr::new(locale);
    let title = tr.t(if mode == "challenge" {
        "mfa-title-challenge"
    } else {
        "mfa-title"
    });
    MfaPage {
        chrome: Chrome::new(locale, title, product),
        mode,
        csrf: csrf.to_owned(),
        error: None,
        qr: String::new(),
        secret: String::new(),
        otpauth: String::new(),
        recovery_codes: Vec::new(),
    }
}

/// The enrolment page: QR code (an SVG drawn here, as a `data:` image), the secret in
/// groups of four, the `otpauth://` link.
fn enrol_page(state: &AppState, session: &Session, mfa: &Mfa) -> MfaPage {
    let mut view = page(state, session.locale(), "enable", &session.csrf);
    let account_name = if session.email.is_empty() {
        "account".to_owned()
    } else {
        session.email.clone()
    };
    view.otpauth = mfa
        .secret
        .otpauth_uri(&state.services.product_name, &account_name);
    view.secret = mfa.secret.grouped();
    view.qr = qr_data_uri(&view.otpauth);
    view
}

fn qr_data_uri(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build();
            format!(
                "data:image/svg+xml;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(svg)
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "QR code not drawn");
            String::new()
        }
    }
}

pub(super) fn failure_text(failure: &MfaFailure, locale: Locale) -> String {
    let id = match failure {
        MfaFailure::Replayed => "mfa-error-replayed",
        MfaFailure::Unreadable => "mfa-error-unreadable",
        _ => "mfa-error-wrong",
    };
    crate::i18n::Tr::new(locale).t(id)
}

pub async fn show(
    state: AppState,
    query: String,
    cookie_header: Option<String>,
    accept_language: Option<String>,
) -> Result<Response, Response> {
    let now = state.services.clock.now();
    if let Some(pending) = pending(&state, cookie_header.as_deref(), now) {
        let locale = pending.session.locale();
        if !state.services.accounts.can_keep_secrets() {
            // The code cannot be checked here: refused, never skipped.
            return Err(message_page(&state, Message::MfaUnavailable, locale, &[]));
        }
        let view = page(&state, locale, "challenge", &pending.csrf);
        return Ok(html(StatusCode::OK, &view, &[]));
    }
    let (mut session, account) = signed_in_account(
        &state,
        cookie_header.as_deref(),
        accept_language.as_deref(),
        now,
    )
    .await?;
    // The language switch, as on the profile: the session and the account take it.
    let switched = super::choose_language(&state, &mut session, &query, now).await;
    let mut cookies: Vec<String> = switched.into_iter().collect();
    let locale = session.locale();
    let fresh = match account::enrolment(&state.services, &account).await {
        Ok(fresh) => fresh,
        Err(MfaFailure::AlreadyOn) => {
            let mut view = page(&state, locale, "manage", &session.csrf);
            view.chrome = view.chrome.with_switch();
            return Ok(html(StatusCode::OK, &view, &cookies));
        }
        Err(failure) => return Err(failure_page(&state, failure, locale)),
    };
    // The enrolment this session started, shown again as it was.
    if let Some(kept) = Enrolment::open(&state, cookie_header.as_deref(), &session, &account, now) {
        let mut view = enrol_page(&state, &session, &kept);
        view.chrome = view.chrome.with_switch();
        return Ok(html(StatusCode::OK, &view, &cookies));
    }
    // Showing a new secret starts turning MFA on: a recent sign-in only.
    if !account::is_recent(session.signed_in_at, now) {
        return Err(message_page(&state, Message::ReauthNeeded, locale, &[]));
    }
    cookies.push(Enrolment::seal(&state, &session, &account, &fresh));
    let mut view = enrol_page(&state, &session, &fresh);
    view.chrome = view.chrome.with_switch();
    Ok(html(StatusCode::OK, &view, &cookies))
}

/// Pages for failures that are not a wrong code.
fn failure_page(state: &AppState, failure: MfaFailure, locale: Locale) -> Response {
    match failure {
        MfaFailure::NotAvailable => message_page(state, Message::MfaUnavailable, locale, &[]),
        MfaFailure::Throttled { retry_after } => {
            let minutes = retry_after.div_ceil(60);
            let page = message_page(state, Message::MfaThrottled { minutes }, locale, &[]);
            crate::http::failure::retry_after(page, retry_after)
        }
        MfaFailure::Store(e) => error_page(state, e, locale),
        _ => message_page(state, Message::BadForm, locale, &[]),
    }
}

pub async fn post(
    state: AppState,
    cookie_header: Option<String>,
    accept_language: Option<String>,
    body: Result<bytes::Bytes, crate::http::problem::Problem>,
) -> Result<Response, Response> {
    let now = state.services.clock.now();
    let form = Form::parse(&body.unwrap_or_default());
    if form.action == "challenge" {
        let Some(pending) = pending(&state, cookie_header.as_deref(), now) else {
            let locale = Locale::negotiate(accept_language.as_deref());
            return Err(message_page(&state, Message::MfaExpired, locale, &[]));
        };
        return Ok(challenge(&state, pending, &form, now).await);
    }
    let (session, account) = signed_in_account(
        &state,
        cookie_header.as_deref(),
        accept_language.as_deref(),
        now,
    )
    .await?;
    let locale = session.locale();
    if !session.csrf_matches(&form.csrf) {
        return Err(message_page(
            &state,
            Message::FormExpired {
                page: "/api/Profile/mfa",
            },
            locale,
            &[],
        ));
    }
    if !matches!(form.action.as_str(), "enable" | "disable") {
        return Err(message_page(&state, Message::BadForm, locale, &[]));
    }
    if !account::is_recent(session.signed_in_at, now) {
        return Err(message_page(&state, Message::ReauthNeeded, locale, &[]));
    }
    if form.action == "disable" {
        return Ok(disable(&state, session, &account, &form, now).await);
    }
    // The secret this session was shown; none (another session's, or too old): start over.
    let Some(enrolment) =
        Enrolment::open(&state, cookie_header.as_deref(), &session, &account, now)
    else {
        let message = Message::FormExpired {
            page: "/api/Profile/mfa",
        };
        return Err(message_page(&state, message, locale, &[]));
    };
    Ok(enable(&state, session, &account, &enrolment, &form, now).await)
}

/// `action=enable`: the first code of this session's enrolment turns MFA on.
async fn enable(
    state: &AppState,
    mut session: Session,
    account: &AccountId,
    enrolment: &Mfa,
    form: &Form,
    now: OffsetDateTime,
) -> Response {
    let locale = session.locale();
    match account::enable(&state.services, account, enrolment, &form.code).await {
        Ok(codes) => {
            session.notice = Some(Notice::MfaOn);
            let mut view = page(state, locale, "recovery", &session.csrf);
            view.recovery_codes = codes;
            let cookies = [
                signin::reseal(state, &session, now),
                state.cookies.clear(ENROLMENT),
            ];
            html(StatusCode::OK, &view, &cookies)
        }
        Err(failure @ (MfaFailure::Wrong | MfaFailure::Replayed | MfaFailure::Unreadable)) => {
            let mut view = enrol_page(state, &session, enrolment);
            view.error = Some(failure_text(&failure, locale));
            html(StatusCode::UNPROCESSABLE_ENTITY, &view, &[])
        }
        Err(MfaFailure::AlreadyOn) => {
            let cookies = [state.cookies.clear(ENROLMENT)];
            super::pages::redirect(StatusCode::SEE_OTHER, "/api/Profile/mfa", &cookies)
        }
        Err(other) => failure_page(state, other, locale),
    }
}

/// `action=disable`: a current code or a recovery code turns MFA off.
async fn disable(
    state: &AppState,
    mut session: Session,
    account: &AccountId,
    form: &Form,
    now: OffsetDateTime,
) -> Response {
    let locale = session.locale();
    match account::use_code(&state.services, account, &form.code, CodeUse::Disable).await {
        Ok(_) => {
            session.notice = Some(Notice::MfaOff);
            signin::grant(state, &session, "/api/Profile", now, &[])
        }
        Err(failure @ (MfaFailure::Wrong | MfaFailure::Replayed | MfaFailure::Unreadable)) => {
            let mut view = page(state, locale, "manage", &session.csrf);
            view.error = Some(failure_text(&failure, locale));
            html(StatusCode::UNPROCESSABLE_ENTITY, &view, &[])
        }
        Err(MfaFailure::Off) => {
            super::pages::redirect(StatusCode::SEE_OTHER, "/api/Profile/mfa", &[])
        }
        Err(other) => failure_page(state, other, locale),
    }
}

/// The code after a provider's sign-in: grants the held session (and finishes the held
/// link) once it is right.
async fn challenge(
    state: &AppState,
    pending: MfaPending,
    form: &Form,
    now: OffsetDateTime,
) -> Response {
    let locale = pending.session.locale();
    if !crate::http::session::csrf_matches(&pending.csrf, &form.csrf) {
        return message_page(
            state,
            Message::FormExpired {
                page: "/api/Profile/mfa",
            },
            locale,
            &[],
        );
    }
    let account = AccountId::from_stored(pending.account.clone());
    match account::use_code(&state.services, &account, &form.code, CodeUse::SignIn).await {
        // MFA was turned off meanwhile: the provider's sign-in is enough.
        Ok(_) | Err(MfaFailure::Off) => {}
        Err(failure @ (MfaFailure::Wrong | MfaFailure::Replayed | MfaFailure::Unreadable)) => {
            let mut view = page(state, locale, "challenge", &pending.csrf);
            view.error = Some(failure_text(&failure, locale));
            return html(StatusCode::UNPROCESSABLE_ENTITY, &view, &[]);
        }
        Err(other) => return failure_page(state, other, locale),
    }
    let clear = state.cookies.clear(MFA);
    // The session keeps the provider's `auth_time`: the code completes a sign-in, it
    // does not make an old one recent.
    let mut session = pending.session;
    if let Some(link) = pending.link {
        let Ok(email) = EmailAddress::parse(&link.email) else {
            return message_page(state, Message::BadForm, locale, &[clear]);
        };
        let linked = LinkedLogin {
            login: LoginId {
                issuer: link.issuer,
                subject: link.subject,
            },
            provider: Provider::from_idp(link.idp.as_deref()),
            email,
            linked_at: now,
        };
        match account::link(&state.services, &account, &linked).await {
            Ok(new) => session.notice = Some(Notice::linked(new, linked.provider.clone())),
            Err(failure) => return signin::link_failure_page(state, failure, locale, clear),
        }
    }
    signin::grant(state, &session, &pending.next.path(), now, &[clear])
}
