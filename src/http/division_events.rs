//! `/api/v1/division-events`: administrators propose division changes, name the reviewers who
//! may see them, and record the approval that puts them in force on their effective date (see
//! `app::division_events`). A pending event is confidential: anyone else gets the same 404 as
//! for an event that does not exist, and lists and counts leave it out.

use crate::http::query::{NoParams, Query};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::body::JsonBody;
use super::problem::Problem;
use crate::app::{self, Identity, Staff};
use crate::domain::division_code::DivisionCode;
use crate::domain::division_event::{EventApproval, EventStatus, Proposal};

#[utoipa::path(
    post,
    path = "/api/v1/division-events",
    operation_id = "division_events_propose",
    tag = "divisions",
    request_body(content = Proposal, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::store::division_events::StoredEvent, content_type = "application/json", headers(("Location" = String, description = "the new record"))),
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
pub async fn propose(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    proposal: JsonBody<Proposal>,
) -> Result<HttpResponse, Problem> {
    let proposal = proposal.parsed()?;
    let stored = app::division_events::propose(&state, &staff, proposal).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header(("Location", format!("/api/v1/division-events/{}", stored.id)))
        .json(stored))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    code: Option<String>,
    status: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/division-events",
    operation_id = "division_events_list",
    tag = "divisions",
    params(ListQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let status = query
        .status
        .as_deref()
        .map(|s| {
            EventStatus::parse(s.trim()).ok_or_else(|| {
                Problem::invalid_field(
                    "status",
                    format!("{s:?} is not one of pending, approved, applied, rejected"),
                )
            })
        })
        .transpose()?;
    let code = query
        .code
        .as_deref()
        .map(|c| {
            DivisionCode::parse(c.trim())
                .map_err(|e| Problem::invalid_field("code", format!("{c}: {e}")))
        })
        .transpose()?;
    let events = app::division_events::list(&state, &identity, code.as_ref(), status).await?;
    Ok(HttpResponse::Ok().json(json!({ "numberMatched": events.len(), "events": events })))
}

#[utoipa::path(
    get,
    path = "/api/v1/division-events/{id}",
    operation_id = "division_events_read",
    tag = "divisions",
    params(("id" = String, Path, description = "the event's id")),
    responses(
        (status = 200, description = "the record", body = crate::store::division_events::StoredEvent, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn read(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let event = app::division_events::read(&state, identity.actor.as_ref(), &path).await?;
    Ok(HttpResponse::Ok().json(event))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    approval: EventApproval,
}

#[utoipa::path(
    post,
    path = "/api/v1/division-events/{id}/approve",
    operation_id = "division_events_approve",
    tag = "divisions",
    params(("id" = String, Path, description = "the event's id")),
    request_body(content = ApproveRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::store::division_events::StoredEvent, content_type = "application/json"),
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
pub async fn approve(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    request: JsonBody<ApproveRequest>,
) -> Result<HttpResponse, Problem> {
    let request = request.parsed()?;
    let event = app::division_events::approve(&state, &staff, &path, request.approval).await?;
    Ok(HttpResponse::Ok().json(event))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/division-events/{id}/reject",
    operation_id = "division_events_reject",
    tag = "divisions",
    params(("id" = String, Path, description = "the event's id")),
    request_body(content = RejectRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::store::division_events::StoredEvent, content_type = "application/json"),
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
pub async fn reject(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    request: JsonBody<RejectRequest>,
) -> Result<HttpResponse, Problem> {
    let request = request.parsed()?;
    let event = app::division_events::reject(&state, &staff, &path, &request.reason).await?;
    Ok(HttpResponse::Ok().json(event))
}
