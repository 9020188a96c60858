//! `/api/v1/signs`: the sign inventory for staff (register, edit, maintenance log, photos,
//! tickets from public reports, scan counts), and QR codes and print sheets.

use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use serde_json::json;

use super::body::JsonBody;
use super::photos::receive_photo;
use super::precondition::expected_version;
use super::problem::Problem;
use super::{AppState, today};
use crate::app::Staff;
use crate::app::signs_cache::RenderedQr;
use crate::domain::account::Actor;
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::place::PlaceStatus;
use crate::domain::sign::{PublicCode, SignInput, SignKind, SignStatus};
use crate::domain::version::entity_tag;
use crate::render::qr::{DPI_RANGE, QrMatrix, SIZES_MM, SheetItem, sheet_pdf, sheet_svg};
use crate::store::places::VersionSelector;
use crate::store::signs::{Maintenance, Sign, SignFilter};

const TAG_KIND: char = 's';

fn rendered_qr(media_type: &str, bytes: Vec<u8>, etag: String) -> RenderedQr {
    RenderedQr {
        media_type: media_type.to_string(),
        bytes: web::Bytes::from(bytes),
        etag,
    }
}

fn sign_json(state: &AppState, sign: &Sign) -> serde_json::Value {
    let url = state.settings.public_url(&sign.public_code);
    json!({ "sign": sign, "url": url, "qr": { "svg": format!("/api/v1/signs/{}/qr.svg", sign.id), "png": format!("/api/v1/signs/{}/qr.png", sign.id) } })
}

fn sign_response(state: &AppState, status: StatusCode, sign: &Sign) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, entity_tag(TAG_KIND, sign.id, sign.version)))
        .json(sign_json(state, sign))
}

/// The division a sign belongs to: the main division of the place it shows, which must be a
/// current, known record.
async fn place_division(state: &AppState, place_id: i64) -> Result<DivisionCode, Problem> {
    let place = state
        .store
        .place(place_id, VersionSelector::Current, false)
        .await?
        .ok_or_else(|| {
            Problem::invalid_field("place_id", format!("there is no place {place_id}"))
        })?;
    if place.properties.status == PlaceStatus::Historical {
        return Err(Problem::invalid_field(
            "place_id",
            "the place's name is historical: a new sign shows a current name",
        ));
    }
    let code = place
        .properties
        .division_codes
        .first()
        .ok_or_else(Problem::internal)?;
    DivisionCode::parse(code).map_err(|_| Problem::internal())
}

fn may_edit(actor: &Actor, division: &DivisionCode) -> Result<(), Problem> {
    actor
        .may_edit_places_in(std::slice::from_ref(division))
        .map_err(Problem::from)
}

async fn existing_sign(state: &AppState, id: i64) -> Result<Sign, Problem> {
    state
        .store
        .sign(id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("there is no sign {id}")))
}

pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(input): JsonBody<SignInput>,
) -> Result<HttpResponse, Problem> {
    let input = input.validate(today())?;
    let division = place_division(&state, input.place_id).await?;
    may_edit(&staff.actor, &division)?;
    let sign = state
        .store
        .create_sign(&input, division.as_str(), random_code, &staff.author())
        .await?;
    state.content_changed();
    let mut response = sign_response(&state, StatusCode::CREATED, &sign);
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/api/v1/signs/{}", sign.id))
            .map_err(|_| Problem::internal())?,
    );
    Ok(response)
}

fn random_code() -> PublicCode {
    let mut bytes = [0u8; 5];
    // getrandom reads the kernel's generator; it cannot fail on a running Linux system.
    getrandom::fill(&mut bytes).expect("the system random generator is available");
    PublicCode::from_random(bytes)
}

pub async fn read(
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let sign = existing_sign(&state, path.into_inner()).await?;
    Ok(sign_response(&state, StatusCode::OK, &sign))
}

pub async fn update(
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    JsonBody(mut input): JsonBody<SignInput>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "sign")?;
    let current = existing_sign(&state, id).await?;
    may_edit(
        &staff.actor,
        &DivisionCode::parse(&current.division_code).map_err(|_| Problem::internal())?,
    )?;
    match input.status.take() {
        Some(status) if status != current.status => {
            return Err(Problem::invalid_field(
                "status",
                "change a sign's status through its maintenance log (POST .../maintenance)",
            ));
        }
        _ => {}
    }
    let input = input.validate(today())?;
    let division = place_division(&state, input.place_id).await?;
    may_edit(&staff.actor, &division)?;
    let sign = state
        .store
        .update_sign(id, expected, &input, division.as_str(), &staff.author())
        .await?;
    state.content_changed();
    Ok(sign_response(&state, StatusCode::OK, &sign))
}

