//! `/api/v1/naming/…`: naming and renaming applications from intake to announcement, the
//! overdue list and the intake check on its own; `/public/naming/…`: the names under public
//! notice with their comment form, the announcements and their Atom feed (no sign-in).
//! Clean-up campaigns and their work lists under `/api/v1/naming/campaigns`. Steps name the
//! version in `If-Match` (ETag `"n<id>.v<version>"`, items `"c<id>.v<version>"`).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::body::JsonBody;
use super::places::parse_day;
use super::precondition::expected_version;
use super::problem::Problem;
use super::query::{NoParams, Query};
use crate::app::Staff;
use crate::app::naming::NamingError;
use crate::app::naming::applications::{
    self, ApplicationInput, ApprovalInput, FilingInput, ReportInput,
};
use crate::app::naming::campaigns::{self, DecisionInput};
use crate::app::naming::public::{self, CommentInput};
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::naming::{ApplicationContent, ApplicationKind, Outcome, ReportKind, Stage};
use crate::domain::naming_detect::Flaw;
use crate::domain::naming_heritage::Document;
use crate::domain::text::first_hidden;
use crate::domain::version::entity_tag;
use crate::store::naming::StoredApplication;

const TAG_KIND: char = 'n';

fn application_response(
    status: StatusCode,
    application: &impl serde::Serialize,
    id: i64,
    version: i64,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, entity_tag(TAG_KIND, id, version)))
        .json(application)
}

fn stored_response(status: StatusCode, application: &StoredApplication) -> HttpResponse {
    application_response(status, application, application.id, application.version)
}

/// An application as staff send it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NamingApplicationBody)]
pub struct ApplicationBody {
    kind: ApplicationKind,
    #[serde(default)]
    place_id: Option<i64>,
    proposed_name: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    division_codes: Option<Vec<String>>,
    #[serde(default)]
    geometry: Option<Value>,
    content: ApplicationContent,
}

/// `POST /api/v1/naming/applications`.
#[utoipa::path(
    post,
    path = "/api/v1/naming/applications",
    operation_id = "naming_file",
    tag = "naming",
    request_body(content = ApplicationBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::store::naming::StoredApplication, content_type = "application/json", headers(("Location" = String, description = "the new record"))),
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
pub async fn file(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBody<ApplicationBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let input = ApplicationInput {
        kind: body.kind,
        place_id: body.place_id,
        proposed_name: body.proposed_name,
        category: body.category,
        division_codes: body.division_codes,
        geometry: body.geometry,
        content: body.content,
    };
    let application = applications::file(&state, &staff, input).await?;
    let response = stored_response(StatusCode::CREATED, &application);
    super::created_at(
        response,
        &format!("/api/v1/naming/applications/{}", application.id),
    )
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    stage: Option<String>,
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
}

