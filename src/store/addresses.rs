//! Address records (门牌 and the plates under them): every change appends a version; the record
//! points at its current one. Writes check the version the client started from, and that no
//! other address in use has the same path on the same road, inside the transaction. Also the
//! numbering rules of jurisdictions and the numbering settings of roads.

use chrono::{NaiveDate, Utc};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::audit::{Author, append};
use super::places::{Change, VersionSelector, read_meta};
use super::{Store, StoreError, StoreResult, expect_version, instant_text};
use crate::domain::address::{
    AddressLevel, AddressPath, AddressRecord, AddressStatus, HouseNumber, path_key,
};
use crate::domain::address_numbering::{NumberingRules, Placement, RoadNumbering, Side};
use crate::domain::version::{ChangeAction, VersionMeta};

/// One version of an address record as read back.
#[derive(Debug, Clone)]
pub struct StoredAddress {
    /// The record's id.
    pub id: i64,
    /// The version the record is at now.
    pub current_version: i64,
    /// Who, when and why of this version.
    pub meta: VersionMeta,
    /// The content of this version.
    pub record: AddressRecord,
}

/// Filters of the address list.
#[derive(Debug, Clone, Default)]
pub struct AddressFilter {
    /// Only the addresses on this road or area.
    pub road_id: Option<i64>,
    /// A significant prefix of division codes.
    pub division_prefix: Option<String>,
    /// Only this status.
    pub status: Option<AddressStatus>,
    /// As the records stood on that day.
    pub as_of: Option<NaiveDate>,
    pub limit: i64,
    pub offset: i64,
}

const COLUMNS: &str = "a.id, a.current_version, v.version, v.action, v.effective_on, v.recorded_at,
     v.recorded_by_name, v.comment, v.status, v.level, v.division_code, v.road_id, v.number, v.suffix,
     v.building, v.unit, v.flat, v.lon, v.lat, v.side, v.distance_m, v.offset_m, v.standard_address";

impl Store {
    /// Registers a new address as version 1, unless its path is in use on its road.
    pub async fn create_address(
        &self,
        record: &AddressRecord,
        change: &Change<'_>,
    ) -> StoreResult<StoredAddress> {
        let mut tx = self.begin_write().await?;
        let id = insert_address(&mut tx, record, change).await?;
        tx.commit().await?;
        self.address(id, VersionSelector::Current)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Registers many addresses (a road numbered at once), all or none.
    pub async fn create_addresses(
        &self,
        records: &[AddressRecord],
        change: &Change<'_>,
    ) -> StoreResult<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(records.len());
        for record in records {
            ids.push(insert_address(&mut tx, record, change).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Appends a version to address `id` if it is still at `expected_version`.
    pub async fn change_address(
        &self,
        id: i64,
        expected_version: i64,
        record: &AddressRecord,
        change: &Change<'_>,
    ) -> StoreResult<StoredAddress> {
        let mut tx = self.begin_write().await?;
        append_address_version(&mut tx, id, expected_version, record, change).await?;
        tx.commit().await?;
        self.address(id, VersionSelector::Current)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Renumbers in one transaction: retires each of `retired` (id, the version it was read
    /// at, its retired record), then registers `created`; all or none. Answers the new ids.
    pub async fn replace_addresses(
        &self,
        retired: &[(i64, i64, AddressRecord)],
        created: &[AddressRecord],
        retire_change: &Change<'_>,
        create_change: &Change<'_>,
    ) -> StoreResult<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        for (id, expected, record) in retired {
            append_address_version(&mut tx, *id, *expected, record, retire_change).await?;
        }
        let mut ids = Vec::with_capacity(created.len());
        for record in created {
            ids.push(insert_address(&mut tx, record, create_change).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// One version of an address; `None` when there is none.
    pub async fn address(
        &self,
        id: i64,
        selector: VersionSelector,
    ) -> StoreResult<Option<StoredAddress>> {
        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {COLUMNS} FROM addresses a JOIN address_versions v ON v.address_id = a.id AND "
        ));
        push_version_choice(&mut query, selector);
        query.push(" WHERE a.id = ").push_bind(id);
        let row = query.build().fetch_optional(self.pool()).await?;
        row.as_ref().map(read_address).transpose()
    }

    /// Every version of an address, oldest first.
    pub async fn address_history(&self, id: i64) -> StoreResult<Vec<VersionMeta>> {
        let rows = sqlx::query(
            "SELECT version, action, effective_on, recorded_at, recorded_by_name, comment
             FROM address_versions WHERE address_id = ? ORDER BY version",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_meta).collect()
    }

    /// A page of addresses matching the filter, by id, and how many match in all.
    pub async fn list_addresses(
        &self,
        filter: &AddressFilter,
    ) -> StoreResult<(Vec<StoredAddress>, i64)> {
        let mut count = QueryBuilder::<Sqlite>::new(
            "SELECT COUNT(*) FROM addresses a JOIN address_versions v ON v.address_id = a.id AND ",
        );
        push_list_conditions(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;
        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {COLUMNS} FROM addresses a JOIN address_versions v ON v.address_id = a.id AND "
        ));
        push_list_conditions(&mut query, filter);
        query
            .push(" ORDER BY a.id LIMIT ")
            .push_bind(filter.limit)
            .push(" OFFSET ")
            .push_bind(filter.offset);
        let rows = query.build().fetch_all(self.pool()).await?;
        let found = rows.iter().map(read_address).collect::<StoreResult<_>>()?;
        Ok((found, total))
    }

    /// The current version of every address not retired: what the geocoder is built from.
    pub async fn addresses_in_use(&self) -> StoreResult<Vec<StoredAddress>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM addresses a JOIN address_versions v ON v.address_id = a.id AND v.version = a.current_version
             WHERE v.status != 'retired' ORDER BY a.id"
        )))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_address).collect()
    }

