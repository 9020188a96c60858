//! `/ogc/api`: the OpenAPI 3.0 definition of the OGC API, built for the caller from the same
//! collection list the API serves (one path per collection, as clients and test suites look a
//! collection's parameters up by its path), so that it names what the routes take.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::landing::FormatQuery;
use super::{GEOJSON, JSON, OPENAPI, answer, base_url, format};
use crate::app::{self, Identity};
use crate::domain::ogc::{CRS84_URI, DEFAULT_LIMIT, MAX_LIMIT};
use crate::http::AppState;
use crate::http::problem::Problem;
use crate::http::query::Query;

#[utoipa::path(
    get,
    path = "/ogc/api",
    operation_id = "ogc_openapi_definition",
    tag = "ogc",
    params(FormatQuery),
    responses(
        (status = 200, description = "the OGC API definition (OpenAPI 3.0, for OGC clients)", body = Object, content_type = "application/vnd.oai.openapi+json;version=3.0"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn definition(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    query: Query<FormatQuery>,
) -> Result<HttpResponse, Problem> {
    let format = format(&request, query.f.as_deref())?;
    let base = base_url(&state, &request);
    let ids: Vec<(String, bool)> = app::ogc::collections(&state, &identity)
        .iter()
        .map(|c| (c.id.to_string(), c.id.is_writable()))
        .collect();
    let document = document(&base, &ids);
    Ok(answer(
        format,
        OPENAPI,
        ("API 定义", "API definition"),
        &document,
    ))
}

fn parameter(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

fn problems(codes: &[&str]) -> serde_json::Map<String, Value> {
    codes
        .iter()
        .map(|code| {
            (
                code.to_string(),
                json!({ "$ref": "#/components/responses/Problem" }),
            )
        })
        .collect()
}

fn ok(description: &str, media_type: &str) -> Value {
    json!({ "description": description, "content": { media_type: { "schema": { "type": "object" } } } })
}

/// The definition for the collections `ids` (with whether each takes writes).
fn document(base: &str, ids: &[(String, bool)]) -> Value {
    let mut paths = serde_json::Map::new();
    let simple = |summary: &str, media_type: &str| {
        let mut responses = problems(&["400"]);
        responses.insert("200".into(), ok(summary, media_type));
        json!({ "get": { "summary": summary, "parameters": [parameter("f")], "responses": responses } })
    };
    paths.insert("/".into(), simple("The landing page", JSON));
    paths.insert(
        "/conformance".into(),
        simple("The conformance classes", JSON),
    );
    paths.insert("/api".into(), simple("This definition", OPENAPI));
    paths.insert("/collections".into(), simple("The collections", JSON));
    for (id, writable) in ids {
        let mut read = problems(&["400", "401", "404"]);
        read.insert("200".into(), ok("The collection", JSON));
        paths.insert(
            format!("/collections/{id}"),
            json!({ "get": { "summary": format!("The collection {id}"), "parameters": [parameter("f")], "responses": read } }),
        );
        let mut queryables = problems(&["400", "401", "404"]);
        queryables.insert(
            "200".into(),
            ok("The queryables (JSON Schema)", "application/schema+json"),
        );
        paths.insert(
            format!("/collections/{id}/queryables"),
            json!({ "get": { "summary": format!("The properties a filter of {id} may name"), "parameters": [parameter("f")], "responses": queryables } }),
        );
        let mut list = problems(&["400", "401", "404"]);
        list.insert("200".into(), ok("A page of features", GEOJSON));
        let parameters = [
            "bbox",
            "bbox-crs",
            "crs",
            "datetime",
            "limit",
            "offset",
            "f",
            "filter",
            "filter-lang",
            "filter-crs",
        ]
        .map(parameter);
        let mut items = json!({
            "get": {
                "summary": format!("The features of {id}"),
                "parameters": parameters,
                "responses": list,
            },
        });
        let mut one = problems(&["400", "401", "404"]);
        one.insert("200".into(), ok("A feature", GEOJSON));
        let mut item = json!({
            "parameters": [parameter("featureId")],
            "get": { "summary": format!("A feature of {id}"), "parameters": [parameter("crs"), parameter("f")], "responses": one },
        });
        if *writable {
            let body = json!({ "required": true, "content": { GEOJSON: { "schema": { "type": "object" } } } });
            let mut created = problems(&["400", "401", "403", "422"]);
            created.insert("201".into(), ok("The feature as registered", GEOJSON));
            items["post"] = json!({ "summary": "Register a feature", "requestBody": body, "responses": created });
            let mut changed = problems(&["400", "401", "403", "404", "409", "412", "422", "428"]);
            changed.insert("200".into(), ok("The feature as changed", GEOJSON));
            item["put"] = json!({ "summary": "Replace a feature (If-Match)", "requestBody": body, "responses": changed });
            item["patch"] = json!({
                "summary": "Change a feature by a JSON merge patch (If-Match)",
                "requestBody": { "required": true, "content": { "application/merge-patch+json": { "schema": { "type": "object" } } } },
                "responses": changed,
            });
            item["delete"] = json!({ "summary": "Retire a feature: it stays as history (If-Match)", "responses": changed });
        }
        let options = json!({ "summary": "The methods the caller may use", "responses": { "204": { "description": "See Allow" } } });
        items["options"] = options.clone();
        item["options"] = options;
        paths.insert(format!("/collections/{id}/items"), items);
        paths.insert(format!("/collections/{id}/items/{{featureId}}"), item);
    }
    let crs = json!({
        "type": "string", "format": "uri", "default": CRS84_URI,
    });
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "地名区划服务 OGC API - Features (diming)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Parts 1 (core), 2 (CRS) and 4 (create, replace, update, delete) of OGC API - Features over the place-name register.",
        },
        "servers": [{ "url": base }],
        "paths": paths,
        "components": {
            "parameters": {
                "bbox": {
                    "name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                    "description": "Lower and upper corner in the axis order of bbox-crs (CRS84: lon,lat).",
                    "schema": { "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } },
                },
                "bbox-crs": {
                    "name": "bbox-crs", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": crs,
                },
                "crs": {
                    "name": "crs", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": crs,
                },
                "datetime": {
                    "name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
                    "description": "A day or time, or an interval of them with .. for an open end.",
                    "schema": { "type": "string" },
                },
                "limit": {
                    "name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT },
                },
                "offset": {
                    "name": "offset", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": { "type": "integer", "minimum": 0, "default": 0 },
                },
                "f": {
                    "name": "f", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": { "type": "string", "enum": ["json", "html"] },
                },
                "filter": {
                    "name": "filter", "in": "query", "required": false, "style": "form", "explode": false,
                    "description": "A CQL2 expression over the collection's queryables (Part 3).",
                    "schema": { "type": "string" },
                },
                "filter-lang": {
                    "name": "filter-lang", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": { "type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text" },
                },
                "filter-crs": {
                    "name": "filter-crs", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": { "type": "string", "format": "uri", "enum": [CRS84_URI, "http://www.opengis.net/def/crs/EPSG/0/4490"], "default": CRS84_URI },
                },
                "featureId": {
                    "name": "featureId", "in": "path", "required": true,
                    "schema": { "type": "string" },
                },
            },
            "responses": {
                "Problem": {
                    "description": "RFC 7807 problem details naming the field at fault",
                    "content": { "application/problem+json": { "schema": {
                        "type": "object",
                        "required": ["type", "title", "status", "detail"],
                        "properties": {
                            "type": { "type": "string" },
                            "title": { "type": "string" },
                            "status": { "type": "integer" },
                            "detail": { "type": "string" },
                            "errors": { "type": "array", "items": { "type": "object", "properties": {
                                "field": { "type": "string" }, "message": { "type": "string" },
                            } } },
                        },
                    } } },
                },
            },
        },
    })
}
