//! Address register errors as problems.

use crate::app::address_lookup::LookupError;
use crate::app::addresses::AddressError;
use crate::http::problem::Problem;

impl From<AddressError> for Problem {
    fn from(error: AddressError) -> Self {
        match error {
            AddressError::Invalid(errors) => errors.into(),
            AddressError::Inconsistent(errors) => Problem::unprocessable(errors),
            AddressError::Duplicate(errors) => {
                let mut problem = Problem::conflict(
                    errors
                        .as_slice()
                        .first()
                        .map(|e| e.message.clone())
                        .unwrap_or_default(),
                );
                problem.errors = errors.into_vec();
                problem
            }
            AddressError::Forbidden(error) => error.into(),
            AddressError::NotFound(detail) => Problem::not_found(detail),
            AddressError::Conflict(detail) => Problem::conflict(detail),
            AddressError::Store(error) => error.into(),
            AddressError::Pdf(error) => error.into(),
        }
    }
}

impl From<LookupError> for Problem {
    fn from(error: LookupError) -> Self {
        match error {
            LookupError::Invalid(errors) => errors.into(),
            LookupError::NotFound(detail) => Problem::not_found(detail),
            LookupError::Store(error) => error.into(),
        }
    }
}
