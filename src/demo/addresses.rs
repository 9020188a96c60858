//! The demo's house numbers, written through the same use cases as the API: three **sample**
//! roads and a sample residential area in 罗星街道 (嘉善县) — no public table of 嘉兴's roads and
//! doors exists, so their lines and door points are made up for the demo and say so in their
//! notes (see data/SOURCES.md) — numbered by the default rule (DB11/T 856-2012 sequence), most
//! doors assigned, one building with units and flats, and door plates in every state of the
//! sign inventory.

use serde_json::json;

use super::DemoError;
use crate::app::addresses::{self, AddressInput};
use crate::app::places::{self, PlaceInput};
use crate::app::plate_campaign::{self, MoveInput, OrderInput};
use crate::app::signs::inventory;
use crate::app::signs::maintenance::{self, WorkInput};
use crate::app::{AppState, Staff};
use crate::domain::address::{AddressPath, AddressStatus};
use crate::domain::sign::{SignInput, SignKind, SignStatus};
use crate::domain::version::ChangeNote;

/// The township of the sample roads: 罗星街道.
pub const TOWNSHIP: &str = "330421002";

/// What the notes of every sample record say.
pub const SAMPLE_NOTE: &str =
    "演示样例：道路走向与门牌点位为演示虚构，并非真实地址（sample, not a real address）";

/// The sample roads: name, romanization, line (drawn west→east or south→north), doors per
/// side, and a sample meaning of the name (made up like the rest, and saying so).
pub type SampleRoad = (
    &'static str,
    &'static str,
    [[f64; 2]; 2],
    usize,
    &'static str,
);

/// The demo's sample roads.
pub const SAMPLE_ROADS: [SampleRoad; 3] = [
    (
        "亭桥路",
        "Tingqiao Lu",
        [[120.925, 30.835], [120.935, 30.835]],
        8,
        "演示样例：以路东端的亭桥得名",
    ),
    (
        "晋阳东路",
        "Jinyang Donglu",
        [[120.925, 30.8385], [120.935, 30.8385]],
        5,
        "演示样例：晋阳路向东延伸段",
    ),
    (
        "车站南路",
        "Chezhan Nanlu",
        [[120.9395, 30.830], [120.9395, 30.842]],
        4,
        "演示样例：通往车站的南北向道路",
    ),
];

/// The sample residential area and its buildings.
pub const SAMPLE_AREA: (&str, [f64; 2], usize) = ("星河小区", [120.928, 30.8405], 3);

fn failed(step: &str, error: impl std::fmt::Display) -> DemoError {
    DemoError::Inspection(format!("demo addresses, {step}: {error}"))
}

async fn admin(state: &AppState) -> Result<Staff, DemoError> {
    let account = state
        .store
        .account_by_username("admin")
        .await?
        .ok_or_else(|| failed("account", "admin is missing"))?;
    Ok(Staff {
        actor: account.actor,
        token: String::new(),
        remote_addr: None,
    })
}

async fn sample_place(
    state: &AppState,
    staff: &Staff,
    properties: serde_json::Value,
    geometry: serde_json::Value,
) -> Result<i64, DemoError> {
    let input = PlaceInput {
        properties: serde_json::from_value(properties).map_err(|e| failed("place", e))?,
        geometry: Some(geometry),
        change: ChangeNote {
            comment: Some(SAMPLE_NOTE.into()),
            effective_on: None,
        },
    };
    Ok(places::create(state, staff, input)
        .await
        .map_err(|e| failed("place", e))?
        .id)
}

