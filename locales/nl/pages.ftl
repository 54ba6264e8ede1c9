# The customer's pages with content: Home, the company form, the profile, MFA, deletion.
sign-out = Afmelden
home-title = Startpagina
home-welcome = Welkom bij { $product }
home-signed-in-as = U bent aangemeld als { $email }.
home-companies = { $count ->
    [one] Uw bedrijf
   *[other] Uw bedrijven
}
home-role-administrator = beheerder
home-role-member = lid
home-notice-left = U hebt het bedrijf verlaten.
home-continue = Verder naar { $product }
home-next = Hoe verder?
home-keep-address = Bewaar het adres van deze pagina: hier meldt u zich voortaan aan met { $email }.
home-sales-contact = Uw commerciële contactpersoon ziet uw bedrijf nu en kan met u aan de slag.
home-joined = U bent lid geworden van het bedrijf van uw collega's: open het om te zien wie erbij hoort en wie het beheert.
home-profile-link = Uw profiel: aanmeldmethoden en authenticator-app

company-title = Maak uw bedrijf aan
company-heading = Maak uw bedrijf aan
company-intro-prefilled = { $inviter } heeft deze gegevens voor u ingevuld. Controleer ze, corrigeer ze zo nodig en maak dan uw bedrijf aan.
company-intro = Vul de gegevens van uw bedrijf in en maak het dan aan.
company-signed-in-as = Aangemeld als { $email }
company-choose = Kies…
company-create = Bedrijf aanmaken
field-name = Bedrijfsnaam
field-vatNumber = Btw-nummer
field-street = Straat en huisnummer
field-postalCode = Postcode
field-city = Plaats
field-country = Land
field-required = Dit veld is verplicht.
field-invalid-name = Vul de naam van het bedrijf in (hoogstens 200 tekens).
field-invalid-vatNumber = Vul een geldig btw-nummer in voor het gekozen land, met of zonder het landvoorvoegsel.
field-invalid-street = Vul de straat en het huisnummer in (hoogstens 200 tekens).
field-invalid-postalCode = Vul een geldige postcode in voor het land.
field-invalid-city = Vul de plaats in (hoogstens 100 tekens).
field-invalid-country = Kies het land uit de lijst.

profile-title = Profiel
profile-heading = Uw profiel
profile-email = E-mailadres:
profile-logins = Aanmeldmethoden
profile-linked-on = gekoppeld op { $date }
profile-signed-in-now = huidige aanmelding
profile-remove = Verwijderen
profile-link-another = Koppel een andere aanmelding met hetzelfde adres ({ $email }) om u daar ook mee aan te melden.
profile-link-choose = Kies op de volgende pagina Microsoft of Google zelf, ook als eerst "{ $local }" wordt aangeboden: dat is de aanmelding die u al heeft.
profile-link-microsoft = Een Microsoft-account koppelen
profile-link-google = Een Google-account koppelen
profile-mfa = Authenticator-app
profile-mfa-on = Ingeschakeld: bij elke aanmelding wordt een code uit uw app gevraagd.
profile-mfa-manage = Beheren
profile-mfa-off = Uitgeschakeld. Beveilig uw account met een code uit Google Authenticator, Microsoft Authenticator, Authy of Duo.
profile-mfa-start = De authenticator-app inschakelen
profile-delete = Account verwijderen
profile-delete-button = Mijn account verwijderen…
profile-home = Startpagina
provider-local = E-mail en wachtwoord
notice-linked = Uw { $provider }-aanmelding is gekoppeld: u kunt zich er voortaan mee aanmelden.
notice-already = Er is niets gekoppeld: u heeft zich aangemeld met { $provider }, de aanmelding die uw account al heeft. Kies om Microsoft of Google te koppelen die op de aanmeldpagina in plaats van { $provider }.
notice-unlinked = De { $provider }-aanmelding is van uw account verwijderd.
notice-mfa-on = Uw authenticator-app is ingeschakeld: bij elke aanmelding wordt u om een code gevraagd.
notice-mfa-off = Uw authenticator-app is uitgeschakeld.

