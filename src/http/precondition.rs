//! Optimistic concurrency at the HTTP edge: a write names the version it started from in
//! `If-Match`; without one it gets 428, with a tag that names no current version 412.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::http::header;

use super::problem::Problem;
use crate::domain::version::version_from_entity_tag;

/// The version `If-Match` names for record `id` of the kind tagged `kind` (`'p'` places, `'s'`
/// signs); `noun` names the kind in messages.
pub fn expected_version(
    request: &HttpRequest,
    kind: char,
    id: i64,
    noun: &str,
) -> Result<i64, Problem> {
    let Some(value) = request
        .headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "If-Match is required",
            format!(
                "send the ETag of the {noun} you edited in an If-Match header, so that no one else's change is overwritten"
            ),
        ));
    };
    version_from_entity_tag(kind, id, value).ok_or_else(|| {
        Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "stale-version",
            "The record has changed",
            format!("If-Match {value} does not name a version of {noun} {id}: reload it and send its ETag"),
        )
    })
}
