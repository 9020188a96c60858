//! `/api/v1/addresses`: the address register (create, read now, as of a day or any version,
//! update with `If-Match`, retire, history, lists), number proposals for a door and for a whole
//! road, a road's numbering settings and a jurisdiction's numbering rule.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::body::JsonBody;
use super::places::{AsOfQuery, parse_day};
use super::precondition::expected_version;
use super::problem::Problem;
use crate::app::addresses::{AddressInput, rules_for};
use crate::app::{self, AppState, Identity, Staff};
use crate::domain::address::{AddressPath, AddressStatus, HouseNumber};
use crate::domain::address_numbering::{NumberingRules, RoadNumbering};
use crate::domain::division_code::Jurisdiction;
use crate::domain::field_error::FieldErrors;
use crate::domain::version::{ChangeNote, VersionMeta, entity_tag};
use crate::http::query::{NoParams, Query};
use crate::store::addresses::{AddressFilter, StoredAddress};

/// The kind letter of an address's entity tag (`"a17.v3"`).
const TAG_KIND: char = 'a';
const MAX_PAGE: i64 = 1000;

/// An address as clients send it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    road_id: i64,
    #[serde(default)]
    division_code: Option<String>,
    #[serde(default)]
    number: Option<u32>,
    #[serde(default)]
    number_suffix: Option<u32>,
    #[serde(default)]
    building: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    flat: Option<String>,
    #[serde(default)]
    point: Option<[f64; 2]>,
    #[serde(default)]
    status: Option<AddressStatus>,
    #[serde(default)]
    change: ChangeNote,
    // Sent back as read: accepted and ignored.
    #[serde(default, rename = "id")]
    _id: Option<serde_json::Value>,
    #[serde(default, rename = "version")]
    _version: Option<serde_json::Value>,
    #[serde(default, rename = "standard_address")]
    _standard_address: Option<serde_json::Value>,
}

impl TryFrom<AddressBody> for AddressInput {
    type Error = Problem;

    fn try_from(body: AddressBody) -> Result<Self, Problem> {
        let number = match (body.number, body.number_suffix) {
            (Some(n), suffix) => Some(HouseNumber { number: n, suffix }),
            (None, Some(_)) => {
                return Err(
                    FieldErrors::one("number_suffix", "a suffix belongs to a number").into(),
                );
            }
            (None, None) => None,
        };
        let trimmed = |s: Option<String>| s.map(|s| s.trim().to_string());
        Ok(Self {
            road_id: body.road_id,
            division_code: body.division_code,
            path: AddressPath {
                number,
                building: trimmed(body.building),
                unit: trimmed(body.unit),
                flat: trimmed(body.flat),
            },
            point: body.point,
            status: body.status,
            change: body.change,
        })
    }
}

/// An address as the register answers it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AddressView<'a> {
    id: i64,
    #[serde(flatten)]
    record: &'a crate::domain::address::AddressRecord,
    plate: &'static str,
    version: &'a VersionMeta,
    current_version: i64,
}

fn view(address: &StoredAddress) -> AddressView<'_> {
    AddressView {
        id: address.id,
        record: &address.record,
        plate: address.record.level.plate(),
        version: &address.meta,
        current_version: address.current_version,
    }
}

fn address_response(status: StatusCode, address: &StoredAddress) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((
            header::ETAG,
            entity_tag(TAG_KIND, address.id, address.meta.version),
        ))
        .json(view(address))
}

#[utoipa::path(
    post,
    path = "/api/v1/addresses",
    operation_id = "addresses_create",
    tag = "addresses",
    request_body(content = AddressBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = AddressView, content_type = "application/json", headers(("Location" = String, description = "the new record"))),
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
    body: JsonBody<AddressBody>,
) -> Result<HttpResponse, Problem> {
    let input = AddressInput::try_from(body.parsed()?)?;
    let stored = app::addresses::create(&state, &staff, input).await?;
    let response = address_response(StatusCode::CREATED, &stored);
    super::created_at(response, &format!("/api/v1/addresses/{}", stored.id))
}

#[utoipa::path(
    put,
    path = "/api/v1/addresses/{id}",
    operation_id = "addresses_update",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = AddressBody, content_type = "application/json"),
    responses(
        (status = 200, description = "the record as changed", body = AddressView, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
    body: JsonBody<AddressBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "address")?;
    let input = AddressInput::try_from(body.parsed()?)?;
    let stored = app::addresses::update(&state, &staff, id, expected, input).await?;
    Ok(address_response(StatusCode::OK, &stored))
}