mfa-title-challenge = Verificatiecode
mfa-title = Authenticator-app
mfa-challenge-heading = Voer uw code in
mfa-challenge-text = Open uw authenticator-app en voer de getoonde code van 6 cijfers in. Telefoon kwijt? Voer een van uw herstelcodes in.
mfa-enable-heading = De authenticator-app inschakelen
mfa-enable-scan = Voeg in Google Authenticator, Microsoft Authenticator, Authy of Duo een account toe en scan deze QR-code.
mfa-qr-alt = QR-code om met uw app te scannen
mfa-show-secret = Geheime sleutel tonen
mfa-type-key = Voer deze sleutel in uw app in (type: op tijd gebaseerd):
mfa-open-app = Openen in een authenticator-app op dit apparaat
mfa-enter-code = Voer de code van 6 cijfers in die de app toont, om te controleren dat alles werkt.
mfa-on-heading = De authenticator-app is ingeschakeld
mfa-manage-text = Bij elke aanmelding wordt een code gevraagd. Voer om haar uit te schakelen een actuele code uit uw app of een herstelcode in.
mfa-recovery-text = Bewaar deze herstelcodes op een veilige plek: met elke code kunt u zich één keer aanmelden als u uw telefoon kwijtraakt. Ze worden niet opnieuw getoond.
mfa-saved = Ik heb mijn codes bewaard
mfa-code = Code
mfa-turn-off = Uitschakelen
mfa-turn-on = Inschakelen
mfa-continue = Doorgaan
mfa-error-replayed = Deze code is al gebruikt. Wacht op de volgende in uw app (30 seconden).
mfa-error-unreadable = Voer de 6 cijfers in die uw app toont, of een herstelcode.
mfa-error-wrong = Deze code klopt niet. Controleer de klok van uw telefoon en voer de code in die nu wordt getoond.
mfa-recovery-code = Herstelcode
mfa-error-throttled = Te veel onjuiste codes: codes van uw app worden { $minutes ->
        [one] de komende minuut geweigerd.
       *[other] de komende { $minutes } minuten geweigerd.
    } Voer in plaats daarvan een van de herstelcodes in die u bij het inschakelen heeft bewaard.
mfa-error-throttled-recovery = Te veel onjuiste codes, ook herstelcodes: wacht { $minutes ->
        [one] een minuut
       *[other] { $minutes } minuten
    } en probeer het dan opnieuw.

delete-title = Account verwijderen
delete-heading = Uw account verwijderen?
delete-p1 = Uw { $product }-account, uw aanmeldmethoden, uw authenticator-app, uw uitnodigingen en uw lidmaatschappen van bedrijven worden gewist. Dit kan niet ongedaan worden gemaakt.
delete-p2 = Bedrijven die u heeft aangemaakt, blijven bestaan: het zijn de gegevens van het bedrijf.
delete-confirm = Mijn account definitief verwijderen
delete-cancel = Annuleren en terug naar uw profiel
deleted-title = Account verwijderd
deleted-heading = Uw account is verwijderd
deleted-p1 = Alles wat { $product } over u bewaarde, is gewist en u bent afgemeld. Uw vroegere aanmeldingen openen niets meer.
handover-title = Eerst overdragen
handover-heading = U bent de laatste beheerder
handover-p1 = U bent de enige beheerder van { $companies }, { $count ->
    [one] dat
   *[other] die
} nog andere leden { $count ->
    [one] heeft
   *[other] hebben
}. Maak eerst een ander lid beheerder en verwijder daarna uw account.
handover-p2 = Er is niets verwijderd.
profile-remove-heading = Deze manier van aanmelden verwijderen?
profile-remove-p1 = U kunt zich dan niet meer aanmelden met { $login }. U kunt deze opnieuw koppelen vanuit uw profiel.
profile-remove-confirm = Deze aanmelding verwijderen