#[derive(Deserialize)]
pub struct ListQuery {
    division: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    place_id: Option<i64>,
    due_for_maintenance: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn list(
    state: web::Data<AppState>,
    _staff: Staff,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let mut filter = SignFilter {
        limit: query.limit.unwrap_or(100),
        offset: query.offset.unwrap_or(0),
        place_id: query.place_id,
        ..Default::default()
    };
    if !(1..=1000).contains(&filter.limit) || filter.offset < 0 {
        return Err(Problem::invalid_field(
            "limit",
            "limit 1 to 1000, offset from 0",
        ));
    }
    if let Some(division) = &query.division {
        let prefix = Jurisdiction::parse(division)
            .map_err(|e| Problem::invalid_field("division", format!("{division:?}: {e}")))?;
        filter.division_prefix = Some(prefix.as_str().to_string());
    }
    if let Some(status) = &query.status {
        filter.status = Some(SignStatus::parse(status).ok_or_else(|| {
            Problem::invalid_field("status", "planned, installed, damaged, missing or retired")
        })?);
    }
    if let Some(kind) = &query.kind {
        filter.kind = Some(SignKind::parse(kind).ok_or_else(|| {
            Problem::invalid_field(
                "kind",
                "a sign kind such as street, lane, village, door_plate_large",
            )
        })?);
    }
    if query.due_for_maintenance == Some(true) {
        filter.maintained_before =
            Some(today() - Duration::days(state.settings.maintenance_interval_days));
    }
    let (signs, total) = state.store.list_signs(&filter).await?;
    let signs: Vec<_> = signs.iter().map(|s| sign_json(&state, s)).collect();
    Ok(HttpResponse::Ok()
        .json(json!({ "signs": signs, "numberMatched": total, "numberReturned": signs.len() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceInput {
    action: String,
    #[serde(default)]
    done_on: Option<NaiveDate>,
    #[serde(default)]
    notes: Option<String>,
    /// The sign's status after the work, if it changed.
    #[serde(default)]
    status: Option<SignStatus>,
    /// For a replacement: the new sign.
    #[serde(default)]
    replaced_by: Option<i64>,
    #[serde(default)]
    photo_id: Option<i64>,
}

pub async fn record_maintenance(
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    JsonBody(input): JsonBody<MaintenanceInput>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "sign")?;
    let sign = existing_sign(&state, id).await?;
    may_edit(
        &staff.actor,
        &DivisionCode::parse(&sign.division_code).map_err(|_| Problem::internal())?,
    )?;
    if ![
        "inspected",
        "cleaned",
        "repaired",
        "replaced",
        "status_changed",
    ]
    .contains(&input.action.as_str())
    {
        return Err(Problem::invalid_field(
            "action",
            "inspected, cleaned, repaired, replaced or status_changed",
        ));
    }
    let done_on = input.done_on.unwrap_or_else(today);
    if done_on > today() {
        return Err(Problem::invalid_field(
            "done_on",
            "work cannot be recorded before it is done",
        ));
    }
    let status_after = match input.status {
        Some(next) => sign
            .status
            .transition(next)
            .map_err(|e| Problem::conflict(e.to_string()))?,
        None if input.action == "replaced" => SignStatus::Retired,
        None => sign.status,
    };
    if let Some(replacement) = input.replaced_by
        && (replacement == id || state.store.sign(replacement).await?.is_none())
    {
        return Err(Problem::invalid_field(
            "replaced_by",
            "the id of another registered sign",
        ));
    }
    if let Some(photo) = input.photo_id
        && state
            .store
            .sign_photo(photo)
            .await?
            .is_none_or(|p| p.sign_id != id)
    {
        return Err(Problem::invalid_field(
            "photo_id",
            "a photo uploaded for this sign",
        ));
    }
    let notes = input
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let work = Maintenance {
        action: &input.action,
        done_on,
        notes,
        status_after,
        replaced_by: input.replaced_by,
        photo_id: input.photo_id,
    };
    let sign = state
        .store
        .record_maintenance(id, expected, &work, &staff.author())
        .await?;
    state.content_changed();
    Ok(sign_response(&state, StatusCode::OK, &sign))
}

pub async fn maintenance_log(
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    existing_sign(&state, id).await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "sign_id": id, "entries": state.store.maintenance_log(id).await? })))
}

pub async fn upload_photo(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    form: Multipart,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let sign = existing_sign(&state, id).await?;
    may_edit(
        &staff.actor,
        &DivisionCode::parse(&sign.division_code).map_err(|_| Problem::internal())?,
    )?;
    let photo = receive_photo(form, state.settings.staff_photo_limits()).await?;
    let photo_id = state
        .store
        .add_sign_photo(
            id,
            photo.media_type,
            (photo.width, photo.height),
            &photo.bytes,
            &staff.author(),
        )
        .await?;
    Ok(HttpResponse::Created()
        .json(json!({ "photo_id": photo_id, "width": photo.width, "height": photo.height })))
}

pub async fn photo(
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let photo = state
        .store
        .sign_photo(path.into_inner())
        .await?
        .ok_or_else(|| Problem::not_found("no such photo"))?;
    Ok(HttpResponse::Ok()
        .content_type(photo.media_type)
        .body(photo.bytes))
}

#[derive(Deserialize)]
pub struct QrQuery {
    size_mm: Option<u32>,
    dpi: Option<u32>,
}

/// `qr.svg` / `qr.png`: rendered once per sign and size, then served from memory (backed by the
/// database) with a strong ETag; a sign's code never changes.
pub async fn qr(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(i64, String)>,
    query: web::Query<QrQuery>,
) -> Result<HttpResponse, Problem> {
    let (id, format) = path.into_inner();
    let size_mm = query.size_mm.unwrap_or(40);
    if !SIZES_MM.contains(&size_mm) {
        return Err(Problem::invalid_field(
            "size_mm",
            "40, 75 or 120 (small, medium, large plates)",
        ));
    }
    let dpi = query.dpi.unwrap_or(300);
    if !DPI_RANGE.contains(&dpi) {
        return Err(Problem::invalid_field("dpi", "72 to 1200"));
    }
    let variant = match format.as_str() {
        "svg" => format!("svg-{size_mm}"),
        "png" => format!("png-{size_mm}-{dpi}"),
        _ => return Err(Problem::not_found("QR codes come as qr.svg or qr.png")),
    };
    let key = (id, variant.clone());
    let rendered = match state.qr_cache.get(&key) {
        Some(hit) => hit,
        None => {
            let rendered = Arc::new(render_qr(&state, id, &variant, &format, size_mm, dpi).await?);
            state.qr_cache.insert(key, rendered.clone());
            rendered
        }
    };
    let not_modified = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().as_bytes() == rendered.etag.as_bytes())
        });
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, rendered.etag.as_str()))
        .insert_header((
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ));
    if not_modified {
        return Ok(response.finish());
    }
    Ok(response
        .content_type(rendered.media_type.as_str())
        .body(rendered.bytes.clone()))
}

