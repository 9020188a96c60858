//! Signing in and out: `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/auth/me`.

use crate::http::query::{NoParams, Query};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::body::JsonBody;
use super::identity::SESSION_COOKIE;
use super::problem::Problem;
use crate::app::{self, Staff};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    operation_id = "auth_login",
    tag = "auth",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "signed in: the token, and the session cookie set", body = crate::http::openapi::SignedIn, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 413, response = crate::http::openapi::PayloadTooLarge),
        (status = 415, response = crate::http::openapi::UnsupportedMediaType),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 429, response = crate::http::openapi::TooManyRequests),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(())
)]
pub async fn login(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, Problem> {
    let body = body.parsed()?;
    let remote_addr = request.peer_addr().map(|a| a.ip().to_string());
    let session =
        app::accounts::sign_in(&state, &body.username, body.password, remote_addr).await?;
    let cookie = Cookie::build(SESSION_COOKIE, session.token.clone())
        .path("/")
        .http_only(true)
        .secure(state.settings.cookie_secure)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(
            state.settings.session_ttl.num_seconds(),
        ))
        .finish();
    Ok(HttpResponse::Ok().cookie(cookie).json(json!({
        "token": session.token,
        "token_type": "Bearer",
        "expires_at": session.expires_at,
        "user": session.actor,
    })))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    operation_id = "auth_logout",
    tag = "auth",
    responses(
        (status = 204, description = "signed out; the session cookie is removed"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden),
        (status = 409, response = crate::http::openapi::Conflict),
        (status = 422, response = crate::http::openapi::Unprocessable),
        (status = 503, response = crate::http::openapi::Busy)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn logout(
    _query: Query<NoParams>,
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, Problem> {
    app::accounts::sign_out(&state, &staff).await?;
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    operation_id = "auth_me",
    tag = "auth",
    responses(
        (status = 200, description = "the answer", body = crate::http::openapi::SignedInUser, content_type = "application/json"),
        (status = 400, response = crate::http::openapi::BadRequest),
        (status = 401, response = crate::http::openapi::Unauthenticated),
        (status = 403, response = crate::http::openapi::Forbidden)
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn me(_query: Query<NoParams>, staff: Staff) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "user": staff.actor }))
}
