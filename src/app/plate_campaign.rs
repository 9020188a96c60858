//! The plates campaign's use cases (门牌设置上墙): production orders of the plates a road or a
//! village still lacks (each plate registered as a planned sign with its QR code), print sheets
//! of an order, moving plates through produced → installed (day, photo) → verified, and the
//! problems (重、错、漏、损) staff find in the field. Every write is authorised against the
//! jurisdiction of the addresses it touches.
#![warn(missing_docs)]

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::addresses::AddressError;
use super::signs::inventory::random_code;
use super::{AppState, Staff, today};
use crate::domain::account::AccessError;
use crate::domain::address::{AddressLevel, AddressRecord, AddressStatus};
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::field_error::FieldErrors;
use crate::domain::plate_campaign::{
    OrderPurpose, PlateFlag, PlateItem, PlateMove, PlateOrder, PlateProblem, PlateStage, plate_kind,
};
use crate::domain::sign::{SignInput, SignStatus};
use crate::render::qr::SheetItem;
use crate::store::addresses::StoredAddress;
use crate::store::places::VersionSelector;
use crate::store::plate_campaign::{NewPlate, NewPlateOrder, PlateFor};

/// What a production order covers, as staff ask for it.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    /// Every assigned address on this road or residential area…
    pub road_id: Option<i64>,
    /// …or in this division (a village or township code).
    pub division_code: Option<String>,
    /// The day the plates are due on the walls.
    pub due_on: Option<NaiveDate>,
    /// What staff note (the print shop, the batch).
    pub note: Option<String>,
}

/// One plate of an order, with the address it is for.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    /// The plate's record.
    #[serde(flatten)]
    pub item: PlateItem,
    /// The standard address it shows.
    pub standard_address: String,
    /// The code its QR code carries.
    pub public_code: String,
}

/// An order with its plates and how many are at each stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    /// The order.
    #[serde(flatten)]
    pub order: PlateOrder,
    /// The road's name, for an order by road.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub road_name: Option<String>,
    /// Plates per stage (`ordered`, `produced`, `installed`, `verified`).
    pub stages: HashMap<&'static str, usize>,
    /// Every plate.
    pub items: Vec<ItemView>,
}

/// A move of plates to the next stage, as staff send it.
#[derive(Debug, Clone)]
pub struct MoveInput {
    /// The stage the plates move to: `produced`, `installed` or `verified`.
    pub stage: String,
    /// The addresses whose plates move; every plate at the stage before when not given.
    pub address_ids: Option<Vec<i64>>,
    /// The day of the work; today when not given.
    pub done_on: Option<NaiveDate>,
    /// The photo of a plate on the wall (uploaded to its sign first), for one plate installed.
    pub photo_id: Option<i64>,
}

/// The jurisdiction code (a division code's significant prefix) `text` names, checked.
pub(super) fn division_scope(text: &str, field: &str) -> Result<DivisionCode, FieldErrors> {
    let jurisdiction =
        Jurisdiction::parse(text).map_err(|e| FieldErrors::one(field, e.to_string()))?;
    DivisionCode::parse(&format!("{:0<6}", jurisdiction.as_str()))
        .map_err(|e| FieldErrors::one(field, e.to_string()))
}

/// Whether the caller may run the campaign in the division of `code`.
fn may_write(staff: &Staff, code: &str) -> Result<(), AddressError> {
    let division =
        DivisionCode::parse(code).map_err(|e| FieldErrors::one("division_code", e.to_string()))?;
    staff
        .actor
        .may_edit_places_in(std::slice::from_ref(&division))?;
    Ok(())
}

/// Whether the caller works where a record of division `code` lies.
fn may_read(staff: &Staff, code: &str) -> Result<(), AddressError> {
    let division =
        DivisionCode::parse(code).map_err(|e| FieldErrors::one("division_code", e.to_string()))?;
    if !staff.actor.works_in(&division) {
        return Err(AccessError::OutsideJurisdiction(division).into());
    }
    Ok(())
}