#[utoipa::path(
    post,
    path = "/api/v1/addresses/{id}/retire",
    operation_id = "addresses_retire",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = ChangeNote, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = AddressView, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
pub async fn retire(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<ChangeNote>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "address")?;
    let stored = app::addresses::retire(&state, &staff, id, expected, body.parsed()?).await?;
    Ok(address_response(StatusCode::OK, &stored))
}

#[utoipa::path(
    get,
    path = "/api/v1/addresses/{id}",
    operation_id = "addresses_read",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1), AsOfQuery),
    responses(
        (status = 200, description = "the record", body = AddressView, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn read(
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<i64>,
    query: Query<AsOfQuery>,
) -> Result<HttpResponse, Problem> {
    let found = app::addresses::read(&state, path.into_inner(), query.day()?).await?;
    Ok(address_response(StatusCode::OK, &found))
}

#[utoipa::path(
    get,
    path = "/api/v1/addresses/{id}/versions/{version}",
    operation_id = "addresses_read_version",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("version" = i64, Path, description = "the version number", example = 1)),
    responses(
        (status = 200, description = "the record", body = AddressView, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn read_version(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, Problem> {
    let (id, version) = path.into_inner();
    let found = app::addresses::read_version(&state, id, version).await?;
    Ok(address_response(StatusCode::OK, &found))
}

#[utoipa::path(
    get,
    path = "/api/v1/addresses/{id}/history",
    operation_id = "addresses_history",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn history(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let versions = app::addresses::history(&state, id).await?;
    Ok(HttpResponse::Ok().json(json!({ "address_id": id, "versions": versions })))
}

/// The list filters as they arrive.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    road_id: Option<String>,
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    status: Option<String>,
    #[param(value_type = Option<String>, format = Date, example = "2024-01-01")]
    as_of: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    limit: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

fn filter_of(query: &ListQuery) -> Result<AddressFilter, Problem> {
    let mut errors = FieldErrors::default();
    let mut filter = AddressFilter {
        limit: 100,
        ..Default::default()
    };
    if let Some(road) = &query.road_id {
        match road.parse::<i64>() {
            Ok(id) => filter.road_id = Some(id),
            Err(_) => errors.push("road_id", "a place id"),
        }
    }
    if let Some(division) = &query.division {
        match Jurisdiction::parse(division) {
            Ok(prefix) => filter.division_prefix = Some(prefix.as_str().to_string()),
            Err(error) => errors.push("division", format!("{division:?}: {error}")),
        }
    }
    if let Some(status) = &query.status {
        match AddressStatus::parse(status) {
            Some(status) => filter.status = Some(status),
            None => errors.push("status", "use proposed, assigned or retired"),
        }
    }
    if let Some(as_of) = &query.as_of {
        match parse_day(as_of, "as_of") {
            Ok(day) => filter.as_of = Some(day),
            Err(_) => errors.push("as_of", "a date YYYY-MM-DD"),
        }
    }
    if let Some(limit) = &query.limit {
        match limit.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => filter.limit = n,
            _ => errors.push("limit", format!("a whole number from 1 to {MAX_PAGE}")),
        }
    }
    if let Some(offset) = &query.offset {
        match offset.parse::<i64>() {
            Ok(n) if n >= 0 => filter.offset = n,
            _ => errors.push("offset", "a whole number from 0"),
        }
    }
    errors.into_result(filter).map_err(Problem::from)
}

#[utoipa::path(
    get,
    path = "/api/v1/addresses",
    operation_id = "addresses_list",
    tag = "addresses",
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
    _staff: Staff,
    query: Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let filter = filter_of(&query)?;
    let (found, total) = app::addresses::list(&state, filter).await?;
    Ok(HttpResponse::Ok().json(json!({
        "addresses": found.iter().map(view).collect::<Vec<_>>(),
        "numberMatched": total,
        "numberReturned": found.len(),
    })))
}

/// A door point to propose a number for.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalBody {
    road_id: i64,
    #[serde(default)]
    point: Option<[f64; 2]>,
}

#[utoipa::path(
    post,
    path = "/api/v1/addresses/proposals",
    operation_id = "addresses_propose",
    tag = "addresses",
    request_body(content = ProposalBody, content_type = "application/json"),
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
pub async fn propose(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBody<ProposalBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let proposal = app::addresses::propose(&state, &staff, body.road_id, body.point).await?;
    Ok(HttpResponse::Ok().json(proposal))
}

/// The door points of a road to number at once.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WholeRoadBody {
    doors: Vec<[f64; 2]>,
    /// Register every door as a proposed address too.
    #[serde(default)]
    register: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/addresses/roads/{road_id}/numbering",
    operation_id = "addresses_number_road",
    tag = "addresses",
    params(("road_id" = i64, Path, description = "the road's place id", example = 1)),
    request_body(content = WholeRoadBody, content_type = "application/json"),
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
pub async fn number_road(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<WholeRoadBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let answer = app::addresses::number_whole_road(
        &state,
        &staff,
        path.into_inner(),
        &body.doors,
        body.register,
    )
    .await?;
    let status = if body.register {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(answer))
}

#[utoipa::path(
    put,
    path = "/api/v1/addresses/roads/{road_id}",
    operation_id = "addresses_road_numbering",
    tag = "addresses",
    params(("road_id" = i64, Path, description = "the road's place id", example = 1)),
    request_body(content = RoadNumbering, content_type = "application/json"),
    responses(
        (status = 200, description = "the record as changed", body = Object, content_type = "application/json"),
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
pub async fn road_numbering(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<RoadNumbering>,
) -> Result<HttpResponse, Problem> {
    let settings =
        app::addresses::set_road_numbering(&state, &staff, path.into_inner(), body.parsed()?)
            .await?;
    Ok(HttpResponse::Ok().json(settings))
}

#[utoipa::path(
    get,
    path = "/api/v1/addresses/rules/{jurisdiction}",
    operation_id = "addresses_read_rules",
    tag = "addresses",
    params(("jurisdiction" = String, Path, description = "a division code (6 digits)", example = "330421")),
    responses(
        (status = 200, description = "the record", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn read_rules(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let division = path.into_inner();
    Jurisdiction::parse(&division)
        .map_err(|e| Problem::invalid_field("jurisdiction", e.to_string()))?;
    let (set_for, rules) = rules_for(&state, &division).await?;
    Ok(
        HttpResponse::Ok()
            .json(json!({ "division": division, "set_for": set_for, "rules": rules })),
    )
}

#[utoipa::path(
    put,
    path = "/api/v1/addresses/rules/{jurisdiction}",
    operation_id = "addresses_set_rules",
    tag = "addresses",
    params(("jurisdiction" = String, Path, description = "a division code (6 digits)", example = "330421")),
    request_body(content = NumberingRules, content_type = "application/json"),
    responses(
        (status = 200, description = "the record as changed", body = Object, content_type = "application/json"),
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
pub async fn set_rules(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    body: JsonBody<NumberingRules>,
) -> Result<HttpResponse, Problem> {
    let rules =
        app::addresses::set_rules(&state, &staff, &path.into_inner(), body.parsed()?).await?;
    Ok(HttpResponse::Ok().json(rules))
}

/// `?q=` a written address.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GeocodeQuery {
    q: Option<String>,
}

/// The longest written address read.
const MAX_ADDRESS_CHARS: usize = 100;

#[utoipa::path(
    get,
    path = "/api/v1/addresses/geocode",
    operation_id = "addresses_geocode",
    tag = "addresses",
    params(GeocodeQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn geocode(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<GeocodeQuery>,
) -> Result<HttpResponse, Problem> {
    let text = query.q.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() || text.chars().count() > MAX_ADDRESS_CHARS {
        return Err(Problem::invalid_field(
            "q",
            format!("an address as written, 1 to {MAX_ADDRESS_CHARS} characters"),
        ));
    }
    let answer = app::address_lookup::geocode(&state, &identity, text).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// `?lon=&lat=` a point.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReverseQuery {
    #[param(value_type = Option<f64>, minimum = -180, maximum = 180)]
    lon: Option<String>,
    #[param(value_type = Option<f64>, minimum = -90, maximum = 90)]
    lat: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/addresses/reverse",
    operation_id = "addresses_reverse",
    tag = "addresses",
    params(ReverseQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn reverse(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<ReverseQuery>,
) -> Result<HttpResponse, Problem> {
    let mut errors = FieldErrors::default();
    let mut read =
        |field: &str, text: Option<&str>, range: std::ops::RangeInclusive<f64>| match text
            .and_then(|t| t.trim().parse::<f64>().ok())
        {
            Some(v) if range.contains(&v) => v,
            _ => {
                errors.push(
                    field,
                    format!("degrees from {} to {}", range.start(), range.end()),
                );
                0.0
            }
        };
    let lon = read("lon", query.lon.as_deref(), -180.0..=180.0);
    let lat = read("lat", query.lat.as_deref(), -90.0..=90.0);
    errors.into_result(())?;
    let answer = app::address_lookup::reverse(&state, &identity, lon, lat).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// Renumbering a renamed road: the table, applied or not.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenumberingBody {
    #[serde(default)]
    apply: bool,
    #[serde(default)]
    comment: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/addresses/roads/{road_id}/renumbering",
    operation_id = "addresses_renumber_road",
    tag = "addresses",
    params(("road_id" = i64, Path, description = "the road's place id", example = 1)),
    request_body(content = RenumberingBody, content_type = "application/json"),
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
pub async fn renumber_road(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<RenumberingBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let table = app::address_renumbering::renumber_road(
        &state,
        &staff,
        path.into_inner(),
        body.apply,
        body.comment.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(table))
}

/// `GET /api/v1/addresses/{id}/certificate.pdf`: the 门牌证.
#[utoipa::path(
    get,
    path = "/api/v1/addresses/{id}/certificate.pdf",
    operation_id = "addresses_certificate",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the file", body = crate::http::openapi::Binary, content_type = "application/pdf"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn certificate(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let pdf = app::address_certificate::certificate_pdf(&state, &staff, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"address-{id}-certificate.pdf\""),
        ))
        .body(pdf))
}

/// `?division=&format=json|csv|svg&table=roads|divisions|worklist`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlatesQuery {
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    format: Option<String>,
    table: Option<String>,
}

/// `GET /api/v1/addresses/plates`: the plates campaign's progress per road and division, and
/// the worklist; as JSON, as a CSV table or as an SVG chart.
#[utoipa::path(
    get,
    path = "/api/v1/addresses/plates",
    operation_id = "addresses_plates",
    tag = "addresses",
    params(PlatesQuery),
    responses(
        (status = 200, description = "the answer", content((Object = "application/json"), (crate::http::openapi::Binary = "text/csv"), (crate::http::openapi::Binary = "image/svg+xml"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn plates(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<PlatesQuery>,
) -> Result<HttpResponse, Problem> {
    use app::address_plates::ProgressTable;
    let Some(division) = query.division.as_deref() else {
        return Err(Problem::invalid_field(
            "division",
            "the division code (prefix) to count: 330421",
        ));
    };
    let table = match query.table.as_deref() {
        None | Some("roads") => ProgressTable::Roads,
        Some("divisions") => ProgressTable::Divisions,
        Some("worklist") => ProgressTable::Worklist,
        Some(_) => {
            return Err(Problem::invalid_field(
                "table",
                "roads, divisions or worklist",
            ));
        }
    };
    let format = query.format.as_deref().unwrap_or("json");
    if !["json", "csv", "svg"].contains(&format) {
        return Err(Problem::invalid_field("format", "json, csv or svg"));
    }
    if format == "svg" && table == ProgressTable::Worklist {
        return Err(Problem::invalid_field(
            "table",
            "the chart shows roads or divisions; the worklist is a table (format=csv)",
        ));
    }
    let progress = app::address_plates::progress(&state, &staff, division).await?;
    let name = query.table.as_deref().unwrap_or("roads");
    // Progress changes with every plate moved: never answered from a cache.
    Ok(match format {
        "csv" => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"plates-{division}-{name}.csv\""),
            ))
            .body(app::address_plates::progress_csv(&progress, table)),
        "svg" => HttpResponse::Ok()
            .content_type("image/svg+xml")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"plates-{division}-{name}.svg\""),
            ))
            .body(app::address_plates::progress_chart(&progress, table)),
        _ => HttpResponse::Ok().json(progress),
    })
}

