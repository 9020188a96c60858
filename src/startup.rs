//! Building the application from its settings: open and migrate the database, load reference
//! data (and the demo data when asked), bind the listener and start serving.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use chrono::Duration;

use crate::app::{AppSettings, AppState};
use crate::demo;
use crate::http::body::BodyLimit;
use crate::http::router;
use crate::store::Store;
use crate::store::accounts::LockoutPolicy;

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub database_url: String,
    pub demo: bool,
    /// With the demo: sample markers on the 嘉善县 | 平湖市 line and an inspection round in
    /// reconciliation (`demo::inspection`); `serve --demo` turns it on.
    pub demo_inspection: bool,
    /// With `demo`: also load the sample roads, door numbers and door plates.
    pub demo_addresses: bool,
    pub data_dir: PathBuf,
    pub session_ttl_minutes: i64,
    pub cookie_secure: bool,
    pub max_body_bytes: usize,
    pub workers: Option<usize>,
    /// Where the public reaches the service (the host in sign QR codes); `http://<bind>` if unset.
    pub public_base_url: Option<String>,
    pub maintenance_interval_days: i64,
    pub max_photo_bytes: usize,
    /// The largest photo of an anonymous public report.
    pub max_report_photo_bytes: usize,
    /// The largest image accepted, in pixels.
    pub max_photo_pixels: u64,
    pub reports_per_address_per_hour: u32,
    pub reports_per_sign_per_hour: u32,
    /// Reverse proxies whose forwarded host and scheme are believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How far a boundary marker may stand from its line, in metres.
    pub max_marker_offset_m: f64,
    /// Log one line per request.
    pub access_log: bool,
    /// How hard SQLite works to keep an acknowledged write through a power cut.
    pub durability: crate::store::Durability,
    /// The naming procedure's settings (notice days, word lists, clock).
    pub naming: crate::app::naming::NamingSettings,
    /// The Chinese font of PDFs.
    pub pdf: crate::app::pdf::PdfSettings,
}

impl Settings {
    /// Settings for tests and tools: an ephemeral port, secure cookies off (plain HTTP).
    pub fn for_database(database_url: &str) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            database_url: database_url.into(),
            demo: false,
            demo_inspection: false,
            demo_addresses: false,
            data_dir: PathBuf::from("data"),
            session_ttl_minutes: 480,
            cookie_secure: false,
            max_body_bytes: 1 << 20,
            workers: Some(2),
            public_base_url: None,
            maintenance_interval_days: 365,
            max_photo_bytes: 5 << 20,
            max_report_photo_bytes: 1 << 20,
            max_photo_pixels: crate::media::DEFAULT_MAX_PIXELS,
            reports_per_address_per_hour: 5,
            reports_per_sign_per_hour: 20,
            trusted_proxies: Vec::new(),
            max_marker_offset_m: crate::app::markers::DEFAULT_MAX_MARKER_OFFSET_M,
            access_log: false,
            durability: crate::store::Durability::Full,
            naming: Default::default(),
            pdf: Default::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database")]
    Store(#[from] crate::store::StoreError),
    #[error("demo data")]
    Demo(#[from] demo::DemoError),
    #[error("cannot listen on {address}")]
    Bind {
        address: String,
        #[source]
        source: std::io::Error,
    },
}

pub struct Application {
    port: u16,
    server: Server,
    store: Store,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let store = Store::open(&settings.database_url, settings.durability).await?;
        store.migrate().await?;
        let catalog = Arc::new(store.category_catalog().await?);
        if settings.demo {
            demo::load_if_empty(&store, &catalog, &settings.data_dir).await?;
        }
        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartupError::Bind {
            address: settings.bind.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                address: settings.bind.clone(),
                source,
            })?
            .port();
        let public_base_url = settings
            .public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", display_address(&settings.bind, port)))
            .trim_end_matches('/')
            .to_string();
        let state = web::Data::new(AppState::new(
            store.clone(),
            catalog,
            app_settings(&settings, public_base_url),
        ));
        if let Err(error) = state.pdf.check() {
            // The service runs without it; its PDFs answer 503 until the font can be read.
            tracing::warn!("{error}");
        }
        let (features, names) = state.build_indexes().await?;
        tracing::info!(features, names, "spatial and name indexes ready");
        if settings.demo && settings.demo_inspection {
            demo::inspection::load_if_absent(&state).await?;
        }
        if settings.demo && settings.demo_addresses {
            demo::addresses::load_if_absent(&state).await?;
        }
        crate::app::jobs::spawn_all(state.clone().into_inner());
        let body_limit = BodyLimit(settings.max_body_bytes);
        let access_log = settings.access_log;
        let mut server = HttpServer::new(move || {
            App::new()
                // One access-log line per request; it costs about a fifth of the throughput of the
                // cheapest endpoints, so it can be switched off like nginx's access_log.
                .wrap(middleware::Condition::new(
                    access_log,
                    middleware::Logger::new("%a \"%r\" %s %b %Dms").log_target("diming::access"),
                ))
                .wrap(middleware::from_fn(
                    crate::http::uri_limit::refuse_long_uris,
                ))
                .app_data(state.clone())
                .app_data(body_limit)
                .configure(router)
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            address: settings.bind.clone(),
            source,
        })?;
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            port,
            server: server.run(),
            store,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// `host:port` for a bind address whose port may have been 0.
pub fn display_address(bind: &str, port: u16) -> String {
    let host = bind.rsplit_once(':').map_or(bind, |(host, _)| host);
    let host = if host == "0.0.0.0" || host.is_empty() {
        "127.0.0.1"
    } else {
        host
    };
    format!("{host}:{port}")
}

/// The use cases' settings from the service's.
fn app_settings(settings: &Settings, public_base_url: String) -> AppSettings {
    AppSettings {
        session_ttl: Duration::minutes(settings.session_ttl_minutes),
        cookie_secure: settings.cookie_secure,
        max_body_bytes: settings.max_body_bytes,
        lockout: LockoutPolicy::default(),
        public_base_url,
        maintenance_interval_days: settings.maintenance_interval_days,
        max_photo_bytes: settings.max_photo_bytes,
        max_report_photo_bytes: settings.max_report_photo_bytes,
        max_photo_pixels: settings.max_photo_pixels,
        reports_per_address_per_hour: settings.reports_per_address_per_hour,
        reports_per_sign_per_hour: settings.reports_per_sign_per_hour,
        trusted_proxies: settings.trusted_proxies.clone(),
        max_marker_offset_m: settings.max_marker_offset_m,
        naming: settings.naming.clone(),
        pdf: settings.pdf.clone(),
    }
}

/// The use cases' state on the database at `database_url` without a server, for the command
/// line (imports and exports through the same use cases as the API): migrated, the indexes
/// built.
pub async fn offline_state(database_url: &str) -> Result<AppState, StartupError> {
    let settings = Settings::for_database(database_url);
    let store = Store::open(&settings.database_url, settings.durability).await?;
    store.migrate().await?;
    let catalog = Arc::new(store.category_catalog().await?);
    let state = AppState::new(
        store,
        catalog,
        app_settings(&settings, "http://localhost".to_string()),
    );
    state.build_indexes().await?;
    Ok(state)
}
