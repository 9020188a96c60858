//! Requests whose target (path and query) is longer than the service reads are refused with 414
//! problem+json before routing, instead of reaching an extractor that fails on them.

use actix_web::body::EitherBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};

use super::problem::Problem;

/// The longest request target accepted, in bytes: far more than any query of the API needs.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The middleware: 414 for a longer target, otherwise the request goes on.
pub async fn refuse_long_uris(
    request: ServiceRequest,
    next: Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl actix_web::body::MessageBody>>, Error> {
    let length = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if length > MAX_URI_BYTES {
        let problem = Problem::new(
            StatusCode::URI_TOO_LONG,
            "uri-too-long",
            "The address is too long",
            format!(
                "the request address has {length} bytes; at most {MAX_URI_BYTES} are accepted (send long input in a request body)"
            ),
        );
        return Ok(request
            .into_response(problem.error_response())
            .map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
}