/// Makes a production order of the plates the assigned addresses of a road or division lack
/// (none in service nor ordered), each plate registered as a planned sign of its kind.
pub async fn create_order(
    state: &AppState,
    staff: &Staff,
    input: OrderInput,
) -> Result<OrderView, AddressError> {
    let (road, division) = match (input.road_id, input.division_code.as_deref()) {
        (Some(road_id), None) => {
            let Some(place) = state
                .store
                .place(road_id, VersionSelector::Current, false)
                .await?
            else {
                return Err(AddressError::Inconsistent(FieldErrors::one(
                    "road_id",
                    format!("there is no place record {road_id}"),
                )));
            };
            let division = place
                .properties
                .division_codes
                .first()
                .cloned()
                .ok_or_else(|| FieldErrors::one("road_id", "the road has no division"))?;
            (Some((road_id, place.properties.standard_name)), division)
        }
        (None, Some(code)) => {
            let division = DivisionCode::parse(code)
                .map_err(|e| FieldErrors::one("division_code", e.to_string()))?;
            (None, division.as_str().to_string())
        }
        _ => {
            return Err(FieldErrors::one(
                "road_id",
                "name the road (road_id) or the village or township (division_code) the order covers, one of them",
            )
            .into());
        }
    };
    may_write(staff, &division)?;
    let scope_prefix = Jurisdiction::parse(&division)
        .map(|j| j.as_str().to_string())
        .unwrap_or_else(|_| division.clone());
    let book = super::address_plates::PlateBook::read(state, &scope_prefix).await?;
    let lacking: Vec<&StoredAddress> = book
        .addresses
        .iter()
        .filter(|a| match &road {
            Some((road_id, _)) => a.record.road_id == *road_id,
            None => a.record.division_code.starts_with(&scope_prefix),
        })
        .filter(|a| {
            book.in_service.get(&a.id).is_none_or(Vec::is_empty)
                && !book.ordered.contains_key(&a.id)
        })
        .collect();
    let scope_name = road
        .as_ref()
        .map_or_else(|| division.clone(), |(_, name)| name.clone());
    if lacking.is_empty() {
        return Err(AddressError::Conflict(format!(
            "every assigned address of {scope_name} has a plate in service or on an order: nothing to order"
        )));
    }
    let plates: Vec<NewPlate> = lacking
        .iter()
        .map(|a| NewPlate {
            address: PlateFor::Address(a.id),
            sign: plate_sign(&a.record),
            division_code: a.record.division_code.clone(),
            replaces_sign_id: None,
        })
        .collect();
    let order = NewPlateOrder {
        road_id: road.as_ref().map(|(id, _)| *id),
        division_code: division.clone(),
        purpose: OrderPurpose::New,
        due_on: input.due_on,
        note: input.note.clone(),
    };
    let id = state
        .store
        .create_plate_order(&order, &plates, random_code, &staff.author())
        .await?;
    let view = order_view(state, id).await?;
    for item in &view.items {
        state.freshness.sign_written(&item.public_code);
    }
    Ok(view)
}

/// The planned sign of a new plate for address `address`.
pub(super) fn plate_sign(address: &AddressRecord) -> SignInput {
    let level = address.level;
    let (width, height) = match level {
        AddressLevel::Door => (450, 300),
        AddressLevel::Building => (600, 400),
        AddressLevel::Unit | AddressLevel::Flat => (300, 200),
    };
    SignInput {
        place_id: address.road_id,
        kind: plate_kind(level),
        sign_number: None,
        address: Some(address.standard_address.clone()),
        position: address.point,
        facing_deg: None,
        material: Some("铝板反光膜".into()),
        width_mm: Some(width),
        height_mm: Some(height),
        installed_on: None,
        status: Some(SignStatus::Planned),
    }
}

async fn order_view(state: &AppState, id: i64) -> Result<OrderView, AddressError> {
    let order = state
        .store
        .plate_order(id)
        .await?
        .ok_or_else(|| AddressError::NotFound(format!("there is no plate order {id}")))?;
    let road_name = match order.road_id {
        Some(road_id) => state
            .store
            .place(road_id, VersionSelector::Current, false)
            .await?
            .map(|p| p.properties.standard_name),
        None => None,
    };
    let mut items = Vec::new();
    let mut stages: HashMap<&'static str, usize> =
        PlateStage::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for item in state.store.plate_items(id).await? {
        *stages.entry(item.stage.as_str()).or_default() += 1;
        let sign = state.store.sign(item.sign_id).await?;
        let address = state
            .store
            .address(item.address_id, VersionSelector::Current)
            .await?;
        items.push(ItemView {
            standard_address: address
                .map(|a| a.record.standard_address)
                .unwrap_or_default(),
            public_code: sign.map(|s| s.public_code).unwrap_or_default(),
            item,
        });
    }
    Ok(OrderView {
        order,
        road_name,
        stages,
        items,
    })
}

