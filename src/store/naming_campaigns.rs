//! Clean-up campaigns of non-standard names: a campaign and its work list written in one
//! transaction, each item's decision (keep, standardise the writing, open a renaming
//! application) written with what it does to the register, and the progress counts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::audit::{Author, append};
use super::naming::{NewApplication, insert_application};
use super::places::{Change, append_version};
use super::{
    Store, StoreError, StoreResult, expect_version, instant_text, parse_date, parse_instant,
};
use crate::domain::naming_detect::Flaw;
use crate::domain::place::ValidPlace;

/// A campaign as read back.
#[derive(Debug, Clone, Serialize)]
pub struct StoredCampaign {
    pub id: i64,
    pub title: String,
    pub jurisdiction: String,
    pub started_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub rules: Value,
}

/// One proposal of the work list.
#[derive(Debug, Clone, Serialize)]
pub struct NewItem {
    pub place_id: i64,
    pub place_version: i64,
    pub standard_name: String,
    pub division_code: String,
    pub kind: Flaw,
    pub reason: String,
    pub matched: String,
}

/// An item as read back, with its decision if made.
#[derive(Debug, Clone, Serialize)]
pub struct StoredItem {
    pub id: i64,
    pub campaign_id: i64,
    #[serde(flatten)]
    pub item: NewItem,
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub new_writing: Option<String>,
    pub application_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// A decision and what it writes besides the item.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Keep the name as it is.
    Keep,
    /// Write the name in its standard form: the record's next version.
    Standardise {
        new_writing: String,
        expected_place_version: i64,
        place: Box<ValidPlace>,
    },
    /// Open a renaming application.
    Rename(Box<NewApplication>),
}

/// Items and decided items of one division and kind.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressRow {
    pub division_code: String,
    pub kind: Flaw,
    pub items: i64,
    pub decided: i64,
    pub kept: i64,
    pub standardised: i64,
    pub renaming: i64,
}

