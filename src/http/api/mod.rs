//! What programs call: the staff API (JSON, RFC 9457 problem details, a bearer token from
//! the staff directory), its personal-data calls, the OpenAPI document, and the Functions
//! host's readiness probe and timers. The route table is [`routes`].

pub mod bulk;
pub mod claims;
pub mod companies;
pub mod events;
pub mod invitations;
pub mod openapi;
pub mod privacy;
pub mod stats;
pub mod timer;

use super::problem::Problem;
use super::{
    AppState, accept_language, assets, authorization, body_up_to, limited_body, raw_query,
    with_state,
};
use crate::identity::events_caller::EventsCaller;
use crate::identity::staff::{
    Reader, StaffAuthError, StaffAuthenticator, StaffMember, StaffReader,
};
pub use events::event_views;
use std::future::Future;
use std::sync::Arc;
use warp::Filter as _;
use warp::Reply as _;
use warp::filters::BoxedFilter;
use warp::reply::Response;

/// Turns a handler's result into a response.
fn respond(result: Result<Response, Problem>) -> Response {
    result.unwrap_or_else(Problem::into_response)
}

/// Who a bearer token names, checked by `authenticator` (the role, or the privacy role),
/// or the problem instead (401, 403).
async fn authenticated(
    authenticator: &StaffAuthenticator,
    authorization: Option<String>,
) -> Result<StaffMember, Problem> {
    Ok(authenticator.authenticate(authorization.as_deref()).await?)
}

