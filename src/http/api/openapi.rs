//! `GET /api/openapi.json`: the staff API's OpenAPI 3.1 document (`openapi/openapi.json`,
//! checked against the running handler by schemathesis in `scripts/test`).

use warp::Reply as _;
use warp::http::{HeaderValue, header};
use warp::reply::Response;

const DOCUMENT: &str = include_str!("../../../openapi/openapi.json");

pub fn document() -> Response {
    let mut response = DOCUMENT.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
