//! Every operation that writes, one row each: its name, the state it starts from, what
//! comes before its request (not counted), the request, and what the person or the timer
//! does next. A new operation (events delivery, reminders, passkeys) is one more row.

use super::customer as c;
use super::person as p;
use super::reminder as r;
use super::staff as s;
use super::{Next, Operation};

pub static ALL: &[Operation] = &[
    // Staff, through the API: a staff member whose request died sends it again.
    op("invite", s::nothing, None, s::invite, Next::Again),
    op(
        "invite-colleague",
        s::a_company,
        None,
        s::invite_a_colleague,
        Next::Again,
    ),
    op("bulk", s::a_company, None, s::bulk, Next::Again),
    op(
        "resend",
        s::a_pending_invitation,
        None,
        s::resend,
        Next::Again,
    ),
    op(
        "revoke",
        s::a_pending_invitation,
        None,
        s::revoke,
        Next::Again,
    ),
    op(
        "erase",
        s::a_member_with_a_pending_invitation,
        None,
        s::erase,
        Next::Again,
    ),
    // The timers: they run again.
    op("purge", s::ended_long_ago, None, s::purge, Next::Again),
    op(
        "retry-deliveries",
        s::an_email_that_failed,
        None,
        s::retry_deliveries,
        Next::Again,
    ),
    op(
        "send-reminders",
        r::a_reminder_due,
        None,
        r::send_reminders,
        Next::Again,
    ),
    // Customers: the link and the sign-in again, or the same form again.
    op(
        "accept",
        c::an_invitation,
        Some(c::follow_the_link),
        c::callback,
        Next::Then(c::come_back),
    ),
    op(
        "accept-colleague",
        c::a_colleague_invited,
        Some(c::follow_the_link),
        c::callback,
        Next::Then(c::come_back),
    ),
    op(
        "create-company",
        c::an_accepted_invitation,
        None,
        c::create_company,
        Next::Again,
    ),
    op(
        "create-company-revoked",
        c::an_accepted_invitation,
        None,
        c::create_company_while_revoked,
        Next::Again,
    ),
    op(
        "create-company-revoked-late",
        c::an_accepted_invitation,
        None,
        c::create_company_while_revoked_late,
        Next::Again,
    ),
    op(
        "page-invite",
        s::a_company,
        None,
        c::invite_from_the_page,
        Next::Again,
    ),
    op(
        "page-resend",
        c::a_colleague_pending,
        None,
        c::resend_from_the_page,
        Next::Again,
    ),
    op(
        "page-revoke",
        c::a_colleague_pending,
        None,
        c::revoke_from_the_page,
        Next::Again,
    ),
    op(
        "page-role",
        c::a_company_with_a_member,
        None,
        c::make_administrator,
        Next::Again,
    ),
    op(
        "page-remove",
        c::a_company_with_a_member,
        None,
        c::remove_member,
        Next::Again,
    ),
    op(
        "page-leave",
        c::a_company_with_a_member,
        None,
        c::leave,
        Next::Again,
    ),
    op(
        "link",
        c::a_customer,
        Some(c::start_linking),
        c::finish_linking,
        Next::Then(c::link_again),
    ),
    op("unlink", c::two_logins, None, c::unlink, Next::Again),
    op(
        "mfa-on",
        c::an_enrolment,
        None,
        c::turn_mfa_on,
        Next::Then(c::turn_mfa_on_again),
    ),
    op(
        "mfa-off",
        c::mfa_on,
        None,
        c::turn_mfa_off,
        Next::Then(c::turn_mfa_off_with_a_recovery_code),
    ),
    op(
        "delete-own-account",
        c::a_company_with_a_member,
        None,
        c::delete_own_account,
        Next::Again,
    ),
    // Issue #22: one person, one account.
    op("sign-out", c::a_customer, None, p::sign_out, Next::Again),
    op(
        "page-remove-administrator",
        p::an_administrator_who_invited,
        None,
        c::remove_member,
        Next::Again,
    ),
    op(
        "delete-own-account-made-twice",
        p::a_member_with_two_accounts,
        None,
        c::delete_own_account,
        Next::Again,
    ),
    // The operator's one-off step: run again.
    op(
        "merge-accounts",
        p::an_address_with_two_accounts,
        None,
        p::merge,
        Next::Then(p::merge_again),
    ),
];

const fn op(
    name: &'static str,
    setup: super::Setup,
    prepare: Option<super::Step>,
    request: super::Step,
    next: Next,
) -> Operation {
    Operation {
        name,
        setup,
        prepare,
        request,
        next,
    }
}