    /// The addresses in use on a road with exactly this path (none or one, the register
    /// refusing duplicates).
    pub async fn address_at(
        &self,
        road_id: i64,
        path: &AddressPath,
    ) -> StoreResult<Option<StoredAddress>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM addresses a JOIN address_versions v ON v.address_id = a.id AND v.version = a.current_version
             WHERE v.road_id = ? AND v.path_key = ? AND v.status != 'retired' LIMIT 1"
        )))
        .bind(road_id)
        .bind(path_key(path))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_address).transpose()
    }

    /// Every address in use on a road, doors and what lies under them.
    pub async fn addresses_on_road(&self, road_id: i64) -> StoreResult<Vec<StoredAddress>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM addresses a JOIN address_versions v ON v.address_id = a.id AND v.version = a.current_version
             WHERE v.road_id = ? AND v.status != 'retired' ORDER BY a.id"
        )))
        .bind(road_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_address).collect()
    }

    /// The doors in use on a road (its numbered doors, proposed or assigned).
    pub async fn doors_on_road(&self, road_id: i64) -> StoreResult<Vec<StoredAddress>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM addresses a JOIN address_versions v ON v.address_id = a.id AND v.version = a.current_version
             WHERE v.road_id = ? AND v.level = 'door' AND v.status != 'retired' ORDER BY v.distance_m"
        )))
        .bind(road_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_address).collect()
    }

    /// The numbering rule of the longest jurisdiction prefix of `division_code`, with that
    /// prefix; `None` when no jurisdiction has one (the default rule applies).
    pub async fn numbering_rules_for(
        &self,
        division_code: &str,
    ) -> StoreResult<Option<(String, NumberingRules)>> {
        let row = sqlx::query(
            "SELECT jurisdiction, rules FROM address_rules
             WHERE ? LIKE jurisdiction || '%' ORDER BY length(jurisdiction) DESC LIMIT 1",
        )
        .bind(division_code)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let rules: &str = row.get("rules");
            serde_json::from_str(rules)
                .map(|r| (row.get("jurisdiction"), r))
                .map_err(|e| StoreError::Corrupt(format!("numbering rules: {e}")))
        })
        .transpose()
    }

    /// Sets the numbering rule of a jurisdiction, with its audit entry.
    pub async fn set_numbering_rules(
        &self,
        jurisdiction: &str,
        rules: &NumberingRules,
        author: &Author,
    ) -> StoreResult<()> {
        let text = serde_json::to_string(rules).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO address_rules (jurisdiction, rules, updated_at, updated_by_name) VALUES (?, ?, ?, ?)
             ON CONFLICT (jurisdiction) DO UPDATE SET rules = excluded.rules,
               updated_at = excluded.updated_at, updated_by_name = excluded.updated_by_name",
        )
        .bind(jurisdiction)
        .bind(&text)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "address.rules",
            "jurisdiction",
            Some(jurisdiction),
            json!({ "rules": rules }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A road's numbering settings; the default when none were stored.
    pub async fn road_numbering(&self, road_id: i64) -> StoreResult<RoadNumbering> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT settings FROM road_numbering WHERE road_id = ?")
                .bind(road_id)
                .fetch_optional(self.pool())
                .await?;
        text.map_or(Ok(RoadNumbering::default()), |t| {
            serde_json::from_str(&t)
                .map_err(|e| StoreError::Corrupt(format!("road numbering: {e}")))
        })
    }

    /// Stores a road's numbering settings, with the audit entry.
    pub async fn set_road_numbering(
        &self,
        road_id: i64,
        settings: &RoadNumbering,
        author: &Author,
    ) -> StoreResult<()> {
        let text =
            serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO road_numbering (road_id, settings, updated_at, updated_by_name) VALUES (?, ?, ?, ?)
             ON CONFLICT (road_id) DO UPDATE SET settings = excluded.settings,
               updated_at = excluded.updated_at, updated_by_name = excluded.updated_by_name",
        )
        .bind(road_id)
        .bind(&text)
        .bind(instant_text(Utc::now()))
        .bind(&author.username)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "address.road_numbering",
            "place",
            Some(&road_id.to_string()),
            json!({ "settings": settings }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many address records there are (for tests: nothing stored after a refusal).
    pub async fn address_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM addresses")
            .fetch_one(self.pool())
            .await?)
    }
}

