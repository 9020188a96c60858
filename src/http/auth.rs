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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

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

pub async fn me(_query: Query<NoParams>, staff: Staff) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "user": staff.actor }))
}
