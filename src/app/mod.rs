//! The use cases of the office: each area's module authorises the caller, checks the input, writes
//! in one transaction through the store, refreshes the in-memory indexes and caches, and leaves
//! the audit entry. `AppState` owns the store, the indexes, the caches and the clock; `jobs` runs
//! the background work. Nothing here knows HTTP: the edge (`http/`, `cli`) calls these functions
//! and maps their errors.

pub mod accounts;
pub mod address_applications;
pub mod address_certificate;
pub mod address_lookup;
pub mod address_plates;
pub mod address_renumbering;
pub mod addresses;
pub mod audit;
pub mod boundaries;
pub mod caller;
pub mod division_events;
pub mod divisions;
pub mod exchange;
pub mod exchange_markers;
pub mod freshness;
pub mod indexes;
pub mod inspections;
pub mod jobs;
pub mod markers;
pub mod naming;
pub mod ogc;
pub mod pdf;
pub mod places;
pub mod plate_campaign;
pub mod romanize;
pub mod search;
pub mod signs;
pub mod spatial;
pub mod tiles;
pub mod transform;

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{Duration, FixedOffset, NaiveDate, Utc};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::domain::category::CategoryCatalog;
use crate::search::NameIndex;
use crate::spatial::index::SpatialIndex;
use crate::store::Store;
use crate::store::accounts::LockoutPolicy;
use indexes::DivisionDirectory;

pub use caller::{Identity, Staff};

/// What every use case shares: the database, the reference data, the in-memory indexes derived
/// from the records, and the caches of derived pages.
pub struct AppState {
    /// The register's database: the record every index is derived from.
    pub store: Store,
    /// The category code table (GB/T 18521), loaded at start.
    pub catalog: Arc<CategoryCatalog>,
    /// The settings the service was started with.
    pub settings: AppSettings,
    /// Rendered QR codes by (sign id, format); a sign's QR code never changes.
    pub qr_cache: signs_cache::QrCache,
    /// Rendered public pages by (code, language), valid while `freshness` says so.
    pub page_cache: quick_cache::sync::Cache<(String, bool), Arc<freshness::CachedPage>>,
    /// Encoded vector tiles by collection, address and audience, valid while `freshness` says so.
    pub tiles: tiles::TileCache,
    /// When what each cached page shows was last written.
    pub freshness: freshness::Freshness,
    /// Pages being drawn again right now: one request draws, the others meanwhile get the
    /// copy drawn before (a burst of scans after an edit costs one redraw, not one each).
    pub pages_in_redraw: Mutex<std::collections::HashSet<(String, bool)>>,
    /// Sign ids by public code, for counting scans of cached pages (a code never changes).
    pub sign_ids: quick_cache::sync::Cache<String, i64>,
    scans: Mutex<HashMap<(i64, NaiveDate), i64>>,
    /// Public problem reports accepted per address per hour.
    pub reports_per_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Public problem reports accepted per sign per hour.
    pub reports_per_sign: DefaultKeyedRateLimiter<i64>,
    /// Areas and nearest features of the current records (see `spatial::index`).
    pub spatial: RwLock<SpatialIndex>,
    /// Every name of every record, for search (see `search`).
    pub names: RwLock<NameIndex>,
    /// Division names by code, for the division chains of search hits and reverse geocoding.
    pub divisions: RwLock<DivisionDirectory>,
    /// The rate limits of public comments on names under notice.
    pub naming: naming::NamingState,
    /// The font of PDFs, read on first use.
    pub pdf: Arc<pdf::PdfFonts>,
    /// The address index (see `address_lookup`); `None` once a write made it stale.
    pub address_index: RwLock<Option<Arc<crate::search::addresses::AddressIndex>>>,
}

/// How the service was configured (flags and environment, see `startup::Settings`).
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// How long a sign-in lasts.
    pub session_ttl: Duration,
    /// Whether the session cookie is marked Secure.
    pub cookie_secure: bool,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// When repeated failed sign-ins lock an account.
    pub lockout: LockoutPolicy,
    /// Where the public reaches the service: `https://dm.example.gov.cn` (no trailing slash).
    pub public_base_url: String,
    /// A sign in service is due for maintenance after this many days.
    pub maintenance_interval_days: i64,
    /// The largest photo a staff member may upload, in bytes.
    pub max_photo_bytes: usize,
    /// The largest photo attached to an anonymous public report, in bytes.
    pub max_report_photo_bytes: usize,
    /// The largest image accepted, in pixels (width × height from its header).
    pub max_photo_pixels: u64,
    /// Reports accepted per address per hour.
    pub reports_per_address_per_hour: u32,
    /// Reports accepted per sign per hour.
    pub reports_per_sign_per_hour: u32,
    /// Addresses of the reverse proxies whose `X-Forwarded-Host` and `X-Forwarded-Proto` are
    /// believed; from anyone else those headers are ignored.
    pub trusted_proxies: Vec<IpAddr>,
    /// How far a boundary marker may stand from its line, in metres (markers of a pair on two
    /// banks of a river stand off it); see `markers::DEFAULT_MAX_MARKER_OFFSET_M`.
    pub max_marker_offset_m: f64,
    /// The naming procedure: notice days, word lists, the clock it counts days by.
    pub naming: naming::NamingSettings,
    /// Where the Chinese font of PDFs comes from.
    pub pdf: pdf::PdfSettings,
}

