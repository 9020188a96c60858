//! The plates campaign's records: production orders with their plates (each a sign of the
//! inventory, made in the order's transaction), the moves of plates through their stages (the
//! sign's own status kept in step), field-check flags, and the published old→new tables of
//! renamed roads, written together with the renumbering and its replacement order.

use chrono::{NaiveDate, Utc};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::addresses::{append_address_version, insert_address};
use super::audit::{Author, append};
use super::places::Change;
use super::signs::insert_sign;
use super::{Store, StoreError, StoreResult, instant_text, parse_date, parse_instant};
use crate::domain::address::AddressRecord;
use crate::domain::plate_campaign::{
    OrderPurpose, PlateFlag, PlateItem, PlateMove, PlateOrder, PlateProblem, PlateStage,
    Renumbering, RenumberingRow,
};
use crate::domain::sign::{PublicCode, SignInput};

/// A production order to write.
#[derive(Debug, Clone)]
pub struct NewPlateOrder {
    /// The road covered, if the order is by road.
    pub road_id: Option<i64>,
    /// The division covered.
    pub division_code: String,
    /// New plates or replacement.
    pub purpose: OrderPurpose,
    /// The day the plates are due on the walls.
    pub due_on: Option<NaiveDate>,
    /// What staff noted.
    pub note: Option<String>,
}

/// One plate to make: for the address (by id, or by its index among the addresses a
/// renumbering registers), the sign to register, and the old plate it replaces.
#[derive(Debug, Clone)]
pub struct NewPlate {
    /// The address the plate is for.
    pub address: PlateFor,
    /// The plate's description for the inventory.
    pub sign: SignInput,
    /// Its division.
    pub division_code: String,
    /// The old plate it replaces.
    pub replaces_sign_id: Option<i64>,
}

/// Which address a new plate is for.
#[derive(Debug, Clone, Copy)]
pub enum PlateFor {
    /// A registered address.
    Address(i64),
    /// The address registered `n`-th by the same write.
    Created(usize),
}

/// A renumbering to publish with the addresses it writes.
#[derive(Debug, Clone)]
pub struct NewRenumbering {
    /// The road.
    pub road_id: i64,
    /// Its division.
    pub division_code: String,
    /// Its name before.
    pub old_road_name: String,
    /// Its name now.
    pub road_name: String,
    /// The day the new numbers take effect.
    pub applied_on: NaiveDate,
    /// The day the plates are due.
    pub replace_by: NaiveDate,
    /// The table; the new ids are filled in by the write, in the order of `created`.
    pub rows: Vec<RenumberingRow>,
    /// Why.
    pub comment: String,
}

const ORDER_COLUMNS: &str = "id, road_id, division_code, purpose, renumbering_id, due_on, note, created_at, created_by_name";
const ITEM_COLUMNS: &str = "order_id, address_id, sign_id, replaces_sign_id, stage, produced_on, installed_on, photo_id, verified_on, verified_by_name";
const FLAG_COLUMNS: &str = "id, address_id, sign_id, problem, note, raised_on, raised_by_name, resolved_on, resolved_by_name, resolution";
const RENUMBERING_COLUMNS: &str = "id, road_id, division_code, old_road_name, road_name, applied_on, replace_by, rows, comment, created_by_name";