async fn render_qr(
    state: &AppState,
    id: i64,
    variant: &str,
    format: &str,
    size_mm: u32,
    dpi: u32,
) -> Result<RenderedQr, Problem> {
    let etag = format!("\"qr{id}-{variant}\"");
    if let Some((media_type, bytes)) = state.store.stored_qr(id, variant).await? {
        return Ok(rendered_qr(&media_type, bytes, etag));
    }
    let sign = existing_sign(state, id).await?;
    let url = state.settings.public_url(&sign.public_code);
    let format = format.to_string();
    let (media_type, bytes) = web::block(move || -> Result<(String, Vec<u8>), String> {
        let matrix = QrMatrix::encode(&url).map_err(|e| e.to_string())?;
        Ok(match format.as_str() {
            "svg" => (
                "image/svg+xml".to_string(),
                matrix.svg(size_mm).into_bytes(),
            ),
            _ => (
                "image/png".to_string(),
                matrix.png(size_mm, dpi).map_err(|e| e.to_string())?,
            ),
        })
    })
    .await
    .map_err(|_| Problem::internal())?
    .map_err(|e| {
        tracing::error!(error = %e, "QR rendering failed");
        Problem::internal()
    })?;
    state
        .store
        .store_qr(id, variant, &media_type, &bytes)
        .await?;
    Ok(rendered_qr(&media_type, bytes, etag))
}

#[derive(Deserialize)]
pub struct SheetQuery {
    ids: String,
    size_mm: Option<u32>,
    /// `svg` (default) or `pdf`.
    format: Option<String>,
}

