//! Part 4 on `/ogc/collections/places/items`: POST a feature (201 with `Location`), PUT one in
//! place of a record, PATCH one with a JSON merge patch, DELETE one (which retires the record:
//! it stays as history), each needing sign-in and, on an existing record, `If-Match` with its
//! ETag; OPTIONS answers the methods the caller may use in `Allow`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{GEOJSON, base_url, json_answer};
use crate::app::ogc::edits::FeatureInput;
use crate::app::ogc::{Feature, Record};
use crate::app::{self, Identity, Staff};
use crate::domain::ogc::OgcCrs;
use crate::domain::version::{ChangeNote, entity_tag};
use crate::http::AppState;
use crate::http::body::JsonBody;
use crate::http::precondition::expected_version;
use crate::http::problem::Problem;
use crate::http::query::{NoParams, Query};
use crate::store::places::StoredPlace;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = OgcFeatureType)]
enum FeatureType {
    Feature,
}

/// A feature as a Part 4 client sends it. `id`, `links` and `bbox` as read are accepted and
/// ignored; `change` may say why the record changes.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureBody {
    #[serde(rename = "type")]
    _kind: FeatureType,
    #[serde(default, rename = "id")]
    _id: Option<Value>,
    #[serde(default, rename = "links")]
    _links: Option<Value>,
    #[serde(default, rename = "bbox")]
    _bbox: Option<Value>,
    #[serde(default, rename = "version")]
    _version: Option<Value>,
    #[serde(default)]
    geometry: Option<Value>,
    properties: Map<String, Value>,
    #[serde(default)]
    change: ChangeNote,
}

impl FeatureBody {
    fn into_input(self, content_crs: OgcCrs) -> FeatureInput {
        FeatureInput {
            properties: self.properties,
            geometry: self.geometry,
            change: self.change,
            content_crs,
        }
    }
}