/// Appends version `expected + 1` to address `id` inside the caller's transaction, refusing a
/// stale version and (unless it retires) a path in use by another address.
pub(super) async fn append_address_version(
    tx: &mut SqliteConnection,
    id: i64,
    expected_version: i64,
    record: &AddressRecord,
    change: &Change<'_>,
) -> StoreResult<i64> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT current_version FROM addresses WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let current = current.ok_or(StoreError::NotFound)?;
    expect_version(expected_version, current)?;
    if record.status != AddressStatus::Retired {
        refuse_duplicate(tx, record, Some(id)).await?;
    }
    let next = current + 1;
    sqlx::query("UPDATE addresses SET current_version = ? WHERE id = ? AND current_version = ?")
        .bind(next)
        .bind(id)
        .bind(current)
        .execute(&mut *tx)
        .await?;
    insert_version(tx, id, next, record, change).await?;
    let action = match change.action {
        ChangeAction::Retired => "address.retire",
        _ => "address.update",
    };
    append(
        tx,
        change.author,
        action,
        "address",
        Some(&id.to_string()),
        audit_detail(record, next, change),
    )
    .await?;
    Ok(next)
}

pub(super) async fn insert_address(
    tx: &mut SqliteConnection,
    record: &AddressRecord,
    change: &Change<'_>,
) -> StoreResult<i64> {
    refuse_duplicate(tx, record, None).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO addresses (current_version, created_at) VALUES (1, ?) RETURNING id",
    )
    .bind(instant_text(Utc::now()))
    .fetch_one(&mut *tx)
    .await?;
    insert_version(tx, id, 1, record, change).await?;
    append(
        tx,
        change.author,
        "address.create",
        "address",
        Some(&id.to_string()),
        audit_detail(record, 1, change),
    )
    .await?;
    Ok(id)
}

/// Refuses a path already in use on the road by another address (checked inside the write, so
/// two requests racing each other cannot both register it).
async fn refuse_duplicate(
    tx: &mut SqliteConnection,
    record: &AddressRecord,
    except: Option<i64>,
) -> StoreResult<()> {
    let other: Option<(i64, String)> = sqlx::query_as(
        "SELECT a.id, v.standard_address FROM addresses a
           JOIN address_versions v ON v.address_id = a.id AND v.version = a.current_version
         WHERE v.road_id = ? AND v.path_key = ? AND v.status != 'retired' AND a.id != ? LIMIT 1",
    )
    .bind(record.road_id)
    .bind(record.path_key())
    .bind(except.unwrap_or(0))
    .fetch_optional(&mut *tx)
    .await?;
    match other {
        Some((id, written)) => Err(StoreError::AlreadyExists(format!(
            "{written} (address {id})"
        ))),
        None => Ok(()),
    }
}

