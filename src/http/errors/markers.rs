//! Marker errors as problems.

use crate::app::markers::MarkerError;
use crate::http::problem::Problem;

impl From<MarkerError> for Problem {
    fn from(error: MarkerError) -> Self {
        match error {
            MarkerError::Invalid(errors) => errors.into(),
            MarkerError::Inconsistent(errors) => Problem::unprocessable(errors),
            MarkerError::Forbidden(error) => error.into(),
            MarkerError::NotOnEitherSide(error) => Problem::forbidden(error.to_string()),
            MarkerError::NotFound(detail) => Problem::not_found(detail),
            MarkerError::Store(error) => error.into(),
        }
    }
}
