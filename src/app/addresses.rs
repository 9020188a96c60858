//! The address register (门牌): register, change and retire addresses on roads and in
//! residential areas — authorised against the jurisdiction and the roles its numbering rule
//! names, checked (a current road record, the door near its road and on the side its number's
//! parity belongs to, no number twice on a road, a flat only under a registered building),
//! written as a new version with its audit entry — and propose numbers for doors, one or a
//! whole road at once, by the jurisdiction's rule.
#![warn(missing_docs)]

use chrono::NaiveDate;
use geo::{Geometry, LineString};
use serde::Serialize;

use super::indexes::place_geometry;
use super::{AppState, Staff, today};
use crate::domain::account::AccessError;
use crate::domain::address::{
    AddressLevel, AddressPath, AddressRecord, AddressStatus, standard_address,
};
use crate::domain::address_numbering::{
    DoorPoint, Neighbour, NumberingLine, NumberingRules, Proposal, ProposalError, RoadNumbering,
    number_road,
};
use crate::domain::division_code::{DivisionCode, DivisionLevel, Jurisdiction};
use crate::domain::field_error::FieldErrors;
use crate::domain::place::PlaceStatus;
use crate::domain::version::{ChangeAction, ChangeNote, VersionMeta};
use crate::store::StoreError;
use crate::store::addresses::{AddressFilter, StoredAddress};
use crate::store::places::{Change, StoredPlace, VersionSelector};

/// What can go wrong with an address use case.
#[derive(Debug, thiserror::Error)]
pub enum AddressError {
    /// The input names the fields at fault.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// The input disagrees with the register (wrong side, far from its road, not a road,
    /// a flat under a building not registered); the fields say how.
    #[error("{0}")]
    Inconsistent(FieldErrors),
    /// The same path is already in use on the road; the field names the number.
    #[error("{0}")]
    Duplicate(FieldErrors),
    /// The caller may not write there.
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// No such record or version.
    #[error("{0}")]
    NotFound(String),
    /// The record's state does not allow it (retired), or no number is left to propose.
    #[error("{0}")]
    Conflict(String),
    /// The database failed, or the edit was stale.
    #[error(transparent)]
    Store(StoreError),
    /// A PDF could not be made (the font).
    #[error(transparent)]
    Pdf(#[from] super::pdf::PdfError),
}

impl From<StoreError> for AddressError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::AlreadyExists(what) => Self::Duplicate(FieldErrors::one(
                "number",
                format!("{what} is already in use on this road"),
            )),
            StoreError::Changed(what) => Self::Conflict(what),
            other => Self::Store(other),
        }
    }
}

/// An address as a client sends it.
#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    /// The road, lane or residential area (a place record).
    pub road_id: i64,
    /// The division the address belongs to; the road's first division when not given.
    pub division_code: Option<String>,
    /// The door number and the parts below it.
    pub path: AddressPath,
    /// The door's point (longitude, latitude), required for a door on a road.
    pub point: Option<[f64; 2]>,
    /// Proposed (the default) or assigned.
    pub status: Option<AddressStatus>,
    /// Why and since when.
    pub change: ChangeNote,
}

/// A road (or residential area) an address is on, as the register holds it now.
pub(super) struct Base {
    pub(super) place: StoredPlace,
    on_area: bool,
    line: Option<Vec<(f64, f64)>>,
}

/// Whether a category is a road, street or lane (城市道路 253 and below) or a highway (252).
fn is_road(category: &str) -> bool {
    category.starts_with("253") || category == "252"
}

/// Whether a category is a residential area (居民点 24, or a 房屋建筑 estate 281).
fn is_area(category: &str) -> bool {
    category.starts_with("24") || category == "281"
}