/// A route's guard: `check` of the request's `Authorization` header, or its problem.
fn guard_by<T, F, Fut>(check: F) -> BoxedFilter<(Result<T, Problem>,)>
where
    T: Send + 'static,
    F: Fn(Option<String>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, Problem>> + Send + 'static,
{
    authorization().then(check).boxed()
}

/// The guard of a staff route: the staff member the request's token names.
fn guard(authenticator: &Arc<StaffAuthenticator>) -> BoxedFilter<(Guard,)> {
    let authenticator = authenticator.clone();
    guard_by(move |authorization| {
        let authenticator = authenticator.clone();
        async move { authenticated(&authenticator, authorization).await }
    })
}

/// The guard of every `GET` but the export: a token with `STAFF_READ_ROLE` or the
/// staff role (docs/api.md, "Programs").
fn read_guard(readers: &Arc<StaffReader>) -> BoxedFilter<(Result<Reader, Problem>,)> {
    let readers = readers.clone();
    guard_by(move |authorization: Option<String>| {
        let readers = readers.clone();
        async move { Ok(readers.authenticate(authorization.as_deref()).await?) }
    })
}

/// The guard of the claims provider: Entra's authentication events service. Any other
/// caller gets the same 401, without data.
fn events_guard(caller: &Arc<EventsCaller>) -> BoxedFilter<(Result<(), Problem>,)> {
    let caller = caller.clone();
    guard_by(move |authorization: Option<String>| {
        let caller = caller.clone();
        async move {
            match caller.authenticate(authorization.as_deref()).await {
                Ok(()) => Ok(()),
                // An outage of the customer directory's keys, not a refused caller.
                Err(StaffAuthError::Unavailable(e)) => {
                    tracing::warn!(error = %e, "customer identity provider's keys unavailable to check the claims provider's caller");
                    Err(Problem::unavailable("problem-events-caller-unavailable"))
                }
                Err(refused) => {
                    tracing::info!(reason = %refused, "claims provider's caller refused");
                    Err(Problem::new(
                        warp::http::StatusCode::UNAUTHORIZED,
                        "unauthorized",
                        "Unauthorized",
                        "problem-events-caller",
                    )
                    .with_header("www-authenticate", "Bearer realm=\"invitations\""))
                }
            }
        }
    })
}

type Guard = Result<StaffMember, Problem>;
type Body = Result<bytes::Bytes, Problem>;

/// `handler`'s answer once the guard let the caller in, else the guard's problem.
async fn guarded<T, F>(guard: Result<T, Problem>, handler: impl FnOnce(T) -> F) -> Response
where
    F: Future<Output = Result<Response, Problem>>,
{
    match guard {
        Ok(who) => respond(handler(who).await),
        Err(problem) => problem.into_response(),
    }
}

/// Who the guard let in and the body; a body too large or unreadable is answered first.
fn with_body<T>(who: Result<T, Problem>, body: Body) -> Result<(T, bytes::Bytes), Problem> {
    let body = body?;
    Ok((who?, body))
}

/// `GET /api/companies/{companyId}` for a program: the customer's route of that address
/// hands such a request here (`customer/companies.rs::show_or_api`).
pub async fn company(state: AppState, id: String, authorization: Option<String>) -> Response {
    let reader = state.readers.authenticate(authorization.as_deref()).await;
    guarded(reader.map_err(Problem::from), move |_| {
        companies::get(state, id)
    })
    .await
}

/// The API's routes, each boxed (see [`super::routes`]), grouped by their guard.
pub fn routes(state: &AppState) -> Vec<BoxedFilter<(Response,)>> {
    let s = || with_state(state.clone());
    let (staff, privacy) = (|| guard(&state.staff), || guard(&state.privacy_staff));
    let reader = || read_guard(&state.readers);
    let content_type = || warp::header::optional::<String>("content-type");

    // Open: the host's readiness probe, the pages' assets, the OpenAPI document.
    let ready = warp::path::end()
        .and(warp::get().or(warp::head()).unify())
        .map(|| {
            warp::reply::with_header("ok", "content-type", "text/plain; charset=utf-8")
                .into_response()
        });
    let asset = warp::path!("api" / "assets" / String)
        .and(warp::get())
        .map(|name: String| assets::asset(&name));
    let openapi_document = warp::path!("api" / "openapi.json")
        .and(warp::get())
        .map(openapi::document);

    // The Functions host's timers (the host's own key is their guard).
    let timers = [
        timer_route(state, "RetryDeliveries", timer::retry_deliveries),
        timer_route(state, "DeliverEvents", timer::deliver_events),
        timer_route(state, "PurgeEnded", timer::purge_ended),
        timer_route(state, "SendReminders", timer::send_reminders),
    ];

    // Staff with the role: a bearer token from the staff directory.
    let invite = warp::path!("api" / "InviteUser")
        .and(warp::post())
        .and(s().and(staff()).and(content_type()).and(limited_body()))
        .then(|state, staff, content_type, body| {
            guarded(with_body(staff, body), move |(staff, body)| {
                invitations::create(state, staff, content_type, body)
            })
        });
    let bulk_route = warp::path!("api" / "invitations" / "bulk")
        .and(warp::post())
        .and(s().and(staff()).and(content_type()).and(accept_language()))
        .and(body_up_to(bulk::MAX_BODY))
        .then(|state, staff, content_type, language, body| {
            guarded(with_body(staff, body), move |(staff, body)| {
                bulk::bulk(state, staff, content_type, language, body)
            })
        });
    let resend = warp::path!("api" / "invitations" / String / "resend")
        .and(warp::post())
        .and(s().and(staff()))
        .then(|id, state, staff| {
            guarded(staff, move |staff| invitations::resend(state, staff, id))
        });
    let revoke = warp::path!("api" / "invitations" / String)
        .and(warp::delete())
        .and(s().and(staff()))
        .then(|id, state, staff| {
            guarded(staff, move |staff| invitations::revoke(state, staff, id))
        });

    // Every GET of the staff API but the export: programs with STAFF_READ_ROLE, or staff
    // with the role. A GET added here is readable by programs; every other call refuses
    // them (403).
    let list = warp::path!("api" / "invitations")
        .and(warp::get())
        .and(s().and(raw_query()).and(reader()))
        .and(warp::header::optional::<String>("accept"))
        .then(|state, query, reader, accept| {
            guarded(reader, move |_| invitations::list(state, query, accept))
        });
    // Before `get_one`: `stats` is not an invitation id.
    let figures = warp::path!("api" / "invitations" / "stats")
        .and(warp::get())
        .and(s().and(raw_query()).and(reader()))
        .then(|state, query, reader| guarded(reader, move |_| stats::get(state, query)));
    let get_one = warp::path!("api" / "invitations" / String)
        .and(warp::get())
        .and(s().and(reader()))
        .then(|id, state, reader| guarded(reader, move |_| invitations::get(state, id)));
    let events_list = warp::path!("api" / "events")
        .and(warp::get())
        .and(s().and(raw_query()).and(reader()))
        .then(|state, query, reader| guarded(reader, move |_| events::list(state, query)));
    let redeliver = warp::path!("api" / "events" / String / "redeliver")
        .and(warp::post())
        .and(s().and(staff()))
        .then(|id, state, staff| guarded(staff, move |_| events::redeliver(state, id)));
    let companies_list = warp::path!("api" / "companies")
        .and(warp::get())
        .and(s().and(raw_query()).and(reader()))
        .then(|state, query, reader| guarded(reader, move |_| companies::list(state, query)));

    // Staff with the privacy role.
    let erase = warp::path!("api" / "privacy" / "erase")
        .and(warp::post())
        .and(s().and(privacy()).and(content_type()).and(limited_body()))
        .then(|state, staff, content_type, body| {
            guarded(with_body(staff, body), move |(staff, body)| {
                privacy::erase(state, staff, content_type, body)
            })
        });
    let export = warp::path!("api" / "privacy" / "export")
        .and(warp::get())
        .and(s().and(raw_query()).and(privacy()))
        .then(|state, query, staff| {
            guarded(staff, move |staff| privacy::export(state, staff, query))
        });

    // Entra's authentication events service: the custom claims provider (off without
    // CLAIMS_AUDIENCE: the address is then unknown, 404).
    let claims_route = state.events_caller.as_ref().map(|caller| {
        let caller = caller.clone();
        warp::path!("api" / "TokenIssuanceStart")
            .and(warp::post())
            .and(
                s().and(events_guard(&caller))
                    .and(content_type())
                    .and(limited_body()),
            )
            .then(|state, caller, content_type, body| {
                guarded(with_body(caller, body), move |((), body)| {
                    claims::token_issuance_start(state, content_type, body)
                })
            })
            .boxed()
    });

    let mut routes = vec![
        ready.boxed(),
        asset.boxed(),
        openapi_document.boxed(),
        invite.boxed(),
        bulk_route.boxed(),
        resend.boxed(),
        revoke.boxed(),
        list.boxed(),
        figures.boxed(),
        get_one.boxed(),
        companies_list.boxed(),
        events_list.boxed(),
        redeliver.boxed(),
        erase.boxed(),
        export.boxed(),
    ];
    routes.extend(timers);
    routes.extend(claims_route);
    routes
}

/// A timer of the Functions host: `POST /{name}` with the host's invoke payload, `run`'s
/// answer.
fn timer_route<F, R>(state: &AppState, name: &'static str, run: F) -> BoxedFilter<(Response,)>
where
    F: Fn(AppState, Body) -> R + Clone + Send + Sync + 'static,
    R: Future<Output = Result<Response, Problem>> + Send,
{
    warp::path(name)
        .and(warp::path::end())
        .and(warp::post())
        .and(with_state(state.clone()))
        .and(limited_body())
        .then(move |state, body| {
            let run = run.clone();
            async move { respond(run(state, body).await) }
        })
        .boxed()
}
