# The customer's pages with content: Home, the company form, the profile, MFA, deletion.
sign-out = Sign out
home-title = Home
home-welcome = Welcome to { $product }
home-signed-in-as = You are signed in as { $email }.
home-companies = { $count ->
    [one] Your company
   *[other] Your companies
}
home-role-administrator = administrator
home-role-member = member
home-notice-left = You have left the company.
home-continue = Continue to { $product }
home-next = What next?
home-keep-address = Keep this page's address: you will sign in again here with { $email }.
home-sales-contact = Your sales contact now sees your company and can start working with you.
home-joined = You joined your colleagues' company: open it to see who belongs to it and who manages it.
home-profile-link = Your profile: ways to sign in and authenticator app

company-title = Create your company
company-heading = Create your company
company-intro-prefilled = { $inviter } filled these details in for you. Check them, correct them if needed, then create your company.
company-intro = Enter your company's details, then create your company.
company-signed-in-as = Signed in as { $email }
company-choose = Choose…
company-create = Create company
field-name = Company name
field-vatNumber = VAT number
field-street = Street and number
field-postalCode = Postal code
field-city = City
field-country = Country
field-required = This field is required.
field-invalid-name = Enter the company's name (at most 200 characters).
field-invalid-vatNumber = Enter a valid VAT number for the chosen country, with or without its country prefix.
field-invalid-street = Enter the street and number (at most 200 characters).
field-invalid-postalCode = Enter a valid postal code for the country.
field-invalid-city = Enter the city (at most 100 characters).
field-invalid-country = Choose the country from the list.

profile-title = Profile
profile-heading = Your profile
profile-email = Email address:
profile-logins = Ways to sign in
profile-linked-on = linked on { $date }
profile-signed-in-now = signed in now
profile-remove = Remove
profile-link-another = Link another login with the same address ({ $email }) to sign in with it too.
profile-link-choose = On the next page, choose Microsoft or Google itself, even if "{ $local }" is offered first: that is the login you already have.
profile-link-microsoft = Link a Microsoft account
profile-link-google = Link a Google account
profile-mfa = Authenticator app
profile-mfa-on = On: a code from your app is asked at every sign-in.
profile-mfa-manage = Manage
profile-mfa-off = Off. Protect your account with a code from Google Authenticator, Microsoft Authenticator, Authy or Duo.
profile-mfa-start = Turn on the authenticator app
profile-delete = Delete account
profile-delete-button = Delete my account…
profile-home = Home
provider-local = Email and password
notice-linked = Your { $provider } login is linked: you can now use it to sign in.
notice-already = Nothing was linked: you signed in with { $provider }, the login your account already has. To link Microsoft or Google, choose it on the sign-in page instead of { $provider }.
notice-unlinked = The { $provider } login was removed from your account.
notice-mfa-on = Your authenticator app is on: you will be asked for a code at every sign-in.
notice-mfa-off = Your authenticator app is turned off.

mfa-title-challenge = Verification code
mfa-title = Authenticator app
mfa-challenge-heading = Enter your code
mfa-challenge-text = Open your authenticator app and enter the 6-digit code it shows. Lost your phone? Enter one of your recovery codes.
mfa-enable-heading = Turn on the authenticator app
mfa-enable-scan = In Google Authenticator, Microsoft Authenticator, Authy or Duo, add an account and scan this QR code.
mfa-qr-alt = QR code to scan with your app
mfa-show-secret = Show secret key
mfa-type-key = Type this key into your app (type: time-based):
mfa-open-app = Open in an authenticator app on this device
mfa-enter-code = Enter the 6-digit code the app shows, to check that it works.
mfa-on-heading = Authenticator app is on
mfa-manage-text = A code is asked at every sign-in. To turn it off, enter a current code from your app or a recovery code.
mfa-recovery-text = Keep these recovery codes somewhere safe: each lets you sign in once if you lose your phone. They will not be shown again.
mfa-saved = I have saved my codes
mfa-code = Code
mfa-turn-off = Turn off
mfa-turn-on = Turn on
mfa-continue = Continue
mfa-error-replayed = This code was already used. Wait for the next one in your app (30 seconds).
mfa-error-unreadable = Enter the 6 digits your app shows, or a recovery code.
mfa-error-wrong = That code is not right. Check your phone's clock and enter the code shown now.
mfa-recovery-code = Recovery code
mfa-error-throttled = Too many wrong codes: codes from your app are refused for the next { $minutes ->
        [one] minute.
       *[other] { $minutes } minutes.
    } Enter one of the recovery codes you saved when you turned this on instead.
mfa-error-throttled-recovery = Too many wrong codes, recovery codes too: wait { $minutes ->
        [one] a minute,
       *[other] { $minutes } minutes,
    } then try again.

delete-title = Delete account
delete-heading = Delete your account?
delete-p1 = Your { $product } account, your ways to sign in, your authenticator app, your invitations and your company memberships will be erased. This cannot be undone.
delete-p2 = Companies you created stay: they are the company's data.
delete-confirm = Delete my account for good
delete-cancel = Cancel and go back to your profile
deleted-title = Account deleted
deleted-heading = Your account is deleted
deleted-p1 = Everything { $product } kept about you was erased, and you are signed out. Your former logins open nothing any more.
handover-title = Hand over first
handover-heading = You are the last administrator
handover-p1 = You are the only administrator of { $companies }, which { $count ->
    [one] has
   *[other] have
} other members. Make another member an administrator first, then delete your account.
handover-p2 = Nothing was deleted.
profile-remove-heading = Remove this way to sign in?
profile-remove-p1 = You will no longer be able to sign in with { $login }. You can link it again from your profile.
profile-remove-confirm = Remove this login