/// The longest line of a road's geometry.
fn road_line(place: &StoredPlace) -> Option<Vec<(f64, f64)>> {
    let longest = |lines: Vec<LineString<f64>>| {
        lines
            .into_iter()
            .max_by_key(|l| l.0.len())
            .map(|l| l.0.iter().map(|c| (c.x, c.y)).collect())
    };
    match place_geometry(place)? {
        Geometry::LineString(line) => longest(vec![line]),
        Geometry::MultiLineString(lines) => longest(lines.0),
        _ => None,
    }
}

async fn base(state: &AppState, road_id: i64) -> Result<Base, AddressError> {
    let not_a_road =
        |message: String| AddressError::Inconsistent(FieldErrors::one("road_id", message));
    let Some(place) = state
        .store
        .place(road_id, VersionSelector::Current, false)
        .await?
    else {
        return Err(not_a_road(format!(
            "there is no place record {road_id}: an address is on a road, lane or residential area of the register"
        )));
    };
    let category = place.properties.category.clone();
    if place.properties.status != PlaceStatus::Current {
        return Err(not_a_road(format!(
            "{} (place {road_id}) is historical: addresses are given on roads in use",
            place.properties.standard_name
        )));
    }
    let on_area = is_area(&category);
    if !on_area && !is_road(&category) {
        return Err(not_a_road(format!(
            "{} (place {road_id}) is of category {category}, not a road, street or lane (253…) nor a residential area (24…)",
            place.properties.standard_name
        )));
    }
    let line = if on_area { None } else { road_line(&place) };
    if !on_area && line.is_none() {
        return Err(not_a_road(format!(
            "{} (place {road_id}) has no line geometry to number along: record the road's line first",
            place.properties.standard_name
        )));
    }
    Ok(Base {
        place,
        on_area,
        line,
    })
}

/// The numbering rule that holds in a division, and the jurisdiction it was set for.
pub async fn rules_for(
    state: &AppState,
    division_code: &str,
) -> Result<(Option<String>, NumberingRules), AddressError> {
    Ok(
        match state.store.numbering_rules_for(division_code).await? {
            Some((jurisdiction, rules)) => (Some(jurisdiction), rules),
            None => (None, NumberingRules::default()),
        },
    )
}

/// The division an address belongs to: the one named (which must be one of the road's), or
/// the road's first.
fn division_of(base: &Base, named: Option<&str>) -> Result<DivisionCode, AddressError> {
    let road_divisions = &base.place.properties.division_codes;
    let code = match named {
        Some(code) => {
            let code = DivisionCode::parse(code)
                .map_err(|e| FieldErrors::one("division_code", e.to_string()))?;
            if !road_divisions
                .iter()
                .any(|d| code.as_str().starts_with(d.as_str()) || d.starts_with(code.as_str()))
            {
                return Err(AddressError::Inconsistent(FieldErrors::one(
                    "division_code",
                    format!(
                        "{code} is not a division {} lies in ({})",
                        base.place.properties.standard_name,
                        road_divisions.join(", ")
                    ),
                )));
            }
            code
        }
        None => road_divisions
            .first()
            .and_then(|d| DivisionCode::parse(d).ok())
            .ok_or_else(|| FieldErrors::one("division_code", "name the address's division"))?,
    };
    Ok(code)
}

/// Whether the caller may assign numbers in `division` under `rules`.
fn authorise(
    staff: &Staff,
    division: &DivisionCode,
    rules: &NumberingRules,
) -> Result<(), AccessError> {
    staff
        .actor
        .may_edit_places_in(std::slice::from_ref(division))?;
    if !rules.assigning_roles.contains(&staff.actor.role) {
        return Err(AccessError::RoleMayNotAssignNumbers(
            staff.actor.role,
            division.to_string(),
        ));
    }
    Ok(())
}

/// The division names of a standard address: from the county down (province and prefecture
/// are left off, as on plates). Read from the register, not the directory built at start: a
/// division imported since is named too.
async fn division_names(
    state: &AppState,
    division: &DivisionCode,
) -> Result<Vec<String>, AddressError> {
    Ok(state
        .store
        .division_chain(division)
        .await?
        .into_iter()
        .filter(|d| !matches!(d.level, DivisionLevel::Province | DivisionLevel::Prefecture))
        .map(|d| d.name)
        .collect())
}

