//! PDF errors as problems: a font the service cannot read is 503 naming the setting to fix
//! (`--cjk-font`) in `errors`.

use actix_web::http::StatusCode;

use crate::app::pdf::PdfError;
use crate::domain::field_error::FieldError;
use crate::http::problem::{Problem, log_internal};

impl From<PdfError> for Problem {
    fn from(error: PdfError) -> Self {
        match error {
            PdfError::FontUnavailable { .. } => {
                tracing::error!("{error}");
                let mut problem = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "pdf-font-unavailable",
                    "PDFs cannot be made: the Chinese font is missing",
                    "the service cannot read the font its PDFs are set in; the operator sets it with --cjk-font (DIMING_CJK_FONT) and --cjk-font-index",
                );
                // The setting to fix, where problems name the field at fault.
                problem.errors = vec![FieldError::new(
                    PdfError::FONT_SETTING,
                    "an OpenType font or collection with Chinese glyphs, readable by the service",
                )];
                problem
            }
            error @ PdfError::Render(_) => {
                log_internal(&error);
                Problem::internal()
            }
        }
    }
}
