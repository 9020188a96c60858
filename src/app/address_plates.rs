//! Plates on the walls (门牌设置上墙): where the plate of every assigned door, building, unit and
//! flat of a jurisdiction stands — none, ordered, produced, installed, verified — and what is
//! wrong with it (重、错、漏、损, from the register, the field checks and the public's reports),
//! counted per road and per division (village or township), with the worklist of what needs
//! doing, as JSON, CSV or a chart. An address's plates are the signs its production orders made
//! for it and, for plates registered before the campaign, the plate signs showing its address.

use std::collections::HashMap;

use serde::Serialize;

use super::addresses::AddressError;
use super::{AppState, Staff};
use crate::domain::account::AccessError;
use crate::domain::address::AddressStatus;
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::field_error::FieldErrors;
use crate::domain::plate_campaign::{FlagSource, PlateItem, PlateProblem, PlateStage};
use crate::domain::sign::{Sign, SignKind, SignStatus};
use crate::render::plate_chart::{ChartRow, progress_chart_svg};
use crate::store::addresses::StoredAddress;
use crate::store::places::VersionSelector;
use crate::store::signs::SignFilter;

/// Where the plate of an address stands, `none` when it has no plate in service at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlateState {
    /// No plate registered, ordered or on the wall.
    None,
    /// At a stage of the campaign.
    #[serde(untagged)]
    Stage(PlateStage),
}

impl PlateState {
    fn on_wall(self) -> bool {
        matches!(
            self,
            Self::Stage(PlateStage::Installed | PlateStage::Verified)
        )
    }
}

/// A problem of one address's plate, where it was found and what it says.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// 重、错、漏 or 损.
    pub problem: PlateProblem,
    /// The register, a field check or the public.
    pub source: FlagSource,
    /// What was found.
    pub note: String,
    /// The plate concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_id: Option<i64>,
    /// The field check's flag, to resolve it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag_id: Option<i64>,
    /// The public's report, to handle it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_id: Option<i64>,
}

/// The counts of one road or division.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Assigned addresses.
    pub assigned: usize,
    /// Without a plate registered or ordered.
    pub no_plate: usize,
    /// With a plate ordered, not made yet.
    pub ordered: usize,
    /// With a plate made, not on the wall yet.
    pub produced: usize,
    /// With a plate on the wall, not verified yet.
    pub installed: usize,
    /// With a plate on the wall, verified.
    pub verified: usize,
    /// Plates with a 重 problem.
    pub duplicate: usize,
    /// Plates with a 错 problem.
    pub wrong: usize,
    /// Plates with a 漏 problem.
    pub missing: usize,
    /// Plates with a 损 problem.
    pub damaged: usize,
    /// The share of assigned addresses with their plate on the wall, in per cent.
    pub percent_on_wall: f64,
}

impl Counts {
    fn add(&mut self, state: PlateState, problems: &[Problem]) {
        self.assigned += 1;
        match state {
            PlateState::None => self.no_plate += 1,
            PlateState::Stage(PlateStage::Ordered) => self.ordered += 1,
            PlateState::Stage(PlateStage::Produced) => self.produced += 1,
            PlateState::Stage(PlateStage::Installed) => self.installed += 1,
            PlateState::Stage(PlateStage::Verified) => self.verified += 1,
        }
        let mut seen = [false; 4];
        for problem in problems {
            let slot = problem.problem as usize;
            if std::mem::replace(&mut seen[slot], true) {
                continue;
            }
            match problem.problem {
                PlateProblem::Duplicate => self.duplicate += 1,
                PlateProblem::Wrong => self.wrong += 1,
                PlateProblem::Missing => self.missing += 1,
                PlateProblem::Damaged => self.damaged += 1,
            }
        }
        self.percent_on_wall = if self.assigned == 0 {
            100.0
        } else {
            let on_wall = self.installed + self.verified;
            (1000.0 * on_wall as f64 / self.assigned as f64).round() / 10.0
        };
    }
}

