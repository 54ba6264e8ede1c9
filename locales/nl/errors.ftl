# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = U kunt hoogstens { $limit ->
    [one] { $limit } uitnodiging
   *[other] { $limit } uitnodigingen
} per uur versturen. Probeer het later opnieuw.
limit-staff-bulk = Deze rijen bevatten { $rows } geldige uitnodigingen, maar u kunt dit uur nog maar { $remaining } versturen. Er is niets aangemaakt.
limit-emails-per-day = { $address } heeft vandaag al { $limit } uitnodigingsmails ontvangen. Probeer het morgen opnieuw.
refusal-not-resendable = Alleen openstaande of verlopen uitnodigingen kunnen opnieuw worden verstuurd; deze heeft de status '{ $status }'.
refusal-not-revocable = Een uitnodiging met de status '{ $status }' kan niet worden ingetrokken: haar bedrijf bestaat al.
refusal-other-active = Er bestaat een andere actieve uitnodiging ({ $id }) voor dit adres; verstuur of trek liever die in.
# An invitation's state inside a sentence.
state-pending = openstaand
state-accepted = aanvaard
state-completed = voltooid
state-revoked = ingetrokken
state-expired = verlopen
