//! Renumbering a renamed road: once the road's record carries its new name (a renaming enters
//! the register only through the approved naming procedure), its doors are numbered again by the
//! jurisdiction's rule from their points, and the old→new table (门牌号变更对照表) of every address
//! on it is given — doors and the buildings, units and flats under them. Applied, every old
//! address is retired and the new one registered as assigned in one transaction, so the plates
//! can enter the replacement campaign.

use serde::Serialize;

use super::addresses::{AddressError, numbering_context, required_comment};
use super::plate_campaign::plate_sign;
use super::signs::inventory::random_code;
use super::{AppState, Staff, today};
use crate::domain::address::{
    AddressLevel, AddressPath, AddressRecord, AddressStatus, HouseNumber, standard_address,
};
use crate::domain::address_numbering::{DoorPoint, number_road};
use crate::domain::division_code::Jurisdiction;
use crate::domain::field_error::FieldErrors;
use crate::domain::plate_campaign::{OrderPurpose, Renumbering, RenumberingRow};
use crate::domain::version::ChangeAction;
use crate::store::places::{Change, VersionSelector};
use crate::store::plate_campaign::{NewPlate, NewPlateOrder, NewRenumbering, PlateFor};

/// One line of the old→new table.
#[derive(Debug, Clone, Serialize)]
pub struct TableRow {
    /// The old address record.
    pub old_address_id: i64,
    /// Door, building, unit or flat.
    pub level: AddressLevel,
    /// The old standard address.
    pub old_address: String,
    /// The new standard address.
    pub new_address: String,
    /// The old door number.
    pub old_number: Option<HouseNumber>,
    /// The new door number.
    pub new_number: Option<HouseNumber>,
}

/// The old→new table of a road.
#[derive(Debug, Clone, Serialize)]
pub struct RenumberingTable {
    /// The road.
    pub road_id: i64,
    /// Its name now.
    pub road_name: String,
    /// One row per address in use on it, doors first in their new order.
    pub rows: Vec<TableRow>,
    /// Whether the table was applied.
    pub applied: bool,
    /// The new addresses' ids, in the order of `rows`, when applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_ids: Vec<i64>,
    /// The published table (its public page is `/public/addresses/renumberings/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renumbering_id: Option<i64>,
    /// The replacement order of the new plates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
}

/// The road's name before its renaming: the last earlier version's name that differs.
async fn former_name(
    state: &AppState,
    place: &crate::store::places::StoredPlace,
) -> Result<String, AddressError> {
    let now = &place.properties.standard_name;
    for version in (1..place.current_version).rev() {
        if let Some(earlier) = state
            .store
            .place(place.id, VersionSelector::Number(version), false)
            .await?
            && earlier.properties.standard_name != *now
        {
            return Ok(earlier.properties.standard_name);
        }
    }
    Ok(now.clone())
}