/// The kind letter of an application's entity tag (`"q3.v1"`).
const APPLICATION_TAG: char = 'q';

/// An application as staff send it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AddressApplicationBody)]
pub struct ApplicationBody {
    road_id: i64,
    applicant: String,
    point: [f64; 2],
    documents: Vec<String>,
}

fn application_response(
    status: StatusCode,
    view: &app::address_applications::ApplicationView,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((
            header::ETAG,
            entity_tag(
                APPLICATION_TAG,
                view.application.id,
                view.application.version,
            ),
        ))
        .json(view)
}

#[utoipa::path(
    post,
    path = "/api/v1/addresses/applications",
    operation_id = "addresses_file_application",
    tag = "addresses",
    request_body(content = ApplicationBody, content_type = "application/json"),
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
pub async fn file_application(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBody<ApplicationBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let input = app::address_applications::ApplicationInput {
        road_id: body.road_id,
        applicant: body.applicant,
        point: body.point,
        documents: body.documents,
    };
    let view = app::address_applications::file(&state, &staff, input).await?;
    let response = application_response(StatusCode::CREATED, &view);
    super::created_at(
        response,
        &format!("/api/v1/addresses/applications/{}", view.application.id),
    )
}

/// `?division=&overdue=true`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ApplicationsQuery {
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    overdue: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/addresses/applications",
    operation_id = "addresses_applications",
    tag = "addresses",
    params(ApplicationsQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn applications(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<ApplicationsQuery>,
) -> Result<HttpResponse, Problem> {
    let Some(division) = query.division.as_deref() else {
        return Err(Problem::invalid_field(
            "division",
            "a division code (prefix): 330421",
        ));
    };
    let overdue = match query.overdue.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(Problem::invalid_field("overdue", "true or false")),
    };
    let found = app::address_applications::list(&state, &staff, division, overdue).await?;
    Ok(HttpResponse::Ok().json(json!({ "applications": found })))
}

