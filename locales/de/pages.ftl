# The customer's pages with content: Home, the company form, the profile, MFA, deletion.
sign-out = Abmelden
home-title = Startseite
home-welcome = Willkommen bei { $product }
home-signed-in-as = Sie sind als { $email } angemeldet.
home-companies = { $count ->
    [one] Ihr Unternehmen
   *[other] Ihre Unternehmen
}
home-role-administrator = Administrator
home-role-member = Mitglied
home-notice-left = Sie haben das Unternehmen verlassen.
home-continue = Weiter zu { $product }
home-next = Wie geht es weiter?
home-keep-address = Bewahren Sie die Adresse dieser Seite auf: Hier melden Sie sich künftig mit { $email } an.
home-sales-contact = Ihr Ansprechpartner im Vertrieb sieht Ihr Unternehmen jetzt und kann die Zusammenarbeit mit Ihnen beginnen.
home-joined = Sie sind dem Unternehmen Ihrer Kollegen beigetreten: Öffnen Sie es, um zu sehen, wer dazugehört und wer es verwaltet.
home-profile-link = Ihr Profil: Anmeldemethoden und Authenticator-App

company-title = Legen Sie Ihr Unternehmen an
company-heading = Legen Sie Ihr Unternehmen an
company-intro-prefilled = { $inviter } hat diese Angaben für Sie vorbereitet. Prüfen Sie sie, korrigieren Sie sie bei Bedarf und legen Sie dann Ihr Unternehmen an.
company-intro = Geben Sie die Angaben Ihres Unternehmens ein und legen Sie es dann an.
company-signed-in-as = Angemeldet als { $email }
company-choose = Bitte wählen…
company-create = Unternehmen anlegen
field-name = Name des Unternehmens
field-vatNumber = USt-IdNr.
field-street = Straße und Hausnummer
field-postalCode = Postleitzahl
field-city = Ort
field-country = Land
field-required = Dieses Feld ist erforderlich.
field-invalid-name = Geben Sie den Namen des Unternehmens ein (höchstens 200 Zeichen).
field-invalid-vatNumber = Geben Sie eine gültige Umsatzsteuer-Identifikationsnummer für das gewählte Land ein, mit oder ohne dessen Länderkennung.
field-invalid-street = Geben Sie Straße und Hausnummer ein (höchstens 200 Zeichen).
field-invalid-postalCode = Geben Sie eine gültige Postleitzahl für das Land ein.
field-invalid-city = Geben Sie den Ort ein (höchstens 100 Zeichen).
field-invalid-country = Wählen Sie das Land aus der Liste.

profile-title = Profil
profile-heading = Ihr Profil
profile-email = E-Mail-Adresse:
profile-logins = Anmeldemethoden
profile-linked-on = verknüpft am { $date }
profile-signed-in-now = aktuelle Anmeldung
profile-remove = Entfernen
profile-link-another = Verknüpfen Sie eine weitere Anmeldung mit derselben Adresse ({ $email }), um sich auch damit anzumelden.
profile-link-choose = Wählen Sie auf der nächsten Seite Microsoft oder Google selbst, auch wenn zuerst „{ $local }“ angeboten wird: Das ist die Anmeldung, die Sie bereits haben.
profile-link-microsoft = Microsoft-Konto verknüpfen
profile-link-google = Google-Konto verknüpfen
profile-mfa = Authenticator-App
profile-mfa-on = Aktiviert: Bei jeder Anmeldung wird ein Code aus Ihrer App abgefragt.
profile-mfa-manage = Verwalten
profile-mfa-off = Deaktiviert. Schützen Sie Ihr Konto mit einem Code aus Google Authenticator, Microsoft Authenticator, Authy oder Duo.
profile-mfa-start = Authenticator-App aktivieren
profile-delete = Konto löschen
profile-delete-button = Mein Konto löschen…
profile-home = Startseite
provider-local = E-Mail und Passwort
notice-linked = Ihre { $provider }-Anmeldung ist verknüpft: Sie können sich ab jetzt damit anmelden.
notice-already = Nichts wurde verknüpft: Sie haben sich mit { $provider } angemeldet, der Anmeldung, die Ihr Konto bereits hat. Um Microsoft oder Google zu verknüpfen, wählen Sie dies auf der Anmeldeseite statt { $provider }.
notice-unlinked = Die { $provider }-Anmeldung wurde von Ihrem Konto entfernt.
notice-mfa-on = Ihre Authenticator-App ist aktiviert: Bei jeder Anmeldung wird ein Code abgefragt.
notice-mfa-off = Ihre Authenticator-App ist deaktiviert.

