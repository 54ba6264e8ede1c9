# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = Sie können höchstens { $limit ->
    [one] { $limit } Einladung
   *[other] { $limit } Einladungen
} pro Stunde senden. Bitte versuchen Sie es später erneut.
limit-staff-bulk = Diese Zeilen enthalten { $rows } gültige Einladungen, Sie können in dieser Stunde aber nur noch { $remaining } senden. Es wurde nichts angelegt.
limit-emails-per-day = { $address } hat heute bereits { $limit } Einladungs-E-Mails erhalten. Bitte versuchen Sie es morgen erneut.
refusal-not-resendable = Nur offene oder abgelaufene Einladungen können erneut gesendet werden; diese hat den Status „{ $status }“.
refusal-not-revocable = Eine Einladung mit dem Status „{ $status }“ kann nicht zurückgezogen werden: Ihr Unternehmen besteht bereits.
refusal-other-active = Für diese Adresse besteht eine andere aktive Einladung ({ $id }); senden Sie stattdessen diese erneut oder ziehen Sie sie zurück.
# An invitation's state inside a sentence.
state-pending = offen
state-accepted = angenommen
state-completed = abgeschlossen
state-revoked = zurückgezogen
state-expired = abgelaufen
