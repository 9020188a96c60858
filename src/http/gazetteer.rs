//! `GET /api/v1/naming/gazetteer/{division}?as_of=&format=`: the gazetteer (地名志) of a division
//! as the register stood that day, as an HTML book (the default), a typeset PDF or JSON.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::AppState;
use super::naming::html;
use super::places::parse_day;
use super::problem::Problem;
use super::query::Query;
use crate::app::Staff;
use crate::app::naming::gazetteer;
use crate::domain::division_code::DivisionCode;
use crate::render::gazetteer::gazetteer_html;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GazetteerQuery {
    #[param(value_type = Option<String>, format = Date, example = "2024-01-01")]
    as_of: Option<String>,
    format: Option<String>,
}

/// `GET /api/v1/naming/gazetteer/{division}`.
#[utoipa::path(
    get,
    path = "/api/v1/naming/gazetteer/{division}",
    operation_id = "gazetteer_book",
    tag = "naming",
    params(("division" = String, Path, description = "a division code", example = "330421"), GazetteerQuery),
    responses(
        (status = 200, description = "the gazetteer of the division: `format=html` (default) a page, `json` the data, `pdf` the book", content((Object = "application/json"), (crate::http::openapi::Binary = "text/html"), (crate::http::openapi::Binary = "application/pdf"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn book(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    query: Query<GazetteerQuery>,
) -> Result<HttpResponse, Problem> {
    let code = DivisionCode::parse(&path.into_inner())
        .map_err(|e| Problem::invalid_field("division", e.to_string()))?;
    let as_of = query
        .as_of
        .as_deref()
        .map(|d| parse_day(d, "as_of"))
        .transpose()?;
    let format = query.format.as_deref().unwrap_or("html");
    if !["html", "json", "pdf"].contains(&format) {
        return Err(Problem::invalid_field("format", "html, json or pdf"));
    }
    if format == "pdf" {
        let pdf = gazetteer::gazetteer_pdf(&state, &staff, &code, as_of).await?;
        return Ok(HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                "Content-Disposition",
                format!("inline; filename=\"gazetteer-{code}.pdf\""),
            ))
            .body(pdf));
    }
    let book = gazetteer::gazetteer(&state, &staff, &code, as_of).await?;
    Ok(match format {
        "json" => HttpResponse::Ok().json(&book),
        _ => html(StatusCode::OK, gazetteer_html(&book)),
    })
}
