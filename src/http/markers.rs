//! `/api/v1/markers`: boundary markers (界桩) with their companions of a pair or triple,
//! reference objects (方位物), photos and condition history. Positions go in and out in any
//! supported system (`crs=`, with `helmert=` for Beijing 1954 / Xian 1980); the surveyed
//! original is kept as it was given. A marker belongs to its line: staff of either side read it
//! and record inspections and photos; only an admin covering both sides sets one.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::body::JsonBody;
use super::photos::receive_photo;
use super::problem::Problem;
use super::transform::parse_system;
use crate::app::Staff;
use crate::domain::account::{Actor, Role};
use crate::domain::boundary_line::LineCode;
use crate::domain::crs::{Crs, Helmert};
use crate::domain::field_error::FieldErrors;
use crate::domain::marker::{MarkerCondition, MarkerId, ReferenceObject};
use crate::spatial::reproject::convert_with;
use crate::store::markers::{NewMarker, StoredMarker};

/// The coordinate system of a request's positions.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrsQuery {
    crs: Option<String>,
    helmert: Option<String>,
    line: Option<String>,
}

impl CrsQuery {
    fn system(&self) -> Result<(Crs, Option<Helmert>), Problem> {
        parse_system(self.crs.as_deref(), self.helmert.as_deref())
            .map_err(|e| Problem::invalid(vec![e]))
    }
}

pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<CrsQuery>,
) -> Result<HttpResponse, Problem> {
    let (crs, helmert) = query.system()?;
    let Some(line) = query.line.as_deref() else {
        return Err(Problem::invalid_field(
            "line",
            "the line code whose markers to list, such as 330421330482",
        ));
    };
    let line = LineCode::parse(line).map_err(|e| Problem::invalid_field("line", e.to_string()))?;
    may_read(&staff.actor, &line.as_string())?;
    let markers = state.store.line_markers(&line.as_string()).await?;
    let mut views = Vec::with_capacity(markers.len());
    for marker in &markers {
        let conditions = state.store.marker_conditions(marker.id).await?;
        views.push(json!({
            "marker_number": marker.marker_number,
            "position": position(marker, crs, helmert.as_ref())?,
            "condition": conditions.last().map(|c| &c.condition),
            "companions": companions(marker, &markers),
        }));
    }
    Ok(HttpResponse::Ok().json(json!({ "line_code": line.as_string(), "markers": views })))
}

