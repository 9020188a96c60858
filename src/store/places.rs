//! Place-name records: every change appends a version; the record points at its current one.
//! Writes check the version the client started from inside the transaction, so a stale edit
//! changes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use geo::BoundingRect;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::audit::{Author, append};
use super::romanization::NewCorrection;
use super::{
    Store, StoreError, StoreResult, expect_version, instant_text, parse_date, parse_instant,
};
use crate::domain::place::{PlaceProperties, ValidPlace};
use crate::domain::version::{ChangeAction, VersionMeta};

/// One version of a record as read back.
#[derive(Debug, Clone)]
pub struct StoredPlace {
    pub id: i64,
    pub code: String,
    pub current_version: i64,
    pub meta: VersionMeta,
    pub properties: PlaceProperties,
    pub geometry: Option<Value>,
}

/// Which version of a record to read.
#[derive(Debug, Clone, Copy)]
pub enum VersionSelector {
    Current,
    Number(i64),
    /// The version in force on that day (see `domain::version`).
    AsOf(NaiveDate),
}

/// What a write says about itself.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: ChangeAction,
    pub effective_on: NaiveDate,
    pub comment: Option<&'a str>,
    pub author: &'a Author,
    /// A romanization correction this change makes, kept in the same transaction.
    pub correction: Option<&'a NewCorrection>,
}

/// Filters of the place list. Text fields are already checked by the caller.
#[derive(Debug, Clone, Default)]
pub struct PlaceFilter {
    /// Significant prefix of a division code: `3304`, `330421`.
    pub division_prefix: Option<String>,
    /// A category code; its sub-categories match too.
    pub category_code: Option<String>,
    pub status: Option<&'static str>,
    pub name_contains: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    pub as_of: Option<NaiveDate>,
    /// [min_lon, min_lat, max_lon, max_lat]
    pub bbox: Option<[f64; 4]>,
    /// Only records whose name was in use (a version of status `current` in force) on some day
    /// from the first day to the last (each end open when `None`).
    pub in_use_during: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    /// Only records classified public (what the anonymous public may see).
    pub public_only: bool,
    pub limit: i64,
    pub offset: i64,
}

pub(crate) const VERSION_COLUMNS: &str =
    "p.id, p.code, p.current_version, v.version, v.action, v.effective_on, v.recorded_at,
     v.recorded_by_name, v.comment, v.properties, v.geometry";

impl Store {
    /// Registers a new record; its first version is version 1.
    pub async fn create_place(
        &self,
        place: &ValidPlace,
        change: &Change<'_>,
    ) -> StoreResult<StoredPlace> {
        let mut tx = self.begin_write().await?;
        let id = register(&mut tx, place, change, &instant_text(Utc::now())).await?;
        append(
            &mut tx,
            change.author,
            "place.create",
            "place",
            Some(&id.to_string()),
            audit_detail(place, 1, change),
        )
        .await?;
        tx.commit().await?;
        self.place(id, VersionSelector::Current, false)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Appends a version to record `id` if its current version is still `expected_version`.
    pub async fn change_place(
        &self,
        id: i64,
        expected_version: i64,
        place: &ValidPlace,
        change: &Change<'_>,
    ) -> StoreResult<StoredPlace> {
        let mut tx = self.begin_write().await?;
        let next = append_version(&mut tx, id, expected_version, place, change).await?;
        let action = format!(
            "place.{}",
            match change.action {
                ChangeAction::Retired => "retire",
                _ => "update",
            }
        );
        append(
            &mut tx,
            change.author,
            &action,
            "place",
            Some(&id.to_string()),
            audit_detail(place, next, change),
        )
        .await?;
        tx.commit().await?;
        self.place(id, VersionSelector::Current, false)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Reads one version of a record; `None` when the record (or that version) does not
    /// exist, or is not public and `public_only` is set.
    pub async fn place(
        &self,
        id: i64,
        selector: VersionSelector,
        public_only: bool,
    ) -> StoreResult<Option<StoredPlace>> {
        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {VERSION_COLUMNS} FROM places p JOIN place_versions v ON v.place_id = p.id AND "
        ));
        push_version_choice(&mut query, selector);
        query.push(" WHERE p.id = ").push_bind(id);
        if public_only {
            query.push(" AND v.classification = 'public'");
        }
        let row = query.build().fetch_optional(self.pool()).await?;
        row.as_ref().map(read_place).transpose()
    }

