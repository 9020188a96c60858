//! Boundary lines as records: the line code of two neighbouring divisions (the smaller code
//! first, as GB/T 17796 marker numbers begin), the agreement (协议书) that fixed the line, and
//! the line split into segments at its markers, and who may read a line and its markers.
#![warn(missing_docs)]

use chrono::NaiveDate;
use geo::{
    Coord, Distance, Euclidean, Geometry, Haversine, LineLocatePoint, LineString, MultiLineString,
    Point,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::account::{Actor, Role};
use super::boundary::geodesic_length;
use super::division_code::DivisionCode;
use super::field_error::{FieldError, FieldErrors};
use super::geometry::{check_within_china, parse_geometry};

/// A marker farther than this from a line does not split it (metres).
const MARKER_TOLERANCE_M: f64 = 50.0;

/// The two divisions a line separates, smaller code first.
///
/// ```
/// use diming::domain::boundary_line::LineCode;
/// use diming::domain::division_code::DivisionCode;
///
/// let code = |c: &str| DivisionCode::parse(c).unwrap();
/// let line = LineCode::between(code("330482"), code("330421")).unwrap();
/// assert_eq!(line.as_string(), "330421330482");
/// assert_eq!(LineCode::parse("330421330482").unwrap(), line);
/// // The larger code first is not a line code: each line has exactly one.
/// assert!(LineCode::parse("330482330421").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineCode {
    first: DivisionCode,
    second: DivisionCode,
}

/// Why two codes make no line, or a text is no line code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineCodeError {
    /// Both sides are the same division.
    #[error("a boundary line separates two different divisions")]
    SameDivision,
    /// The sides are of different levels (code, level, code, level).
    #[error("a boundary line joins divisions of one level; {0} is a {1} and {2} a {3}")]
    Levels(String, &'static str, String, &'static str),
    /// One half is not a division code (the half, the reason).
    #[error("{0}: {1}")]
    Code(String, String),
    /// Not two division codes of one length, smaller first.
    #[error("a line code is two division codes of one level, such as 330421330482")]
    Shape,
}

impl LineCode {
    /// The line between two divisions of one level, in either order.
    pub fn between(a: DivisionCode, b: DivisionCode) -> Result<Self, LineCodeError> {
        if a == b {
            return Err(LineCodeError::SameDivision);
        }
        if a.level() != b.level() {
            return Err(LineCodeError::Levels(
                a.to_string(),
                a.level().as_str(),
                b.to_string(),
                b.level().as_str(),
            ));
        }
        let (first, second) = if a < b { (a, b) } else { (b, a) };
        Ok(Self { first, second })
    }

    /// `330421330482` → 330421 and 330482.
    pub fn parse(text: &str) -> Result<Self, LineCodeError> {
        let text = text.trim();
        if !matches!(text.len(), 12 | 18 | 24) || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LineCodeError::Shape);
        }
        let (a, b) = text.split_at(text.len() / 2);
        let parse = |c: &str| {
            DivisionCode::parse(c).map_err(|e| LineCodeError::Code(c.to_string(), e.to_string()))
        };
        let line = Self::between(parse(a)?, parse(b)?)?;
        if line.as_string() != text {
            // The smaller code comes first, so each line has one code.
            return Err(LineCodeError::Shape);
        }
        Ok(line)
    }

    /// The code as marker numbers begin: the smaller division code, then the larger.
    pub fn as_string(&self) -> String {
        format!("{}{}", self.first.as_str(), self.second.as_str())
    }

    /// The two divisions, smaller code first.
    pub fn sides(&self) -> [&DivisionCode; 2] {
        [&self.first, &self.second]
    }
}

/// 界线协议书: the agreement both sides signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    /// e.g. 嘉善县与平湖市行政区域界线协议书
    pub title: String,
    /// The document number.
    pub number: String,
    /// The day both sides signed.
    pub signed_on: NaiveDate,
}

