//! Boundary lines. `GET /api/v1/boundaries?between=A,B` gives the line two neighbouring
//! divisions share: the recorded line when there is one, otherwise the one derived from their
//! registered polygons. `/api/v1/boundary-lines` records lines as versioned records (from the
//! shared polygon edges or an imported geometry) with their agreement (协议书), split into
//! segments at their markers. Staff of either side may read a line; only an administrator
//! covering both sides may change it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use geo::{Geometry, MultiLineString, Point};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::body::JsonBody;
use super::places::{AsOfQuery, parse_day};
use super::precondition::expected_version;
use super::problem::Problem;
use crate::app::Staff;
use crate::domain::account::Actor;
use crate::domain::boundary::{geodesic_length, shared_line};
use crate::domain::boundary_line::{Agreement, LineCode, SegmentLead, assign_leads, segments};
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::geometry::{check_within_china, parse_geometry};
use crate::domain::version::entity_tag;
use crate::store::boundary_lines::{NewLineVersion, StoredLine};

const TAG_KIND: char = 'b';

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundaryQuery {
    between: Option<String>,
    as_of: Option<String>,
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
    let line = LineCode::between(parse(a)?, parse(b)?)
        .map_err(|e| Problem::invalid_field("between", e.to_string()))?;
    may_read(&staff.actor, &line)?;
    let as_of = query
        .as_of
        .as_deref()
        .map(|d| parse_day(d, "as_of"))
        .transpose()?;
    if let Some(recorded) = state.store.boundary_line(&line.as_string(), as_of).await? {
        return recorded_response(&state, &recorded).await;
    }
    let derived = derive(&state, &line)?;
    let feature = line_feature(
        &state,
        &line,
        &derived,
        &[],
        json!({ "recorded": false, "derived_from": "shared polygon edges" }),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .body(feature.to_string()))
}

/// A line as a client sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// The two divisions (create only; a change names the line in its path).
    #[serde(default)]
    between: Option<Vec<String>>,
    #[serde(default)]
    agreement: Option<Agreement>,
    #[serde(default)]
    approved_by: Option<String>,
    /// The side leading each segment, named by the marker numbers at its ends.
    #[serde(default)]
    segment_leads: Vec<SegmentLead>,
    /// A LineString or MultiLineString; absent: derived from the shared polygon edges.
    #[serde(default)]
    geometry: Option<Value>,
    #[serde(default)]
    effective_on: Option<NaiveDate>,
    #[serde(default)]
    comment: Option<String>,
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(input): JsonBody<LineInput>,
) -> Result<HttpResponse, Problem> {
    let codes = input.between.as_deref().unwrap_or_default();
    let [a, b] = codes else {
        return Err(Problem::invalid_field(
            "between",
            "the two division codes the line separates, such as [\"330421\", \"330482\"]",
        ));
    };
    let parse = |i: usize, code: &str| {
        DivisionCode::parse(code.trim())
            .map_err(|e| Problem::invalid_field(&format!("between[{i}]"), format!("{code}: {e}")))
    };
    let line = LineCode::between(parse(0, a)?, parse(1, b)?)
        .map_err(|e| Problem::invalid_field("between", e.to_string()))?;
    let [first, second] = line.sides();
    staff.actor.may_change_shared_line(first, second)?;
    let stored = write(&state, &staff, &line, &input, None).await?;
    let mut response = recorded_response(&state, &stored).await?;
    *response.status_mut() = actix_web::http::StatusCode::CREATED;
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&format!("/api/v1/boundary-lines/{}", stored.line_code))
            .map_err(|_| Problem::internal())?,
    );
    Ok(response)
}

pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    request: HttpRequest,
    path: web::Path<String>,
    JsonBody(input): JsonBody<LineInput>,
) -> Result<HttpResponse, Problem> {
    let line = parse_line_code(&path)?;
    let [first, second] = line.sides();
    staff.actor.may_change_shared_line(first, second)?;
    if input.between.is_some() {
        return Err(Problem::invalid_field(
            "between",
            "a line's divisions are in its path; they cannot change",
        ));
    }
    let current = state
        .store
        .boundary_line(&line.as_string(), None)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no line {} is recorded", line.as_string())))?;
    let expected = expected_version(&request, TAG_KIND, current.id, "boundary line")?;
    let stored = write(&state, &staff, &line, &input, Some(expected)).await?;
    recorded_response(&state, &stored).await
}

