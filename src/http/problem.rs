//! RFC 7807 problem details: every error a client sees is `application/problem+json` with a
//! message a person can act on and, where one field is at fault, its path.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::account::AccessError;
use crate::domain::field_error::{FieldError, FieldErrors};
use crate::store::StoreError;

/// RFC 7807 problem details as this service sends them (`application/problem+json`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A relative URI naming the kind of problem, e.g. `/problems/invalid-input`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The same for every problem of a kind.
    pub title: String,
    /// The HTTP status, repeated.
    pub status: u16,
    /// What went wrong with this request, for a person.
    pub detail: String,
    /// Each field at fault (400, 422); absent when no one field is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<FieldError>,
    #[serde(skip)]
    retry_after_seconds: Option<i64>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("/problems/{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_seconds: None,
        }
    }

    /// 400 naming the fields at fault.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are not valid; see errors", many.len()),
        };
        Self {
            errors,
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "invalid-input",
                "The input is not valid",
                detail,
            )
        }
    }

    /// 422 naming the fields whose content the register cannot take: well-formed, but at odds
    /// with the rest of the record (a position outside the divisions named) or with what the
    /// register keeps (a height).
    pub fn unprocessable(errors: FieldErrors) -> Self {
        let mut problem = Self::invalid(errors.into_vec());
        problem.status = StatusCode::UNPROCESSABLE_ENTITY.as_u16();
        problem.kind = "/problems/inconsistent-input".into();
        problem.title = "The input does not agree with the record".into();
        problem
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    pub fn unauthenticated(detail: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign-in required",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    pub fn too_many_requests(detail: impl Into<String>, retry_after_seconds: i64) -> Self {
        Self {
            retry_after_seconds: Some(retry_after_seconds.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
                detail,
            )
        }
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the service could not complete the request; it has been logged",
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let Some(seconds) = self.retry_after_seconds {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.status == 401 {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        response.body(serde_json::to_string(self).unwrap_or_default())
    }
}

impl From<FieldErrors> for Problem {
    fn from(errors: FieldErrors) -> Self {
        Self::invalid(errors.into_vec())
    }
}

impl From<AccessError> for Problem {
    fn from(error: AccessError) -> Self {
        Self::forbidden(error.to_string())
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::not_found("no such record"),
            StoreError::StaleVersion { expected, current } => Self::new(
                StatusCode::PRECONDITION_FAILED,
                "stale-version",
                "The record has changed",
                format!(
                    "you edited version {expected}, but the record is now at version {current}: reload it, reapply your change and send it with the new ETag"
                ),
            ),
            StoreError::AlreadyExists(what) => Self::conflict(format!("{what} already exists")),
            StoreError::Changed(what) => Self::conflict(what),
            StoreError::Busy => Self {
                retry_after_seconds: Some(1),
                ..Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "The register is busy",
                    "other changes are being written and yours could not start in time; nothing was written: send it again in a moment",
                )
            },
            other => {
                log_internal(&other);
                Self::internal()
            }
        }
    }
}

/// Logs an internal failure with its whole chain of causes; the client sees none of it.
pub fn log_internal(error: &dyn std::error::Error) {
    crate::app::jobs::log_failure(error);
}
