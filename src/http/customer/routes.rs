//! The customer's routes: a page `GET` is handed its [`Visit`] and typed query, a form
//! `POST` its visit and [`Posted`] form (see [`crate::http::extract`]); a handler's early
//! answer (`Err`) is sent as it is.
//!
//! [`Visit`]: crate::http::extract::Visit
//! [`Posted`]: crate::http::extract::Posted

use super::{accept, companies, company, delete, link, mfa, profile, signin};
use crate::http::extract::{LangQuery, either, page, post};
use crate::http::{AppState, authorization, callback_routes, provider_forms};
use warp::Filter as _;
use warp::filters::BoxedFilter;
use warp::reply::Response;

/// Every customer route, each boxed (see [`crate::http::routes`]).
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
    let link = warp::path!("api" / "InviteUser")
        .and(page(s))
        .and(link::forwarded_for())
        .then(link::open);
    let home = warp::path!("api" / "Home").and(page(s)).then(company::home);
    let profile_page = warp::path!("api" / "Profile")
        .and(page::<LangQuery>(s))
        .then(profile::show)
        .map(either);
    // The company page; also the staff API's company (by the Authorization header: the
    // host's routes ignore case, so both are one route).
    let company_page = warp::path!("api" / "companies" / String)
        .and(page(s))
        .and(authorization())
        .and(warp::header::optional::<String>("accept"))
        .then(companies::show_or_api);
    vec![
        link.boxed(),
        callback_routes(
            warp::path!("api" / "AcceptInvite").boxed(),
            s,
            accept::callback,
        ),
        warp::path!("api" / "CreateCompany")
            .and(page::<LangQuery>(s))
            .then(company::show_form)
            .map(either)
            .boxed(),
        warp::path!("api" / "CreateCompany")
            .and(post(s))
            .then(company::create)
            .map(either)
            .boxed(),
        provider(home.boxed()),
        warp::path!("api" / "SignOut")
            .and(post(s))
            .then(company::sign_out)
            .boxed(),
        warp::path!("api" / "SignedOut")
            .and(page(s))
            .then(company::signed_out)
            .boxed(),
        warp::path!("api" / "SignIn")
            .and(page(s))
            .then(signin::sign_in)
            .boxed(),
        callback_routes(
            warp::path!("api" / "AuthCallback").boxed(),
            s,
            signin::callback,
        ),
        provider(profile_page.boxed()),
        warp::path!("api" / "Profile" / "link")
            .and(post(s))
            .then(profile::link)
            .map(either)
            .boxed(),
        warp::path!("api" / "Profile" / "link")
            .and(page(s))
            .then(profile::resume_link)
            .map(either)
            .boxed(),
        warp::path!("api" / "Profile" / "mfa")
            .and(page::<LangQuery>(s))
            .then(mfa::show)
            .map(either)
            .boxed(),
        warp::path!("api" / "Profile" / "mfa")
            .and(post(s))
            .then(mfa::post)
            .map(either)
            .boxed(),
        warp::path!("api" / "Profile" / "delete")
            .and(post(s))
            .then(delete::post)
            .map(either)
            .boxed(),
        company_page.boxed(),
        warp::path!("api" / "Companies" / String / "invitations")
            .and(post(s))
            .then(companies::invite)
            .map(either)
            .boxed(),
        warp::path!("api" / "Companies" / String / "invitations" / String / "resend")
            .and(post(s))
            .then(companies::resend)
            .map(either)
            .boxed(),
        warp::path!("api" / "Companies" / String / "invitations" / String / "revoke")
            .and(post(s))
            .then(companies::revoke)
            .map(either)
            .boxed(),
        warp::path!("api" / "Companies" / String / "members" / String)
            .and(post(s))
            .then(companies::member_action)
            .map(either)
            .boxed(),
    ]
}