/// Loads the sample roads, doors and plates unless the first sample road is registered.
pub async fn load_if_absent(state: &AppState) -> Result<(), DemoError> {
    if state.store.address_count().await? > 0 {
        return Ok(());
    }
    let staff = admin(state).await?;
    let note = |comment: &str| ChangeNote {
        comment: Some(comment.into()),
        effective_on: None,
    };
    let statuses = [
        SignStatus::Planned,
        SignStatus::Installed,
        SignStatus::Damaged,
        SignStatus::Missing,
        SignStatus::Retired,
    ];
    let mut plates = 0usize;
    let mut first_road = None;
    for (name, romanization, [start, end], per_side, meaning) in SAMPLE_ROADS {
        let road_id = sample_place(
            state,
            &staff,
            json!({
                "standard_name": name, "category": "2532", "division_codes": [TOWNSHIP],
                "romanization": romanization, "description": SAMPLE_NOTE, "meaning": meaning,
                "history": "演示样例：2020年新建道路，2021年命名（sample history）",
                "source": "diming demo sample (data/SOURCES.md)"
            }),
            json!({ "type": "LineString", "coordinates": [start, end] }),
        )
        .await?;
        first_road.get_or_insert(road_id);
        // Doors 12 m off the line, evenly along both sides.
        let east_west = (end[1] - start[1]).abs() < 1e-9;
        let doors: Vec<[f64; 2]> = (0..per_side)
            .flat_map(|k| {
                let t = (k as f64 + 0.5) / per_side as f64;
                let (lon, lat) = (
                    start[0] + t * (end[0] - start[0]),
                    start[1] + t * (end[1] - start[1]),
                );
                if east_west {
                    [[lon, lat + 0.000108], [lon, lat - 0.000108]]
                } else {
                    [[lon - 0.000125, lat], [lon + 0.000125, lat]]
                }
            })
            .collect();
        let numbered = addresses::number_whole_road(state, &staff, road_id, &doors, true)
            .await
            .map_err(|e| failed("numbering", e))?;
        for (i, (id, door)) in numbered.registered.iter().zip(&numbered.doors).enumerate() {
            // The last door of each road stays proposed; the others are assigned.
            if i + 1 == numbered.registered.len() {
                continue;
            }
            let input = AddressInput {
                road_id,
                path: AddressPath {
                    number: Some(door.proposal.number),
                    ..Default::default()
                },
                point: Some(doors[i]),
                status: Some(AddressStatus::Assigned),
                change: note(SAMPLE_NOTE),
                ..Default::default()
            };
            addresses::update(state, &staff, *id, 1, input)
                .await
                .map_err(|e| failed("assigning", e))?;
            let status = statuses[plates % statuses.len()];
            plates += 1;
            let sign = SignInput {
                place_id: road_id,
                kind: if i % 3 == 0 {
                    SignKind::DoorPlateLarge
                } else {
                    SignKind::DoorPlateSmall
                },
                sign_number: Some(format!("MP-{plates:04}")),
                address: Some(door.standard_address.clone()),
                position: Some(doors[i]),
                facing_deg: None,
                material: Some("铝板反光膜".into()),
                width_mm: Some(if i % 3 == 0 { 450 } else { 300 }),
                height_mm: Some(if i % 3 == 0 { 300 } else { 200 }),
                installed_on: None,
                status: Some(if status == SignStatus::Planned {
                    SignStatus::Planned
                } else {
                    SignStatus::Installed
                }),
            };
            let sign = inventory::create(state, &staff, sign)
                .await
                .map_err(|e| failed("plate", e))?;
            // Damage, loss and removal come through the maintenance log, as in the field.
            if matches!(
                status,
                SignStatus::Damaged | SignStatus::Missing | SignStatus::Retired
            ) {
                let work = WorkInput {
                    action: "status_changed".into(),
                    done_on: None,
                    notes: Some(SAMPLE_NOTE.into()),
                    status: Some(status),
                    replaced_by: None,
                    photo_id: None,
                };
                maintenance::record(state, &staff, sign.id, sign.version, work)
                    .await
                    .map_err(|e| failed("plate state", e))?;
            }
        }
        // The first door of 亭桥路 has a building with two units of four floors, and a door
        // built later between its first two doors on the north side takes a suffix.
        if name == "亭桥路" {
            let between = [
                (doors[0][0] + doors[2][0]) / 2.0,
                (doors[0][1] + doors[2][1]) / 2.0,
            ];
            let proposal = addresses::propose(state, &staff, road_id, Some(between))
                .await
                .map_err(|e| failed("suffix", e))?;
            let input = AddressInput {
                road_id,
                path: AddressPath {
                    number: Some(proposal.proposal.number),
                    ..Default::default()
                },
                point: Some(between),
                status: Some(AddressStatus::Assigned),
                change: note(SAMPLE_NOTE),
                ..Default::default()
            };
            addresses::create(state, &staff, input)
                .await
                .map_err(|e| failed("suffix", e))?;
            let first = numbered.doors[0].proposal.number;
            let mut paths = vec![AddressPath {
                number: Some(first),
                building: Some("3".into()),
                ..Default::default()
            }];
            for unit in ["1", "2"] {
                paths.push(AddressPath {
                    number: Some(first),
                    building: Some("3".into()),
                    unit: Some(unit.into()),
                    flat: None,
                });
                for floor in 1..=4 {
                    for flat in 1..=2 {
                        paths.push(AddressPath {
                            number: Some(first),
                            building: Some("3".into()),
                            unit: Some(unit.into()),
                            flat: Some(format!("{floor}0{flat}")),
                        });
                    }
                }
            }
            for path in paths {
                let input = AddressInput {
                    road_id,
                    path,
                    status: Some(AddressStatus::Assigned),
                    change: note(SAMPLE_NOTE),
                    ..Default::default()
                };
                addresses::create(state, &staff, input)
                    .await
                    .map_err(|e| failed("building", e))?;
            }
        }
    }
    let (name, point, buildings) = SAMPLE_AREA;
    let area_id = sample_place(
        state,
        &staff,
        json!({
            "standard_name": name, "category": "241", "division_codes": [TOWNSHIP],
            "romanization": "Xinghe Xiaoqu", "description": SAMPLE_NOTE,
            "source": "diming demo sample (data/SOURCES.md)"
        }),
        json!({ "type": "Point", "coordinates": point }),
    )
    .await?;
    for b in 1..=buildings {
        let input = AddressInput {
            road_id: area_id,
            path: AddressPath {
                building: Some(b.to_string()),
                ..Default::default()
            },
            point: Some([point[0] + 0.0003 * b as f64, point[1]]),
            status: Some(AddressStatus::Assigned),
            change: note(SAMPLE_NOTE),
            ..Default::default()
        };
        addresses::create(state, &staff, input)
            .await
            .map_err(|e| failed("area building", e))?;
    }
    campaign(state, &staff, first_road.unwrap_or_default()).await?;
    tracing::info!(plates, "demo sample roads, doors and door plates loaded");
    Ok(())
}

