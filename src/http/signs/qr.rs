//! QR codes of signs (public, immutable, with a strong ETag) and print sheets for staff.

use crate::http::query::Query;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::app::signs::qr::{self, Sheet};
use crate::app::{AppState, Staff};
use crate::http::problem::Problem;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QrQuery {
    size_mm: Option<u32>,
    dpi: Option<u32>,
}

/// `qr.svg` / `qr.png`: rendered once per sign and size, then served from memory (backed by the
/// database) with a strong ETag; a sign's code never changes.
#[utoipa::path(
    get,
    path = "/api/v1/signs/{id}/qr.{format}",
    operation_id = "signs_qr_qr",
    tag = "signs",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("format" = String, Path, description = "`svg` or `png`", example = "svg"), QrQuery),
    responses(
        (status = 200, description = "the file", content((crate::http::openapi::Binary = "image/svg+xml"), (crate::http::openapi::Binary = "image/png"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(())
)]
pub async fn qr(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(i64, String)>,
    query: Query<QrQuery>,
) -> Result<HttpResponse, Problem> {
    let (id, format) = path.into_inner();
    let rendered = qr::qr(&state, id, &format, query.size_mm, query.dpi).await?;
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    ids: String,
    size_mm: Option<u32>,
    /// `svg` (default) or `pdf`.
    format: Option<String>,
}

/// `GET /api/v1/signs/qr-sheet?ids=1,2,3`.
#[utoipa::path(
    get,
    path = "/api/v1/signs/qr-sheet",
    operation_id = "signs_qr_qr_sheet",
    tag = "signs",
    params(SheetQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn qr_sheet(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<SheetQuery>,
) -> Result<HttpResponse, Problem> {
    let sheet = qr::sheet(
        &state,
        &staff,
        &query.ids,
        query.size_mm,
        query.format.as_deref(),
    )
    .await?;
    Ok(match sheet {
        Sheet::Svg(svg) => HttpResponse::Ok().content_type("image/svg+xml").body(svg),
        Sheet::Pdf(pdf) => HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "inline; filename=\"qr-sheet.pdf\"",
            ))
            .body(pdf),
    })
}