fn check_point(point: Option<[f64; 2]>, required: bool) -> Result<Option<[f64; 2]>, FieldErrors> {
    match point {
        Some([lon, lat]) if (73.0..=136.0).contains(&lon) && (3.0..=54.0).contains(&lat) => {
            Ok(Some([lon, lat]))
        }
        Some(_) => Err(FieldErrors::one(
            "point",
            "longitude and latitude in CGCS2000 degrees, inside China",
        )),
        None if required => Err(FieldErrors::one(
            "point",
            "a door on a road needs its point [longitude, latitude], to check its side and distance",
        )),
        None => Ok(None),
    }
}

/// Checks an address and gives the record to store (everything but the duplicate check, which
/// the store repeats inside its write).
async fn checked(
    state: &AppState,
    staff: &Staff,
    input: &AddressInput,
    except: Option<i64>,
) -> Result<AddressRecord, AddressError> {
    // Well-formed first (400), then against the register (422), then who (403).
    let mut errors = FieldErrors::default();
    if let Some(number) = input.path.number
        && let Err(e) = number.checked("number")
    {
        errors.extend(e);
    }
    errors.into_result(())?;
    let base = base(state, input.road_id).await?;
    let level = input.path.level(base.on_area)?;
    let point = check_point(input.point, level == AddressLevel::Door)?;
    let status = input.status.unwrap_or_default();
    if status == AddressStatus::Retired {
        return Err(FieldErrors::one("status", "retire an address with POST …/retire").into());
    }
    let division = division_of(&base, input.division_code.as_deref())?;
    let (_, rules) = rules_for(state, division.as_str()).await?;
    authorise(staff, &division, &rules)?;

    let placement = match (&base.line, point, level) {
        (Some(line), Some([lon, lat]), AddressLevel::Door) => {
            let settings = state.store.road_numbering(input.road_id).await?;
            let line = NumberingLine::new(line, &settings).map_err(|e| {
                AddressError::Inconsistent(FieldErrors::one("road_id", e.to_string()))
            })?;
            let placement = line.place(lon, lat);
            let mut errors = FieldErrors::default();
            if let Err(e) = line.check_side(placement) {
                errors.push("point", e.to_string());
            }
            if placement.offset_m > rules.max_offset_m {
                errors.push(
                    "point",
                    format!(
                        "the door stands {:.0} m from the line of {}, farther than the {:.0} m a door may stand off its road (max_offset_m)",
                        placement.offset_m, base.place.properties.standard_name, rules.max_offset_m
                    ),
                );
            }
            if let Some(number) = input.path.number
                && let Some(message) = rules.wrong_side(number, placement.side)
            {
                errors.push("number", message);
            }
            if !errors.is_empty() {
                return Err(AddressError::Inconsistent(errors));
            }
            Some(placement)
        }
        _ => None,
    };

    if let Some(other) = state.store.address_at(input.road_id, &input.path).await?
        && Some(other.id) != except
    {
        return Err(AddressError::Duplicate(FieldErrors::one(
            "number",
            format!(
                "{} is already address {} ({}): a number is given once on a road",
                other.record.standard_address,
                other.id,
                other.record.status.as_str()
            ),
        )));
    }
    if let Some(parent) = input.path.parent()
        && state
            .store
            .address_at(input.road_id, &parent)
            .await?
            .is_none()
    {
        let (field, what) = match level {
            AddressLevel::Building => ("number", "the door"),
            AddressLevel::Unit => ("unit", "the building"),
            _ if parent.unit.is_some() => ("unit", "the unit"),
            _ => ("building", "the building"),
        };
        let written = format!(
            "{}{}",
            base.place.properties.standard_name,
            parent.written(rules.suffix_style)
        );
        return Err(AddressError::Inconsistent(FieldErrors::one(
            field,
            format!("{what} {written} is not registered: register it before what lies under it"),
        )));
    }
    let names = division_names(state, &division).await?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(AddressRecord {
        status,
        level,
        division_code: division.to_string(),
        road_id: input.road_id,
        standard_address: standard_address(
            &names,
            &base.place.properties.standard_name,
            &input.path,
            rules.suffix_style,
        ),
        path: input.path.clone(),
        point,
        placement,
    })
}

