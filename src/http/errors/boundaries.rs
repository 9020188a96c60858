//! Boundary-line errors as problems.

use crate::app::boundaries::BoundaryError;
use crate::http::problem::{Problem, log_internal};

impl From<BoundaryError> for Problem {
    fn from(error: BoundaryError) -> Self {
        match error {
            BoundaryError::Invalid(errors) => errors.into(),
            BoundaryError::Inconsistent(errors) => Problem::unprocessable(errors),
            BoundaryError::Forbidden(error) => error.into(),
            BoundaryError::NotOnEitherSide(error) => Problem::forbidden(error.to_string()),
            BoundaryError::NotFound(detail) => Problem::not_found(detail),
            error @ BoundaryError::IndexUnavailable(_) => {
                log_internal(&error);
                Problem::internal()
            }
            BoundaryError::Store(error) => error.into(),
        }
    }
}
