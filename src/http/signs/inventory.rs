//! Register, read, edit and list signs.

use crate::http::query::{NoParams, Query};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{TAG_KIND, sign_json, sign_response};
use crate::app::signs::inventory::{self, SignListing};
use crate::app::{AppState, Staff};
use crate::domain::sign::SignInput;
use crate::http::body::JsonBody;
use crate::http::precondition::expected_version;
use crate::http::problem::Problem;

/// `POST /api/v1/signs`.
#[utoipa::path(
    post,
    path = "/api/v1/signs",
    operation_id = "signs_inventory_create",
    tag = "signs",
    request_body(content = SignInput, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::http::openapi::SignAnswer, content_type = "application/json", headers(("Location" = String, description = "the new record"))),
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
    input: JsonBody<SignInput>,
) -> Result<HttpResponse, Problem> {
    let input = input.parsed()?;
    let sign = inventory::create(&state, &staff, input).await?;
    let response = sign_response(&state, StatusCode::CREATED, &sign);
    crate::http::created_at(response, &format!("/api/v1/signs/{}", sign.id))
}

/// `GET /api/v1/signs/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/signs/{id}",
    operation_id = "signs_inventory_read",
    tag = "signs",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = crate::http::openapi::SignAnswer, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn read(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let sign = inventory::read(&state, &staff, path.into_inner()).await?;
    Ok(sign_response(&state, StatusCode::OK, &sign))
}

/// `PUT /api/v1/signs/{id}` with If-Match.
#[utoipa::path(
    put,
    path = "/api/v1/signs/{id}",
    operation_id = "signs_inventory_update",
    tag = "signs",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = SignInput, content_type = "application/json"),
    responses(
        (status = 200, description = "the record as changed", body = crate::http::openapi::SignAnswer, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    input: JsonBody<SignInput>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "sign")?;
    let input = input.parsed()?;
    let sign = inventory::update(&state, &staff, id, expected, input).await?;
    Ok(sign_response(&state, StatusCode::OK, &sign))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    place_id: Option<i64>,
    due_for_maintenance: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/signs`.
#[utoipa::path(
    get,
    path = "/api/v1/signs",
    operation_id = "signs_inventory_list",
    tag = "signs",
    params(ListQuery),
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::SignList, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let listing = SignListing {
        division: query.division,
        status: query.status,
        kind: query.kind,
        place_id: query.place_id,
        due_for_maintenance: query.due_for_maintenance == Some(true),
        limit: query.limit,
        offset: query.offset,
    };
    let (signs, total) = inventory::list(&state, &staff, listing).await?;
    let signs: Vec<_> = signs.iter().map(|s| sign_json(&state, s)).collect();
    Ok(HttpResponse::Ok()
        .json(json!({ "signs": signs, "numberMatched": total, "numberReturned": signs.len() })))
}
