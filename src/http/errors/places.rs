//! Place-name errors as problems.

use crate::app::places::PlaceError;
use crate::http::problem::Problem;

impl From<PlaceError> for Problem {
    fn from(error: PlaceError) -> Self {
        match error {
            PlaceError::Invalid(errors) => errors.into(),
            PlaceError::Inconsistent(errors) => Problem::unprocessable(errors),
            PlaceError::Forbidden(error) => error.into(),
            PlaceError::NotFound(detail) => Problem::not_found(detail),
            error @ PlaceError::AlreadyHistorical(_) => Problem::conflict(error.to_string()),
            PlaceError::Store(error) => error.into(),
        }
    }
}
