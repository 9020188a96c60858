//! Divisions as of a day: the hierarchy, names, kinds and seats in force on any date, read from
//! the latest state of each code and the closed periods events left behind.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::{Store, StoreResult, parse_date};
use crate::domain::division_code::{DivisionCode, DivisionLevel};
use crate::domain::division_event::{DivisionInForce, DivisionLookup, kind_from_name};

/// One division's state during one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DivisionRecord {
    /// Its code during the period.
    pub code: String,
    /// Its name during the period.
    pub name: String,
    /// Its level.
    pub level: DivisionLevel,
    /// Its kind (县, 街道 …), when known.
    pub kind: Option<String>,
    /// The division it belonged to.
    pub parent_code: Option<String>,
    /// Its seat, when known.
    pub seat: Option<String>,
    /// The code the division was first registered under (its identity across code changes).
    pub lineage: String,
    /// The first day of the period (None: before the register).
    pub valid_from: Option<NaiveDate>,
    /// The day the period ended (None: in force).
    pub valid_to: Option<NaiveDate>,
}

/// Which divisions a list wants.
#[derive(Debug, Clone, Default)]
pub struct DivisionFilter {
    /// Divisions directly below this code.
    pub parent: Option<String>,
    /// Divisions of this level.
    pub level: Option<DivisionLevel>,
    /// Codes beginning with this significant prefix (a division and everything below it).
    pub within: Option<String>,
    /// Divisions whose name contains this text.
    pub name_contains: Option<String>,
    /// Divisions whose own record (as of the day) has an area overlapping this box
    /// [min_lon, min_lat, max_lon, max_lat], counting only public records when the flag is set.
    pub area_overlaps: Option<([f64; 4], bool)>,
    /// At most this many.
    pub limit: i64,
    /// Skipping this many first.
    pub offset: i64,
}

/// Every state of every division: the latest one of each code and the closed earlier ones.
const STATES: &str = "(SELECT p.code, p.name, d.level, p.kind, p.parent_code, p.seat,
        COALESCE(d.lineage, d.code) AS lineage, p.valid_from, p.valid_to
      FROM division_periods p JOIN divisions d ON d.code = p.code
    UNION ALL
    SELECT code, name, level, kind, parent_code, seat, COALESCE(lineage, code) AS lineage,
        valid_from, valid_to
      FROM divisions) AS s";

impl Store {
    /// The divisions in force on `day` that match the filter, by code, and how many match.
    pub async fn divisions_as_of(
        &self,
        day: NaiveDate,
        filter: &DivisionFilter,
    ) -> StoreResult<(Vec<DivisionRecord>, i64)> {
        let mut count = QueryBuilder::<Sqlite>::new(format!("SELECT COUNT(*) FROM {STATES}"));
        push_conditions(&mut count, day, filter);
        let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;
        let mut query = QueryBuilder::<Sqlite>::new(format!("SELECT s.* FROM {STATES}"));
        push_conditions(&mut query, day, filter);
        query
            .push(" ORDER BY s.code LIMIT ")
            .push_bind(filter.limit)
            .push(" OFFSET ")
            .push_bind(filter.offset);
        let rows = query.build().fetch_all(self.pool()).await?;
        let records = rows.iter().map(read_record).collect::<StoreResult<_>>()?;
        Ok((records, total))
    }

    /// The division with this code in force on `day`.
    pub async fn division_as_of(
        &self,
        code: &DivisionCode,
        day: NaiveDate,
    ) -> StoreResult<Option<DivisionRecord>> {
        let mut query = QueryBuilder::<Sqlite>::new(format!("SELECT s.* FROM {STATES}"));
        push_conditions(&mut query, day, &DivisionFilter::default());
        query
            .push(" AND s.code = ")
            .push_bind(code.as_str().to_string());
        let row = query.build().fetch_optional(self.pool()).await?;
        row.as_ref().map(read_record).transpose()
    }

    /// Every state this code and every other code of the same division (its lineage) had,
    /// oldest first.
    pub async fn division_states(&self, code: &DivisionCode) -> StoreResult<Vec<DivisionRecord>> {
        let lineage: Option<String> =
            sqlx::query_scalar("SELECT COALESCE(lineage, code) FROM divisions WHERE code = ?")
                .bind(code.as_str())
                .fetch_optional(self.pool())
                .await?;
        let Some(lineage) = lineage else {
            return Ok(Vec::new());
        };
        // The codes of the lineage: its first code and those that carry it (indexed).
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT s.* FROM {STATES} WHERE s.code IN (SELECT ?1 UNION SELECT code FROM divisions WHERE lineage = ?1)
             ORDER BY COALESCE(s.valid_from, ''), s.code"
        )))
        .bind(&lineage)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_record).collect()
    }
}