/// The plates campaign on the first sample road: one production order of every plate it still
/// lacks (the suffixed door, the building with its units and flats, the doors whose plates were
/// lost or removed), three quarters of it made, half put up, a quarter verified, and one
/// problem a field check found — so every stage and the worklist have something in them, while
/// the other roads' doors without plates stay unordered (漏).
async fn campaign(state: &AppState, staff: &Staff, road_id: i64) -> Result<(), DemoError> {
    let order = plate_campaign::create_order(
        state,
        staff,
        OrderInput {
            road_id: Some(road_id),
            note: Some(format!("第一批门牌制作 {SAMPLE_NOTE}")),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| failed("plate order", e))?;
    let ids: Vec<i64> = order.items.iter().map(|i| i.item.address_id).collect();
    let n = ids.len();
    for (stage, upto) in [
        ("produced", n * 3 / 4),
        ("installed", n / 2),
        ("verified", n / 4),
    ] {
        let input = MoveInput {
            stage: stage.into(),
            address_ids: Some(ids[..upto.max(1)].to_vec()),
            done_on: None,
            photo_id: None,
        };
        plate_campaign::move_plates(state, staff, order.order.id, input)
            .await
            .map_err(|e| failed(stage, e))?;
    }
    plate_campaign::raise_flag(
        state,
        staff,
        ids[n / 2 - 1],
        "wrong",
        None,
        &format!("核查发现门牌字样与标准地址不符，需重新制作 {SAMPLE_NOTE}"),
    )
    .await
    .map_err(|e| failed("plate flag", e))?;
    Ok(())
}