/// The counts of a road.
#[derive(Debug, Clone, Serialize)]
pub struct RoadProgress {
    /// The road or area.
    pub road_id: i64,
    /// Its name.
    pub road_name: String,
    /// Its division.
    pub division_code: String,
    /// The counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// The counts of a division (the division the addresses are registered in: a village or a
/// township).
#[derive(Debug, Clone, Serialize)]
pub struct DivisionProgress {
    /// The division's code.
    pub division_code: String,
    /// Its name.
    pub name: String,
    /// The counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// An address whose plate needs work: not on the wall yet, or with a problem.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    /// The address record.
    pub address_id: i64,
    /// Its standard address.
    pub standard_address: String,
    /// Its road.
    pub road_id: i64,
    /// Where its plate stands.
    pub plate: PlateState,
    /// What is wrong.
    pub problems: Vec<Problem>,
    /// Its plates in service.
    pub sign_ids: Vec<i64>,
}

/// The progress of a jurisdiction.
#[derive(Debug, Clone, Serialize)]
pub struct PlateProgress {
    /// The jurisdiction counted.
    pub division: String,
    /// Per road, in the order the roads were registered.
    pub roads: Vec<RoadProgress>,
    /// Per division, by code.
    pub divisions: Vec<DivisionProgress>,
    /// The sums.
    pub total: Counts,
    /// What needs doing, in order of address.
    pub worklist: Vec<WorkItem>,
}

/// What the register knows of the plates of a jurisdiction's assigned addresses.
pub(super) struct PlateBook {
    /// The assigned addresses.
    pub(super) addresses: Vec<StoredAddress>,
    /// The plates in service (not retired, not lost) of each address.
    pub(super) in_service: HashMap<i64, Vec<i64>>,
    /// The address's plate on an order whose sign is not retired.
    pub(super) ordered: HashMap<i64, PlateItem>,
    /// Every plate sign of the jurisdiction by id.
    signs: HashMap<i64, Sign>,
    /// Items by sign.
    items_by_sign: HashMap<i64, PlateItem>,
    /// The plates of each address, in service or not.
    plates: HashMap<i64, Vec<i64>>,
}

/// The plate kinds of the address family.
const PLATE_KINDS: [SignKind; 3] = [
    SignKind::DoorPlateLarge,
    SignKind::DoorPlateSmall,
    SignKind::Building,
];

impl PlateBook {
    /// Reads the book of the jurisdiction of code prefix `prefix`.
    pub(super) async fn read(state: &AppState, prefix: &str) -> Result<Self, AddressError> {
        let addresses: Vec<StoredAddress> = state
            .store
            .addresses_in_use()
            .await?
            .into_iter()
            .filter(|a| {
                a.record.status == AddressStatus::Assigned
                    && a.record.division_code.starts_with(prefix)
            })
            .collect();
        let mut signs = HashMap::new();
        for kind in PLATE_KINDS {
            let (found, _) = state
                .store
                .list_signs(&SignFilter {
                    kind: Some(kind),
                    division_prefix: Some(prefix.to_string()),
                    limit: 10_000_000,
                    ..Default::default()
                })
                .await?;
            signs.extend(found.into_iter().map(|s| (s.id, s)));
        }
        let items = state.store.plate_items_in(prefix).await?;
        let mut items_by_sign = HashMap::new();
        let mut plates: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut ordered = HashMap::new();
        for item in items {
            plates
                .entry(item.address_id)
                .or_default()
                .push(item.sign_id);
            let retired = signs
                .get(&item.sign_id)
                .is_none_or(|s| s.status == SignStatus::Retired);
            if !retired {
                ordered.insert(item.address_id, item.clone());
            }
            items_by_sign.insert(item.sign_id, item);
        }
        // Plates registered outside an order belong to the address they show.
        let by_text: HashMap<&str, i64> = addresses
            .iter()
            .map(|a| (a.record.standard_address.as_str(), a.id))
            .collect();
        let mut ids: Vec<&i64> = signs.keys().collect();
        ids.sort();
        for id in ids {
            if items_by_sign.contains_key(id) {
                continue;
            }
            if let Some(address_id) = signs[id]
                .address
                .as_deref()
                .and_then(|text| by_text.get(text))
            {
                plates.entry(*address_id).or_default().push(*id);
            }
        }
        let in_service = plates
            .iter()
            .map(|(address, ids)| {
                let serving = ids
                    .iter()
                    .copied()
                    .filter(|id| {
                        signs.get(id).is_some_and(|s| {
                            !matches!(s.status, SignStatus::Retired | SignStatus::Missing)
                        })
                    })
                    .collect();
                (*address, serving)
            })
            .collect();
        Ok(Self {
            addresses,
            in_service,
            ordered,
            signs,
            items_by_sign,
            plates,
        })
    }

    /// Where a plate sign stands in the campaign.
    fn stage_of(&self, sign_id: i64) -> Option<PlateStage> {
        if let Some(item) = self.items_by_sign.get(&sign_id) {
            return Some(item.stage);
        }
        match self.signs.get(&sign_id)?.status {
            SignStatus::Planned => Some(PlateStage::Ordered),
            SignStatus::Installed | SignStatus::Damaged => Some(PlateStage::Installed),
            SignStatus::Missing | SignStatus::Retired => None,
        }
    }