pub async fn read(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, Problem> {
    let line = parse_line_code(&path)?;
    may_read(&staff.actor, &line)?;
    let as_of = query.day()?;
    let stored = state
        .store
        .boundary_line(&line.as_string(), as_of)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no line {} is recorded", line.as_string())))?;
    recorded_response(&state, &stored).await
}

pub async fn history(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let line = parse_line_code(&path)?;
    may_read(&staff.actor, &line)?;
    let versions = state.store.boundary_line_history(&line.as_string()).await?;
    if versions.is_empty() {
        return Err(Problem::not_found(format!(
            "no line {} is recorded",
            line.as_string()
        )));
    }
    Ok(HttpResponse::Ok().json(json!({ "line_code": line.as_string(), "versions": versions })))
}

/// Checks the input and writes version 1 (`expected` None) or the next version.
async fn write(
    state: &AppState,
    staff: &Staff,
    line: &LineCode,
    input: &LineInput,
    expected: Option<i64>,
) -> Result<StoredLine, Problem> {
    let mut errors = FieldErrors::default();
    if let Some(agreement) = &input.agreement {
        agreement.check(&mut errors);
    }
    SegmentLead::check_all(&input.segment_leads, line, &mut errors);
    let approved_by = input
        .approved_by
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if approved_by.is_some_and(|a| a.chars().count() > 100) {
        errors.push("approved_by", "at most 100 characters");
    }
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let (geometry, source) = match &input.geometry {
        Some(value) => match imported_line(value) {
            Ok(geometry) => (Some(geometry), "imported"),
            Err(problems) => {
                errors.extend(problems);
                (None, "imported")
            }
        },
        None => (None, "shared_edges"),
    };
    if !errors.is_empty() {
        return Err(Problem::invalid(errors.into_vec()));
    }
    let geometry = match geometry {
        Some(geometry) => geometry,
        None => derive(state, line).map_err(|p| {
            Problem::invalid_field(
                "geometry",
                format!(
                    "{}; send the line as a LineString or MultiLineString",
                    p.detail
                ),
            )
        })?,
    };
    let version = NewLineVersion {
        line,
        effective_on: input.effective_on.unwrap_or_else(super::today),
        comment,
        agreement: input.agreement.as_ref(),
        approved_by,
        segment_leads: &input.segment_leads,
        source,
        geometry: serde_json::to_string(&geojson::Geometry::new(geojson::GeometryValue::from(
            &geometry,
        )))
        .map_err(|_| Problem::internal())?,
        length_m: geodesic_length(&geometry),
    };
    let author = staff.author();
    let stored = match expected {
        None => state.store.create_boundary_line(&version, &author).await?,
        Some(expected) => {
            state
                .store
                .change_boundary_line(expected, &version, &author)
                .await?
        }
    };
    Ok(stored)
}

fn imported_line(value: &Value) -> Result<MultiLineString<f64>, FieldErrors> {
    let geometry = parse_geometry(value, "geometry")?;
    check_within_china(&geometry, "geometry")?;
    match geometry {
        Geometry::LineString(line) => Ok(MultiLineString::new(vec![line])),
        Geometry::MultiLineString(lines) => Ok(lines),
        _ => Err(crate::domain::field_error::FieldError::new(
            "geometry",
            "a boundary line is a LineString or MultiLineString",
        )
        .into()),
    }
}

/// The line the two divisions' registered polygons share.
fn derive(state: &AppState, line: &LineCode) -> Result<MultiLineString<f64>, Problem> {
    let index = state.spatial.read().map_err(|_| Problem::internal())?;
    let area = |code: &DivisionCode| {
        index.division_area(code.as_str()).ok_or_else(|| {
            Problem::not_found(format!(
                "division {code} has no registered polygon to derive a boundary from"
            ))
        })
    };
    let [a, b] = line.sides();
    let ((place_a, shape_a), (place_b, shape_b)) = (area(a)?, area(b)?);
    let shared = shared_line(shape_a, shape_b);
    if shared.0.is_empty() {
        return Err(Problem::not_found(format!(
            "{} ({a}) and {} ({b}) share no boundary",
            place_a.name, place_b.name
        )));
    }
    Ok(shared)
}

/// The stops on a line: one per marker number (a pair or triple stands at the mean of its
/// markers), labelled with the number without its type letter.
async fn markers_on(
    state: &AppState,
    line: &LineCode,
) -> Result<Vec<(String, Point<f64>)>, Problem> {
    let mut stops: Vec<(String, Vec<Point<f64>>)> = Vec::new();
    for (number, lon, lat) in state.store.markers_on_line(&line.as_string()).await? {
        let label = number
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .to_string();
        match stops.iter_mut().find(|(l, _)| *l == label) {
            Some((_, points)) => points.push(Point::new(lon, lat)),
            None => stops.push((label, vec![Point::new(lon, lat)])),
        }
    }
    Ok(stops
        .into_iter()
        .map(|(label, points)| {
            let n = points.len() as f64;
            let sum = points.iter().fold(Point::new(0.0, 0.0), |acc, p| acc + *p);
            (label, Point::new(sum.x() / n, sum.y() / n))
        })
        .collect())
}

async fn recorded_response(state: &AppState, stored: &StoredLine) -> Result<HttpResponse, Problem> {
    let line = parse_line_code(&stored.line_code)?;
    let geometry: geojson::Geometry =
        serde_json::from_str(&stored.geometry).map_err(|_| Problem::internal())?;
    let shape: MultiLineString<f64> = match Geometry::<f64>::try_from(&geometry.value) {
        Ok(Geometry::MultiLineString(lines)) => lines,
        Ok(Geometry::LineString(line)) => MultiLineString::new(vec![line]),
        _ => return Err(Problem::internal()),
    };
    let feature = line_feature(
        state,
        &line,
        &shape,
        &stored.segment_leads,
        json!({
            "recorded": true,
            "version": stored.version,
            "current_version": stored.current_version,
            "effective_on": stored.effective_on,
            "recorded_at": stored.recorded_at,
            "recorded_by": stored.recorded_by,
            "comment": stored.comment,
            "agreement": stored.agreement,
            "approved_by": stored.approved_by,
            "segment_leads": stored.segment_leads,
            "derived_from": if stored.source == "imported" { "imported geometry" } else { "shared polygon edges" },
        }),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::ETAG,
            entity_tag(TAG_KIND, stored.id, stored.version),
        ))
        .content_type("application/geo+json")
        .body(feature.to_string()))
}

