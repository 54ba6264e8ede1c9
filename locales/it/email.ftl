# The invitation email (subject, text and HTML parts).
email-subject = { $inviter } La invita su { $product }
email-subject-new-link = Nuovo link: { $inviter } La invita su { $product }
email-greeting-name = Gentile { $name },
email-greeting = Buongiorno,
email-intro = { $inviter } ({ $inviterEmail }) La invita a usare { $product } per collaborare.
email-intro-company = { $inviter } ({ $inviterEmail }) La invita a usare { $product } per collaborare e a crearvi { $company }.
email-intro-join = { $inviter } ({ $inviterEmail }) La invita a unirsi a { $company } su { $product }.
email-replaces = Questo link sostituisce quello dell'e-mail precedente, che non funziona più.
email-start = Inizi ora
email-start-text = Inizi ora:
email-sign-in = Acceda ora
email-sign-in-text = Acceda ora:
email-account-existing = Acceda con il Suo account ({ $email }).
email-account-new = Crei il Suo account, oppure acceda, con questo indirizzo e-mail ({ $email }).
email-valid-until = Il link è valido fino al { $date }; dopo tale data, ne chieda uno nuovo a { $inviter }.
email-button-fallback = Se il pulsante non funziona, copi questo link nel Suo browser:
email-not-expected = Se non si aspettava questo invito, può ignorare questa e-mail.