impl Agreement {
    /// Adds the agreement's problems (an empty or over-long title or number) to `errors`.
    pub fn check(&self, errors: &mut FieldErrors) {
        for (value, field) in [
            (&self.title, "agreement.title"),
            (&self.number, "agreement.number"),
        ] {
            if value.trim().is_empty() {
                errors.push(field, "empty");
            } else if value.chars().count() > 200 {
                errors.push(field, "at most 200 characters");
            }
        }
    }
}

/// One stretch of a line between two marker numbers (or a line's end). A pair or triple
/// stands under one number, so it is one stop: `from_marker`/`to_marker` are marker numbers
/// without the type letter (`330421330482001`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Its place along the line, from 1.
    pub number: usize,
    /// The marker number where it starts (`None` at an end of the line).
    pub from_marker: Option<String>,
    /// The marker number where it ends (`None` at an end of the line).
    pub to_marker: Option<String>,
    /// Its geodesic length in metres.
    pub length_m: f64,
    /// The side responsible for this segment, as the agreement assigns it.
    pub lead: Option<String>,
    /// The stretch itself.
    #[serde(skip)]
    pub line: LineString<f64>,
}

/// Which side leads a segment (界线分段负责方): the segment is named by the marker numbers at
/// its ends (`None` at an end of the line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentLead {
    /// The marker number at the segment's start.
    #[serde(default)]
    pub from_marker: Option<String>,
    /// The marker number at the segment's end.
    #[serde(default)]
    pub to_marker: Option<String>,
    /// The division code of the leading side.
    pub lead: String,
}

impl SegmentLead {
    /// Checks leads against the line: the lead is one of its two sides, the marker numbers are
    /// numbers of this line (three-digit sequence, no type letter), no segment is named twice.
    pub fn check_all(leads: &[SegmentLead], line: &LineCode, errors: &mut FieldErrors) {
        let mut seen = std::collections::HashSet::new();
        let code = line.as_string();
        for (i, lead) in leads.iter().enumerate() {
            let field = |part: &str| format!("segment_leads[{i}].{part}");
            if !line
                .sides()
                .iter()
                .any(|side| side.as_str() == lead.lead.trim())
            {
                errors.push(
                    field("lead"),
                    format!("{} is not a side of line {code}", lead.lead),
                );
            }
            for (marker, part) in [
                (&lead.from_marker, "from_marker"),
                (&lead.to_marker, "to_marker"),
            ] {
                if let Some(marker) = marker {
                    let fits = marker.strip_prefix(&code).is_some_and(|seq| {
                        seq.len() == 3 && seq.bytes().all(|b| b.is_ascii_digit())
                    });
                    if !fits {
                        errors.push(
                            field(part),
                            format!("{marker} is not a marker number of this line ({code} and three digits, such as {code}001)"),
                        );
                    }
                }
            }
            if !seen.insert((lead.from_marker.clone(), lead.to_marker.clone())) {
                errors.push(field("to_marker"), "this segment already has a lead");
            }
        }
    }
}

/// Gives each segment its lead, where one is assigned.
pub fn assign_leads(segments: &mut [Segment], leads: &[SegmentLead]) {
    for segment in segments {
        segment.lead = leads
            .iter()
            .find(|l| l.from_marker == segment.from_marker && l.to_marker == segment.to_marker)
            .map(|l| l.lead.trim().to_string());
    }
}

/// A line as sent for recording: a GeoJSON LineString or MultiLineString within China.
pub fn line_geometry(value: &Value, field: &str) -> Result<MultiLineString<f64>, FieldErrors> {
    let geometry = parse_geometry(value, field)?;
    check_within_china(&geometry, field)?;
    match geometry {
        Geometry::LineString(line) => Ok(MultiLineString::new(vec![line])),
        Geometry::MultiLineString(lines) => Ok(lines),
        _ => {
            Err(FieldError::new(field, "a boundary line is a LineString or MultiLineString").into())
        }
    }
}