impl Store {
    /// Writes a campaign and its whole work list in one transaction; returns its id.
    pub async fn create_campaign(
        &self,
        title: &str,
        jurisdiction: &str,
        started_on: NaiveDate,
        rules: &Value,
        items: &[NewItem],
        author: &Author,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO naming_campaigns (title, jurisdiction, started_on, created_at, created_by_name, rules)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(title)
        .bind(jurisdiction)
        .bind(started_on.to_string())
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .bind(rules.to_string())
        .fetch_one(&mut *tx)
        .await?;
        for item in items {
            sqlx::query(
                "INSERT INTO naming_campaign_items (campaign_id, place_id, place_version, standard_name,
                    division_code, kind, reason, matched) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(item.place_id)
            .bind(item.place_version)
            .bind(&item.standard_name)
            .bind(&item.division_code)
            .bind(item.kind.as_str())
            .bind(&item.reason)
            .bind(&item.matched)
            .execute(&mut *tx)
            .await?;
        }
        append(
            &mut tx,
            author,
            "naming.campaign",
            "naming_campaign",
            Some(&id.to_string()),
            json!({ "title": title, "jurisdiction": jurisdiction, "items": items.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One campaign.
    pub async fn campaign(&self, id: i64) -> StoreResult<Option<StoredCampaign>> {
        let row = sqlx::query("SELECT * FROM naming_campaigns WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(read_campaign).transpose()
    }

    /// Every campaign, newest first.
    pub async fn campaigns(&self) -> StoreResult<Vec<StoredCampaign>> {
        let rows = sqlx::query("SELECT * FROM naming_campaigns ORDER BY id DESC")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(read_campaign).collect()
    }

    /// The items of a campaign, by division then id; only undecided ones when asked.
    pub async fn campaign_items(
        &self,
        campaign_id: i64,
        kind: Option<Flaw>,
        undecided_only: bool,
    ) -> StoreResult<Vec<StoredItem>> {
        let mut query =
            QueryBuilder::<Sqlite>::new("SELECT * FROM naming_campaign_items WHERE campaign_id = ");
        query.push_bind(campaign_id);
        if let Some(kind) = kind {
            query.push(" AND kind = ").push_bind(kind.as_str());
        }
        if undecided_only {
            query.push(" AND decision IS NULL");
        }
        query.push(" ORDER BY division_code, id");
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(read_item).collect()
    }

    /// One item.
    pub async fn campaign_item(&self, item_id: i64) -> StoreResult<Option<StoredItem>> {
        let row = sqlx::query("SELECT * FROM naming_campaign_items WHERE id = ?")
            .bind(item_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(read_item).transpose()
    }

    /// Items and decisions per division (the township, or the division itself above) and kind.
    pub async fn campaign_progress(&self, campaign_id: i64) -> StoreResult<Vec<ProgressRow>> {
        let rows = sqlx::query(
            "SELECT substr(division_code, 1, 9) AS division, kind, COUNT(*) AS items,
                    COUNT(decision) AS decided,
                    SUM(decision = 'keep') AS kept, SUM(decision = 'standardise') AS standardised,
                    SUM(decision = 'rename') AS renaming
               FROM naming_campaign_items WHERE campaign_id = ?
              GROUP BY division, kind ORDER BY division, kind",
        )
        .bind(campaign_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: &str = row.get("kind");
                Ok(ProgressRow {
                    division_code: row.get("division"),
                    kind: Flaw::parse(kind).ok_or_else(|| StoreError::Corrupt(kind.into()))?,
                    items: row.get("items"),
                    decided: row.get("decided"),
                    kept: row.get::<Option<i64>, _>("kept").unwrap_or(0),
                    standardised: row.get::<Option<i64>, _>("standardised").unwrap_or(0),
                    renaming: row.get::<Option<i64>, _>("renaming").unwrap_or(0),
                })
            })
            .collect()
    }

    /// Decides an item still at `expected` and writes its effect in the same transaction.
    pub async fn decide_item(
        &self,
        item_id: i64,
        expected: i64,
        reason: &str,
        effect: &Effect,
        change: &Change<'_>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT version, place_id, decision FROM naming_campaign_items WHERE id = ?",
        )
        .bind(item_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let current: i64 = row.get("version");
        expect_version(expected, current)?;
        let place_id: i64 = row.get("place_id");
        let author = change.author;
        let (decision, new_writing, application_id) = match effect {
            Effect::Keep => ("keep", None, None),
            Effect::Standardise {
                new_writing,
                expected_place_version,
                place,
            } => {
                let version =
                    append_version(&mut tx, place_id, *expected_place_version, place, change)
                        .await?;
                append(
                    &mut tx,
                    author,
                    "place.update",
                    "place",
                    Some(&place_id.to_string()),
                    super::places::audit_detail(place, version, change),
                )
                .await?;
                ("standardise", Some(new_writing.clone()), None)
            }
            Effect::Rename(application) => {
                let id = insert_application(&mut tx, application, author).await?;
                ("rename", None, Some(id))
            }
        };
        let updated = sqlx::query(
            "UPDATE naming_campaign_items SET decision = ?, decision_reason = ?, new_writing = ?,
                application_id = ?, decided_by_name = ?, decided_at = ?, version = version + 1
             WHERE id = ? AND version = ?",
        )
        .bind(decision)
        .bind(reason)
        .bind(&new_writing)
        .bind(application_id)
        .bind(&author.username)
        .bind(instant_text(Utc::now()))
        .bind(item_id)
        .bind(expected)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::StaleVersion {
                expected,
                current: expected + 1,
            });
        }
        append(
            &mut tx,
            author,
            "naming.campaign_decision",
            "naming_campaign_item",
            Some(&item_id.to_string()),
            json!({ "decision": decision, "reason": reason, "new_writing": new_writing, "application_id": application_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn read_campaign(row: &SqliteRow) -> StoreResult<StoredCampaign> {
    Ok(StoredCampaign {
        id: row.get("id"),
        title: row.get("title"),
        jurisdiction: row.get("jurisdiction"),
        started_on: parse_date(row.get("started_on"))?,
        created_at: parse_instant(row.get("created_at"))?,
        created_by: row.get("created_by_name"),
        rules: serde_json::from_str(row.get("rules"))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

fn read_item(row: &SqliteRow) -> StoreResult<StoredItem> {
    let kind: &str = row.get("kind");
    Ok(StoredItem {
        id: row.get("id"),
        campaign_id: row.get("campaign_id"),
        item: NewItem {
            place_id: row.get("place_id"),
            place_version: row.get("place_version"),
            standard_name: row.get("standard_name"),
            division_code: row.get("division_code"),
            kind: Flaw::parse(kind).ok_or_else(|| StoreError::Corrupt(kind.into()))?,
            reason: row.get("reason"),
            matched: row.get("matched"),
        },
        decision: row.get("decision"),
        decision_reason: row.get("decision_reason"),
        new_writing: row.get("new_writing"),
        application_id: row.get("application_id"),
        decided_by: row.get("decided_by_name"),
        decided_at: row
            .get::<Option<&str>, _>("decided_at")
            .map(parse_instant)
            .transpose()?,
        version: row.get("version"),
    })
}
