//! Boundary lines. `GET /api/v1/boundaries?between=A,B` gives the line two neighbouring
//! divisions share: the recorded line when there is one, otherwise the one derived from their
//! registered polygons. `/api/v1/boundary-lines` records lines as versioned records (from the
//! shared polygon edges or an imported geometry) with their agreement (协议书), split into
//! segments at their markers. Staff of either side may read a line; only an administrator
//! covering both sides may change it.

use super::transform::parse_system;
use crate::app::markers::System;
use crate::http::query::{NoParams, Query};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::body::JsonBody;
use super::places::parse_day;
use super::precondition::expected_version;
use super::problem::Problem;
use crate::app::Staff;
use crate::app::boundaries::{self, LineInput, LineView};
use crate::domain::boundary_line::{Agreement, LineCode, SegmentLead};
use crate::domain::division_code::DivisionCode;
use crate::domain::version::entity_tag;

const TAG_KIND: char = 'b';

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoundaryQuery {
    between: Option<String>,
    #[param(value_type = Option<String>, format = Date, example = "2024-01-01")]
    as_of: Option<String>,
    crs: Option<String>,
    helmert: Option<String>,
}

/// `?as_of=` and the system to answer in (`crs=`, `helmert=`), for reading a recorded line.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LineQuery {
    #[param(value_type = Option<String>, format = Date, example = "2024-01-01")]
    as_of: Option<String>,
    crs: Option<String>,
    helmert: Option<String>,
}

/// The system a line is answered in: CGCS2000 unless `crs=` asks for another.
fn answer_system(crs: Option<&str>, helmert: Option<&str>) -> Result<System, Problem> {
    let (crs, helmert) = parse_system(crs, helmert).map_err(|e| Problem::invalid(vec![e]))?;
    Ok(System { crs, helmert })
}

#[utoipa::path(
    get,
    path = "/api/v1/boundaries",
    operation_id = "boundaries_between",
    tag = "boundaries",
    params(BoundaryQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/geo+json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn between(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<BoundaryQuery>,
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
    let as_of = query
        .as_of
        .as_deref()
        .map(|d| parse_day(d, "as_of"))
        .transpose()?;
    let system = answer_system(query.crs.as_deref(), query.helmert.as_deref())?;
    let view = boundaries::between(&state, &staff, &line, as_of).await?;
    line_response(&view, &system)
}

/// A line as a client sends it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
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

impl From<LineRequest> for LineInput {
    fn from(request: LineRequest) -> Self {
        Self {
            agreement: request.agreement,
            approved_by: request.approved_by,
            segment_leads: request.segment_leads,
            geometry: request.geometry,
            effective_on: request.effective_on,
            comment: request.comment,
            names_sides: request.between.is_some(),
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/boundary-lines",
    operation_id = "boundaries_create",
    tag = "boundaries",
    request_body(content = LineRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = Object, content_type = "application/geo+json", headers(("Location" = String, description = "the new record"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn create(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    input: JsonBody<LineRequest>,
) -> Result<HttpResponse, Problem> {
    let input = input.parsed()?;
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
    let view = boundaries::record(&state, &staff, &line, input.into()).await?;
    let response = line_response(&view, &System::CGCS2000)?;
    super::created_at(
        response,
        &format!("/api/v1/boundary-lines/{}", line.as_string()),
    )
}

#[utoipa::path(
    put,
    path = "/api/v1/boundary-lines/{line_code}",
    operation_id = "boundaries_update",
    tag = "boundaries",
    params(("line_code" = String, Path, description = "the boundary line's code (the two divisions' codes)", example = "330421330482"), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = LineRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "the record as changed", body = Object, content_type = "application/geo+json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 412, response = crate::http::openapi::PreconditionFailed),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 428, response = crate::http::openapi::PreconditionRequired),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn update(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    request: HttpRequest,
    path: web::Path<String>,
    input: JsonBody<LineRequest>,
) -> Result<HttpResponse, Problem> {
    let input = input.parsed()?;
    let line = parse_line_code(&path)?;
    let view = boundaries::update(
        &state,
        &staff,
        &line,
        |id| expected_version(&request, TAG_KIND, id, "boundary line"),
        input.into(),
    )
    .await?;
    line_response(&view, &System::CGCS2000)
}

#[utoipa::path(
    get,
    path = "/api/v1/boundary-lines/{line_code}",
    operation_id = "boundaries_read",
    tag = "boundaries",
    params(("line_code" = String, Path, description = "the boundary line's code (the two divisions' codes)", example = "330421330482"), LineQuery),
    responses(
        (status = 200, description = "the record", body = Object, content_type = "application/geo+json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn read(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    query: Query<LineQuery>,
) -> Result<HttpResponse, Problem> {
    let line = parse_line_code(&path)?;
    let as_of = query
        .as_of
        .as_deref()
        .map(|d| parse_day(d, "as_of"))
        .transpose()?;
    let system = answer_system(query.crs.as_deref(), query.helmert.as_deref())?;
    let view = boundaries::read(&state, &staff, &line, as_of).await?;
    line_response(&view, &system)
}

#[utoipa::path(
    get,
    path = "/api/v1/boundary-lines/{line_code}/history",
    operation_id = "boundaries_history",
    tag = "boundaries",
    params(("line_code" = String, Path, description = "the boundary line's code (the two divisions' codes)", example = "330421330482")),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn history(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let line = parse_line_code(&path)?;
    let versions = boundaries::history(&state, &staff, &line).await?;
    Ok(HttpResponse::Ok().json(json!({ "line_code": line.as_string(), "versions": versions })))
}

/// A line as a GeoJSON feature (with the ETag of its version when recorded).
fn line_response(view: &LineView, system: &System) -> Result<HttpResponse, Problem> {
    let feature = json!({
        "type": "Feature",
        "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&boundaries::shape_in(&view.shape, system)?)),
        "properties": line_properties(view, &system.crs.to_string()),
    });
    let mut response = HttpResponse::Ok();
    if let Some(stored) = &view.recorded {
        response.insert_header((header::ETAG, line_tag(stored)));
    }
    Ok(response
        .content_type("application/geo+json")
        .body(feature.to_string()))
}

/// The entity tag of a recorded line's version.
pub(super) fn line_tag(stored: &crate::store::boundary_lines::StoredLine) -> String {
    entity_tag(TAG_KIND, stored.id, stored.version)
}

/// A line's properties: its code, both sides, level, segments between its markers (with their
/// lead sides), geodesic length and the system its geometry is given in (`crs`), then what is
/// known of its record.
pub(super) fn line_properties(view: &LineView, crs: &str) -> Value {
    let line = &view.line;
    let [a, b] = line.sides();
    let [name_a, name_b] = &view.side_names;
    let mut properties = json!({
        "line_code": line.as_string(),
        "between": [
            { "code": a.as_str(), "name": name_a },
            { "code": b.as_str(), "name": name_b },
        ],
        "level": a.level().as_str(),
        "segments": view.segments,
        "length_m": round(view.length_m()),
        "crs": crs,
    });
    let extra = match &view.recorded {
        None => json!({ "recorded": false, "derived_from": "shared polygon edges" }),
        Some(stored) => json!({
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
    };
    if let (Some(properties), Value::Object(extra)) = (properties.as_object_mut(), extra) {
        properties.extend(extra);
    }
    properties
}

fn parse_line_code(text: &str) -> Result<LineCode, Problem> {
    LineCode::parse(text).map_err(|e| Problem::invalid_field("line_code", format!("{text}: {e}")))
}

fn round(metres: f64) -> f64 {
    (metres * 10.0).round() / 10.0
}
