//! OGC API errors as problems.

use actix_web::http::StatusCode;

use crate::app::ogc::OgcError;
use crate::http::problem::Problem;

impl From<OgcError> for Problem {
    fn from(error: OgcError) -> Self {
        match error {
            error @ OgcError::UnknownCollection(_) => Problem::not_found(error.to_string()),
            error @ OgcError::StaffOnly(_) => Problem::unauthenticated(&error.to_string()),
            OgcError::NotFound(detail) => Problem::not_found(detail),
            OgcError::Invalid(errors) => errors.into(),
            error @ OgcError::ReadOnly(_) => Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Read-only collection",
                error.to_string(),
            ),
            OgcError::Place(error) => error.into(),
            OgcError::Store(error) => error.into(),
        }
    }
}