impl Store {
    /// Writes a production order and registers its plates as planned signs, all or none;
    /// `new_code` draws each plate's public code.
    pub async fn create_plate_order(
        &self,
        order: &NewPlateOrder,
        plates: &[NewPlate],
        new_code: impl FnMut() -> PublicCode,
        author: &Author,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let id = insert_order(&mut tx, order, None, plates, &[], new_code, author).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Renumbers a renamed road in one transaction: retires the old addresses, registers the
    /// new ones, publishes the old→new table and makes the replacement order of `plates`.
    /// Answers the new address ids, the table's id and the order's id.
    #[allow(clippy::too_many_arguments)]
    pub async fn renumber_road(
        &self,
        retired: &[(i64, i64, AddressRecord)],
        created: &[AddressRecord],
        retire_change: &Change<'_>,
        create_change: &Change<'_>,
        renumbering: &NewRenumbering,
        order: &NewPlateOrder,
        plates: &[NewPlate],
        new_code: impl FnMut() -> PublicCode,
    ) -> StoreResult<(Vec<i64>, i64, i64)> {
        let mut tx = self.begin_write().await?;
        for (id, expected, record) in retired {
            append_address_version(&mut tx, *id, *expected, record, retire_change).await?;
        }
        let mut ids = Vec::with_capacity(created.len());
        for record in created {
            ids.push(insert_address(&mut tx, record, create_change).await?);
        }
        let mut rows = renumbering.rows.clone();
        for (row, id) in rows.iter_mut().zip(&ids) {
            row.new_address_id = Some(*id);
        }
        let rows_json = serde_json::to_string(&rows)
            .map_err(|e| StoreError::Corrupt(format!("renumbering rows: {e}")))?;
        let renumbering_id: i64 = sqlx::query_scalar(
            "INSERT INTO address_renumberings (road_id, division_code, old_road_name, road_name, applied_on, replace_by, rows, comment, created_by_name)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(renumbering.road_id)
        .bind(&renumbering.division_code)
        .bind(&renumbering.old_road_name)
        .bind(&renumbering.road_name)
        .bind(renumbering.applied_on.to_string())
        .bind(renumbering.replace_by.to_string())
        .bind(rows_json)
        .bind(&renumbering.comment)
        .bind(&create_change.author.username)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            create_change.author,
            "address.renumbering",
            "address_renumbering",
            Some(&renumbering_id.to_string()),
            json!({ "road_id": renumbering.road_id, "old_road_name": renumbering.old_road_name,
                    "road_name": renumbering.road_name, "rows": rows.len(), "replace_by": renumbering.replace_by }),
        )
        .await?;
        let order_id = insert_order(
            &mut tx,
            order,
            Some(renumbering_id),
            plates,
            &ids,
            new_code,
            create_change.author,
        )
        .await?;
        tx.commit().await?;
        Ok((ids, renumbering_id, order_id))
    }

    /// The orders of a division (a code prefix), newest first.
    pub async fn plate_orders(&self, division_prefix: &str) -> StoreResult<Vec<PlateOrder>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM plate_orders WHERE division_code >= ? AND division_code < ? ORDER BY id DESC"
        )))
        .bind(division_prefix)
        .bind(format!("{division_prefix}:"))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_order).collect()
    }

    /// One order.
    pub async fn plate_order(&self, id: i64) -> StoreResult<Option<PlateOrder>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM plate_orders WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_order).transpose()
    }

    /// The plates of an order, in the order they were made.
    pub async fn plate_items(&self, order_id: i64) -> StoreResult<Vec<PlateItem>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM plate_order_items WHERE order_id = ? ORDER BY rowid"
        )))
        .bind(order_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_item).collect()
    }

    /// Every plate ordered for the addresses of a division (a code prefix).
    pub async fn plate_items_in(&self, division_prefix: &str) -> StoreResult<Vec<PlateItem>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT i.{} FROM plate_order_items i JOIN plate_orders o ON o.id = i.order_id
             WHERE o.division_code >= ? AND o.division_code < ? ORDER BY i.rowid",
            ITEM_COLUMNS.replace(", ", ", i.")
        )))
        .bind(division_prefix)
        .bind(format!("{division_prefix}:"))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_item).collect()
    }

    /// Moves plates of order `order_id` to their next stages, all or none: a plate no longer
    /// at the stage the move starts from refuses the whole write. Installing puts the sign on
    /// the wall (and retires the plate it replaces); each move is in the sign's maintenance log.
    pub async fn move_plates(
        &self,
        order_id: i64,
        moves: &[PlateMove],
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let now = instant_text(Utc::now());
        for step in moves {
            let day = step.done_on.to_string();
            let (produced, installed, verified) = match step.to {
                PlateStage::Produced => (Some(&day), None, None),
                PlateStage::Installed => (None, Some(&day), None),
                PlateStage::Verified => (None, None, Some(&day)),
                PlateStage::Ordered => (None, None, None),
            };
            let moved: Option<(i64, Option<i64>)> = sqlx::query_as(
                "UPDATE plate_order_items SET stage = ?,
                    produced_on = COALESCE(?, produced_on), installed_on = COALESCE(?, installed_on),
                    photo_id = COALESCE(?, photo_id), verified_on = COALESCE(?, verified_on),
                    verified_by_name = CASE WHEN ? IS NULL THEN verified_by_name ELSE ? END, updated_at = ?
                 WHERE order_id = ? AND address_id = ? AND stage = ?
                 RETURNING sign_id, replaces_sign_id",
            )
            .bind(step.to.as_str())
            .bind(produced)
            .bind(installed)
            .bind(step.photo_id)
            .bind(verified)
            .bind(verified)
            .bind(&author.username)
            .bind(&now)
            .bind(order_id)
            .bind(step.address_id)
            .bind(step.from.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((sign_id, replaces)) = moved else {
                return Err(StoreError::Changed(format!(
                    "the plate of address {} on order {order_id} is no longer {}: reload the order",
                    step.address_id,
                    step.from.name_zh()
                )));
            };
            if step.to == PlateStage::Installed {
                set_sign_status(&mut tx, sign_id, "installed", &day, None, &now, author).await?;
                if let Some(old) = replaces {
                    set_sign_status(&mut tx, old, "retired", &day, Some(sign_id), &now, author)
                        .await?;
                }
            }
            append(
                &mut tx,
                author,
                "plate.stage",
                "plate_order",
                Some(&order_id.to_string()),
                json!({ "address_id": step.address_id, "sign_id": sign_id, "stage": step.to, "done_on": step.done_on }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a problem found with a plate.
    pub async fn raise_plate_flag(
        &self,
        address_id: i64,
        sign_id: Option<i64>,
        problem: PlateProblem,
        note: &str,
        raised_on: NaiveDate,
        author: &Author,
    ) -> StoreResult<PlateFlag> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plate_flags (address_id, sign_id, problem, note, raised_on, raised_by_name)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(address_id)
        .bind(sign_id)
        .bind(problem.as_str())
        .bind(note)
        .bind(raised_on.to_string())
        .bind(&author.username)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "plate.flag",
            "plate_flag",
            Some(&id.to_string()),
            json!({ "address_id": address_id, "sign_id": sign_id, "problem": problem, "note": note }),
        )
        .await?;
        tx.commit().await?;
        self.plate_flag(id).await?.ok_or(StoreError::NotFound)
    }

    /// Marks a flag put right, once.
    pub async fn resolve_plate_flag(
        &self,
        id: i64,
        resolution: &str,
        resolved_on: NaiveDate,
        author: &Author,
    ) -> StoreResult<PlateFlag> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE plate_flags SET resolved_on = ?, resolved_by_name = ?, resolution = ?
             WHERE id = ? AND resolved_on IS NULL",
        )
        .bind(resolved_on.to_string())
        .bind(&author.username)
        .bind(resolution)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Changed(format!(
                "flag {id} is already resolved"
            )));
        }
        append(
            &mut tx,
            author,
            "plate.flag_resolved",
            "plate_flag",
            Some(&id.to_string()),
            json!({ "resolution": resolution }),
        )
        .await?;
        tx.commit().await?;
        self.plate_flag(id).await?.ok_or(StoreError::NotFound)
    }

    /// One flag.
    pub async fn plate_flag(&self, id: i64) -> StoreResult<Option<PlateFlag>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FLAG_COLUMNS} FROM plate_flags WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_flag).transpose()
    }

    /// The flags still open on the addresses of a division (a code prefix).
    pub async fn open_plate_flags(&self, division_prefix: &str) -> StoreResult<Vec<PlateFlag>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT f.{} FROM plate_flags f
               JOIN addresses a ON a.id = f.address_id
               JOIN address_versions v ON v.address_id = a.id AND v.version = a.current_version
             WHERE f.resolved_on IS NULL AND v.division_code >= ? AND v.division_code < ? ORDER BY f.id",
            FLAG_COLUMNS.replace(", ", ", f.")
        )))
        .bind(division_prefix)
        .bind(format!("{division_prefix}:"))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_flag).collect()
    }

    /// The published old→new tables, newest first; of one road when `road_id` is given.
    pub async fn renumberings(&self, road_id: Option<i64>) -> StoreResult<Vec<Renumbering>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RENUMBERING_COLUMNS} FROM address_renumberings WHERE ? IS NULL OR road_id = ? ORDER BY id DESC"
        )))
        .bind(road_id)
        .bind(road_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_renumbering).collect()
    }

    /// One published old→new table.
    pub async fn renumbering(&self, id: i64) -> StoreResult<Option<Renumbering>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RENUMBERING_COLUMNS} FROM address_renumberings WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_renumbering).transpose()
    }
}

