//! `/ogc/collections/{id}/items` and `/ogc/collections/{id}/items/{featureId}`: pages of
//! features with `bbox` (in `bbox-crs`), `datetime`, `limit`, `offset`, `crs` and the paging
//! links, and single features with their ETag, each answered with `Content-Crs`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    Format, GEOJSON, HTML, JSON, base_url, format, html_answer, json_answer, link, self_url,
    with_format, with_param,
};
use crate::app::ogc::{Feature, FilterQuery, ItemsQuery, Record};
use crate::app::{self, Identity};
use crate::domain::crs::Crs;
use crate::domain::field_error::FieldErrors;
use crate::domain::ogc::{OgcCrs, parse_bbox, parse_datetime, parse_limit, parse_offset};
use crate::domain::ogc_filter::FilterLang;
use crate::domain::version::entity_tag;
use crate::http::AppState;
use crate::http::features::PlaceFeature;
use crate::http::problem::Problem;
use crate::http::query::Query;

/// The parameters of a page of features, as Part 1 and Part 2 name them.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemsParams {
    bbox: Option<String>,
    #[serde(rename = "bbox-crs")]
    bbox_crs: Option<String>,
    crs: Option<String>,
    datetime: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    limit: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
    f: Option<String>,
    filter: Option<String>,
    #[serde(rename = "filter-lang")]
    filter_lang: Option<String>,
    #[serde(rename = "filter-crs")]
    filter_crs: Option<String>,
}

impl ItemsParams {
    /// Every parameter checked; all that are wrong are named together.
    fn checked(&self) -> Result<ItemsQuery, Problem> {
        let mut errors = FieldErrors::default();
        let mut crs_of = |field: &str, text: Option<&str>| match text {
            None => OgcCrs::Crs84,
            Some(text) => OgcCrs::parse(text).unwrap_or_else(|e| {
                errors.push(field, e.to_string());
                OgcCrs::Crs84
            }),
        };
        let crs = crs_of("crs", self.crs.as_deref());
        let bbox_crs = crs_of("bbox-crs", self.bbox_crs.as_deref());
        let filter_crs = crs_of("filter-crs", self.filter_crs.as_deref());
        if self.bbox_crs.is_some() && self.bbox.is_none() {
            errors.push(
                "bbox-crs",
                "bbox-crs names the system of bbox: give bbox too",
            );
        }
        fn field<T>(errors: &mut FieldErrors, name: &str, result: Result<T, String>) -> Option<T> {
            result.map_err(|message| errors.push(name, message)).ok()
        }
        let bbox = self
            .bbox
            .as_deref()
            .and_then(|text| field(&mut errors, "bbox", parse_bbox(text)))
            .map(|corners| (bbox_crs, corners));
        let temporal = self
            .datetime
            .as_deref()
            .and_then(|text| field(&mut errors, "datetime", parse_datetime(text)));
        let lang = self
            .filter_lang
            .as_deref()
            .map_or(Ok(FilterLang::Text), FilterLang::parse);
        let lang = field(&mut errors, "filter-lang", lang);
        // Filters are evaluated in CGCS2000 degrees: CRS84, or EPSG:4490 with its axes swapped.
        if !matches!(filter_crs, OgcCrs::Crs84 | OgcCrs::Epsg(Crs::Cgcs2000)) {
            errors.push(
                "filter-crs",
                "filters take CRS84 or EPSG:4490 geometries (http://www.opengis.net/def/crs/OGC/1.3/CRS84, http://www.opengis.net/def/crs/EPSG/0/4490)",
            );
        }
        if (self.filter_lang.is_some() || self.filter_crs.is_some()) && self.filter.is_none() {
            errors.push(
                "filter",
                "filter-lang and filter-crs describe a filter: give filter too",
            );
        }
        let filter = match (&self.filter, lang) {
            (Some(text), Some(_)) if text.trim().is_empty() => {
                errors.push(
                    "filter",
                    "an empty filter: leave the parameter out, or give a CQL2 expression",
                );
                None
            }
            (Some(text), Some(lang)) => Some(FilterQuery {
                text: text.clone(),
                lang,
                north_first: filter_crs.north_first(),
            }),
            _ => None,
        };
        let limit = field(&mut errors, "limit", parse_limit(self.limit.as_deref()));
        let offset = field(&mut errors, "offset", parse_offset(self.offset.as_deref()));
        let query = ItemsQuery {
            bbox,
            temporal,
            limit: limit.unwrap_or_default(),
            offset: offset.unwrap_or_default(),
            crs,
            filter,
        };
        errors.into_result(query).map_err(Problem::from)
    }
}