fn effective_on(day: Option<NaiveDate>, field: &str) -> Result<NaiveDate, AddressError> {
    let day = day.unwrap_or_else(today);
    if day > today() {
        return Err(FieldErrors::one(
            field,
            "a change cannot take effect in the future; record it when it happens",
        )
        .into());
    }
    Ok(day)
}

pub(super) fn required_comment(comment: Option<&str>, field: &str) -> Result<String, AddressError> {
    match comment.map(str::trim) {
        Some(text) if !text.is_empty() && text.chars().count() <= 2000 => Ok(text.to_string()),
        Some(text) if !text.is_empty() => {
            Err(FieldErrors::one(field, "at most 2000 characters").into())
        }
        _ => Err(FieldErrors::one(
            field,
            "say why the address changes (it is kept in the history)",
        )
        .into()),
    }
}

async fn current(state: &AppState, id: i64) -> Result<StoredAddress, AddressError> {
    state
        .store
        .address(id, VersionSelector::Current)
        .await?
        .ok_or_else(|| AddressError::NotFound(format!("there is no address {id}")))
}

/// Registers a new address as version 1.
pub async fn create(
    state: &AppState,
    staff: &Staff,
    input: AddressInput,
) -> Result<StoredAddress, AddressError> {
    let record = checked(state, staff, &input, None).await?;
    let comment = input
        .change
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let author = staff.author();
    let change = Change {
        action: ChangeAction::Created,
        effective_on: effective_on(input.change.effective_on, "change.effective_on")?,
        comment,
        author: &author,
        correction: None,
    };
    let stored = state.store.create_address(&record, &change).await?;
    state.addresses_changed();
    Ok(stored)
}

/// Checks a new address as [`create`] does, without writing it (for a write that registers it
/// together with something else, like the decision on an application).
pub(super) async fn checked_new(
    state: &AppState,
    staff: &Staff,
    input: &AddressInput,
) -> Result<AddressRecord, AddressError> {
    checked(state, staff, input, None).await
}

/// Appends a version to address `id`, which must still be at version `expected`.
pub async fn update(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    input: AddressInput,
) -> Result<StoredAddress, AddressError> {
    let current = current(state, id).await?;
    // Moving an address out of another jurisdiction is changing that jurisdiction's address.
    let old_division = DivisionCode::parse(&current.record.division_code)
        .map_err(|e| AddressError::Store(StoreError::Corrupt(e.to_string())))?;
    let (_, old_rules) = rules_for(state, old_division.as_str()).await?;
    authorise(staff, &old_division, &old_rules)?;
    crate::store::expect_version(expected, current.meta.version)?;
    if current.record.status == AddressStatus::Retired {
        return Err(AddressError::Conflict(format!(
            "address {id} is retired: register a new one"
        )));
    }
    let record = checked(state, staff, &input, Some(id)).await?;
    let comment = required_comment(input.change.comment.as_deref(), "change.comment")?;
    let author = staff.author();
    let change = Change {
        action: ChangeAction::Updated,
        effective_on: effective_on(input.change.effective_on, "change.effective_on")?,
        comment: Some(&comment),
        author: &author,
        correction: None,
    };
    let stored = state
        .store
        .change_address(id, expected, &record, &change)
        .await?;
    state.addresses_changed();
    Ok(stored)
}