#[utoipa::path(
    get,
    path = "/api/v1/addresses/applications/{id}",
    operation_id = "addresses_application",
    tag = "addresses",
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
pub async fn application(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let view = app::address_applications::read(&state, &staff, path.into_inner()).await?;
    Ok(application_response(StatusCode::OK, &view))
}

/// A decision as staff send it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AddressDecisionBody)]
pub struct DecisionBody {
    approve: bool,
    #[serde(default)]
    number: Option<u32>,
    #[serde(default)]
    number_suffix: Option<u32>,
    #[serde(default)]
    note: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/addresses/applications/{id}/decision",
    operation_id = "addresses_decide_application",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = DecisionBody, content_type = "application/json"),
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
pub async fn decide_application(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<DecisionBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, APPLICATION_TAG, id, "application")?;
    let body = body.parsed()?;
    let input = app::address_applications::DecisionInput {
        approve: body.approve,
        number: body.number.map(|number| HouseNumber {
            number,
            suffix: body.number_suffix,
        }),
        note: body.note,
    };
    let view = app::address_applications::decide(&state, &staff, id, expected, input).await?;
    Ok(application_response(StatusCode::OK, &view))
}

/// `?title=`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentQuery {
    title: Option<String>,
}

/// `POST /api/v1/addresses/applications/{id}/documents?title=…`: the body is the document
/// (PDF, JPEG or PNG, at most 10 MiB), read up to that limit.
#[utoipa::path(
    post,
    path = "/api/v1/addresses/applications/{id}/documents",
    operation_id = "addresses_add_document",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1), DocumentQuery),
    request_body(content((crate::http::openapi::Binary = "application/pdf"), (crate::http::openapi::Binary = "image/jpeg"), (crate::http::openapi::Binary = "image/png")), description = "the document itself"),
    responses(
        (status = 201, description = "created", body = Object, content_type = "application/json"),
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
pub async fn add_document(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    query: Query<DocumentQuery>,
    mut payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    use futures_util::StreamExt;
    let limit = crate::domain::address_application::MAX_DOCUMENT_BYTES;
    let Some(title) = query.title.as_deref() else {
        return Err(Problem::invalid_field(
            "title",
            "say what the document is: ?title=建设工程规划许可证",
        ));
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Problem::invalid_field("document", e.to_string()))?;
        if bytes.len() + chunk.len() > limit {
            return Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "document-too-large",
                "The document is too large",
                format!(
                    "a document may be at most {} MiB: scan it at a lower resolution",
                    limit >> 20
                ),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    let document =
        app::address_applications::add_document(&state, &staff, path.into_inner(), title, &bytes)
            .await?;
    Ok(HttpResponse::Created().json(document))
}

/// `GET /api/v1/addresses/applications/{id}/documents`.
#[utoipa::path(
    get,
    path = "/api/v1/addresses/applications/{id}/documents",
    operation_id = "addresses_documents",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn documents(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let documents = app::address_applications::documents(&state, &staff, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "documents": documents })))
}

/// `GET /api/v1/addresses/applications/{id}/documents/{document}`: the document as received.
#[utoipa::path(
    get,
    path = "/api/v1/addresses/applications/{id}/documents/{document}",
    operation_id = "addresses_document",
    tag = "addresses",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("document" = i64, Path, description = "the document's id", example = 1)),
    responses(
        (status = 200, description = "the record", content((crate::http::openapi::Binary = "application/pdf"), (crate::http::openapi::Binary = "image/jpeg"), (crate::http::openapi::Binary = "image/png"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn document(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, Problem> {
    let (id, document_id) = path.into_inner();
    let (media_type, bytes) =
        app::address_applications::document(&state, &staff, id, document_id).await?;
    Ok(HttpResponse::Ok()
        .content_type(media_type)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"application-{id}-document-{document_id}\""),
        ))
        .body(bytes))
}
