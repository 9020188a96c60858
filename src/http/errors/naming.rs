//! Naming errors as problems: a forbidden move of the procedure is 409, a role that does not
//! take the step 403, an application outside the caller's jurisdiction 404.

use crate::app::naming::NamingError;
use crate::http::problem::Problem;

impl From<NamingError> for Problem {
    fn from(error: NamingError) -> Self {
        match error {
            NamingError::Invalid(errors) => errors.into(),
            NamingError::Inconsistent(errors) => Problem::unprocessable(errors),
            NamingError::Role(error) => Problem::forbidden(error.to_string()),
            NamingError::Access(error) => error.into(),
            NamingError::NotFound(detail) => Problem::not_found(detail),
            error @ (NamingError::Move(_) | NamingError::HeritageMove(_)) => {
                Problem::conflict(error.to_string())
            }
            NamingError::TooMany => Problem::too_many_requests(
                "too many comments from this address: try again in an hour",
                3600,
            ),
            NamingError::Store(error) => error.into(),
            NamingError::Pdf(error) => error.into(),
        }
    }
}