/// Retires address `id` (the door is gone, or renumbered), as a new version.
pub async fn retire(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    note: ChangeNote,
) -> Result<StoredAddress, AddressError> {
    let current = current(state, id).await?;
    crate::store::expect_version(expected, current.meta.version)?;
    let comment = required_comment(note.comment.as_deref(), "comment")?;
    let day = effective_on(note.effective_on, "effective_on")?;
    let division = DivisionCode::parse(&current.record.division_code)
        .map_err(|e| AddressError::Store(StoreError::Corrupt(e.to_string())))?;
    let (_, rules) = rules_for(state, division.as_str()).await?;
    authorise(staff, &division, &rules)?;
    if current.record.status == AddressStatus::Retired {
        return Err(AddressError::Conflict(format!(
            "address {id} is already retired"
        )));
    }
    let record = AddressRecord {
        status: AddressStatus::Retired,
        ..current.record
    };
    let author = staff.author();
    let change = Change {
        action: ChangeAction::Retired,
        effective_on: day,
        comment: Some(&comment),
        author: &author,
        correction: None,
    };
    let stored = state
        .store
        .change_address(id, expected, &record, &change)
        .await?;
    state.addresses_changed();
    Ok(stored)
}

/// Address `id` as it is now, or as it stood on a day.
pub async fn read(
    state: &AppState,
    id: i64,
    as_of: Option<NaiveDate>,
) -> Result<StoredAddress, AddressError> {
    let selector = as_of.map_or(VersionSelector::Current, VersionSelector::AsOf);
    match state.store.address(id, selector).await? {
        Some(found) => Ok(found),
        None if as_of.is_some() => Err(AddressError::NotFound(format!(
            "address {id} had no recorded state on that date"
        ))),
        None => Err(AddressError::NotFound(format!("there is no address {id}"))),
    }
}

/// Version `version` of address `id`.
pub async fn read_version(
    state: &AppState,
    id: i64,
    version: i64,
) -> Result<StoredAddress, AddressError> {
    state
        .store
        .address(id, VersionSelector::Number(version))
        .await?
        .ok_or_else(|| AddressError::NotFound(format!("address {id} has no version {version}")))
}

/// Every version of address `id`, oldest first.
pub async fn history(state: &AppState, id: i64) -> Result<Vec<VersionMeta>, AddressError> {
    let versions = state.store.address_history(id).await?;
    if versions.is_empty() {
        return Err(AddressError::NotFound(format!("there is no address {id}")));
    }
    Ok(versions)
}

/// A page of addresses, and how many match in all.
pub async fn list(
    state: &AppState,
    filter: AddressFilter,
) -> Result<(Vec<StoredAddress>, i64), AddressError> {
    Ok(state.store.list_addresses(&filter).await?)
}

/// A number proposed for a door, with its written form.
#[derive(Debug, Clone, Serialize)]
pub struct NumberProposal {
    /// The proposal: side, distance, neighbours, number, reason.
    #[serde(flatten)]
    pub proposal: Proposal,
    /// The number as the plate writes it (`12-1号`).
    pub written: String,
    /// The full standard address it would give.
    pub standard_address: String,
}

/// The road prepared for numbering: its line turned by its settings, the rule and the caller's
/// right to assign checked.
pub(super) struct NumberingContext {
    pub(super) base: Base,
    pub(super) line: NumberingLine,
    pub(super) rules: NumberingRules,
    pub(super) division: DivisionCode,
    pub(super) division_names: Vec<String>,
}

pub(super) async fn numbering_context(
    state: &AppState,
    staff: &Staff,
    road_id: i64,
) -> Result<NumberingContext, AddressError> {
    let base = base(state, road_id).await?;
    let Some(coordinates) = &base.line else {
        return Err(AddressError::Inconsistent(FieldErrors::one(
            "road_id",
            format!(
                "{} is a residential area: its buildings are numbered, not doors along it",
                base.place.properties.standard_name
            ),
        )));
    };
    let division = division_of(&base, None)?;
    let (_, rules) = rules_for(state, division.as_str()).await?;
    authorise(staff, &division, &rules)?;
    let settings = state.store.road_numbering(road_id).await?;
    let line = NumberingLine::new(coordinates, &settings)
        .map_err(|e| AddressError::Inconsistent(FieldErrors::one("road_id", e.to_string())))?;
    let division_names = division_names(state, &division).await?;
    Ok(NumberingContext {
        base,
        line,
        rules,
        division,
        division_names,
    })
}

