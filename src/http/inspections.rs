//! `/api/v1/inspections…`: joint boundary inspections (界线联检). Rounds are opened by an
//! administrator covering both sides; each side's team records its own findings (one at a
//! time, or a batch captured offline); differing items are discussed and settled, disputes
//! recorded with both claims, tasks given to the side leading the segment; both signers sign
//! the report's hash, which locks the round; `…/verify` checks the stored records against it.
//! A round is read only by the two sides' staff and administrators covering both: anyone else,
//! the public included, gets the 404 of an unknown id. A state move names the round's version
//! in `If-Match` (ETag `"i<id>.v<version>"`).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::body::JsonBody;
use super::photos::receive_photo;
use super::precondition::expected_version;
use super::problem::Problem;
use super::query::{NoParams, Query};
use crate::app::inspections::discussion::{self, DisputeInput};
use crate::app::inspections::findings::{self, BatchItem, Submission};
use crate::app::inspections::rounds::{self, OpenInput, RoundView, TeamInput};
use crate::app::inspections::tasks::{self, CompletionInput, TaskInput};
use crate::app::inspections::{photos, report};
use crate::app::{Identity, Staff};
use crate::domain::boundary_line::LineCode;
use crate::domain::inspection::{DisputeStatus, RoundState, TaskAction};
use crate::domain::inspection_finding::{FindingInput, PositionInput};
use crate::domain::version::entity_tag;

const TAG_KIND: char = 'i';

fn round_response(status: StatusCode, view: &RoundView) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((
            header::ETAG,
            entity_tag(TAG_KIND, view.round.id, view.round.version),
        ))
        .json(view)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamBody {
    side: String,
    inspectors: Vec<String>,
    signer: String,
}

/// A round as an administrator opens it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenBody {
    line_code: String,
    #[serde(default)]
    round_number: Option<i64>,
    #[serde(default)]
    adhoc_cause: Option<String>,
    lead_side: String,
    #[serde(default)]
    planned_start: Option<NaiveDate>,
    #[serde(default)]
    planned_end: Option<NaiveDate>,
    #[serde(default)]
    tolerance_m: Option<f64>,
    teams: Vec<TeamBody>,
}

/// `POST /api/v1/inspections`.
#[utoipa::path(
    post,
    path = "/api/v1/inspections",
    operation_id = "inspections_open",
    tag = "inspections",
    request_body(content = OpenBody, content_type = "application/json"),
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
pub async fn open(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBody<OpenBody>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let input = OpenInput {
        line_code: body.line_code,
        round_number: body.round_number,
        adhoc_cause: body.adhoc_cause,
        lead_side: body.lead_side,
        planned_start: body.planned_start,
        planned_end: body.planned_end,
        tolerance_m: body.tolerance_m,
        teams: body
            .teams
            .into_iter()
            .map(|t| TeamInput {
                side: t.side,
                inspectors: t.inspectors,
                signer: t.signer,
            })
            .collect(),
    };
    let view = rounds::open(&state, &staff, input).await?;
    super::created_at(
        round_response(StatusCode::CREATED, &view),
        &format!("/api/v1/inspections/{}", view.round.id),
    )
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    line: Option<String>,
}

/// `GET /api/v1/inspections?line=`.
#[utoipa::path(
    get,
    path = "/api/v1/inspections",
    operation_id = "inspections_list",
    tag = "inspections",
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
    query: Query<ListQuery>,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, Problem> {
    let line = query
        .line
        .as_deref()
        .map(|l| {
            LineCode::parse(l.trim()).map_err(|e| Problem::invalid_field("line", e.to_string()))
        })
        .transpose()?;
    let rounds = rounds::list(&state, &staff, line.as_ref()).await?;
    Ok(HttpResponse::Ok().json(json!({ "rounds": rounds })))
}

