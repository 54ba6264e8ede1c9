# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = Vous pouvez envoyer au plus { $limit ->
    [one] { $limit } invitation
   *[other] { $limit } invitations
} par heure. Réessayez plus tard.
limit-staff-bulk = Ces lignes contiennent { $rows } invitations valables, mais vous ne pouvez plus en envoyer que { $remaining } cette heure-ci. Rien n'a été créé.
limit-emails-per-day = { $address } a déjà reçu { $limit } e-mails d'invitation aujourd'hui. Réessayez demain.
refusal-not-resendable = Seules les invitations en attente ou expirées peuvent être renvoyées ; celle-ci est dans l'état « { $status } ».
refusal-not-revocable = Une invitation dans l'état « { $status } » ne peut pas être retirée : son entreprise existe.
refusal-other-active = Une autre invitation active ({ $id }) existe pour cette adresse ; renvoyez ou retirez plutôt celle-là.
# An invitation's state inside a sentence.
state-pending = en attente
state-accepted = acceptée
state-completed = terminée
state-revoked = retirée
state-expired = expirée