/// Writes an order and its plates inside the caller's transaction.
async fn insert_order(
    tx: &mut SqliteConnection,
    order: &NewPlateOrder,
    renumbering_id: Option<i64>,
    plates: &[NewPlate],
    created_ids: &[i64],
    mut new_code: impl FnMut() -> PublicCode,
    author: &Author,
) -> StoreResult<i64> {
    let now = instant_text(Utc::now());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO plate_orders (road_id, division_code, purpose, renumbering_id, due_on, note, created_at, created_by_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(order.road_id)
    .bind(&order.division_code)
    .bind(order.purpose.as_str())
    .bind(renumbering_id)
    .bind(order.due_on.map(|d| d.to_string()))
    .bind(&order.note)
    .bind(&now)
    .bind(&author.username)
    .fetch_one(&mut *tx)
    .await?;
    for plate in plates {
        let address_id = match plate.address {
            PlateFor::Address(id) => id,
            PlateFor::Created(n) => *created_ids.get(n).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "plate for created address {n} of {}",
                    created_ids.len()
                ))
            })?,
        };
        let mut sign_id = None;
        for _ in 0..5 {
            let code = new_code();
            if let Some(inserted) =
                insert_sign(tx, &plate.sign, &plate.division_code, &code, &now).await?
            {
                sign_id = Some(inserted);
                break;
            }
        }
        let sign_id = sign_id
            .ok_or_else(|| StoreError::AlreadyExists("a fresh sign code after 5 draws".into()))?;
        sqlx::query(
            "INSERT INTO plate_order_items (order_id, address_id, sign_id, replaces_sign_id, stage, updated_at)
             VALUES (?, ?, ?, ?, 'ordered', ?)",
        )
        .bind(id)
        .bind(address_id)
        .bind(sign_id)
        .bind(plate.replaces_sign_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    append(
        tx,
        author,
        "plate.order",
        "plate_order",
        Some(&id.to_string()),
        json!({ "road_id": order.road_id, "division_code": order.division_code,
                "purpose": order.purpose, "plates": plates.len(), "renumbering_id": renumbering_id }),
    )
    .await?;
    Ok(id)
}

