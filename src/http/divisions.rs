//! `/api/v1/divisions`: the hierarchy, names, kinds and seats of divisions as of any day (today
//! by default), as JSON or as a CSV export, and one division with its chain, its states across
//! code changes and the change events the caller may see (see `app::divisions`).

use crate::http::query::Query;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::places::{AsOfQuery, parse_day};
use super::problem::Problem;
use crate::app::{self, Identity};
use crate::domain::division_code::{DivisionCode, DivisionLevel};
use crate::store::divisions::{DivisionFilter, DivisionRecord};

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 10_000;
/// A CSV export may hold the whole national table in one file.
const MAX_CSV_LIMIT: i64 = 1_000_000;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    parent: Option<String>,
    level: Option<String>,
    within: Option<String>,
    q: Option<String>,
    #[param(value_type = Option<String>, format = Date, example = "2024-01-01")]
    as_of: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
    format: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/divisions",
    operation_id = "divisions_list",
    tag = "divisions",
    params(ListQuery),
    responses(
        (status = 200, description = "the divisions in force on the day; `format=csv`: all of them as CSV", content((crate::http::openapi::DivisionList = "application/json"), (crate::http::openapi::Binary = "text/csv"))),
        (status = 400, response = crate::http::openapi::BadRequest)
    ),
    security(())
)]
pub async fn list(
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let day = day_of(query.as_of.as_deref())?;
    let code = |text: &str, field: &str| {
        DivisionCode::parse(text.trim())
            .map_err(|e| Problem::invalid_field(field, format!("{text}: {e}")))
    };
    let level = query
        .level
        .as_deref()
        .map(|text| {
            serde_json::from_value::<DivisionLevel>(json!(text.trim())).map_err(|_| {
                Problem::invalid_field(
                    "level",
                    format!(
                        "{text:?} is not one of province, prefecture, county, township, village"
                    ),
                )
            })
        })
        .transpose()?;
    let offset = query.offset.unwrap_or(0);
    if offset < 0 {
        return Err(Problem::invalid_field("offset", "0 or more"));
    }
    let format = match query.format.as_deref().map(str::trim) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(Problem::invalid_field(
                "format",
                format!("{other:?} is not json or csv"),
            ));
        }
    };
    let (default_limit, max_limit) = if format {
        (MAX_CSV_LIMIT, MAX_CSV_LIMIT)
    } else {
        (DEFAULT_LIMIT, MAX_LIMIT)
    };
    let limit = query.limit.unwrap_or(default_limit);
    if !(1..=max_limit).contains(&limit) {
        return Err(Problem::invalid_field(
            "limit",
            format!("between 1 and {max_limit}"),
        ));
    }
    let name_contains = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if name_contains.is_some_and(|q| q.chars().count() > 50) {
        return Err(Problem::invalid_field("q", "at most 50 characters"));
    }
    let filter = DivisionFilter {
        parent: query
            .parent
            .as_deref()
            .map(|p| code(p, "parent").map(|c| c.as_str().to_string()))
            .transpose()?,
        level,
        within: query
            .within
            .as_deref()
            .map(|w| {
                crate::domain::division_code::Jurisdiction::parse(w.trim())
                    .map(|j| j.as_str().to_string())
                    .map_err(|e| Problem::invalid_field("within", format!("{w}: {e}")))
            })
            .transpose()?,
        name_contains: name_contains.map(str::to_string),
        limit,
        offset,
        ..Default::default()
    };
    let (divisions, matched) = app::divisions::list(&state, day, &filter).await?;
    if format {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"divisions-{day}.csv\""),
            ))
            .body(csv_of(&divisions)?));
    }
    Ok(HttpResponse::Ok().json(json!({
        "as_of": day,
        "numberMatched": matched,
        "numberReturned": divisions.len(),
        "divisions": divisions,
    })))
}

#[utoipa::path(
    get,
    path = "/api/v1/divisions/{code}",
    operation_id = "divisions_read",
    tag = "divisions",
    params(("code" = String, Path, description = "the division code", example = "330421"), AsOfQuery),
    responses(
        (status = 200, description = "the record", body = Object, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn read(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
    query: Query<AsOfQuery>,
) -> Result<HttpResponse, Problem> {
    let code = DivisionCode::parse(path.trim())
        .map_err(|e| Problem::invalid_field("code", format!("{}: {e}", path.as_str())))?;
    let day = query.day()?.unwrap_or_else(super::today);
    let view = app::divisions::read(&state, &identity, &code, day).await?;
    let events: Vec<_> = view
        .events
        .iter()
        .map(|e| json!({ "id": e.id, "kind": e.kind, "status": e.status, "effective_on": e.effective_on, "summary": e.summary, "approval": e.approval }))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "as_of": view.as_of,
        "division": view.division,
        "chain": view.chain,
        "states": view.states,
        "events": events,
        "place_id": view.place_id,
        "geometry": view.geometry,
    })))
}

fn day_of(text: Option<&str>) -> Result<chrono::NaiveDate, Problem> {
    text.map(|t| parse_day(t, "as_of"))
        .transpose()
        .map(|d| d.unwrap_or_else(super::today))
}

fn csv_of(divisions: &[DivisionRecord]) -> Result<String, Problem> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "code",
        "name",
        "level",
        "kind",
        "parent_code",
        "seat",
        "valid_from",
    ];
    writer
        .write_record(header)
        .map_err(|_| Problem::internal())?;
    for d in divisions {
        writer
            .write_record([
                d.code.as_str(),
                d.name.as_str(),
                d.level.as_str(),
                d.kind.as_deref().unwrap_or_default(),
                d.parent_code.as_deref().unwrap_or_default(),
                d.seat.as_deref().unwrap_or_default(),
                &d.valid_from.map(|v| v.to_string()).unwrap_or_default(),
            ])
            .map_err(|_| Problem::internal())?;
    }
    let bytes = writer.into_inner().map_err(|_| Problem::internal())?;
    String::from_utf8(bytes).map_err(|_| Problem::internal())
}
