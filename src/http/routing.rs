//! Routing as the Functions host does it. The host matches a request against the
//! `function.json` routes without regard to case and forwards the path as the browser wrote
//! it (`/api/inviteuser` reaches the InviteUser function), while warp's path filters
//! compare exactly. So every request's path is first rewritten to the route table's
//! spelling (`canonical_path`), in the one server loop that wraps the warp routes
//! (`serve`); the routes themselves stay as they are.
//!
//! The table is read from `functions/*/function.json` at build time (`build.rs`), so it
//! is the host's own table. Parameter segments (`{id}`) keep the request's spelling;
//! where a literal and a parameter could both match, the literal wins, as in ASP.NET
//! Core's routing, which the host uses.

use super::{AppState, routes};
use http::Uri;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use std::future::Future;
use tokio::net::TcpListener;
use tower_service::Service as _;

include!(concat!(env!("OUT_DIR"), "/function_routes.rs"));

/// The path spelt as the route table spells it, when it matches a route without regard to
/// case and is not spelt that way already; `None` otherwise (leave the request alone).
pub fn canonical_path(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut best: Option<(usize, Vec<&str>)> = None;
    for route in FUNCTION_ROUTES {
        let template: Vec<&str> = route.split('/').collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut literals = 0;
        let mut spelt = Vec::with_capacity(segments.len());
        let matches = template.iter().zip(&segments).all(|(t, s)| {
            if t.starts_with('{') && t.ends_with('}') {
                spelt.push(*s);
                !s.is_empty()
            } else if t.eq_ignore_ascii_case(s) {
                literals += 1;
                spelt.push(*t);
                true
            } else {
                false
            }
        });
        if matches && best.as_ref().is_none_or(|(n, _)| literals > *n) {
            best = Some((literals, spelt));
        }
    }
    let canonical = format!("/{}", best?.1.join("/"));
    (canonical != path).then_some(canonical)
}

/// The request's URI with its path in the route table's spelling (the query unchanged).
fn canonical_uri(uri: &Uri) -> Option<Uri> {
    let path = canonical_path(uri.path())?;
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = path_and_query.parse().ok();
    Uri::from_parts(parts).ok()
}

/// Serves the routes on `listener` until `shutdown` completes, then finishes the requests
/// under way (what `warp::serve(…).graceful(…)` does, with the path canonicalised first).
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let service = warp::service(routes(state));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Too many open files and the like: wait, then accept again.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = service.clone();
        let handle = hyper::service::service_fn(move |mut request: http::Request<_>| {
            if let Some(uri) = canonical_uri(request.uri()) {
                *request.uri_mut() = uri;
            }
            let mut service = service.clone();
            async move { service.call(request).await }
        });
        let connection = Builder::new(TokioExecutor::new())
            .serve_connection_with_upgrades(TokioIo::new(stream), handle)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_take_the_route_tables_spelling() {
        assert_eq!(
            canonical_path("/api/inviteuser").as_deref(),
            Some("/api/InviteUser")
        );
        assert_eq!(
            canonical_path("/API/INVITATIONS/0123abc/RESEND").as_deref(),
            Some("/api/invitations/0123abc/resend"),
            "the id keeps its spelling"
        );
        assert_eq!(
            canonical_path("/api/Invitations/BULK").as_deref(),
            Some("/api/invitations/bulk"),
            "a literal wins over {{id}}"
        );
    }

    #[test]
    fn paths_already_spelt_right_or_unknown_are_left_alone() {
        for path in [
            "/api/InviteUser",
            "/api/invitations/0123/resend",
            "/",
            "/RetryDeliveries",
            "/api/nothing-here",
            "/api/InviteUser/extra",
            "/api/invitations//resend",
        ] {
            assert_eq!(canonical_path(path), None, "{path}");
        }
    }

    #[test]
    fn the_table_holds_every_http_function() {
        for route in ["api/InviteUser", "api/invitations/{id}", "api/Staff"] {
            assert!(FUNCTION_ROUTES.contains(&route), "{route}");
        }
    }
}
