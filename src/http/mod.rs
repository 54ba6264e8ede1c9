//! Where requests enter: one warp filter per function, each handler short, every error
//! turned into a response in one place.

// Handlers return `Result<Response, Problem>`; a problem is built once per failed request,
// so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod assets;
pub mod body;
pub mod cookies;
pub mod customer;
pub mod explain;
pub mod export;
pub mod extract;
pub mod failure;
pub mod form;
pub mod input;
pub mod layout;
pub mod problem;
pub mod routing;
#[cfg(test)]
mod rules;
pub mod session;
pub mod sign_in;
pub mod staff;

use crate::identity::customer::CustomerSignIn;
use crate::identity::staff::StaffAuthenticator;
use crate::service::Services;
use problem::Problem;
use std::convert::Infallible;
use std::sync::Arc;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

/// Everything a handler may use.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub staff: Arc<StaffAuthenticator>,
    /// Checks staff tokens for the personal-data calls (`STAFF_PRIVACY_ROLE`).
    pub privacy_staff: Arc<StaffAuthenticator>,
    /// Checks the tokens of `GET`s: `STAFF_READ_ROLE` or the staff role.
    pub readers: Arc<crate::identity::staff::StaffReader>,
    /// The claims provider's caller check; `None` without `CLAIMS_AUDIENCE`.
    pub events_caller: Option<Arc<crate::identity::events_caller::EventsCaller>>,
    pub customer: Arc<CustomerSignIn>,
    /// The back office's sign-in; `None` when STAFF_CLIENT_ID is not set.
    pub staff_sign_in: Option<Arc<crate::identity::staff_sign_in::StaffSignIn>>,
    pub cookies: cookies::CookieCodec,
}

fn with_state(state: AppState) -> impl Filter<Extract = (AppState,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
}

fn authorization() -> impl Filter<Extract = (Option<String>,), Error = Rejection> + Clone {
    warp::header::optional::<String>("authorization")
}

/// `Accept-Language`, if it is readable: never a rejection, for any request.
fn accept_language() -> impl Filter<Extract = (Option<String>,), Error = Infallible> + Clone {
    warp::header::optional::<String>("accept-language")
        .or(warp::any().map(|| None))
        .unify()
}

fn raw_query() -> impl Filter<Extract = (String,), Error = Infallible> + Clone {
    warp::query::raw().or(warp::any().map(String::new)).unify()
}

/// The body, at most [`body::MAX_BODY`] bytes.
fn limited_body()
-> impl Filter<Extract = (Result<bytes::Bytes, Problem>,), Error = Rejection> + Clone {
    body_up_to(body::MAX_BODY)
}

/// The body, at most `limit` bytes.
fn body_up_to(
    limit: usize,
) -> impl Filter<Extract = (Result<bytes::Bytes, Problem>,), Error = Rejection> + Clone {
    warp::header::optional::<u64>("content-length")
        .and(warp::body::stream())
        .then(move |length, stream| async move { body::collect(Box::pin(stream), length, limit).await })
}

/// A sign-in redirect URI at `path`: `GET` with the query, or `POST` with a `form_post`
/// body, both handed to `handler` as a [`sign_in::Callback`].
fn callback_routes<H, F>(
    path: BoxedFilter<()>,
    state: &AppState,
    handler: H,
) -> BoxedFilter<(Response,)>
where
    H: Fn(extract::Visit, sign_in::Callback) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Response> + Send + 'static,
{
    use sign_in::Callback;
    let get_handler = handler.clone();
    let get = path
        .clone()
        .and(warp::get())
        .and(extract::visit(state))
        .and(raw_query())
        .then(move |visit, query: String| get_handler(visit, Callback::parse(query.as_bytes())));
    let post = path
        .and(warp::post())
        .and(extract::visit(state))
        .and(limited_body())
        .then(move |visit, body: Result<bytes::Bytes, Problem>| {
            handler(visit, body.map(|b| Callback::parse(&b)).unwrap_or_default())
        });
    get.or(post).unify().boxed()
}

/// `route`'s pages with the provider's origins (`origins()`, from its metadata) in their
/// CSP `form-action`: their forms (linking, sign-out) may end at the provider.
fn provider_forms<F, Fut>(route: BoxedFilter<(Response,)>, origins: F) -> BoxedFilter<(Response,)>
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Vec<String>> + Send,
{
    route
        .then(move |response: Response| {
            let origins = origins.clone();
            async move {
                if !response
                    .headers()
                    .contains_key(warp::http::header::CONTENT_SECURITY_POLICY)
                {
                    return response;
                }
                layout::allow_form_action(response, &origins().await)
            }
        })
        .boxed()
}

pub fn routes(state: AppState) -> impl Filter<Extract = (impl Reply,), Error = Infallible> + Clone {
    // Each route is boxed before they are combined: warp's nested filter types otherwise
    // grow with every route and the compiler's type checking with them.
    let mut all = api::routes(&state);
    all.extend(customer::routes::routes(&state));
    let staff_sign_in = state.staff_sign_in.clone();
    let staff_origins = move || {
        let staff_sign_in = staff_sign_in.clone();
        async move {
            match staff_sign_in {
                Some(sign_in) => sign_in.client.form_action_origins().await,
                None => Vec::new(),
            }
        }
    };
    all.extend(
        staff::routes(&state)
            .into_iter()
            .map(|route| provider_forms(route, staff_origins.clone())),
    );
    let combined = all
        .into_iter()
        .reduce(|routes, route| routes.or(route).unify().boxed())
        .unwrap_or_else(|| {
            warp::any()
                .and_then(|| async { Err::<Response, _>(warp::reject::not_found()) })
                .boxed()
        });
    accept_language()
        .and(combined.recover(recover).unify())
        .map(problem::in_language)
        .map(secure_headers)
        .with(warp::log::custom(log_request))
}

/// Rejections are warp's own: no route, wrong method, unreadable headers.
async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    let problem = if rejection.is_not_found() {
        Problem::not_found("problem-nothing-here")
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "problem-method-not-allowed",
        )
    } else if rejection.find::<warp::reject::InvalidHeader>().is_some() {
        Problem::bad_request("invalid-header", "problem-invalid-header")
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        Problem::too_large(body::MAX_BODY)
    } else {
        tracing::warn!(?rejection, "unhandled rejection");
        Problem::bad_request("bad-request", "problem-bad-request")
    };
    Ok(problem.into_response())
}

fn secure_headers(mut response: Response) -> Response {
    use warp::http::HeaderValue;
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry("cache-control")
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

/// One line per request: method, path (never the query: it may hold a link secret),
/// status, time taken.
fn log_request(info: warp::log::Info<'_>) {
    tracing::info!(
        method = %info.method(),
        path = info.path(),
        status = info.status().as_u16(),
        us = info.elapsed().as_micros() as u64,
        "request"
    );
}
