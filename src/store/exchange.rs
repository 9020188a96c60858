//! The SQL of the register's exchange: current records page by page in id order (exports), and
//! an import's writes — new records and new versions — in one transaction, all or none.

use chrono::{NaiveDate, Utc};
use serde_json::json;

use super::audit::{Author, append};
use super::places::{Change, StoredPlace, VERSION_COLUMNS, append_version, read_place, register};
use super::romanization::NewCorrection;
use super::{Store, StoreResult, instant_text};
use crate::domain::place::ValidPlace;
use crate::domain::version::ChangeAction;

/// One write of an import.
#[derive(Debug, Clone)]
pub enum PlaceWrite {
    /// A new record.
    Create {
        /// The record.
        place: ValidPlace,
        /// A romanization correction to learn with it.
        correction: Option<NewCorrection>,
    },
    /// A new version of record `id`, which must still be at version `expected`.
    Update {
        /// The record's id.
        id: i64,
        /// The version the import read.
        expected: i64,
        /// The new version's fields.
        place: ValidPlace,
        /// A romanization correction to learn with it.
        correction: Option<NewCorrection>,
    },
}

impl Store {
    /// Up to `limit` current records with an id above `after`, in id order, optionally only
    /// those lying in a division below `division_prefix` (a significant code prefix).
    pub async fn places_after(
        &self,
        after: i64,
        division_prefix: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<StoredPlace>> {
        let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
            "SELECT {VERSION_COLUMNS} FROM places p
               JOIN place_versions v ON v.place_id = p.id AND v.version = p.current_version
             WHERE p.id > "
        ));
        query.push_bind(after);
        if let Some(prefix) = division_prefix {
            // Codes are digits, and ':' sorts right after '9': the range is exactly the prefix.
            query
                .push(" AND EXISTS (SELECT 1 FROM place_version_divisions d WHERE d.place_id = p.id AND d.version = v.version AND d.division_code >= ")
                .push_bind(prefix.to_string())
                .push(" AND d.division_code < ")
                .push_bind(format!("{prefix}:"))
                .push(")");
        }
        query.push(" ORDER BY p.id LIMIT ").push_bind(limit);
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(read_place).collect()
    }

    /// Writes an import in one transaction: every record and version, or (on any failure,
    /// a stale version included) none. Returns the ids written, in the order of `writes`.
    pub async fn import_place_writes(
        &self,
        writes: &[PlaceWrite],
        author: &Author,
        comment: &str,
        effective_on: NaiveDate,
        progress: &(dyn Fn(u64) + Sync),
    ) -> StoreResult<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        let now = instant_text(Utc::now());
        let mut ids = Vec::with_capacity(writes.len());
        let (mut created, mut updated) = (0u64, 0u64);
        for (done, write) in writes.iter().enumerate() {
            match write {
                PlaceWrite::Create { place, correction } => {
                    let change = Change {
                        action: ChangeAction::Created,
                        effective_on,
                        comment: Some(comment),
                        author,
                        correction: correction.as_ref(),
                    };
                    ids.push(register(&mut tx, place, &change, &now).await?);
                    created += 1;
                }
                PlaceWrite::Update {
                    id,
                    expected,
                    place,
                    correction,
                } => {
                    let change = Change {
                        action: ChangeAction::Updated,
                        effective_on,
                        comment: Some(comment),
                        author,
                        correction: correction.as_ref(),
                    };
                    append_version(&mut tx, *id, *expected, place, &change).await?;
                    ids.push(*id);
                    updated += 1;
                }
            }
            if done % 1000 == 999 {
                progress(done as u64 + 1);
            }
        }
        append(
            &mut tx,
            author,
            "place.import",
            "place",
            None,
            json!({ "created": created, "updated": updated, "comment": comment }),
        )
        .await?;
        tx.commit().await?;
        progress(writes.len() as u64);
        Ok(ids)
    }
}
