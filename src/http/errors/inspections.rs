//! Inspection errors as problems: a round the caller may not see is 404 like an unknown one; a
//! member doing what their part does not allow (another side's findings, signing for another
//! side) 403; a move out of order, a record the round's state does not take, a locked round or
//! a report changed since it was read 409.

use crate::app::inspections::InspectionError;
use crate::domain::inspection::TransitionError;
use crate::http::problem::Problem;

impl From<InspectionError> for Problem {
    fn from(error: InspectionError) -> Self {
        match error {
            InspectionError::Invalid(errors) => errors.into(),
            InspectionError::NotFound(detail) => Problem::not_found(detail),
            InspectionError::Forbidden(detail) => Problem::forbidden(detail),
            InspectionError::Access(error) => error.into(),
            InspectionError::Move(TransitionError::NotYours(detail)) => Problem::forbidden(detail),
            error @ (InspectionError::Move(_)
            | InspectionError::WrongState { .. }
            | InspectionError::Locked(_)
            | InspectionError::Conflict(_)) => Problem::conflict(error.to_string()),
            InspectionError::Store(error) => error.into(),
            InspectionError::Pdf(error) => error.into(),
        }
    }
}
