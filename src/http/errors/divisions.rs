//! Division and division-event errors as problems.

use crate::app::division_events::DivisionEventError;
use crate::app::divisions::DivisionError;
use crate::domain::field_error::FieldErrors;
use crate::http::problem::Problem;

impl From<DivisionEventError> for Problem {
    fn from(error: DivisionEventError) -> Self {
        match error {
            DivisionEventError::Invalid(errors) => errors.into(),
            DivisionEventError::Inconsistent(errors) => Problem::unprocessable(errors),
            DivisionEventError::Forbidden(error) => error.into(),
            DivisionEventError::NotFound(detail) => Problem::not_found(detail),
            error
            @ (DivisionEventError::AlreadyDecided(_) | DivisionEventError::NotApproved(_)) => {
                Problem::conflict(error.to_string())
            }
            DivisionEventError::NoLongerFits(errors) => no_longer_fits(errors),
            DivisionEventError::Store(error) => error.into(),
        }
    }
}

impl From<DivisionError> for Problem {
    fn from(error: DivisionError) -> Self {
        match error {
            DivisionError::NotFound(detail) => Problem::not_found(detail),
            DivisionError::Store(error) => error.into(),
        }
    }
}

/// 409 with the fields that no longer fit the divisions in force.
fn no_longer_fits(errors: FieldErrors) -> Problem {
    let mut problem = Problem::conflict(
        "the divisions have changed since this event was proposed; it no longer fits them (see errors)",
    );
    problem.errors = errors.into_vec();
    problem
}
