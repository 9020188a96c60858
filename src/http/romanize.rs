//! `/api/v1/romanize`: a name's romanization by the rules (with the reasons for each choice), and
//! the check of stored records against the rules for clean-up campaigns.

use crate::http::query::Query;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::problem::Problem;
use crate::app::{self, AppState, Identity, Staff};
use crate::domain::division_code::Jurisdiction;
use crate::domain::romanize::Request;
use crate::store::places::PlaceFilter;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RomanizeQuery {
    name: Option<String>,
    category: Option<String>,
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    /// An explicit split: the proper name (专名); the rest of the name is the generic term.
    proper: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/romanize",
    operation_id = "romanize_romanize",
    tag = "romanize",
    params(RomanizeQuery),
    responses(
        (status = 200, description = "the answer", body = crate::domain::romanize::Romanization, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn romanize(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<RomanizeQuery>,
) -> Result<HttpResponse, Problem> {
    let name = query.name.as_deref().map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(Problem::invalid_field(
            "name",
            "give the Chinese name to romanize",
        ));
    }
    let class = match query
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(category) => Some(app::romanize::feature_class(&state, category, "category")?),
        None => None,
    };
    let division = match query
        .division
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(division) => Some(
            Jurisdiction::parse(division)
                .map_err(|e| Problem::invalid_field("division", e.to_string()))?,
        ),
        None => None,
    };
    let split = match query.proper.as_deref().map(str::trim) {
        Some(proper) if !proper.is_empty() => {
            let generic = name.strip_prefix(proper).ok_or_else(|| {
                Problem::invalid_field(
                    "proper",
                    format!("{proper:?} does not begin the name {name:?}"),
                )
            })?;
            Some((proper, generic))
        }
        _ => None,
    };
    let request = Request {
        name,
        class,
        division: division.as_ref().map(Jurisdiction::as_str),
        split,
    };
    let result = app::romanize::expected(&state, &request, true, identity.is_public()).await?;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckQuery {
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    category: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `GET /api/v1/romanize/check`: the current records (of a division, a category) whose stored
/// romanization disagrees with the rules, for the clean-up of non-standard names. Staff only.
#[utoipa::path(
    get,
    path = "/api/v1/romanize/check",
    operation_id = "romanize_check",
    tag = "romanize",
    params(CheckQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn check(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<CheckQuery>,
) -> Result<HttpResponse, Problem> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Problem::invalid_field(
            "limit",
            format!("limit is between 1 and {MAX_PAGE}"),
        ));
    }
    let offset = query.offset.unwrap_or(0);
    let mut filter = PlaceFilter::default();
    if let Some(division) = query.division.as_deref().filter(|d| !d.trim().is_empty()) {
        let prefix = Jurisdiction::parse(division)
            .map_err(|e| Problem::invalid_field("division", e.to_string()))?;
        filter.division_prefix = Some(prefix.as_str().to_string());
    }
    if let Some(category) = query.category.as_deref().filter(|c| !c.trim().is_empty()) {
        let resolved = state
            .catalog
            .resolve(category)
            .map_err(|e| Problem::invalid_field("category", e.to_string()))?;
        filter.category_code = Some(resolved.code.clone());
    }
    let report = app::romanize::check(&state, &staff, filter).await?;
    let checked = report.checked;
    let findings = report.findings;
    let matched = findings.len();
    let page: Vec<_> = findings.into_iter().skip(offset).take(limit).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "checked": checked,
        "numberMatched": matched,
        "numberReturned": page.len(),
        "records": page,
    })))
}
