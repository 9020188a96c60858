//! `/api/v1/exchange/places`: the register exported (GET, streamed) and imported (POST, the
//! body is the file) in GeoJSON, GeoJSON text sequences, CSV, GeoPackage and Shapefile (a zip of
//! the file sets), and the exchange package exported as a zip, for signed-in staff. An import answers its counts, or 422 listing every bad row with nothing stored.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;

use super::errors::exchange::bad_rows;
use super::problem::Problem;
use super::query::Query;
use crate::app::exchange::{
    ExchangeError, ExportRequest, ImportRequest, Source, export_gpkg_bytes, export_package_zip,
    export_shapefile_zip, export_stream,
};
use crate::app::{AppState, Staff};
use crate::domain::crs::Crs;
use crate::domain::division_code::Jurisdiction;
use crate::domain::exchange::Format;
use crate::domain::exchange::encoding::TextEncoding;

/// The largest file an import takes, in bytes.
pub const MAX_IMPORT_BYTES: usize = 256 << 20;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// geojson (default), geojsonseq, csv, gpkg, shp (a zip of the file sets) or exchange (the
    /// exchange package as a zip).
    format: Option<String>,
    /// Only the records in this division (a 2-, 4-, 6-, 9- or 12-digit code).
    division: Option<String>,
    /// A CSV's or Shapefile's text encoding: utf-8 (default) or gb18030.
    encoding: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// geojson, geojsonseq, csv, gpkg or shp (a zip); else from the Content-Type or the file's
    /// extension.
    format: Option<String>,
    /// A CSV's or Shapefile's text encoding (utf-8 or gb18030); detected when not given.
    encoding: Option<String>,
    /// The system of a CSV's point columns (e.g. EPSG:4549); CGCS2000 lon/lat when not given.
    crs: Option<String>,
    /// The file's name, for the list of bad rows (and its format, by extension).
    file: Option<String>,
}

fn format_named(text: &str) -> Result<Format, Problem> {
    Format::parse(text).ok_or_else(|| {
        Problem::invalid_field(
            "format",
            format!(
                "{text:?} is not a format: geojson, geojsonseq, csv, gpkg, shp (a zip of the file sets) or exchange (export only)"
            ),
        )
    })
}

fn encoding_named(text: Option<&str>) -> Result<Option<TextEncoding>, Problem> {
    text.map(|t| {
        TextEncoding::parse(t).ok_or_else(|| {
            Problem::invalid_field("encoding", format!("{t:?} is not utf-8 or gb18030 (gbk)"))
        })
    })
    .transpose()
}