/// The old→new table of renamed road `road_id`; with `apply`, the old addresses retired and the
/// new ones registered (the comment says why, as every change does).
pub async fn renumber_road(
    state: &AppState,
    staff: &Staff,
    road_id: i64,
    apply: bool,
    comment: Option<&str>,
) -> Result<RenumberingTable, AddressError> {
    let comment = if apply {
        Some(required_comment(comment, "comment")?)
    } else {
        None
    };
    let context = numbering_context(state, staff, road_id).await?;
    let road_name = context.base.place.properties.standard_name.clone();
    if apply
        && context.rules.renumber_after_announcement
        && !state.store.renaming_announced(road_id, &road_name).await?
    {
        return Err(AddressError::Conflict(format!(
            "the renaming to {road_name} is not announced yet: a renamed road is renumbered once its renaming is announced (POST /api/v1/naming/applications/{{id}}/announcement); the table can be previewed meanwhile"
        )));
    }
    let names: Vec<&str> = context.division_names.iter().map(String::as_str).collect();
    let written =
        |path: &AddressPath| standard_address(&names, &road_name, path, context.rules.suffix_style);
    let in_use = state.store.addresses_on_road(road_id).await?;
    if in_use.is_empty() {
        return Err(AddressError::Conflict(format!(
            "{road_name} has no addresses in use to renumber"
        )));
    }
    if in_use
        .iter()
        .all(|a| a.record.standard_address == written(&a.record.path))
    {
        return Err(AddressError::Conflict(format!(
            "every address on {road_name} already carries its name: a road is renumbered after its renaming is approved and entered in the register"
        )));
    }
    let doors: Vec<_> = in_use
        .iter()
        .filter(|a| a.record.level == AddressLevel::Door)
        .collect();
    let mut points = Vec::with_capacity(doors.len());
    let mut errors = FieldErrors::default();
    for door in &doors {
        match door.record.point {
            Some([lon, lat]) => points.push(DoorPoint { lon, lat }),
            None => errors.push(
                "road_id",
                format!(
                    "{} has no point to number it by",
                    door.record.standard_address
                ),
            ),
        }
    }
    errors.into_result(())?;
    let mut new_numbers = std::collections::HashMap::new();
    let mut placements = std::collections::HashMap::new();
    for (door, answer) in doors
        .iter()
        .zip(number_road(&context.line, &context.rules, &points))
    {
        let proposal = answer.map_err(|e| {
            AddressError::Inconsistent(FieldErrors::one(
                "road_id",
                format!("{}: {e}", door.record.standard_address),
            ))
        })?;
        if let Some(old) = door.record.path.number {
            new_numbers.insert(old, proposal.number);
        }
        placements.insert(door.id, proposal.placement);
    }
    // Doors first in their new order, then what lies under each.
    let mut ordered: Vec<_> = in_use.iter().collect();
    ordered.sort_by_key(|a| {
        (
            a.record.level != AddressLevel::Door,
            a.record
                .path
                .number
                .and_then(|n| new_numbers.get(&n).copied()),
            a.id,
        )
    });
    let mut rows = Vec::with_capacity(ordered.len());
    let mut retired = Vec::new();
    let mut created = Vec::new();
    for address in ordered {
        let new_number = address
            .record
            .path
            .number
            .and_then(|n| new_numbers.get(&n).copied());
        let path = AddressPath {
            number: new_number.or(address.record.path.number),
            ..address.record.path.clone()
        };
        let new_address = written(&path);
        rows.push(TableRow {
            old_address_id: address.id,
            level: address.record.level,
            old_address: address.record.standard_address.clone(),
            new_address: new_address.clone(),
            old_number: address.record.path.number,
            new_number,
        });
        retired.push((
            address.id,
            address.meta.version,
            AddressRecord {
                status: AddressStatus::Retired,
                ..address.record.clone()
            },
        ));
        created.push(AddressRecord {
            status: AddressStatus::Assigned,
            path,
            standard_address: new_address,
            placement: placements
                .get(&address.id)
                .copied()
                .or(address.record.placement),
            ..address.record.clone()
        });
    }
    let mut new_ids = Vec::new();
    let mut renumbering_id = None;
    let mut order_id = None;
    if apply {
        let author = staff.author();
        let comment = comment.unwrap_or_default();
        let retire_change = Change {
            action: ChangeAction::Retired,
            effective_on: today(),
            comment: Some(&comment),
            author: &author,
            correction: None,
        };
        let create_change = Change {
            action: ChangeAction::Created,
            ..retire_change.clone()
        };
        // The old plates still up are replaced by new ones on a replacement order, due within
        // the rule's days; the table is published with the new numbers, all in one write.
        let division = context.division.as_str().to_string();
        let prefix = Jurisdiction::parse(&division)
            .map(|j| j.as_str().to_string())
            .unwrap_or_else(|_| division.clone());
        let book = super::address_plates::PlateBook::read(state, &prefix).await?;
        let replace_by = today() + chrono::Days::new(u64::from(context.rules.replacement_days));
        let plates: Vec<NewPlate> = retired
            .iter()
            .zip(&created)
            .enumerate()
            .map(|(n, ((old_id, _, _), record))| NewPlate {
                address: PlateFor::Created(n),
                sign: plate_sign(record),
                division_code: record.division_code.clone(),
                replaces_sign_id: book
                    .in_service
                    .get(old_id)
                    .and_then(|ids| ids.first().copied()),
            })
            .collect();
        let publication = NewRenumbering {
            road_id,
            division_code: division.clone(),
            old_road_name: former_name(state, &context.base.place).await?,
            road_name: road_name.clone(),
            applied_on: today(),
            replace_by,
            rows: rows
                .iter()
                .map(|row| RenumberingRow {
                    old_address_id: row.old_address_id,
                    new_address_id: None,
                    level: row.level,
                    old_address: row.old_address.clone(),
                    new_address: row.new_address.clone(),
                })
                .collect(),
            comment: comment.clone(),
        };
        let order = NewPlateOrder {
            road_id: Some(road_id),
            division_code: division,
            purpose: OrderPurpose::Replacement,
            due_on: Some(replace_by),
            note: Some(format!("{road_name}更名后门牌更换（门牌号变更对照表）")),
        };
        let (ids, table_id, replacement) = state
            .store
            .renumber_road(
                &retired,
                &created,
                &retire_change,
                &create_change,
                &publication,
                &order,
                &plates,
                random_code,
            )
            .await?;
        new_ids = ids;
        renumbering_id = Some(table_id);
        order_id = Some(replacement);
        state.addresses_changed();
        for item in state.store.plate_items(replacement).await? {
            if let Some(sign) = state.store.sign(item.sign_id).await? {
                state.freshness.sign_written(&sign.public_code);
            }
        }
    }
    Ok(RenumberingTable {
        road_id,
        road_name,
        rows,
        applied: apply,
        new_ids,
        renumbering_id,
        order_id,
    })
}

/// Whether the public may see the road's record (a confidential road's table is not shown).
async fn road_is_public(state: &AppState, road_id: i64) -> Result<bool, AddressError> {
    Ok(state
        .store
        .place(road_id, VersionSelector::Current, true)
        .await?
        .is_some())
}

/// The published old→new table `id` for the public page; not found unless its road is public.
pub async fn published(state: &AppState, id: i64) -> Result<Renumbering, AddressError> {
    let not_found = || AddressError::NotFound(format!("there is no published table {id}"));
    let table = state.store.renumbering(id).await?.ok_or_else(not_found)?;
    if !road_is_public(state, table.road_id).await? {
        return Err(not_found());
    }
    Ok(table)
}

/// Every published table of a public road, newest first.
pub async fn published_list(state: &AppState) -> Result<Vec<Renumbering>, AddressError> {
    let mut shown = Vec::new();
    for table in state.store.renumberings(None).await? {
        if road_is_public(state, table.road_id).await? {
            shown.push(table);
        }
    }
    Ok(shown)
}
