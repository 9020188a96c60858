//! Tickets from public problem reports, for staff.

use crate::http::query::{NoParams, Query};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::app::signs::reports::{self, Handling};
use crate::app::{AppState, Staff};
use crate::http::body::JsonBody;
use crate::http::problem::Problem;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportsQuery {
    status: Option<String>,
}

/// `GET /api/v1/signs/reports`.
#[utoipa::path(
    get,
    path = "/api/v1/signs/reports",
    operation_id = "signs_reports_reports",
    tag = "signs",
    params(ReportsQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn reports(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<ReportsQuery>,
) -> Result<HttpResponse, Problem> {
    let visible = reports::list(&state, &staff, query.status.as_deref()).await?;
    Ok(HttpResponse::Ok().json(json!({ "reports": visible })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandleReport {
    status: String,
    #[serde(default)]
    resolution: Option<String>,
}

/// `POST /api/v1/signs/reports/{id}`.
#[utoipa::path(
    post,
    path = "/api/v1/signs/reports/{id}",
    operation_id = "signs_reports_handle_report",
    tag = "signs",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = HandleReport, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = Object, content_type = "application/json"),
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
