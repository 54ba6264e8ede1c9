# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = Sie können höchstens { $limit ->
    [one] { $limit } Einladung
   *[other] { $limit } Einladungen
} pro Stunde senden. Bitte versuchen Sie es später erneut.
limit-staff-bulk = Diese Zeilen enthalten { $rows } gültige Einladungen, Sie können in dieser Stunde aber nur noch { $remaining } senden. Es wurde nichts angelegt.
limit-emails-per-day = { $address } hat heute bereits { $limit } Einladungs-E-Mails erhalten. Bitte versuchen Sie es morgen erneut.
limit-company-per-day = Ihr Unternehmen hat seine { $limit } Einladungen an Kolleginnen und Kollegen für heute versendet. Bitte versuchen Sie es morgen erneut.
refusal-not-resendable = Nur offene oder abgelaufene Einladungen können erneut gesendet werden; diese hat den Status „{ $status }“.
refusal-not-revocable = Eine Einladung mit dem Status „{ $status }“ kann nicht zurückgezogen werden: Ihr Unternehmen besteht bereits.
refusal-other-active = Für diese Adresse besteht eine andere aktive Einladung ({ $id }); senden Sie stattdessen diese erneut oder ziehen Sie sie zurück.
# An invitation's state inside a sentence.
state-pending = offen
state-accepted = angenommen
state-completed = abgeschlossen
state-revoked = zurückgezogen
state-expired = abgelaufen
# What is wrong with one field of an API request, said of the field: the value of its
# key in `errors` (src/http/explain.rs, `field`).
field-error-required = ist erforderlich
field-error-not-text = muss eine Zeichenkette sein
field-error-not-an-object = muss ein JSON-Objekt sein
field-error-too-long = darf höchstens { $max } Zeichen lang sein
field-error-control-characters = darf keine Steuerzeichen enthalten
field-error-email = ist keine gültige E-Mail-Adresse
field-error-country = muss ein zweistelliger Ländercode nach ISO 3166-1 sein, etwa BE oder FR
field-error-vat-for = ist keine gültige USt-IdNr. für { $country }
field-error-vat = ist keine gültige USt-IdNr.
field-error-vat-check-digits = hat falsche Prüfziffern
field-error-postal-code-for = ist keine gültige Postleitzahl für { $country }
field-error-postal-code = ist keine gültige Postleitzahl
field-error-locale = muss "en", "fr", "de", "it" oder "nl" sein
field-error-status = muss pending, accepted, completed, revoked oder expired sein
field-error-event-status = muss pending oder failed sein
field-error-number = muss eine ganze Zahl von { $min } bis { $max } sein
field-error-days = muss eine ganze Zahl von Tagen sein, von { $min } bis { $max }
field-error-role = muss "administrator" oder "member" sein
field-error-company-id = ist keine Unternehmenskennung
field-error-required-with-role = ist erforderlich, wenn eine Rolle angegeben ist
field-error-not-with-company-id = darf nicht zusammen mit companyId angegeben werden
field-error-continuation-token = ist kein Token, das dieser Dienst ausgegeben hat
field-error-already-member = ist bereits Mitglied dieses Unternehmens
field-error-unknown-company = kein Unternehmen hat diese Kennung
field-error-not-stored = konnte gerade nicht gespeichert werden; senden Sie diese Zeile erneut
field-error-not-csv = ist kein gültiges CSV
field-error-format = muss json oder csv sein
field-error-timestamp = ist kein Datum mit Uhrzeit im Format von RFC 3339 (2026-11-01T00:00:00Z)
field-error-period = muss nach from liegen, höchstens { $max } Tage später