/// `GET /api/v1/naming/applications?stage=on_notice&division=330421`.
#[utoipa::path(
    get,
    path = "/api/v1/naming/applications",
    operation_id = "naming_list",
    tag = "naming",
    params(ListQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let stages = match query.stage.as_deref() {
        None => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|s| {
                Stage::parse(s.trim()).ok_or_else(|| {
                    Problem::invalid_field(
                        "stage",
                        "received, in_review, on_notice, approved, rejected or completed (comma-separated)",
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let prefix = division_prefix(query.division.as_deref(), "division")?;
    let found = applications::list(&state, &staff, stages, prefix).await?;
    Ok(HttpResponse::Ok().json(json!({ "applications": found })))
}

/// A division parameter as a code prefix (a jurisdiction: `3304`, `330421`).
pub fn division_prefix(text: Option<&str>, field: &str) -> Result<Option<String>, Problem> {
    text.map(|t| {
        Jurisdiction::parse(t)
            .map(|j| j.as_str().to_string())
            .map_err(|e| Problem::invalid_field(field, e.to_string()))
    })
    .transpose()
}

/// `GET /api/v1/naming/applications/{id}`: with steps, comments and announcement.
#[utoipa::path(
    get,
    path = "/api/v1/naming/applications/{id}",
    operation_id = "naming_read",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = crate::app::naming::applications::ApplicationView, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn read(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let view = applications::read(&state, &staff, path.into_inner()).await?;
    let (id, version) = (view.application.id, view.application.version);
    Ok(application_response(StatusCode::OK, &view, id, version))
}

/// `GET /api/v1/naming/applications/overdue`.
#[utoipa::path(
    get,
    path = "/api/v1/naming/applications/overdue",
    operation_id = "naming_overdue",
    tag = "naming",
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn overdue(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, Problem> {
    let overdue = applications::overdue(&state, &staff).await?;
    Ok(HttpResponse::Ok().json(json!({ "overdue": overdue })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckQuery {
    name: Option<String>,
    category: Option<String>,
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    place_id: Option<i64>,
}

/// `GET /api/v1/naming/checks?name=&category=&division=`: the intake checks of a name before
/// filing (nothing is stored).
#[utoipa::path(
    get,
    path = "/api/v1/naming/checks",
    operation_id = "naming_checks",
    tag = "naming",
    params(CheckQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn checks(
    state: web::Data<AppState>,
    staff: Staff,
    query: Query<CheckQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let name = query
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| Problem::invalid_field("name", "the name to check"))?;
    let category = query
        .category
        .ok_or_else(|| Problem::invalid_field("category", "the feature's category code or name"))?;
    let category = state
        .catalog
        .resolve(&category)
        .map_err(|e| Problem::invalid_field("category", e.to_string()))?
        .code
        .clone();
    let division = query
        .division
        .ok_or_else(|| Problem::invalid_field("division", "the division the feature lies in"))
        .and_then(|d| {
            DivisionCode::parse(&d).map_err(|e| Problem::invalid_field("division", e.to_string()))
        })?;
    let found = applications::intake_checks(
        &state,
        &staff.actor,
        name.trim(),
        &category,
        &division,
        query.place_id,
    )
    .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    kind: ReportKind,
    author: String,
    written_on: NaiveDate,
    outcome: Outcome,
    conclusion: String,
    #[serde(default)]
    files: Vec<Document>,
}

/// `POST /api/v1/naming/applications/{id}/reports`.
#[utoipa::path(
    post,
    path = "/api/v1/naming/applications/{id}/reports",
    operation_id = "naming_add_report",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = ReportBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::store::naming::StoredApplication, content_type = "application/json", headers(("Location" = String, description = "the new record"), ("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 412, response = crate::http::openapi::PreconditionFailed),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 428, response = crate::http::openapi::PreconditionRequired),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn add_report(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<ReportBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "naming application")?;
    let body = body.parsed()?;
    let input = ReportInput {
        kind: body.kind,
        author: body.author,
        written_on: body.written_on,
        outcome: body.outcome,
        conclusion: body.conclusion,
        files: body.files,
    };
    let application = applications::add_report(&state, &staff, id, expected, input).await?;
    Ok(stored_response(StatusCode::CREATED, &application))
}

/// `POST /api/v1/naming/applications/{id}/notice`: the notice starts today.
#[utoipa::path(
    post,
    path = "/api/v1/naming/applications/{id}/notice",
    operation_id = "naming_start_notice",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::store::naming::StoredApplication, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 412, response = crate::http::openapi::PreconditionFailed),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 428, response = crate::http::openapi::PreconditionRequired),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn start_notice(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "naming application")?;
    let application = applications::start_notice(&state, &staff, id, expected).await?;
    Ok(stored_response(StatusCode::OK, &application))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    authority: String,
    approved_on: NaiveDate,
    document_number: String,
}

/// `POST /api/v1/naming/applications/{id}/approve`.
#[utoipa::path(
    post,
    path = "/api/v1/naming/applications/{id}/approve",
    operation_id = "naming_approve",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = ApproveBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::store::naming::StoredApplication, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 412, response = crate::http::openapi::PreconditionFailed),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 428, response = crate::http::openapi::PreconditionRequired),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn approve(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<ApproveBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "naming application")?;
    let body = body.parsed()?;
    let input = ApprovalInput {
        authority: body.authority,
        approved_on: body.approved_on,
        document_number: body.document_number,
    };
    let application = applications::approve(&state, &staff, id, expected, input).await?;
    Ok(stored_response(StatusCode::OK, &application))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    reason: String,
}

/// `POST /api/v1/naming/applications/{id}/reject`.
#[utoipa::path(
    post,
    path = "/api/v1/naming/applications/{id}/reject",
    operation_id = "naming_reject",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = RejectBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::store::naming::StoredApplication, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 412, response = crate::http::openapi::PreconditionFailed),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 428, response = crate::http::openapi::PreconditionRequired),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn reject(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<RejectBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "naming application")?;
    let body = body.parsed()?;
    let application = applications::reject(&state, &staff, id, expected, &body.reason).await?;
    Ok(stored_response(StatusCode::OK, &application))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingBody {
    #[serde(default)]
    filed_on: Option<NaiveDate>,
    authority: String,
    #[serde(default)]
    reference: Option<String>,
}

/// `POST /api/v1/naming/applications/{id}/filing`.
#[utoipa::path(
    post,
    path = "/api/v1/naming/applications/{id}/filing",
    operation_id = "naming_record_filing",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = FilingBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::store::naming::StoredApplication, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 412, response = crate::http::openapi::PreconditionFailed),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 428, response = crate::http::openapi::PreconditionRequired),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn record_filing(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<FilingBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "naming application")?;
    let body = body.parsed()?;
    let input = FilingInput {
        filed_on: body.filed_on,
        authority: body.authority,
        reference: body.reference,
    };
    let application = applications::record_filing(&state, &staff, id, expected, input).await?;
    Ok(stored_response(StatusCode::OK, &application))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnounceBody {
    #[serde(default)]
    announced_on: Option<NaiveDate>,
}