/// Order `id` with its plates, for staff of its division.
pub async fn order(state: &AppState, staff: &Staff, id: i64) -> Result<OrderView, AddressError> {
    let view = order_view(state, id).await?;
    may_read(staff, &view.order.division_code)?;
    Ok(view)
}

/// The orders of a division (a code prefix), newest first.
pub async fn orders(
    state: &AppState,
    staff: &Staff,
    division: &str,
) -> Result<Vec<PlateOrder>, AddressError> {
    let covered = division_scope(division, "division")?;
    if !staff.actor.works_in(&covered) {
        return Err(AccessError::OutsideJurisdiction(covered).into());
    }
    let prefix =
        Jurisdiction::parse(division).map_err(|e| FieldErrors::one("division", e.to_string()))?;
    Ok(state.store.plate_orders(prefix.as_str()).await?)
}

/// Moves plates of order `id` to the next stage, all or none: each named plate must be at the
/// stage before (a plate is made before it is put up, put up before it is verified); a photo
/// goes with one plate installed and must be one uploaded to that plate's sign.
pub async fn move_plates(
    state: &AppState,
    staff: &Staff,
    id: i64,
    input: MoveInput,
) -> Result<OrderView, AddressError> {
    let to = PlateStage::parse(&input.stage)
        .filter(|s| *s != PlateStage::Ordered)
        .ok_or_else(|| FieldErrors::one("stage", "produced, installed or verified"))?;
    let view = order_view(state, id).await?;
    may_write(staff, &view.order.division_code)?;
    let from = PlateStage::ALL
        .into_iter()
        .find(|s| s.may_move_to(to))
        .expect("every stage but the first has one before it");
    let done_on = input.done_on.unwrap_or_else(today);
    if done_on > today() {
        return Err(
            FieldErrors::one("done_on", "the day the work was done, not a day to come").into(),
        );
    }
    let chosen: Vec<&ItemView> = match &input.address_ids {
        Some(ids) => {
            if ids.is_empty() {
                return Err(FieldErrors::one("address_ids", "name at least one address, or leave the list out to move every plate at the stage before").into());
            }
            let mut errors = FieldErrors::default();
            let mut chosen = Vec::new();
            let mut seen = HashSet::new();
            for address_id in ids {
                if !seen.insert(*address_id) {
                    errors.push(
                        "address_ids",
                        format!("address {address_id} is named twice"),
                    );
                    continue;
                }
                match view.items.iter().find(|i| i.item.address_id == *address_id) {
                    None => errors.push(
                        "address_ids",
                        format!("address {address_id} has no plate on order {id}"),
                    ),
                    Some(item) if item.item.stage != from => errors.push(
                        "address_ids",
                        format!(
                            "the plate of {} is {}, not {}: it cannot become {}",
                            item.standard_address,
                            item.item.stage.name_zh(),
                            from.name_zh(),
                            to.name_zh()
                        ),
                    ),
                    Some(item) => chosen.push(item),
                }
            }
            if !errors.is_empty() {
                return Err(AddressError::Inconsistent(errors));
            }
            chosen
        }
        None => view.items.iter().filter(|i| i.item.stage == from).collect(),
    };
    if chosen.is_empty() {
        return Err(AddressError::Conflict(format!(
            "no plate of order {id} is {}: none can become {}",
            from.name_zh(),
            to.name_zh()
        )));
    }
    if let Some(photo_id) = input.photo_id {
        if to != PlateStage::Installed || chosen.len() != 1 {
            return Err(FieldErrors::one(
                "photo_id",
                "a photo goes with one plate being installed: name its address alone",
            )
            .into());
        }
        let belongs = state
            .store
            .sign_photo(photo_id)
            .await?
            .is_some_and(|p| p.sign_id == chosen[0].item.sign_id);
        if !belongs {
            return Err(AddressError::Inconsistent(FieldErrors::one(
                "photo_id",
                format!(
                    "photo {photo_id} is not one of plate {}'s photos: upload it to POST /api/v1/signs/{}/photos first",
                    chosen[0].public_code, chosen[0].item.sign_id
                ),
            )));
        }
    }
    let moves: Vec<PlateMove> = chosen
        .iter()
        .map(|item| PlateMove {
            address_id: item.item.address_id,
            from,
            to,
            done_on,
            photo_id: input.photo_id,
        })
        .collect();
    state.store.move_plates(id, &moves, &staff.author()).await?;
    let view = order_view(state, id).await?;
    for item in &view.items {
        if item.item.stage == PlateStage::Installed {
            state.freshness.sign_written(&item.public_code);
        }
    }
    Ok(view)
}

