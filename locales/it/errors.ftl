# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = Può inviare al massimo { $limit ->
    [one] { $limit } invito
   *[other] { $limit } inviti
} all'ora. Riprovi più tardi.
limit-staff-bulk = Queste righe contengono { $rows } inviti validi, ma in quest'ora può inviarne ancora solo { $remaining }. Non è stato creato nulla.
limit-emails-per-day = { $address } ha già ricevuto { $limit } e-mail di invito oggi. Riprovi domani.
refusal-not-resendable = Si possono inviare di nuovo solo gli inviti in attesa o scaduti; questo è nello stato «{ $status }».
refusal-not-revocable = Un invito nello stato «{ $status }» non può essere ritirato: la sua azienda esiste già.
refusal-other-active = Esiste un altro invito attivo ({ $id }) per questo indirizzo; invii di nuovo o ritiri piuttosto quello.
# An invitation's state inside a sentence.
state-pending = in attesa
state-accepted = accettato
state-completed = completato
state-revoked = ritirato
state-expired = scaduto
