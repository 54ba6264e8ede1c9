//! The pages' stylesheet, script and icon, served by the handler itself (no outside assets).

use warp::Reply as _;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

const APP_CSS: &str = include_str!("../../assets/app.css");
const STAFF_CSS: &str = include_str!("../../assets/staff.css");
const COMPANY_FORM_JS: &str = include_str!("../../assets/company-form.js");
const PASSKEYS_JS: &str = include_str!("../../assets/passkeys.js");
/// The pages' icon: the Functions host serves every function under `/api`, so the handler
/// never sees `/favicon.ico`; each page names this one with `<link rel="icon">`.
const FAVICON_SVG: &str = include_str!("../../assets/favicon.svg");

pub fn asset(name: &str) -> Response {
    let (body, content_type) = match name {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "staff.css" => (STAFF_CSS, "text/css; charset=utf-8"),
        "company-form.js" => (COMPANY_FORM_JS, "text/javascript; charset=utf-8"),
        "passkeys.js" => (PASSKEYS_JS, "text/javascript; charset=utf-8"),
        "favicon.svg" => (FAVICON_SVG, "image/svg+xml"),
        _ => return super::problem::Problem::not_found("problem-no-asset").into_response(),
    };
    let mut response = warp::reply::with_status(body, StatusCode::OK).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
