# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = U kunt hoogstens { $limit ->
    [one] { $limit } uitnodiging
   *[other] { $limit } uitnodigingen
} per uur versturen. Probeer het later opnieuw.
limit-staff-bulk = Deze rijen bevatten { $rows } geldige uitnodigingen, maar u kunt dit uur nog maar { $remaining } versturen. Er is niets aangemaakt.
limit-emails-per-day = { $address } heeft vandaag al { $limit } uitnodigingsmails ontvangen. Probeer het morgen opnieuw.
limit-company-per-day = Uw bedrijf heeft zijn { $limit } uitnodigingen aan collega's voor vandaag verstuurd. Probeer het morgen opnieuw.
refusal-not-resendable = Alleen openstaande of verlopen uitnodigingen kunnen opnieuw worden verstuurd; deze heeft de status '{ $status }'.
refusal-not-revocable = Een uitnodiging met de status '{ $status }' kan niet worden ingetrokken: haar bedrijf bestaat al.
refusal-other-active = Er bestaat een andere actieve uitnodiging ({ $id }) voor dit adres; verstuur of trek liever die in.
# An invitation's state inside a sentence.
state-pending = openstaand
state-accepted = aanvaard
state-completed = voltooid
state-revoked = ingetrokken
state-expired = verlopen
# What is wrong with one field of an API request, said of the field: the value of its
# key in `errors` (src/http/explain.rs, `field`).
field-error-required = is verplicht
field-error-not-text = moet een tekenreeks zijn
field-error-not-an-object = moet een JSON-object zijn
field-error-too-long = mag hoogstens { $max } tekens bevatten
field-error-control-characters = mag geen stuurtekens bevatten
field-error-email = is geen geldig e-mailadres
field-error-country = moet een landcode van twee letters volgens ISO 3166-1 zijn, bijvoorbeeld BE of FR
field-error-vat-for = is geen geldig btw-nummer voor { $country }
field-error-vat = is geen geldig btw-nummer
field-error-vat-check-digits = heeft onjuiste controlecijfers
field-error-postal-code-for = is geen geldige postcode voor { $country }
field-error-postal-code = is geen geldige postcode
field-error-locale = moet "en", "fr", "de", "it" of "nl" zijn
field-error-status = moet pending, accepted, completed, revoked of expired zijn
field-error-event-status = moet pending of failed zijn
field-error-number = moet een geheel getal van { $min } tot en met { $max } zijn
field-error-days = moet een geheel aantal dagen zijn, van { $min } tot en met { $max }
field-error-role = moet "administrator" of "member" zijn
field-error-company-id = is geen bedrijfs-id
field-error-required-with-role = is verplicht wanneer een rol is opgegeven
field-error-not-with-company-id = mag niet samen met companyId worden opgegeven
field-error-continuation-token = is geen token dat deze dienst heeft teruggegeven
field-error-already-member = is al lid van dit bedrijf
field-error-unknown-company = geen bedrijf heeft deze id
field-error-not-stored = kon nu niet worden opgeslagen; stuur deze regel opnieuw
field-error-not-csv = is geen geldige CSV
field-error-format = moet json of csv zijn
field-error-timestamp = is geen datum en tijd zoals RFC 3339 die schrijft (2026-11-01T00:00:00Z)
field-error-period = moet na from komen, hoogstens { $max } dagen later