    /// All versions of a record, oldest first.
    pub async fn place_history(&self, id: i64, public_only: bool) -> StoreResult<Vec<VersionMeta>> {
        let rows = sqlx::query(
            "SELECT version, action, effective_on, recorded_at, recorded_by_name, comment, classification
             FROM place_versions WHERE place_id = ? ORDER BY version",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        if public_only
            && rows
                .iter()
                .any(|r| r.get::<&str, _>("classification") != "public")
        {
            // A record that was ever confidential keeps its whole history from the public.
            return Ok(Vec::new());
        }
        rows.iter().map(read_meta).collect()
    }

    /// A page of records matching the filter, ordered by id, and how many match in all.
    pub async fn list_places(&self, filter: &PlaceFilter) -> StoreResult<(Vec<StoredPlace>, i64)> {
        let mut count = QueryBuilder::<Sqlite>::new(
            "SELECT COUNT(*) FROM places p JOIN place_versions v ON v.place_id = p.id AND ",
        );
        push_list_conditions(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;

        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {VERSION_COLUMNS} FROM places p JOIN place_versions v ON v.place_id = p.id AND "
        ));
        push_list_conditions(&mut query, filter);
        query
            .push(" ORDER BY p.id LIMIT ")
            .push_bind(filter.limit)
            .push(" OFFSET ")
            .push_bind(filter.offset);
        let rows = query.build().fetch_all(self.pool()).await?;
        let places = rows.iter().map(read_place).collect::<StoreResult<_>>()?;
        Ok((places, total))
    }

