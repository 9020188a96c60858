//! Reference data: the category catalogue and the divisions known to the register.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::audit::{Author, append};
use super::{Store, StoreResult};
use crate::domain::category::{Category, CategoryCatalog};
use crate::domain::division_code::{DivisionCode, DivisionLevel};
use crate::domain::division_table::DivisionRow;

/// One division as the register knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Division {
    pub code: DivisionCode,
    pub name: String,
    pub level: DivisionLevel,
}

impl Store {
    pub async fn category_catalog(&self) -> StoreResult<CategoryCatalog> {
        let rows = sqlx::query("SELECT code, parent_code, name_zh, name_en FROM categories")
            .fetch_all(self.pool())
            .await?;
        Ok(CategoryCatalog::new(rows.iter().map(|row| Category {
            code: row.get("code"),
            parent_code: row.get("parent_code"),
            name_zh: row.get("name_zh"),
            name_en: row.get("name_en"),
        })))
    }

    /// For each of `codes` the register knows: the day its division ended, if it has.
    /// A code missing from the answer is unknown.
    pub async fn division_ends(
        &self,
        codes: &[DivisionCode],
    ) -> StoreResult<HashMap<String, Option<String>>> {
        let codes: Vec<&str> = codes.iter().map(DivisionCode::as_str).collect();
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT code, valid_to FROM divisions WHERE code IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::to_string(&codes).map_err(|e| super::StoreError::Corrupt(e.to_string()))?)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// The division with this code and those above it, province first; unknown levels are
    /// left out.
    pub async fn division_chain(&self, code: &DivisionCode) -> StoreResult<Vec<Division>> {
        let mut chain = Vec::new();
        for level_code in code.chain() {
            let name: Option<String> =
                sqlx::query_scalar("SELECT name FROM divisions WHERE code = ?")
                    .bind(level_code.as_str())
                    .fetch_optional(self.pool())
                    .await?;
            if let Some(name) = name {
                chain.push(Division {
                    level: level_code.level(),
                    code: level_code,
                    name,
                });
            }
        }
        Ok(chain)
    }

    /// Every division (for the in-memory directory that names division chains).
    pub async fn all_divisions(&self) -> StoreResult<Vec<Division>> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT code, name FROM divisions")
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(code, name)| {
                let code = DivisionCode::parse(&code).ok()?;
                Some(Division {
                    level: code.level(),
                    code,
                    name,
                })
            })
            .collect())
    }

    pub async fn division_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM divisions")
            .fetch_one(self.pool())
            .await?)
    }

    /// Imports divisions in one transaction, parents before children: new divisions are added,
    /// renamed ones take their new name, the rest is left as it is (so a second run changes
    /// nothing). `progress` is told how many rows are done, every few thousand.
    pub async fn import_divisions(
        &self,
        rows: &[DivisionRow],
        author: &Author,
        progress: impl Fn(u64),
    ) -> StoreResult<DivisionImport> {
        let mut tx = self.begin_write().await?;
        let existing: HashMap<String, (String, Option<String>)> =
            sqlx::query_as::<_, (String, String, Option<String>)>(
                "SELECT code, name, event_id FROM divisions",
            )
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|(code, name, event)| (code, (name, event)))
            .collect();
        let mut sorted: Vec<&DivisionRow> = rows.iter().collect();
        sorted.sort_by_key(|row| (row.code.level(), row.code.as_str()));
        let mut summary = DivisionImport::default();
        for (done, row) in sorted.into_iter().enumerate() {
            match existing.get(row.code.as_str()) {
                Some((name, _)) if *name == row.name => summary.unchanged += 1,
                // A division a recorded change event has touched keeps the register's state:
                // the table may predate the event, and the event carries its approval.
                Some((_, Some(_))) => summary.kept_by_events += 1,
                Some(_) => {
                    sqlx::query("UPDATE divisions SET name = ? WHERE code = ?")
                        .bind(&row.name)
                        .bind(row.code.as_str())
                        .execute(&mut *tx)
                        .await?;
                    summary.renamed += 1;
                }
                None => {
                    sqlx::query("INSERT INTO divisions (code, name, level, parent_code) VALUES (?, ?, ?, ?)")
                        .bind(row.code.as_str())
                        .bind(&row.name)
                        .bind(row.code.level().as_str())
                        .bind(row.code.parent().map(|p| p.as_str().to_string()))
                        .execute(&mut *tx)
                        .await?;
                    summary.added += 1;
                    *summary
                        .added_by_level
                        .entry(row.code.level().as_str())
                        .or_default() += 1;
                }
            }
            if done % 5_000 == 0 {
                progress(done as u64);
            }
        }
        progress(rows.len() as u64);
        append(
            &mut tx,
            author,
            "divisions.import",
            "division",
            None,
            json!({ "added": summary.added, "renamed": summary.renamed, "unchanged": summary.unchanged, "kept_by_events": summary.kept_by_events }),
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }
}

/// What an import of the division table did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DivisionImport {
    pub added: u64,
    pub renamed: u64,
    pub unchanged: u64,
    /// Divisions whose name differs but which change events have touched (left as they are).
    pub kept_by_events: u64,
    pub added_by_level: std::collections::BTreeMap<&'static str, u64>,
}
