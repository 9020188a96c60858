//! What one side's team found in an inspection (界线联检记录表): at a marker — its condition,
//! whether its inscription is legible, the measured position (kept as surveyed, with its
//! geodesic offset from the registered position), each reference object found or not, photos,
//! notes and who of each side was present (art. 16(4)) — and along a segment or the whole line:
//! whether the line can be identified on the ground and what changed across it (construction,
//! a river or road that moved; art. 7: the line stays where the agreement put it).
#![warn(missing_docs)]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use geo::{Distance, Geodesic, Point};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::field_error::FieldErrors;
use super::inspection::Subject;

/// What a team found a marker to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FoundCondition {
    /// Standing as set.
    Intact,
    /// Leaning.
    Tilted,
    /// Broken or defaced.
    Damaged,
    /// Covered over.
    Buried,
    /// Not found where it stood.
    Missing,
    /// Destroyed.
    Destroyed,
    /// Standing, but not where the register has it.
    Moved,
}

impl FoundCondition {
    /// The condition as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intact => "intact",
            Self::Tilted => "tilted",
            Self::Damaged => "damaged",
            Self::Buried => "buried",
            Self::Missing => "missing",
            Self::Destroyed => "destroyed",
            Self::Moved => "moved",
        }
    }

    /// The condition on the 界桩登记表.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Intact => "完好",
            Self::Tilted => "倾斜",
            Self::Damaged => "损坏",
            Self::Buried => "掩埋",
            Self::Missing => "丢失",
            Self::Destroyed => "损毁",
            Self::Moved => "移位",
        }
    }

    /// Whether the marker can be measured (it stands somewhere).
    pub fn stands(self) -> bool {
        !matches!(self, Self::Missing | Self::Destroyed)
    }
}

/// Whether a marker's inscription (注记) can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Inscription {
    /// 清晰.
    Legible,
    /// 模糊.
    Faded,
}

impl Inscription {
    /// The state on the 界桩登记表.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Legible => "清晰",
            Self::Faded => "模糊",
        }
    }
}

/// A position as the team surveyed it, in the system they declared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    /// `EPSG:…` (CGCS2000 when absent).
    #[serde(default)]
    pub crs: Option<String>,
    /// East (Y of a survey table) or longitude.
    pub x: f64,
    /// North (X of a survey table) or latitude.
    pub y: f64,
    /// The seven parameters for Beijing 1954 / Xian 1980: `dx,dy,dz,rx,ry,rz,s`.
    #[serde(default)]
    pub helmert: Option<String>,
}

/// A measured position: as surveyed, converted to CGCS2000, and how far it lies from the
/// registered position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeasuredPosition {
    /// The system it was surveyed in.
    pub crs: String,
    /// Whether the offset exceeds the round's tolerance.
    pub exceeds_tolerance: bool,
    /// CGCS2000 latitude.
    pub lat: f64,
    /// CGCS2000 longitude.
    pub lon: f64,
    /// Geodesic distance from the registered position, metres (to the millimetre).
    pub offset_m: f64,
    /// As surveyed: east or longitude.
    pub x: f64,
    /// As surveyed: north or latitude.
    pub y: f64,
}

/// A reference object (方位物) checked: found or not, and re-measured when found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceCheck {
    /// Grid bearing from the marker as re-measured, degrees.
    #[serde(default)]
    pub bearing_deg: Option<f64>,
    /// Distance from the marker as re-measured, metres.
    #[serde(default)]
    pub distance_m: Option<f64>,
    /// Whether it was found.
    pub found: bool,
    /// Its name as registered.
    pub name: String,
}

/// Something changed across or along the line: construction across it, a river or road that
/// moved. Its geometry records where, beside the agreed line, which stays (art. 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroundChange {
    /// What and where.
    pub description: String,
    /// A GeoJSON geometry (CGCS2000 lon/lat).
    #[serde(default)]
    pub geometry: Option<Value>,
    /// `construction`, `river` or `road`.
    pub kind: ChangeKind,
    /// Photos of it.
    #[serde(default)]
    pub photo_ids: Vec<i64>,
}

