//! `/api/v1/transform?from=&to=&x=&y=`: one coordinate converted between the supported systems
//! (CGCS2000, its Gauss–Krüger zones, WGS84, Web Mercator). x is the easting or longitude, y the
//! northing or latitude; a survey table's Y (东坐标) is x here. Beijing 1954 and Xian 1980
//! systems take `helmert=dx,dy,dz,rx,ry,rz,s`, the parameters published for the area.

use crate::http::query::Query;
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::json;

use super::problem::Problem;
use crate::app::transform::transform as convert;
use crate::domain::crs::{Crs, Helmert};
use crate::domain::field_error::{FieldError, FieldErrors};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TransformQuery {
    from: Option<String>,
    to: Option<String>,
    #[param(value_type = Option<f64>)]
    x: Option<String>,
    #[param(value_type = Option<f64>)]
    y: Option<String>,
    helmert: Option<String>,
}

/// A request's coordinate system (`crs=`, CGCS2000 when absent) and, for the legacy datums,
/// its transformation parameters (`helmert=`).
pub(super) fn parse_system(
    crs: Option<&str>,
    helmert: Option<&str>,
) -> Result<(Crs, Option<Helmert>), FieldError> {
    let crs = crs
        .map(Crs::parse)
        .transpose()
        .map_err(|e| FieldError::new("crs", e.to_string()))?
        .unwrap_or(Crs::Cgcs2000);
    let helmert = helmert
        .map(Helmert::parse)
        .transpose()
        .map_err(|e| FieldError::new("helmert", e.to_string()))?;
    Ok((crs, helmert))
}

#[utoipa::path(
    get,
    path = "/api/v1/transform",
    operation_id = "transform_transform",
    tag = "spatial",
    params(TransformQuery),
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::Transformed, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest)
    ),
    security(())
)]
pub async fn transform(query: Query<TransformQuery>) -> Result<HttpResponse, Problem> {
    let mut errors = FieldErrors::default();
    let mut crs = |field: &str, text: &Option<String>| match text.as_deref().map(Crs::parse) {
        None => {
            errors.push(field, "required: an EPSG code such as EPSG:4490");
            None
        }
        Some(Ok(crs)) => Some(crs),
        Some(Err(e)) => {
            errors.push(field, e.to_string());
            None
        }
    };
    let (from, to) = (crs("from", &query.from), crs("to", &query.to));
    let mut number =
        |field: &str, text: &Option<String>| match text.as_deref().map(|t| t.trim().parse::<f64>())
        {
            Some(Ok(n)) if n.is_finite() => Some(n),
            _ => {
                errors.push(field, "a number");
                None
            }
        };
    let (x, y) = (number("x", &query.x), number("y", &query.y));
    let helmert = match query.helmert.as_deref().map(Helmert::parse) {
        None => None,
        Some(Ok(helmert)) => Some(helmert),
        Some(Err(e)) => {
            errors.push("helmert", e.to_string());
            None
        }
    };
    errors.into_result(())?;
    let (Some(from), Some(to), Some(x), Some(y)) = (from, to, x, y) else {
        return Err(Problem::internal());
    };
    let (out_x, out_y) =
        convert(from, to, x, y, helmert.as_ref()).map_err(|e| Problem::invalid(vec![e]))?;
    Ok(HttpResponse::Ok().json(json!({
        "from": from.to_string(),
        "to": to.to_string(),
        "input": [x, y],
        "x": out_x,
        "y": out_y,
    })))
}
