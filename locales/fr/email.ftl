# The invitation email (subject, text and HTML parts).
email-subject = { $inviter } vous invite sur { $product }
email-subject-new-link = Nouveau lien : { $inviter } vous invite sur { $product }
email-greeting-name = Bonjour { $name },
email-greeting = Bonjour,
email-intro = { $inviter } ({ $inviterEmail }) vous invite à utiliser { $product } afin de travailler ensemble.
email-intro-company = { $inviter } ({ $inviterEmail }) vous invite à utiliser { $product } afin de travailler ensemble et à y créer { $company }.
email-intro-join = { $inviter } ({ $inviterEmail }) vous invite à rejoindre { $company } sur { $product }.
email-replaces = Ce lien remplace celui de l'e-mail précédent, qui ne fonctionne plus.
email-start = Commencer maintenant
email-start-text = Commencer maintenant :
email-sign-in = Se connecter maintenant
email-sign-in-text = Se connecter maintenant :
email-account-existing = Connectez-vous avec votre compte ({ $email }).
email-account-new = Créez votre compte, ou connectez-vous, avec cette adresse e-mail ({ $email }).
email-valid-until = Le lien est valable jusqu'au { $date } ; passé cette date, demandez-en un nouveau à { $inviter }.
email-button-fallback = Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :
email-not-expected = Si vous n'attendiez pas cette invitation, vous pouvez ignorer cet e-mail.