/// The kinds of change on the ground a finding records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A building, road or works built across the line.
    Construction,
    /// A river that changed its course.
    River,
    /// A road that was moved.
    Road,
}

impl ChangeKind {
    /// The kind on reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Construction => "跨界建设",
            Self::River => "河流改道",
            Self::Road => "道路变化",
        }
    }
}

/// A finding as a client sends it, for any subject; what applies is checked by [`check_input`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// The day it was observed.
    pub observed_on: Option<NaiveDate>,
    /// A marker's condition.
    #[serde(default)]
    pub condition: Option<FoundCondition>,
    /// A marker's inscription.
    #[serde(default)]
    pub inscription: Option<Inscription>,
    /// A marker's measured position.
    #[serde(default)]
    pub position: Option<PositionInput>,
    /// A marker's reference objects.
    #[serde(default)]
    pub references: Vec<ReferenceCheck>,
    /// A segment's or the line's: whether it can be identified on the ground.
    #[serde(default)]
    pub line_identifiable: Option<bool>,
    /// A segment's or the line's changes on the ground.
    #[serde(default)]
    pub changes: Vec<GroundChange>,
    /// Photos (uploaded to the round first).
    #[serde(default)]
    pub photo_ids: Vec<i64>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Who of each side was present: division code → names.
    #[serde(default)]
    pub present: BTreeMap<String, Vec<String>>,
}

/// A finding as stored, versioned and hashed into the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// A segment's or the line's changes on the ground.
    #[serde(default)]
    pub changes: Vec<GroundChange>,
    /// A marker's condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<FoundCondition>,
    /// A marker's inscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inscription: Option<Inscription>,
    /// A segment's or the line's: whether it can be identified on the ground.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_identifiable: Option<bool>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The day it was observed.
    pub observed_on: NaiveDate,
    /// Photos.
    #[serde(default)]
    pub photo_ids: Vec<i64>,
    /// A marker's measured position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<MeasuredPosition>,
    /// Who of each side was present.
    #[serde(default)]
    pub present: BTreeMap<String, Vec<String>>,
    /// A marker's reference objects.
    #[serde(default)]
    pub references: Vec<ReferenceCheck>,
}

impl Finding {
    /// Every photo the finding refers to.
    pub fn all_photo_ids(&self) -> Vec<i64> {
        let mut ids = self.photo_ids.clone();
        ids.extend(
            self.changes
                .iter()
                .flat_map(|c| c.photo_ids.iter().copied()),
        );
        ids
    }
}

/// The most of a list a finding may hold.
const MAX_ITEMS: usize = 20;
/// The longest note.
const MAX_NOTES_CHARS: usize = 2000;