/// `POST /api/v1/naming/applications/{id}/announcement`.
#[utoipa::path(
    post,
    path = "/api/v1/naming/applications/{id}/announcement",
    operation_id = "naming_announce",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = AnnounceBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::store::naming::StoredApplication, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 412, response = crate::http::openapi::PreconditionFailed),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 428, response = crate::http::openapi::PreconditionRequired),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn announce(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<AnnounceBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "naming application")?;
    let body = body.parsed()?;
    let application =
        applications::announce(&state, &staff, id, expected, body.announced_on).await?;
    Ok(stored_response(StatusCode::OK, &application))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementQuery {
    #[param(
        pattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        example = "330421"
    )]
    division: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A division prefix and the first and last day of announcements asked for.
type AnnouncementFilter = (Option<String>, Option<NaiveDate>, Option<NaiveDate>);

impl AnnouncementQuery {
    fn parts(&self) -> Result<AnnouncementFilter, Problem> {
        Ok((
            division_prefix(self.division.as_deref(), "division")?,
            self.from
                .as_deref()
                .map(|d| parse_day(d, "from"))
                .transpose()?,
            self.to.as_deref().map(|d| parse_day(d, "to")).transpose()?,
        ))
    }
}

/// `GET /api/v1/naming/announcements`: the announcements as JSON (public).
#[utoipa::path(
    get,
    path = "/api/v1/naming/announcements",
    operation_id = "naming_announcements",
    tag = "naming",
    params(AnnouncementQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest)
    ),
    security(())
)]
pub async fn announcements(
    state: web::Data<AppState>,
    query: Query<AnnouncementQuery>,
) -> Result<HttpResponse, Problem> {
    let (prefix, from, to) = query.parts()?;
    let entries = public::announcements(&state, prefix.as_deref(), from, to).await?;
    Ok(HttpResponse::Ok().json(json!({ "announcements": entries })))
}

pub(super) fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"))
        .body(body)
}

