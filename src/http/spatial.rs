//! `/api/v1/reverse` (which divisions a point lies in, and what is near it) and
//! `/api/v1/places/nearest`, answered from the in-memory spatial indexes.

use actix_web::{HttpResponse, web};
use geo::Coord;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::AppState;
use super::problem::Problem;
use crate::app::Identity;
use crate::domain::crs::Crs;
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::{FieldError, FieldErrors};
use crate::spatial::index::{IndexedPlace, NearHit};
use crate::store::places::VersionSelector;

const MAX_K: usize = 100;
const MAX_WITHIN_M: f64 = 1_000_000.0;
/// Administrative areas (行政区域, 21x) make the division chain; other areas are only listed.
const ADMINISTRATIVE_CLASS: &str = "21";

#[derive(Deserialize)]
pub struct PointQuery {
    lon: Option<String>,
    lat: Option<String>,
    /// With `crs`: the point in that system (east or longitude, north or latitude) instead of
    /// CGCS2000 lon/lat, and `helmert` for the legacy datums.
    x: Option<String>,
    y: Option<String>,
    crs: Option<String>,
    helmert: Option<String>,
    k: Option<String>,
    category: Option<String>,
    within_m: Option<String>,
}

struct ParsedQuery {
    point: Coord<f64>,
    k: usize,
    category: Option<String>,
    within_m: Option<f64>,
}

impl ParsedQuery {
    /// Whether a record may be answered: public ones only for the public, and of the asked
    /// category (sub-categories included) if one was asked.
    fn admits(&self, place: &IndexedPlace, public_only: bool) -> bool {
        (!public_only || place.public)
            && self
                .category
                .as_ref()
                .is_none_or(|c| place.category.starts_with(c.as_str()))
    }
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
) -> Result<ParsedQuery, Problem> {
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
        (Some(x), Some(y)) => Some(ParsedQuery {
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

#[derive(Serialize)]
struct NearView {
    id: i64,
    name: String,
    category: String,
    division_code: Option<String>,
    distance_m: f64,
}

impl From<&NearHit<'_>> for NearView {
    fn from(hit: &NearHit) -> Self {
        Self {
            id: hit.place.place_id,
            name: hit.place.name.clone(),
            category: hit.place.category.clone(),
            division_code: hit.place.division_code.clone(),
            distance_m: (hit.distance_m * 10.0).round() / 10.0,
        }
    }
}

#[derive(Serialize)]
struct AreaView {
    id: i64,
    name: String,
    category: String,
    division_code: Option<String>,
}

#[derive(Serialize)]
struct ReverseView {
    point: [f64; 2],
    divisions: Vec<crate::store::reference::Division>,
    areas: Vec<AreaView>,
    nearest: Vec<NearView>,
}

/// Which divisions contain the point (province first) and the nearest named features.
pub async fn reverse(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<PointQuery>,
) -> Result<HttpResponse, Problem> {
    let query = parse_query(&state, &query, 5)?;
    let public_only = identity.is_public();
    let (areas, nearest) = {
        let index = state.spatial.read().map_err(|_| Problem::internal())?;
        // Owned copies: the lock is released before the division chain is looked up.
        let areas: Vec<AreaView> = index
            .areas_containing(query.point, public_only)
            .into_iter()
            .map(|a| AreaView {
                id: a.place.place_id,
                name: a.place.name.clone(),
                category: a.place.category.clone(),
                division_code: a.place.division_code.clone(),
            })
            .collect();
        let nearest: Vec<NearView> = index
            .nearest(query.point, query.k, query.within_m, |p| {
                query.admits(p, public_only)
            })
            .iter()
            .map(NearView::from)
            .collect();
        (areas, nearest)
    };
    // The deepest administrative area gives the chain; its parents come from the code.
    let deepest = areas
        .iter()
        .filter(|a| a.category.starts_with(ADMINISTRATIVE_CLASS))
        .filter_map(|a| {
            a.division_code
                .as_deref()
                .and_then(|c| DivisionCode::parse(c).ok())
        })
        .max_by_key(|code| code.level());
    let divisions = state
        .division_chain(deepest.as_ref().map(DivisionCode::as_str))
        .await?;
    Ok(HttpResponse::Ok().json(ReverseView {
        point: [query.point.x, query.point.y],
        divisions,
        areas,
        nearest,
    }))
}

/// The `k` nearest records as GeoJSON features, each with its geodesic `distance_m`.
pub async fn nearest(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<PointQuery>,
) -> Result<HttpResponse, Problem> {
    let query = parse_query(&state, &query, 10)?;
    let public_only = identity.is_public();
    // (id, distance) pairs: the lock is released before the records are read.
    let hits: Vec<(i64, f64)> = {
        let index = state.spatial.read().map_err(|_| Problem::internal())?;
        index
            .nearest(query.point, query.k, query.within_m, |p| {
                query.admits(p, public_only)
            })
            .iter()
            .map(|hit| (hit.place.place_id, hit.distance_m))
            .collect()
    };
    let mut features = Vec::with_capacity(hits.len());
    for (place_id, distance_m) in hits {
        if let Some(place) = state
            .store
            .place(place_id, VersionSelector::Current, public_only)
            .await?
        {
            features.push(json!({
                "type": "Feature",
                "id": place.id,
                "geometry": place.geometry,
                "properties": place.properties,
                "distance_m": (distance_m * 10.0).round() / 10.0,
            }));
        }
    }
    let body = json!({ "type": "FeatureCollection", "features": features, "numberReturned": features.len() });
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .body(body.to_string()))
}
