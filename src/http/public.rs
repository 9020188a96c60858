//! The public side of a sign: `/s/{code}` (the page its QR code opens) and
//! `/s/{code}/report` (a problem report, no sign-in). Only public records are ever shown.

use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::TryStreamExt;
use geo::{Coord, Distance, Geometry, Haversine, Point};
use serde::Deserialize;

use super::AppState;
use super::photos::photo_problem;
use super::problem::Problem;
use crate::domain::division_code::DivisionCode;
use crate::domain::place::{PlaceStatus, ValidPlace};
use crate::domain::sign::{PublicCode, SignError, SignStatus};
use crate::media::clean_photo_bounded;
use crate::render::map::{MapScene, MapView, render_svg};
use crate::render::public_page::{
    self, Lang, PlaceView, SignPage, not_found_page, report_result_page,
};
use crate::store::audit::Author;
use crate::store::places::{PlaceFilter, StoredPlace, VersionSelector};
use crate::store::signs::Sign;

/// How far around the sign nearby names are looked for, and the map's narrowest and widest
/// half-width: the map widens until it shows the nearest few names.
const SEARCH_RADIUS_M: f64 = 12_000.0;
const MIN_HALF_WIDTH_M: f64 = 1_000.0;
const MAX_HALF_WIDTH_M: f64 = 10_000.0;
const NEARBY_NAMES: usize = 6;
const NAMES_TO_FIT: usize = 3;

#[derive(Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

fn lang_of(request: &HttpRequest, query: Option<&str>) -> Lang {
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::choose(query, accept)
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"))
        .insert_header((header::VARY, "Accept-Language"))
        .body(body)
}

/// The sign behind a code and its public place, or the friendly 404 page to answer with.
async fn public_sign(
    state: &AppState,
    code: &str,
    lang: Lang,
) -> Result<Result<(Sign, StoredPlace), HttpResponse>, Problem> {
    let code = match PublicCode::parse(code) {
        Ok(code) => code,
        Err(error) => {
            return Ok(Err(html(
                StatusCode::NOT_FOUND,
                not_found_page(lang, error == SignError::CheckFailed),
            )));
        }
    };
    let Some(sign) = state.store.sign_by_code(&code).await? else {
        return Ok(Err(html(
            StatusCode::NOT_FOUND,
            not_found_page(lang, false),
        )));
    };
    // A sign of a record that is not public shows nothing of it.
    match state
        .store
        .place(sign.place_id, VersionSelector::Current, true)
        .await?
    {
        Some(place) => Ok(Ok((sign, place))),
        None => Ok(Err(html(
            StatusCode::NOT_FOUND,
            not_found_page(lang, false),
        ))),
    }
}