/// A line as a GeoJSON feature: its code, both sides, level, segments between its markers
/// (with their lead sides) and geodesic length, with `extra` properties.
async fn line_feature(
    state: &AppState,
    line: &LineCode,
    shape: &MultiLineString<f64>,
    leads: &[SegmentLead],
    extra: Value,
) -> Result<Value, Problem> {
    let mut parts = segments(shape, &markers_on(state, line).await?);
    assign_leads(&mut parts, leads);
    let [a, b] = line.sides();
    let mut properties = json!({
        "line_code": line.as_string(),
        "between": [side(state, a), side(state, b)],
        "level": a.level().as_str(),
        "segments": parts,
        "length_m": round(geodesic_length(shape)),
    });
    if let (Some(properties), Value::Object(extra)) = (properties.as_object_mut(), extra) {
        properties.extend(extra);
    }
    Ok(json!({
        "type": "Feature",
        "geometry": geojson::Geometry::new(geojson::GeometryValue::from(shape)),
        "properties": properties,
    }))
}

fn side(state: &AppState, code: &DivisionCode) -> Value {
    let name = state
        .divisions
        .read()
        .ok()
        .and_then(|d| d.get(code.as_str()).map(|d| d.name.clone()));
    json!({ "code": code.as_str(), "name": name })
}

pub(super) fn may_read(actor: &Actor, line: &LineCode) -> Result<(), Problem> {
    let [a, b] = line.sides();
    if actor.on_either_side(a, b) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "the line between {a} and {b} belongs to neither side of your jurisdiction"
        )))
    }
}

fn parse_line_code(text: &str) -> Result<LineCode, Problem> {
    LineCode::parse(text).map_err(|e| Problem::invalid_field("line_code", format!("{text}: {e}")))
}

fn round(metres: f64) -> f64 {
    (metres * 10.0).round() / 10.0
}
