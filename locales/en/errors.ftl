# Service errors put into words: which limit, which state (src/http/explain.rs).
limit-staff-per-hour = You can send at most { $limit ->
    [one] { $limit } invitation
   *[other] { $limit } invitations
} an hour. Try again later.
limit-staff-bulk = These rows hold { $rows } valid invitations, but you can send { $remaining } more this hour. Nothing was created.
limit-emails-per-day = { $address } has already received { $limit } invitation emails today. Try again tomorrow.
refusal-not-resendable = Only pending or expired invitations can be resent; this one is { $status }.
refusal-not-revocable = A { $status } invitation cannot be revoked: its company exists.
refusal-other-active = Another active invitation ({ $id }) exists for this email; resend or revoke that one instead.
# An invitation's state inside a sentence.
state-pending = pending
state-accepted = accepted
state-completed = completed
state-revoked = revoked
state-expired = expired