pub async fn qr_sheet(
    state: web::Data<AppState>,
    _staff: Staff,
    query: web::Query<SheetQuery>,
) -> Result<HttpResponse, Problem> {
    let ids: Vec<i64> = query
        .ids
        .split(',')
        .map(|id| id.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| Problem::invalid_field("ids", "sign ids separated by commas: 1,2,3"))?;
    if ids.is_empty() || ids.len() > 200 {
        return Err(Problem::invalid_field("ids", "1 to 200 sign ids"));
    }
    let size_mm = query.size_mm.unwrap_or(40);
    if !SIZES_MM.contains(&size_mm) {
        return Err(Problem::invalid_field("size_mm", "40, 75 or 120"));
    }
    let (signs, _) = state
        .store
        .list_signs(&SignFilter {
            ids: Some(ids.clone()),
            limit: 1000,
            ..Default::default()
        })
        .await?;
    if let Some(missing) = ids.iter().find(|id| !signs.iter().any(|s| s.id == **id)) {
        return Err(Problem::invalid_field(
            "ids",
            format!("there is no sign {missing}"),
        ));
    }
    let items: Vec<SheetItem> = signs
        .iter()
        .map(|s| SheetItem {
            url: state.settings.public_url(&s.public_code),
            label: format!(
                "{} {}",
                s.sign_number.as_deref().unwrap_or(""),
                s.public_code
            )
            .trim()
            .to_string(),
        })
        .collect();
    let too_many = || {
        Problem::invalid_field(
            "ids",
            format!("more codes of {size_mm} mm than fit on one A4 sheet: ask for fewer"),
        )
    };
    match query.format.as_deref().unwrap_or("svg") {
        "svg" => {
            let svg = sheet_svg(&items, size_mm)
                .map_err(|_| Problem::internal())?
                .ok_or_else(too_many)?;
            Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
        }
        "pdf" => {
            let pdf = sheet_pdf(&items, size_mm)
                .map_err(|_| Problem::internal())?
                .ok_or_else(too_many)?;
            Ok(HttpResponse::Ok()
                .content_type("application/pdf")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    "inline; filename=\"qr-sheet.pdf\"",
                ))
                .body(pdf))
        }
        _ => Err(Problem::invalid_field("format", "svg or pdf")),
    }
}

#[derive(Deserialize)]
pub struct ReportsQuery {
    status: Option<String>,
}

fn covers(actor: &Actor, division: &str) -> bool {
    DivisionCode::parse(division).is_ok_and(|code| actor.may_edit_places_in(&[code]).is_ok())
}

pub async fn reports(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ReportsQuery>,
) -> Result<HttpResponse, Problem> {
    if let Some(status) = &query.status
        && !["open", "in_progress", "closed"].contains(&status.as_str())
    {
        return Err(Problem::invalid_field(
            "status",
            "open, in_progress or closed",
        ));
    }
    let reports = state
        .store
        .reports(None, query.status.as_deref(), 1000)
        .await?;
    let visible: Vec<_> = reports
        .into_iter()
        .filter(|r| {
            staff.actor.role == crate::domain::account::Role::Admin
                || covers(&staff.actor, &r.division_code)
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "reports": visible })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandleReport {
    status: String,
    #[serde(default)]
    resolution: Option<String>,
}

pub async fn handle_report(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    JsonBody(body): JsonBody<HandleReport>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let report = state
        .store
        .report(id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("there is no report {id}")))?;
    if !covers(&staff.actor, &report.division_code) {
        return Err(Problem::forbidden(format!(
            "the sign of report {id} is outside your jurisdiction"
        )));
    }
    if !["in_progress", "closed"].contains(&body.status.as_str()) {
        return Err(Problem::invalid_field("status", "in_progress or closed"));
    }
    let resolution = body
        .resolution
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if body.status == "closed" && resolution.is_none() {
        return Err(Problem::invalid_field(
            "resolution",
            "say how the report was resolved",
        ));
    }
    let report = state
        .store
        .handle_report(id, &body.status, resolution, &staff.author())
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "report": report })))
}

pub async fn scans(
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    existing_sign(&state, id).await?;
    state.flush_scans().await?;
    let days: Vec<_> = state
        .store
        .scans(id)
        .await?
        .into_iter()
        .map(|(day, count)| json!({ "day": day, "count": count }))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "sign_id": id, "days": days })))
}