    /// Where the plate of `address` stands and what the register says is wrong with it.
    fn assess(&self, address: &StoredAddress) -> (PlateState, Vec<Problem>, Vec<i64>) {
        let serving = self
            .in_service
            .get(&address.id)
            .cloned()
            .unwrap_or_default();
        let state = serving
            .iter()
            .filter_map(|id| self.stage_of(*id))
            .max()
            .map_or(PlateState::None, PlateState::Stage);
        let register = |problem, note: String, sign_id| Problem {
            problem,
            source: FlagSource::Register,
            note,
            sign_id,
            flag_id: None,
            report_id: None,
        };
        let mut problems = Vec::new();
        if state == PlateState::None {
            let lost = self
                .plates
                .get(&address.id)
                .into_iter()
                .flatten()
                .find(|id| {
                    self.signs
                        .get(id)
                        .is_some_and(|s| s.status == SignStatus::Missing)
                });
            problems.push(match lost {
                Some(id) => register(
                    PlateProblem::Missing,
                    "门牌已丢失，需补设（the plate is gone from the wall）".into(),
                    Some(*id),
                ),
                None => register(
                    PlateProblem::Missing,
                    "已编门牌号但未登记门牌，需下单制作（no plate registered or ordered）".into(),
                    None,
                ),
            });
        }
        for id in &serving {
            let Some(sign) = self.signs.get(id) else {
                continue;
            };
            if sign.status == SignStatus::Damaged {
                problems.push(register(
                    PlateProblem::Damaged,
                    "门牌损坏，需维修或更换（the plate is damaged）".into(),
                    Some(*id),
                ));
            }
            if sign.address.as_deref() != Some(address.record.standard_address.as_str()) {
                problems.push(register(
                    PlateProblem::Wrong,
                    format!(
                        "门牌所写“{}”与标准地址不符（the plate does not say the standard address）",
                        sign.address.as_deref().unwrap_or("")
                    ),
                    Some(*id),
                ));
            }
        }
        let on_wall: Vec<i64> = serving
            .iter()
            .copied()
            .filter(|id| {
                self.stage_of(*id)
                    .is_some_and(|s| s >= PlateStage::Installed)
            })
            .collect();
        if on_wall.len() > 1 {
            problems.push(register(
                PlateProblem::Duplicate,
                format!(
                    "同一地址有{}块门牌在墙上（{} plates on the wall for one address）",
                    on_wall.len(),
                    on_wall.len()
                ),
                on_wall.get(1).copied(),
            ));
        }
        // A renamed road's old plate stays on the wall until the new one replaces it.
        if let Some(item) = self.ordered.get(&address.id)
            && item.stage < PlateStage::Installed
            && let Some(old) = item.replaces_sign_id.and_then(|id| self.signs.get(&id))
            && !matches!(old.status, SignStatus::Retired | SignStatus::Missing)
        {
            problems.push(register(
                PlateProblem::Wrong,
                format!(
                    "旧门牌“{}”仍在墙上，待更换（the old plate is up until the new one replaces it）",
                    old.address.as_deref().unwrap_or("")
                ),
                Some(old.id),
            ));
        }
        (state, problems, serving)
    }
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
    let prefix = jurisdiction.as_str();
    let book = PlateBook::read(state, prefix).await?;
    // What the field checks and the public found, by address.
    let mut found: HashMap<i64, Vec<Problem>> = HashMap::new();
    for flag in state.store.open_plate_flags(prefix).await? {
        found.entry(flag.address_id).or_default().push(Problem {
            problem: flag.problem,
            source: FlagSource::FieldCheck,
            note: flag.note,
            sign_id: flag.sign_id,
            flag_id: Some(flag.id),
            report_id: None,
        });
    }
    let owner: HashMap<i64, i64> = book
        .plates
        .iter()
        .flat_map(|(address, ids)| ids.iter().map(move |id| (*id, *address)))
        .collect();
    for report in state.store.reports(Some(prefix), None, 1_000_000).await? {
        let (Some(problem), Some(address)) = (
            PlateProblem::from_public_report(&report.kind),
            owner.get(&report.sign_id),
        ) else {
            continue;
        };
        if report.status == "closed" {
            continue;
        }
        found.entry(*address).or_default().push(Problem {
            problem,
            source: FlagSource::PublicReport,
            note: report.text,
            sign_id: Some(report.sign_id),
            flag_id: None,
            report_id: Some(report.id),
        });
    }