    /// The current version of every record, in use or historical: what the in-memory indexes
    /// are built from.
    pub async fn all_current_versions(&self) -> StoreResult<Vec<StoredPlace>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM places p JOIN place_versions v ON v.place_id = p.id AND v.version = p.current_version"
        )))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_place).collect()
    }

    /// The current record of a division itself: an administrative-area (21) or
    /// self-governing-organisation (22) record in use whose main division is `code`.
    pub async fn division_place(&self, code: &str) -> StoreResult<Option<StoredPlace>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM places p
               JOIN place_versions v ON v.place_id = p.id AND v.version = p.current_version
               JOIN place_version_divisions d ON d.place_id = p.id AND d.version = v.version AND d.position = 0
             WHERE d.division_code = ? AND v.status = 'current'
               AND (v.category_code LIKE '21%' OR v.category_code LIKE '22%')
             ORDER BY p.id LIMIT 1"
        )))
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_place).transpose()
    }

    /// The record of a division itself as it stood on `day`: the administrative-area or
    /// self-governing-organisation record whose main division was `code` then.
    pub async fn division_place_as_of(
        &self,
        code: &str,
        day: NaiveDate,
        public_only: bool,
    ) -> StoreResult<Option<StoredPlace>> {
        let public = if public_only {
            " AND v.classification = 'public'"
        } else {
            ""
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM places p
               JOIN place_versions v ON v.place_id = p.id AND v.version =
                 (SELECT MAX(w.version) FROM place_versions w WHERE w.place_id = p.id AND w.effective_on <= ?)
               JOIN place_version_divisions d ON d.place_id = p.id AND d.version = v.version AND d.position = 0
             WHERE d.division_code = ? AND (v.category_code LIKE '21%' OR v.category_code LIKE '22%'){public}
             ORDER BY v.status, p.id LIMIT 1"
        )))
        .bind(day.to_string())
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_place).transpose()
    }

    /// The records of many divisions as they stood on `day` (see `division_place_as_of`), by
    /// division code; a division without one is absent.
    pub async fn division_places_as_of(
        &self,
        codes: &[&str],
        day: NaiveDate,
        public_only: bool,
    ) -> StoreResult<std::collections::HashMap<String, StoredPlace>> {
        let mut found = std::collections::HashMap::new();
        for chunk in codes.chunks(500) {
            let mut query = QueryBuilder::<Sqlite>::new(format!(
                "SELECT {VERSION_COLUMNS}, d.division_code AS own_division FROM places p
                   JOIN place_versions v ON v.place_id = p.id AND v.version =
                     (SELECT MAX(w.version) FROM place_versions w WHERE w.place_id = p.id AND w.effective_on <= "
            ));
            query.push_bind(day.to_string()).push(
                ") JOIN place_version_divisions d ON d.place_id = p.id AND d.version = v.version AND d.position = 0
                 WHERE (v.category_code LIKE '21%' OR v.category_code LIKE '22%') AND d.division_code IN (",
            );
            let mut codes = query.separated(", ");
            for code in chunk {
                codes.push_bind(code.to_string());
            }
            query.push(")");
            if public_only {
                query.push(" AND v.classification = 'public'");
            }
            // The same choice as `division_place_as_of`: a record in use before a historical one.
            query.push(" ORDER BY v.status DESC, p.id DESC");
            for row in query.build().fetch_all(self.pool()).await? {
                let code: String = row.get("own_division");
                found.insert(code, read_place(&row)?);
            }
        }
        Ok(found)
    }

    /// The current version of every record in use that lies in a division below `prefix`
    /// (a significant code prefix), whatever its confidentiality.
    pub async fn places_in_use_within(&self, prefix: &str) -> StoreResult<Vec<StoredPlace>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM places p
               JOIN place_versions v ON v.place_id = p.id AND v.version = p.current_version
             WHERE v.status = 'current' AND EXISTS (SELECT 1 FROM place_version_divisions d
                WHERE d.place_id = p.id AND d.version = v.version AND d.division_code >= ? AND d.division_code < ?)
             ORDER BY p.id"
        )))
        .bind(prefix)
        .bind(format!("{prefix}:"))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_place).collect()
    }

    pub async fn place_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM places")
            .fetch_one(self.pool())
            .await?)
    }

    /// Registers many records in one transaction: all of them or none.
    pub async fn import_places(
        &self,
        places: &[ValidPlace],
        change: &Change<'_>,
    ) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let now = instant_text(Utc::now());
        for place in places {
            register(&mut tx, place, change, &now).await?;
        }
        append(
            &mut tx,
            change.author,
            "place.import",
            "place",
            None,
            json!({ "count": places.len(), "comment": change.comment }),
        )
        .await?;
        tx.commit().await?;
        Ok(places.len() as u64)
    }
}

pub(crate) fn audit_detail(place: &ValidPlace, version: i64, change: &Change<'_>) -> Value {
    json!({
        "version": version,
        "standard_name": place.properties().standard_name,
        "effective_on": change.effective_on,
        "comment": change.comment,
    })
}

fn push_version_choice(query: &mut QueryBuilder<Sqlite>, selector: VersionSelector) {
    match selector {
        VersionSelector::Current => {
            query.push("v.version = p.current_version");
        }
        VersionSelector::Number(n) => {
            query.push("v.version = ").push_bind(n);
        }
        VersionSelector::AsOf(day) => {
            query
                .push("v.version = (SELECT MAX(w.version) FROM place_versions w WHERE w.place_id = p.id AND w.effective_on <= ")
                .push_bind(day.to_string())
                .push(")");
        }
    }
}

