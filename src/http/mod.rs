//! The HTTP edge: parses requests into domain types, calls the store, and turns every error into
//! problem+json. Routes are registered in `router`, which the tests reuse.

pub mod audit;
pub mod auth;
pub mod body;
pub mod identity;
pub mod meta;
pub mod places;
pub mod problem;

use std::sync::Arc;

use actix_web::{HttpRequest, web};
use chrono::{Duration, FixedOffset, NaiveDate, Utc};

use crate::domain::category::CategoryCatalog;
use crate::store::Store;
use crate::store::accounts::LockoutPolicy;
use problem::Problem;

/// What the handlers share.
pub struct AppState {
    pub store: Store,
    pub catalog: Arc<CategoryCatalog>,
    pub settings: HttpSettings,
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub session_ttl: Duration,
    pub cookie_secure: bool,
    pub max_body_bytes: usize,
    pub lockout: LockoutPolicy,
}

/// Today in China (UTC+8): the calendar day effective dates are counted in.
pub fn today() -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    Utc::now().with_timezone(&china).date_naive()
}

/// Registers every route of the service.
pub fn router(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::QueryConfig::default().error_handler(|error, _req: &HttpRequest| {
            Problem::invalid_field("query", error.to_string()).into()
        }),
    )
    .app_data(
        web::PathConfig::default().error_handler(|error, _req: &HttpRequest| {
            Problem::not_found(format!("no such resource: {error}")).into()
        }),
    )
    .service(
        web::scope("/api/v1")
            .route("/health", web::get().to(meta::health))
            .route("/categories", web::get().to(meta::categories))
            .route("/auth/login", web::post().to(auth::login))
            .route("/auth/logout", web::post().to(auth::logout))
            .route("/auth/me", web::get().to(auth::me))
            .route("/audit", web::get().to(audit::list))
            .route("/places", web::get().to(places::list))
            .route("/places", web::post().to(places::create))
            .route("/places/{id}", web::get().to(places::read))
            .route("/places/{id}", web::put().to(places::update))
            .route("/places/{id}/retire", web::post().to(places::retire))
            .route("/places/{id}/history", web::get().to(places::history))
            .route(
                "/places/{id}/versions/{version}",
                web::get().to(places::read_version),
            ),
    )
    .default_service(web::to(meta::not_found));
}
