//! `/api/v1/reverse` (which divisions a point lies in, and what is near it) and
//! `/api/v1/places/nearest`, answered from the in-memory spatial indexes.

use crate::http::query::Query;
use actix_web::{HttpResponse, web};
use geo::Coord;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::problem::Problem;
use crate::app::{self, Identity};
use crate::domain::crs::Crs;
use crate::domain::field_error::{FieldError, FieldErrors};

const MAX_K: usize = 100;
const MAX_WITHIN_M: f64 = 1_000_000.0;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PointQuery {
    #[param(value_type = Option<f64>, minimum = -180, maximum = 180)]
    lon: Option<String>,
    #[param(value_type = Option<f64>, minimum = -90, maximum = 90)]
    lat: Option<String>,
    /// With `crs`: the point in that system (east or longitude, north or latitude) instead of
    /// CGCS2000 lon/lat, and `helmert` for the legacy datums.
    #[param(value_type = Option<f64>)]
    x: Option<String>,
    #[param(value_type = Option<f64>)]
    y: Option<String>,
    crs: Option<String>,
    helmert: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1)]
    k: Option<String>,
    category: Option<String>,
    #[param(value_type = Option<f64>, minimum = 0)]
    within_m: Option<String>,
}

/// A point given in another system, as CGCS2000 lon/lat (None when x or y is missing).
fn point_in(
    crs: &str,
    helmert: Option<&str>,
    x: Option<f64>,
    y: Option<f64>,
) -> Result<Option<(f64, f64)>, FieldError> {
    let (crs, helmert) = super::transform::parse_system(Some(crs), helmert)?;
    let (Some(x), Some(y)) = (x, y) else {
        return Ok(None);
    };
    crate::spatial::reproject::convert_with(crs, Crs::Cgcs2000, x, y, helmert.as_ref())
        .map(Some)
        .map_err(|e| FieldError::new(e.field(), e.to_string()))
}

fn parse_query(
    state: &AppState,
    query: &PointQuery,
    default_k: usize,
) -> Result<app::spatial::PointQuery, Problem> {
    let mut errors = FieldErrors::default();
    let mut number =
        |field: &str, text: &Option<String>, range: std::ops::RangeInclusive<f64>| -> Option<f64> {
            match text.as_deref().map(|t| t.trim().parse::<f64>()) {
                None => {
                    errors.push(field, "required");
                    None
                }
                Some(Ok(n)) if n.is_finite() && range.contains(&n) => Some(n),
                Some(_) => {
                    errors.push(
                        field,
                        format!("a number from {} to {}", range.start(), range.end()),
                    );
                    None
                }
            }
        };
    let (lon, lat) = match &query.crs {
        None => (
            number("lon", &query.lon, -180.0..=180.0),
            number("lat", &query.lat, -90.0..=90.0),
        ),
        Some(crs) => {
            let x = number("x", &query.x, f64::MIN..=f64::MAX);
            let y = number("y", &query.y, f64::MIN..=f64::MAX);
            match point_in(crs, query.helmert.as_deref(), x, y) {
                Ok(point) => point.map_or((None, None), |(lon, lat)| (Some(lon), Some(lat))),
                Err(error) => {
                    errors.push(error.field, error.message);
                    (None, None)
                }
            }
        }
    };
    let k = match query.k.as_deref().map(str::parse::<usize>) {
        None => default_k,
        Some(Ok(k)) if (1..=MAX_K).contains(&k) => k,
        Some(_) => {
            errors.push("k", format!("a whole number from 1 to {MAX_K}"));
            default_k
        }
    };
    let within_m = match query.within_m.as_deref().map(str::parse::<f64>) {
        None => None,
        Some(Ok(m)) if m > 0.0 && m <= MAX_WITHIN_M => Some(m),
        Some(_) => {
            errors.push(
                "within_m",
                format!("metres, more than 0 and at most {MAX_WITHIN_M}"),
            );
            None
        }
    };
    let category = match &query.category {
        None => None,
        Some(text) => match state.catalog.resolve(text) {
            Ok(category) => Some(category.code.clone()),
            Err(error) => {
                errors.push("category", error.to_string());
                None
            }
        },
    };
    let parsed = match (lon, lat) {
        (Some(x), Some(y)) => Some(app::spatial::PointQuery {
            point: Coord { x, y },
            k,
            category,
            within_m,
        }),
        _ => None,
    };
    match (errors.is_empty(), parsed) {
        (true, Some(parsed)) => Ok(parsed),
        _ => Err(errors.into()),
    }
}

/// Which divisions contain the point (province first) and the nearest named features.
#[utoipa::path(
    get,
    path = "/api/v1/reverse",
    operation_id = "spatial_reverse",
    tag = "spatial",
    params(PointQuery),
    responses(
        (status = 200, description = "the answer", body = crate::app::spatial::Reverse, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn reverse(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<PointQuery>,
) -> Result<HttpResponse, Problem> {
    let query = parse_query(&state, &query, 5)?;
    let answer = app::spatial::reverse(&state, &identity, &query).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// The `k` nearest records as GeoJSON features, each with its geodesic `distance_m`.
#[utoipa::path(
    get,
    path = "/api/v1/places/nearest",
    operation_id = "spatial_nearest",
    tag = "places",
    params(PointQuery),
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::NearPlaces, content_type = "application/geo+json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn nearest(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<PointQuery>,
) -> Result<HttpResponse, Problem> {
    let query = parse_query(&state, &query, 10)?;
    let places = app::spatial::nearest(&state, &identity, &query).await?;
    let features: Vec<_> = places
        .into_iter()
        .map(|(place, distance_m)| {
            json!({
                "type": "Feature",
                "id": place.id,
                "geometry": place.geometry,
                "properties": place.properties,
                "distance_m": (distance_m * 10.0).round() / 10.0,
            })
        })
        .collect();
    let body = json!({ "type": "FeatureCollection", "features": features, "numberReturned": features.len() });
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .body(body.to_string()))
}