fn written_proposal(context: &NumberingContext, proposal: Proposal) -> NumberProposal {
    let names: Vec<&str> = context.division_names.iter().map(String::as_str).collect();
    let path = AddressPath {
        number: Some(proposal.number),
        ..Default::default()
    };
    NumberProposal {
        written: proposal.number.written(context.rules.suffix_style),
        standard_address: standard_address(
            &names,
            &context.base.place.properties.standard_name,
            &path,
            context.rules.suffix_style,
        ),
        proposal,
    }
}

fn proposal_error(error: ProposalError, field: &str) -> AddressError {
    match error {
        ProposalError::FarFromRoad { .. } => {
            AddressError::Inconsistent(FieldErrors::one(field, error.to_string()))
        }
        ProposalError::NoRoomBefore { .. } => AddressError::Conflict(error.to_string()),
        ProposalError::OtherSide { .. } => {
            AddressError::Inconsistent(FieldErrors::one(field, error.to_string()))
        }
    }
}

/// Proposes a number for a door at `point` on road `road_id`, among the doors in use there.
pub async fn propose(
    state: &AppState,
    staff: &Staff,
    road_id: i64,
    point: Option<[f64; 2]>,
) -> Result<NumberProposal, AddressError> {
    let [lon, lat] = check_point(point, true)?.unwrap_or_default();
    let context = numbering_context(state, staff, road_id).await?;
    let placement = context.line.place(lon, lat);
    context
        .line
        .check_side(placement)
        .map_err(|e| proposal_error(e, "point"))?;
    let neighbours: Vec<Neighbour> = state
        .store
        .doors_on_road(road_id)
        .await?
        .into_iter()
        .filter_map(|door| {
            let number = door.record.path.number?;
            let [lon, lat] = door.record.point?;
            // Measured again along the road as it is now, not as it was when the door was
            // registered: the road's line or start may have been corrected since.
            let at = context.line.place(lon, lat);
            (at.side == placement.side).then_some(Neighbour {
                number,
                distance_m: at.distance_m,
            })
        })
        .collect();
    let proposal =
        crate::domain::address_numbering::propose(&context.rules, placement, &neighbours)
            .map_err(|e| proposal_error(e, "point"))?;
    Ok(written_proposal(&context, proposal))
}

/// The numbers of a whole new road, door by door in the order given; with `register`, every
/// door was registered as a proposed address in one transaction (all or none).
#[derive(Debug, Clone, Serialize)]
pub struct WholeRoad {
    /// The road.
    pub road_id: i64,
    /// Its length in metres.
    pub length_m: f64,
    /// Where numbering starts.
    pub start: [f64; 2],
    /// The proposal of each door.
    pub doors: Vec<NumberProposal>,
    /// The ids of the registered addresses, with `register`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registered: Vec<i64>,
}

/// The longest list of doors numbered at once.
pub const MAX_DOORS_PER_ROAD: usize = 2000;

