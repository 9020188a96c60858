//! Tickets from public problem reports, for staff.

use crate::http::query::{NoParams, Query};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::app::signs::reports::{self, Handling};
use crate::app::{AppState, Staff};
use crate::http::body::JsonBody;
use crate::http::problem::Problem;

#[derive(Deserialize)]
pub struct ReportsQuery {
    status: Option<String>,
}

/// `GET /api/v1/signs/reports`.
pub async fn reports(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<ReportsQuery>,
) -> Result<HttpResponse, Problem> {
    let visible = reports::list(&state, &staff, query.status.as_deref()).await?;
    Ok(HttpResponse::Ok().json(json!({ "reports": visible })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandleReport {
    status: String,
    #[serde(default)]
    resolution: Option<String>,
}

/// `POST /api/v1/signs/reports/{id}`.
pub async fn handle_report(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<HandleReport>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let handling = Handling {
        status: body.status,
        resolution: body.resolution,
    };
    let report = reports::handle(&state, &staff, path.into_inner(), handling).await?;
    Ok(HttpResponse::Ok().json(json!({ "report": report })))
}
