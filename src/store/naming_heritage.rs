//! Heritage names (地名文化遗产): nominations with their evidence, and each review, listing and
//! de-listing as a new version of the row with its audit entry.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::audit::{Author, append};
use super::naming::to_json;
use super::{
    Store, StoreError, StoreResult, expect_version, instant_text, parse_date, parse_instant,
};
use crate::domain::naming_heritage::{Evidence, HeritageStatus};

/// A nomination as read back.
#[derive(Debug, Clone, Serialize)]
pub struct StoredHeritage {
    pub id: i64,
    pub place_id: i64,
    pub name: String,
    pub division_code: String,
    pub evidence: Evidence,
    pub status: HeritageStatus,
    pub review_note: Option<String>,
    pub listed_on: Option<NaiveDate>,
    pub list_batch: Option<String>,
    pub protection: Vec<String>,
    pub delisted_on: Option<NaiveDate>,
    pub delisting_reason: Option<String>,
    pub version: i64,
    pub nominated_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a review or de-listing writes.
#[derive(Debug, Clone)]
pub struct HeritageChange {
    pub status: HeritageStatus,
    pub review_note: Option<String>,
    pub listed_on: Option<NaiveDate>,
    pub list_batch: Option<String>,
    pub protection: Option<Vec<String>>,
    pub delisted_on: Option<NaiveDate>,
    pub delisting_reason: Option<String>,
}

impl Store {
    /// Records a nomination unless the record's name is nominated or listed already; returns
    /// its id.
    pub async fn nominate_heritage(
        &self,
        place_id: i64,
        name: &str,
        division_code: &str,
        evidence: &Evidence,
        author: &Author,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        // Checked inside the write so that two nominations racing for one name make one.
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM heritage_names WHERE place_id = ? AND status IN ('nominated', 'listed')",
        )
        .bind(place_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(open) = open {
            return Err(StoreError::AlreadyExists(format!(
                "the name of place {place_id} is nominated or listed already (nomination {open})"
            )));
        }
        let now = instant_text(Utc::now());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO heritage_names (place_id, name, division_code, evidence, status, protection,
                nominated_by_name, created_at, updated_at)
             VALUES (?, ?, ?, ?, 'nominated', '[]', ?, ?, ?) RETURNING id",
        )
        .bind(place_id)
        .bind(name)
        .bind(division_code)
        .bind(to_json(evidence)?)
        .bind(&author.username)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "heritage.nominate",
            "heritage_name",
            Some(&id.to_string()),
            json!({ "place_id": place_id, "name": name }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One nomination.
    pub async fn heritage(&self, id: i64) -> StoreResult<Option<StoredHeritage>> {
        let row = sqlx::query("SELECT * FROM heritage_names WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(read_heritage).transpose()
    }

    /// Nominations under a division prefix, optionally of one status, by id.
    pub async fn heritage_list(
        &self,
        division_prefix: Option<&str>,
        status: Option<HeritageStatus>,
    ) -> StoreResult<Vec<StoredHeritage>> {
        let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM heritage_names WHERE 1 = 1");
        if let Some(prefix) = division_prefix {
            query
                .push(" AND division_code >= ")
                .push_bind(prefix.to_string())
                .push(" AND division_code < ")
                .push_bind(format!("{prefix}:"));
        }
        if let Some(status) = status {
            query.push(" AND status = ").push_bind(status.as_str());
        }
        query.push(" ORDER BY id");
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(read_heritage).collect()
    }

    /// The listed heritage entry of a record, if it has one.
    pub async fn listed_heritage_of(&self, place_id: i64) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM heritage_names WHERE place_id = ? AND status = 'listed' ORDER BY id LIMIT 1",
        )
        .bind(place_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Writes a review or de-listing if the nomination is still at `expected`.
    pub async fn change_heritage(
        &self,
        id: i64,
        expected: i64,
        change: &HeritageChange,
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM heritage_names WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let current = current.ok_or(StoreError::NotFound)?;
        expect_version(expected, current)?;
        let mut query = QueryBuilder::<Sqlite>::new(
            "UPDATE heritage_names SET version = version + 1, status = ",
        );
        query
            .push_bind(change.status.as_str())
            .push(", updated_at = ")
            .push_bind(instant_text(Utc::now()));
        if let Some(note) = &change.review_note {
            query.push(", review_note = ").push_bind(note.clone());
        }
        if let Some(day) = change.listed_on {
            query.push(", listed_on = ").push_bind(day.to_string());
        }
        if let Some(batch) = &change.list_batch {
            query.push(", list_batch = ").push_bind(batch.clone());
        }
        if let Some(protection) = &change.protection {
            query
                .push(", protection = ")
                .push_bind(to_json(protection)?);
        }
        if let Some(day) = change.delisted_on {
            query.push(", delisted_on = ").push_bind(day.to_string());
        }
        if let Some(reason) = &change.delisting_reason {
            query
                .push(", delisting_reason = ")
                .push_bind(reason.clone());
        }
        query
            .push(" WHERE id = ")
            .push_bind(id)
            .push(" AND version = ")
            .push_bind(expected);
        query.build().execute(&mut *tx).await?;
        append(
            &mut tx,
            author,
            &format!("heritage.{}", change.status.as_str()),
            "heritage_name",
            Some(&id.to_string()),
            json!({
                "status": change.status,
                "review_note": change.review_note,
                "delisting_reason": change.delisting_reason,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn read_heritage(row: &SqliteRow) -> StoreResult<StoredHeritage> {
    let status: &str = row.get("status");
    let json = |column: &str| -> StoreResult<serde_json::Value> {
        serde_json::from_str(row.get(column)).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    let date = |column: &str| -> StoreResult<Option<NaiveDate>> {
        row.get::<Option<&str>, _>(column)
            .map(parse_date)
            .transpose()
    };
    Ok(StoredHeritage {
        id: row.get("id"),
        place_id: row.get("place_id"),
        name: row.get("name"),
        division_code: row.get("division_code"),
        evidence: serde_json::from_value(json("evidence")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        status: HeritageStatus::parse(status).ok_or_else(|| StoreError::Corrupt(status.into()))?,
        review_note: row.get("review_note"),
        listed_on: date("listed_on")?,
        list_batch: row.get("list_batch"),
        protection: serde_json::from_value(json("protection")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        delisted_on: date("delisted_on")?,
        delisting_reason: row.get("delisting_reason"),
        version: row.get("version"),
        nominated_by: row.get("nominated_by_name"),
        created_at: parse_instant(row.get("created_at"))?,
        updated_at: parse_instant(row.get("updated_at"))?,
    })
}
