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
use crate::service::account;
use crate::service::privacy::{self, DeleteFailure};
use askama::Template;
use warp::http::StatusCode;
use warp::reply::Response;

#[derive(Template)]
#[template(path = "pages/delete_account.html")]
struct ConfirmPage {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    csrf: String,
    button: String,
    cancel: String,
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
    let body = body.unwrap_or_default();
    let (mut csrf, mut confirmed) = (String::new(), false);
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "csrf" => csrf = value.into_owned(),
            "confirm" => confirmed = value == "yes",
            _ => {}
        }
    }
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

fn confirm_page(locale: Locale, product: &str, csrf: String) -> ConfirmPage {
    let fr = locale == Locale::Fr;
    let (title, heading, paragraphs, button, cancel) = if fr {
        (
            "Supprimer le compte",
            "Supprimer votre compte ?",
            vec![
                format!("Votre compte {product}, vos méthodes de connexion, votre application d'authentification, vos invitations et vos appartenances aux entreprises seront effacés. Cela ne peut pas être annulé."),
                "Les entreprises que vous avez créées restent : ce sont les données de l'entreprise.".to_owned(),
            ],
            "Supprimer définitivement mon compte",
            "Annuler et revenir au profil",
        )
    } else {
        (
            "Delete account",
            "Delete your account?",
            vec![
                format!(
                    "Your {product} account, your ways to sign in, your authenticator app, your invitations and your company memberships will be erased. This cannot be undone."
                ),
                "Companies you created stay: they are the company's data.".to_owned(),
            ],
            "Delete my account for good",
            "Cancel and go back to your profile",
        )
    };
    ConfirmPage {
        chrome: Chrome::new(locale, title, product),
        heading: heading.to_owned(),
        paragraphs,
        csrf,
        button: button.to_owned(),
        cancel: cancel.to_owned(),
    }
}

fn deleted_page(locale: Locale, product: &str) -> MessagePage {
    let (title, heading, paragraph) = if locale == Locale::Fr {
        (
            "Compte supprimé",
            "Votre compte est supprimé",
            format!(
                "Tout ce que {product} conservait à votre sujet a été effacé, et vous êtes déconnecté. Vos anciennes connexions n'ouvrent plus rien."
            ),
        )
    } else {
        (
            "Account deleted",
            "Your account is deleted",
            format!(
                "Everything {product} kept about you was erased, and you are signed out. Your former logins open nothing any more."
            ),
        )
    };
    MessagePage {
        chrome: Chrome::new(locale, title, product),
        heading: heading.to_owned(),
        paragraphs: vec![paragraph],
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
    let (title, heading, paragraphs, back) = if locale == Locale::Fr {
        (
            "Passez d'abord la main",
            "Vous êtes le dernier administrateur",
            vec![
                format!(
                    "Vous êtes le seul administrateur de {names}, qui a d'autres membres. Nommez d'abord un autre administrateur, puis supprimez votre compte."
                ),
                "Rien n'a été supprimé.".to_owned(),
            ],
            "Retour au profil",
        )
    } else {
        (
            "Hand over first",
            "You are the last administrator",
            vec![
                format!(
                    "You are the only administrator of {names}, which has other members. Make another member an administrator first, then delete your account."
                ),
                "Nothing was deleted.".to_owned(),
            ],
            "Back to your profile",
        )
    };
    let page = MessagePage {
        chrome: Chrome::new(locale, title, product),
        heading: heading.to_owned(),
        paragraphs,
        action: Some((back.to_owned(), "/api/Profile".to_owned())),
    };
    html(StatusCode::CONFLICT, &page, &[])
}
