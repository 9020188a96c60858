//! `/api/v1/naming/heritage…`: heritage nominations (地名文化遗产) from nomination to listing,
//! rejection or de-listing, each step naming the version in `If-Match` (ETag
//! `"h<id>.v<version>"`); `/public/naming/heritage…`: the list and the page of each listed name.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::body::JsonBody;
use super::naming::{division_prefix, html};
use super::precondition::expected_version;
use super::problem::Problem;
use super::query::{NoParams, Query};
use crate::app::Staff;
use crate::app::naming::heritage::{self, ListingInput, NominationInput};
use crate::domain::naming_heritage::{Evidence, HeritageStatus};
use crate::domain::version::entity_tag;
use crate::store::naming_heritage::StoredHeritage;

const TAG_KIND: char = 'h';
const NOUN: &str = "heritage nomination";

fn respond(status: StatusCode, stored: &StoredHeritage) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((
            header::ETAG,
            entity_tag(TAG_KIND, stored.id, stored.version),
        ))
        .json(stored)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationBody {
    place_id: i64,
    evidence: Evidence,
}

/// `POST /api/v1/naming/heritage`: nominates a record's name.
#[utoipa::path(
    post,
    path = "/api/v1/naming/heritage",
    operation_id = "heritage_nominate",
    tag = "naming",
    request_body(content = NominationBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = Object, content_type = "application/json", headers(("Location" = String, description = "the new record"))),
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
pub async fn nominate(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBody<NominationBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let input = NominationInput {
        place_id: body.place_id,
        evidence: body.evidence,
    };
    let stored = heritage::nominate(&state, &staff, input).await?;
    super::created_at(
        respond(StatusCode::CREATED, &stored),
        &format!("/api/v1/naming/heritage/{}", stored.id),
    )
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
}

/// `GET /api/v1/naming/heritage?status=&division=`.
#[utoipa::path(
    get,
    path = "/api/v1/naming/heritage",
    operation_id = "heritage_list",
    tag = "naming",
    params(ListQuery),
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
    query: Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let status = query
        .status
        .as_deref()
        .map(|s| {
            HeritageStatus::parse(s).ok_or_else(|| {
                Problem::invalid_field("status", "nominated, listed, rejected or delisted")
            })
        })
        .transpose()?;
    let prefix = division_prefix(query.division.as_deref(), "division")?;
    let found = heritage::list(&state, &staff, prefix.as_deref(), status).await?;
    Ok(HttpResponse::Ok().json(json!({ "nominations": found })))
}

/// `GET /api/v1/naming/heritage/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/naming/heritage/{id}",
    operation_id = "heritage_read",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = Object, content_type = "application/json"),
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
    let stored = heritage::read(&state, &staff, path.into_inner()).await?;
    Ok(respond(StatusCode::OK, &stored))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingBody {
    listed_on: NaiveDate,
    #[serde(default)]
    list_batch: Option<String>,
    protection: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/naming/heritage/{id}/list`: puts the name on the list.
#[utoipa::path(
    post,
    path = "/api/v1/naming/heritage/{id}/list",
    operation_id = "heritage_put_on_list",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = ListingBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = Object, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
pub async fn put_on_list(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<ListingBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, NOUN)?;
    let body = body.parsed()?;
    let input = ListingInput {
        listed_on: body.listed_on,
        list_batch: body.list_batch,
        protection: body.protection,
        note: body.note,
    };
    let stored = heritage::put_on_list(&state, &staff, id, expected, input).await?;
    Ok(respond(StatusCode::OK, &stored))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    reason: String,
    #[serde(default)]
    delisted_on: Option<NaiveDate>,
}

/// `POST /api/v1/naming/heritage/{id}/reject`.
#[utoipa::path(
    post,
    path = "/api/v1/naming/heritage/{id}/reject",
    operation_id = "heritage_reject",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = ReasonBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = Object, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
pub async fn reject(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<ReasonBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, NOUN)?;
    let body = body.parsed()?;
    if body.delisted_on.is_some() {
        return Err(Problem::invalid_field(
            "delisted_on",
            "a rejection has no de-listing day: leave it out",
        ));
    }
    let stored = heritage::reject(&state, &staff, id, expected, &body.reason).await?;
    Ok(respond(StatusCode::OK, &stored))
}

/// `POST /api/v1/naming/heritage/{id}/delist`.
#[utoipa::path(
    post,
    path = "/api/v1/naming/heritage/{id}/delist",
    operation_id = "heritage_delist",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = ReasonBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = Object, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
pub async fn delist(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<ReasonBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, NOUN)?;
    let body = body.parsed()?;
    let stored =
        heritage::delist(&state, &staff, id, expected, &body.reason, body.delisted_on).await?;
    Ok(respond(StatusCode::OK, &stored))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublicListQuery {
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
}

/// `GET /public/naming/heritage?division=`: the listed names.
#[utoipa::path(
    get,
    path = "/public/naming/heritage",
    operation_id = "heritage_public_list",
    tag = "public",
    params(PublicListQuery),
    responses(
        (status = 200, description = "the page", body = crate::http::openapi::Binary, content_type = "text/html"),
        (status = 400, description = "the form or a parameter is not valid: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json")))
    ),
    security(())
)]
pub async fn public_list(
    state: web::Data<AppState>,
    query: Query<PublicListQuery>,
) -> Result<HttpResponse, Problem> {
    let prefix = division_prefix(query.division.as_deref(), "division")?;
    let page = heritage::public_list_page(&state, prefix.as_deref()).await?;
    Ok(html(StatusCode::OK, page))
}

/// `GET /public/naming/heritage/{id}`: a listed name's page (404 for anything not listed).
#[utoipa::path(
    get,
    path = "/public/naming/heritage/{id}",
    operation_id = "heritage_public_page",
    tag = "public",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = crate::http::openapi::Binary, content_type = "text/html"),
        (status = 400, description = "the form or a parameter is not valid: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json"))),
        (status = 404, description = "no such page: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json")))
    ),
    security(())
)]
pub async fn public_page(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let page = heritage::public_page(&state, path.into_inner()).await?;
    Ok(html(StatusCode::OK, page))
}