/// Checks that a boundary line is simple: no part crosses or touches itself (a part may close
/// on itself, round an enclave), and parts meet only at their ends. A vertex repeated in a row
/// is no crossing. The first crossing found is named with its position.
///
/// ```
/// use diming::domain::boundary_line::check_simple;
/// use geo::{LineString, MultiLineString};
///
/// let straight = MultiLineString::new(vec![LineString::from(vec![(121.0, 30.0), (121.0, 30.1), (121.1, 30.1)])]);
/// assert!(check_simple(&straight, "geometry").is_ok());
/// // A Z drawn as an X: the last segment crosses the first.
/// let crossing = MultiLineString::new(vec![LineString::from(vec![(121.0, 30.0), (121.1, 30.1), (121.1, 30.0), (121.0, 30.1)])]);
/// let errors = check_simple(&crossing, "geometry").unwrap_err();
/// assert!(errors.as_slice()[0].message.contains("crosses itself"));
/// ```
pub fn check_simple(lines: &MultiLineString<f64>, field: &str) -> Result<(), FieldErrors> {
    use geo::line_intersection::{LineIntersection, line_intersection};
    use geo::{Line, coord};
    use rstar::primitives::GeomWithData;
    use rstar::{RTree, RTreeObject};

    // Each part without vertices repeated in a row, and its segments with (part, segment).
    let parts: Vec<Vec<Coord<f64>>> = lines
        .0
        .iter()
        .map(|line| {
            let mut coords = line.0.clone();
            coords.dedup();
            coords
        })
        .collect();
    let segments: Vec<GeomWithData<Line<f64>, (usize, usize)>> = parts
        .iter()
        .enumerate()
        .flat_map(|(p, coords)| {
            coords
                .windows(2)
                .enumerate()
                .map(move |(k, w)| GeomWithData::new(Line::new(w[0], w[1]), (p, k)))
        })
        .collect();
    let ends = |p: usize| {
        let coords = &parts[p];
        (coords[0], coords[coords.len() - 1])
    };
    let tree = RTree::bulk_load(segments.clone());
    let allowed = |a: (usize, usize), b: (usize, usize), hit: &LineIntersection<f64>| {
        let LineIntersection::SinglePoint { intersection, .. } = hit else {
            return false; // Overlapping segments: the line runs back over itself.
        };
        let at = *intersection;
        if a.0 == b.0 {
            let last = parts[a.0].len().saturating_sub(2);
            let (first, end) = ends(a.0);
            (b.1 == a.1 + 1 && at == parts[a.0][b.1])
                || (a.1 == 0 && b.1 == last && first == end && at == first)
        } else {
            let (a_first, a_end) = ends(a.0);
            let (b_first, b_end) = ends(b.0);
            (at == a_first || at == a_end) && (at == b_first || at == b_end)
        }
    };
    for segment in &segments {
        let a = segment.data;
        let crossing = tree
            .locate_in_envelope_intersecting(&segment.envelope())
            .filter(|other| other.data > a)
            .filter_map(|other| {
                let hit = line_intersection(*segment.geom(), *other.geom())?;
                (!allowed(a, other.data, &hit)).then_some((other.data, hit))
            })
            .min_by_key(|(b, _)| *b);
        if let Some((b, hit)) = crossing {
            let at = match hit {
                LineIntersection::SinglePoint { intersection, .. } => intersection,
                LineIntersection::Collinear { intersection } => intersection.start,
            };
            let at = coord! { x: at.x, y: at.y };
            let place = if a.0 == b.0 {
                format!("part {}, segments {} and {}", a.0 + 1, a.1 + 1, b.1 + 1)
            } else {
                format!(
                    "segment {} of part {} and segment {} of part {}",
                    a.1 + 1,
                    a.0 + 1,
                    b.1 + 1,
                    b.0 + 1
                )
            };
            return Err(FieldError::new(
                field,
                format!(
                    "the line crosses itself at {:.6}, {:.6} ({place}): a boundary line is simple; fix the order of its positions",
                    at.x, at.y
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// The stops on a line from its markers (number, longitude, latitude), in the order given: one
/// per marker number, since a pair or triple stands under one number (at the mean of its
/// markers), labelled with the number without its type letter.
pub fn marker_stops(markers: &[(String, f64, f64)]) -> Vec<(String, Point<f64>)> {
    let mut stops: Vec<(String, Vec<Point<f64>>)> = Vec::new();
    for (number, lon, lat) in markers {
        let label = number
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .to_string();
        match stops.iter_mut().find(|(l, _)| *l == label) {
            Some((_, points)) => points.push(Point::new(*lon, *lat)),
            None => stops.push((label, vec![Point::new(*lon, *lat)])),
        }
    }
    stops
        .into_iter()
        .map(|(label, points)| {
            let n = points.len() as f64;
            let sum = points.iter().fold(Point::new(0.0, 0.0), |acc, p| acc + *p);
            (label, Point::new(sum.x() / n, sum.y() / n))
        })
        .collect()
}

/// Why a staff member may not read a line, its markers, or record an inspection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineAccessError {
    /// The reader is staff of neither side.
    #[error("the line between {0} and {1} belongs to neither side of your jurisdiction")]
    NeitherSide(DivisionCode, DivisionCode),
    /// A line numbered otherwise than by two division codes, read by other than a
    /// country-wide admin.
    #[error("line {0} belongs to neither side of your jurisdiction")]
    OtherLine(String),
    /// The role records no inspections.
    #[error("the {0} role may not record marker inspections")]
    MayNotInspect(&'static str),
}

/// Staff of either side read a line (see `Actor::on_either_side`).
pub fn may_read_line(actor: &Actor, line: &LineCode) -> Result<(), LineAccessError> {
    let [a, b] = line.sides();
    if actor.on_either_side(a, b) {
        Ok(())
    } else {
        Err(LineAccessError::NeitherSide(a.clone(), b.clone()))
    }
}

/// Staff of either side read a line's markers; a line code that is not two division codes
/// (some provincial lines are numbered otherwise) is for country-wide admins.
pub fn may_read_markers_of(actor: &Actor, line_code: &str) -> Result<(), LineAccessError> {
    match LineCode::parse(line_code) {
        Ok(line) => may_read_line(actor, &line),
        Err(_) if actor.role == Role::Admin && actor.jurisdictions.is_empty() => Ok(()),
        Err(_) => Err(LineAccessError::OtherLine(line_code.to_string())),
    }
}

/// Recording an inspection or a photo of a line's markers: admins, editors and inspectors of
/// either side.
pub fn may_inspect_markers_of(actor: &Actor, line_code: &str) -> Result<(), LineAccessError> {
    may_read_markers_of(actor, line_code)?;
    if matches!(actor.role, Role::Admin | Role::Editor | Role::Inspector) {
        Ok(())
    } else {
        Err(LineAccessError::MayNotInspect(actor.role.as_str()))
    }
}

/// Splits each part of the line at the markers standing on it (within 50 m), in order along
/// the part; segments are numbered along the line.
pub fn segments(line: &MultiLineString<f64>, markers: &[(String, Point<f64>)]) -> Vec<Segment> {
    let mut segments = Vec::new();
    for part in &line.0 {
        let mut cuts: Vec<(f64, &str)> = markers
            .iter()
            .filter_map(|(number, point)| {
                let fraction = part.line_locate_point(point)?;
                let on_line = point_at(part, fraction)?;
                (Haversine.distance(on_line, *point) <= MARKER_TOLERANCE_M)
                    .then_some((fraction, number.as_str()))
            })
            .collect();
        cuts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let stops: Vec<(f64, Option<&str>)> = std::iter::once((0.0, None))
            .chain(cuts.into_iter().map(|(f, n)| (f, Some(n))))
            .chain(std::iter::once((1.0, None)))
            .collect();
        for pair in stops.windows(2) {
            let ((from, from_marker), (to, to_marker)) = (pair[0], pair[1]);
            if to <= from {
                continue;
            }
            let piece = sub_line(part, from, to);
            segments.push(Segment {
                number: segments.len() + 1,
                from_marker: from_marker.map(str::to_string),
                to_marker: to_marker.map(str::to_string),
                length_m: geodesic_length(&MultiLineString::new(vec![piece.clone()])),
                lead: None,
                line: piece,
            });
        }
    }
    segments
}

/// The point at `fraction` of the line's (planar) length, the measure `line_locate_point` uses.
fn point_at(line: &LineString<f64>, fraction: f64) -> Option<Point<f64>> {
    sub_line(line, 0.0, fraction)
        .0
        .last()
        .copied()
        .map(Point::from)
}

/// The part of `line` between two fractions of its planar length.
fn sub_line(line: &LineString<f64>, from: f64, to: f64) -> LineString<f64> {
    let lengths: Vec<f64> = line
        .lines()
        .map(|l| Euclidean.distance(l.start, l.end))
        .collect();
    let total: f64 = lengths.iter().sum();
    let (start, end) = (from * total, to * total);
    let mut coords: Vec<Coord<f64>> = Vec::new();
    let mut walked = 0.0;
    for (segment, length) in line.lines().zip(&lengths) {
        let (a, b) = (walked, walked + length);
        let at = |distance: f64| {
            let t = if *length > 0.0 {
                (distance - a) / length
            } else {
                0.0
            };
            segment.start + (segment.end - segment.start) * t.clamp(0.0, 1.0)
        };
        if b >= start && a <= end {
            if coords.is_empty() {
                coords.push(at(start.max(a)));
            }
            let last = at(end.min(b));
            if coords.last() != Some(&last) {
                coords.push(last);
            }
        }
        walked = b;
    }
    if coords.len() == 1 {
        coords.push(coords[0]);
    }
    LineString::new(coords)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn a_line_code_puts_the_smaller_code_first() {
        let line = LineCode::between(code("330482"), code("330421")).unwrap();
        assert_eq!(line.as_string(), "330421330482");
        assert_eq!(LineCode::parse("330421330482").unwrap(), line);
        assert_eq!(LineCode::parse("330482330421"), Err(LineCodeError::Shape));
        assert!(LineCode::between(code("330421"), code("330421101")).is_err());
        assert_eq!(
            LineCode::between(code("330421"), code("330421")),
            Err(LineCodeError::SameDivision)
        );
    }

    #[test]
    fn markers_on_the_line_split_it_into_numbered_segments() {
        // About 11.1 km north along a meridian, with a marker a third of the way and one far off.
        let line = MultiLineString::new(vec![LineString::from(vec![(121.0, 30.0), (121.0, 30.1)])]);
        let markers = vec![
            (
                "330421330482001Q".to_string(),
                Point::new(121.0001, 30.0333),
            ),
            ("330421330482009Q".to_string(), Point::new(121.2, 30.05)),
        ];
        let parts = segments(&line, &markers);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].to_marker.as_deref(), Some("330421330482001Q"));
        assert_eq!(parts[1].from_marker.as_deref(), Some("330421330482001Q"));
        let total: f64 = parts.iter().map(|s| s.length_m).sum();
        assert!((total - geodesic_length(&line)).abs() < 0.01, "{total}");
        assert!(
            (parts[0].length_m - 3_694.0).abs() < 20.0,
            "{}",
            parts[0].length_m
        );
    }

    fn actor(role: Role, jurisdictions: &[&str]) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            jurisdictions: jurisdictions
                .iter()
                .map(|j| crate::domain::division_code::Jurisdiction::parse(j).unwrap())
                .collect(),
        }
    }

    #[test]
    fn staff_of_either_side_read_a_line_and_inspectors_record_what_they_find() {
        let line = LineCode::parse("330421330482").unwrap();
        assert!(may_read_line(&actor(Role::Reviewer, &["330421"]), &line).is_ok());
        assert!(matches!(
            may_read_line(&actor(Role::Editor, &["3301"]), &line),
            Err(LineAccessError::NeitherSide(..))
        ));
        assert!(may_read_markers_of(&actor(Role::Admin, &[]), "3233").is_ok());
        assert_eq!(
            may_read_markers_of(&actor(Role::Admin, &["33"]), "3233"),
            Err(LineAccessError::OtherLine("3233".into()))
        );
        assert!(
            may_inspect_markers_of(&actor(Role::Inspector, &["330482"]), "330421330482").is_ok()
        );
        assert_eq!(
            may_inspect_markers_of(&actor(Role::Reviewer, &["330482"]), "330421330482"),
            Err(LineAccessError::MayNotInspect("reviewer"))
        );
    }

    #[test]
    fn a_pair_is_one_stop_at_the_mean_of_its_markers() {
        let stops = marker_stops(&[
            ("330421330482001A".into(), 121.0, 30.0),
            ("330421330482001B".into(), 121.0002, 30.0),
            ("330421330482002Q".into(), 121.1, 30.1),
        ]);
        assert_eq!(stops.len(), 2);
        assert_eq!(stops[0].0, "330421330482001");
        assert!((stops[0].1.x() - 121.0001).abs() < 1e-12);
        assert_eq!(stops[1].0, "330421330482002");
    }

    #[test]
    fn a_recorded_line_is_a_line_string_or_several() {
        let line = serde_json::json!({ "type": "LineString", "coordinates": [[121.0, 30.0], [121.0, 30.1]] });
        assert_eq!(line_geometry(&line, "geometry").unwrap().0.len(), 1);
        let point = serde_json::json!({ "type": "Point", "coordinates": [121.0, 30.0] });
        assert!(line_geometry(&point, "geometry").is_err());
    }

    #[test]
    fn a_simple_line_passes_and_a_crossing_or_fold_does_not() {
        let simple = |coords: Vec<(f64, f64)>| {
            check_simple(
                &MultiLineString::new(vec![LineString::from(coords)]),
                "geometry",
            )
        };
        assert!(
            simple(vec![
                (121.0, 30.0),
                (121.0, 30.1),
                (121.0, 30.1),
                (121.1, 30.1)
            ])
            .is_ok()
        );
        // A closed line round an enclave.
        assert!(
            simple(vec![
                (121.0, 30.0),
                (121.1, 30.0),
                (121.1, 30.1),
                (121.0, 30.0)
            ])
            .is_ok()
        );
        let crossing = simple(vec![
            (121.0, 30.0),
            (121.1, 30.1),
            (121.1, 30.0),
            (121.0, 30.1),
        ]);
        let message = &crossing.unwrap_err().into_vec()[0].message;
        assert!(message.contains("121.050000, 30.050000"), "{message}");
        // Back over itself.
        assert!(simple(vec![(121.0, 30.0), (121.0, 30.1), (121.0, 30.05)]).is_err());
        // Touching itself at a vertex.
        assert!(
            simple(vec![
                (121.0, 30.0),
                (121.1, 30.0),
                (121.1, 30.1),
                (121.05, 30.0)
            ])
            .is_err()
        );
        // Two parts meeting at their ends pass; crossing in their middles does not.
        let two = |b: Vec<(f64, f64)>| {
            check_simple(
                &MultiLineString::new(vec![
                    LineString::from(vec![(121.0, 30.0), (121.0, 30.1)]),
                    LineString::from(b),
                ]),
                "geometry",
            )
        };
        assert!(two(vec![(121.0, 30.1), (121.1, 30.1)]).is_ok());
        assert!(two(vec![(120.9, 30.05), (121.1, 30.05)]).is_err());
    }

    #[test]
    fn a_line_without_markers_is_one_segment_per_part() {
        let line = MultiLineString::new(vec![
            LineString::from(vec![(121.0, 30.0), (121.0, 30.1)]),
            LineString::from(vec![(121.1, 30.0), (121.1, 30.1)]),
        ]);
        let parts = segments(&line, &[]);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].number, 2);
    }
}
