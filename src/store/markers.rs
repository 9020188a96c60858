//! Boundary markers: imported all at once from a field team's table.

use chrono::Utc;
use serde_json::json;

use super::audit::{Author, append};
use super::{Store, StoreError, StoreResult, instant_text};
use crate::domain::marker::MarkerId;

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
}

impl Store {
    /// Inserts every marker in one transaction; a number already registered refuses the whole
    /// import (`StoreError::AlreadyExists` names it).
    pub async fn import_markers(&self, markers: &[NewMarker], author: &Author) -> StoreResult<u64> {
        let mut tx = self.pool().begin().await?;
        for marker in markers {
            let number = marker.number.to_string();
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM markers WHERE marker_number = ?")
                    .bind(&number)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_some() {
                return Err(StoreError::AlreadyExists(format!("marker {number}")));
            }
            sqlx::query(
                "INSERT INTO markers (marker_number, line_code, sequence, marker_type, lon, lat, surveyed_x,
                    surveyed_y, surveyed_crs, material, installed_on, created_at, created_by_name)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            .execute(&mut *tx)
            .await?;
        }
        append(
            &mut tx,
            author,
            "markers.import",
            "marker",
            None,
            json!({ "imported": markers.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(markers.len() as u64)
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

    pub async fn marker_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM markers")
            .fetch_one(self.pool())
            .await?)
    }
}
