# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = Può inviare al massimo { $limit ->
    [one] { $limit } invito
   *[other] { $limit } inviti
} all'ora. Riprovi più tardi.
limit-staff-bulk = Queste righe contengono { $rows } inviti validi, ma in quest'ora può inviarne ancora solo { $remaining }. Non è stato creato nulla.
limit-emails-per-day = { $address } ha già ricevuto { $limit } e-mail di invito oggi. Riprovi domani.
limit-company-per-day = La sua azienda ha inviato i suoi { $limit } inviti a colleghi per oggi. Riprovi domani.
refusal-not-resendable = Si possono inviare di nuovo solo gli inviti in attesa o scaduti; questo è nello stato «{ $status }».
refusal-not-revocable = Un invito nello stato «{ $status }» non può essere ritirato: la sua azienda esiste già.
refusal-other-active = Esiste un altro invito attivo ({ $id }) per questo indirizzo; invii di nuovo o ritiri piuttosto quello.
# An invitation's state inside a sentence.
state-pending = in attesa
state-accepted = accettato
state-completed = completato
state-revoked = ritirato
state-expired = scaduto
# What is wrong with one field of an API request, said of the field: the value of its
# key in `errors` (src/http/explain.rs, `field`).
field-error-required = è un campo obbligatorio
field-error-not-text = deve essere una stringa
field-error-not-an-object = deve essere un oggetto JSON
field-error-too-long = può contenere al massimo { $max } caratteri
field-error-control-characters = non può contenere caratteri di controllo
field-error-email = non è un indirizzo email valido
field-error-country = deve essere un codice paese ISO 3166-1 di due lettere, ad esempio BE o FR
field-error-vat-for = non è una partita IVA valida per { $country }
field-error-vat = non è una partita IVA valida
field-error-vat-check-digits = ha cifre di controllo errate
field-error-postal-code-for = non è un codice postale valido per { $country }
field-error-postal-code = non è un codice postale valido
field-error-locale = deve valere "en", "fr", "de", "it" o "nl"
field-error-status = deve valere pending, accepted, completed, revoked o expired
field-error-event-status = deve valere pending o failed
field-error-number = deve essere un numero intero da { $min } a { $max }
field-error-days = deve essere un numero intero di giorni, da { $min } a { $max }
field-error-role = deve valere "administrator" o "member"
field-error-company-id = non è un identificativo di azienda
field-error-required-with-role = è un campo obbligatorio quando si indica un ruolo
field-error-not-with-company-id = non può essere indicato insieme a companyId
field-error-continuation-token = non è un token restituito da questo servizio
field-error-already-member = è già membro di questa azienda
field-error-unknown-company = nessuna azienda ha questo identificativo
field-error-not-stored = non è stato possibile salvarla ora; invii di nuovo questa riga
field-error-not-csv = non è un CSV valido
field-error-format = deve essere json o csv
field-error-timestamp = non è una data e ora nel formato RFC 3339 (2026-11-01T00:00:00Z)
field-error-period = deve venire dopo from, al massimo { $max } giorni dopo
