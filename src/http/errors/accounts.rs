//! Sign-in and audit-log errors as problems.

use crate::app::accounts::AccountError;
use crate::app::audit::AuditError;
use crate::http::problem::{Problem, log_internal};

impl From<AccountError> for Problem {
    fn from(error: AccountError) -> Self {
        match error {
            error @ AccountError::WrongCredentials => Problem::unauthenticated(&error.to_string()),
            AccountError::LockedOut {
                retry_after_seconds,
                ..
            } => Problem::too_many_requests(error.to_string(), retry_after_seconds),
            AccountError::Store(error) => error.into(),
            error @ (AccountError::Security(_) | AccountError::Worker) => {
                log_internal(&error);
                Problem::internal()
            }
        }
    }
}

impl From<AuditError> for Problem {
    fn from(error: AuditError) -> Self {
        match error {
            AuditError::Invalid(errors) => errors.into(),
            AuditError::Forbidden(error) => error.into(),
            AuditError::Store(error) => error.into(),
        }
    }
}

impl From<crate::app::accounts::UserAdminError> for Problem {
    fn from(error: crate::app::accounts::UserAdminError) -> Self {
        use crate::app::accounts::UserAdminError;
        match error {
            UserAdminError::Invalid(errors) => errors.into(),
            UserAdminError::Forbidden(error) => error.into(),
            error @ UserAdminError::NotFound(_) => Problem::not_found(error.to_string()),
            error @ UserAdminError::OwnAccount(_) => Problem::conflict(error.to_string()),
            UserAdminError::Store(error) => error.into(),
            error @ (UserAdminError::Security(_) | UserAdminError::Worker) => {
                log_internal(&error);
                Problem::internal()
            }
        }
    }
}