fn push_conditions(query: &mut QueryBuilder<Sqlite>, day: NaiveDate, filter: &DivisionFilter) {
    let day_text = day.to_string();
    query
        .push(" WHERE (s.valid_from IS NULL OR s.valid_from <= ")
        .push_bind(day_text.clone())
        .push(") AND (s.valid_to IS NULL OR s.valid_to > ")
        .push_bind(day_text.clone())
        .push(")");
    if let Some(parent) = &filter.parent {
        query
            .push(" AND s.parent_code = ")
            .push_bind(parent.clone());
    }
    if let Some(level) = filter.level {
        query.push(" AND s.level = ").push_bind(level.as_str());
    }
    if let Some(prefix) = &filter.within {
        query
            .push(" AND s.code >= ")
            .push_bind(prefix.clone())
            .push(" AND s.code < ")
            .push_bind(format!("{prefix}:"));
    }
    if let Some(text) = &filter.name_contains {
        super::push_contains(query, "s.name", text);
    }
    if let Some(([min_lon, min_lat, max_lon, max_lat], public_only)) = filter.area_overlaps {
        query
            .push(format!(
                " AND EXISTS (SELECT 1 FROM place_version_divisions d JOIN place_versions v ON v.place_id = d.place_id AND v.version = d.version
                   WHERE d.division_code = s.code AND d.position = 0 AND {OWN_RECORD_CATEGORY}{}
                     AND v.version = (SELECT MAX(w.version) FROM place_versions w WHERE w.place_id = v.place_id AND w.effective_on <= ",
                if public_only { " AND v.classification = 'public'" } else { "" }
            ))
            .push_bind(day_text.clone())
            .push(") AND v.max_lon >= ")
            .push_bind(min_lon)
            .push(" AND v.min_lon <= ")
            .push_bind(max_lon)
            .push(" AND v.max_lat >= ")
            .push_bind(min_lat)
            .push(" AND v.min_lat <= ")
            .push_bind(max_lat)
            .push(")");
    }
}

/// A division's own record: an administrative-area (21) or self-governing-organisation (22)
/// record whose main division is the division.
const OWN_RECORD_CATEGORY: &str = "(v.category_code LIKE '21%' OR v.category_code LIKE '22%')";

fn read_record(row: &SqliteRow) -> StoreResult<DivisionRecord> {
    let date = |column: &str| {
        row.get::<Option<String>, _>(column)
            .map(|text| parse_date(&text))
            .transpose()
    };
    let code: String = row.get("code");
    let level = DivisionCode::parse(&code)
        .map_err(|e| super::StoreError::Corrupt(format!("division code {code}: {e}")))?
        .level();
    let name: String = row.get("name");
    // Divisions imported from the table carry no kind: their name's ending says it.
    let kind = row
        .get::<Option<String>, _>("kind")
        .or_else(|| kind_from_name(level, &name).map(str::to_string));
    Ok(DivisionRecord {
        name,
        level,
        kind,
        parent_code: row.get("parent_code"),
        seat: row.get("seat"),
        lineage: row.get("lineage"),
        valid_from: date("valid_from")?,
        valid_to: date("valid_to")?,
        code,
    })
}

/// The part of the register an event's checks look at, read inside the event's transaction:
/// the codes it names, their parents, and every division below them.
#[derive(Debug, Default)]
pub struct RegisterSnapshot {
    rows: HashMap<String, SnapshotRow>,
    /// Codes in force by parent code, so that walking a province's subdivisions stays linear.
    children: HashMap<String, Vec<DivisionCode>>,
}

#[derive(Debug, Clone)]
struct SnapshotRow {
    in_force: Option<DivisionInForce>,
}

impl RegisterSnapshot {
    pub(crate) async fn read(
        conn: &mut SqliteConnection,
        codes: &[DivisionCode],
    ) -> StoreResult<Self> {
        let mut snapshot = Self::default();
        for code in codes {
            let mut query = QueryBuilder::<Sqlite>::new(
                "SELECT code, name, kind, seat, parent_code, valid_from, valid_to FROM divisions WHERE code = ",
            );
            query.push_bind(code.as_str().to_string());
            if let Some(parent) = code.parent() {
                query
                    .push(" OR code = ")
                    .push_bind(parent.as_str().to_string());
            }
            // Everything below: codes are digits and ':' sorts right after '9'.
            let prefix = code.significant_prefix().to_string();
            query
                .push(" OR (code > ")
                .push_bind(prefix.clone())
                .push(" AND code < ")
                .push_bind(format!("{prefix}:"))
                .push(")");
            for row in query.build().fetch_all(&mut *conn).await? {
                let code: String = row.get("code");
                let Ok(parsed) = DivisionCode::parse(&code) else {
                    continue;
                };
                let valid_to: Option<String> = row.get("valid_to");
                let valid_from: Option<String> = row.get("valid_from");
                let name: String = row.get("name");
                let kind = row
                    .get::<Option<String>, _>("kind")
                    .or_else(|| kind_from_name(parsed.level(), &name).map(str::to_string));
                let in_force = valid_to.is_none().then(|| DivisionInForce {
                    code: parsed,
                    name,
                    kind,
                    seat: row.get("seat"),
                    valid_from: valid_from.and_then(|d| parse_date(&d).ok()),
                });
                let parent_code: Option<String> = row.get("parent_code");
                let previous = snapshot.rows.insert(
                    code.clone(),
                    SnapshotRow {
                        in_force: in_force.clone(),
                    },
                );
                if previous.is_none()
                    && let (Some(parent), Some(child)) = (parent_code, in_force)
                {
                    snapshot
                        .children
                        .entry(parent)
                        .or_default()
                        .push(child.code);
                }
            }
        }
        Ok(snapshot)
    }
}

impl DivisionLookup for RegisterSnapshot {
    fn in_force(&self, code: &DivisionCode) -> Option<DivisionInForce> {
        self.rows.get(code.as_str())?.in_force.clone()
    }

    fn code_ever_used(&self, code: &DivisionCode) -> bool {
        self.rows.contains_key(code.as_str())
    }

    fn children_in_force(&self, code: &DivisionCode) -> Vec<DivisionCode> {
        let mut children = self
            .children
            .get(code.as_str())
            .cloned()
            .unwrap_or_default();
        children.sort();
        children
    }
}
