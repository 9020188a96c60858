//! Plates on the walls (门牌设置上墙): for every assigned door, building, unit and flat of a
//! jurisdiction, whether its plate is in the sign inventory and in what state, counted per road
//! (with its division), and the list of what is missing — no plate at all (漏), a plate damaged
//! (损) or lost — for the campaign's worklist. Plates are signs of the door-plate kinds whose
//! address is the standard address.

use std::collections::HashMap;

use serde::Serialize;

use super::addresses::AddressError;
use super::{AppState, Staff};
use crate::domain::account::AccessError;
use crate::domain::address::AddressStatus;
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::field_error::FieldErrors;
use crate::domain::sign::{SignKind, SignStatus};
use crate::store::places::VersionSelector;
use crate::store::signs::SignFilter;

/// The counts of one road.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoadProgress {
    /// The road or area.
    pub road_id: i64,
    /// Its name.
    pub road_name: String,
    /// Its division.
    pub division_code: String,
    /// Assigned addresses.
    pub assigned: usize,
    /// With a plate registered, not yet put up.
    pub planned: usize,
    /// With a plate on the wall in service.
    pub installed: usize,
    /// With a plate on the wall needing repair (损).
    pub damaged: usize,
    /// Whose plate is gone (丢失).
    pub lost: usize,
    /// Without any plate in service (漏: none registered, or only retired ones).
    pub without_plate: usize,
}

impl RoadProgress {
    /// The share of assigned addresses with a plate on the wall, in per cent.
    pub fn percent_on_wall(&self) -> f64 {
        if self.assigned == 0 {
            return 100.0;
        }
        100.0 * (self.installed + self.damaged) as f64 / self.assigned as f64
    }
}

/// An address whose plate needs work.
#[derive(Debug, Clone, Serialize)]
pub struct MissingPlate {
    /// The address record.
    pub address_id: i64,
    /// Its standard address.
    pub standard_address: String,
    /// What is wrong: `no_plate`, `planned`, `damaged`, `lost`.
    pub problem: &'static str,
    /// The plate's sign id, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_id: Option<i64>,
}

/// The progress of a jurisdiction.
#[derive(Debug, Clone, Serialize)]
pub struct PlateProgress {
    /// The jurisdiction counted.
    pub division: String,
    /// Per road, in the order the roads were registered.
    pub roads: Vec<RoadProgress>,
    /// The sums.
    pub total: RoadProgress,
    /// What is missing, in order of address.
    pub missing: Vec<MissingPlate>,
}

/// The plates campaign's progress in `division` (a code prefix), for its staff.
pub async fn progress(
    state: &AppState,
    staff: &Staff,
    division: &str,
) -> Result<PlateProgress, AddressError> {
    let jurisdiction =
        Jurisdiction::parse(division).map_err(|e| FieldErrors::one("division", e.to_string()))?;
    let covered = DivisionCode::parse(&format!("{:0<6}", jurisdiction.as_str()))
        .map_err(|e| FieldErrors::one("division", e.to_string()))?;
    if !staff.actor.works_in(&covered) {
        return Err(AccessError::OutsideJurisdiction(covered).into());
    }
    let addresses: Vec<_> = state
        .store
        .addresses_in_use()
        .await?
        .into_iter()
        .filter(|a| {
            a.record.status == AddressStatus::Assigned
                && a.record.division_code.starts_with(jurisdiction.as_str())
        })
        .collect();
    // The plates by address text: a plate in service wins over a retired one.
    let mut plates: HashMap<String, (i64, SignStatus)> = HashMap::new();
    for kind in [SignKind::DoorPlateLarge, SignKind::DoorPlateSmall] {
        let (signs, _) = state
            .store
            .list_signs(&SignFilter {
                kind: Some(kind),
                division_prefix: Some(jurisdiction.as_str().to_string()),
                limit: 1_000_000,
                ..Default::default()
            })
            .await?;
        for sign in signs {
            let Some(address) = sign.address.clone() else {
                continue;
            };
            let rank = |s: SignStatus| usize::from(s != SignStatus::Retired);
            match plates.get(&address) {
                Some((_, held)) if rank(*held) >= rank(sign.status) => {}
                _ => {
                    plates.insert(address, (sign.id, sign.status));
                }
            }
        }
    }
    let mut roads: HashMap<i64, RoadProgress> = HashMap::new();
    let mut missing = Vec::new();
    for address in &addresses {
        let road = roads
            .entry(address.record.road_id)
            .or_insert_with(|| RoadProgress {
                road_id: address.record.road_id,
                division_code: address.record.division_code.clone(),
                ..Default::default()
            });
        road.assigned += 1;
        let plate = plates.get(&address.record.standard_address);
        let problem = match plate.map(|(_, s)| *s) {
            Some(SignStatus::Installed) => {
                road.installed += 1;
                None
            }
            Some(SignStatus::Planned) => {
                road.planned += 1;
                Some("planned")
            }
            Some(SignStatus::Damaged) => {
                road.damaged += 1;
                Some("damaged")
            }
            Some(SignStatus::Missing) => {
                road.lost += 1;
                Some("lost")
            }
            Some(SignStatus::Retired) | None => {
                road.without_plate += 1;
                Some("no_plate")
            }
        };
        if let Some(problem) = problem {
            missing.push(MissingPlate {
                address_id: address.id,
                standard_address: address.record.standard_address.clone(),
                problem,
                sign_id: plate
                    .filter(|(_, s)| *s != SignStatus::Retired)
                    .map(|(id, _)| *id),
            });
        }
    }
    let mut roads: Vec<RoadProgress> = roads.into_values().collect();
    for road in &mut roads {
        if let Some(place) = state
            .store
            .place(road.road_id, VersionSelector::Current, false)
            .await?
        {
            road.road_name = place.properties.standard_name;
        }
    }
    roads.sort_by_key(|r| r.road_id);
    missing.sort_by(|a, b| a.standard_address.cmp(&b.standard_address));
    let mut total = RoadProgress {
        road_name: "合计".into(),
        division_code: jurisdiction.as_str().to_string(),
        ..Default::default()
    };
    for road in &roads {
        total.assigned += road.assigned;
        total.planned += road.planned;
        total.installed += road.installed;
        total.damaged += road.damaged;
        total.lost += road.lost;
        total.without_plate += road.without_plate;
    }
    Ok(PlateProgress {
        division: jurisdiction.as_str().to_string(),
        roads,
        total,
        missing,
    })
}

/// The progress per road as CSV (UTF-8 with a byte-order mark, which spreadsheet programs need
/// to read Chinese).
pub fn progress_csv(progress: &PlateProgress) -> String {
    let mut text = String::from(
        "\u{feff}road_id,道路,区划代码,已编门牌,待制作,已上墙,损坏,丢失,未设牌,上墙率%\n",
    );
    for road in progress
        .roads
        .iter()
        .chain(std::iter::once(&progress.total))
    {
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{:.1}\n",
            if road.road_id == 0 {
                String::new()
            } else {
                road.road_id.to_string()
            },
            road.road_name.replace(',', "，"),
            road.division_code,
            road.assigned,
            road.planned,
            road.installed,
            road.damaged,
            road.lost,
            road.without_plate,
            road.percent_on_wall()
        ));
    }
    text
}
