//! `/api/v1/places`: create, read (current, any version, as of a date), update with `If-Match`,
//! retire, history and lists, as GeoJSON Features (RFC 7946).

use crate::http::query::{NoParams, Query};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::body::JsonBody;
use super::features::PlaceFeature;
use super::precondition::expected_version;
use super::problem::Problem;
use crate::app::places::{PlaceInput, Retirement};
use crate::app::{self, AppState, Identity, Staff};
use crate::domain::division_code::Jurisdiction;
use crate::domain::field_error::FieldErrors;
use crate::domain::place::{PlaceProperties, PlaceStatus};
use crate::domain::version::{ChangeNote, entity_tag};
use crate::store::places::{PlaceFilter, StoredPlace};

/// The kind letter of a place's entity tag (`"p17.v3"`).
pub(super) const TAG_KIND: char = 'p';
const MAX_PAGE: i64 = 1000;
const DEFAULT_PAGE: i64 = 100;
const MAX_TEXT_QUERY_CHARS: usize = 50;

#[derive(Deserialize, utoipa::ToSchema)]
enum FeatureType {
    Feature,
}

/// A place as clients send it: a GeoJSON Feature with the record in `properties` and, beside
/// them, a note about the change. `id` and `version` as returned by GET are accepted and ignored.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceFeatureInput {
    #[serde(rename = "type")]
    _kind: FeatureType,
    #[serde(default, rename = "id")]
    _id: Option<Value>,
    #[serde(default, rename = "version")]
    _version: Option<Value>,
    #[serde(default, rename = "bbox")]
    _bbox: Option<Value>,
    #[serde(default)]
    geometry: Option<Value>,
    properties: PlaceProperties,
    #[serde(default)]
    change: ChangeNote,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireRequest {
    #[serde(default)]
    comment: Option<String>,
    /// The day the name went out of use; today when not given.
    #[serde(default)]
    abolished_on: Option<NaiveDate>,
}

impl From<PlaceFeatureInput> for PlaceInput {
    fn from(input: PlaceFeatureInput) -> Self {
        Self {
            properties: input.properties,
            geometry: input.geometry,
            change: input.change,
        }
    }
}

fn feature(place: &StoredPlace) -> PlaceFeature<'_> {
    PlaceFeature::of(place, &place.geometry)
}

fn feature_response(status: StatusCode, place: &StoredPlace) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((
            header::ETAG,
            entity_tag(TAG_KIND, place.id, place.meta.version),
        ))
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/geo+json"),
        ))
        .body(serde_json::to_string(&feature(place)).unwrap_or_default())
}

#[utoipa::path(
    post,
    path = "/api/v1/places",
    operation_id = "places_create",
    tag = "places",
    request_body(content = PlaceFeatureInput, content_type = "application/geo+json"),
    responses(
        (status = 201, description = "created", body = super::features::PlaceFeature, content_type = "application/geo+json", headers(("Location" = String, description = "the new record"), ("ETag" = String, description = "the version, for `If-Match`"))),
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
    input: JsonBody<PlaceFeatureInput>,
) -> Result<HttpResponse, Problem> {
    let input = input.parsed()?;
    let stored = app::places::create(&state, &staff, input.into()).await?;
    let response = feature_response(StatusCode::CREATED, &stored);
    super::created_at(response, &format!("/api/v1/places/{}", stored.id))
}

#[utoipa::path(
    put,
    path = "/api/v1/places/{id}",
    operation_id = "places_update",
    tag = "places",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = PlaceFeatureInput, content_type = "application/geo+json"),
    responses(
        (status = 200, description = "the record as changed", body = super::features::PlaceFeature, content_type = "application/geo+json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
    input: JsonBody<PlaceFeatureInput>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "place")?;
    let input = input.parsed()?;
    let stored = app::places::update(&state, &staff, id, expected, input.into()).await?;
    Ok(feature_response(StatusCode::OK, &stored))
}

