//! `GET /api/v1/audit`: the audit log, newest first, for administrators only.

use crate::http::query::Query;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::problem::Problem;
use crate::app::{self, Staff};
use crate::store::audit::AuditFilter;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    username: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    before_id: Option<i64>,
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    operation_id = "audit_list",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<AuditQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let filter = AuditFilter {
        username: query.username,
        target_type: query.target_type,
        target_id: query.target_id,
        before_id: query.before_id,
        limit: query.limit.unwrap_or(100),
    };
    let entries = app::audit::entries(&state, &staff, filter).await?;
    Ok(HttpResponse::Ok().json(json!({ "entries": entries })))
}
