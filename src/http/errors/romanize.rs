//! Romanization errors as problems.

use crate::app::romanize::RomanizeError;
use crate::http::problem::Problem;

impl From<RomanizeError> for Problem {
    fn from(error: RomanizeError) -> Self {
        match error {
            RomanizeError::Invalid(errors) => errors.into(),
            RomanizeError::Store(error) => error.into(),
        }
    }
}
