//! Boundary markers: imported all at once from a field team's table or entered one by one,
//! with their reference objects, photos and condition history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::audit::{Author, append};
use super::{Store, StoreError, StoreResult, instant_text, parse_date, parse_instant};
use crate::domain::marker::{MarkerCondition, MarkerId, ReferenceObject};

/// A marker as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredMarker {
    #[serde(skip)]
    pub id: i64,
    pub marker_number: String,
    pub line_code: String,
    pub sequence: i64,
    pub marker_type: String,
    pub lon: f64,
    pub lat: f64,
    pub surveyed_x: f64,
    pub surveyed_y: f64,
    pub surveyed_crs: String,
    pub material: Option<String>,
    pub installed_on: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// One inspection's finding.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionRecord {
    pub observed_on: NaiveDate,
    pub condition: String,
    pub notes: Option<String>,
    pub photo_id: Option<i64>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

/// A stored photo of a marker.
#[derive(Debug, Clone)]
pub struct MarkerPhoto {
    pub media_type: String,
    pub bytes: Vec<u8>,
}

const MARKER_COLUMNS: &str =
    "id, marker_number, line_code, sequence, marker_type, lon, lat, surveyed_x,
    surveyed_y, surveyed_crs, material, installed_on, created_at, created_by_name";

/// A marker ready to be stored: its number, CGCS2000 position and the surveyed original.
#[derive(Debug, Clone)]
pub struct NewMarker {
    pub number: MarkerId,
    pub lon: f64,
    pub lat: f64,
    pub surveyed: (f64, f64),
    pub surveyed_crs: String,
    pub material: Option<String>,
    pub installed_on: Option<String>,
    pub references: Vec<ReferenceObject>,
}

