//! The SQL of the register's exchange: current records page by page in id order (exports), and
//! an import's writes — new records and new versions — in one transaction, all or none.

use chrono::{NaiveDate, Utc};
use serde_json::json;
use sqlx::{QueryBuilder, Sqlite};

use super::audit::{Author, append};
use super::markers::{NewMarker, insert_markers};
use super::places::{
    Change, NewVersion, StoredPlace, VERSION_COLUMNS, insert_versions, read_place,
};
use super::romanization::NewCorrection;
use super::{Store, StoreError, StoreResult, instant_text};
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
        let mut query = QueryBuilder::<Sqlite>::new(format!(
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

    /// The current versions of the records `ids` (those that exist), read a thousand at a time.
    pub async fn current_places_with_ids(
        &self,
        ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, StoredPlace>> {
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let mut query = QueryBuilder::<Sqlite>::new(format!(
                "SELECT {VERSION_COLUMNS} FROM places p
                   JOIN place_versions v ON v.place_id = p.id AND v.version = p.current_version
                 WHERE p.id IN (SELECT value FROM json_each("
            ));
            query
                .push_bind(
                    serde_json::to_string(chunk).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                )
                .push("))");
            let rows = query.build().fetch_all(self.pool()).await?;
            for row in &rows {
                let place = read_place(row)?;
                found.insert(place.id, place);
            }
        }
        Ok(found)
    }

    /// Writes an import in one transaction: every record and version and the new `markers`
    /// of its markers layer, or (on any failure, a stale version included) none. Returns the ids written, in the order of `writes`.
    ///
    /// Rows go to the database a thousand at a time (see `insert_versions`): new records take
    /// the ids after the largest one, which nobody else can take while this transaction holds
    /// the write lock, so their register codes are known before they are inserted.
    pub async fn import_place_writes(
        &self,
        writes: &[PlaceWrite],
        markers: &[NewMarker],
        author: &Author,
        comment: &str,
        effective_on: NaiveDate,
        progress: &(dyn Fn(u64) + Sync),
    ) -> StoreResult<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        let now = instant_text(Utc::now());
        let last_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM places")
            .fetch_one(&mut *tx)
            .await?;
        let changes: Vec<Change> = writes
            .iter()
            .map(|write| {
                let (action, correction) = match write {
                    PlaceWrite::Create { correction, .. } => (ChangeAction::Created, correction),
                    PlaceWrite::Update { correction, .. } => (ChangeAction::Updated, correction),
                };
                Change {
                    action,
                    effective_on,
                    comment: Some(comment),
                    author,
                    correction: correction.as_ref(),
                }
            })
            .collect();
        let mut next_id = last_id;
        let mut versions = Vec::with_capacity(writes.len());
        let mut ids = Vec::with_capacity(writes.len());
        let (mut created, mut updated) = (0u64, 0u64);
        for (write, change) in writes.iter().zip(&changes) {
            let (id, version, place) = match write {
                PlaceWrite::Create { place, .. } => {
                    next_id += 1;
                    created += 1;
                    (next_id, 1, place)
                }
                PlaceWrite::Update {
                    id,
                    expected,
                    place,
                    ..
                } => {
                    updated += 1;
                    (*id, expected + 1, place)
                }
            };
            ids.push(id);
            versions.push(NewVersion {
                id,
                version,
                place,
                change,
            });
        }
        let new_records: Vec<(i64, String)> = versions
            .iter()
            .filter(|v| v.version == 1 && v.id > last_id)
            .map(|v| (v.id, v.place.register_code(v.id)))
            .collect();
        for chunk in new_records.chunks(RECORDS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "INSERT INTO places (id, code, current_version, created_at) ",
            );
            query.push_values(chunk, |mut row, (id, code)| {
                row.push_bind(*id)
                    .push_bind(code.clone())
                    .push_bind(1i64)
                    .push_bind(now.clone());
            });
            query.build().execute(&mut *tx).await?;
        }
        let moved: Vec<(i64, i64)> = writes
            .iter()
            .filter_map(|write| match write {
                PlaceWrite::Update { id, expected, .. } => Some((*id, *expected)),
                PlaceWrite::Create { .. } => None,
            })
            .collect();
        for chunk in moved.chunks(RECORDS_PER_STATEMENT) {
            move_current_versions(&mut tx, chunk).await?;
        }
        let mut done = 0;
        for chunk in versions.chunks(VERSIONS_PER_PROGRESS) {
            insert_versions(&mut tx, chunk).await?;
            done += chunk.len() as u64;
            progress(done);
        }
        if !markers.is_empty() {
            insert_markers(&mut tx, markers, author).await?;
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

/// Record rows per statement (4 parameters each, or 2 for a version move).
const RECORDS_PER_STATEMENT: usize = 5000;
/// Versions written between two looks at the progress.
const VERSIONS_PER_PROGRESS: usize = 10_000;

/// Moves each record `(id, expected)` from version `expected` to the next; when a record is
/// missing or no longer at the version the import read, nothing moves and the first such record
/// is named. The transaction holds the write lock, so the versions read cannot change before
/// the update.
async fn move_current_versions(
    tx: &mut sqlx::SqliteConnection,
    records: &[(i64, i64)],
) -> StoreResult<()> {
    let ids: Vec<i64> = records.iter().map(|(id, _)| *id).collect();
    let current: std::collections::HashMap<i64, i64> = sqlx::query_as(
        "SELECT id, current_version FROM places WHERE id IN (SELECT value FROM json_each(?))",
    )
    .bind(serde_json::to_string(&ids).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    for (id, expected) in records {
        let current = *current.get(id).ok_or(StoreError::NotFound)?;
        if current != *expected {
            return Err(StoreError::StaleVersion {
                expected: *expected,
                current,
            });
        }
    }
    let mut query = QueryBuilder::<Sqlite>::new("WITH moves(id, expected) AS (");
    query.push_values(records, |mut row, (id, expected)| {
        row.push_bind(*id).push_bind(*expected);
    });
    query.push(
        ") UPDATE places SET current_version = moves.expected + 1 FROM moves
           WHERE places.id = moves.id AND places.current_version = moves.expected",
    );
    let moved = query.build().execute(&mut *tx).await?.rows_affected();
    if moved != records.len() as u64 {
        return Err(StoreError::Corrupt(format!(
            "an import moved {moved} of {} records",
            records.len()
        )));
    }
    Ok(())
}
