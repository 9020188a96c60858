//! `GET /api/v1/audit`: the audit log, newest first, for administrators only.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::problem::Problem;
use crate::app::Staff;
use crate::store::audit::AuditFilter;

#[derive(Deserialize)]
pub struct AuditQuery {
    username: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    before_id: Option<i64>,
    limit: Option<i64>,
}

pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, Problem> {
    staff.actor.must_be_admin()?;
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem::invalid_field(
            "limit",
            "a whole number from 1 to 1000",
        ));
    }
    let entries = state
        .store
        .audit_entries(&AuditFilter {
            username: query.username,
            target_type: query.target_type,
            target_id: query.target_id,
            before_id: query.before_id,
            limit,
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "entries": entries })))
}
