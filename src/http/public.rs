//! The public side of a sign: `/s/{code}` (the page its QR code opens) and
//! `/s/{code}/report` (a problem report, no sign-in), answered with HTML pages. What the page
//! shows and whether a report is accepted is `app::signs::public`; here are the language
//! choice, the form reading and the headers.

use crate::http::query::{NoParams, Query};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::TryStreamExt;
use serde::Deserialize;

use super::AppState;
use super::photos::photo_problem;
use super::problem::{Problem, log_internal};
use crate::app::signs::public::{self, FormRefused, PublicError, Refusal, ReportInput};
use crate::render::public_page::{Lang, not_found_page, report_result_page};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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

/// The failures that are no fault of the visitor, as problems.
fn problem(error: PublicError) -> Problem {
    match error {
        PublicError::Store(error) => error.into(),
        other => {
            log_internal(&other);
            Problem::internal()
        }
    }
}

/// `GET /s/{code}`.
#[utoipa::path(
    get,
    path = "/s/{code}",
    operation_id = "public_sign_page",
    tag = "public",
    params(("code" = String, Path, description = "the sign's public code (what its QR code carries)"), PageQuery),
    responses(
        (status = 200, description = "the record", body = crate::http::openapi::Binary, content_type = "text/html"),
        (status = 400, description = "the form or a parameter is not valid: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json"))),
        (status = 404, description = "no such page: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json")))
    ),
    security(())
)]
pub async fn sign_page(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Problem> {
    let lang = lang_of(&request, query.lang.as_deref());
    match public::page(&state, &path.into_inner(), lang).await {
        Ok(page) => Ok(html(StatusCode::OK, page)),
        Err(PublicError::UnknownCode { typo }) => {
            Ok(html(StatusCode::NOT_FOUND, not_found_page(lang, typo)))
        }
        Err(error) => Err(problem(error)),
    }
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

/// `POST /s/{code}/report` (multipart: kind, text, lang, photo and the honeypot website).
#[utoipa::path(
    post,
    path = "/s/{code}/report",
    operation_id = "public_report",
    tag = "public",
    params(("code" = String, Path, description = "the sign's public code (what its QR code carries)")),
    request_body(content = crate::http::openapi::ReportForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "created", body = crate::http::openapi::Binary, content_type = "text/html", headers(("Location" = String, description = "the new record"))),
        (status = 400, description = "the form or a parameter is not valid: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json"))),
        (status = 404, description = "no such page: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json"))),
        (status = 413, description = "too large: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json"))),
        (status = 415, description = "not a form: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json"))),
        (status = 429, description = "too many from here; try later: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json")))
    ),
    security(())
)]
pub async fn report(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: Multipart,
) -> Result<HttpResponse, Problem> {
    let code = path.into_inner();
    let page_lang = lang_of(&request, None);
    let form = read_form(form, state.settings.report_photo_limits().max_bytes)
        .await
        .map_err(|problem| FormRefused {
            status: problem.status,
            detail: problem.detail,
        });
    // The page answers in the language of the form once it could be read.
    let lang = match &form {
        Ok(form) => Lang::choose(Some(&form.lang), None),
        Err(_) => page_lang,
    };
    let input = form.map(|form| ReportInput {
        kind: form.kind,
        text: form.text,
        website: form.website,
        photo: form.photo,
    });
    let address = request.peer_addr().map(|a| a.ip());
    let (code, reason) = match public::accept_report(&state, &code, address, input).await {
        Ok(code) => {
            return Ok(html(
                StatusCode::CREATED,
                report_result_page(lang, &code, None),
            ));
        }
        Err(PublicError::UnknownCode { typo }) => {
            return Ok(html(StatusCode::NOT_FOUND, not_found_page(page_lang, typo)));
        }
        Err(PublicError::Refused { code, reason }) => (code, reason),
        Err(error) => return Err(problem(error)),
    };
    let (status, text) = refusal_text(reason, lang);
    let mut response = html(status, report_result_page(lang, &code, Some(&text)));
    if status == StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static("3600"),
        );
    }
    Ok(response)
}

/// The status and the reporter's explanation of a refused report.
fn refusal_text(reason: Refusal, lang: Lang) -> (StatusCode, String) {
    let status_of = |status: u16| StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    match reason {
        Refusal::Form(refused) => (status_of(refused.status), refused.detail),
        Refusal::NotAPerson => (
            StatusCode::BAD_REQUEST,
            "the form was not filled in by a person".into(),
        ),
        Refusal::TooMany => (
            StatusCode::TOO_MANY_REQUESTS,
            match lang {
                Lang::Zh => "提交过于频繁，请稍后再试。",
                Lang::En => "Too many reports: please try again later.",
            }
            .into(),
        ),
        Refusal::NoKind => (StatusCode::BAD_REQUEST, "choose a kind of problem".into()),
        Refusal::BadText => (
            StatusCode::BAD_REQUEST,
            match lang {
                Lang::Zh => "请用 1 至 1000 字说明问题。",
                Lang::En => "Say what is wrong in 1 to 1000 characters.",
            }
            .into(),
        ),
        Refusal::Photo(error) => {
            let problem = photo_problem(error);
            (status_of(problem.status), problem.detail)
        }
    }
}
