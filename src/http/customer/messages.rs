//! What each customer page says, in English and French side by side: what happened and
//! what to do next.

use super::pages::{Chrome, MessagePage};
use crate::domain::locale::Locale;
use warp::http::StatusCode;

/// Every situation a customer can meet that is not a form.
pub enum Message {
    /// No invitation has this link.
    LinkUnknown,
    /// A newer invitation email replaced this link.
    LinkSuperseded,
    Expired {
        inviter: String,
        inviter_email: String,
        date: String,
    },
    Revoked {
        inviter: String,
        inviter_email: String,
    },
    Completed {
        company: Option<String>,
    },
    /// The sign-in cookie is missing, foreign or too old; `retry` is the invitation link.
    SignInExpired {
        retry: Option<String>,
    },
    WrongEmail {
        signed_in: Option<String>,
        invited: String,
        retry: Option<String>,
    },
    BoundElsewhere {
        invited: String,
    },
    Cancelled {
        retry: Option<String>,
    },
    ForgotPassword {
        retry: Option<String>,
    },
    /// The customer's organisation does not let them use outside applications;
    /// `admin_consent` is the address at which its administrator can grant consent, when
    /// the provider's error names the application.
    OrganisationBlocks {
        retry: Option<String>,
        admin_consent: Option<String>,
    },
    AccessDenied {
        detail: String,
        retry: Option<String>,
    },
    SignInUnavailable,
    SignInFailed {
        retry: Option<String>,
    },
    SessionRequired,
    /// A form post without its CSRF token; `page` is where the form is shown again.
    FormExpired {
        page: &'static str,
    },
    SignedOut,
    /// Too many unknown links from this client.
    TooManyAttempts,
    Unavailable,
    Internal,
    /// A provider sign-in that opens no account and has no invitation under way.
    NoAccount {
        email: Option<String>,
    },
    /// Linking or unlinking needs a sign-in of the last few minutes.
    ReauthNeeded,
    /// The same, before linking a login: after the sign-in, linking goes on (`next` is
    /// `/api/SignIn`'s, `link-microsoft` or `link-google`).
    ReauthToLink {
        next: &'static str,
    },
    /// The login to link carries another email than the account's.
    LinkWrongEmail {
        account: String,
        login: Option<String>,
    },
    /// The login to link already opens another account.
    LinkOwnedElsewhere,
    /// The only login, or the one in use, cannot be removed.
    UnlinkRefused {
        last: bool,
    },
    /// No key to keep TOTP secrets with (no `COOKIE_KEY`).
    MfaUnavailable,
    /// Too many wrong codes for this account.
    MfaThrottled {
        minutes: u64,
    },
    /// The code step of a sign-in took too long or its cookie is gone.
    MfaExpired,
    /// A form field held a value no page of ours sends.
    BadForm,
}

struct Text {
    status: StatusCode,
    title: String,
    heading: String,
    paragraphs: Vec<String>,
    action: Option<(String, String)>,
}

fn text(
    status: StatusCode,
    title: &str,
    heading: &str,
    paragraphs: Vec<String>,
    action: Option<(String, String)>,
) -> Text {
    Text {
        status,
        title: title.to_owned(),
        heading: heading.to_owned(),
        paragraphs,
        action,
    }
}

/// `t` with one more paragraph, `intro` and then `address`, when there is an address.
fn with_address(mut t: Text, intro: &str, address: &Option<String>) -> Text {
    if let Some(address) = address {
        t.paragraphs.push(format!("{intro} {address}"));
    }
    t
}

fn retry(label: &str, href: &Option<String>) -> Option<(String, String)> {
    href.as_ref().map(|h| (label.to_owned(), h.clone()))
}

impl Message {
    pub fn page(&self, locale: Locale, product: &str) -> (StatusCode, MessagePage) {
        let mut t = match locale {
            Locale::En => self.english(product),
            Locale::Fr => self.french(product),
        };
        if let (Self::ReauthToLink { next }, Some((_, href))) = (self, t.action.as_mut()) {
            *href = format!("/api/SignIn?prompt=login&next={next}");
        }

        (
            t.status,
            MessagePage {
                chrome: Chrome::new(locale, t.title, product),
                heading: t.heading,
                paragraphs: t.paragraphs,
                action: t.action,
            },
        )
    }

