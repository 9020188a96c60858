//! Service-level endpoints: health, version, the category catalogue, and the answer for unknown
//! paths.

use crate::http::query::{NoParams, Query};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::AppState;
use super::problem::Problem;

#[utoipa::path(
    get,
    path = "/api/v1/health",
    operation_id = "meta_health",
    tag = "meta",
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::Health, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest)
    ),
    security(())
)]
pub async fn health(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    crate::app::audit::health(&state).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") })))
}

/// The cheapest answer the service gives (no database): what it is and which version.
#[utoipa::path(
    get,
    path = "/api/v1/version",
    operation_id = "meta_version",
    tag = "meta",
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::ServiceVersion, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest)
    ),
    security(())
)]
pub async fn version(_query: Query<NoParams>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "service": "diming", "version": env!("CARGO_PKG_VERSION") }))
}

#[utoipa::path(
    get,
    path = "/api/v1/categories",
    operation_id = "meta_categories",
    tag = "meta",
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::Categories, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest)
    ),
    security(())
)]
pub async fn categories(_query: Query<NoParams>, state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "categories": state.catalog.all() }))
}

pub async fn not_found(request: HttpRequest) -> Result<HttpResponse, Problem> {
    Err(Problem::not_found(format!(
        "{} {} is not a resource of this service",
        request.method(),
        request.path()
    )))
}