#[utoipa::path(
    post,
    path = "/api/v1/places/{id}/retire",
    operation_id = "places_retire",
    tag = "places",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = RetireRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = super::features::PlaceFeature, content_type = "application/geo+json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
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
    body: JsonBody<RetireRequest>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "place")?;
    let body = body.parsed()?;
    let retirement = Retirement {
        comment: body.comment,
        abolished_on: body.abolished_on,
    };
    let stored = app::places::retire(&state, &staff, id, expected, retirement).await?;
    Ok(feature_response(StatusCode::OK, &stored))
}

/// `?as_of=YYYY-MM-DD`: read a record as it stood on that day.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AsOfQuery {
    #[param(value_type = Option<String>, format = Date, example = "2024-01-01")]
    pub as_of: Option<String>,
}

impl AsOfQuery {
    pub fn day(&self) -> Result<Option<NaiveDate>, Problem> {
        self.as_of
            .as_deref()
            .map(|text| parse_day(text, "as_of"))
            .transpose()
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/places/{id}",
    operation_id = "places_read",
    tag = "places",
    params(("id" = i64, Path, description = "the record's id", example = 1), AsOfQuery),
    responses(
        (status = 200, description = "the record", body = super::features::PlaceFeature, content_type = "application/geo+json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn read(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
    query: Query<AsOfQuery>,
) -> Result<HttpResponse, Problem> {
    let place = app::places::read(&state, &identity, path.into_inner(), query.day()?).await?;
    Ok(feature_response(StatusCode::OK, &place))
}

#[utoipa::path(
    get,
    path = "/api/v1/places/{id}/versions/{version}",
    operation_id = "places_read_version",
    tag = "places",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("version" = i64, Path, description = "the version number", example = 1)),
    responses(
        (status = 200, description = "the record", body = super::features::PlaceFeature, content_type = "application/geo+json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn read_version(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, Problem> {
    let (id, version) = path.into_inner();
    let place = app::places::read_version(&state, &identity, id, version).await?;
    Ok(feature_response(StatusCode::OK, &place))
}

#[utoipa::path(
    get,
    path = "/api/v1/places/{id}/history",
    operation_id = "places_history",
    tag = "places",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::PlaceHistory, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn history(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let versions = app::places::history(&state, &identity, id).await?;
    Ok(HttpResponse::Ok().json(json!({ "place_id": id, "versions": versions })))
}

/// The list filters as they arrive; each is checked and reported by name.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    category: Option<String>,
    status: Option<String>,
    q: Option<String>,
    updated_since: Option<String>,
    #[param(value_type = Option<String>, format = Date, example = "2024-01-01")]
    as_of: Option<String>,
    bbox: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    limit: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/places",
    operation_id = "places_list",
    tag = "places",
    params(ListQuery),
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::PlaceCollection, content_type = "application/geo+json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    query: Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let filter = parse_list_query(&state, &query, identity.is_public())?;
    let (places, total) = app::places::list(&state, &identity, filter.clone()).await?;
    let mut links = vec![json!({ "rel": "self", "href": request.uri().to_string() })];
    if filter.offset + (places.len() as i64) < total {
        let next = format!(
            "{}?{}",
            request.path(),
            with_offset(request.query_string(), filter.offset + filter.limit)
        );
        links.push(json!({ "rel": "next", "href": next }));
    }
    let body = json!({
        "type": "FeatureCollection",
        "features": places.iter().map(feature).collect::<Vec<_>>(),
        "numberMatched": total,
        "numberReturned": places.len(),
        "links": links,
    });
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .body(body.to_string()))
}

fn with_offset(query: &str, offset: i64) -> String {
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("offset="))
        .map(str::to_string)
        .collect();
    parts.push(format!("offset={offset}"));
    parts.join("&")
}

