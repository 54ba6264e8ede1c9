//! `POST /api/Companies/{companyId}/security` (`csrf`, `requireSecondFactor` = `1` or `0`):
//! an administrator requires a second factor of every member, or stops requiring it; and
//! the guard of the company's pages that sends a member without one to set one up.

use super::messages::{CompanyRefusal, Message};
use super::refusals;
use super::signed_in::SignedIn;
use crate::domain::account::{Company, CompanyId};
use crate::http::extract::Posted;
use crate::http::failure::into_page;
use crate::http::layout::redirect;
use crate::page::Page;
use crate::service::company_rule::{self, RuleFailure};
use serde::Deserialize;
use warp::http::StatusCode;
use warp::reply::Response;

/// The form of `POST /api/Companies/{companyId}/security`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RuleForm {
    require_second_factor: String,
}

/// `POST /api/Companies/{companyId}/security`: 303 back to the company's page.
pub async fn post(
    id: String,
    who: SignedIn,
    posted: Posted<RuleForm>,
) -> Result<Response, Response> {
    let refused = |why| Message::CompanyRefused {
        company: id.clone(),
        why,
    };
    let Some(form) = posted.check(&who.session.csrf) else {
        return Err(who.page(refused(CompanyRefusal::FormExpired)));
    };
    let on = match form.require_second_factor.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(who.page(refused(CompanyRefusal::BadForm))),
    };
    let Some(company) = CompanyId::parse(&id) else {
        return Err(who.page(Message::CompanyNotFound));
    };
    match company_rule::set(&who.state().services, &company, &who.account, on).await {
        Ok(()) => Ok(redirect(
            StatusCode::SEE_OTHER,
            &Page::Company(id).href(),
            &[],
        )),
        Err(RuleFailure::SecondFactorFirst) => {
            Err(who.page(refused(CompanyRefusal::SecondFactorFirst)))
        }
        Err(RuleFailure::Member(e)) => Err(who.page(refusals::member(e, &id))),
    }
}

/// The company's pages for `who`, or a 303 to the profile, which says that `company`
/// requires a second factor and offers both, when they have none.
pub(super) async fn gate(who: &SignedIn, company: &Company) -> Result<(), Response> {
    let services = &who.state().services;
    match company_rule::blocks(services, company, &who.account).await {
        Ok(false) => Ok(()),
        Ok(true) => {
            let to = Page::Profile.with("required", company.id.as_str());
            Err(redirect(StatusCode::SEE_OTHER, &to.href(), &[]))
        }
        Err(e) => Err(into_page::<Message>(who.state(), e, who.locale())),
    }
}