fn push_list_conditions(query: &mut QueryBuilder<Sqlite>, filter: &PlaceFilter) {
    push_version_choice(
        query,
        filter
            .as_of
            .map_or(VersionSelector::Current, VersionSelector::AsOf),
    );
    query.push(" WHERE 1 = 1");
    if filter.public_only {
        query.push(" AND v.classification = 'public'");
    }
    if let Some(prefix) = &filter.division_prefix {
        // Codes are digits, and ':' sorts right after '9': the range is exactly the prefix.
        query
            .push(" AND EXISTS (SELECT 1 FROM place_version_divisions d WHERE d.place_id = v.place_id AND d.version = v.version AND d.division_code >= ")
            .push_bind(prefix.clone())
            .push(" AND d.division_code < ")
            .push_bind(format!("{prefix}:"))
            .push(")");
    }
    if let Some(category) = &filter.category_code {
        query
            .push(" AND v.category_code >= ")
            .push_bind(category.clone())
            .push(" AND v.category_code < ")
            .push_bind(format!("{category}:"));
    }
    if let Some(status) = filter.status {
        query.push(" AND v.status = ").push_bind(status);
    }
    if let Some(text) = &filter.name_contains {
        super::push_contains(query, "v.names_text", text);
    }
    if let Some(since) = filter.updated_since {
        query
            .push(" AND v.recorded_at >= ")
            .push_bind(instant_text(since));
    }
    if let Some((start, end)) = filter.in_use_during {
        // Version u is in force on day D when it is effective by D and no later-recorded version
        // is: the earliest day of the period it can be in force on is the later of its own
        // effective day and the period's start, and it is in force then unless a later version
        // is effective by that day (the set of those only grows with D).
        query.push(
            " AND EXISTS (SELECT 1 FROM place_versions u WHERE u.place_id = p.id AND u.status = 'current'",
        );
        if let Some(end) = end {
            query
                .push(" AND u.effective_on <= ")
                .push_bind(end.to_string());
        }
        query.push(
            " AND NOT EXISTS (SELECT 1 FROM place_versions x WHERE x.place_id = u.place_id AND x.version > u.version AND x.effective_on <= ",
        );
        match start {
            Some(start) => query
                .push("MAX(u.effective_on, ")
                .push_bind(start.to_string())
                .push(")"),
            None => query.push("u.effective_on"),
        };
        query.push("))");
    }
    if let Some([min_lon, min_lat, max_lon, max_lat]) = filter.bbox {
        query
            .push(" AND v.max_lon >= ")
            .push_bind(min_lon)
            .push(" AND v.min_lon <= ")
            .push_bind(max_lon)
            .push(" AND v.max_lat >= ")
            .push_bind(min_lat)
            .push(" AND v.min_lat <= ")
            .push_bind(max_lat);
    }
}

/// Appends version `expected_version + 1` to record `id` inside the caller's transaction, if its
/// current version is still `expected_version`. Returns the new version number.
pub(crate) async fn append_version(
    tx: &mut SqliteConnection,
    id: i64,
    expected_version: i64,
    place: &ValidPlace,
    change: &Change<'_>,
) -> StoreResult<i64> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT current_version FROM places WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let current = current.ok_or(StoreError::NotFound)?;
    expect_version(expected_version, current)?;
    let next = current + 1;
    // The guard repeats the check so that two writers racing past the read above cannot
    // both succeed.
    let updated =
        sqlx::query("UPDATE places SET current_version = ? WHERE id = ? AND current_version = ?")
            .bind(next)
            .bind(id)
            .bind(current)
            .execute(&mut *tx)
            .await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            current,
        });
    }
    insert_version(tx, id, next, place, change).await?;
    Ok(next)
}

/// Registers a new record inside the caller's transaction: its row, its register code (which
/// needs the id) and its first version. Returns the id.
pub(crate) async fn register(
    conn: &mut SqliteConnection,
    place: &ValidPlace,
    change: &Change<'_>,
    now: &str,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO places (current_version, created_at) VALUES (1, ?) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE places SET code = ? WHERE id = ?")
        .bind(place.register_code(id))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    insert_version(conn, id, 1, place, change).await?;
    Ok(id)
}

async fn insert_version(
    conn: &mut SqliteConnection,
    id: i64,
    version: i64,
    place: &ValidPlace,
    change: &Change<'_>,
) -> StoreResult<()> {
    insert_versions(
        conn,
        &[NewVersion {
            id,
            version,
            place,
            change,
        }],
    )
    .await
}

/// One version to insert: record `id` at `version` with `place`'s fields, written by `change`.
pub(crate) struct NewVersion<'a> {
    pub id: i64,
    pub version: i64,
    pub place: &'a ValidPlace,
    pub change: &'a Change<'a>,
}

/// Version rows per INSERT: 19 parameters each, within SQLite's 32,766.
const VERSIONS_PER_STATEMENT: usize = 1000;
/// Division rows per INSERT: 4 parameters each.
const DIVISIONS_PER_STATEMENT: usize = 5000;