async fn insert_version(
    tx: &mut SqliteConnection,
    id: i64,
    version: i64,
    record: &AddressRecord,
    change: &Change<'_>,
) -> StoreResult<()> {
    let placement = record.placement;
    sqlx::query(
        "INSERT INTO address_versions (address_id, version, action, effective_on, recorded_at,
            recorded_by, recorded_by_name, comment, status, level, division_code, road_id, number,
            suffix, building, unit, flat, path_key, lon, lat, side, distance_m, offset_m, standard_address)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(version)
    .bind(change.action.as_str())
    .bind(change.effective_on.to_string())
    .bind(instant_text(Utc::now()))
    .bind(change.author.user_id)
    .bind(&change.author.username)
    .bind(change.comment)
    .bind(record.status.as_str())
    .bind(record.level.as_str())
    .bind(&record.division_code)
    .bind(record.road_id)
    .bind(record.path.number.map(|n| i64::from(n.number)))
    .bind(record.path.number.and_then(|n| n.suffix).map(i64::from))
    .bind(record.path.building.as_deref())
    .bind(record.path.unit.as_deref())
    .bind(record.path.flat.as_deref())
    .bind(record.path_key())
    .bind(record.point.map(|p| p[0]))
    .bind(record.point.map(|p| p[1]))
    .bind(placement.map(|p| p.side.as_str()))
    .bind(placement.map(|p| p.distance_m))
    .bind(placement.map(|p| p.offset_m))
    .bind(&record.standard_address)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

fn audit_detail(record: &AddressRecord, version: i64, change: &Change<'_>) -> serde_json::Value {
    json!({
        "version": version,
        "standard_address": record.standard_address,
        "status": record.status.as_str(),
        "road_id": record.road_id,
        "comment": change.comment,
    })
}

fn push_version_choice(query: &mut QueryBuilder<Sqlite>, selector: VersionSelector) {
    match selector {
        VersionSelector::Current => {
            query.push("v.version = a.current_version");
        }
        VersionSelector::Number(n) => {
            query.push("v.version = ").push_bind(n);
        }
        VersionSelector::AsOf(day) => {
            query
                .push("v.version = (SELECT MAX(w.version) FROM address_versions w WHERE w.address_id = a.id AND w.effective_on <= ")
                .push_bind(day.to_string())
                .push(")");
        }
    }
}

fn push_list_conditions(query: &mut QueryBuilder<Sqlite>, filter: &AddressFilter) {
    push_version_choice(
        query,
        filter
            .as_of
            .map_or(VersionSelector::Current, VersionSelector::AsOf),
    );
    query.push(" WHERE 1 = 1");
    if let Some(road) = filter.road_id {
        query.push(" AND v.road_id = ").push_bind(road);
    }
    if let Some(prefix) = &filter.division_prefix {
        query
            .push(" AND v.division_code >= ")
            .push_bind(prefix.clone())
            .push(" AND v.division_code < ")
            .push_bind(format!("{prefix}:"));
    }
    if let Some(status) = filter.status {
        query.push(" AND v.status = ").push_bind(status.as_str());
    }
}

fn read_address(row: &SqliteRow) -> StoreResult<StoredAddress> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("address {what}"));
    let status: &str = row.get("status");
    let level: &str = row.get("level");
    let level = match level {
        "door" => AddressLevel::Door,
        "building" => AddressLevel::Building,
        "unit" => AddressLevel::Unit,
        "flat" => AddressLevel::Flat,
        _ => return Err(corrupt("level")),
    };
    let number: Option<i64> = row.get("number");
    let suffix: Option<i64> = row.get("suffix");
    let number = number.map(|n| HouseNumber {
        number: n as u32,
        suffix: suffix.map(|s| s as u32),
    });
    let lon: Option<f64> = row.get("lon");
    let lat: Option<f64> = row.get("lat");
    let side: Option<&str> = row.get("side");
    let distance_m: Option<f64> = row.get("distance_m");
    let offset_m: Option<f64> = row.get("offset_m");
    let placement = match (side.and_then(Side::parse), distance_m, offset_m) {
        (Some(side), Some(distance_m), Some(offset_m)) => Some(Placement {
            side,
            distance_m,
            offset_m,
        }),
        _ => None,
    };
    Ok(StoredAddress {
        id: row.get("id"),
        current_version: row.get("current_version"),
        meta: read_meta(row)?,
        record: AddressRecord {
            status: AddressStatus::parse(status).ok_or_else(|| corrupt("status"))?,
            level,
            division_code: row.get("division_code"),
            road_id: row.get("road_id"),
            path: AddressPath {
                number,
                building: row.get("building"),
                unit: row.get("unit"),
                flat: row.get("flat"),
            },
            point: lon.zip(lat).map(|(x, y)| [x, y]),
            placement,
            standard_address: row.get("standard_address"),
        },
    })
}
