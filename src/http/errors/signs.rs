//! Sign errors as problems (the public side answers with HTML pages instead: see
//! `http/public.rs`).

use crate::app::signs::SignError;
use crate::http::problem::{Problem, log_internal};

impl From<SignError> for Problem {
    fn from(error: SignError) -> Self {
        match error {
            SignError::Invalid(errors) => errors.into(),
            SignError::Forbidden(error) => error.into(),
            error @ SignError::ReportOutsideJurisdiction(_) => {
                Problem::forbidden(error.to_string())
            }
            SignError::NotFound(detail) => Problem::not_found(detail),
            SignError::IllegalTransition(error) => Problem::conflict(error.to_string()),
            error @ SignError::Internal(_) => {
                log_internal(&error);
                Problem::internal()
            }
            SignError::Store(error) => error.into(),
            SignError::Pdf(error) => error.into(),
        }
    }
}
