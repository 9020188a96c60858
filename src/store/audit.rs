//! The append-only audit log: every write records who did it, what, when and from where, in
//! the same transaction as the write itself.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{Row, SqliteConnection};

use super::{Store, StoreResult, instant_text, parse_instant};

/// Who performs a write, as the audit log records it.
#[derive(Debug, Clone)]
pub struct Author {
    pub user_id: Option<i64>,
    pub username: String,
    pub remote_addr: Option<String>,
}

impl Author {
    /// A write done by the service itself or its command line (imports, user creation).
    pub fn system(name: &str) -> Self {
        Self {
            user_id: None,
            username: name.to_string(),
            remote_addr: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub remote_addr: Option<String>,
    pub detail: Option<Value>,
}

/// Appends one entry inside the caller's transaction.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    author: &Author,
    action: &str,
    target_type: &str,
    target_id: Option<&str>,
    detail: Value,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, username, action, target_type, target_id, remote_addr, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(instant_text(Utc::now()))
    .bind(author.user_id)
    .bind(&author.username)
    .bind(action)
    .bind(target_type)
    .bind(target_id)
    .bind(author.remote_addr.as_deref())
    .bind(detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Which entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

impl Store {
    pub async fn audit_entries(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, user_id, username, action, target_type, target_id, remote_addr, detail
             FROM audit_log
             WHERE (?1 IS NULL OR username = ?1) AND (?2 IS NULL OR target_type = ?2)
               AND (?3 IS NULL OR target_id = ?3) AND (?4 IS NULL OR id < ?4)
             ORDER BY id DESC LIMIT ?5",
        )
        .bind(filter.username.as_deref())
        .bind(filter.target_type.as_deref())
        .bind(filter.target_id.as_deref())
        .bind(filter.before_id)
        .bind(filter.limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.get("id"),
                    at: parse_instant(row.get("at"))?,
                    user_id: row.get("user_id"),
                    username: row.get("username"),
                    action: row.get("action"),
                    target_type: row.get("target_type"),
                    target_id: row.get("target_id"),
                    remote_addr: row.get("remote_addr"),
                    detail: row
                        .get::<Option<String>, _>("detail")
                        .and_then(|d| serde_json::from_str(&d).ok()),
                })
            })
            .collect()
    }
}
