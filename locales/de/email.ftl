# The invitation email (subject, text and HTML parts).
email-subject = { $inviter } hat Sie zu { $product } eingeladen
email-subject-new-link = Neuer Link: { $inviter } hat Sie zu { $product } eingeladen
email-greeting-name = Guten Tag { $name },
email-greeting = Guten Tag,
email-intro = { $inviter } ({ $inviterEmail }) hat Sie eingeladen, { $product } für die Zusammenarbeit zu nutzen.
email-intro-company = { $inviter } ({ $inviterEmail }) hat Sie eingeladen, { $product } für die Zusammenarbeit zu nutzen und dort { $company } anzulegen.
email-intro-join = { $inviter } ({ $inviterEmail }) hat Sie eingeladen, { $company } auf { $product } beizutreten.
email-replaces = Dieser Link ersetzt den aus der früheren E-Mail, der nicht mehr funktioniert.
email-start = Jetzt loslegen
email-start-text = Jetzt loslegen:
email-sign-in = Jetzt anmelden
email-sign-in-text = Jetzt anmelden:
email-account-existing = Melden Sie sich mit Ihrem Konto an ({ $email }).
email-account-new = Legen Sie mit dieser E-Mail-Adresse ({ $email }) Ihr Konto an, oder melden Sie sich damit an.
email-valid-until = Der Link ist bis zum { $date } gültig; danach bitten Sie { $inviter } um einen neuen.
email-button-fallback = Wenn die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:
email-not-expected = Wenn Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.