/// The parameters of one feature.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemParams {
    crs: Option<String>,
    f: Option<String>,
}

#[utoipa::path(
    get,
    path = "/ogc/collections/{id}/items",
    operation_id = "ogc_items_list",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places"), ItemsParams),
    responses(
        (status = 200, description = "the answer (`f=html` or `Accept: text/html`: a page)", content((Object = "application/geo+json"), (crate::http::openapi::Binary = "text/html"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    path: web::Path<String>,
    query: Query<ItemsParams>,
) -> Result<HttpResponse, Problem> {
    let format = format(&request, query.f.as_deref())?;
    let items = query.checked()?;
    let (info, page) = app::ogc::items::items(&state, &identity, &path, items.clone()).await?;
    let base = base_url(&state, &request);
    let collection = info.id.to_string();
    let here = self_url(&state, &request);
    let features: Vec<Value> = page
        .features
        .iter()
        .map(|f| feature_json(&state, &base, &collection, f, items.crs))
        .collect();
    let returned = features.len() as i64;
    let (self_type, other_type, other) = match format {
        Format::Json => (GEOJSON, HTML, "html"),
        Format::Html => (HTML, GEOJSON, "json"),
    };
    let mut links = vec![
        link(&here, "self", self_type, "本页 This document"),
        link(
            with_format(&here, other),
            "alternate",
            other_type,
            "本页的另一格式 This document in another format",
        ),
        link(
            format!("{base}/collections/{collection}"),
            "collection",
            JSON,
            "所属集合 The collection",
        ),
    ];
    // Paging links keep every other parameter as it was sent (so a client that compares them
    // with its own finds them), the format included.
    if items.offset + returned < page.matched {
        let next = (items.offset + items.limit).to_string();
        links.push(link(
            with_param(&here, "offset", Some(&next)),
            "next",
            self_type,
            "下一页 Next page",
        ));
    }
    if items.offset > 0 {
        let previous = (items.offset - items.limit).max(0).to_string();
        links.push(link(
            with_param(&here, "offset", Some(&previous)),
            "prev",
            self_type,
            "上一页 Previous page",
        ));
    }
    let document = json!({
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": page.matched,
        "numberReturned": returned,
        "timeStamp": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        "links": links,
    });
    let mut response = match format {
        Format::Json => json_answer(StatusCode::OK, GEOJSON, &document),
        Format::Html => html_answer(crate::render::ogc::page(
            &info.title_zh,
            &info.title_en,
            &document,
        )),
    };
    set_content_crs(&mut response, items.crs);
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/ogc/collections/{id}/items/{feature_id}",
    operation_id = "ogc_items_read",
    tag = "ogc",
    params(("id" = String, Path, description = "the collection (`places`, `divisions`, `boundary_lines`, …)", example = "places"), ("feature_id" = String, Path, description = "the feature's id", example = "1"), ItemParams),
    responses(
        (status = 200, description = "the record (`f=html` or `Accept: text/html`: a page)", content((Object = "application/geo+json"), (crate::http::openapi::Binary = "text/html"))),
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
    path: web::Path<(String, String)>,
    query: Query<ItemParams>,
) -> Result<HttpResponse, Problem> {
    let format = format(&request, query.f.as_deref())?;
    let crs = query
        .crs
        .as_deref()
        .map(OgcCrs::parse)
        .transpose()
        .map_err(|e| Problem::invalid_field("crs", e.to_string()))?
        .unwrap_or_default();
    let (id, feature_id) = path.into_inner();
    let (info, feature) = app::ogc::items::item(&state, &identity, &id, &feature_id, crs).await?;
    let base = base_url(&state, &request);
    let document = feature_json(&state, &base, &info.id.to_string(), &feature, crs);
    let mut response = match format {
        Format::Json => {
            let mut response = json_answer(StatusCode::OK, GEOJSON, &document);
            if let Ok(tag) = HeaderValue::from_str(&feature_tag(&feature, &document)) {
                response.headers_mut().insert(header::ETAG, tag);
            }
            response
        }
        Format::Html => html_answer(crate::render::ogc::page(
            &info.title_zh,
            &info.title_en,
            &document,
        )),
    };
    set_content_crs(&mut response, crs);
    Ok(response)
}

/// `Content-Crs: <uri>` (Part 2): the system the geometries of the answer are in.
pub(super) fn set_content_crs(response: &mut HttpResponse, crs: OgcCrs) {
    if let Ok(value) = HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("content-crs"), value);
    }
}

/// The entity tag of a feature: its record's version where the record is versioned (the tag
/// `If-Match` takes on a write, the same as the rest of the API gives), else a weak tag of
/// its content.
fn feature_tag(feature: &Feature, document: &Value) -> String {
    match &feature.record {
        Record::Place(place) => {
            entity_tag(crate::http::places::TAG_KIND, place.id, place.meta.version)
        }
        Record::Line(view) => match &view.recorded {
            Some(stored) => crate::http::boundaries::line_tag(stored),
            None => content_tag(document),
        },
        Record::Sign { sign, .. } => {
            entity_tag(crate::http::signs::TAG_KIND, sign.id, sign.version)
        }
        Record::Division { .. } | Record::Marker(_) => content_tag(document),
    }
}

fn content_tag(document: &Value) -> String {
    let digest = Sha256::digest(document.to_string().as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// A feature as GeoJSON with its links. A place is the Feature the rest of the API gives, its
/// register code and version copied into the properties for clients that keep properties only.
pub(super) fn feature_json(
    state: &AppState,
    base: &str,
    collection: &str,
    feature: &Feature,
    crs: OgcCrs,
) -> Value {
    let id = feature.id();
    let geometry = &feature.geometry;
    let mut value = match &feature.record {
        Record::Place(place) => {
            let mut value =
                serde_json::to_value(PlaceFeature::of(place, geometry)).unwrap_or_default();
            if let Some(properties) = value["properties"].as_object_mut() {
                properties.insert("code".into(), json!(place.code));
                properties.insert("version".into(), json!(place.meta.version));
            }
            value
        }
        Record::Division { division, place_id } => {
            let mut properties = serde_json::to_value(division).unwrap_or_default();
            properties["place_id"] = json!(place_id);
            json!({ "type": "Feature", "id": id, "geometry": geometry, "properties": properties })
        }
        Record::Line(view) => json!({
            "type": "Feature",
            "id": id,
            "geometry": geometry,
            "properties": crate::http::boundaries::line_properties(view, &crs.uri()),
        }),
        Record::Marker(marker) => json!({
            "type": "Feature",
            "id": id,
            "geometry": geometry,
            "properties": marker,
        }),
        Record::Sign { sign, public } => {
            let url = state.settings.public_url(&sign.public_code);
            let properties = if *public {
                // What the sign's public page shows of it.
                json!({
                    "public_code": sign.public_code,
                    "place_id": sign.place_id,
                    "kind": sign.kind,
                    "address": sign.address,
                    "status": sign.status,
                    "url": url,
                })
            } else {
                let mut properties = serde_json::to_value(sign).unwrap_or_default();
                properties["url"] = json!(url);
                properties
            };
            json!({ "type": "Feature", "id": sign.id, "geometry": geometry, "properties": properties })
        }
    };
    let here = format!("{base}/collections/{collection}/items/{id}");
    value["links"] = json!([
        link(&here, "self", GEOJSON, "本要素 This feature"),
        link(
            with_format(&here, "html"),
            "alternate",
            HTML,
            "本要素网页 This feature as a page"
        ),
        link(
            format!("{base}/collections/{collection}"),
            "collection",
            JSON,
            "所属集合 The collection"
        ),
    ]);
    value
}
