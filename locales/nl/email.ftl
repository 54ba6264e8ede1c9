# The invitation email (subject, text and HTML parts).
email-subject = { $inviter } heeft u uitgenodigd voor { $product }
email-subject-new-link = Nieuwe link: { $inviter } heeft u uitgenodigd voor { $product }
email-greeting-name = Beste { $name },
email-greeting = Goedendag,
email-intro = { $inviter } ({ $inviterEmail }) heeft u uitgenodigd om { $product } te gebruiken om samen te werken.
email-intro-company = { $inviter } ({ $inviterEmail }) heeft u uitgenodigd om { $product } te gebruiken om samen te werken en daar { $company } aan te maken.
email-intro-join = { $inviter } ({ $inviterEmail }) heeft u uitgenodigd om lid te worden van { $company } op { $product }.
email-replaces = Deze link vervangt die uit de eerdere e-mail, die niet meer werkt.
email-start = Nu beginnen
email-start-text = Nu beginnen:
email-sign-in = Nu aanmelden
email-sign-in-text = Nu aanmelden:
email-account-existing = Meld u aan met uw account ({ $email }).
email-account-new = Maak uw account aan, of meld u aan, met dit e-mailadres ({ $email }).
email-valid-until = De link werkt tot { $date }; vraag daarna { $inviter } om een nieuwe.
email-button-fallback = Werkt de knop niet, kopieer deze link dan naar uw browser:
email-not-expected = Als u deze uitnodiging niet verwachtte, kunt u deze e-mail negeren.
