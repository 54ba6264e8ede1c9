//! What programs call: the staff API (JSON, RFC 9457 problem details, a bearer token from
//! the staff directory), its personal-data calls, the OpenAPI document, and the Functions
//! host's readiness probe and timers. The route table is [`routes`].

pub mod bulk;
pub mod companies;
pub mod invitations;
pub mod openapi;
pub mod privacy;
pub mod timer;

use super::problem::Problem;
use super::{
    AppState, accept_language, assets, authorization, body_up_to, limited_body, raw_query,
    with_state,
};
use warp::Filter as _;
use warp::Reply as _;
use warp::filters::BoxedFilter;
use warp::reply::Response;

/// Turns a handler's result into a response.
fn respond(result: Result<Response, Problem>) -> Response {
    result.unwrap_or_else(Problem::into_response)
}

/// The API's routes, each boxed (see [`super::routes`]).
pub fn routes(state: &AppState) -> Vec<BoxedFilter<(Response,)>> {
    let state = state.clone();
    let ready = warp::path::end()
        .and(warp::get().or(warp::head()).unify())
        .map(|| {
            warp::reply::with_header("ok", "content-type", "text/plain; charset=utf-8")
                .into_response()
        });

    let invite = warp::path!("api" / "InviteUser")
        .and(warp::post())
        .and(with_state(state.clone()))
        .and(authorization())
        .and(warp::header::optional::<String>("content-type"))
        .and(limited_body())
        .then(
            |state, auth, content_type, body: Result<bytes::Bytes, Problem>| async move {
                respond(match body {
                    Ok(body) => invitations::create(state, auth, content_type, body).await,
                    Err(problem) => Err(problem),
                })
            },
        );

    let list =
        warp::path!("api" / "invitations")
            .and(warp::get())
            .and(with_state(state.clone()))
            .and(raw_query())
            .and(authorization())
            .then(|state, query, auth| async move {
                respond(invitations::list(state, query, auth).await)
            });

    let get_one = warp::path!("api" / "invitations" / String)
        .and(warp::get())
        .and(with_state(state.clone()))
        .and(authorization())
        .then(|id, state, auth| async move { respond(invitations::get(state, id, auth).await) });

    let resend = warp::path!("api" / "invitations" / String / "resend")
        .and(warp::post())
        .and(with_state(state.clone()))
        .and(authorization())
        .then(|id, state, auth| async move { respond(invitations::resend(state, id, auth).await) });

    let revoke = warp::path!("api" / "invitations" / String)
        .and(warp::delete())
        .and(with_state(state.clone()))
        .and(authorization())
        .then(|id, state, auth| async move { respond(invitations::revoke(state, id, auth).await) });

    let companies_list = warp::path!("api" / "companies")
        .and(warp::get())
        .and(with_state(state.clone()))
        .and(raw_query())
        .and(authorization())
        .then(
            |state, query, auth| async move { respond(companies::list(state, query, auth).await) },
        );

    let bulk_route = warp::path!("api" / "invitations" / "bulk")
        .and(warp::post())
        .and(with_state(state.clone()))
        .and(authorization())
        .and(warp::header::optional::<String>("content-type"))
        .and(accept_language())
        .and(body_up_to(bulk::MAX_BODY))
        .then(
            |state, auth, content_type, language, body: Result<bytes::Bytes, Problem>| async move {
                respond(match body {
                    Ok(body) => bulk::bulk(state, auth, content_type, language, body).await,
                    Err(problem) => Err(problem),
                })
            },
        );

    let asset = warp::path!("api" / "assets" / String)
        .and(warp::get())
        .map(|name: String| assets::asset(&name));

    let openapi_document = warp::path!("api" / "openapi.json")
        .and(warp::get())
        .map(openapi::document);

    let retry = warp::path!("RetryDeliveries")
        .and(warp::post())
        .and(with_state(state.clone()))
        .and(limited_body())
        .then(|state, body| async move { respond(timer::retry_deliveries(state, body).await) });

    let purge = warp::path!("PurgeEnded")
        .and(warp::post())
        .and(with_state(state.clone()))
        .and(limited_body())
        .then(|state, body| async move { respond(timer::purge_ended(state, body).await) });

    let erase = warp::path!("api" / "privacy" / "erase")
        .and(warp::post())
        .and(with_state(state.clone()))
        .and(authorization())
        .and(warp::header::optional::<String>("content-type"))
        .and(limited_body())
        .then(
            |state, auth, content_type, body: Result<bytes::Bytes, Problem>| async move {
                respond(match body {
                    Ok(body) => privacy::erase(state, auth, content_type, body).await,
                    Err(problem) => Err(problem),
                })
            },
        );

    let export = warp::path!("api" / "privacy" / "export")
        .and(warp::get())
        .and(with_state(state.clone()))
        .and(raw_query())
        .and(authorization())
        .then(
            |state, query, auth| async move { respond(privacy::export(state, query, auth).await) },
        );

    vec![
        ready.boxed(),
        invite.boxed(),
        bulk_route.boxed(),
        resend.boxed(),
        revoke.boxed(),
        list.boxed(),
        get_one.boxed(),
        companies_list.boxed(),
        retry.boxed(),
        purge.boxed(),
        erase.boxed(),
        export.boxed(),
        asset.boxed(),
        openapi_document.boxed(),
    ]
}