/// Inserts versions, their division rows and their romanization corrections. Many rows go in
/// one statement: every statement is a round trip to the database's thread, and for a large
/// import those round trips, not SQLite, were most of the time.
pub(crate) async fn insert_versions(
    conn: &mut SqliteConnection,
    versions: &[NewVersion<'_>],
) -> StoreResult<()> {
    let recorded_at = instant_text(Utc::now());
    for chunk in versions.chunks(VERSIONS_PER_STATEMENT) {
        let mut rows = Vec::with_capacity(chunk.len());
        for new in chunk {
            let properties = new.place.properties();
            let geometry = new
                .place
                .geometry()
                .map(|g| {
                    serde_json::to_string(&geojson::Geometry::new(geojson::GeometryValue::from(g)))
                })
                .transpose()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let properties_text = serde_json::to_string(properties)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let bounds = new.place.geometry().and_then(BoundingRect::bounding_rect);
            rows.push((new, properties, properties_text, geometry, bounds));
        }
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO place_versions (place_id, version, action, effective_on, recorded_at, recorded_by,
                recorded_by_name, comment, standard_name, category_code, status, classification, names_text,
                min_lon, min_lat, max_lon, max_lat, properties, geometry) ",
        );
        query.push_values(
            rows,
            |mut row, (new, properties, properties_text, geometry, bounds)| {
                let change = new.change;
                row.push_bind(new.id)
                    .push_bind(new.version)
                    .push_bind(change.action.as_str())
                    .push_bind(change.effective_on.to_string())
                    .push_bind(recorded_at.clone())
                    .push_bind(change.author.user_id)
                    .push_bind(change.author.username.clone())
                    .push_bind(change.comment.map(str::to_string))
                    .push_bind(properties.standard_name.clone())
                    .push_bind(properties.category.clone())
                    .push_bind(properties.status.as_str())
                    .push_bind(properties.classification.as_str())
                    .push_bind(new.place.all_names().join("\n"))
                    .push_bind(bounds.map(|b| b.min().x))
                    .push_bind(bounds.map(|b| b.min().y))
                    .push_bind(bounds.map(|b| b.max().x))
                    .push_bind(bounds.map(|b| b.max().y))
                    .push_bind(properties_text)
                    .push_bind(geometry);
            },
        );
        query.build().execute(&mut *conn).await?;
    }
    let divisions: Vec<(i64, i64, &str, i64)> = versions
        .iter()
        .flat_map(|new| {
            new.place
                .divisions()
                .iter()
                .enumerate()
                .map(|(position, code)| (new.id, new.version, code.as_str(), position as i64))
        })
        .collect();
    for chunk in divisions.chunks(DIVISIONS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO place_version_divisions (place_id, version, division_code, position) ",
        );
        query.push_values(chunk, |mut row, (id, version, code, position)| {
            row.push_bind(*id)
                .push_bind(*version)
                .push_bind(code.to_string())
                .push_bind(*position);
        });
        query.build().execute(&mut *conn).await?;
    }
    for new in versions {
        if let Some(correction) = new.change.correction {
            super::romanization::insert(conn, correction, new.id, new.version, new.change.author)
                .await?;
        }
    }
    Ok(())
}

pub(crate) fn read_meta(row: &SqliteRow) -> StoreResult<VersionMeta> {
    let action: &str = row.get("action");
    Ok(VersionMeta {
        version: row.get("version"),
        action: ChangeAction::parse(action)
            .ok_or_else(|| StoreError::Corrupt(format!("action {action:?}")))?,
        effective_on: parse_date(row.get("effective_on"))?,
        recorded_at: parse_instant(row.get("recorded_at"))?,
        recorded_by: row.get("recorded_by_name"),
        comment: row.get("comment"),
    })
}

pub(crate) fn read_place(row: &SqliteRow) -> StoreResult<StoredPlace> {
    let properties: &str = row.get("properties");
    let geometry: Option<&str> = row.get("geometry");
    Ok(StoredPlace {
        id: row.get("id"),
        code: row.get::<Option<String>, _>("code").unwrap_or_default(),
        current_version: row.get("current_version"),
        meta: read_meta(row)?,
        properties: serde_json::from_str(properties)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        geometry: geometry
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}