mfa-title-challenge = Bestätigungscode
mfa-title = Authenticator-App
mfa-challenge-heading = Geben Sie Ihren Code ein
mfa-challenge-text = Öffnen Sie Ihre Authenticator-App und geben Sie den angezeigten 6-stelligen Code ein. Telefon verloren? Geben Sie einen Ihrer Wiederherstellungscodes ein.
mfa-enable-heading = Authenticator-App aktivieren
mfa-enable-scan = Fügen Sie in Google Authenticator, Microsoft Authenticator, Authy oder Duo ein Konto hinzu und scannen Sie diesen QR-Code.
mfa-qr-alt = QR-Code zum Scannen mit Ihrer App
mfa-show-secret = Geheimen Schlüssel anzeigen
mfa-type-key = Geben Sie diesen Schlüssel in Ihrer App ein (Typ: zeitbasiert):
mfa-open-app = In einer Authenticator-App auf diesem Gerät öffnen
mfa-enter-code = Geben Sie den 6-stelligen Code ein, den die App anzeigt, um zu prüfen, dass alles funktioniert.
mfa-on-heading = Die Authenticator-App ist aktiviert
mfa-manage-text = Bei jeder Anmeldung wird ein Code abgefragt. Zum Deaktivieren geben Sie einen aktuellen Code aus Ihrer App oder einen Wiederherstellungscode ein.
mfa-recovery-text = Bewahren Sie diese Wiederherstellungscodes an einem sicheren Ort auf: Mit jedem können Sie sich einmal anmelden, falls Sie Ihr Telefon verlieren. Sie werden nicht erneut angezeigt.
mfa-saved = Ich habe meine Codes gespeichert
mfa-code = Code
mfa-turn-off = Deaktivieren
mfa-turn-on = Aktivieren
mfa-continue = Weiter
mfa-error-replayed = Dieser Code wurde bereits verwendet. Warten Sie auf den nächsten in Ihrer App (30 Sekunden).
mfa-error-unreadable = Geben Sie die 6 Ziffern ein, die Ihre App anzeigt, oder einen Wiederherstellungscode.
mfa-error-wrong = Dieser Code ist nicht richtig. Prüfen Sie die Uhrzeit Ihres Telefons und geben Sie den jetzt angezeigten Code ein.
mfa-recovery-code = Wiederherstellungscode
mfa-error-throttled = Zu viele falsche Codes: Codes Ihrer App werden { $minutes ->
        [one] in der nächsten Minute abgelehnt.
       *[other] in den nächsten { $minutes } Minuten abgelehnt.
    } Geben Sie stattdessen einen der Wiederherstellungscodes ein, die Sie beim Aktivieren gespeichert haben.
mfa-error-throttled-recovery = Zu viele falsche Codes, auch Wiederherstellungscodes: Warten Sie { $minutes ->
        [one] eine Minute
       *[other] { $minutes } Minuten
    } und versuchen Sie es dann erneut.

delete-title = Konto löschen
delete-heading = Möchten Sie Ihr Konto löschen?
delete-p1 = Ihr { $product }-Konto, Ihre Anmeldemethoden, Ihre Authenticator-App, Ihre Einladungen und Ihre Mitgliedschaften in Unternehmen werden gelöscht. Dies kann nicht rückgängig gemacht werden.
delete-p2 = Von Ihnen angelegte Unternehmen bleiben bestehen: Es sind die Daten des Unternehmens.
delete-confirm = Mein Konto endgültig löschen
delete-cancel = Abbrechen und zurück zum Profil
deleted-title = Konto gelöscht
deleted-heading = Ihr Konto ist gelöscht
deleted-p1 = Alles, was { $product } über Sie gespeichert hatte, wurde gelöscht, und Sie sind abgemeldet. Ihre bisherigen Anmeldungen öffnen nichts mehr.
handover-title = Zuerst übergeben
handover-heading = Sie sind der letzte Administrator
handover-p1 = Sie sind der einzige Administrator von { $companies }, { $count ->
    [one] das
   *[other] die
} weitere Mitglieder { $count ->
    [one] hat
   *[other] haben
}. Ernennen Sie zuerst ein anderes Mitglied zum Administrator und löschen Sie dann Ihr Konto.
handover-p2 = Es wurde nichts gelöscht.
profile-remove-heading = Diese Anmeldemöglichkeit entfernen?
profile-remove-p1 = Sie können sich dann nicht mehr mit { $login } anmelden. Sie können sie in Ihrem Profil erneut verknüpfen.
profile-remove-confirm = Diese Anmeldung entfernen