/// Checks everything of a finding but its position (which the caller converts through PROJ):
/// a marker needs a condition and inscription and takes references; a segment or the line
/// needs `line_identifiable` and takes changes; both sides named in `present` must be the
/// line's. Fields are named below `prefix` (`finding`, `items[2].finding`).
pub fn check_input(
    subject: &Subject,
    input: &FindingInput,
    sides: [&str; 2],
    today: NaiveDate,
    prefix: &str,
) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let field = |name: &str| format!("{prefix}.{name}");
    match input.observed_on {
        None => errors.push(
            field("observed_on"),
            "required: the day observed, YYYY-MM-DD",
        ),
        Some(day) if day > today => errors.push(
            field("observed_on"),
            "a finding cannot be dated in the future",
        ),
        _ => {}
    }
    if subject.is_marker() {
        match input.condition {
            None => errors.push(
                field("condition"),
                "required for a marker: intact, tilted, damaged, buried, missing, destroyed or moved",
            ),
            Some(condition) => {
                if condition.stands() && input.inscription.is_none() {
                    errors.push(field("inscription"), "required for a standing marker: legible or faded");
                }
                if !condition.stands() && input.position.is_some() {
                    errors.push(
                        field("position"),
                        format!("a {} marker has no position to measure", condition.as_str()),
                    );
                }
                if condition == FoundCondition::Moved && input.position.is_none() {
                    errors.push(field("position"), "a moved marker is measured where it stands now");
                }
            }
        }
        if input.line_identifiable.is_some() {
            errors.push(
                field("line_identifiable"),
                "for segments and the line, not a marker",
            );
        }
        if !input.changes.is_empty() {
            errors.push(field("changes"), "for segments and the line, not a marker");
        }
        for (i, reference) in input.references.iter().enumerate() {
            let at = |part: &str| format!("{prefix}.references[{i}].{part}");
            let name = reference.name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                errors.push(at("name"), "1 to 100 characters");
            }
            match (reference.found, reference.bearing_deg, reference.distance_m) {
                (false, None, None) => {}
                (false, _, _) => errors.push(
                    at("found"),
                    "a reference object not found has no re-measured bearing or distance",
                ),
                (true, bearing, distance) => {
                    if !bearing.is_some_and(|b| (0.0..360.0).contains(&b)) {
                        errors.push(at("bearing_deg"), "a bearing from 0 up to 360 degrees");
                    }
                    if !distance.is_some_and(|d| d > 0.0 && d <= 2000.0) {
                        errors.push(at("distance_m"), "more than 0 and at most 2000 m");
                    }
                }
            }
        }
    } else {
        for (value, name) in [
            (input.condition.is_some(), "condition"),
            (input.inscription.is_some(), "inscription"),
            (input.position.is_some(), "position"),
            (!input.references.is_empty(), "references"),
        ] {
            if value {
                errors.push(field(name), format!("for markers, not {subject}"));
            }
        }
        if input.line_identifiable.is_none() {
            errors.push(
                field("line_identifiable"),
                "required: whether the line can be identified on the ground",
            );
        }
        for (i, change) in input.changes.iter().enumerate() {
            let text = change.description.trim();
            if text.is_empty() || text.chars().count() > 500 {
                errors.push(
                    format!("{prefix}.changes[{i}].description"),
                    "1 to 500 characters",
                );
            }
            if let Some(geometry) = &change.geometry
                && let Err(problems) = super::geometry::parse_geometry(
                    geometry,
                    &format!("{prefix}.changes[{i}].geometry"),
                )
            {
                errors.extend(problems);
            }
        }
    }
    for (count, name) in [
        (input.references.len(), "references"),
        (input.changes.len(), "changes"),
        (input.photo_ids.len(), "photo_ids"),
    ] {
        if count > MAX_ITEMS {
            errors.push(field(name), format!("at most {MAX_ITEMS}"));
        }
    }
    if input
        .notes
        .as_deref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES_CHARS)
    {
        errors.push(
            field("notes"),
            format!("at most {MAX_NOTES_CHARS} characters"),
        );
    }
    for (side, names) in &input.present {
        if !sides.contains(&side.as_str()) {
            errors.push(
                format!("{prefix}.present.{side}"),
                format!(
                    "{side} is not a side of this line ({} or {})",
                    sides[0], sides[1]
                ),
            );
        }
        if names.is_empty()
            || names.len() > MAX_ITEMS
            || names
                .iter()
                .any(|n| n.trim().is_empty() || n.chars().count() > 50)
        {
            errors.push(
                format!("{prefix}.present.{side}"),
                "1 to 20 names of 1 to 50 characters",
            );
        }
    }
    errors
}

/// The geodesic distance in metres between two CGCS2000 positions (Karney's algorithm on the
/// WGS84 ellipsoid, which differs from CGCS2000's by 0.1 mm in its minor axis), rounded to the
/// millimetre.
///
/// ```
/// use diming::domain::inspection_finding::geodesic_offset_m;
/// // One second of latitude at 30.9° N is about 30.8 m.
/// let d = geodesic_offset_m((120.9, 30.9), (120.9, 30.9 + 1.0 / 3600.0));
/// assert!((d - 30.8).abs() < 0.1, "{d}");
/// ```
pub fn geodesic_offset_m(registered: (f64, f64), measured: (f64, f64)) -> f64 {
    let d = Geodesic.distance(
        Point::new(registered.0, registered.1),
        Point::new(measured.0, measured.1),
    );
    (d * 1000.0).round() / 1000.0
}

