//! `/ogc`: OGC API - Features (Parts 1, 2 and 4) for GIS clients (QGIS, GDAL): the landing
//! page, conformance, the API definition, collections, their items with `bbox`, `datetime`,
//! paging and `crs`, single features with their ETag, and the places collection's writes. JSON
//! (GeoJSON for features) by default, a small server-rendered page when the client asks for
//! HTML (`Accept: text/html` or `f=html`). Links are absolute: some clients resolve a link
//! starting with `/` against the landing page rather than the host.

pub(super) mod collections;
pub(super) mod edits;
pub(super) mod items;
pub(super) mod landing;
pub(super) mod openapi;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, Resource, web};
use serde_json::{Value, json};

use super::AppState;
use super::problem::Problem;

/// The media type of features and feature collections.
const GEOJSON: &str = "application/geo+json";
/// The media type of the other documents.
const JSON: &str = "application/json";
/// The media type of the pages.
const HTML: &str = "text/html";
/// The media type of the API definition.
const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";

/// A route for `OPTIONS`, which actix has no shorthand for.
trait OptionsRoute {
    fn options<F, Args>(self, handler: F) -> Self
    where
        F: actix_web::Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: actix_web::Responder + 'static;
}

impl OptionsRoute for Resource {
    fn options<F, Args>(self, handler: F) -> Self
    where
        F: actix_web::Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: actix_web::Responder + 'static,
    {
        self.route(web::route().method(Method::OPTIONS).to(handler))
    }
}

/// Registers the routes under `/ogc` (HEAD is answered by the GET handlers, without a body).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("")
            .get(landing::landing)
            .route(web::head().to(landing::landing)),
    )
    .service(
        web::resource("/")
            .get(landing::landing)
            .route(web::head().to(landing::landing)),
    )
    .service(
        web::resource("/conformance")
            .get(landing::conformance)
            .route(web::head().to(landing::conformance)),
    )
    .service(
        web::resource("/api")
            .get(openapi::definition)
            .route(web::head().to(openapi::definition)),
    )
    .service(
        web::resource("/collections")
            .get(collections::list)
            .route(web::head().to(collections::list)),
    )
    .service(
        web::resource("/collections/{id}")
            .get(collections::read)
            .route(web::head().to(collections::read)),
    )
    .service(
        web::resource("/collections/{id}/queryables")
            .get(collections::queryables)
            .route(web::head().to(collections::queryables)),
    )
    .service(
        web::resource("/collections/{id}/items")
            .get(items::list)
            .route(web::head().to(items::list))
            .post(edits::create)
            .options(edits::collection_options),
    )
    .service(
        web::resource("/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}").get(super::tiles::ogc),
    )
    .service(
        web::resource("/collections/{id}/items/{feature_id}")
            .get(items::read)
            .route(web::head().to(items::read))
            .put(edits::replace)
            .patch(edits::update)
            .delete(edits::retire)
            .options(edits::feature_options),
    );
}

/// How the client wants the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Html,
}

/// `f=json` / `f=html` (also `geojson`, `application/json` …) wins; otherwise HTML when the
/// client prefers `text/html` to JSON (a browser), JSON otherwise.
fn format(request: &HttpRequest, f: Option<&str>) -> Result<Format, Problem> {
    if let Some(f) = f {
        return match f.trim().to_ascii_lowercase().as_str() {
            "json" | "geojson" | JSON | GEOJSON => Ok(Format::Json),
            "html" | HTML => Ok(Format::Html),
            other => Err(Problem::invalid_field(
                "f",
                format!("{other:?} is not a format of this service: json or html"),
            )),
        };
    }
    // Every Accept header the request carries, as one list.
    let accept: Vec<&str> = request
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .collect();
    Ok(if prefers_html(&accept.join(",")) {
        Format::Html
    } else {
        Format::Json
    })
}

