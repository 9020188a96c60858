//! Learned romanization corrections: written in the transaction of the record change that made
//! them, read back for a name in a division.

use chrono::Utc;
use sqlx::{Row, SqliteConnection};

use super::audit::Author;
use super::{Store, StoreResult, instant_text};
use crate::domain::romanize::LearnedSpelling;

/// A correction a record change carries: staff gave a romanization the rules disagree with.
#[derive(Debug, Clone)]
pub struct NewCorrection {
    pub name: String,
    pub division_code: String,
    pub category_code: String,
    pub romanization: String,
    pub generic: Option<String>,
    /// What the rules said, for the reviewer reading the correction later.
    pub engine_said: Option<String>,
    pub reason: String,
    pub classification: String,
}

/// Records a correction made by version `version` of record `place_id`.
pub(crate) async fn insert(
    conn: &mut SqliteConnection,
    correction: &NewCorrection,
    place_id: i64,
    version: i64,
    author: &Author,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO romanization_corrections (name, division_code, category_code, romanization, generic,
            engine_said, reason, place_id, place_version, classification, corrected_at, corrected_by,
            corrected_by_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&correction.name)
    .bind(&correction.division_code)
    .bind(&correction.category_code)
    .bind(&correction.romanization)
    .bind(&correction.generic)
    .bind(&correction.engine_said)
    .bind(&correction.reason)
    .bind(place_id)
    .bind(version)
    .bind(&correction.classification)
    .bind(instant_text(Utc::now()))
    .bind(author.user_id)
    .bind(&author.username)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The latest correction of `name` made in `division` or a division containing it (the most
    /// specific division first). `public_only` leaves out corrections made on records that are
    /// not public, so that nothing of them reaches the public.
    pub async fn learned_spelling(
        &self,
        name: &str,
        division: &str,
        public_only: bool,
    ) -> StoreResult<Option<LearnedSpelling>> {
        let row = sqlx::query(
            "SELECT romanization, generic, corrected_by_name, corrected_at, reason, division_code
             FROM romanization_corrections
             WHERE name = ? AND substr(?, 1, length(division_code)) = division_code
               AND (? = 0 OR classification = 'public')
             ORDER BY length(division_code) DESC, id DESC LIMIT 1",
        )
        .bind(name)
        .bind(division)
        .bind(public_only)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|row| LearnedSpelling {
            romanization: row.get("romanization"),
            generic: row.get("generic"),
            by: row.get("corrected_by_name"),
            on: row
                .get::<String, _>("corrected_at")
                .chars()
                .take(10)
                .collect(),
            why: row.get("reason"),
            division: row.get("division_code"),
        }))
    }

    /// The names that have at least one learned correction.
    pub async fn corrected_names(&self) -> StoreResult<std::collections::HashSet<String>> {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT name FROM romanization_corrections")
                .fetch_all(self.pool())
                .await?;
        Ok(names.into_iter().collect())
    }

    /// How many corrections have been learned (for the tests and the health of the tables).
    pub async fn correction_count(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM romanization_corrections")
                .fetch_one(self.pool())
                .await?,
        )
    }
}