/// `GET /api/v1/inspections/worklist`: what waits for the caller.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/worklist",
    operation_id = "inspections_worklist",
    tag = "inspections",
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn worklist(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, Problem> {
    let items = rounds::worklist(&state, &staff).await?;
    Ok(HttpResponse::Ok().json(json!({ "rounds": items })))
}

/// `GET /api/v1/inspections/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}",
    operation_id = "inspections_read",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = Object, content_type = "application/json", headers(("ETag" = String, description = "the version, for `If-Match`"))),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn read(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let view = rounds::read(&state, &identity, path.into_inner()).await?;
    Ok(round_response(StatusCode::OK, &view))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateBody {
    to: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/inspections/{id}/state` with `If-Match`.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/state",
    operation_id = "inspections_move_to",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("If-Match" = String, Header, description = "the ETag of the version the change was made to")),
    request_body(content = StateBody, content_type = "application/json"),
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
pub async fn move_to(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: HttpRequest,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<StateBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let expected = expected_version(&request, TAG_KIND, id, "inspection round")?;
    let body = body.parsed()?;
    let to = RoundState::parse(&body.to).ok_or_else(|| {
        Problem::invalid_field(
            "to",
            format!(
                "{:?} is not a state: {}",
                body.to,
                RoundState::ALL.map(RoundState::as_str).join(", ")
            ),
        )
    })?;
    let view = rounds::move_to(&state, &staff, id, expected, to, body.reason.as_deref()).await?;
    Ok(round_response(StatusCode::OK, &view))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FindingQuery {
    subject: Option<String>,
}

/// `GET /api/v1/inspections/{id}/findings[?subject=]`: the current findings, or every version
/// of one subject's.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/findings",
    operation_id = "inspections_findings_list",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1), FindingQuery),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn findings_list(
    query: Query<FindingQuery>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let findings = match query.subject.as_deref() {
        Some(subject) => findings::history(&state, &identity, id, subject).await?,
        None => findings::current(&state, &identity, id).await?,
    };
    Ok(HttpResponse::Ok().json(json!({ "findings": findings })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingBody {
    #[serde(default)]
    side: Option<String>,
    subject: String,
    #[serde(default)]
    base_version: i64,
    finding: FindingInput,
}

/// `POST /api/v1/inspections/{id}/findings`: one finding of the caller's side.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/findings",
    operation_id = "inspections_record_finding",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = FindingBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::domain::inspection_records::FindingRecord, content_type = "application/json"),
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
pub async fn record_finding(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<FindingBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let body = body.parsed()?;
    let submission = Submission {
        subject: body.subject,
        base_version: body.base_version,
        finding: body.finding,
    };
    let record = findings::record(&state, &staff, id, body.side.as_deref(), submission).await?;
    Ok(HttpResponse::Created().json(record))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchItemBody {
    client_id: String,
    #[serde(default)]
    captured_at: Option<DateTime<Utc>>,
    subject: String,
    #[serde(default)]
    base_version: i64,
    finding: FindingInput,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    #[serde(default)]
    side: Option<String>,
    items: Vec<BatchItemBody>,
}

/// `POST /api/v1/inspections/{id}/findings/batch`: findings captured offline.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/findings/batch",
    operation_id = "inspections_record_batch",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = BatchBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::app::inspections::findings::BatchResult, content_type = "application/json"),
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
pub async fn record_batch(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<BatchBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let body = body.parsed()?;
    let items = body
        .items
        .into_iter()
        .map(|item| BatchItem {
            client_id: item.client_id,
            captured_at: item.captured_at,
            submission: Submission {
                subject: item.subject,
                base_version: item.base_version,
                finding: item.finding,
            },
        })
        .collect();
    let result = findings::record_batch(&state, &staff, id, body.side.as_deref(), items).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// `GET /api/v1/inspections/{id}/reconciliation`.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/reconciliation",
    operation_id = "inspections_reconciliation",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = crate::domain::inspection_reconcile::Reconciliation, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn reconciliation(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let result = discussion::reconciliation(&state, &identity, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// `GET /api/v1/inspections/{id}/threads/{subject}`.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/threads/{subject}",
    operation_id = "inspections_thread",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("subject" = String, Path, description = "what the thread is about (`line`, `marker:<number>`, `segment:<n>`, …)", example = "line")),
    responses(
        (status = 200, description = "the record", body = crate::app::inspections::discussion::Thread, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn thread(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, Problem> {
    let (id, subject) = path.into_inner();
    let thread = discussion::thread(&state, &identity, id, &subject).await?;
    Ok(HttpResponse::Ok().json(thread))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    body: String,
    #[serde(default)]
    photo_ids: Vec<i64>,
}

/// `POST /api/v1/inspections/{id}/threads/{subject}/comments`.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/threads/{subject}/comments",
    operation_id = "inspections_comment",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("subject" = String, Path, description = "what the thread is about (`line`, `marker:<number>`, `segment:<n>`, …)", example = "line")),
    request_body(content = CommentBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::domain::inspection_records::CommentRecord, content_type = "application/json"),
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
pub async fn comment(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(i64, String)>,
    body: JsonBody<CommentBody>,
) -> Result<HttpResponse, Problem> {
    let (id, subject) = path.into_inner();
    let body = body.parsed()?;
    let comment =
        discussion::comment(&state, &staff, id, &subject, &body.body, &body.photo_ids).await?;
    Ok(HttpResponse::Created().json(comment))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    side: String,
    version: i64,
}

/// `POST /api/v1/inspections/{id}/threads/{subject}/acceptance`: the caller's side accepts one
/// side's finding (at its current version).
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/threads/{subject}/acceptance",
    operation_id = "inspections_accept",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("subject" = String, Path, description = "what the thread is about (`line`, `marker:<number>`, `segment:<n>`, …)", example = "line")),
    request_body(content = AcceptBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::domain::inspection_reconcile::Item, content_type = "application/json"),
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
pub async fn accept(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(i64, String)>,
    body: JsonBody<AcceptBody>,
) -> Result<HttpResponse, Problem> {
    let (id, subject) = path.into_inner();
    let body = body.parsed()?;
    let item = discussion::accept(&state, &staff, id, &subject, &body.side, body.version).await?;
    Ok(HttpResponse::Ok().json(item))
}

/// `GET /api/v1/inspections/{id}/disputes`.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/disputes",
    operation_id = "inspections_disputes",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn disputes(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let disputes = discussion::disputes(&state, &identity, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "disputes": disputes })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeBody {
    subject: String,
    description: String,
    #[serde(default)]
    claim: Option<Value>,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/inspections/{id}/disputes`.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/disputes",
    operation_id = "inspections_open_dispute",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = DisputeBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::domain::inspection_records::DisputeRecord, content_type = "application/json"),
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
pub async fn open_dispute(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<DisputeBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let body = body.parsed()?;
    let input = DisputeInput {
        subject: body.subject,
        description: body.description,
        claim: body.claim,
        note: body.note,
    };
    let dispute = discussion::open_dispute(&state, &staff, id, input).await?;
    Ok(HttpResponse::Created().json(dispute))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    #[serde(default)]
    side: Option<String>,
    line: Value,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/inspections/{id}/disputes/{dispute}/claims`: the caller's side's claimed line.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/disputes/{dispute}/claims",
    operation_id = "inspections_claim",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("dispute" = i64, Path, description = "the dispute's id", example = 1)),
    request_body(content = ClaimBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::domain::inspection_records::DisputeRecord, content_type = "application/json"),
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
pub async fn claim(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(i64, i64)>,
    body: JsonBody<ClaimBody>,
) -> Result<HttpResponse, Problem> {
    let (id, dispute) = path.into_inner();
    let body = body.parsed()?;
    let dispute = discussion::claim(
        &state,
        &staff,
        id,
        dispute,
        body.side.as_deref(),
        body.line,
        body.note,
    )
    .await?;
    Ok(HttpResponse::Ok().json(dispute))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeStatusBody {
    to: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    document: Option<String>,
}

/// `POST /api/v1/inspections/{id}/disputes/{dispute}/status`.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/disputes/{dispute}/status",
    operation_id = "inspections_dispute_status",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("dispute" = i64, Path, description = "the dispute's id", example = 1)),
    request_body(content = DisputeStatusBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::domain::inspection_records::DisputeRecord, content_type = "application/json"),
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
pub async fn dispute_status(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(i64, i64)>,
    body: JsonBody<DisputeStatusBody>,
) -> Result<HttpResponse, Problem> {
    let (id, dispute) = path.into_inner();
    let body = body.parsed()?;
    let to = DisputeStatus::parse(&body.to).ok_or_else(|| {
        Problem::invalid_field(
            "to",
            format!("{:?}: negotiated, escalated or resolved", body.to),
        )
    })?;
    let dispute =
        discussion::move_dispute(&state, &staff, id, dispute, to, body.note, body.document).await?;
    Ok(HttpResponse::Ok().json(dispute))
}

/// `GET /api/v1/inspections/{id}/tasks`.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/tasks",
    operation_id = "inspections_tasks_list",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = Object, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn tasks_list(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let tasks = tasks::list(&state, &identity, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "tasks": tasks })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    marker_number: String,
    action: TaskAction,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    new_position: Option<PositionInput>,
}

/// `POST /api/v1/inspections/{id}/tasks`.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/tasks",
    operation_id = "inspections_create_task",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = TaskBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::domain::inspection_records::TaskRecord, content_type = "application/json"),
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
pub async fn create_task(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<TaskBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let body = body.parsed()?;
    let input = TaskInput {
        marker_number: body.marker_number,
        action: body.action,
        reason: body.reason,
        new_position: body.new_position,
    };
    let task = tasks::create(&state, &staff, id, input).await?;
    Ok(HttpResponse::Created().json(task))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionBody {
    #[serde(default)]
    completed_on: Option<NaiveDate>,
    #[serde(default)]
    present: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    photo_ids: Vec<i64>,
    #[serde(default)]
    notes: Option<String>,
}

/// `POST /api/v1/inspections/{id}/tasks/{task}/completion`.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/tasks/{task}/completion",
    operation_id = "inspections_complete_task",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("task" = i64, Path, description = "the task's id", example = 1)),
    request_body(content = CompletionBody, content_type = "application/json"),
    responses(
        (status = 200, description = "done: the record as it is now", body = crate::domain::inspection_records::TaskRecord, content_type = "application/json"),
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
pub async fn complete_task(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(i64, i64)>,
    body: JsonBody<CompletionBody>,
) -> Result<HttpResponse, Problem> {
    let (id, task) = path.into_inner();
    let body = body.parsed()?;
    let input = CompletionInput {
        completed_on: body.completed_on,
        present: body.present,
        photo_ids: body.photo_ids,
        notes: body.notes,
    };
    let task = tasks::complete(&state, &staff, id, task, input).await?;
    Ok(HttpResponse::Ok().json(task))
}

/// `POST /api/v1/inspections/{id}/photos` (multipart, field `photo`).
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/photos",
    operation_id = "inspections_upload_photo",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = crate::http::openapi::PhotoForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "created", body = Object, content_type = "application/json"),
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
pub async fn upload_photo(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    form: Multipart,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let limits = state.settings.staff_photo_limits();
    let photo = photos::upload(&state, &staff, id, receive_photo(form, limits)).await?;
    Ok(HttpResponse::Created().json(json!({
        "photo_id": photo.id,
        "url": format!("/api/v1/inspections/{id}/photos/{}", photo.id),
        "side": photo.side,
        "width": photo.width,
        "height": photo.height,
        "sha256": photo.sha256,
    })))
}

/// `GET /api/v1/inspections/{id}/photos/{photo}`.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/photos/{photo}",
    operation_id = "inspections_photo",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1), ("photo" = i64, Path, description = "the photo's id", example = 1)),
    responses(
        (status = 200, description = "the record", body = crate::http::openapi::Binary, content_type = "image/jpeg"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn photo(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, Problem> {
    let (id, photo) = path.into_inner();
    let (media_type, bytes) = photos::read(&state, &identity, id, photo).await?;
    Ok(HttpResponse::Ok().content_type(media_type).body(bytes))
}

/// `GET /api/v1/inspections/{id}/report`: the content, its hash and the signatures.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/report",
    operation_id = "inspections_report",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = crate::app::inspections::report::ReportView, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn report(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let view = report::report(&state, &identity, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    side: String,
    hash: String,
}

/// `POST /api/v1/inspections/{id}/signatures`: a side's signer signs the hash they read.
#[utoipa::path(
    post,
    path = "/api/v1/inspections/{id}/signatures",
    operation_id = "inspections_sign",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    request_body(content = SignBody, content_type = "application/json"),
    responses(
        (status = 201, description = "created", body = crate::app::inspections::report::ReportView, content_type = "application/json"),
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
pub async fn sign(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBody<SignBody>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let body = body.parsed()?;
    let view = report::sign(&state, &staff, id, body.side.trim(), &body.hash).await?;
    Ok(HttpResponse::Created().json(view))
}

/// `GET /api/v1/inspections/{id}/verify`: the stored records against the signed hash.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/verify",
    operation_id = "inspections_verify",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the answer", body = crate::app::inspections::report::Verification, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn verify(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let verification = report::verify(&state, &identity, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(verification))
}

async fn output(
    state: &AppState,
    identity: &Identity,
    id: i64,
    which: report::Output,
    download: Option<&str>,
) -> Result<HttpResponse, Problem> {
    let (media_type, body) = report::output(state, identity, id, which).await?;
    let mut response = HttpResponse::Ok();
    response.content_type(media_type);
    if let Some(name) = download {
        response.insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"inspection-{id}-{name}\""),
        ));
    }
    Ok(response.body(body))
}

/// `GET /api/v1/inspections/{id}/report.html`: the report page (zh-CN).
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/report.html",
    operation_id = "inspections_report_html",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the file", body = crate::http::openapi::Binary, content_type = "text/html"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn report_html(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    output(
        &state,
        &identity,
        path.into_inner(),
        report::Output::ReportHtml,
        None,
    )
    .await
}

/// `GET /api/v1/inspections/{id}/report.pdf`: the report as a typeset PDF.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/report.pdf",
    operation_id = "inspections_report_pdf",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the file", body = crate::http::openapi::Binary, content_type = "application/pdf"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn report_pdf(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    let pdf = report::report_pdf(&state, &identity, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"inspection-{id}-report.pdf\""),
        ))
        .body(pdf))
}

/// `GET /api/v1/inspections/{id}/register.html`: the updated 界桩登记表.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/register.html",
    operation_id = "inspections_register_html",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the file", body = crate::http::openapi::Binary, content_type = "text/html"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn register_html(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    output(
        &state,
        &identity,
        path.into_inner(),
        report::Output::Register,
        None,
    )
    .await
}

/// `GET /api/v1/inspections/{id}/findings.csv`: every finding, for Excel.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/findings.csv",
    operation_id = "inspections_findings_csv",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the file", body = crate::http::openapi::Binary, content_type = "text/csv"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn findings_csv(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    output(
        &state,
        &identity,
        path.into_inner(),
        report::Output::FindingsCsv,
        Some("findings.csv"),
    )
    .await
}

/// `GET /api/v1/inspections/{id}/map.svg`: the line, its markers and the claims.
#[utoipa::path(
    get,
    path = "/api/v1/inspections/{id}/map.svg",
    operation_id = "inspections_map_svg",
    tag = "inspections",
    params(("id" = i64, Path, description = "the record's id", example = 1)),
    responses(
        (status = 200, description = "the file", body = crate::http::openapi::Binary, content_type = "image/svg+xml"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 404, response = crate::http::openapi::NotFound)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub async fn map_svg(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    output(
        &state,
        &identity,
        path.into_inner(),
        report::Output::Map,
        None,
    )
    .await
}