fn parse_list_query(
    state: &AppState,
    query: &ListQuery,
    public_only: bool,
) -> Result<PlaceFilter, Problem> {
    let mut errors = FieldErrors::default();
    let mut filter = PlaceFilter {
        public_only,
        limit: DEFAULT_PAGE,
        ..Default::default()
    };
    if let Some(division) = &query.division {
        match Jurisdiction::parse(division) {
            Ok(prefix) => filter.division_prefix = Some(prefix.as_str().to_string()),
            Err(error) => errors.push("division", format!("{division:?}: {error}")),
        }
    }
    if let Some(category) = &query.category {
        match state.catalog.resolve(category) {
            Ok(category) => filter.category_code = Some(category.code.clone()),
            Err(error) => errors.push("category", error.to_string()),
        }
    }
    if let Some(status) = &query.status {
        match PlaceStatus::parse(status) {
            Some(status) => filter.status = Some(status.as_str()),
            None => errors.push("status", "use current or historical"),
        }
    }
    if let Some(text) = &query.q {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_TEXT_QUERY_CHARS {
            errors.push("q", format!("give 1 to {MAX_TEXT_QUERY_CHARS} characters"));
        } else {
            filter.name_contains = Some(text.to_string());
        }
    }
    if let Some(since) = &query.updated_since {
        match parse_instant_or_day(since) {
            Some(instant) => filter.updated_since = Some(instant),
            None => errors.push(
                "updated_since",
                "a date (2024-05-01) or an RFC 3339 time (2024-05-01T08:00:00Z)",
            ),
        }
    }
    if let Some(as_of) = &query.as_of {
        match parse_day(as_of, "as_of") {
            Ok(day) => filter.as_of = Some(day),
            Err(problem) => errors.extend_problem(problem),
        }
    }
    if let Some(bbox) = &query.bbox {
        match parse_bbox(bbox) {
            Ok(bbox) => filter.bbox = Some(bbox),
            Err(message) => errors.push("bbox", message),
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

trait ExtendProblem {
    fn extend_problem(&mut self, problem: Problem);
}

impl ExtendProblem for FieldErrors {
    fn extend_problem(&mut self, problem: Problem) {
        for error in problem.errors {
            self.push(error.field, error.message);
        }
    }
}

/// Largest box side accepted, in degrees: a box query is for a map view, not a dump.
const MAX_BBOX_SPAN_DEGREES: f64 = 10.0;

fn parse_bbox(text: &str) -> Result<[f64; 4], String> {
    let numbers: Vec<f64> = text
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| "four numbers: min_lon,min_lat,max_lon,max_lat".to_string())?;
    let [min_lon, min_lat, max_lon, max_lat] = numbers[..] else {
        return Err("four numbers: min_lon,min_lat,max_lon,max_lat".to_string());
    };
    if !numbers.iter().all(|n| n.is_finite())
        || ![min_lon, max_lon]
            .iter()
            .all(|x| (-180.0..=180.0).contains(x))
        || ![min_lat, max_lat]
            .iter()
            .all(|y| (-90.0..=90.0).contains(y))
    {
        return Err("longitudes lie in -180..180 and latitudes in -90..90".to_string());
    }
    if min_lon > max_lon || min_lat > max_lat {
        return Err(
            "the minimum comes before the maximum: min_lon,min_lat,max_lon,max_lat".to_string(),
        );
    }
    if max_lon - min_lon > MAX_BBOX_SPAN_DEGREES || max_lat - min_lat > MAX_BBOX_SPAN_DEGREES {
        return Err(format!(
            "a box spans at most {MAX_BBOX_SPAN_DEGREES} degrees each way"
        ));
    }
    Ok([min_lon, min_lat, max_lon, max_lat])
}

pub(super) fn parse_day(text: &str, field: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Problem::invalid_field(field, format!("{text:?} is not a date like 2019-06-30"))
    })
}

fn parse_instant_or_day(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bbox_is_checked() {
        assert!(parse_bbox("120.5,30.5,121,31").is_ok());
        assert!(
            parse_bbox("121,30.5,120.5,31")
                .unwrap_err()
                .contains("minimum")
        );
        assert!(parse_bbox("100,20,121,31").unwrap_err().contains("at most"));
        assert!(parse_bbox("a,b,c,d").is_err());
        assert!(parse_bbox("1,2,3").is_err());
    }

    #[test]
    fn the_next_link_replaces_the_offset() {
        assert_eq!(
            with_offset("division=3304&offset=100&limit=100", 200),
            "division=3304&limit=100&offset=200"
        );
    }
}
