//! Boundary lines: one row per line code, its content in append-only versions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::audit::{Author, append};
use super::{Store, StoreError, StoreResult, instant_text, parse_date, parse_instant};
use crate::domain::boundary_line::{Agreement, LineCode, SegmentLead};

/// One version of a line as written.
#[derive(Debug, Clone)]
pub struct NewLineVersion<'a> {
    pub line: &'a LineCode,
    pub effective_on: NaiveDate,
    pub comment: Option<&'a str>,
    pub agreement: Option<&'a Agreement>,
    pub approved_by: Option<&'a str>,
    pub segment_leads: &'a [SegmentLead],
    /// `shared_edges` or `imported`.
    pub source: &'static str,
    /// GeoJSON MultiLineString.
    pub geometry: String,
    pub length_m: f64,
}

/// One version of a line as read back.
#[derive(Debug, Clone, Serialize)]
pub struct StoredLine {
    pub id: i64,
    pub line_code: String,
    pub between: [String; 2],
    pub level: String,
    pub current_version: i64,
    pub version: i64,
    pub effective_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
    pub comment: Option<String>,
    pub agreement: Option<Agreement>,
    pub approved_by: Option<String>,
    pub segment_leads: Vec<SegmentLead>,
    pub source: String,
    #[serde(skip)]
    pub geometry: String,
    pub length_m: f64,
}

const COLUMNS: &str = "l.id, l.line_code, l.first_code, l.second_code, l.level, l.current_version,
    v.version, v.effective_on, v.recorded_at, v.recorded_by_name, v.comment, v.agreement_title,
    v.agreement_number, v.agreement_signed_on, v.approved_by, v.segment_leads, v.source, v.geometry, v.length_m";

impl Store {
    /// Records a new line (version 1); a line already recorded for these two divisions is a
    /// conflict (change it with `change_boundary_line`).
    pub async fn create_boundary_line(
        &self,
        version: &NewLineVersion<'_>,
        author: &Author,
    ) -> StoreResult<StoredLine> {
        let mut tx = self.begin_write().await?;
        let code = version.line.as_string();
        let [first, second] = version.line.sides();
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO boundary_lines (line_code, first_code, second_code, level, current_version, created_at)
             VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (line_code) DO NOTHING RETURNING id",
        )
        .bind(&code)
        .bind(first.as_str())
        .bind(second.as_str())
        .bind(first.level().as_str())
        .bind(instant_text(Utc::now()))
        .fetch_optional(&mut *tx)
        .await?;
        let id =
            inserted.ok_or_else(|| StoreError::AlreadyExists(format!("boundary line {code}")))?;
        insert_version(&mut tx, id, 1, version, author).await?;
        tx.commit().await?;
        self.boundary_line(&code, None)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Appends a version if the line is still at `expected_version`.
    pub async fn change_boundary_line(
        &self,
        expected_version: i64,
        version: &NewLineVersion<'_>,
        author: &Author,
    ) -> StoreResult<StoredLine> {
        let code = version.line.as_string();
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, current_version FROM boundary_lines WHERE line_code = ?")
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await?;
        let (id, current) = row.ok_or(StoreError::NotFound)?;
        let updated = sqlx::query(
            "UPDATE boundary_lines SET current_version = ? WHERE id = ? AND current_version = ?",
        )
        .bind(current + 1)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::StaleVersion {
                expected: expected_version,
                current,
            });
        }
        insert_version(&mut tx, id, current + 1, version, author).await?;
        tx.commit().await?;
        self.boundary_line(&code, None)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The current version of a line, or the one in force on a day.
    pub async fn boundary_line(
        &self,
        line_code: &str,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<Option<StoredLine>> {
        let choice = match as_of {
            None => "v.version = l.current_version".to_string(),
            Some(_) => "v.version = (SELECT MAX(w.version) FROM boundary_line_versions w WHERE w.line_id = l.id AND w.effective_on <= ?)".to_string(),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM boundary_lines l JOIN boundary_line_versions v ON v.line_id = l.id AND {choice}
             WHERE l.line_code = ?"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(day) = as_of {
            query = query.bind(day.to_string());
        }
        let row = query.bind(line_code).fetch_optional(self.pool()).await?;
        row.as_ref().map(read_line).transpose()
    }

    /// Every recorded line, current or as in force on a day (a line recorded later than the day
    /// is left out), by line code.
    pub async fn boundary_lines(&self, as_of: Option<NaiveDate>) -> StoreResult<Vec<StoredLine>> {
        let choice = match as_of {
            None => "v.version = l.current_version",
            Some(_) => {
                "v.version = (SELECT MAX(w.version) FROM boundary_line_versions w WHERE w.line_id = l.id AND w.effective_on <= ?)"
            }
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM boundary_lines l JOIN boundary_line_versions v ON v.line_id = l.id AND {choice}
             ORDER BY l.line_code"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(day) = as_of {
            query = query.bind(day.to_string());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(read_line).collect()
    }

    /// Every version of a line, oldest first.
    pub async fn boundary_line_history(&self, line_code: &str) -> StoreResult<Vec<StoredLine>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM boundary_lines l JOIN boundary_line_versions v ON v.line_id = l.id
             WHERE l.line_code = ? ORDER BY v.version"
        )))
        .bind(line_code)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_line).collect()
    }
}

