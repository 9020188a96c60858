//! The database: connecting, migrating, backing up, and the repositories of each record kind.
//! This is the only module that writes SQL.

pub mod accounts;
pub mod address_applications;
pub mod addresses;
pub mod audit;
pub mod boundary_lines;
pub mod division_events;
pub mod divisions;
pub mod exchange;
pub mod gpkg;
pub mod gpkg_layers;
pub mod inspections;
pub mod markers;
pub mod naming;
pub mod naming_campaigns;
pub mod naming_heritage;
pub mod places;
pub mod plate_campaign;
pub mod reference;
pub mod romanization;
pub mod signs;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// What can go wrong in the database layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record.
    #[error("no such record")]
    NotFound,
    /// The edit started from an older version than the record is at now; nothing was written.
    #[error("the record has changed since version {expected}: it is at version {current}")]
    StaleVersion {
        /// The version the edit started from.
        expected: i64,
        /// The version the record is at.
        current: i64,
    },
    /// A record with the same identity already exists.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// The record moved on while the write was being prepared (a plate already at the stage
    /// it was to be moved to); nothing was written. The text says what moved.
    #[error("{0}")]
    Changed(String),
    /// The database is busy with other writes and this one could not start in time; nothing
    /// was written and the same request may be sent again.
    #[error("the database is busy with other changes")]
    Busy,
    /// A stored value cannot be read back.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// The database URL cannot be parsed.
    #[error("the database URL is not valid: {0}")]
    BadUrl(String),
    /// Any other database failure.
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// A migration failed.
    #[error("migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if is_busy(&error) {
            Self::Busy
        } else {
            Self::Database(error)
        }
    }
}

/// Whether an error means "another writer holds the lock": a pool that could not hand out the
/// writer connection in time, or SQLite's SQLITE_BUSY / SQLITE_LOCKED (and their extended codes)
/// after the busy timeout ran out.
fn is_busy(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| matches!(code & 0xFF, 5 | 6)),
        _ => false,
    }
}

/// How hard SQLite works to keep an acknowledged write through a power cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=FULL`: every commit reaches the disk before it is acknowledged (default).
    #[default]
    Full,
    /// `synchronous=NORMAL`: commits may be lost on a power cut (never corrupted); faster.
    Normal,
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Refuses an edit that started from version `expected` of a record now at `current`: every
/// optimistic write (the store inside its transaction, a use case before it judges the content)
/// asks the same question and gives the same answer.
pub fn expect_version(expected: i64, current: i64) -> StoreResult<()> {
    if expected == current {
        Ok(())
    } else {
        Err(StoreError::StaleVersion { expected, current })
    }
}

/// A handle to the register's database; cheap to clone.
///
/// Reads and writes use separate connections: every write goes through the one writer
/// connection, queued in the order it arrived and begun with `BEGIN IMMEDIATE` (so a
/// transaction that reads first never fails to upgrade to a write lock), while reads use their
/// own pool and, in WAL mode, never wait for a writer.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    writer: SqlitePool,
}

/// How long a write waits for its turn at the writer connection before it is refused as busy.
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(10);

impl Store {
    /// Opens (creating if needed) the SQLite database at `url` with WAL, foreign keys on and
    /// full durability.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::open(url, Durability::Full).await
    }

    /// Opens the database with the durability asked for.
    pub async fn open(url: &str, durability: Durability) -> StoreResult<Self> {
        let synchronous = match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            // Another process (an import from the command line) may hold the lock.
            .busy_timeout(WRITE_TURN_TIMEOUT);
        // The writer first: it creates the file and switches it to WAL before readers open it.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WRITE_TURN_TIMEOUT)
            .connect_with(options.clone())
            .await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self { pool, writer })
    }

    /// Begins a write: waits for the writer connection, then takes SQLite's write lock at once.
    pub(crate) async fn begin_write(
        &self,
    ) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The writer connection's pool, for a single write statement outside a transaction.
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// Applies the migrations in `migrations/` that have not run yet.
    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations").run(&self.writer).await?;
        Ok(())
    }

    /// Writes a consistent copy of the live database to `target` (SQLite `VACUUM INTO`), which
    /// may be taken while the service runs.
    pub async fn backup_to(&self, target: &Path) -> StoreResult<()> {
        if target.exists() {
            return Err(StoreError::AlreadyExists(target.display().to_string()));
        }
        sqlx::query("VACUUM INTO ?")
            .bind(target.to_string_lossy().as_ref())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Adds ` AND <column> LIKE '%text%'` with the text's own `%`, `_` and `\` taken literally.
pub(crate) fn push_contains(
    query: &mut sqlx::QueryBuilder<sqlx::Sqlite>,
    column: &str,
    text: &str,
) {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    query
        .push(format!(" AND {column} LIKE "))
        .push_bind(format!("%{escaped}%"))
        .push(" ESCAPE '\\'");
}

/// A random identifier for a file served by id (photos): unguessable, positive, and below 2^53
/// so that JavaScript clients read it exactly.
pub(crate) fn random_file_id() -> StoreResult<i64> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Corrupt(format!("no random source: {e}")))?;
    let value = u64::from_le_bytes(bytes) & ((1 << 53) - 1);
    // At least 2^32: never one of the small sequential ids older photos have.
    Ok(i64::try_from(value | (1 << 32)).expect("below 2^53"))
}

/// The stored text form of an instant: fixed width, so text order is time order.
pub(crate) fn instant_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_instant(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("instant {text:?}: {e}")))
}

pub(crate) fn parse_date(text: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("date {text:?}: {e}")))
}
