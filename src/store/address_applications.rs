//! Owners' applications for house numbers: filed, then decided once; every write checks the
//! version the caller read and leaves its audit entry.

use chrono::{NaiveDate, Utc};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::addresses::insert_address;
use super::audit::{Author, append};
use super::places::Change;
use super::{Store, StoreError, StoreResult, expect_version, parse_date};
use crate::domain::address::AddressRecord;
use crate::domain::address_application::{ApplicationDocument, ApplicationState};

/// An application as filed.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub road_id: i64,
    pub division_code: String,
    pub applicant: String,
    pub point: [f64; 2],
    pub documents: Vec<String>,
    pub filed_on: NaiveDate,
    pub decision_due: NaiveDate,
}

/// An application as read back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredApplication {
    pub id: i64,
    pub road_id: i64,
    pub division_code: String,
    pub applicant: String,
    pub point: [f64; 2],
    pub documents: Vec<String>,
    pub filed_on: NaiveDate,
    pub decision_due: NaiveDate,
    pub state: ApplicationState,
    pub decided_on: Option<NaiveDate>,
    pub decision_note: Option<String>,
    pub address_id: Option<i64>,
    pub version: i64,
    pub filed_by: String,
}

/// A decision as written.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    pub state: ApplicationState,
    pub decided_on: NaiveDate,
    pub note: Option<&'a str>,
    /// The address an approval registers, written in the decision's transaction.
    pub assigns: Option<(&'a AddressRecord, &'a Change<'a>)>,
}

impl Store {
    /// Files an application; answers it.
    pub async fn file_address_application(
        &self,
        new: &NewApplication,
        author: &Author,
    ) -> StoreResult<StoredApplication> {
        let documents = serde_json::to_string(&new.documents)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO address_applications (road_id, division_code, applicant, lon, lat, documents,
                filed_on, decision_due, state, version, created_by_name)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'filed', 1, ?) RETURNING id",
        )
        .bind(new.road_id)
        .bind(&new.division_code)
        .bind(&new.applicant)
        .bind(new.point[0])
        .bind(new.point[1])
        .bind(&documents)
        .bind(new.filed_on.to_string())
        .bind(new.decision_due.to_string())
        .bind(&author.username)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "address_application.file",
            "address_application",
            Some(&id.to_string()),
            json!({ "road_id": new.road_id, "decision_due": new.decision_due.to_string() }),
        )
        .await?;
        tx.commit().await?;
        self.address_application(id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Application `id`.
    pub async fn address_application(&self, id: i64) -> StoreResult<Option<StoredApplication>> {
        let row = sqlx::query("SELECT * FROM address_applications WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(read).transpose()
    }

    /// The applications of a division prefix, oldest first; with `overdue_on`, only those
    /// still undecided whose decision was due before that day.
    pub async fn list_address_applications(
        &self,
        division_prefix: &str,
        overdue_on: Option<NaiveDate>,
    ) -> StoreResult<Vec<StoredApplication>> {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT * FROM address_applications WHERE division_code >= ",
        );
        query
            .push_bind(division_prefix.to_string())
            .push(" AND division_code < ")
            .push_bind(format!("{division_prefix}:"));
        if let Some(day) = overdue_on {
            query
                .push(" AND state = 'filed' AND decision_due < ")
                .push_bind(day.to_string());
        }
        query.push(" ORDER BY id");
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(read).collect()
    }

    /// Records the decision on application `id`, still at `expected_version`.
    pub async fn decide_address_application(
        &self,
        id: i64,
        expected_version: i64,
        decision: &Decision<'_>,
        author: &Author,
    ) -> StoreResult<StoredApplication> {
        let mut tx = self.begin_write().await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM address_applications WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        expect_version(expected_version, current.ok_or(StoreError::NotFound)?)?;
        // The address and the decision that assigns it are one write: both or neither.
        let address_id = match decision.assigns {
            Some((record, change)) => Some(insert_address(&mut tx, record, change).await?),
            None => None,
        };
        sqlx::query(
            "UPDATE address_applications SET state = ?, decided_on = ?, decision_note = ?,
               address_id = ?, version = version + 1 WHERE id = ? AND version = ?",
        )
        .bind(decision.state.as_str())
        .bind(decision.decided_on.to_string())
        .bind(decision.note)
        .bind(address_id)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "address_application.decide",
            "address_application",
            Some(&id.to_string()),
            json!({ "state": decision.state.as_str(), "address_id": address_id, "at": Utc::now().to_rfc3339() }),
        )
        .await?;
        tx.commit().await?;
        self.address_application(id)
            .await?
            .ok_or(StoreError::NotFound)
    }
}