/// The print sheets of order `id`: every plate's QR code with its address and code, as many A4
/// pages as it takes.
pub async fn sheet(
    state: &AppState,
    staff: &Staff,
    id: i64,
    size_mm: Option<u32>,
) -> Result<Vec<u8>, AddressError> {
    let view = order(state, staff, id).await?;
    let size_mm = size_mm.unwrap_or(40);
    if ![30, 40, 75].contains(&size_mm) {
        return Err(FieldErrors::one("size_mm", "30, 40 or 75").into());
    }
    let items: Vec<SheetItem> = view
        .items
        .iter()
        .map(|item| SheetItem {
            url: state.settings.public_url(&item.public_code),
            name: short_address(&item.standard_address, view.road_name.as_deref()),
            label: format!("{} #{}", item.public_code, item.item.sign_id),
        })
        .collect();
    let title = format!(
        "门牌制作单 第{}号 {}",
        view.order.id,
        view.road_name
            .as_deref()
            .unwrap_or(&view.order.division_code)
    );
    let document = crate::render::qr::sheets_document(&title, &items, size_mm)
        .map_err(|e| AddressError::Conflict(format!("the print sheet could not be drawn: {e}")))?;
    Ok(crate::app::pdf::render(state, document).await?)
}

/// The part of a standard address from the road on (what fits under a code).
fn short_address(address: &str, road: Option<&str>) -> String {
    road.and_then(|road| address.find(road).map(|at| address[at..].to_string()))
        .unwrap_or_else(|| address.to_string())
}

/// A field check's finding on the plate of address `address_id`.
pub async fn raise_flag(
    state: &AppState,
    staff: &Staff,
    address_id: i64,
    problem: &str,
    sign_id: Option<i64>,
    note: &str,
) -> Result<PlateFlag, AddressError> {
    let problem = PlateProblem::parse(problem).ok_or_else(|| {
        FieldErrors::one(
            "problem",
            "duplicate (重), wrong (错), missing (漏) or damaged (损)",
        )
    })?;
    let note = note.trim();
    if note.is_empty() {
        return Err(FieldErrors::one("note", "say what was found at the door").into());
    }
    let address = state
        .store
        .address(address_id, VersionSelector::Current)
        .await?
        .ok_or_else(|| AddressError::NotFound(format!("there is no address {address_id}")))?;
    may_write(staff, &address.record.division_code)?;
    if address.record.status == AddressStatus::Retired {
        return Err(AddressError::Conflict(format!(
            "{} is retired: its plate is not checked any more",
            address.record.standard_address
        )));
    }
    if let Some(sign_id) = sign_id {
        let shows = state
            .store
            .sign(sign_id)
            .await?
            .is_some_and(|s| crate::domain::plate_campaign::is_plate_kind(s.kind));
        if !shows {
            return Err(AddressError::Inconsistent(FieldErrors::one(
                "sign_id",
                format!("sign {sign_id} is not a door, building or flat plate"),
            )));
        }
    }
    Ok(state
        .store
        .raise_plate_flag(address_id, sign_id, problem, note, today(), &staff.author())
        .await?)
}

/// Marks flag `id` put right, saying how.
pub async fn resolve_flag(
    state: &AppState,
    staff: &Staff,
    id: i64,
    resolution: &str,
) -> Result<PlateFlag, AddressError> {
    let resolution = resolution.trim();
    if resolution.is_empty() {
        return Err(FieldErrors::one("resolution", "say how the plate was put right").into());
    }
    let flag = state
        .store
        .plate_flag(id)
        .await?
        .ok_or_else(|| AddressError::NotFound(format!("there is no plate flag {id}")))?;
    let address = state
        .store
        .address(flag.address_id, VersionSelector::Current)
        .await?
        .ok_or_else(|| {
            AddressError::NotFound(format!("there is no address {}", flag.address_id))
        })?;
    may_write(staff, &address.record.division_code)?;
    Ok(state
        .store
        .resolve_plate_flag(id, resolution, today(), &staff.author())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_address_starts_at_the_road() {
        assert_eq!(
            short_address("嘉善县罗星街道亭桥路12号", Some("亭桥路")),
            "亭桥路12号"
        );
        assert_eq!(
            short_address("嘉善县罗星街道亭桥路12号", None),
            "嘉善县罗星街道亭桥路12号"
        );
        assert_eq!(
            short_address("嘉善县罗星街道亭桥路12号", Some("别的路")),
            "嘉善县罗星街道亭桥路12号"
        );
    }
}
