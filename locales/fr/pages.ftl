# The customer's pages with content: Home, the company form, the profile, MFA, deletion.
sign-out = Se déconnecter
home-title = Accueil
home-welcome = Bienvenue sur { $product }
home-signed-in-as = Vous êtes connecté en tant que { $email }.
home-companies = { $count ->
    [one] Votre entreprise
   *[other] Vos entreprises
}
home-role-administrator = administrateur
home-role-member = membre
home-notice-left = Vous avez quitté l'entreprise.
home-continue = Continuer vers { $product }
home-next = Et maintenant ?
home-keep-address = Gardez l'adresse de cette page : vous vous reconnecterez ici avec { $email }.
home-sales-contact = Votre interlocuteur commercial voit maintenant votre entreprise et peut commencer à travailler avec vous.
home-joined = Vous avez rejoint l'entreprise de vos collègues : ouvrez-la pour voir qui en fait partie et qui la gère.
home-profile-link = Votre profil : méthodes de connexion et application d'authentification

company-title = Créez votre entreprise
company-heading = Créez votre entreprise
company-intro-prefilled = { $inviter } a préparé ces informations pour vous. Vérifiez-les, corrigez-les si besoin, puis créez votre entreprise.
company-intro = Indiquez les informations de votre entreprise, puis créez-la.
company-signed-in-as = Connecté en tant que { $email }
company-choose = Choisissez…
company-create = Créer l'entreprise
field-name = Nom de l'entreprise
field-vatNumber = Numéro de TVA
field-street = Rue et numéro
field-postalCode = Code postal
field-city = Ville
field-country = Pays
field-required = Ce champ est obligatoire.
field-invalid-name = Indiquez le nom de l'entreprise (200 caractères au plus).
field-invalid-vatNumber = Indiquez un numéro de TVA valide pour le pays choisi, avec ou sans son préfixe de pays.
field-invalid-street = Indiquez la rue et le numéro (200 caractères au plus).
field-invalid-postalCode = Indiquez un code postal valide pour le pays.
field-invalid-city = Indiquez la ville (100 caractères au plus).
field-invalid-country = Choisissez le pays dans la liste.

profile-title = Profil
profile-heading = Votre profil
profile-email = Adresse e-mail :
profile-logins = Méthodes de connexion
profile-linked-on = liée le { $date }
profile-signed-in-now = connexion actuelle
profile-remove = Retirer
profile-link-another = Liez une autre connexion utilisant la même adresse ({ $email }) pour vous connecter avec elle aussi.
profile-link-choose = Sur la page suivante, choisissez Microsoft ou Google lui-même, même si « { $local } » est proposé en premier : c'est la connexion que vous avez déjà.
profile-link-microsoft = Lier un compte Microsoft
profile-link-google = Lier un compte Google
profile-mfa = Application d'authentification
profile-mfa-on = Activée : un code de votre application vous est demandé à chaque connexion.
profile-mfa-manage = Gérer
profile-mfa-off = Désactivée. Protégez votre compte avec un code de Google Authenticator, Microsoft Authenticator, Authy ou Duo.
profile-mfa-start = Activer l'application d'authentification
profile-delete = Supprimer le compte
profile-delete-button = Supprimer mon compte…
profile-home = Accueil
provider-local = E-mail et mot de passe
notice-linked = Votre connexion { $provider } est liée : vous pouvez désormais l'utiliser pour vous connecter.
notice-already = Rien n'a été lié : vous vous êtes connecté(e) avec { $provider }, la connexion que votre compte a déjà. Pour lier Microsoft ou Google, choisissez-le sur la page de connexion au lieu de { $provider }.
notice-unlinked = La connexion { $provider } a été retirée de votre compte.
notice-mfa-on = L'application d'authentification est activée : un code vous sera demandé à chaque connexion.
notice-mfa-off = L'application d'authentification est désactivée.

mfa-title-challenge = Code de vérification
mfa-title = Application d'authentification
mfa-challenge-heading = Saisissez votre code
mfa-challenge-text = Ouvrez votre application d'authentification et saisissez le code à 6 chiffres affiché. Téléphone perdu ? Saisissez l'un de vos codes de récupération.
mfa-enable-heading = Activer l'application d'authentification
mfa-enable-scan = Dans Google Authenticator, Microsoft Authenticator, Authy ou Duo, ajoutez un compte et scannez ce code QR.
mfa-qr-alt = Code QR à scanner avec votre application
mfa-show-secret = Afficher la clé secrète
mfa-type-key = Saisissez cette clé dans votre application (type : basé sur le temps) :
mfa-open-app = Ouvrir dans une application d'authentification de cet appareil
mfa-enter-code = Saisissez le code à 6 chiffres que l'application affiche, pour vérifier que tout fonctionne.
mfa-on-heading = Application d'authentification activée
mfa-manage-text = Un code vous est demandé à chaque connexion. Pour la désactiver, saisissez un code actuel de votre application ou un code de récupération.
mfa-recovery-text = Conservez ces codes de récupération en lieu sûr : chacun permet une connexion si vous perdez votre téléphone. Ils ne seront plus affichés.
mfa-saved = J'ai conservé mes codes
mfa-code = Code
mfa-turn-off = Désactiver
mfa-turn-on = Activer
mfa-continue = Continuer
mfa-error-replayed = Ce code a déjà servi. Attendez le suivant dans votre application (30 secondes).
mfa-error-unreadable = Saisissez les 6 chiffres affichés par votre application, ou un code de récupération.
mfa-error-wrong = Ce code n'est pas le bon. Vérifiez l'heure de votre téléphone et saisissez le code affiché maintenant.
mfa-recovery-code = Code de récupération
mfa-error-throttled = Trop de codes erronés : les codes de votre application sont refusés { $minutes ->
        [one] pendant la prochaine minute.
       *[other] pendant les { $minutes } prochaines minutes.
    } Saisissez plutôt l'un des codes de récupération conservés lors de l'activation.
mfa-error-throttled-recovery = Trop de codes erronés, codes de récupération compris : attendez { $minutes ->
        [one] une minute,
       *[other] { $minutes } minutes,
    } puis réessayez.

delete-title = Supprimer le compte
delete-heading = Supprimer votre compte ?
delete-p1 = Votre compte { $product }, vos méthodes de connexion, votre application d'authentification, vos invitations et vos appartenances aux entreprises seront effacés. Cela ne peut pas être annulé.
delete-p2 = Les entreprises que vous avez créées restent : ce sont les données de l'entreprise.
delete-confirm = Supprimer définitivement mon compte
delete-cancel = Annuler et revenir au profil
deleted-title = Compte supprimé
deleted-heading = Votre compte est supprimé
deleted-p1 = Tout ce que { $product } conservait à votre sujet a été effacé, et vous êtes déconnecté. Vos anciennes connexions n'ouvrent plus rien.
handover-title = Passez d'abord la main
handover-heading = Vous êtes le dernier administrateur
handover-p1 = Vous êtes le seul administrateur de { $companies }, qui { $count ->
    [one] a
   *[other] ont
} d'autres membres. Nommez d'abord un autre administrateur, puis supprimez votre compte.
handover-p2 = Rien n'a été supprimé.
profile-remove-heading = Retirer ce moyen de connexion ?
profile-remove-p1 = Vous ne pourrez plus vous connecter avec { $login }. Vous pourrez le lier à nouveau depuis votre profil.
profile-remove-confirm = Retirer cette connexion