    let mut roads: HashMap<i64, RoadProgress> = HashMap::new();
    let mut divisions: HashMap<String, Counts> = HashMap::new();
    let mut total = Counts::default();
    let mut worklist = Vec::new();
    for address in &book.addresses {
        let (plate, mut problems, sign_ids) = book.assess(address);
        problems.extend(found.remove(&address.id).unwrap_or_default());
        roads
            .entry(address.record.road_id)
            .or_insert_with(|| RoadProgress {
                road_id: address.record.road_id,
                road_name: String::new(),
                division_code: address.record.division_code.clone(),
                counts: Counts::default(),
            })
            .counts
            .add(plate, &problems);
        divisions
            .entry(address.record.division_code.clone())
            .or_default()
            .add(plate, &problems);
        total.add(plate, &problems);
        if !plate.on_wall() || !problems.is_empty() {
            worklist.push(WorkItem {
                address_id: address.id,
                standard_address: address.record.standard_address.clone(),
                road_id: address.record.road_id,
                plate,
                problems,
                sign_ids,
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
    let mut division_rows = Vec::with_capacity(divisions.len());
    for (code, counts) in divisions {
        let name = match DivisionCode::parse(&code) {
            Ok(parsed) => state
                .store
                .division_chain(&parsed)
                .await?
                .last()
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        division_rows.push(DivisionProgress {
            division_code: code,
            name,
            counts,
        });
    }
    division_rows.sort_by(|a, b| a.division_code.cmp(&b.division_code));
    worklist.sort_by(|a, b| a.standard_address.cmp(&b.standard_address));
    Ok(PlateProgress {
        division: prefix.to_string(),
        roads,
        divisions: division_rows,
        total,
        worklist,
    })
}

/// Which table of the progress a CSV or chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressTable {
    /// Per road.
    Roads,
    /// Per division.
    Divisions,
    /// The worklist (CSV only).
    Worklist,
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A table of the progress as CSV (UTF-8 with a byte-order mark, which spreadsheet programs
/// need to read Chinese); the road and division tables end with the sums.
pub fn progress_csv(progress: &PlateProgress, table: ProgressTable) -> String {
    const COUNTS: &str = "已编门牌,未设牌,待制作,已制作,已安装,已核验,重,错,漏,损,上墙率%";
    let counts = |c: &Counts| {
        format!(
            "{},{},{},{},{},{},{},{},{},{},{:.1}",
            c.assigned,
            c.no_plate,
            c.ordered,
            c.produced,
            c.installed,
            c.verified,
            c.duplicate,
            c.wrong,
            c.missing,
            c.damaged,
            c.percent_on_wall
        )
    };
    let mut text = String::from("\u{feff}");
    match table {
        ProgressTable::Roads => {
            text.push_str(&format!("road_id,道路,区划代码,{COUNTS}\n"));
            for road in &progress.roads {
                text.push_str(&format!(
                    "{},{},{},{}\n",
                    road.road_id,
                    csv_field(&road.road_name),
                    road.division_code,
                    counts(&road.counts)
                ));
            }
            text.push_str(&format!(
                ",合计,{},{}\n",
                progress.division,
                counts(&progress.total)
            ));
        }
        ProgressTable::Divisions => {
            text.push_str(&format!("区划代码,区划名称,{COUNTS}\n"));
            for division in &progress.divisions {
                text.push_str(&format!(
                    "{},{},{}\n",
                    division.division_code,
                    csv_field(&division.name),
                    counts(&division.counts)
                ));
            }
            text.push_str(&format!(
                "{},合计,{}\n",
                progress.division,
                counts(&progress.total)
            ));
        }
        ProgressTable::Worklist => {
            text.push_str("address_id,标准地址,road_id,门牌状态,问题,说明\n");
            for item in &progress.worklist {
                let plate = match item.plate {
                    PlateState::None => "未设牌",
                    PlateState::Stage(stage) => stage.name_zh(),
                };
                let problems: Vec<&str> =
                    item.problems.iter().map(|p| p.problem.name_zh()).collect();
                let notes: Vec<&str> = item.problems.iter().map(|p| p.note.as_str()).collect();
                text.push_str(&format!(
                    "{},{},{},{},{},{}\n",
                    item.address_id,
                    csv_field(&item.standard_address),
                    item.road_id,
                    plate,
                    problems.join(""),
                    csv_field(&notes.join("；"))
                ));
            }
        }
    }
    text
}

/// The progress per road or per division as an SVG bar chart.
pub fn progress_chart(progress: &PlateProgress, table: ProgressTable) -> String {
    let rows: Vec<ChartRow> = match table {
        ProgressTable::Divisions => progress
            .divisions
            .iter()
            .map(|d| chart_row(format!("{} {}", d.name, d.division_code), &d.counts))
            .collect(),
        _ => progress
            .roads
            .iter()
            .map(|r| chart_row(r.road_name.clone(), &r.counts))
            .collect(),
    };
    progress_chart_svg(&format!("门牌设置上墙进度 {}", progress.division), &rows)
}

fn chart_row(label: String, c: &Counts) -> ChartRow {
    ChartRow {
        label,
        stages: [c.no_plate, c.ordered, c.produced, c.installed, c.verified],
        problems: [c.duplicate, c.wrong, c.missing, c.damaged],
    }
}
