//! The landing page (`/ogc`) and the conformance declaration (`/ogc/conformance`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{Format, HTML, JSON, OPENAPI, answer, base_url, format, link, with_format};
use crate::http::AppState;
use crate::http::problem::Problem;
use crate::http::query::Query;

/// The parameters of a document that only comes in formats.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    pub(super) f: Option<String>,
}

/// The conformance classes this API implements.
pub const CONFORMANCE: [&str; 19] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
];

#[utoipa::path(
    get,
    path = "/ogc",
    operation_id = "ogc_landing_landing",
    tag = "ogc",
    params(FormatQuery),
    responses(
        (status = 200, description = "the answer (`f=html` or `Accept: text/html`: a page)", content((Object = "application/json"), (crate::http::openapi::Binary = "text/html"))),
        (status = 400, response = crate::http::openapi::BadRequest)
    ),
    security(())
)]
pub async fn landing(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: Query<FormatQuery>,
) -> Result<HttpResponse, Problem> {
    let format = format(&request, query.f.as_deref())?;
    let base = base_url(&state, &request);
    let (here, self_type, other_type, other) = match format {
        Format::Json => (base.clone(), JSON, HTML, "html"),
        Format::Html => (with_format(&base, "html"), HTML, JSON, "json"),
    };
    let document = json!({
        "title": "地名区划服务 Place names and divisions (diming)",
        "description": "地名普查记录、行政区划、界线、界桩与地名标志，按 OGC API - Features 提供。 Place-name census records, divisions, boundary lines, markers and signs through OGC API - Features.",
        "links": [
            link(&here, "self", self_type, "本页 This document"),
            link(with_format(&base, other), "alternate", other_type, "本页的另一格式 This document in another format"),
            link(format!("{base}/api"), "service-desc", OPENAPI, "API 定义 The API definition (OpenAPI 3.0)"),
            link(format!("{base}/api?f=html"), "service-doc", HTML, "API 说明 The API definition as a page"),
            link(format!("{base}/conformance"), "conformance", JSON, "符合的标准类 Conformance classes"),
            link(format!("{base}/collections"), "data", JSON, "数据集 Collections"),
        ],
    });
    Ok(answer(
        format,
        JSON,
        ("地名区划服务", "OGC API - Features"),
        &document,
    ))
}

#[utoipa::path(
    get,
    path = "/ogc/conformance",
    operation_id = "ogc_landing_conformance",
    tag = "ogc",
    params(FormatQuery),
    responses(
        (status = 200, description = "the answer (`f=html` or `Accept: text/html`: a page)", content((Object = "application/json"), (crate::http::openapi::Binary = "text/html"))),
        (status = 400, response = crate::http::openapi::BadRequest)
    ),
    security(())
)]
pub async fn conformance(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: Query<FormatQuery>,
) -> Result<HttpResponse, Problem> {
    let format = format(&request, query.f.as_deref())?;
    let base = base_url(&state, &request);
    let document = json!({
        "conformsTo": CONFORMANCE,
        "links": [
            link(format!("{base}/conformance"), "self", JSON, "本页 This document"),
            link(format!("{base}/conformance?f=html"), "alternate", HTML, "本页网页 This document as a page"),
        ],
    });
    Ok(answer(
        format,
        JSON,
        ("符合的标准类", "Conformance"),
        &document,
    ))
}
