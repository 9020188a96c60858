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

#[derive(Deserialize, utoipa::ToSchema)]
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
#[utoipa::path(
    post,
    path = "/api/v1/signs/{id}/maintenance",
    operation_id = "signs_maintenance_record_maintenance",
    tag = "signs",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = MaintenanceInput, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::http::openapi::SignAnswer, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
#[utoipa::path(
    get,
    path = "/api/v1/signs/{id}/maintenance",
    operation_id = "signs_maintenance_maintenance_log",
    tag = "signs",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
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
#[utoipa::path(
    post,
    path = "/api/v1/signs/{id}/photos",
    operation_id = "signs_maintenance_upload_photo",
    tag = "signs",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
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
#[utoipa::path(
    get,
    path = "/api/v1/signs/photos/{id}",
    operation_id = "signs_maintenance_photo",
    tag = "signs",
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
    let photo = maintenance::photo(&state, &staff, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type(photo.media_type)
        .body(photo.bytes))
}

/// `GET /api/v1/signs/{id}/scans`.
#[utoipa::path(
    get,
    path = "/api/v1/signs/{id}/scans",
    operation_id = "signs_maintenance_scans",
    tag = "signs",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
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
