//! The HTTP edge: parses requests into domain types, calls the store, and turns every error into
//! problem+json. Routes are registered in `router`, which the tests reuse.

pub mod audit;
pub mod auth;
pub mod body;
pub mod boundaries;
pub mod division_events;
pub mod divisions;
pub mod identity;
pub mod markers;
pub mod meta;
pub mod places;
pub mod precondition;
pub mod problem;
pub mod public;
pub mod romanize;
pub mod search;
pub mod signs;
pub mod spatial;
pub mod transform;

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, middleware, web};
use chrono::{Duration, FixedOffset, NaiveDate, Utc};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::domain::category::CategoryCatalog;
use crate::store::Store;
use crate::store::accounts::LockoutPolicy;
use problem::Problem;

/// What the handlers share.
pub struct AppState {
    pub store: Store,
    pub catalog: Arc<CategoryCatalog>,
    pub settings: HttpSettings,
    pub qr_cache: signs::QrCache,
    /// Rendered public pages by (code, language), valid while `generation` is unchanged.
    pub page_cache: quick_cache::sync::Cache<(String, bool), Arc<(u64, String)>>,
    /// Sign ids by public code, for counting scans of cached pages (a code never changes).
    pub sign_ids: quick_cache::sync::Cache<String, i64>,
    generation: AtomicU64,
    scans: Mutex<HashMap<(i64, NaiveDate), i64>>,
    pub reports_per_address: DefaultKeyedRateLimiter<IpAddr>,
    pub reports_per_sign: DefaultKeyedRateLimiter<i64>,
    /// Areas and nearest features of the current records (see `spatial::index`).
    pub spatial: std::sync::RwLock<crate::spatial::index::SpatialIndex>,
    /// Every name of every record, for search (see `search`).
    pub names: std::sync::RwLock<crate::search::NameIndex>,
    /// Division names by code, for the division chains of search hits.
    pub divisions: std::sync::RwLock<search::DivisionDirectory>,
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub session_ttl: Duration,
    pub cookie_secure: bool,
    pub max_body_bytes: usize,
    pub lockout: LockoutPolicy,
    /// Where the public reaches the service: `https://dm.example.gov.cn` (no trailing slash).
    pub public_base_url: String,
    pub maintenance_interval_days: i64,
    pub max_photo_bytes: usize,
    /// Reports accepted per address per hour, and per sign per hour.
    pub reports_per_address_per_hour: u32,
    pub reports_per_sign_per_hour: u32,
}

impl HttpSettings {
    /// The URL a sign's QR code carries.
    pub fn public_url(&self, code: &str) -> String {
        format!("{}/s/{code}", self.public_base_url)
    }
}

impl AppState {
    pub fn new(store: Store, catalog: Arc<CategoryCatalog>, settings: HttpSettings) -> Self {
        let per_hour = |n: u32| Quota::per_hour(NonZeroU32::new(n.max(1)).expect("at least one"));
        Self {
            reports_per_address: DefaultKeyedRateLimiter::keyed(per_hour(
                settings.reports_per_address_per_hour,
            )),
            reports_per_sign: DefaultKeyedRateLimiter::keyed(per_hour(
                settings.reports_per_sign_per_hour,
            )),
            store,
            catalog,
            settings,
            qr_cache: signs::QrCache::new(10_000),
            page_cache: quick_cache::sync::Cache::new(10_000),
            sign_ids: quick_cache::sync::Cache::new(100_000),
            generation: AtomicU64::new(0),
            scans: Mutex::new(HashMap::new()),
            spatial: std::sync::RwLock::new(Default::default()),
            names: std::sync::RwLock::new(Default::default()),
            divisions: std::sync::RwLock::new(Default::default()),
        }
    }

    /// Builds the spatial indexes, the name index and the division directory from the database
    /// (at start), reading the records once and parsing each geometry once. Returns the number
    /// of spatial features and of names.
    pub async fn build_indexes(&self) -> Result<(usize, usize), crate::store::StoreError> {
        let directory: search::DivisionDirectory = self
            .store
            .all_divisions()
            .await?
            .into_iter()
            .map(|d| (d.code.as_str().to_string(), d))
            .collect();
        let places = self.store.all_current_versions().await?;
        let mut names = Vec::with_capacity(places.len());
        let mut features = Vec::with_capacity(places.len());
        for place in &places {
            let geometry = spatial::place_geometry(place);
            names.extend(search::name_records(place, geometry.as_ref()));
            features.extend(spatial::index_entry(place, geometry));
        }
        let spatial_index = crate::spatial::index::SpatialIndex::build(features);
        let name_index = crate::search::NameIndex::build(names);
        let counts = (spatial_index.len(), name_index.len());
        if let Ok(mut spatial) = self.spatial.write() {
            *spatial = spatial_index;
        }
        if let Ok(mut names) = self.names.write() {
            *names = name_index;
        }
        if let Ok(mut divisions) = self.divisions.write() {
            *divisions = directory;
        }
        Ok(counts)
    }

