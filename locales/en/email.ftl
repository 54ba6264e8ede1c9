# The invitation email (subject, text and HTML parts).
email-subject = { $inviter } invited you to { $product }
email-subject-new-link = New link: { $inviter } invited you to { $product }
email-greeting-name = Hi { $name },
email-greeting = Hello,
email-intro = { $inviter } ({ $inviterEmail }) has invited you to use { $product } to collaborate with them.
email-intro-company = { $inviter } ({ $inviterEmail }) has invited you to use { $product } to collaborate with them and to set up { $company }.
email-intro-join = { $inviter } ({ $inviterEmail }) has invited you to join { $company } on { $product }.
email-replaces = This link replaces the one in the earlier email, which no longer works.
email-start = Get started now
email-start-text = Get started now:
email-sign-in = Sign in now
email-sign-in-text = Sign in now:
email-account-existing = Sign in with your account ({ $email }).
email-account-new = Create your account, or sign in, with this email address ({ $email }).
email-valid-until = The link works until { $date }; after that, ask { $inviter } for a new one.
email-button-fallback = If the button does not work, copy this link into your browser:
email-not-expected = If you were not expecting this invitation, you can ignore this email.
