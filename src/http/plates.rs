//! `/api/v1/addresses/plate-orders…`, `…/plate-flags…` and `/public/addresses/renumberings…`:
//! the plates campaign's production orders (with their print sheets and stage moves), the
//! field checks' flags, and the published old→new tables of renamed roads.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::body::JsonBody;
use super::naming::html;
use super::places::parse_day;
use super::problem::Problem;
use crate::app::plate_campaign::{MoveInput, OrderInput};
use crate::app::{self, AppState, Staff};
use crate::http::query::{NoParams, Query};
use crate::render::address_pages::{renumbering_list_page, renumbering_page};

/// A production order as staff ask for it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBody {
    #[serde(default)]
    road_id: Option<i64>,
    #[serde(default)]
    division_code: Option<String>,
    #[serde(default)]
    due_on: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

fn optional_day(text: Option<&str>, field: &str) -> Result<Option<NaiveDate>, Problem> {
    text.map(|t| parse_day(t, field)).transpose()
}

/// `POST /api/v1/addresses/plate-orders`: order the plates a road or division lacks.
#[utoipa::path(
    post,
    path = "/api/v1/addresses/plate-orders",
    operation_id = "plates_create_order",
    tag = "addresses",
    request_body(content = OrderBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::app::plate_campaign::OrderView, content_type = "application/json"),
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
pub async fn create_order(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBody<OrderBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let input = OrderInput {
        road_id: body.road_id,
        division_code: body.division_code,
        due_on: optional_day(body.due_on.as_deref(), "due_on")?,
        note: body.note,
    };
    let view = app::plate_campaign::create_order(&state, &staff, input).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/addresses/plate-orders/{}", view.order.id),
        ))
        .json(view))
}

/// `?division=`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DivisionQuery {
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
}

/// `GET /api/v1/addresses/plate-orders?division=`: a division's orders, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/addresses/plate-orders",
    operation_id = "plates_orders",
    tag = "addresses",
    params(DivisionQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn orders(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<DivisionQuery>,
) -> Result<HttpResponse, Problem> {
    let Some(division) = query.division.as_deref() else {
        return Err(Problem::invalid_field(
            "division",
            "the division code (prefix) whose orders to list: 330421",
        ));
    };
    let orders = app::plate_campaign::orders(&state, &staff, division).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "orders": orders })))
}

/// `GET /api/v1/addresses/plate-orders/{id}`: an order with its plates.
#[utoipa::path(
    get,
    path = "/api/v1/addresses/plate-orders/{id}",
    operation_id = "plates_order",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = crate::app::plate_campaign::OrderView, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn order(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let view = app::plate_campaign::order(&state, &staff, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// A move of plates to their next stage.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    stage: String,
    #[serde(default)]
    address_ids: Option<Vec<i64>>,
    #[serde(default)]
    done_on: Option<String>,
    #[serde(default)]
    photo_id: Option<i64>,
}

/// `POST /api/v1/addresses/plate-orders/{id}/stage`: plates made, put up or verified.
#[utoipa::path(
    post,
    path = "/api/v1/addresses/plate-orders/{id}/stage",
    operation_id = "plates_move_plates",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = StageBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::app::plate_campaign::OrderView, content_type = "application/json"),
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
pub async fn move_plates(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<StageBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let input = MoveInput {
        stage: body.stage,
        address_ids: body.address_ids,
        done_on: optional_day(body.done_on.as_deref(), "done_on")?,
        photo_id: body.photo_id,
    };
    let view = app::plate_campaign::move_plates(&state, &staff, path.into_inner(), input).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `?size_mm=`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SheetQuery {
    size_mm: Option<u32>,
}

/// `GET /api/v1/addresses/plate-orders/{id}/sheet.pdf`: the order's print sheets.
#[utoipa::path(
    get,
    path = "/api/v1/addresses/plate-orders/{id}/sheet.pdf",
    operation_id = "plates_sheet",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1), SheetQuery),
    responses(
        (status = 200, description = "the file", body = crate::http::openapi::Binary, content_type = "application/pdf"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn sheet(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    query: Query<SheetQuery>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let pdf = app::plate_campaign::sheet(&state, &staff, id, query.size_mm).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"plate-order-{id}.pdf\""),
        ))
        .body(pdf))
}

/// A field check's finding.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagBody {
    problem: String,
    #[serde(default)]
    sign_id: Option<i64>,
    note: String,
}

/// `POST /api/v1/addresses/{id}/plate-flags`: a problem found with the address's plate.
#[utoipa::path(
    post,
    path = "/api/v1/addresses/{id}/plate-flags",
    operation_id = "plates_raise_flag",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = FlagBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::domain::plate_campaign::PlateFlag, content_type = "application/json", headers(("Location" = String, description = "the new record"))),
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
pub async fn raise_flag(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<FlagBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let flag = app::plate_campaign::raise_flag(
        &state,
        &staff,
        path.into_inner(),
        &body.problem,
        body.sign_id,
        &body.note,
    )
    .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(flag))
}

/// How a flag was put right.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionBody {
    resolution: String,
}

/// `POST /api/v1/addresses/plate-flags/{id}/resolve`.
#[utoipa::path(
    post,
    path = "/api/v1/addresses/plate-flags/{id}/resolve",
    operation_id = "plates_resolve_flag",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = ResolutionBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::domain::plate_campaign::PlateFlag, content_type = "application/json"),
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
pub async fn resolve_flag(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<ResolutionBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let flag =
        app::plate_campaign::resolve_flag(&state, &staff, path.into_inner(), &body.resolution)
            .await?;
    Ok(HttpResponse::Ok().json(flag))
}

/// `?format=html|json`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    format: Option<String>,
}

fn wants_json(query: &PageQuery) -> Result<bool, Problem> {
    match query.format.as_deref() {
        None | Some("html") => Ok(false),
        Some("json") => Ok(true),
        Some(_) => Err(Problem::invalid_field("format", "html or json")),
    }
}

/// `GET /public/addresses/renumberings`: every published old→new table.
#[utoipa::path(
    get,
    path = "/public/addresses/renumberings",
    operation_id = "plates_public_renumberings",
    tag = "public",
    params(PageQuery),
    responses(
        (status = 200, description = "the page", body = crate::http::openapi::Binary, content_type = "text/html"),
        (status = 400, description = "the form or a parameter is not valid: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json")))
    ),
    security(())
)]
pub async fn public_renumberings(
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Problem> {
    let json = wants_json(&query)?;
    let tables = app::address_renumbering::published_list(&state).await?;
    if json {
        return Ok(HttpResponse::Ok().json(serde_json::json!({ "renumberings": tables })));
    }
    Ok(html(StatusCode::OK, renumbering_list_page(&tables)))
}

/// `GET /public/addresses/renumberings/{id}`: one published table.
#[utoipa::path(
    get,
    path = "/public/addresses/renumberings/{id}",
    operation_id = "plates_public_renumbering",
    tag = "public",
    params(("id" = i64, Path, description = "the record's id", example = 1), PageQuery),
    responses(
        (status = 200, description = "the record", body = crate::http::openapi::Binary, content_type = "text/html"),
        (status = 400, description = "the form or a parameter is not valid: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json"))),
        (status = 404, description = "no such page: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json")))
    ),
    security(())
)]
pub async fn public_renumbering(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Problem> {
    let json = wants_json(&query)?;
    let table = app::address_renumbering::published(&state, path.into_inner()).await?;
    if json {
        return Ok(HttpResponse::Ok().json(table));
    }
    Ok(html(StatusCode::OK, renumbering_page(&table)))
}