/// Numbers every door of a road at once from its points (the road must have no door in use
/// yet: a road already numbered gets numbers one at a time, between its neighbours).
pub async fn number_whole_road(
    state: &AppState,
    staff: &Staff,
    road_id: i64,
    points: &[[f64; 2]],
    register: bool,
) -> Result<WholeRoad, AddressError> {
    if points.is_empty() || points.len() > MAX_DOORS_PER_ROAD {
        return Err(FieldErrors::one(
            "doors",
            format!("from 1 to {MAX_DOORS_PER_ROAD} door points [longitude, latitude]"),
        )
        .into());
    }
    let mut errors = FieldErrors::default();
    for (i, point) in points.iter().enumerate() {
        if let Err(e) = check_point(Some(*point), true) {
            for error in e.into_vec() {
                errors.push(format!("doors[{i}]"), error.message);
            }
        }
    }
    errors.into_result(())?;
    let context = numbering_context(state, staff, road_id).await?;
    if !state.store.doors_on_road(road_id).await?.is_empty() {
        return Err(AddressError::Conflict(format!(
            "{} has numbered doors already: propose each new door's number between its neighbours (POST /api/v1/addresses/proposals)",
            context.base.place.properties.standard_name
        )));
    }
    let doors: Vec<DoorPoint> = points
        .iter()
        .map(|&[lon, lat]| DoorPoint { lon, lat })
        .collect();
    let mut proposals = Vec::with_capacity(doors.len());
    let mut errors = FieldErrors::default();
    for (i, answer) in number_road(&context.line, &context.rules, &doors)
        .into_iter()
        .enumerate()
    {
        match answer {
            Ok(p) => proposals.push(written_proposal(&context, p)),
            Err(e) => errors.push(format!("doors[{i}]"), e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(AddressError::Inconsistent(errors));
    }
    let mut registered = Vec::new();
    if register {
        let records: Vec<AddressRecord> = proposals
            .iter()
            .zip(points)
            .map(|(p, point)| AddressRecord {
                status: AddressStatus::Proposed,
                level: AddressLevel::Door,
                division_code: context.division.to_string(),
                road_id,
                path: AddressPath {
                    number: Some(p.proposal.number),
                    ..Default::default()
                },
                point: Some(*point),
                placement: Some(p.proposal.placement),
                standard_address: p.standard_address.clone(),
            })
            .collect();
        let author = staff.author();
        let change = Change {
            action: ChangeAction::Created,
            effective_on: today(),
            comment: Some("numbered with the whole road"),
            author: &author,
            correction: None,
        };
        registered = state.store.create_addresses(&records, &change).await?;
        state.addresses_changed();
    }
    let (x, y) = context.line.start();
    Ok(WholeRoad {
        road_id,
        length_m: context.line.length_m(),
        start: [x, y],
        doors: proposals,
        registered,
    })
}

/// Sets the numbering rule of a jurisdiction: an administrator covering it.
pub async fn set_rules(
    state: &AppState,
    staff: &Staff,
    jurisdiction: &str,
    rules: NumberingRules,
) -> Result<NumberingRules, AddressError> {
    let jurisdiction = Jurisdiction::parse(jurisdiction)
        .map_err(|e| FieldErrors::one("jurisdiction", e.to_string()))?;
    if let Err((field, message)) = rules.check() {
        return Err(FieldErrors::one(field, message).into());
    }
    staff.actor.must_be_admin()?;
    staff
        .actor
        .may_manage_account(std::slice::from_ref(&jurisdiction))?;
    state
        .store
        .set_numbering_rules(jurisdiction.as_str(), &rules, &staff.author())
        .await?;
    Ok(rules)
}

/// Stores a road's orientation and numbering start (staff who may assign numbers there).
pub async fn set_road_numbering(
    state: &AppState,
    staff: &Staff,
    road_id: i64,
    settings: RoadNumbering,
) -> Result<RoadNumbering, AddressError> {
    let base = base(state, road_id).await?;
    let division = division_of(&base, None)?;
    let (_, rules) = rules_for(state, division.as_str()).await?;
    authorise(staff, &division, &rules)?;
    if let Some(coordinates) = &base.line {
        NumberingLine::new(coordinates, &settings)
            .map_err(|e| AddressError::Inconsistent(FieldErrors::one("road_id", e.to_string())))?;
    }
    state
        .store
        .set_road_numbering(road_id, &settings, &staff.author())
        .await?;
    Ok(settings)
}