/// The system a request's geometry is in: `Content-Crs: <uri>` (Part 2), CRS84 without one.
fn content_crs(request: &HttpRequest) -> Result<OgcCrs, Problem> {
    let Some(value) = request.headers().get("content-crs") else {
        return Ok(OgcCrs::Crs84);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let uri = text
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(text);
    OgcCrs::parse(uri).map_err(|e| Problem::invalid_field("Content-Crs", e.to_string()))
}

/// The ETag of a place's version, as `If-Match` must name it.
fn expected(request: &HttpRequest, feature_id: &str) -> Result<i64, Problem> {
    let id: i64 = feature_id
        .parse()
        .map_err(|_| Problem::not_found(format!("places has no feature {feature_id:?}")))?;
    expected_version(request, crate::http::places::TAG_KIND, id, "place")
}

/// A written record as its feature, with its ETag.
fn written(
    state: &AppState,
    request: &HttpRequest,
    status: StatusCode,
    id: &str,
    place: StoredPlace,
) -> HttpResponse {
    let tag = entity_tag(crate::http::places::TAG_KIND, place.id, place.meta.version);
    let feature = Feature {
        geometry: place.geometry.clone(),
        record: Record::Place(Box::new(place)),
    };
    let base = base_url(state, request);
    let document = super::items::feature_json(state, &base, id, &feature, OgcCrs::Crs84);
    let mut response = json_answer(status, GEOJSON, &document);
    if let Ok(tag) = HeaderValue::from_str(&tag) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    super::items::set_content_crs(&mut response, OgcCrs::Crs84);
    response
}

#[utoipa::path(
    post,
    path = "/ogc/collections/{id}/items",
    operation_id = "ogc_edits_create",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places")),
    request_body(content = FeatureBody, content_type = "application/geo+json"),
    responses(
        (status = 201, description = "created", body = Object, content_type = "application/geo+json", headers(("Location" = String, description = "the new record"), ("ETag" = String, description = "the version, for `If-Match`"))),
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
    request: HttpRequest,
    staff: Staff,
    path: web::Path<String>,
    body: JsonBody<FeatureBody>,
) -> Result<HttpResponse, Problem> {
    let crs = content_crs(&request)?;
    let input = body.parsed()?.into_input(crs);
    let place = app::ogc::edits::create(&state, &staff, &path, input).await?;
    let location = format!(
        "{}/collections/{}/items/{}",
        base_url(&state, &request),
        path.as_str(),
        place.id
    );
    let response = written(&state, &request, StatusCode::CREATED, &path, place);
    crate::http::created_at(response, &location)
}

#[utoipa::path(
    put,
    path = "/ogc/collections/{id}/items/{feature_id}",
    operation_id = "ogc_edits_replace",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places"), ("feature_id" = String, Path, description = "the feature's id", example = "1")),
    request_body(content = FeatureBody, content_type = "application/geo+json"),
    responses(
        (status = 200, description = "the record as changed", body = Object, content_type = "application/geo+json"),
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
pub async fn replace(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<(String, String)>,
    body: JsonBody<FeatureBody>,
) -> Result<HttpResponse, Problem> {
    let (id, feature_id) = path.into_inner();
    let version = expected(&request, &feature_id)?;
    let crs = content_crs(&request)?;
    let input = body.parsed()?.into_input(crs);
    let place = app::ogc::edits::replace(&state, &staff, &id, &feature_id, version, input).await?;
    Ok(written(&state, &request, StatusCode::OK, &id, place))
}

#[utoipa::path(
    patch,
    path = "/ogc/collections/{id}/items/{feature_id}",
    operation_id = "ogc_edits_update",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places"), ("feature_id" = String, Path, description = "the feature's id", example = "1")),
    request_body(content = Value, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = Object, content_type = "application/geo+json"),
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
    path: web::Path<(String, String)>,
    body: JsonBody<Value>,
) -> Result<HttpResponse, Problem> {
    let (id, feature_id) = path.into_inner();
    let version = expected(&request, &feature_id)?;
    let crs = content_crs(&request)?;
    let patch = body.parsed()?;
    let place =
        app::ogc::edits::patch(&state, &staff, &id, &feature_id, version, patch, crs).await?;
    Ok(written(&state, &request, StatusCode::OK, &id, place))
}

#[utoipa::path(
    delete,
    path = "/ogc/collections/{id}/items/{feature_id}",
    operation_id = "ogc_edits_retire",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places"), ("feature_id" = String, Path, description = "the feature's id", example = "1")),
    responses(
        (status = 200, description = "retired", body = Object, content_type = "application/geo+json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 412, response = crate::http::openapi::PreconditionFailed),
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
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let (id, feature_id) = path.into_inner();
    let version = expected(&request, &feature_id)?;
    let place = app::ogc::edits::retire(&state, &staff, &id, &feature_id, version).await?;
    Ok(written(&state, &request, StatusCode::OK, &id, place))
}

/// The `Allow` answer of OPTIONS.
fn allow(allowed: crate::domain::ogc::Allowed) -> Result<HttpResponse, Problem> {
    let value = HeaderValue::from_str(&allowed.header()).map_err(|_| Problem::internal())?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::ALLOW, value))
        .finish())
}

#[utoipa::path(
    options,
    path = "/ogc/collections/{id}/items",
    operation_id = "ogc_edits_collection_options",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places")),
    responses(
        (status = 204, description = "what may be done here, and by whom asking", headers(("Allow" = String, description = "the methods this caller may use"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn collection_options(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    allow(app::ogc::edits::allowed(&state, &identity, &path, None).await?)
}

#[utoipa::path(
    options,
    path = "/ogc/collections/{id}/items/{feature_id}",
    operation_id = "ogc_edits_feature_options",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places"), ("feature_id" = String, Path, description = "the feature's id", example = "1")),
    responses(
        (status = 204, description = "what may be done here, and by whom asking", headers(("Allow" = String, description = "the methods this caller may use"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn feature_options(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let (id, feature_id) = path.into_inner();
    allow(app::ogc::edits::allowed(&state, &identity, &id, Some(&feature_id)).await?)
}