/// `GET /public/naming/notices`.
#[utoipa::path(
    get,
    path = "/public/naming/notices",
    operation_id = "naming_notices_page",
    tag = "public",
    responses(
        (status = 200, description = "the page", body = crate::http::openapi::Binary, content_type = "text/html"),
        (status = 400, description = "the form or a parameter is not valid: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json")))
    ),
    security(())
)]
pub async fn notices_page(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    Ok(html(
        StatusCode::OK,
        public::notices_page(&state, None).await?,
    ))
}

/// The fields of the comment form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    contact: Option<String>,
}

/// `POST /public/naming/notices/{id}/comments` (an HTML form, no sign-in).
#[utoipa::path(
    post,
    path = "/public/naming/notices/{id}/comments",
    operation_id = "naming_comment",
    tag = "public",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = crate::http::openapi::CommentForm, content_type = "application/x-www-form-urlencoded"),
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
pub async fn comment(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let state = state.get_ref();
    let form: CommentForm = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => {
            return answer(
                state,
                StatusCode::BAD_REQUEST,
                "表单无法读取。The form could not be read.",
            )
            .await;
        }
    };
    let texts = [Some(&form.text), form.name.as_ref(), form.contact.as_ref()];
    if texts
        .into_iter()
        .flatten()
        .any(|t| first_hidden(t).is_some())
    {
        return answer(
            state,
            StatusCode::BAD_REQUEST,
            "意见中含有不可见字符。The comment has hidden characters.",
        )
        .await;
    }
    let address = request.peer_addr().map(|a| a.ip());
    let input = CommentInput {
        text: form.text,
        name: form.name,
        contact: form.contact,
    };
    match public::comment(state, id, address, input).await {
        Ok(()) => answer(state, StatusCode::CREATED, "意见已收到，谢谢。Your comment was received, thank you.").await,
        Err(NamingError::Invalid(_)) => {
            answer(state, StatusCode::BAD_REQUEST, "请用 1 至 1000 字写下意见（姓名 50 字、联系方式 100 字以内）。Write 1 to 1000 characters.").await
        }
        Err(NamingError::NotFound(_)) => {
            answer(state, StatusCode::NOT_FOUND, "该地名不在公示期内。This name is not under public notice.").await
        }
        Err(NamingError::TooMany) => {
            let mut response = answer(state, StatusCode::TOO_MANY_REQUESTS, "提交过于频繁，请稍后再试。Too many comments: try again later.").await?;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("3600"));
            Ok(response)
        }
        Err(error) => Err(error.into()),
    }
}

/// The notices page again, with the answer to the comment on top.
async fn answer(
    state: &AppState,
    status: StatusCode,
    message: &str,
) -> Result<HttpResponse, Problem> {
    Ok(html(
        status,
        public::notices_page(state, Some(message)).await?,
    ))
}

/// `GET /public/naming/announcements?division=&from=&to=`.
#[utoipa::path(
    get,
    path = "/public/naming/announcements",
    operation_id = "naming_announcements_page",
    tag = "public",
    params(AnnouncementQuery),
    responses(
        (status = 200, description = "the page", body = crate::http::openapi::Binary, content_type = "text/html"),
        (status = 400, description = "the form or a parameter is not valid: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json")))
    ),
    security(())
)]
pub async fn announcements_page(
    state: web::Data<AppState>,
    query: Query<AnnouncementQuery>,
) -> Result<HttpResponse, Problem> {
    let (prefix, from, to) = query.parts()?;
    let page = public::announcements_page(&state, prefix.as_deref(), from, to).await?;
    Ok(html(StatusCode::OK, page))
}

/// `GET /public/naming/announcements.atom`.
#[utoipa::path(
    get,
    path = "/public/naming/announcements.atom",
    operation_id = "naming_announcements_feed",
    tag = "public",
    responses(
        (status = 200, description = "the file", body = crate::http::openapi::Binary, content_type = "application/atom+xml"),
        (status = 400, description = "the form or a parameter is not valid: a page for people, or a problem", content((crate::http::openapi::Binary = "text/html"), (crate::http::problem::Problem = "application/problem+json")))
    ),
    security(())
)]
pub async fn announcements_feed(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let feed = public::announcements_feed(&state).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(feed))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    title: String,
    jurisdiction: String,
}

