//! What the back office says when it shows no form, in English and French side by side.

use crate::domain::locale::Locale;
use crate::http::customer::pages::{Chrome, MessagePage};
use warp::http::StatusCode;

pub enum StaffMessage {
    /// STAFF_CLIENT_ID is not set.
    NotConfigured,
    /// Signed in, without the role (or without an address).
    Forbidden {
        email: String,
        role: String,
    },
    /// The sign-in cookie is missing or does not match the callback.
    SignInExpired,
    /// The provider's answer could not be verified.
    SignInFailed,
    /// The provider said no (the person cancelled, or was refused).
    SignInRefused {
        detail: String,
    },
    SignInUnavailable,
    /// A form post without the session's CSRF token.
    FormExpired,
    SignedOut,
    NotFound,
    Unavailable,
    Internal,
}

struct Text {
    status: StatusCode,
    title: &'static str,
    paragraphs: Vec<String>,
    action: Option<(&'static str, &'static str)>,
}

fn text(
    status: StatusCode,
    title: &'static str,
    paragraphs: Vec<String>,
    action: Option<(&'static str, &'static str)>,
) -> Text {
    Text {
        status,
        title,
        paragraphs,
        action,
    }
}

impl StaffMessage {
    pub fn page(&self, locale: Locale, product: &str) -> (StatusCode, MessagePage) {
        let t = match locale {
            Locale::En => self.english(),
            Locale::Fr => self.french(),
        };
        let lang = locale.as_str();
        (
            t.status,
            MessagePage {
                chrome: Chrome::new(locale, t.title, product),
                heading: t.title.to_owned(),
                paragraphs: t.paragraphs,
                action: t
                    .action
                    .map(|(label, href)| (label.to_owned(), format!("{href}lang={lang}"))),
            },
        )
    }

    fn english(&self) -> Text {
        use StatusCode as S;
        const AGAIN: Option<(&str, &str)> = Some(("Sign in", "/api/Staff?"));
        match self {
            Self::NotConfigured => text(S::SERVICE_UNAVAILABLE, "Staff sign-in is not configured", vec![
                "The back office needs its app registration in the staff directory (the STAFF_CLIENT_ID and STAFF_CLIENT_SECRET settings), and this installation has none.".into(),
                "Ask the team that runs the service to set them; the staff API (bearer tokens) works without them.".into()], None),
            Self::Forbidden { email, role } => text(S::FORBIDDEN, "Not allowed", vec![
                format!("You are signed in as {email}, but your account does not have the {role} role that the back office requires."),
                "Ask your administrator for the role, or sign in with another account.".into()], Some(("Sign in with another account", "/api/Staff?prompt=login&"))),
            Self::SignInExpired => text(S::BAD_REQUEST, "Sign-in expired", vec![
                "This sign-in took too long, was already completed or was started in another browser. Nothing was changed.".into()], AGAIN),
            Self::SignInFailed => text(S::BAD_REQUEST, "Sign-in failed", vec![
                "The answer from the staff directory could not be verified, so it was not used.".into()], AGAIN),
            Self::SignInRefused { detail } => text(S::FORBIDDEN, "Sign-in refused", vec![
                format!("The staff directory said: {detail}")], AGAIN),
            Self::SignInUnavailable => text(S::SERVICE_UNAVAILABLE, "Sign-in unavailable", vec![
                "The staff directory cannot be reached right now. Please try again in a few minutes.".into()], AGAIN),
            Self::FormExpired => text(S::FORBIDDEN, "Form expired", vec![
                "This form was not sent from the page we showed you, or your session changed since. Nothing was changed.".into()], Some(("Back to the invitations", "/api/Staff?"))),
            Self::SignedOut => text(S::OK, "Signed out", vec![
                "You are signed out of the back office.".into()], AGAIN),
            Self::NotFound => text(S::NOT_FOUND, "Invitation not found", vec![
                "No invitation has this id.".into()], Some(("Back to the invitations", "/api/Staff?"))),
            Self::Unavailable => text(S::SERVICE_UNAVAILABLE, "Temporarily unavailable", vec![
                "Storage is not answering. Nothing was changed; please try again in a few minutes.".into()], None),
            Self::Internal => text(S::INTERNAL_SERVER_ERROR, "Something went wrong", vec![
                "Something went wrong on our side. Nothing was changed; please try again.".into()], None),
        }
    }

    fn french(&self) -> Text {
        use StatusCode as S;
        const AGAIN: Option<(&str, &str)> = Some(("Se connecter", "/api/Staff?"));
        match self {
            Self::NotConfigured => text(S::SERVICE_UNAVAILABLE, "La connexion du personnel n'est pas configurée", vec![
                "Le back-office a besoin de son inscription d'application dans l'annuaire du personnel (les réglages STAFF_CLIENT_ID et STAFF_CLIENT_SECRET), et cette installation n'en a pas.".into(),
                "Demandez à l'équipe qui exploite le service de les définir ; l'API du personnel (jetons bearer) fonctionne sans eux.".into()], None),
            Self::Forbidden { email, role } => text(S::FORBIDDEN, "Accès refusé", vec![
                format!("Vous êtes connecté en tant que {email}, mais votre compte n'a pas le rôle {role} exigé par le back-office."),
                "Demandez ce rôle à votre administrateur, ou connectez-vous avec un autre compte.".into()], Some(("Se connecter avec un autre compte", "/api/Staff?prompt=login&"))),
            Self::SignInExpired => text(S::BAD_REQUEST, "Connexion expirée", vec![
                "Cette connexion a pris trop de temps, était déjà terminée ou a été commencée dans un autre navigateur. Rien n'a été modifié.".into()], AGAIN),
            Self::SignInFailed => text(S::BAD_REQUEST, "Échec de la connexion", vec![
                "La réponse de l'annuaire du personnel n'a pas pu être vérifiée : elle n'a pas été utilisée.".into()], AGAIN),
            Self::SignInRefused { detail } => text(S::FORBIDDEN, "Connexion refusée", vec![
                format!("L'annuaire du personnel a répondu : {detail}")], AGAIN),
            Self::SignInUnavailable => text(S::SERVICE_UNAVAILABLE, "Connexion indisponible", vec![
                "L'annuaire du personnel est injoignable pour le moment. Réessayez dans quelques minutes.".into()], AGAIN),
            Self::FormExpired => text(S::FORBIDDEN, "Formulaire expiré", vec![
                "Ce formulaire n'a pas été envoyé depuis la page que nous vous avons montrée, ou votre session a changé depuis. Rien n'a été modifié.".into()], Some(("Retour aux invitations", "/api/Staff?"))),
            Self::SignedOut => text(S::OK, "Déconnecté", vec![
                "Vous êtes déconnecté du back-office.".into()], AGAIN),
            Self::NotFound => text(S::NOT_FOUND, "Invitation introuvable", vec![
                "Aucune invitation ne porte cet identifiant.".into()], Some(("Retour aux invitations", "/api/Staff?"))),
            Self::Unavailable => text(S::SERVICE_UNAVAILABLE, "Momentanément indisponible", vec![
                "Le stockage ne répond pas. Rien n'a été modifié ; réessayez dans quelques minutes.".into()], None),
            Self::Internal => text(S::INTERNAL_SERVER_ERROR, "Une erreur est survenue", vec![
                "Une erreur est survenue de notre côté. Rien n'a été modifié ; réessayez.".into()], None),
        }
    }
}