/// Whether an `Accept` header ranks `text/html` above every JSON type (q-values, then order).
fn prefers_html(accept: &str) -> bool {
    let mut best_html: Option<(f32, usize)> = None;
    let mut best_json: Option<(f32, usize)> = None;
    for (position, item) in accept.split(',').enumerate() {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let slot = if media == HTML {
            &mut best_html
        } else if media.ends_with("json") {
            &mut best_json
        } else {
            continue;
        };
        if slot.is_none_or(|(best, _)| q > best) {
            *slot = Some((q, position));
        }
    }
    match (best_html, best_json) {
        (Some((q, _)), None) => q > 0.0,
        (Some((qh, ph)), Some((qj, pj))) => qh > qj || (qh == qj && ph < pj),
        _ => false,
    }
}

/// Where this service's OGC API is for the client: `http://host:port/ogc`.
fn base_url(state: &AppState, request: &HttpRequest) -> String {
    let origin = super::identity::request_origin(request, &state.settings.trusted_proxies)
        .unwrap_or_else(|| state.settings.public_base_url.clone());
    format!("{origin}/ogc")
}

/// A link object.
fn link(href: impl Into<String>, rel: &str, media_type: &str, title: &str) -> Value {
    json!({ "href": href.into(), "rel": rel, "type": media_type, "title": title })
}

/// `url` with `f=` set to `format` (every other parameter kept as sent).
fn with_format(url: &str, format: &str) -> String {
    with_param(url, "f", Some(format))
}

/// `url` with parameter `name` set to `value` (or removed), the others kept exactly as sent.
fn with_param(url: &str, name: &str, value: Option<&str>) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(name))
        .map(str::to_string)
        .collect();
    if let Some(value) = value {
        let encoded: String =
            percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        parts.push(format!("{name}={encoded}"));
    }
    if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// The URL of this request as the client sent it.
fn self_url(state: &AppState, request: &HttpRequest) -> String {
    let base = base_url(state, request);
    let path = request.path().strip_prefix("/ogc").unwrap_or("");
    match request.query_string() {
        "" => format!("{base}{path}"),
        query => format!("{base}{path}?{query}"),
    }
}

/// A JSON document answer.
fn json_answer(status: StatusCode, media_type: &'static str, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media_type)))
        .insert_header((header::VARY, HeaderValue::from_static("Accept")))
        .body(body.to_string())
}

/// A page answer.
fn html_answer(page: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, HeaderValue::from_static("Accept")))
        .body(page)
}

/// The document as JSON or as a page, as the client asked.
fn answer(
    format: Format,
    media_type: &'static str,
    title: (&str, &str),
    document: &Value,
) -> HttpResponse {
    match format {
        Format::Json => json_answer(StatusCode::OK, media_type, document),
        Format::Html => html_answer(crate::render::ogc::page(title.0, title.1, document)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_gets_html_and_gis_clients_json() {
        assert!(prefers_html(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(!prefers_html("application/geo+json, application/json"));
        assert!(!prefers_html("*/*"));
        assert!(!prefers_html(""));
        assert!(!prefers_html("application/json, text/html"));
        assert!(prefers_html("application/json;q=0.5, text/html"));
        assert!(!prefers_html("text/html;q=0"));
    }

    #[test]
    fn a_parameter_is_replaced_and_the_others_kept_as_sent() {
        assert_eq!(
            with_param(
                "http://h/ogc/collections/places/items?limit=5&offset=10&crs=http://www.opengis.net/def/crs/EPSG/0/4490",
                "offset",
                Some("15")
            ),
            "http://h/ogc/collections/places/items?limit=5&crs=http://www.opengis.net/def/crs/EPSG/0/4490&offset=15"
        );
        assert_eq!(
            with_format("http://h/ogc/collections", "html"),
            "http://h/ogc/collections?f=html"
        );
        assert_eq!(with_param("http://h/ogc?f=json", "f", None), "http://h/ogc");
    }
}