impl Store {
    /// Keeps a document received with application `application_id`.
    pub async fn add_application_document(
        &self,
        application_id: i64,
        title: &str,
        media_type: &str,
        bytes: &[u8],
        author: &Author,
    ) -> StoreResult<ApplicationDocument> {
        use sha2::Digest;
        let sha256: String = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO address_application_documents (application_id, title, media_type, sha256, bytes, uploaded_at, uploaded_by_name)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(application_id)
        .bind(title)
        .bind(media_type)
        .bind(&sha256)
        .bind(bytes)
        .bind(super::instant_text(Utc::now()))
        .bind(&author.username)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "address_application.document",
            "address_application",
            Some(&application_id.to_string()),
            json!({ "document_id": id, "title": title, "media_type": media_type, "sha256": sha256, "bytes": bytes.len() }),
        )
        .await?;
        tx.commit().await?;
        self.application_documents(application_id)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// The documents of an application, in the order received.
    pub async fn application_documents(
        &self,
        application_id: i64,
    ) -> StoreResult<Vec<ApplicationDocument>> {
        let rows = sqlx::query(
            "SELECT id, application_id, title, media_type, length(bytes) AS size, sha256, uploaded_at, uploaded_by_name
             FROM address_application_documents WHERE application_id = ? ORDER BY id",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ApplicationDocument {
                    id: row.get("id"),
                    application_id: row.get("application_id"),
                    title: row.get("title"),
                    media_type: row.get("media_type"),
                    bytes: row.get("size"),
                    sha256: row.get("sha256"),
                    uploaded_at: super::parse_instant(row.get("uploaded_at"))?,
                    uploaded_by_name: row.get("uploaded_by_name"),
                })
            })
            .collect()
    }

    /// A document's content and media type.
    pub async fn application_document_bytes(
        &self,
        application_id: i64,
        id: i64,
    ) -> StoreResult<Option<(String, Vec<u8>)>> {
        Ok(sqlx::query_as(
            "SELECT media_type, bytes FROM address_application_documents WHERE application_id = ? AND id = ?",
        )
        .bind(application_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }
}

fn read(row: &SqliteRow) -> StoreResult<StoredApplication> {
    let state: &str = row.get("state");
    let documents: &str = row.get("documents");
    let decided_on: Option<&str> = row.get("decided_on");
    Ok(StoredApplication {
        id: row.get("id"),
        road_id: row.get("road_id"),
        division_code: row.get("division_code"),
        applicant: row.get("applicant"),
        point: [row.get("lon"), row.get("lat")],
        documents: serde_json::from_str(documents)
            .map_err(|e| StoreError::Corrupt(format!("documents: {e}")))?,
        filed_on: parse_date(row.get("filed_on"))?,
        decision_due: parse_date(row.get("decision_due"))?,
        state: ApplicationState::parse(state)
            .ok_or_else(|| StoreError::Corrupt(format!("application state {state:?}")))?,
        decided_on: decided_on.map(parse_date).transpose()?,
        decision_note: row.get("decision_note"),
        address_id: row.get("address_id"),
        version: row.get("version"),
        filed_by: row.get("created_by_name"),
    })
}
