# The customer's pages with content: Home, the company form, the profile, MFA, deletion.
sign-out = Esci
home-title = Pagina iniziale
home-welcome = Le diamo il benvenuto su { $product }
home-signed-in-as = Ha effettuato l'accesso come { $email }.
home-companies = { $count ->
    [one] La Sua azienda
   *[other] Le Sue aziende
}
home-role-administrator = amministratore
home-role-member = membro
home-notice-left = Ha lasciato l'azienda.
home-continue = Continua su { $product }
home-next = E adesso?
home-keep-address = Conservi l'indirizzo di questa pagina: qui accederà di nuovo con { $email }.
home-sales-contact = Il Suo referente commerciale vede ora la Sua azienda e può iniziare a lavorare con Lei.
home-joined = Si è unito all'azienda dei Suoi colleghi: la apra per vedere chi ne fa parte e chi la gestisce.
home-profile-link = Il Suo profilo: metodi di accesso e app di autenticazione

company-title = Crei la Sua azienda
company-heading = Crei la Sua azienda
company-intro-prefilled = { $inviter } ha preparato questi dati per Lei. Li verifichi, li corregga se necessario, poi crei la Sua azienda.
company-intro = Inserisca i dati della Sua azienda, poi la crei.
company-signed-in-as = Accesso effettuato come { $email }
company-choose = Scelga…
company-create = Crea l'azienda
field-name = Nome dell'azienda
field-vatNumber = Partita IVA
field-street = Via e numero civico
field-postalCode = Codice postale
field-city = Città
field-country = Paese
field-required = Questo campo è obbligatorio.
field-invalid-name = Inserisca il nome dell'azienda (al massimo 200 caratteri).
field-invalid-vatNumber = Inserisca una partita IVA valida per il paese scelto, con o senza il suo prefisso nazionale.
field-invalid-street = Inserisca la via e il numero civico (al massimo 200 caratteri).
field-invalid-postalCode = Inserisca un codice postale valido per il paese.
field-invalid-city = Inserisca la città (al massimo 100 caratteri).
field-invalid-country = Scelga il paese dall'elenco.

profile-title = Profilo
profile-heading = Il Suo profilo
profile-email = Indirizzo e-mail:
profile-logins = Metodi di accesso
profile-linked-on = collegato il { $date }
profile-signed-in-now = accesso attuale
profile-remove = Rimuovi
profile-link-another = Colleghi un altro accesso con lo stesso indirizzo ({ $email }) per accedere anche con quello.
profile-link-choose = Nella pagina successiva scelga proprio Microsoft o Google, anche se viene proposto prima «{ $local }»: è l'accesso che ha già.
profile-link-microsoft = Collega un account Microsoft
profile-link-google = Collega un account Google
profile-mfa = App di autenticazione
profile-mfa-on = Attiva: a ogni accesso viene richiesto un codice della Sua app.
profile-mfa-manage = Gestisci
profile-mfa-off = Disattivata. Protegga il Suo account con un codice di Google Authenticator, Microsoft Authenticator, Authy o Duo.
profile-mfa-start = Attiva l'app di autenticazione
profile-delete = Elimina l'account
profile-delete-button = Elimina il mio account…
profile-home = Pagina iniziale
provider-local = E-mail e password
notice-linked = Il Suo accesso { $provider } è collegato: ora può usarlo per accedere.
notice-already = Non è stato collegato nulla: ha eseguito l'accesso con { $provider }, l'accesso che il Suo account ha già. Per collegare Microsoft o Google, lo scelga nella pagina di accesso invece di { $provider }.
notice-unlinked = L'accesso { $provider } è stato rimosso dal Suo account.
notice-mfa-on = La Sua app di autenticazione è attiva: a ogni accesso Le verrà chiesto un codice.
notice-mfa-off = La Sua app di autenticazione è disattivata.

mfa-title-challenge = Codice di verifica
mfa-title = App di autenticazione
mfa-challenge-heading = Inserisca il Suo codice
mfa-challenge-text = Apra la Sua app di autenticazione e inserisca il codice di 6 cifre mostrato. Ha perso il telefono? Inserisca uno dei Suoi codici di recupero.
mfa-enable-heading = Attiva l'app di autenticazione
mfa-enable-scan = In Google Authenticator, Microsoft Authenticator, Authy o Duo, aggiunga un account e scansioni questo codice QR.
mfa-qr-alt = Codice QR da scansionare con la Sua app
mfa-show-secret = Mostra la chiave segreta
mfa-type-key = Inserisca questa chiave nella Sua app (tipo: basato sul tempo):
mfa-open-app = Apri in un'app di autenticazione su questo dispositivo
mfa-enter-code = Inserisca il codice di 6 cifre mostrato dall'app, per verificare che tutto funzioni.
mfa-on-heading = L'app di autenticazione è attiva
mfa-manage-text = A ogni accesso viene richiesto un codice. Per disattivarla, inserisca un codice attuale della Sua app o un codice di recupero.
mfa-recovery-text = Conservi questi codici di recupero in un luogo sicuro: ciascuno consente un accesso se perde il telefono. Non verranno più mostrati.
mfa-saved = Ho salvato i miei codici
mfa-code = Codice
mfa-turn-off = Disattiva
mfa-turn-on = Attiva
mfa-continue = Continua
mfa-error-replayed = Questo codice è già stato usato. Attenda il successivo nella Sua app (30 secondi).
mfa-error-unreadable = Inserisca le 6 cifre mostrate dalla Sua app, oppure un codice di recupero.
mfa-error-wrong = Questo codice non è corretto. Controlli l'ora del Suo telefono e inserisca il codice mostrato adesso.
mfa-recovery-code = Codice di recupero
mfa-error-throttled = Troppi codici errati: i codici della Sua app vengono rifiutati { $minutes ->
        [one] per il prossimo minuto.
       *[other] per i prossimi { $minutes } minuti.
    } Inserisca invece uno dei codici di recupero salvati al momento dell'attivazione.
mfa-error-throttled-recovery = Troppi codici errati, anche di recupero: attenda { $minutes ->
        [one] un minuto,
       *[other] { $minutes } minuti,
    } poi riprovi.

delete-title = Elimina l'account
delete-heading = Eliminare il Suo account?
delete-p1 = Il Suo account { $product }, i Suoi metodi di accesso, la Sua app di autenticazione, i Suoi inviti e le Sue appartenenze alle aziende verranno cancellati. L'operazione non può essere annullata.
delete-p2 = Le aziende che ha creato restano: sono i dati dell'azienda.
delete-confirm = Elimina definitivamente il mio account
delete-cancel = Annulla e torna al profilo
deleted-title = Account eliminato
deleted-heading = Il Suo account è stato eliminato
deleted-p1 = Tutto ciò che { $product } conservava su di Lei è stato cancellato, e la Sua sessione è terminata. I Suoi accessi precedenti non aprono più nulla.
handover-title = Prima passi il testimone
handover-heading = Lei è l'ultimo amministratore
handover-p1 = Lei è l'unico amministratore di { $companies }, che { $count ->
    [one] ha
   *[other] hanno
} altri membri. Nomini prima amministratore un altro membro, poi elimini il Suo account.
handover-p2 = Non è stato eliminato nulla.
profile-remove-heading = Rimuovere questo modo di accedere?
profile-remove-p1 = Non potrà più accedere con { $login }. Potrà collegarlo di nuovo dal suo profilo.
profile-remove-confirm = Rimuovi questo accesso