impl AppSettings {
    /// The limits of a staff member's photo upload.
    pub fn staff_photo_limits(&self) -> crate::media::PhotoLimits {
        crate::media::PhotoLimits {
            max_bytes: self.max_photo_bytes,
            max_pixels: self.max_photo_pixels,
        }
    }

    /// The limits of a photo attached to an anonymous report: fewer bytes than staff uploads.
    pub fn report_photo_limits(&self) -> crate::media::PhotoLimits {
        crate::media::PhotoLimits {
            max_bytes: self.max_report_photo_bytes.min(self.max_photo_bytes),
            max_pixels: self.max_photo_pixels,
        }
    }

    /// The URL a sign's QR code carries.
    ///
    /// ```
    /// # use diming::app::AppSettings;
    /// # use diming::store::accounts::LockoutPolicy;
    /// let settings = AppSettings {
    ///     session_ttl: chrono::Duration::minutes(480),
    ///     cookie_secure: true,
    ///     max_body_bytes: 1 << 20,
    ///     lockout: LockoutPolicy::default(),
    ///     public_base_url: "https://dm.example.gov.cn".into(),
    ///     maintenance_interval_days: 365,
    ///     max_photo_bytes: 5 << 20,
    ///     max_report_photo_bytes: 1 << 20,
    ///     max_photo_pixels: 40_000_000,
    ///     reports_per_address_per_hour: 5,
    ///     reports_per_sign_per_hour: 20,
    ///     trusted_proxies: Vec::new(),
    ///     max_marker_offset_m: 1000.0,
    ///     naming: Default::default(),
    ///     pdf: Default::default(),
    /// };
    /// assert_eq!(settings.public_url("K7QX2M"), "https://dm.example.gov.cn/s/K7QX2M");
    /// ```
    pub fn public_url(&self, code: &str) -> String {
        format!("{}/s/{code}", self.public_base_url)
    }
}

/// The cache types of sign rendering, kept with the QR use cases (see `signs::qr`).
pub use signs::qr as signs_cache;

impl AppState {
    /// The state of a service on `store`, with empty indexes (see `build_indexes`).
    pub fn new(store: Store, catalog: Arc<CategoryCatalog>, settings: AppSettings) -> Self {
        let per_hour = |n: u32| Quota::per_hour(NonZeroU32::new(n.max(1)).expect("at least one"));
        let naming_state = naming::NamingState::new(&settings.naming);
        let pdf_fonts = Arc::new(pdf::PdfFonts::new(settings.pdf.clone()));
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
            qr_cache: signs_cache::QrCache::new(10_000),
            page_cache: quick_cache::sync::Cache::new(10_000),
            tiles: tiles::new_cache(20_000, 256 << 20),
            sign_ids: quick_cache::sync::Cache::new(100_000),
            freshness: freshness::Freshness::default(),
            pages_in_redraw: Mutex::new(Default::default()),
            scans: Mutex::new(HashMap::new()),
            spatial: RwLock::new(Default::default()),
            names: RwLock::new(Default::default()),
            divisions: RwLock::new(Default::default()),
            naming: naming_state,
            pdf: pdf_fonts,
            address_index: RwLock::new(None),
        }
    }

    /// Marks the address index stale: after a write of an address, a road or a division.
    pub fn addresses_changed(&self) {
        *self
            .address_index
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Marks every derived page stale: after a write every page may show (a division change).
    pub fn content_changed(&self) {
        self.freshness.everything_written();
        self.addresses_changed();
    }

    /// Counts one scan of a sign today; counts reach the database in `flush_scans`.
    pub fn count_scan(&self, sign_id: i64) {
        if let Ok(mut scans) = self.scans.lock() {
            *scans.entry((sign_id, today())).or_insert(0) += 1;
        }
    }

    /// Writes the counted scans to the database.
    pub async fn flush_scans(&self) -> Result<(), crate::store::StoreError> {
        let counts: Vec<(i64, NaiveDate, i64)> = match self.scans.lock() {
            Ok(mut scans) => scans.drain().map(|((id, day), n)| (id, day, n)).collect(),
            Err(_) => return Ok(()),
        };
        if counts.is_empty() {
            return Ok(());
        }
        self.store.add_scans(&counts).await
    }
}

/// Today in China (UTC+8): the calendar day effective dates are counted in.
///
/// ```
/// let today = diming::app::today();
/// assert!(today.format("%Y").to_string().parse::<i32>().unwrap() >= 2024);
/// ```
pub fn today() -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    Utc::now().with_timezone(&china).date_naive()
}
