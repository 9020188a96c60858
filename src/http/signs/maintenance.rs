//! A sign's maintenance log, its photos and its scan counts.

use crate::http::query::{NoParams, Query};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::{TAG_KIND, sign_response};
use crate::app::signs::maintenance::{self, WorkInput};
use crate::app::{AppState, Staff};
use crate::domain::sign::SignStatus;
use crate::http::body::JsonBody;
use crate::http::photos::receive_photo;
use crate::http::precondition::expected_version;
use crate::http::problem::Problem;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceInput {
    action: String,
    #[serde(default)]
    done_on: Option<NaiveDate>,
    #[serde(default)]
    notes: Option<String>,
    /// The sign's status after the work, if it changed.
    #[serde(default)]
    status: Option<SignStatus>,
    /// For a replacement: the new sign.
    #[serde(default)]
    replaced_by: Option<i64>,
    #[serde(default)]
    photo_id: Option<i64>,
}

/// `POST /api/v1/signs/{id}/maintenance` with If-Match.
pub async fn record_maintenance(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    input: JsonBody<MaintenanceInput>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "sign")?;
    let input = input.parsed()?;
    let work = WorkInput {
        action: input.action,
        done_on: input.done_on,
        notes: input.notes,
        status: input.status,
        replaced_by: input.replaced_by,
        photo_id: input.photo_id,
    };
    let sign = maintenance::record(&state, &staff, id, expected, work).await?;
    Ok(sign_response(&state, StatusCode::OK, &sign))
}

/// `GET /api/v1/signs/{id}/maintenance`.
pub async fn maintenance_log(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let entries = maintenance::log(&state, &staff, id).await?;
    Ok(HttpResponse::Ok().json(json!({ "sign_id": id, "entries": entries })))
}

/// `POST /api/v1/signs/{id}/photos` (multipart, field `photo`).
pub async fn upload_photo(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    form: Multipart,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    // Refuse before reading the upload: decoding a photo for nothing costs the server.
    maintenance::may_add_photo(&state, &staff, id).await?;
    let photo = receive_photo(form, state.settings.staff_photo_limits()).await?;
    let stored = maintenance::add_photo(&state, &staff, id, photo).await?;
    Ok(HttpResponse::Created()
        .json(json!({ "photo_id": stored.id, "width": stored.width, "height": stored.height })))
}

/// `GET /api/v1/signs/photos/{id}`.
pub async fn photo(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let photo = maintenance::photo(&state, &staff, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type(photo.media_type)
        .body(photo.bytes))
}

/// `GET /api/v1/signs/{id}/scans`.
pub async fn scans(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let days: Vec<_> = maintenance::scans(&state, &staff, id)
        .await?
        .into_iter()
        .map(|(day, count)| json!({ "day": day, "count": count }))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "sign_id": id, "days": days })))
}
