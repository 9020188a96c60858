//! `/api/v1/boundaries?between=A,B`: the boundary line two neighbouring divisions share, derived
//! from their registered polygons, with its geodesic length. Staff of either side (or above)
//! may read it.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::identity::Staff;
use super::problem::Problem;
use crate::domain::account::Role;
use crate::domain::boundary::{geodesic_length, shared_line};
use crate::domain::division_code::DivisionCode;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundaryQuery {
    between: Option<String>,
}

pub async fn between(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<BoundaryQuery>,
) -> Result<HttpResponse, Problem> {
    let text = query.between.as_deref().unwrap_or_default();
    let codes: Vec<&str> = text.split(',').map(str::trim).collect();
    let [a, b] = codes[..] else {
        return Err(Problem::invalid_field(
            "between",
            "two division codes separated by a comma, such as 330421,330482",
        ));
    };
    let parse = |code: &str| {
        DivisionCode::parse(code)
            .map_err(|e| Problem::invalid_field("between", format!("{code}: {e}")))
    };
    let (a, b) = (parse(a)?, parse(b)?);
    if a == b {
        return Err(Problem::invalid_field("between", "two different divisions"));
    }
    if a.level() != b.level() {
        return Err(Problem::invalid_field(
            "between",
            format!(
                "a boundary line joins divisions of one level; {a} is a {} and {b} a {}",
                a.level().as_str(),
                b.level().as_str()
            ),
        ));
    }
    // Either side's staff, and anyone whose jurisdiction covers one of them, may read the line.
    let actor = &staff.actor;
    let covers = |code: &DivisionCode| {
        (actor.role == Role::Admin && actor.jurisdictions.is_empty())
            || actor.jurisdictions.iter().any(|j| j.covers(code))
    };
    if !covers(&a) && !covers(&b) {
        return Err(Problem::forbidden(format!(
            "the line between {a} and {b} belongs to neither side of your jurisdiction"
        )));
    }
    let index = state.spatial.read().map_err(|_| Problem::internal())?;
    let area = |code: &DivisionCode| {
        index.division_area(code.as_str()).ok_or_else(|| {
            Problem::not_found(format!(
                "division {code} has no registered polygon to derive a boundary from"
            ))
        })
    };
    let ((place_a, shape_a), (place_b, shape_b)) = (area(&a)?, area(&b)?);
    let line = shared_line(shape_a, shape_b);
    if line.0.is_empty() {
        return Err(Problem::not_found(format!(
            "{} ({a}) and {} ({b}) share no boundary",
            place_a.name, place_b.name
        )));
    }
    let parts: Vec<f64> = line
        .0
        .iter()
        .map(|l| geodesic_length(&geo::MultiLineString::new(vec![l.clone()])))
        .collect();
    let length_m = parts.iter().sum::<f64>();
    let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&line));
    Ok(HttpResponse::Ok().content_type("application/geo+json").body(
        json!({
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "between": [
                    { "code": a.as_str(), "name": place_a.name, "place_id": place_a.place_id },
                    { "code": b.as_str(), "name": place_b.name, "place_id": place_b.place_id },
                ],
                "level": a.level().as_str(),
                "derived_from": "shared polygon edges",
                "segments": parts.len(),
                "segment_lengths_m": parts.iter().map(|m| (m * 10.0).round() / 10.0).collect::<Vec<_>>(),
                "length_m": (length_m * 10.0).round() / 10.0,
            }
        })
        .to_string(),
    ))
}