/// `POST /api/v1/naming/campaigns`: runs the rules and writes the work list.
#[utoipa::path(
    post,
    path = "/api/v1/naming/campaigns",
    operation_id = "naming_start_campaign",
    tag = "naming",
    request_body(content = CampaignBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = Object, content_type = "application/json", headers(("Location" = String, description = "the new record"))),
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
pub async fn start_campaign(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBody<CampaignBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let view = campaigns::start(&state, &staff, &body.title, &body.jurisdiction).await?;
    let response = HttpResponse::Ok().json(&view);
    super::created_at(
        response,
        &format!("/api/v1/naming/campaigns/{}", view.campaign.id),
    )
}

/// `GET /api/v1/naming/campaigns`.
#[utoipa::path(
    get,
    path = "/api/v1/naming/campaigns",
    operation_id = "naming_campaigns_list",
    tag = "naming",
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn campaigns_list(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, Problem> {
    let found = campaigns::list(&state, &staff).await?;
    Ok(HttpResponse::Ok().json(json!({ "campaigns": found })))
}

/// `GET /api/v1/naming/campaigns/{id}`: with progress per division and kind.
#[utoipa::path(
    get,
    path = "/api/v1/naming/campaigns/{id}",
    operation_id = "naming_campaign",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn campaign(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(campaigns::read(&state, &staff, path.into_inner()).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ItemsQuery {
    kind: Option<String>,
    undecided: Option<bool>,
}

/// `GET /api/v1/naming/campaigns/{id}/items?kind=duplicate&undecided=true`.
#[utoipa::path(
    get,
    path = "/api/v1/naming/campaigns/{id}/items",
    operation_id = "naming_campaign_items",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ItemsQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn campaign_items(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    query: Query<ItemsQuery>,
) -> Result<HttpResponse, Problem> {
    let kind = query
        .kind
        .as_deref()
        .map(|k| {
            Flaw::parse(k)
                .ok_or_else(|| Problem::invalid_field("kind", "big, foreign, weird or duplicate"))
        })
        .transpose()?;
    let found = campaigns::items(
        &state,
        &staff,
        path.into_inner(),
        kind,
        query.undecided.unwrap_or(false),
    )
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": found })))
}

/// `GET /api/v1/naming/campaigns/{id}/items.csv`: the work list to take away.
#[utoipa::path(
    get,
    path = "/api/v1/naming/campaigns/{id}/items.csv",
    operation_id = "naming_campaign_export",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the file", body = crate::http::openapi::Binary, content_type = "text/csv"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn campaign_export(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let csv = campaigns::export_csv(&state, &staff, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"campaign-{id}.csv\""),
        ))
        .body(csv))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CampaignDecisionBody)]
pub struct DecisionBody {
    decision: String,
    reason: String,
    #[serde(default)]
    new_writing: Option<String>,
    #[serde(default)]
    proposed_name: Option<String>,
}

/// `POST /api/v1/naming/campaign-items/{id}/decision` with `If-Match: "c<id>.v<version>"`.
#[utoipa::path(
    post,
    path = "/api/v1/naming/campaign-items/{id}/decision",
    operation_id = "naming_decide_item",
    tag = "naming",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = DecisionBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = Object, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 412, response = crate::http::openapi::PreconditionFailed),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 428, response = crate::http::openapi::PreconditionRequired),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn decide_item(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<DecisionBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, 'c', id, "campaign item")?;
    let body = body.parsed()?;
    let input = DecisionInput {
        decision: body.decision,
        reason: body.reason,
        new_writing: body.new_writing,
        proposed_name: body.proposed_name,
    };
    let item = campaigns::decide(&state, &staff, id, expected, input).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, entity_tag('c', item.id, item.version)))
        .json(item))
}