impl Store {
    /// Inserts every marker in one transaction; a number already registered refuses the whole
    /// import (`StoreError::AlreadyExists` names it).
    pub async fn import_markers(&self, markers: &[NewMarker], author: &Author) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        insert_markers(&mut tx, markers, author).await?;
        tx.commit().await?;
        Ok(markers.len() as u64)
    }

    /// The marker of a number (as `MarkerId` prints it).
    pub async fn marker(&self, number: &str) -> StoreResult<Option<StoredMarker>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MARKER_COLUMNS} FROM markers WHERE marker_number = ?"
        )))
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_marker).transpose()
    }

    /// The markers of a line, in sequence.
    pub async fn line_markers(&self, line_code: &str) -> StoreResult<Vec<StoredMarker>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MARKER_COLUMNS} FROM markers WHERE line_code = ? ORDER BY sequence, marker_type"
        )))
        .bind(line_code)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_marker).collect()
    }

    /// The codes of every line with markers.
    pub async fn marker_line_codes(&self) -> StoreResult<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT line_code FROM markers ORDER BY line_code")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// A page of the markers of the lines given, by line and sequence, within a box
    /// [min_lon, min_lat, max_lon, max_lat] when one is given, and how many match in all.
    pub async fn markers_of_lines(
        &self,
        line_codes: &[String],
        bbox: Option<[f64; 4]>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<StoredMarker>, i64)> {
        if line_codes.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let conditions = |query: &mut sqlx::QueryBuilder<sqlx::Sqlite>| {
            query.push(" WHERE line_code IN (SELECT value FROM json_each(");
            query.push_bind(json!(line_codes).to_string()).push("))");
            if let Some([min_lon, min_lat, max_lon, max_lat]) = bbox {
                query
                    .push(" AND lon >= ")
                    .push_bind(min_lon)
                    .push(" AND lon <= ")
                    .push_bind(max_lon)
                    .push(" AND lat >= ")
                    .push_bind(min_lat)
                    .push(" AND lat <= ")
                    .push_bind(max_lat);
            }
        };
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM markers");
        conditions(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;
        let mut query = sqlx::QueryBuilder::new(format!("SELECT {MARKER_COLUMNS} FROM markers"));
        conditions(&mut query);
        query
            .push(" ORDER BY line_code, sequence, marker_type LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = query.build().fetch_all(self.pool()).await?;
        let markers = rows.iter().map(read_marker).collect::<StoreResult<_>>()?;
        Ok((markers, total))
    }

    /// A marker's reference objects, in the order entered.
    pub async fn marker_references(&self, marker_id: i64) -> StoreResult<Vec<ReferenceObject>> {
        let rows: Vec<(String, f64, f64)> = sqlx::query_as(
            "SELECT name, bearing_deg, distance_m FROM marker_references WHERE marker_id = ? ORDER BY position",
        )
        .bind(marker_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, bearing_deg, distance_m)| ReferenceObject {
                name,
                bearing_deg,
                distance_m,
            })
            .collect())
    }

    /// Records what an inspection found (append-only).
    pub async fn add_marker_condition(
        &self,
        marker: &StoredMarker,
        observed_on: NaiveDate,
        condition: MarkerCondition,
        notes: Option<&str>,
        photo_id: Option<i64>,
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        if let Some(photo) = photo_id {
            let of_marker: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM marker_photos WHERE id = ? AND marker_id = ?")
                    .bind(photo)
                    .bind(marker.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if of_marker.is_none() {
                return Err(StoreError::NotFound);
            }
        }
        sqlx::query(
            "INSERT INTO marker_conditions (marker_id, observed_on, condition, notes, photo_id, recorded_at, recorded_by)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(marker.id)
        .bind(observed_on.to_string())
        .bind(condition.as_str())
        .bind(notes)
        .bind(photo_id)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "marker.condition",
            "marker",
            Some(&marker.marker_number),
            json!({ "observed_on": observed_on, "condition": condition.as_str(), "notes": notes }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The condition history, oldest first.
    pub async fn marker_conditions(&self, marker_id: i64) -> StoreResult<Vec<ConditionRecord>> {
        let rows = sqlx::query(
            "SELECT observed_on, condition, notes, photo_id, recorded_at, recorded_by FROM marker_conditions
             WHERE marker_id = ? ORDER BY observed_on, id",
        )
        .bind(marker_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ConditionRecord {
                    observed_on: parse_date(row.get("observed_on"))?,
                    condition: row.get("condition"),
                    notes: row.get("notes"),
                    photo_id: row.get("photo_id"),
                    recorded_at: parse_instant(row.get("recorded_at"))?,
                    recorded_by: row.get("recorded_by"),
                })
            })
            .collect()
    }

    /// Stores a (cleaned) photo of a marker with its audit entry; answers its id.
    pub async fn add_marker_photo(
        &self,
        marker: &StoredMarker,
        media_type: &str,
        size: (u32, u32),
        bytes: &[u8],
        author: &Author,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO marker_photos (id, marker_id, media_type, width, height, bytes, uploaded_at, uploaded_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(super::random_file_id()?)
        .bind(marker.id)
        .bind(media_type)
        .bind(i64::from(size.0))
        .bind(i64::from(size.1))
        .bind(bytes)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "marker.photo",
            "marker",
            Some(&marker.marker_number),
            json!({ "photo_id": id, "bytes": bytes.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The ids of a marker's photos, oldest first.
    pub async fn marker_photo_ids(&self, marker_id: i64) -> StoreResult<Vec<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM marker_photos WHERE marker_id = ? ORDER BY id")
                .bind(marker_id)
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// A photo and the line code of its marker (for the reader's jurisdiction).
    pub async fn marker_photo(&self, id: i64) -> StoreResult<Option<(MarkerPhoto, String)>> {
        let row: Option<(String, Vec<u8>, String)> = sqlx::query_as(
            "SELECT p.media_type, p.bytes, m.line_code FROM marker_photos p JOIN markers m ON m.id = p.marker_id WHERE p.id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(media_type, bytes, line)| (MarkerPhoto { media_type, bytes }, line)))
    }

    /// The number and CGCS2000 position of every marker of a line, in sequence.
    pub async fn markers_on_line(&self, line_code: &str) -> StoreResult<Vec<(String, f64, f64)>> {
        Ok(sqlx::query_as(
            "SELECT marker_number, lon, lat FROM markers WHERE line_code = ? ORDER BY sequence, marker_type",
        )
        .bind(line_code)
        .fetch_all(self.pool())
        .await?)
    }

    /// How many markers are registered.
    pub async fn marker_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM markers")
            .fetch_one(self.pool())
            .await?)
    }
}

fn read_marker(row: &SqliteRow) -> StoreResult<StoredMarker> {
    Ok(StoredMarker {
        id: row.get("id"),
        marker_number: row.get("marker_number"),
        line_code: row.get("line_code"),
        sequence: row.get("sequence"),
        marker_type: row.get("marker_type"),
        lon: row.get("lon"),
        lat: row.get("lat"),
        surveyed_x: row.get("surveyed_x"),
        surveyed_y: row.get("surveyed_y"),
        surveyed_crs: row.get("surveyed_crs"),
        material: row.get("material"),
        installed_on: row.get("installed_on"),
        created_at: parse_instant(row.get("created_at"))?,
        created_by: row.get("created_by_name"),
    })
}

/// Inserts markers inside the caller's transaction (with one audit entry); a number already
/// registered, or another kind under the same number, is `StoreError::AlreadyExists`.
pub(crate) async fn insert_markers(
    conn: &mut sqlx::SqliteConnection,
    markers: &[NewMarker],
    author: &Author,
) -> StoreResult<()> {
    for marker in markers {
        let number = marker.number.to_string();
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM markers WHERE marker_number = ?")
                .bind(&number)
                .fetch_optional(&mut *conn)
                .await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!("marker {number}")));
        }
        // One number is one single marker, one pair or one triple: never a mix.
        let other_group: Option<String> = sqlx::query_scalar(
            "SELECT marker_number FROM markers WHERE line_code = ? AND sequence = ? AND marker_type NOT IN (SELECT value FROM json_each(?))",
        )
        .bind(marker.number.line_code())
        .bind(i64::from(marker.number.sequence()))
        .bind(json!(marker.number.kind().group_members().iter().map(|k| k.letter().to_string()).collect::<Vec<_>>()).to_string())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(other) = other_group {
            return Err(StoreError::AlreadyExists(format!(
                "marker {other} under the same number (a number is one single marker, pair or triple); marker {number}"
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO markers (marker_number, line_code, sequence, marker_type, lon, lat, surveyed_x,
                surveyed_y, surveyed_crs, material, installed_on, created_at, created_by_name)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&number)
        .bind(marker.number.line_code())
        .bind(i64::from(marker.number.sequence()))
        .bind(marker.number.kind().letter().to_string())
        .bind(marker.lon)
        .bind(marker.lat)
        .bind(marker.surveyed.0)
        .bind(marker.surveyed.1)
        .bind(&marker.surveyed_crs)
        .bind(&marker.material)
        .bind(&marker.installed_on)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .fetch_one(&mut *conn)
        .await?;
        for (position, reference) in marker.references.iter().enumerate() {
            sqlx::query("INSERT INTO marker_references (marker_id, position, name, bearing_deg, distance_m) VALUES (?, ?, ?, ?, ?)")
                .bind(id)
                .bind(position as i64)
                .bind(reference.name.trim())
                .bind(reference.bearing_deg)
                .bind(reference.distance_m)
                .execute(&mut *conn)
                .await?;
        }
    }
    append(
        &mut *conn,
        author,
        "markers.import",
        "marker",
        None,
        json!({ "imported": markers.len() }),
    )
    .await?;
    Ok(())
}
