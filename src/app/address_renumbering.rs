//! Renumbering a renamed road: once the road's record carries its new name (a renaming enters
//! the register only through the approved naming procedure), its doors are numbered again by the
//! jurisdiction's rule from their points, and the old→new table (门牌号变更对照表) of every address
//! on it is given — doors and the buildings, units and flats under them. Applied, every old
//! address is retired and the new one registered as assigned in one transaction, so the plates
//! can enter the replacement campaign.

use serde::Serialize;

use super::addresses::{AddressError, numbering_context, required_comment};
use super::{AppState, Staff, today};
use crate::domain::address::{
    AddressLevel, AddressPath, AddressRecord, AddressStatus, HouseNumber, standard_address,
};
use crate::domain::address_numbering::{DoorPoint, number_road};
use crate::domain::field_error::FieldErrors;
use crate::domain::version::ChangeAction;
use crate::store::places::Change;

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
        new_ids = state
            .store
            .replace_addresses(&retired, &created, &retire_change, &create_change)
            .await?;
        state.addresses_changed();
    }
    Ok(RenumberingTable {
        road_id,
        road_name,
        rows,
        applied: apply,
        new_ids,
    })
}
