//! The customer's routes: a page `GET` is handed its [`Visit`] and typed query, a form
//! `POST` its visit and [`Posted`] form (see [`crate::http::extract`]); a handler's early
//! answer (`Err`) is sent as it is.
//!
//! [`Visit`]: crate::http::extract::Visit
//! [`Posted`]: crate::http::extract::Posted

use super::signed_in::{signed_in_page, signed_in_post};
use super::{
    accept, companies, company, company_rule, delete, link, mfa, passkeys, profile, signin,
};
use crate::http::extract::{LangQuery, either, guarded, page, post};
use crate::http::{AppState, authorization, callback_routes, provider_forms};
use warp::Filter as _;
use warp::filters::BoxedFilter;
use warp::reply::Response;

/// Every customer route, each boxed (see [`crate::http::routes`]), grouped by guard.
pub fn routes(state: &AppState) -> Vec<BoxedFilter<(Response,)>> {
    let s = state;
    let sign_in = state.customer.clone();
    // Pages whose forms (linking, sign-out) may end at the provider: its origins join
    // their CSP `form-action`.
    let provider = move |route: BoxedFilter<(Response,)>| {
        let sign_in = sign_in.clone();
        provider_forms(route, move || {
            let sign_in = sign_in.clone();
            async move { sign_in.form_action_origins().await }
        })
    };

    // Anyone: the email link (and an expired one's "ask for a new link"), the sign-ins and
    // their callbacks, signing out.
    let link = warp::path!("api" / "InviteUser")
        .and(page(s))
        .and(link::forwarded_for())
        .then(link::open);
    let renew = warp::path!("api" / "InviteUser" / "renew")
        .and(post(s))
        .then(link::renew);
    let sign_in_page = warp::path!("api" / "SignIn")
        .and(page(s))
        .then(signin::sign_in);
    let sign_out = warp::path!("api" / "SignOut")
        .and(post(s))
        .then(company::sign_out);
    let signed_out = warp::path!("api" / "SignedOut")
        .and(page(s))
        .then(company::signed_out);
    let accept = warp::path!("api" / "AcceptInvite").boxed();
    let returning = warp::path!("api" / "AuthCallback").boxed();

    // A session, whatever it holds: these pages answer each state of it themselves (the
    // company form before the company, a sign-in with the way back, a code still to give,
    // the staff API's company for a program).
    let create = warp::path!("api" / "CreateCompany");
    let create_form = create.and(page::<LangQuery>(s)).then(company::show_form);
    let create_post = create.and(post(s)).then(company::create);
    let home = warp::path!("api" / "Home").and(page(s)).then(company::home);
    let profile_page = warp::path!("api" / "Profile")
        .and(page::<profile::ProfileQuery>(s))
        .then(profile::show);
    let mfa = warp::path!("api" / "Profile" / "mfa");
    let mfa_page = mfa.and(page::<LangQuery>(s)).then(mfa::show);
    let mfa_post = mfa.and(post(s)).then(mfa::post);
    let company_page = warp::path!("api" / "companies" / String)
        .and(page(s))
        .and(authorization())
        .and(warp::header::optional::<String>("accept"))
        .then(companies::show_or_api);

    // A signed-in customer with an account ([`signed_in_page`], [`signed_in_post`]); the
    // company's pages check the membership and role by the company's roster.
    let link_login = warp::path!("api" / "Profile" / "link");
    let link_post = link_login
        .and(signed_in_post(s))
        .then(|guard| guarded(guard, profile::link));
    let link_resume = link_login
        .and(signed_in_page(s))
        .then(|guard| guarded(guard, profile::resume_link));
    let passkeys = warp::path!("api" / "Profile" / "passkeys")
        .and(signed_in_post(s))
        .then(|guard| guarded(guard, passkeys::post));
    let delete = warp::path!("api" / "Profile" / "delete")
        .and(signed_in_post(s))
        .then(|guard| guarded(guard, delete::post));
    let invite = warp::path!("api" / "Companies" / String / "invitations")
        .and(signed_in_post(s))
        .then(|company, guard| {
            guarded(guard, move |who, form| {
                companies::invite(company, who, form)
            })
        });
    let resend = warp::path!("api" / "Companies" / String / "invitations" / String / "resend")
        .and(signed_in_post(s))
        .then(|company, id, guard| {
            guarded(guard, move |w, f| companies::resend(company, id, w, f))
        });
    let revoke = warp::path!("api" / "Companies" / String / "invitations" / String / "revoke")
        .and(signed_in_post(s))
        .then(|company, id, guard| {
            guarded(guard, move |w, f| companies::revoke(company, id, w, f))
        });
    let security = warp::path!("api" / "Companies" / String / "security")
        .and(signed_in_post(s))
        .then(|company, guard| {
            guarded(guard, move |who, form| {
                company_rule::post(company, who, form)
            })
        });
    let member = warp::path!("api" / "Companies" / String / "members" / String)
        .and(signed_in_post(s))
        .then(|company, member, guard| {
            guarded(guard, move |who, form| {
                companies::member_action(company, member, who, form)
            })
        });

    vec![
        link.boxed(),
        renew.boxed(),
        callback_routes(accept, s, accept::callback),
        sign_in_page.boxed(),
        callback_routes(returning, s, signin::callback),
        sign_out.boxed(),
        signed_out.boxed(),
        create_form.map(either).boxed(),
        create_post.map(either).boxed(),
        provider(home.boxed()),
        provider(profile_page.map(either).boxed()),
        mfa_page.map(either).boxed(),
        mfa_post.map(either).boxed(),
        company_page.boxed(),
        link_post.boxed(),
        link_resume.boxed(),
        passkeys.boxed(),
        provider(delete.boxed()),
        invite.boxed(),
        resend.boxed(),
        revoke.boxed(),
        member.boxed(),
        security.boxed(),
    ]
}