pub async fn sign_page(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, Problem> {
    let lang = lang_of(&request, query.lang.as_deref());
    let code = path.into_inner().to_ascii_uppercase();
    let key = (code.clone(), lang == Lang::En);
    let generation = state.generation();
    if let Some(cached) = state.page_cache.get(&key)
        && cached.0 == generation
    {
        if let Some(sign_id) = state.sign_ids.get(&code) {
            state.count_scan(sign_id);
        }
        return Ok(html(StatusCode::OK, cached.1.clone()));
    }
    let (sign, place) = match public_sign(&state, &code, lang).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    state.count_scan(sign.id);
    let page = build_page(&state, lang, &sign, &place).await?;
    state
        .page_cache
        .insert(key, Arc::new((generation, page.clone())));
    state.sign_ids.insert(code, sign.id);
    Ok(html(StatusCode::OK, page))
}

async fn build_page(
    state: &AppState,
    lang: Lang,
    sign: &Sign,
    place: &StoredPlace,
) -> Result<String, Problem> {
    let properties = &place.properties;
    let category = state.catalog.get(&properties.category);
    let chain = match properties
        .division_codes
        .first()
        .map(|c| DivisionCode::parse(c))
    {
        Some(Ok(code)) => state
            .store
            .division_chain(&code)
            .await?
            .into_iter()
            .map(|d| d.name)
            .collect(),
        _ => Vec::new(),
    };
    let geometry: Option<Geometry<f64>> = place
        .geometry
        .as_ref()
        .and_then(|g| {
            ValidPlace::parse(properties.clone(), Some(g), &state.catalog, super::today()).ok()
        })
        .and_then(|v| v.geometry().cloned());
    let center = sign.position.map(|[x, y]| Coord { x, y }).or_else(|| {
        geometry
            .as_ref()
            .and_then(geo::Centroid::centroid)
            .map(|p| p.0)
    });
    let (map_svg, nearby) = match center {
        Some(center) => {
            surroundings(
                state,
                place.id,
                center,
                geometry.as_ref(),
                &properties.standard_name,
                sign.position.is_some(),
            )
            .await?
        }
        None => (None, Vec::new()),
    };
    let retired = if sign.status == SignStatus::Retired {
        let replacement = match sign.replaced_by {
            Some(id) => state
                .store
                .sign(id)
                .await?
                .map(|s| format!("/s/{}", s.public_code)),
            None => None,
        };
        Some(replacement)
    } else {
        None
    };
    let page = SignPage {
        lang,
        code: sign.public_code.clone(),
        sign_kind: (
            sign.kind.name_zh().to_string(),
            sign.kind.as_str().replace('_', " "),
        ),
        address: sign.address.clone(),
        place: PlaceView {
            standard_name: properties.standard_name.clone(),
            romanization: properties.romanization.clone(),
            english_name: properties
                .alternate_names
                .iter()
                .find(|a| a.language.as_deref() == Some("en"))
                .map(|a| a.name.clone()),
            minority_script_name: properties.minority_script_name.clone(),
            category: category
                .map_or_else(Default::default, |c| (c.name_zh.clone(), c.name_en.clone())),
            division_chain: chain,
            meaning: properties.meaning.clone(),
            history: properties.history.clone(),
            description: properties.description.clone(),
            historical: properties.status == PlaceStatus::Historical,
        },
        position: center.map(|c| (c.x, c.y)),
        map_svg,
        nearby,
        retired,
    };
    Ok(public_page::sign_page(&page))
}

/// The map around `center` and the nearest public names with their distances in metres.
async fn surroundings(
    state: &AppState,
    place_id: i64,
    center: Coord<f64>,
    feature: Option<&Geometry<f64>>,
    name: &str,
    marker: bool,
) -> Result<(Option<String>, Vec<(String, f64)>), Problem> {
    let degrees_lat = SEARCH_RADIUS_M / 111_320.0;
    let degrees_lon = degrees_lat / center.y.to_radians().cos();
    let filter = PlaceFilter {
        bbox: Some([
            center.x - degrees_lon,
            center.y - degrees_lat,
            center.x + degrees_lon,
            center.y + degrees_lat,
        ]),
        public_only: true,
        status: Some("current"),
        limit: 300,
        ..Default::default()
    };
    let (around, _) = state.store.list_places(&filter).await?;
    let mut boundaries = Vec::new();
    let mut nearby = Vec::new();
    for other in around.iter().filter(|p| p.id != place_id) {
        let Some(geometry) = other
            .geometry
            .as_ref()
            .and_then(|g| crate::domain::geometry::parse_geometry(g, "geometry").ok())
        else {
            continue;
        };
        match &geometry {
            Geometry::Point(point) => {
                let metres = Haversine.distance(Point::from(center), *point);
                nearby.push((other.properties.standard_name.clone(), metres, point.0));
            }
            Geometry::Polygon(_) | Geometry::MultiPolygon(_) => boundaries.push(geometry),
            _ => {}
        }
    }
    nearby.sort_by(|a, b| a.1.total_cmp(&b.1));
    nearby.truncate(NEARBY_NAMES);
    let fit = nearby
        .get(NAMES_TO_FIT.min(nearby.len()).saturating_sub(1))
        .map_or(MIN_HALF_WIDTH_M, |n| n.1 * 1.3);
    let view = MapView {
        center,
        half_width_m: fit.clamp(MIN_HALF_WIDTH_M, MAX_HALF_WIDTH_M),
        width_px: 360.0,
        height_px: 240.0,
    };
    let scene = MapScene {
        boundaries: boundaries.iter().collect(),
        feature: feature.filter(|g| !matches!(g, Geometry::Point(_)) || !marker),
        labels: nearby.iter().map(|(n, _, at)| (n.clone(), *at)).collect(),
        marker: marker.then_some(center),
    };
    let svg = render_svg(&view, &scene, name);
    Ok((
        Some(svg),
        nearby.into_iter().map(|(n, m, _)| (n, m)).collect(),
    ))
}

/// The fields of the report form.
#[derive(Default)]
struct ReportForm {
    kind: String,
    text: String,
    website: String,
    lang: String,
    photo: Option<Vec<u8>>,
}

const MAX_FIELD_BYTES: usize = 8 * 1024;

async fn read_form(mut form: Multipart, max_photo: usize) -> Result<ReportForm, Problem> {
    let mut out = ReportForm::default();
    while let Some(mut field) = form
        .try_next()
        .await
        .map_err(|e| Problem::invalid_field("form", e.to_string()))?
    {
        let name = field.name().unwrap_or("").to_string();
        let limit = if name == "photo" {
            max_photo
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field
            .try_next()
            .await
            .map_err(|e| Problem::invalid_field(&name, e.to_string()))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "photo" {
                    photo_problem(crate::media::PhotoError::TooLarge(max_photo))
                } else {
                    Problem::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "field-too-large",
                        "Too long",
                        format!("{name} is too long"),
                    )
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_string();
        match name.as_str() {
            "kind" => out.kind = text(),
            "text" => out.text = text(),
            "website" => out.website = text(),
            "lang" => out.lang = text(),
            "photo" if !bytes.is_empty() => out.photo = Some(bytes),
            _ => {}
        }
    }
    Ok(out)
}

pub async fn report(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: Multipart,
) -> Result<HttpResponse, Problem> {
    let code = path.into_inner();
    let mut lang = lang_of(&request, None);
    let (sign, _) = match public_sign(&state, &code, lang).await? {
        Ok(found) => found,
        Err(not_found) => return Ok(not_found),
    };
    let answer = |status: StatusCode, lang: Lang, problem: Option<&str>| {
        html(status, report_result_page(lang, &sign.public_code, problem))
    };
    let form = match read_form(form, state.settings.report_photo_limits().max_bytes).await {
        Ok(form) => form,
        Err(problem) => {
            return Ok(answer(
                StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST),
                lang,
                Some(&problem.detail),
            ));
        }
    };
    lang = Lang::choose(Some(&form.lang), None);
    // The honeypot field is invisible to people; only robots fill it in.
    if !form.website.is_empty() {
        return Ok(answer(
            StatusCode::BAD_REQUEST,
            lang,
            Some("the form was not filled in by a person"),
        ));
    }
    let address = request.peer_addr().map(|a| a.ip());
    let limited = address.is_some_and(|ip| state.reports_per_address.check_key(&ip).is_err())
        || state.reports_per_sign.check_key(&sign.id).is_err();
    if limited {
        let text = match lang {
            Lang::Zh => "提交过于频繁，请稍后再试。",
            Lang::En => "Too many reports: please try again later.",
        };
        let mut response = answer(StatusCode::TOO_MANY_REQUESTS, lang, Some(text));
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static("3600"),
        );
        return Ok(response);
    }
    if !["damaged", "dirty", "missing", "wrong_text", "other"].contains(&form.kind.as_str()) {
        return Ok(answer(
            StatusCode::BAD_REQUEST,
            lang,
            Some("choose a kind of problem"),
        ));
    }
    if form.text.is_empty() || form.text.chars().count() > 1000 {
        let text = match lang {
            Lang::Zh => "请用 1 至 1000 字说明问题。",
            Lang::En => "Say what is wrong in 1 to 1000 characters.",
        };
        return Ok(answer(StatusCode::BAD_REQUEST, lang, Some(text)));
    }
    let photo = match form.photo {
        Some(bytes) => {
            match clean_photo_bounded(bytes, state.settings.report_photo_limits()).await {
                Ok(photo) => Some(photo),
                Err(error) => {
                    let problem = photo_problem(error);
                    return Ok(answer(
                        StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST),
                        lang,
                        Some(&problem.detail),
                    ));
                }
            }
        }
        None => None,
    };
    let author = Author {
        user_id: None,
        username: "public".into(),
        remote_addr: None,
    };
    state
        .store
        .open_report(
            sign.id,
            &form.kind,
            &form.text,
            photo
                .as_ref()
                .map(|p| (p.media_type, (p.width, p.height), p.bytes.as_slice())),
            &author,
        )
        .await?;
    Ok(answer(StatusCode::CREATED, lang, None))
}