/// Sets a sign's status (on the wall, or retired and replaced) with its maintenance entry.
async fn set_sign_status(
    tx: &mut SqliteConnection,
    sign_id: i64,
    status: &str,
    day: &str,
    replaced_by: Option<i64>,
    now: &str,
    author: &Author,
) -> StoreResult<()> {
    let installing = status == "installed";
    sqlx::query(
        "UPDATE signs SET status = ?, installed_on = CASE WHEN ? THEN ? ELSE installed_on END,
            last_maintained_on = ?, replaced_by = COALESCE(?, replaced_by), version = version + 1, updated_at = ?
         WHERE id = ?",
    )
    .bind(status)
    .bind(installing)
    .bind(day)
    .bind(day)
    .bind(replaced_by)
    .bind(now)
    .bind(sign_id)
    .execute(&mut *tx)
    .await?;
    let (action, notes) = if installing {
        ("status_changed", "门牌上墙（设置上墙）".to_string())
    } else {
        (
            "replaced",
            format!(
                "更名后更换：由标志 {} 替换",
                replaced_by.unwrap_or_default()
            ),
        )
    };
    sqlx::query(
        "INSERT INTO sign_maintenance (sign_id, action, done_on, notes, status_after, photo_id, recorded_at, recorded_by)
         VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
    )
    .bind(sign_id)
    .bind(action)
    .bind(day)
    .bind(notes)
    .bind(status)
    .bind(now)
    .bind(&author.username)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

fn optional_date(row: &SqliteRow, column: &str) -> StoreResult<Option<NaiveDate>> {
    row.get::<Option<&str>, _>(column)
        .map(parse_date)
        .transpose()
}

fn read_order(row: &SqliteRow) -> StoreResult<PlateOrder> {
    let purpose: &str = row.get("purpose");
    Ok(PlateOrder {
        id: row.get("id"),
        road_id: row.get("road_id"),
        division_code: row.get("division_code"),
        purpose: OrderPurpose::parse(purpose)
            .ok_or_else(|| StoreError::Corrupt(format!("order purpose {purpose}")))?,
        renumbering_id: row.get("renumbering_id"),
        due_on: optional_date(row, "due_on")?,
        note: row.get("note"),
        created_at: parse_instant(row.get("created_at"))?,
        created_by_name: row.get("created_by_name"),
    })
}

fn read_item(row: &SqliteRow) -> StoreResult<PlateItem> {
    let stage: &str = row.get("stage");
    Ok(PlateItem {
        order_id: row.get("order_id"),
        address_id: row.get("address_id"),
        sign_id: row.get("sign_id"),
        replaces_sign_id: row.get("replaces_sign_id"),
        stage: PlateStage::parse(stage)
            .ok_or_else(|| StoreError::Corrupt(format!("plate stage {stage}")))?,
        produced_on: optional_date(row, "produced_on")?,
        installed_on: optional_date(row, "installed_on")?,
        photo_id: row.get("photo_id"),
        verified_on: optional_date(row, "verified_on")?,
        verified_by_name: row.get("verified_by_name"),
    })
}

fn read_flag(row: &SqliteRow) -> StoreResult<PlateFlag> {
    let problem: &str = row.get("problem");
    Ok(PlateFlag {
        id: row.get("id"),
        address_id: row.get("address_id"),
        sign_id: row.get("sign_id"),
        problem: PlateProblem::parse(problem)
            .ok_or_else(|| StoreError::Corrupt(format!("plate problem {problem}")))?,
        note: row.get("note"),
        raised_on: parse_date(row.get("raised_on"))?,
        raised_by_name: row.get("raised_by_name"),
        resolved_on: optional_date(row, "resolved_on")?,
        resolved_by_name: row.get("resolved_by_name"),
        resolution: row.get("resolution"),
    })
}

fn read_renumbering(row: &SqliteRow) -> StoreResult<Renumbering> {
    let rows: &str = row.get("rows");
    Ok(Renumbering {
        id: row.get("id"),
        road_id: row.get("road_id"),
        division_code: row.get("division_code"),
        old_road_name: row.get("old_road_name"),
        road_name: row.get("road_name"),
        applied_on: parse_date(row.get("applied_on"))?,
        replace_by: parse_date(row.get("replace_by"))?,
        rows: serde_json::from_str(rows)
            .map_err(|e| StoreError::Corrupt(format!("renumbering rows: {e}")))?,
        comment: row.get("comment"),
        created_by_name: row.get("created_by_name"),
    })
}
