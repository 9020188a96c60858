//! `/tiles`: vector tiles (MVT) of the OGC collections in the Web Mercator XYZ grid, at
//! `/tiles/{collection}/{z}/{x}/{y}.mvt` and, as OGC API - Tiles names them,
//! `/ogc/collections/{collection}/tiles/WebMercatorQuad/{z}/{y}/{x}` (row before column), each
//! with a strong ETag (304 on `If-None-Match`), and a TileJSON 3.0 document per collection at
//! `/tiles/{collection}/tiles.json`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::AppState;
use super::problem::Problem;
use super::query::{NoParams, Query};
use crate::app::{self, Identity};
use crate::domain::tile::EXTENT;

/// The media type of a vector tile.
const MVT: &str = "application/vnd.mapbox-vector-tile";

/// `GET /tiles/{collection}/{z}/{x}/{y}.mvt`.
#[utoipa::path(
    get,
    path = "/tiles/{collection}/{z}/{x}/{y}.mvt",
    operation_id = "tiles_xyz",
    tag = "tiles",
    params(("collection" = String, Path, description = "the collection (`places`, `divisions`, `signs`, …)", example = "places"), ("z" = String, Path, description = "zoom level", example = "3"), ("x" = String, Path, description = "tile column", example = "6"), ("y" = String, Path, description = "tile row", example = "2")),
    responses(
        (status = 200, description = "the tile (Mapbox Vector Tile)", body = crate::http::openapi::Binary, content_type = "application/vnd.mapbox-vector-tile", headers(("ETag" = String, description = "the tile's content, for `If-None-Match`"))),
        (status = 204, description = "nothing in this tile"),
        (status = 304, description = "unchanged since the `If-None-Match` tag"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn xyz(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    path: web::Path<(String, String, String, String)>,
    _query: Query<NoParams>,
) -> Result<HttpResponse, Problem> {
    let (collection, z, x, y) = path.into_inner();
    answer(&state, &request, &identity, &collection, &z, &x, &y).await
}

/// `GET /ogc/collections/{collection}/tiles/WebMercatorQuad/{z}/{y}/{x}` (OGC API - Tiles:
/// tileMatrix, tileRow, tileCol).
#[utoipa::path(
    get,
    path = "/ogc/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}",
    operation_id = "tiles_ogc",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection", example = "places"), ("z" = String, Path, description = "zoom level", example = "3"), ("y" = String, Path, description = "tile row", example = "2"), ("x" = String, Path, description = "tile column", example = "6")),
    responses(
        (status = 200, description = "the tile (Mapbox Vector Tile)", body = crate::http::openapi::Binary, content_type = "application/vnd.mapbox-vector-tile", headers(("ETag" = String, description = "the tile's content, for `If-None-Match`"))),
        (status = 204, description = "nothing in this tile"),
        (status = 304, description = "unchanged since the `If-None-Match` tag"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn ogc(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    path: web::Path<(String, String, String, String)>,
    _query: Query<NoParams>,
) -> Result<HttpResponse, Problem> {
    let (collection, z, y, x) = path.into_inner();
    answer(&state, &request, &identity, &collection, &z, &x, &y).await
}

async fn answer(
    state: &AppState,
    request: &HttpRequest,
    identity: &Identity,
    collection: &str,
    z: &str,
    x: &str,
    y: &str,
) -> Result<HttpResponse, Problem> {
    let tile = app::tiles::tile(state, identity, collection, z, x, y).await?;
    let not_modified = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tile.etag));
    // Tiles change with edits: a client asks again each time and mostly gets 304.
    let cache_control = if identity.is_public() {
        "public, no-cache"
    } else {
        "private, no-cache"
    };
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else if tile.bytes.is_empty() {
        HttpResponse::NoContent()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, tile.etag.as_str()))
        .insert_header((
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        ))
        .insert_header((
            header::VARY,
            HeaderValue::from_static("Authorization, Cookie"),
        ));
    if not_modified || tile.bytes.is_empty() {
        return Ok(response.finish());
    }
    Ok(response
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(MVT)))
        .insert_header((
            header::HeaderName::from_static("x-tile-features"),
            tile.features,
        ))
        .body(tile.bytes.clone()))
}

/// `GET /tiles/{collection}/tiles.json`: TileJSON 3.0, bounds from the records the caller may
/// see.
#[utoipa::path(
    get,
    path = "/tiles/{collection}/tiles.json",
    operation_id = "tiles_tile_json",
    tag = "tiles",
    params(("collection" = String, Path, description = "the collection (`places`, `divisions`, `signs`, …)", example = "places")),
    responses(
        (status = 200, description = "the TileJSON 3.0 document of the collection", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn tile_json(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    path: web::Path<String>,
    _query: Query<NoParams>,
) -> Result<HttpResponse, Problem> {
    let set = app::tiles::tile_set(&state, &identity, &path).await?;
    let origin = super::identity::request_origin(&request, &state.settings.trusted_proxies)
        .unwrap_or_else(|| state.settings.public_base_url.clone());
    let id = set.info.id.to_string();
    let fields: serde_json::Map<String, serde_json::Value> = app::tiles::fields(&set.info.id)
        .iter()
        .map(|(name, kind)| (name.to_string(), json!(kind)))
        .collect();
    let mut document = json!({
        "tilejson": "3.0.0",
        "name": format!("{} {}", set.info.title_zh, set.info.title_en),
        "description": set.info.description,
        "scheme": "xyz",
        "tiles": [format!("{origin}/tiles/{id}/{{z}}/{{x}}/{{y}}.mvt")],
        "minzoom": set.minzoom,
        "maxzoom": set.maxzoom,
        "vector_layers": [{
            "id": id,
            "description": set.info.title_en,
            "minzoom": set.minzoom,
            "maxzoom": set.maxzoom,
            "fields": fields,
        }],
        "x-extent": EXTENT,
    });
    if let Some([west, south, east, north]) = set.bounds {
        document["bounds"] = json!([west, south, east, north]);
        document["center"] = json!([(west + east) / 2.0, (south + north) / 2.0, 10]);
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .body(document.to_string()))
}