/// The place register as a file: streamed GeoJSON, GeoJSON-seq or CSV; a GeoPackage with the
/// reference layers; the Shapefile sets or the exchange package as a zip.
#[utoipa::path(
    get,
    path = "/api/v1/exchange/places",
    operation_id = "exchange_export",
    tag = "exchange",
    params(ExportQuery),
    responses(
        (status = 200, description = "the places as a file, in the format asked",
         content(
             (crate::http::openapi::ExportCollection = "application/geo+json"),
             (crate::http::openapi::Binary = "application/geo+json-seq"),
             (crate::http::openapi::Binary = "text/csv"),
             (crate::http::openapi::Binary = "application/geopackage+sqlite3"),
             (crate::http::openapi::Binary = "application/zip")
         ),
         headers(("Content-Disposition" = String, description = "attachment and the file's name"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn export(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<ExportQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    // The exchange package (as the command line's `--format exchange`) is a zip of its files.
    let package = query
        .format
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("exchange"));
    let format = if package {
        Format::Gpkg
    } else {
        format_named(query.format.as_deref().unwrap_or("geojson"))?
    };
    let division = query
        .division
        .as_deref()
        .map(|d| {
            Jurisdiction::parse(d)
                .map_err(|e| Problem::invalid_field("division", format!("{d:?}: {e}")))
        })
        .transpose()?;
    let encoding = encoding_named(query.encoding.as_deref())?.unwrap_or(TextEncoding::Utf8);
    let name = format!(
        "places{}.{}",
        division
            .as_ref()
            .map(|d| format!("-{}", d.as_str()))
            .unwrap_or_default(),
        format.extension()
    );
    let attachment = |name: &str| format!("attachment; filename=\"{name}\"");
    let zipped = |bytes: Vec<u8>, name: String| {
        HttpResponse::Ok()
            .content_type("application/zip")
            .insert_header((header::CONTENT_DISPOSITION, attachment(&name)))
            .body(bytes)
    };
    if package {
        let bytes = export_package_zip(&state, &staff, division.as_ref()).await?;
        return Ok(zipped(bytes, name.replace(".gpkg", "-exchange.zip")));
    }
    if format == Format::Shapefile {
        let bytes = export_shapefile_zip(&state, &staff, division.as_ref(), encoding).await?;
        return Ok(zipped(bytes, name.replace(".shp", ".zip")));
    }
    let disposition = attachment(&name);
    if format == Format::Gpkg {
        let bytes = export_gpkg_bytes(&state, &staff, division.as_ref()).await?;
        return Ok(HttpResponse::Ok()
            .content_type(format.media_type())
            .insert_header((header::CONTENT_DISPOSITION, disposition))
            .body(bytes));
    }
    let content_type = match (format, encoding) {
        (Format::Csv, TextEncoding::Gb18030) => "text/csv; charset=gb18030",
        _ => format.media_type(),
    };
    let request = ExportRequest {
        format,
        division,
        encoding,
    };
    let stream = export_stream(state.into_inner(), &staff, request)?
        .map(|chunk| chunk.map_err(|e| actix_web::Error::from(Problem::from(e))));
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .streaming(stream))
}

/// Imports a file of place records all or nothing: its counts, or 422 listing every bad row.
#[utoipa::path(
    post,
    path = "/api/v1/exchange/places",
    operation_id = "exchange_import",
    tag = "exchange",
    params(ImportQuery),
    request_body(
        description = "the file",
        content(
            (crate::http::openapi::Binary = "application/geo+json"),
            (crate::http::openapi::Binary = "application/geo+json-seq"),
            (crate::http::openapi::Binary = "text/csv"),
            (crate::http::openapi::Binary = "application/geopackage+sqlite3"),
            (crate::http::openapi::Binary = "application/zip")
        )
    ),
    responses(
        (status = 200, description = "what the import did", body = crate::http::openapi::ImportAnswer),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn import(
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    query: Query<ImportQuery>,
    mut payload: web::Payload,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let file_name = query.file.clone();
    let format = match (&query.format, Format::of_media_type(content_type)) {
        (Some(name), _) => format_named(name)?,
        (None, Some(format)) => format,
        (None, None) => match file_name.as_deref().and_then(Format::of_file_name) {
            Some(format) => format,
            None => {
                return Err(Problem::invalid_field(
                    "format",
                    format!(
                        "say which format the body is: format=geojson|geojsonseq|csv|gpkg|shp (a zip), or its Content-Type (not {content_type:?})"
                    ),
                ));
            }
        },
    };
    // A charset parameter declares a CSV's encoding too.
    let charset = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .next()
        .map(str::to_string);
    let encoding = encoding_named(query.encoding.as_deref().or(charset.as_deref()))?;
    let crs = query
        .crs
        .as_deref()
        .map(|c| Crs::parse(c).map_err(|e| Problem::invalid_field("crs", e.to_string())))
        .transpose()?;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Problem::invalid_field("body", e.to_string()))?;
        if body.len() + chunk.len() > MAX_IMPORT_BYTES {
            return Err(Problem::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "The file is too large",
                format!(
                    "an import takes at most {} MiB over HTTP; import larger files on the command line (diming import places)",
                    MAX_IMPORT_BYTES >> 20
                ),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let file_name = file_name.unwrap_or_else(|| format!("upload.{}", format.extension()));
    let import = ImportRequest {
        file_name: &file_name,
        source: Source::Bytes(&body),
        format,
        encoding,
        crs,
    };
    match crate::app::exchange::import(&state, &staff, import, &|_, _, _| {}).await {
        Ok(counts) => {
            let mut answer = json!({
                "file": file_name,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            });
            if let Some(markers) = counts.markers {
                answer["markers"] = json!(markers);
            }
            Ok(HttpResponse::Ok().json(answer))
        }
        Err(ExchangeError::BadRows(rows)) => Ok(bad_rows(rows)),
        Err(error) => Err(error.into()),
    }
}
