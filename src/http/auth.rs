//! Signing in and out: `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/auth/me`.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::body::JsonBody;
use super::identity::SESSION_COOKIE;
use super::problem::Problem;
use crate::app::Staff;
use crate::security::{decoy_hash, new_token, token_digest, verify_password};
use crate::store::audit::Author;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

const WRONG_CREDENTIALS: &str = "the username or password is wrong";

pub async fn login(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<HttpResponse, Problem> {
    let now = Utc::now();
    let username = body.username.trim().to_lowercase();
    let author = Author {
        user_id: None,
        username: "anonymous".into(),
        remote_addr: request.peer_addr().map(|a| a.ip().to_string()),
    };
    if let Some(until) = state.store.locked_until(&username, now).await? {
        return Err(Problem::too_many_requests(
            format!(
                "too many failed sign-ins for this username: try again after {}",
                until.format("%H:%M UTC")
            ),
            (until - now).num_seconds(),
        ));
    }
    let account = state.store.account_by_username(&username).await?;
    let stored_hash = account
        .as_ref()
        .map_or_else(|| decoy_hash().to_string(), |a| a.password_hash.clone());
    let password = body.password;
    // Hashing is deliberately slow: keep it off the async workers.
    let matches = web::block(move || verify_password(&password, &stored_hash))
        .await
        .map_err(|_| Problem::internal())?;
    let account = match account {
        Some(account) if matches && !account.disabled => account,
        _ => {
            state
                .store
                .record_login_failure(&username, now, state.settings.lockout, &author)
                .await?;
            return Err(Problem::unauthenticated(WRONG_CREDENTIALS));
        }
    };
    let token = new_token().map_err(|e| {
        super::problem::log_internal(&e);
        Problem::internal()
    })?;
    let expires_at = now + state.settings.session_ttl;
    let author = Author {
        user_id: Some(account.actor.user_id),
        username: account.actor.username.clone(),
        ..author
    };
    state
        .store
        .open_session(&account.actor, &token_digest(&token), expires_at, &author)
        .await?;
    let cookie = Cookie::build(SESSION_COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .secure(state.settings.cookie_secure)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(
            state.settings.session_ttl.num_seconds(),
        ))
        .finish();
    Ok(HttpResponse::Ok().cookie(cookie).json(json!({
        "token": token,
        "token_type": "Bearer",
        "expires_at": expires_at,
        "user": account.actor,
    })))
}

pub async fn logout(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, Problem> {
    state
        .store
        .revoke_session(&token_digest(&staff.token), &staff.author())
        .await?;
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

pub async fn me(staff: Staff) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "user": staff.actor }))
}
