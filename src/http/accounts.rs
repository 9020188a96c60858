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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    username: String,
    password: String,
    role: String,
    #[serde(default)]
    jurisdictions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    role: String,
    #[serde(default)]
    jurisdictions: Vec<String>,
    #[serde(default)]
    disabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPasswordRequest {
    password: String,
}

fn user_response(user: &UserRecord) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, entity_tag(TAG_KIND, user.id, user.version)))
        .json(json!({ "user": user }))
}

pub async fn list(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, Problem> {
    let users = accounts::list_users(&state, &staff).await?;
    Ok(HttpResponse::Ok().json(json!({ "users": users })))
}

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

pub async fn read(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let user = accounts::read_user(&state, &staff, path.into_inner()).await?;
    Ok(user_response(&user))
}

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