/// The checked finding: `input` with its position as measured (converted by the caller).
pub fn finding_from(input: FindingInput, position: Option<MeasuredPosition>) -> Finding {
    let trim_names = |present: BTreeMap<String, Vec<String>>| {
        present
            .into_iter()
            .map(|(side, names)| {
                (
                    side,
                    names.into_iter().map(|n| n.trim().to_string()).collect(),
                )
            })
            .collect()
    };
    Finding {
        observed_on: input.observed_on.unwrap_or_default(),
        condition: input.condition,
        inscription: input.inscription,
        position,
        references: input
            .references
            .into_iter()
            .map(|r| ReferenceCheck {
                name: r.name.trim().to_string(),
                ..r
            })
            .collect(),
        line_identifiable: input.line_identifiable,
        changes: input.changes,
        photo_ids: input.photo_ids,
        notes: input
            .notes
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        present: trim_names(input.present),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIDES: [&str; 2] = ["330421", "330482"];

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
    }

    fn fields(errors: FieldErrors) -> Vec<String> {
        errors.into_vec().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_marker_finding_needs_its_condition_and_names_every_problem() {
        let subject = Subject::parse("330421330482001A").unwrap();
        let input = FindingInput {
            observed_on: Some(day().succ_opt().unwrap()),
            references: vec![ReferenceCheck {
                name: "电杆".into(),
                found: true,
                bearing_deg: Some(400.0),
                distance_m: None,
            }],
            line_identifiable: Some(true),
            present: BTreeMap::from([("330481".to_string(), vec!["张三".to_string()])]),
            ..Default::default()
        };
        assert_eq!(
            fields(check_input(&subject, &input, SIDES, day(), "finding")),
            [
                "finding.observed_on",
                "finding.condition",
                "finding.line_identifiable",
                "finding.references[0].bearing_deg",
                "finding.references[0].distance_m",
                "finding.present.330481",
            ]
        );
    }

    #[test]
    fn a_missing_marker_has_no_position_and_a_moved_one_needs_one() {
        let subject = Subject::parse("330421330482001A").unwrap();
        let position = PositionInput {
            crs: None,
            x: 120.9,
            y: 30.9,
            helmert: None,
        };
        let missing = FindingInput {
            observed_on: Some(day()),
            condition: Some(FoundCondition::Missing),
            position: Some(position),
            ..Default::default()
        };
        assert_eq!(
            fields(check_input(&subject, &missing, SIDES, day(), "f")),
            ["f.position"]
        );
        let moved = FindingInput {
            observed_on: Some(day()),
            condition: Some(FoundCondition::Moved),
            inscription: Some(Inscription::Legible),
            ..Default::default()
        };
        assert_eq!(
            fields(check_input(&subject, &moved, SIDES, day(), "f")),
            ["f.position"]
        );
    }

    #[test]
    fn a_segment_finding_says_whether_the_line_is_identifiable() {
        let subject = Subject::Segment(2);
        let input = FindingInput {
            observed_on: Some(day()),
            condition: Some(FoundCondition::Intact),
            changes: vec![GroundChange {
                kind: ChangeKind::River,
                description: " ".into(),
                geometry: Some(serde_json::json!({"type": "Point", "coordinates": [1]})),
                photo_ids: vec![],
            }],
            ..Default::default()
        };
        let found = fields(check_input(&subject, &input, SIDES, day(), "f"));
        assert_eq!(
            found[..3],
            [
                "f.condition",
                "f.line_identifiable",
                "f.changes[0].description"
            ]
        );
        assert!(found[3].starts_with("f.changes[0].geometry"), "{found:?}");
    }

    #[test]
    fn offsets_are_geodesic_to_the_millimetre() {
        assert_eq!(geodesic_offset_m((121.0, 30.8), (121.0, 30.8)), 0.0);
        let d = geodesic_offset_m((121.0, 30.8), (121.00001, 30.80001));
        // PROJ's `geod -I +ellps=WGS84` gives 1.465 m (the HTTP test checks many more against it).
        assert!((d - 1.465).abs() < 0.001, "{d}");
    }
}
