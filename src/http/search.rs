//! `/api/v1/search`: name search and autocomplete from the in-memory name index, each hit with
//! its division chain so that the many identical names (新村, 人民路) can be told apart.

use crate::http::query::Query;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::AppState;
use super::problem::Problem;
use crate::app::{self, Identity};
use crate::domain::division_code::Jurisdiction;
use crate::domain::field_error::FieldErrors;
use crate::search::SearchQuery;

const MAX_QUERY_CHARS: usize = 50;
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 50;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    q: Option<String>,
    near: Option<String>,
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    category: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    limit: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/search",
    operation_id = "search_search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::SearchAnswer, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn search(
    state: web::Data<AppState>,
    identity: Identity,
    params: Query<SearchParams>,
) -> Result<HttpResponse, Problem> {
    let mut errors = FieldErrors::default();
    let text = params.q.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        errors.push("q", "type a few characters or pinyin letters to search for");
    } else if text.chars().count() > MAX_QUERY_CHARS {
        errors.push("q", format!("at most {MAX_QUERY_CHARS} characters"));
    }
    let near = params
        .near
        .as_deref()
        .and_then(|text| match parse_near(text) {
            Ok(point) => Some(point),
            Err(message) => {
                errors.push("near", message);
                None
            }
        });
    let division = params
        .division
        .as_deref()
        .and_then(|d| match Jurisdiction::parse(d) {
            Ok(j) => Some(j),
            Err(e) => {
                errors.push("division", e.to_string());
                None
            }
        });
    let category = params
        .category
        .as_deref()
        .and_then(|c| match state.catalog.resolve(c) {
            Ok(category) => Some(category.code.clone()),
            Err(e) => {
                errors.push("category", e.to_string());
                None
            }
        });
    let limit = match params.limit.as_deref().map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            errors.push("limit", format!("a whole number from 1 to {MAX_LIMIT}"));
            DEFAULT_LIMIT
        }
    };
    errors.into_result(())?;
    let query = SearchQuery {
        text,
        near,
        division_prefix: division.as_ref().map(Jurisdiction::as_str),
        category_prefix: category.as_deref(),
        public_only: identity.is_public(),
        limit,
    };
    let hits = app::search::search(&state, &identity, query).await?;
    // A text with a number in it may be an address: the register's match comes beside the names.
    let addresses = app::address_lookup::search(&state, &identity, text).await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "query": text, "hits": hits, "addresses": addresses })))
}

fn parse_near(text: &str) -> Result<(f64, f64), String> {
    let message = "lon,lat in degrees, such as 120.89,30.94";
    let (lon, lat) = text.split_once(',').ok_or(message)?;
    let lon: f64 = lon.trim().parse().map_err(|_| message)?;
    let lat: f64 = lat.trim().parse().map_err(|_| message)?;
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "{message}; longitude within ±180 and latitude within ±90"
        ));
    }
    Ok((lon, lat))
}
