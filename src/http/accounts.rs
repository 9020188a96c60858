//! Staff accounts for administrators: `GET/POST /api/v1/users`, `GET/PUT /api/v1/users/{id}`
//! (If-Match), `POST /api/v1/users/{id}/password`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::body::JsonBody;
use super::precondition::expected_version;
use super::problem::Problem;
use crate::app::Staff;
use crate::app::accounts::{self, AccountRequest};
use crate::domain::version::entity_tag;
use crate::http::query::{NoParams, Query};
use crate::store::accounts::UserRecord;

const TAG_KIND: char = 'u';

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    username: String,
    password: String,
    role: String,
    #[serde(default)]
    jurisdictions: Vec<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    role: String,
    #[serde(default)]
    jurisdictions: Vec<String>,
    #[serde(default)]
    disabled: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPasswordRequest {
    password: String,
}

fn user_response(user: &UserRecord) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, entity_tag(TAG_KIND, user.id, user.version)))
        .json(json!({ "user": user }))
}

#[utoipa::path(
    get,
    path = "/api/v1/users",
    operation_id = "accounts_list",
    tag = "users",
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::UserList, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, Problem> {
    let users = accounts::list_users(&state, &staff).await?;
    Ok(HttpResponse::Ok().json(json!({ "users": users })))
}

#[utoipa::path(
    post,
    path = "/api/v1/users",
    operation_id = "accounts_create",
    tag = "users",
    request_body(content = NewAccount, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::http::openapi::UserAnswer, content_type = "application/json", headers(("Location" = String, description = "the new record"))),
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
    body: JsonBody<NewAccount>,
) -> Result<HttpResponse, Problem> {
    let input = body.parsed()?;
    let request = AccountRequest {
        username: Some(input.username),
        password: Some(input.password),
        role: input.role,
        jurisdictions: input.jurisdictions,
        disabled: false,
    };
    let user = accounts::create_user(&state, &staff, request).await?;
    super::created_at(user_response(&user), &format!("/api/v1/users/{}", user.id))
}

#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    operation_id = "accounts_read",
    tag = "users",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = crate::http::openapi::UserAnswer, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
    let user = accounts::read_user(&state, &staff, path.into_inner()).await?;
    Ok(user_response(&user))
}

#[utoipa::path(
    put,
    path = "/api/v1/users/{id}",
    operation_id = "accounts_update",
    tag = "users",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = AccountChange, content_type = "application/json"),
    responses(
        (status = 200, description = "the record as changed", body = crate::http::openapi::UserAnswer, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
    body: JsonBody<AccountChange>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "account")?;
    let input = body.parsed()?;
    let change = AccountRequest {
        role: input.role,
        jurisdictions: input.jurisdictions,
        disabled: input.disabled,
        ..AccountRequest::default()
    };
    let user = accounts::change_user(&state, &staff, id, expected, change).await?;
    Ok(user_response(&user))
}

#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password",
    operation_id = "accounts_reset_password",
    tag = "users",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = NewPasswordRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::http::openapi::UserAnswer, content_type = "application/json"),
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
pub async fn reset_password(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<NewPasswordRequest>,
) -> Result<HttpResponse, Problem> {
    let input = body.parsed()?;
    let user = accounts::reset_password(&state, &staff, path.into_inner(), &input.password).await?;
    Ok(user_response(&user))
}