pub async fn read(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    query: web::Query<CrsQuery>,
) -> Result<HttpResponse, Problem> {
    let (crs, helmert) = query.system()?;
    let marker = existing(&state, &path).await?;
    may_read(&staff.actor, &marker.line_code)?;
    let line = state.store.line_markers(&marker.line_code).await?;
    Ok(HttpResponse::Ok().json(json!({
        "marker": marker,
        "position": position(&marker, crs, helmert.as_ref())?,
        "surveyed": { "crs": marker.surveyed_crs, "x": marker.surveyed_x, "y": marker.surveyed_y },
        "group": marker.marker_number.parse::<MarkerId>().ok().map(|id| id.kind().group()),
        "companions": companions(&marker, &line),
        "references": state.store.marker_references(marker.id).await?,
        "conditions": state.store.marker_conditions(marker.id).await?,
        "photos": state.store.marker_photo_ids(marker.id).await?
            .into_iter()
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
    query: web::Query<CrsQuery>,
    JsonBody(input): JsonBody<MarkerInput>,
) -> Result<HttpResponse, Problem> {
    let (crs, helmert) = query.system()?;
    let number = &input
        .marker_number
        .parse::<MarkerId>()
        .map_err(|e| Problem::invalid_field("marker_number", e.to_string()))?;
    let line = LineCode::parse(number.line_code()).map_err(|e| {
        Problem::invalid_field(
            "marker_number",
            format!("the line code {}: {e}", number.line_code()),
        )
    })?;
    let [a, b] = line.sides();
    staff.actor.may_change_shared_line(a, b)?;
    let mut errors = FieldErrors::default();
    for (i, reference) in input.references.iter().enumerate() {
        for (field, message) in reference.check(&format!("references[{i}]")) {
            errors.push(field, message);
        }
    }
    if input.references.len() > 10 {
        errors.push("references", "at most 10 reference objects");
    }
    let material = input
        .material
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    if material.is_some_and(|m| m.chars().count() > 50) {
        errors.push("material", "at most 50 characters");
    }
    let converted = convert_with(crs, Crs::Cgcs2000, input.x, input.y, helmert.as_ref());
    if let Err(error) = &converted {
        errors.push(error.field(), error.to_string());
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors.into_vec()));
    }
    let (lon, lat) = converted.map_err(|_| Problem::internal())?;
    let marker = NewMarker {
        number: number.clone(),
        lon,
        lat,
        surveyed: (input.x, input.y),
        surveyed_crs: crs.to_string(),
        material: material.map(str::to_string),
        installed_on: input.installed_on.map(|d| d.to_string()),
        references: input.references,
    };
    state
        .store
        .import_markers(std::slice::from_ref(&marker), &staff.author())
        .await?;
    let stored = existing(&state, &number.to_string()).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((
            "Location",
            format!("/api/v1/markers/{}", stored.marker_number),
        ))
        .json(json!({
            "marker": stored,
            "position": position(&stored, Crs::Cgcs2000, None)?,
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
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<ConditionInput>,
) -> Result<HttpResponse, Problem> {
    let marker = existing(&state, &path).await?;
    may_inspect(&staff.actor, &marker.line_code)?;
    if input.observed_on > super::today() {
        return Err(Problem::invalid_field(
            "observed_on",
            "an inspection cannot be dated in the future",
        ));
    }
    let notes = input
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if notes.is_some_and(|n| n.chars().count() > 1000) {
        return Err(Problem::invalid_field("notes", "at most 1000 characters"));
    }
    state
        .store
        .add_marker_condition(
            &marker,
            input.observed_on,
            input.condition,
            notes,
            input.photo_id,
            &staff.author(),
        )
        .await
        .map_err(|e| match e {
            crate::store::StoreError::NotFound => Problem::invalid_field(
                "photo_id",
                "not a photo of this marker; upload it to the marker first",
            ),
            other => other.into(),
        })?;
    let conditions = state.store.marker_conditions(marker.id).await?;
    Ok(HttpResponse::Created().json(json!({ "conditions": conditions })))
}

pub async fn upload_photo(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    form: Multipart,
) -> Result<HttpResponse, Problem> {
    let marker = existing(&state, &path).await?;
    may_inspect(&staff.actor, &marker.line_code)?;
    let photo = receive_photo(form, state.settings.staff_photo_limits()).await?;
    let id = state
        .store
        .add_marker_photo(
            &marker,
            photo.media_type,
            (photo.width, photo.height),
            &photo.bytes,
            &staff.author(),
        )
        .await?;
    Ok(HttpResponse::Created().json(json!({
        "photo_id": id,
        "url": format!("/api/v1/markers/photos/{id}"),
        "width": photo.width,
        "height": photo.height,
    })))
}

pub async fn photo(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let (photo, line) = state
        .store
        .marker_photo(path.into_inner())
        .await?
        .ok_or_else(|| Problem::not_found("no such photo"))?;
    may_read(&staff.actor, &line)?;
    Ok(HttpResponse::Ok()
        .content_type(photo.media_type)
        .body(photo.bytes))
}

async fn existing(state: &AppState, number: &str) -> Result<StoredMarker, Problem> {
    let id = number
        .parse::<MarkerId>()
        .map_err(|e| Problem::invalid_field("marker_number", e.to_string()))?;
    state
        .store
        .marker(&id.to_string())
        .await?
        .ok_or_else(|| Problem::not_found(format!("there is no marker {id}")))
}

/// The marker's position in the requested system.
fn position(marker: &StoredMarker, crs: Crs, helmert: Option<&Helmert>) -> Result<Value, Problem> {
    let (x, y) =
        convert_with(Crs::Cgcs2000, crs, marker.lon, marker.lat, helmert).map_err(|e| {
            // Output can fail only for the system asked for or its parameters.
            let field = if e.field() == "helmert" {
                "helmert"
            } else {
                "crs"
            };
            Problem::invalid_field(field, e.to_string())
        })?;
    let round = |v: f64| {
        if crs.is_geographic() {
            (v * 1e9).round() / 1e9
        } else {
            (v * 1e4).round() / 1e4
        }
    };
    Ok(json!({ "crs": crs.to_string(), "x": round(x), "y": round(y) }))
}

/// The other markers of the same pair or triple, and whether each is registered.
fn companions(marker: &StoredMarker, line: &[StoredMarker]) -> Vec<Value> {
    let Ok(id) = &marker.marker_number.parse::<MarkerId>() else {
        return Vec::new();
    };
    id.companions()
        .into_iter()
        .map(|companion| {
            let number = companion.to_string();
            let registered = line.iter().any(|m| m.marker_number == number);
            json!({ "marker_number": number, "registered": registered })
        })
        .collect()
}

/// Staff of either side read a line's markers; a line code that is not two division codes
/// (some provincial lines are numbered otherwise) is for country-wide admins.
fn may_read(actor: &Actor, line_code: &str) -> Result<(), Problem> {
    match LineCode::parse(line_code) {
        Ok(line) => super::boundaries::may_read(actor, &line),
        Err(_) if actor.role == Role::Admin && actor.jurisdictions.is_empty() => Ok(()),
        Err(_) => Err(Problem::forbidden(format!(
            "line {line_code} belongs to neither side of your jurisdiction"
        ))),
    }
}

/// Recording an inspection or a photo: admins, editors and inspectors of either side.
fn may_inspect(actor: &Actor, line_code: &str) -> Result<(), Problem> {
    may_read(actor, line_code)?;
    if matches!(actor.role, Role::Admin | Role::Editor | Role::Inspector) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "the {} role may not record marker inspections",
            actor.role.as_str()
        )))
    }
}
