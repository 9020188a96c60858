//! `/ogc/collections` and `/ogc/collections/{id}`: the collections the caller may see, each
//! with its extent, the systems its features can be given in (Part 2) and its links.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{GEOJSON, HTML, JSON, answer, base_url, format, link, with_format};
use crate::app::ogc::CollectionInfo;
use crate::app::{self, Identity};
use crate::domain::geometry::CHINA_EXTENT;
use crate::domain::ogc::{CRS84_URI, OgcCrs};
use crate::domain::ogc_filter::GEOMETRY;
use crate::http::AppState;
use crate::http::problem::Problem;
use crate::http::query::Query;

/// The parameters of the collection documents. `crs` is checked and otherwise ignored: clients
/// that add their parameters to every request (GDAL before 3.7 does, with the query of the URL
/// it was given) send it here too.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CollectionsQuery {
    f: Option<String>,
    crs: Option<String>,
}

impl CollectionsQuery {
    fn check(&self) -> Result<(), Problem> {
        if let Some(crs) = &self.crs {
            OgcCrs::parse(crs).map_err(|e| Problem::invalid_field("crs", e.to_string()))?;
        }
        Ok(())
    }
}

#[utoipa::path(
    get,
    path = "/ogc/collections",
    operation_id = "ogc_collections_list",
    tag = "ogc",
    params(CollectionsQuery),
    responses(
        (status = 200, description = "the answer (`f=html` or `Accept: text/html`: a page)", content((Object = "application/json"), (crate::http::openapi::Binary = "text/html"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    query: Query<CollectionsQuery>,
) -> Result<HttpResponse, Problem> {
    query.check()?;
    let format = format(&request, query.f.as_deref())?;
    let base = base_url(&state, &request);
    let collections: Vec<Value> = app::ogc::collections(&state, &identity)
        .iter()
        .map(|info| collection_json(&base, info))
        .collect();
    let here = format!("{base}/collections");
    let document = json!({
        "links": [
            link(&here, "self", JSON, "本页 This document"),
            link(with_format(&here, "html"), "alternate", HTML, "本页网页 This document as a page"),
        ],
        "collections": collections,
    });
    Ok(answer(format, JSON, ("数据集", "Collections"), &document))
}

#[utoipa::path(
    get,
    path = "/ogc/collections/{id}",
    operation_id = "ogc_collections_read",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places"), CollectionsQuery),
    responses(
        (status = 200, description = "the record (`f=html` or `Accept: text/html`: a page)", content((Object = "application/json"), (crate::http::openapi::Binary = "text/html")), headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn read(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    path: web::Path<String>,
    query: Query<CollectionsQuery>,
) -> Result<HttpResponse, Problem> {
    query.check()?;
    let format = format(&request, query.f.as_deref())?;
    let base = base_url(&state, &request);
    let info = app::ogc::collection(&state, &identity, &path)?;
    let document = collection_json(&base, &info);
    Ok(answer(
        format,
        JSON,
        (&info.title_zh, &info.title_en),
        &document,
    ))
}

/// `GET /ogc/collections/{id}/queryables` (Part 3): the properties a filter may name, as a
/// JSON Schema; the public's list of signs holds only what a sign's public page shows.
#[utoipa::path(
    get,
    path = "/ogc/collections/{id}/queryables",
    operation_id = "ogc_collections_queryables",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places"), CollectionsQuery),
    responses(
        (status = 200, description = "the answer (`f=html` or `Accept: text/html`: a page)", content((Object = "application/schema+json"), (crate::http::openapi::Binary = "text/html"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn queryables(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    path: web::Path<String>,
    query: Query<CollectionsQuery>,
) -> Result<HttpResponse, Problem> {
    query.check()?;
    let format = format(&request, query.f.as_deref())?;
    let base = base_url(&state, &request);
    let info = app::ogc::collection(&state, &identity, &path)?;
    let mut properties = serde_json::Map::new();
    for queryable in info.id.queryables(identity.is_public()) {
        let mut schema = queryable.kind.schema();
        schema["title"] = json!(queryable.title);
        properties.insert(queryable.name.to_string(), schema);
    }
    properties.insert(
        GEOMETRY.to_string(),
        json!({ "title": "几何 Geometry", "format": "geometry-any", "x-ogc-role": "primary-geometry" }),
    );
    let id = info.id.to_string();
    let document = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{id}/queryables"),
        "type": "object",
        "title": format!("{} {}", info.title_zh, info.title_en),
        "properties": properties,
        "additionalProperties": false,
    });
    Ok(answer(
        format,
        "application/schema+json",
        (&info.title_zh, &info.title_en),
        &document,
    ))
}

/// A collection's metadata, the same in the list and on its own.
fn collection_json(base: &str, info: &CollectionInfo) -> Value {
    let id = info.id.to_string();
    let here = format!("{base}/collections/{id}");
    let items = format!("{here}/items");
    let (low, high) = CHINA_EXTENT;
    let mut extent = json!({
        "spatial": { "bbox": [[low.x, low.y, high.x, high.y]], "crs": CRS84_URI },
    });
    if info.temporal {
        extent["temporal"] = json!({
            "interval": [[Value::Null, Value::Null]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        });
    }
    json!({
        "id": id,
        "title": format!("{} {}", info.title_zh, info.title_en),
        "description": info.description,
        "itemType": "feature",
        "extent": extent,
        "crs": OgcCrs::offered().into_iter().map(OgcCrs::uri).collect::<Vec<_>>(),
        "storageCrs": OgcCrs::STORAGE.uri(),
        "links": [
            link(&here, "self", JSON, "本集合 This collection"),
            link(with_format(&here, "html"), "alternate", HTML, "本集合网页 This collection as a page"),
            link(&items, "items", GEOJSON, "要素 Its features"),
            link(with_format(&items, "html"), "items", HTML, "要素网页 Its features as a page"),
            link(
                format!("{here}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                "可筛选属性 Queryables (CQL2 filters)",
            ),
        ],
    })
}
