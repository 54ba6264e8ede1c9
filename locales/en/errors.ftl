# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = You can send at most { $limit ->
    [one] { $limit } invitation
   *[other] { $limit } invitations
} an hour. Try again later.
limit-staff-bulk = These rows hold { $rows } valid invitations, but you can send { $remaining } more this hour. Nothing was created.
limit-emails-per-day = { $address } has already received { $limit } invitation emails today. Try again tomorrow.
limit-company-per-day = Your company has sent its { $limit } colleague invitations for today. Try again tomorrow.
refusal-not-resendable = Only pending or expired invitations can be resent; this one is { $status }.
refusal-not-revocable = A { $status } invitation cannot be revoked: its company exists.
refusal-other-active = Another active invitation ({ $id }) exists for this email; resend or revoke that one instead.
# An invitation's state inside a sentence.
state-pending = pending
state-accepted = accepted
state-completed = completed
state-revoked = revoked
state-expired = expired
# What is wrong with one field of an API request, said of the field: the value of its
# key in `errors` (src/http/explain.rs, `field`).
field-error-required = is required
field-error-not-text = must be a string
field-error-not-an-object = must be a JSON object
field-error-too-long = must be at most { $max } characters
field-error-control-characters = must not contain control characters
field-error-email = is not a valid email address
field-error-country = must be a two-letter ISO 3166-1 country code, such as BE or FR
field-error-vat-for = is not a valid VAT number for { $country }
field-error-vat = is not a valid VAT number
field-error-vat-check-digits = has wrong check digits
field-error-postal-code-for = is not a valid postal code for { $country }
field-error-postal-code = is not a valid postal code
field-error-locale = must be one of "en", "fr", "de", "it", "nl"
field-error-status = must be one of pending, accepted, completed, revoked, expired
field-error-event-status = must be pending or failed
field-error-number = must be a whole number from { $min } to { $max }
field-error-days = must be a whole number of days from { $min } to { $max }
field-error-role = must be "administrator" or "member"
field-error-company-id = is not a company id
field-error-required-with-role = is required with a role
field-error-not-with-company-id = must not be given with companyId
field-error-continuation-token = is not a token this service returned
field-error-already-member = is already a member of this company
field-error-unknown-company = no company has this id
field-error-not-stored = could not be stored now; send this row again
field-error-not-csv = is not valid CSV
field-error-format = must be json or csv
field-error-timestamp = is not a date and time as RFC 3339 writes it (2026-11-01T00:00:00Z)
field-error-period = must come after from, at most { $max } days later