    fn english(&self, product: &str) -> Text {
        use StatusCode as S;
        match self {
            Self::LinkUnknown => text(S::NOT_FOUND, "Invitation not found", "This invitation link does not work", vec![
                "We found no invitation for this link. It may have been copied incompletely: open it again from the email, or copy the whole address.".into(),
                "If it still does not work, ask the person who invited you to send a new invitation.".into()], None),
            Self::LinkSuperseded => text(S::GONE, "Newer invitation sent", "A newer invitation was sent to you", vec![
                "This link was replaced by a newer one. Use the link in the most recent invitation email.".into()], None),
            Self::Expired { inviter, inviter_email, date } => text(S::GONE, "Invitation expired", "This invitation has expired", vec![
                format!("It could be used until {date}."),
                format!("Ask {inviter} ({inviter_email}) to send you a new invitation.")], None),
            Self::Revoked { inviter, inviter_email } => text(S::GONE, "Invitation withdrawn", "This invitation was withdrawn", vec![
                format!("{inviter} withdrew this invitation, so it can no longer be used."),
                format!("If you think this is a mistake, contact {inviter} ({inviter_email}).")], None),
            Self::Completed { company } => text(S::CONFLICT, "Invitation already used", "This invitation has already been used", vec![
                match company { Some(c) => format!("It was used to create {c} on {product}."), None => format!("It was used to create a company on {product}.") },
                "Sign in with the account you used then to reach your company.".into()], Some(("Sign in".into(), "/api/SignIn".into()))),
            Self::SignInExpired { retry: r } => text(S::BAD_REQUEST, "Sign-in expired", "This sign-in has expired", vec![
                "It took too long, was already completed, or was started in another browser. Nothing was changed.".into(),
                "Open the link in your invitation email again to start over.".into()], retry("Start again", r)),
            Self::WrongEmail { signed_in, invited, retry: r } => text(S::FORBIDDEN, "Different email address", "You signed in with a different email address", vec![
                match signed_in { Some(e) => format!("You signed in as {e}, but this invitation is for {invited}."), None => format!("Your sign-in did not give us an email address, but this invitation is for {invited}.") },
                format!("Sign in again, or create an account, with {invited}. Nothing was changed.")], retry("Sign in with another account", r)),
            Self::BoundElsewhere { invited } => text(S::FORBIDDEN, "Invitation already accepted", "This invitation was accepted with another account", vec![
                format!("Someone already signed in with {invited} through a different account (for example with Google instead of a password) and accepted it."),
                "Sign in the same way you did the first time. If that was not you, contact the person who invited you.".into()], None),
            Self::Cancelled { retry: r } => text(S::BAD_REQUEST, "Sign-in cancelled", "Sign-in was cancelled", vec![
                "You left the sign-in before it was complete, so your invitation is still waiting for you.".into()], retry("Sign in", r)),
            Self::ForgotPassword { retry: r } => text(S::BAD_REQUEST, "Password reset", "Reset your password", vec![
                "Start the sign-in again and choose \"Forgot your password?\": you will receive a verification code by email and can then choose a new password.".into()], retry("Start again", r)),
            Self::OrganisationBlocks { retry: r, admin_consent: a } => with_address(text(S::FORBIDDEN, "Your organisation needs to allow this app", "Your organisation has not allowed this app yet", vec![
                format!("Your company's Microsoft account settings do not let you sign in to outside applications such as {product} without an administrator's approval."),
                format!("Ask your IT department to allow (grant admin consent to) {product} for your organisation, or to let users consent to applications themselves. Then open your invitation link again."),
                "Alternatively, sign in with another method, such as an email address and password.".into()], retry("Try again", r)),
                "To grant consent for everyone in your organisation, an administrator opens this address and accepts; forward it to your IT department:", a),
            Self::AccessDenied { detail, retry: r } => text(S::FORBIDDEN, "Sign-in refused", "Sign-in was refused", vec![
                format!("The sign-in service said: {detail}"),
                "Try again; if it keeps happening, contact the person who invited you.".into()], retry("Try again", r)),
            Self::SignInUnavailable => text(S::SERVICE_UNAVAILABLE, "Sign-in unavailable", "Sign-in is unavailable right now", vec![
                "We cannot reach the sign-in service at the moment. Nothing was changed.".into(),
                "Please try again in a few minutes with the same link.".into()], None),
            Self::SignInFailed { retry: r } => text(S::BAD_REQUEST, "Sign-in failed", "We could not confirm your sign-in", vec![
                "The answer from the sign-in service could not be verified, so we did not use it. Nothing was changed.".into()], retry("Try again", r)),
            Self::SessionRequired => text(S::UNAUTHORIZED, "Sign-in needed", "Please sign in first", vec![
                "Your session has ended or this page was opened in another browser.".into(),
                "Sign in again, or open the link in your invitation email to continue.".into()], Some(("Sign in".into(), "/api/SignIn".into()))),
            Self::FormExpired { page } => text(S::FORBIDDEN, "Form expired", "This form has expired", vec![
                "For your security the form can only be sent from the page we showed you. Nothing was changed.".into()], Some(("Reload the form".into(), (*page).into()))),
            Self::SignedOut => text(S::OK, "Signed out", "You are signed out", vec![
                "To come back, sign in again.".into()], Some(("Sign in".into(), "/api/SignIn".into()))),
            Self::TooManyAttempts => text(S::TOO_MANY_REQUESTS, "Too many attempts", "Too many attempts", vec![
                "Too many invitation links that do not exist were tried from here. For your security, please wait an hour and try again with the link from your email.".into()], None),
            Self::Unavailable => text(S::SERVICE_UNAVAILABLE, "Temporarily unavailable", "We cannot do this right now", vec![
                "A service we depend on is not answering. Nothing was changed; please try again in a few minutes.".into()], None),
            Self::Internal => text(S::INTERNAL_SERVER_ERROR, "Something went wrong", "Something went wrong on our side", vec![
                "Nothing was changed. Please try again; if it keeps happening, contact the person who invited you.".into()], None),
            Self::NoAccount { email } => text(S::FORBIDDEN, "No account yet", &format!("You need an invitation to use {product}"), vec![
                match email { Some(e) => format!("No {product} account uses this sign-in ({e})."), None => format!("No {product} account uses this sign-in.") },
                "Accounts are opened from an invitation: open the link in the invitation email you received, or ask your sales contact to send you one.".into(),
                "If you already have an account with another sign-in method (for example email and password), sign in that way; you can then link this one from your profile.".into()], Some(("Sign in another way".into(), "/api/SignIn?prompt=login".into()))),
            Self::ReauthNeeded => text(S::FORBIDDEN, "Sign in again", "Please sign in again first", vec![
                "For your security, changing how you sign in needs a sign-in of the last few minutes. Nothing was changed.".into()], Some(("Sign in again".into(), "/api/SignIn?prompt=login&next=profile".into()))),
            Self::LinkWrongEmail { account, login } => text(S::FORBIDDEN, "Different email address", "This login has a different email address", vec![
                match login { Some(l) => format!("You signed in as {l}, but your account's address is {account}."), None => format!("That sign-in gave us no email address, but your account's address is {account}.") },
                format!("Only a login with the same address ({account}) can be linked, so that nobody can attach their login to your account. Nothing was linked.")], Some(("Back to your profile".into(), "/api/Profile".into()))),
            Self::LinkOwnedElsewhere => text(S::CONFLICT, "Login already in use", "This login belongs to another account", vec![
                format!("It already opens another {product} account, so it cannot open yours as well. Nothing was linked."),
                "Sign in with that login to use the other account, or contact your sales contact if you need the two merged.".into()], Some(("Back to your profile".into(), "/api/Profile".into()))),
            Self::UnlinkRefused { last } => text(S::CONFLICT, "Login kept", "This login cannot be removed", vec![
                if *last { "It is the only way to sign in to your account. Link another one first.".into() } else { "You are signed in with it right now. Sign in another way to remove it.".into() }], Some(("Back to your profile".into(), "/api/Profile".into()))),
            Self::MfaUnavailable => text(S::SERVICE_UNAVAILABLE, "Not available", "Authenticator apps cannot be turned on here", vec![
                "This installation has no key to keep authenticator secrets safely (its operator has not set COOKIE_KEY). Nothing was changed.".into()], Some(("Back to your profile".into(), "/api/Profile".into()))),
            Self::MfaThrottled { minutes } => text(S::TOO_MANY_REQUESTS, "Too many wrong codes", "Too many wrong codes", vec![
                format!("For your security, codes for this account are refused for the next {minutes} minutes. Then try again with the code your app shows."),
                "Lost your phone? Use one of the recovery codes you saved when you turned this on.".into()], None),
            Self::BadForm => text(S::BAD_REQUEST, "Request not understood", "This request was not understood", vec![
                "The form was not filled in as our page sends it. Nothing was changed.".into()], Some(("Back to your profile".into(), "/api/Profile".into()))),
            Self::ReauthToLink { .. } => Self::ReauthNeeded.english(product),
            Self::MfaExpired => text(S::BAD_REQUEST, "Sign-in expired", "This sign-in has expired", vec![
                "The code was not given in time, or this page was opened in another browser. Nothing was changed.".into()], Some(("Sign in again".into(), "/api/SignIn".into()))),
        }
    }

