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
#[derive(Deserialize)]
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
#[derive(Deserialize)]
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionInput {
    observed_on: NaiveDate,
    condition: MarkerCondition,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    photo_id: Option<i64>,
}

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
