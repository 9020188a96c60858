//! `/api/v1/markers`: boundary markers (界桩) with their companions of a pair or triple,
//! reference objects (方位物), photos and condition history. Positions go in and out in any
//! supported system (`crs=`, with `helmert=` for Beijing 1954 / Xian 1980); the surveyed
//! original is kept as it was given. A marker belongs to its line: staff of either side read it
//! and record inspections and photos; only an admin covering both sides sets one.

use crate::http::query::{NoParams, Query};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::body::JsonBody;
use super::photos::receive_photo;
use super::problem::Problem;
use super::transform::parse_system;
use crate::app::Staff;
use crate::app::markers::{self, Inspection, MarkerRow, System};
use crate::domain::boundary_line::LineCode;
use crate::domain::marker::{MarkerCondition, ReferenceObject};

/// The coordinate system of a request's positions.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CrsQuery {
    crs: Option<String>,
    helmert: Option<String>,
    line: Option<String>,
}

impl CrsQuery {
    fn system(&self) -> Result<System, Problem> {
        let (crs, helmert) = parse_system(self.crs.as_deref(), self.helmert.as_deref())
            .map_err(|e| Problem::invalid(vec![e]))?;
        Ok(System { crs, helmert })
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/markers",
    operation_id = "markers_list",
    tag = "markers",
    params(CrsQuery),
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::MarkerList, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<CrsQuery>,
) -> Result<HttpResponse, Problem> {
    let system = query.system()?;
    let Some(line) = query.line.as_deref() else {
        return Err(Problem::invalid_field(
            "line",
            "the line code whose markers to list, such as 330421330482",
        ));
    };
    let line = LineCode::parse(line).map_err(|e| Problem::invalid_field("line", e.to_string()))?;
    let markers = markers::list(&state, &staff, &line, system).await?;
    Ok(HttpResponse::Ok().json(json!({ "line_code": line.as_string(), "markers": markers })))
}

#[utoipa::path(
    get,
    path = "/api/v1/markers/{number}",
    operation_id = "markers_read",
    tag = "markers",
    params(("number" = String, Path, description = "the marker's number (e.g. `330421330482-J001`)", example = "330421330482-J001"), CrsQuery),
    responses(
        (status = 200, description = "the record", body = Object, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
    query: Query<CrsQuery>,
) -> Result<HttpResponse, Problem> {
    let system = query.system()?;
    let detail = markers::read(&state, &staff, &path, system).await?;
    let marker = &detail.marker;
    Ok(HttpResponse::Ok().json(json!({
        "marker": marker,
        "position": detail.position,
        "surveyed": { "crs": marker.surveyed_crs, "x": marker.surveyed_x, "y": marker.surveyed_y },
        "group": detail.group,
        "companions": detail.companions,
        "references": detail.references,
        "conditions": detail.conditions,
        "photos": detail.photo_ids
            .iter()
            .map(|id| format!("/api/v1/markers/photos/{id}"))
            .collect::<Vec<_>>(),
    })))
}

/// A marker as entered: its number, the surveyed position in the request's system.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkerInput {
    marker_number: String,
    /// East (Y of a survey table) or longitude.
    x: f64,
    /// North (X of a survey table) or latitude.
    y: f64,
    #[serde(default)]
    material: Option<String>,
    #[serde(default)]
    installed_on: Option<NaiveDate>,
    #[serde(default)]
    references: Vec<ReferenceObject>,
}

#[utoipa::path(
    post,
    path = "/api/v1/markers",
    operation_id = "markers_create",
    tag = "markers",
    params(CrsQuery),
    request_body(content = MarkerInput, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = Object, content_type = "application/json", headers(("Location" = String, description = "the new record"))),
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
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<CrsQuery>,
    input: JsonBody<MarkerInput>,
) -> Result<HttpResponse, Problem> {
    let input = input.parsed()?;
    let system = query.system()?;
    let row = MarkerRow {
        x: input.x,
        y: input.y,
        material: input.material,
        installed_on: input.installed_on.map(|d| d.to_string()),
        references: input.references,
    };
    let created = markers::create(&state, &staff, system, &input.marker_number, row).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((
            "Location",
            format!("/api/v1/markers/{}", created.marker.marker_number),
        ))
        .json(json!({
            "marker": created.marker,
            "position": created.position,
        })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionInput {
    observed_on: NaiveDate,
    condition: MarkerCondition,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    photo_id: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/markers/{number}/conditions",
    operation_id = "markers_record_condition",
    tag = "markers",
    params(("number" = String, Path, description = "the marker's number (e.g. `330421330482-J001`)", example = "330421330482-J001")),
    request_body(content = ConditionInput, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = Object, content_type = "application/json"),
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
pub async fn record_condition(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    input: JsonBody<ConditionInput>,
) -> Result<HttpResponse, Problem> {
    let input = input.parsed()?;
    let inspection = Inspection {
        observed_on: input.observed_on,
        condition: input.condition,
        notes: input.notes,
        photo_id: input.photo_id,
    };
    let conditions = markers::record_condition(&state, &staff, &path, inspection).await?;
    Ok(HttpResponse::Created().json(json!({ "conditions": conditions })))
}

#[utoipa::path(
    post,
    path = "/api/v1/markers/{number}/photos",
    operation_id = "markers_upload_photo",
    tag = "markers",
    params(("number" = String, Path, description = "the marker's number (e.g. `330421330482-J001`)", example = "330421330482-J001")),
    request_body(content = crate::http::openapi::PhotoForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "created", body = Object, content_type = "application/json"),
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
pub async fn upload_photo(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    form: Multipart,
) -> Result<HttpResponse, Problem> {
    let limits = state.settings.staff_photo_limits();
    let photo = markers::upload_photo(&state, &staff, &path, receive_photo(form, limits)).await?;
    Ok(HttpResponse::Created().json(json!({
        "photo_id": photo.id,
        "url": format!("/api/v1/markers/photos/{}", photo.id),
        "width": photo.width,
        "height": photo.height,
    })))
}

#[utoipa::path(
    get,
    path = "/api/v1/markers/photos/{id}",
    operation_id = "markers_photo",
    tag = "markers",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = crate::http::openapi::Binary, content_type = "image/jpeg"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn photo(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let photo = markers::photo(&state, &staff, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type(photo.media_type)
        .body(photo.bytes))
}
