use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use serde_json::json;

use crate::app::exchange::ExchangeError;
use crate::domain::exchange::RowError;
use crate::http::problem::{Problem, log_internal};

impl From<ExchangeError> for Problem {
    fn from(error: ExchangeError) -> Self {
        match error {
            ExchangeError::Invalid(errors) => errors.into(),
            ExchangeError::Forbidden(error) => error.into(),
            ExchangeError::BadRows(rows) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad-rows",
                "导入失败：文件中有错误的行 (the file has bad rows)",
                format!("nothing was imported: {} problems in the file", rows.len()),
            ),
            error @ ExchangeError::File(_) => {
                log_internal(&error);
                Problem::internal()
            }
            ExchangeError::Store(error) => error.into(),
        }
    }
}

/// 422 problem+json listing every bad row of an import: file, row, field and why.
pub fn bad_rows(rows: Vec<RowError>) -> HttpResponse {
    let body = json!({
        "type": "/problems/bad-rows",
        "title": "导入失败：文件中有错误的行 (the file has bad rows)",
        "status": 422,
        "detail": format!(
            "nothing was imported: {} problems in the file; fix every row listed and import it again",
            rows.len()
        ),
        "errors": rows,
    });
    HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ))
        .body(body.to_string())
}