async fn insert_version(
    tx: &mut sqlx::SqliteConnection,
    id: i64,
    number: i64,
    version: &NewLineVersion<'_>,
    author: &Author,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO boundary_line_versions (line_id, version, effective_on, recorded_at, recorded_by_name, comment,
            agreement_title, agreement_number, agreement_signed_on, approved_by, segment_leads, source, geometry, length_m)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(number)
    .bind(version.effective_on.to_string())
    .bind(instant_text(Utc::now()))
    .bind(&author.username)
    .bind(version.comment)
    .bind(version.agreement.map(|a| a.title.clone()))
    .bind(version.agreement.map(|a| a.number.clone()))
    .bind(version.agreement.map(|a| a.signed_on.to_string()))
    .bind(version.approved_by)
    .bind(serde_json::to_string(version.segment_leads).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    .bind(version.source)
    .bind(&version.geometry)
    .bind(version.length_m)
    .execute(&mut *tx)
    .await?;
    append(
        tx,
        author,
        if number == 1 { "boundary_line.create" } else { "boundary_line.update" },
        "boundary_line",
        Some(&version.line.as_string()),
        json!({ "version": number, "length_m": version.length_m, "agreement": version.agreement, "comment": version.comment }),
    )
    .await
}

fn read_line(row: &SqliteRow) -> StoreResult<StoredLine> {
    let agreement = match (
        row.get::<Option<String>, _>("agreement_title"),
        row.get::<Option<String>, _>("agreement_number"),
        row.get::<Option<String>, _>("agreement_signed_on"),
    ) {
        (Some(title), Some(number), Some(signed_on)) => Some(Agreement {
            title,
            number,
            signed_on: parse_date(&signed_on)?,
        }),
        _ => None,
    };
    Ok(StoredLine {
        id: row.get("id"),
        line_code: row.get("line_code"),
        between: [row.get("first_code"), row.get("second_code")],
        level: row.get("level"),
        current_version: row.get("current_version"),
        version: row.get("version"),
        effective_on: parse_date(row.get("effective_on"))?,
        recorded_at: parse_instant(row.get("recorded_at"))?,
        recorded_by: row.get("recorded_by_name"),
        comment: row.get("comment"),
        agreement,
        approved_by: row.get("approved_by"),
        segment_leads: row
            .get::<Option<String>, _>("segment_leads")
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("segment leads: {e}")))?
            .unwrap_or_default(),
        source: row.get("source"),
        geometry: row.get("geometry"),
        length_m: row.get("length_m"),
    })
}
