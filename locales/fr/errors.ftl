# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = Vous pouvez envoyer au plus { $limit ->
    [one] { $limit } invitation
   *[other] { $limit } invitations
} par heure. Réessayez plus tard.
limit-staff-bulk = Ces lignes contiennent { $rows } invitations valables, mais vous ne pouvez plus en envoyer que { $remaining } cette heure-ci. Rien n'a été créé.
limit-emails-per-day = { $address } a déjà reçu { $limit } e-mails d'invitation aujourd'hui. Réessayez demain.
limit-company-per-day = Votre entreprise a envoyé ses { $limit } invitations de collègues pour aujourd'hui. Réessayez demain.
refusal-not-resendable = Seules les invitations en attente ou expirées peuvent être renvoyées ; celle-ci est dans l'état « { $status } ».
refusal-not-revocable = Une invitation dans l'état « { $status } » ne peut pas être retirée : son entreprise existe.
refusal-other-active = Une autre invitation active ({ $id }) existe pour cette adresse ; renvoyez ou retirez plutôt celle-là.
# An invitation's state inside a sentence.
state-pending = en attente
state-accepted = acceptée
state-completed = terminée
state-revoked = retirée
state-expired = expirée
# What is wrong with one field of an API request, said of the field: the value of its
# key in `errors` (src/http/explain.rs, `field`).
field-error-required = est obligatoire
field-error-not-text = doit être une chaîne de caractères
field-error-not-an-object = doit être un objet JSON
field-error-too-long = doit compter au plus { $max } caractères
field-error-control-characters = ne doit pas contenir de caractères de contrôle
field-error-email = n'est pas une adresse e-mail valable
field-error-country = doit être un code de pays ISO 3166-1 à deux lettres, par exemple BE ou FR
field-error-vat-for = n'est pas un numéro de TVA valable pour { $country }
field-error-vat = n'est pas un numéro de TVA valable
field-error-vat-check-digits = a des chiffres de contrôle erronés
field-error-postal-code-for = n'est pas un code postal valable pour { $country }
field-error-postal-code = n'est pas un code postal valable
field-error-locale = doit valoir "en", "fr", "de", "it" ou "nl"
field-error-status = doit valoir pending, accepted, completed, revoked ou expired
field-error-event-status = doit valoir pending ou failed
field-error-number = doit être un nombre entier de { $min } à { $max }
field-error-days = doit être un nombre entier de jours, de { $min } à { $max }
field-error-role = doit valoir "administrator" ou "member"
field-error-company-id = n'est pas un identifiant de société
field-error-required-with-role = est obligatoire quand un rôle est indiqué
field-error-not-with-company-id = ne doit pas être indiqué avec companyId
field-error-continuation-token = n'est pas un jeton renvoyé par ce service
field-error-already-member = est déjà membre de cette société
field-error-unknown-company = aucune société n'a cet identifiant
field-error-not-stored = n'a pas pu être enregistrée pour l'instant ; renvoyez cette ligne
field-error-not-csv = n'est pas du CSV valable
field-error-format = doit être json ou csv
field-error-timestamp = n'est pas une date et heure au format RFC 3339 (2026-11-01T00:00:00Z)
field-error-period = doit suivre from, au plus { $max } jours plus tard