    /// After a place record was written: derived pages are stale, and the spatial indexes take
    /// its new state (or drop it, once it is historical or has no geometry).
    pub fn place_changed(&self, place: &crate::store::places::StoredPlace) {
        self.content_changed();
        let geometry = spatial::place_geometry(place);
        let names = search::name_records(place, geometry.as_ref());
        if let Ok(mut index) = self.spatial.write() {
            match spatial::index_entry(place, geometry) {
                Some((entry, geometry)) => index.upsert(entry, geometry),
                None => index.remove(place.id),
            }
        }
        if let Ok(mut index) = self.names.write() {
            index.replace_place(place.id, names);
        }
    }

    /// Marks every derived page stale; called after every write that a public page may show.
    pub fn content_changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Counts one scan of a sign today; counts reach the database in `flush_scans`.
    pub fn count_scan(&self, sign_id: i64) {
        if let Ok(mut scans) = self.scans.lock() {
            *scans.entry((sign_id, today())).or_insert(0) += 1;
        }
    }

    /// Writes the counted scans to the database.
    pub async fn flush_scans(&self) {
        let counts: Vec<(i64, NaiveDate, i64)> = match self.scans.lock() {
            Ok(mut scans) => scans.drain().map(|((id, day), n)| (id, day, n)).collect(),
            Err(_) => return,
        };
        if counts.is_empty() {
            return;
        }
        if let Err(error) = self.store.add_scans(&counts).await {
            problem::log_internal(&error);
        }
    }
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
        // Nested scopes and one resource per path: a request is matched by prefix first, so it is
        // tested against a handful of patterns rather than every route of the API.
        web::scope("/api/v1")
            .service(
                web::scope("/signs")
                    .service(web::resource("/{id}/qr.{format}").get(signs::qr))
                    .service(web::resource("").get(signs::list).post(signs::create))
                    .service(web::resource("/qr-sheet").get(signs::qr_sheet))
                    .service(web::resource("/reports").get(signs::reports))
                    .service(web::resource("/reports/{id}").post(signs::handle_report))
                    .service(web::resource("/photos/{id}").get(signs::photo))
                    .service(web::resource("/{id}").get(signs::read).put(signs::update))
                    .service(
                        web::resource("/{id}/maintenance")
                            .get(signs::maintenance_log)
                            .post(signs::record_maintenance),
                    )
                    .service(web::resource("/{id}/photos").post(signs::upload_photo))
                    .service(web::resource("/{id}/scans").get(signs::scans)),
            )
            .service(
                web::scope("/places")
                    // GeoJSON lists shrink several times under gzip.
                    .wrap(middleware::Compress::default())
                    .service(web::resource("").get(places::list).post(places::create))
                    .service(web::resource("/nearest").get(spatial::nearest))
                    .service(web::resource("/{id}").get(places::read).put(places::update))
                    .service(web::resource("/{id}/retire").post(places::retire))
                    .service(web::resource("/{id}/history").get(places::history))
                    .service(web::resource("/{id}/versions/{version}").get(places::read_version)),
            )
            .service(
                web::scope("/auth")
                    .service(web::resource("/login").post(auth::login))
                    .service(web::resource("/logout").post(auth::logout))
                    .service(web::resource("/me").get(auth::me)),
            )
            .service(
                web::scope("/divisions")
                    .service(web::resource("").get(divisions::list))
                    .service(web::resource("/{code}").get(divisions::read)),
            )
            .service(
                web::scope("/division-events")
                    .service(
                        web::resource("")
                            .get(division_events::list)
                            .post(division_events::propose),
                    )
                    .service(web::resource("/{id}").get(division_events::read))
                    .service(web::resource("/{id}/approve").post(division_events::approve))
                    .service(web::resource("/{id}/reject").post(division_events::reject)),
            )
            .service(web::resource("/romanize").get(romanize::romanize))
            .service(web::resource("/romanize/check").get(romanize::check))
            .service(web::resource("/search").get(search::search))
            .service(
                web::scope("/markers")
                    .service(web::resource("").get(markers::list).post(markers::create))
                    .service(web::resource("/photos/{id}").get(markers::photo))
                    .service(web::resource("/{number}").get(markers::read))
                    .service(web::resource("/{number}/conditions").post(markers::record_condition))
                    .service(web::resource("/{number}/photos").post(markers::upload_photo)),
            )
            .service(web::resource("/boundaries").get(boundaries::between))
            .service(
                web::scope("/boundary-lines")
                    .service(web::resource("").post(boundaries::create))
                    .service(
                        web::resource("/{line_code}")
                            .get(boundaries::read)
                            .put(boundaries::update),
                    )
                    .service(web::resource("/{line_code}/history").get(boundaries::history)),
            )
            .service(web::resource("/transform").get(transform::transform))
            .service(web::resource("/reverse").get(spatial::reverse))
            .service(web::resource("/health").get(meta::health))
            .service(web::resource("/version").get(meta::version))
            .service(web::resource("/categories").get(meta::categories))
            .service(web::resource("/audit").get(audit::list)),
    )
    .service(
        web::scope("/s")
            // The page is read on phones, often on slow networks.
            .wrap(middleware::Compress::default())
            .service(web::resource("/{code}").get(public::sign_page))
            .service(web::resource("/{code}/report").post(public::report)),
    )
    .default_service(web::to(meta::not_found));
}
