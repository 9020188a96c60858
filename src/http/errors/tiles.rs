//! Vector tile errors as problems: the parameter at fault is named, an unknown collection too.

use crate::app::ogc::OgcError;
use crate::app::tiles::TileError;
use crate::domain::field_error::FieldError;
use crate::http::problem::Problem;

impl From<TileError> for Problem {
    fn from(error: TileError) -> Self {
        match error {
            TileError::Invalid(errors) => errors.into(),
            TileError::Collection(error @ OgcError::UnknownCollection(_)) => {
                let detail = error.to_string();
                let mut problem = Problem::not_found(detail.clone());
                problem.errors = vec![FieldError::new("collection", detail)];
                problem
            }
            TileError::Collection(error) => error.into(),
        }
    }
}