    fn french(&self, product: &str) -> Text {
        use StatusCode as S;
        match self {
            Self::LinkUnknown => text(S::NOT_FOUND, "Invitation introuvable", "Ce lien d'invitation ne fonctionne pas", vec![
                "Aucune invitation ne correspond à ce lien. Il a peut-être été copié en partie : ouvrez-le à nouveau depuis l'e-mail, ou copiez l'adresse entière.".into(),
                "Si cela ne fonctionne toujours pas, demandez à la personne qui vous a invité de vous envoyer une nouvelle invitation.".into()], None),
            Self::LinkSuperseded => text(S::GONE, "Nouvelle invitation envoyée", "Une invitation plus récente vous a été envoyée", vec![
                "Ce lien a été remplacé par un plus récent. Utilisez le lien du dernier e-mail d'invitation.".into()], None),
            Self::Expired { inviter, inviter_email, date } => text(S::GONE, "Invitation expirée", "Cette invitation a expiré", vec![
                format!("Elle était valable jusqu'au {date}."),
                format!("Demandez à {inviter} ({inviter_email}) de vous envoyer une nouvelle invitation.")], None),
            Self::Revoked { inviter, inviter_email } => text(S::GONE, "Invitation retirée", "Cette invitation a été retirée", vec![
                format!("{inviter} a retiré cette invitation : elle ne peut plus être utilisée."),
                format!("S'il s'agit d'une erreur, contactez {inviter} ({inviter_email}).")], None),
            Self::Completed { company } => text(S::CONFLICT, "Invitation déjà utilisée", "Cette invitation a déjà été utilisée", vec![
                match company { Some(c) => format!("Elle a servi à créer {c} sur {product}."), None => format!("Elle a servi à créer une entreprise sur {product}.") },
                "Connectez-vous avec le compte utilisé alors pour accéder à votre entreprise.".into()], Some(("Se connecter".into(), "/api/SignIn".into()))),
            Self::SignInExpired { retry: r } => text(S::BAD_REQUEST, "Connexion expirée", "Cette connexion a expiré", vec![
                "Elle a pris trop de temps, était déjà terminée ou a été commencée dans un autre navigateur. Rien n'a été modifié.".into(),
                "Ouvrez à nouveau le lien de votre e-mail d'invitation pour recommencer.".into()], retry("Recommencer", r)),
            Self::WrongEmail { signed_in, invited, retry: r } => text(S::FORBIDDEN, "Adresse e-mail différente", "Vous vous êtes connecté avec une autre adresse e-mail", vec![
                match signed_in { Some(e) => format!("Vous êtes connecté en tant que {e}, mais cette invitation est destinée à {invited}."), None => format!("Votre connexion ne nous a pas donné d'adresse e-mail, mais cette invitation est destinée à {invited}.") },
                format!("Connectez-vous à nouveau, ou créez un compte, avec {invited}. Rien n'a été modifié.")], retry("Se connecter avec un autre compte", r)),
            Self::BoundElsewhere { invited } => text(S::FORBIDDEN, "Invitation déjà acceptée", "Cette invitation a été acceptée avec un autre compte", vec![
                format!("Quelqu'un s'est déjà connecté avec {invited} par un autre compte (par exemple avec Google plutôt qu'un mot de passe) et l'a acceptée."),
                "Connectez-vous de la même façon que la première fois. Si ce n'était pas vous, contactez la personne qui vous a invité.".into()], None),
            Self::Cancelled { retry: r } => text(S::BAD_REQUEST, "Connexion annulée", "La connexion a été annulée", vec![
                "Vous avez quitté la connexion avant la fin : votre invitation vous attend toujours.".into()], retry("Se connecter", r)),
            Self::ForgotPassword { retry: r } => text(S::BAD_REQUEST, "Mot de passe oublié", "Réinitialisez votre mot de passe", vec![
                "Recommencez la connexion et choisissez « Mot de passe oublié ? » : vous recevrez un code de vérification par e-mail, puis choisirez un nouveau mot de passe.".into()], retry("Recommencer", r)),
            Self::OrganisationBlocks { retry: r, admin_consent: a } => with_address(text(S::FORBIDDEN, "Votre organisation doit autoriser cette application", "Votre organisation n'a pas encore autorisé cette application", vec![
                format!("Les réglages Microsoft de votre entreprise ne vous permettent pas de vous connecter à des applications extérieures comme {product} sans l'accord d'un administrateur."),
                format!("Demandez à votre service informatique d'autoriser {product} pour votre organisation (consentement administrateur), ou de permettre aux utilisateurs de donner leur consentement eux-mêmes. Ouvrez ensuite à nouveau votre lien d'invitation."),
                "Vous pouvez aussi vous connecter autrement, par exemple avec une adresse e-mail et un mot de passe.".into()], retry("Réessayer", r)),
                "Pour donner le consentement pour toute votre organisation, un administrateur ouvre cette adresse et accepte ; transmettez-la à votre service informatique :", a),
            Self::AccessDenied { detail, retry: r } => text(S::FORBIDDEN, "Connexion refusée", "La connexion a été refusée", vec![
                format!("Le service de connexion a répondu : {detail}"),
                "Réessayez ; si cela se reproduit, contactez la personne qui vous a invité.".into()], retry("Réessayer", r)),
            Self::SignInUnavailable => text(S::SERVICE_UNAVAILABLE, "Connexion indisponible", "La connexion est indisponible pour le moment", vec![
                "Nous ne parvenons pas à joindre le service de connexion. Rien n'a été modifié.".into(),
                "Réessayez dans quelques minutes avec le même lien.".into()], None),
            Self::SignInFailed { retry: r } => text(S::BAD_REQUEST, "Échec de la connexion", "Nous n'avons pas pu confirmer votre connexion", vec![
                "La réponse du service de connexion n'a pas pu être vérifiée : nous ne l'avons pas utilisée. Rien n'a été modifié.".into()], retry("Réessayer", r)),
            Self::SessionRequired => text(S::UNAUTHORIZED, "Connexion nécessaire", "Veuillez d'abord vous connecter", vec![
                "Votre session a pris fin ou cette page a été ouverte dans un autre navigateur.".into(),
                "Reconnectez-vous, ou ouvrez à nouveau le lien de votre e-mail d'invitation pour continuer.".into()], Some(("Se connecter".into(), "/api/SignIn".into()))),
            Self::FormExpired { page } => text(S::FORBIDDEN, "Formulaire expiré", "Ce formulaire a expiré", vec![
                "Pour votre sécurité, le formulaire ne peut être envoyé que depuis la page que nous vous avons montrée. Rien n'a été modifié.".into()], Some(("Recharger le formulaire".into(), (*page).into()))),
            Self::SignedOut => text(S::OK, "Déconnecté", "Vous êtes déconnecté", vec![
                "Pour revenir, connectez-vous à nouveau.".into()], Some(("Se connecter".into(), "/api/SignIn".into()))),
            Self::TooManyAttempts => text(S::TOO_MANY_REQUESTS, "Trop de tentatives", "Trop de tentatives", vec![
                "Trop de liens d'invitation inexistants ont été essayés depuis cet endroit. Par sécurité, attendez une heure puis réessayez avec le lien de votre e-mail.".into()], None),
            Self::Unavailable => text(S::SERVICE_UNAVAILABLE, "Momentanément indisponible", "Nous ne pouvons pas le faire pour le moment", vec![
                "Un service dont nous dépendons ne répond pas. Rien n'a été modifié ; réessayez dans quelques minutes.".into()], None),
            Self::Internal => text(S::INTERNAL_SERVER_ERROR, "Une erreur est survenue", "Une erreur est survenue de notre côté", vec![
                "Rien n'a été modifié. Réessayez ; si cela se reproduit, contactez la personne qui vous a invité.".into()], None),
            Self::NoAccount { email } => text(S::FORBIDDEN, "Pas encore de compte", &format!("Il vous faut une invitation pour utiliser {product}"), vec![
                match email { Some(e) => format!("Aucun compte {product} n'utilise cette connexion ({e})."), None => format!("Aucun compte {product} n'utilise cette connexion.") },
                "Les comptes s'ouvrent à partir d'une invitation : ouvrez le lien de l'e-mail d'invitation reçu, ou demandez-en une à votre interlocuteur commercial.".into(),
                "Si vous avez déjà un compte avec une autre méthode de connexion (par exemple e-mail et mot de passe), connectez-vous ainsi ; vous pourrez ensuite lier celle-ci depuis votre profil.".into()], Some(("Se connecter autrement".into(), "/api/SignIn?prompt=login".into()))),
            Self::ReauthNeeded => text(S::FORBIDDEN, "Reconnectez-vous", "Veuillez d'abord vous reconnecter", vec![
                "Pour votre sécurité, modifier vos méthodes de connexion demande une connexion de moins de quelques minutes. Rien n'a été modifié.".into()], Some(("Se reconnecter".into(), "/api/SignIn?prompt=login&next=profile".into()))),
            Self::LinkWrongEmail { account, login } => text(S::FORBIDDEN, "Adresse e-mail différente", "Cette connexion a une autre adresse e-mail", vec![
                match login { Some(l) => format!("Vous vous êtes connecté en tant que {l}, mais l'adresse de votre compte est {account}."), None => format!("Cette connexion ne nous a pas donné d'adresse e-mail, mais l'adresse de votre compte est {account}.") },
                format!("Seule une connexion avec la même adresse ({account}) peut être liée, afin que personne ne puisse rattacher sa connexion à votre compte. Rien n'a été lié.")], Some(("Retour au profil".into(), "/api/Profile".into()))),
            Self::LinkOwnedElsewhere => text(S::CONFLICT, "Connexion déjà utilisée", "Cette connexion appartient à un autre compte", vec![
                format!("Elle ouvre déjà un autre compte {product} et ne peut donc pas ouvrir aussi le vôtre. Rien n'a été lié."),
                "Connectez-vous avec elle pour utiliser l'autre compte, ou contactez votre interlocuteur commercial s'il faut réunir les deux.".into()], Some(("Retour au profil".into(), "/api/Profile".into()))),
            Self::UnlinkRefused { last } => text(S::CONFLICT, "Connexion conservée", "Cette connexion ne peut pas être retirée", vec![
                if *last { "C'est la seule façon de vous connecter à votre compte. Liez-en d'abord une autre.".into() } else { "Vous êtes connecté avec elle en ce moment. Connectez-vous autrement pour la retirer.".into() }], Some(("Retour au profil".into(), "/api/Profile".into()))),
            Self::MfaUnavailable => text(S::SERVICE_UNAVAILABLE, "Indisponible", "Les applications d'authentification ne peuvent pas être activées ici", vec![
                "Cette installation n'a pas de clé pour conserver les secrets d'authentification en sécurité (COOKIE_KEY n'est pas configurée). Rien n'a été modifié.".into()], Some(("Retour au profil".into(), "/api/Profile".into()))),
            Self::MfaThrottled { minutes } => text(S::TOO_MANY_REQUESTS, "Trop de codes erronés", "Trop de codes erronés", vec![
                format!("Pour votre sécurité, les codes de ce compte sont refusés pendant les {minutes} prochaines minutes. Réessayez ensuite avec le code affiché par votre application."),
                "Téléphone perdu ? Utilisez l'un des codes de récupération conservés lors de l'activation.".into()], None),
            Self::BadForm => text(S::BAD_REQUEST, "Demande incomprise", "Cette demande n'a pas été comprise", vec![
                "Le formulaire n'a pas été rempli comme notre page l'envoie. Rien n'a été modifié.".into()], Some(("Retour au profil".into(), "/api/Profile".into()))),
            Self::ReauthToLink { .. } => Self::ReauthNeeded.french(product),
            Self::MfaExpired => text(S::BAD_REQUEST, "Connexion expirée", "Cette connexion a expiré", vec![
                "Le code n'a pas été saisi à temps, ou cette page a été ouverte dans un autre navigateur. Rien n'a été modifié.".into()], Some(("Se reconnecter".into(), "/api/SignIn".into()))),
        }
    }
}
