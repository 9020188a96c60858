//! Whether geometry agrees with what its record says, measured on the in-memory index (no I/O):
//!
//! - a place lies in the divisions it names: every position within [`BOUNDARY_TOLERANCE_M`] of
//!   one of them (a line or area crossing into a neighbour names the neighbour too);
//! - a division's new polygon nests in its parent and overlaps no sibling by more than
//!   [`OVERLAP_TOLERANCE`] of its own area;
//! - a boundary marker stands within a given distance of its line.
//!
//! A division without a registered polygon (a village, usually) is checked through its nearest
//! ancestor that has one; when none has, there is nothing to check against and the check passes.

use geo::{
    BooleanOps, BoundingRect, Closest, ClosestPoint, Coord, GeodesicArea, Geometry,
    MultiLineString, MultiPolygon, Point,
};

use super::index::{DivisionArea, SpatialIndex, ellipsoidal_distance};
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;

/// How far a position may lie outside the divisions its record names (metres, geodesic): a
/// feature on a boundary (a bridge, a boundary river) is drawn on either side of it, and
/// registered polygons are generalised by about that much.
pub const BOUNDARY_TOLERANCE_M: f64 = 100.0;

/// How much of a division's new polygon may lie outside its parent, or inside one sibling, as
/// a share of its own area. 1% is what a band of about 100 m along the boundary of a
/// county-sized area comes to (a 50 km boundary × 100 m = 5 km², 1% of 500 km²): polygons from
/// different surveys disagree by that much along a shared edge, while a polygon drawn in the
/// wrong place overlaps by far more.
pub const OVERLAP_TOLERANCE: f64 = 0.01;

/// A distance as a person reads it: `85 m`, `2.3 km`, `1,083 km`.
///
/// ```
/// use diming::spatial::consistency::readable_distance;
/// assert_eq!(readable_distance(84.6), "85 m");
/// assert_eq!(readable_distance(2_345.0), "2.3 km");
/// assert_eq!(readable_distance(1_083_400.0), "1,083 km");
/// ```
pub fn readable_distance(metres: f64) -> String {
    if metres < 1_000.0 {
        format!("{metres:.0} m")
    } else if metres < 100_000.0 {
        format!("{:.1} km", metres / 1_000.0)
    } else {
        let km = (metres / 1_000.0).round() as u64;
        let digits = km.to_string();
        let mut grouped = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("{grouped} km")
    }
}

/// The registered area a record naming `code` is checked against: the division's own, or its
/// nearest ancestor's. With `own` the record is the division's own area, checked against its
/// ancestors only.
pub fn checking_area<'a>(
    index: &'a SpatialIndex,
    code: &DivisionCode,
    own: bool,
) -> Option<DivisionArea<'a>> {
    let mut next = if own {
        code.parent()
    } else {
        Some(code.clone())
    };
    while let Some(code) = next {
        if let Some(area) = index.registered_area(code.as_str()) {
            return Some(area);
        }
        next = code.parent();
    }
    None
}

/// Calls `visit` with every position of a geometry and its path under `coordinates`
/// (`[2]`, `[0][3]`, `[1][0][5]`; empty for a point).
fn for_each_position(geometry: &Geometry<f64>, mut visit: impl FnMut(String, Coord<f64>)) {
    let ring =
        |prefix: String, coords: &[Coord<f64>], visit: &mut dyn FnMut(String, Coord<f64>)| {
            for (i, c) in coords.iter().enumerate() {
                visit(format!("{prefix}[{i}]"), *c);
            }
        };
    let polygon =
        |prefix: String, p: &geo::Polygon<f64>, visit: &mut dyn FnMut(String, Coord<f64>)| {
            ring(format!("{prefix}[0]"), &p.exterior().0, visit);
            for (r, interior) in p.interiors().iter().enumerate() {
                ring(format!("{prefix}[{}]", r + 1), &interior.0, visit);
            }
        };
    match geometry {
        Geometry::Point(p) => visit(String::new(), p.0),
        Geometry::MultiPoint(m) => {
            for (i, p) in m.iter().enumerate() {
                visit(format!("[{i}]"), p.0);
            }
        }
        Geometry::LineString(l) => ring(String::new(), &l.0, &mut visit),
        Geometry::MultiLineString(m) => {
            for (i, l) in m.iter().enumerate() {
                ring(format!("[{i}]"), &l.0, &mut visit);
            }
        }
        Geometry::Polygon(p) => polygon(String::new(), p, &mut visit),
        Geometry::MultiPolygon(m) => {
            for (i, p) in m.iter().enumerate() {
                polygon(format!("[{i}]"), p, &mut visit);
            }
        }
        // Not produced by `domain::geometry::parse_geometry`.
        Geometry::Line(_)
        | Geometry::Rect(_)
        | Geometry::Triangle(_)
        | Geometry::GeometryCollection(_) => {}
    }
}

/// "嘉善县 (330421)", with the division named when it is checked through an ancestor.
fn describe(area: &DivisionArea<'_>, named: &DivisionCode) -> String {
    let code = area.place.division_code.as_deref().unwrap_or_default();
    if code == named.as_str() {
        format!("{} ({code})", area.place.name)
    } else {
        format!(
            "{} ({code}; {named} has no registered polygon and is checked through it)",
            area.place.name
        )
    }
}

/// Which registered division a position lies in, for the message: ", in 平湖市 (330482)".
fn lies_in(index: &SpatialIndex, at: Coord<f64>) -> String {
    match index.innermost_area(at, |p| p.category.starts_with("21")) {
        Some(place) => format!(
            ", in {} ({})",
            place.name,
            place.division_code.as_deref().unwrap_or("?")
        ),
        None => ", in no division with a registered polygon".to_string(),
    }
}

/// Checks that a place's geometry lies in the divisions it names (`divisions`, as in
/// `properties.division_codes`): every position inside one of their registered areas or
/// within [`BOUNDARY_TOLERANCE_M`] of one. `own` says the record is the first division's own
/// area (category 21x), which is checked against its ancestors. When a named division has no
/// registered area, nor any ancestor of it, the check is skipped: the geometry could lie
/// anywhere in it. A refusal names the first position outside (`geometry` for a point,
/// `geometry.coordinates[3]` otherwise), how far it lies from the nearest named division, and
/// the division it lies in.
///
/// Cost: one R-tree descent and edge-index test per position; positions outside the interior
/// also measure against the boundary's segment R-tree.
///
/// ```
/// use diming::domain::division_code::DivisionCode;
/// use diming::spatial::consistency::check_place_geometry;
/// use diming::spatial::index::{IndexedPlace, SpatialIndex};
/// use geo::{Geometry, point, polygon};
///
/// let county = |id, name: &str, code: &str| IndexedPlace {
///     place_id: id, name: name.into(), category: "213".into(),
///     division_code: Some(code.into()), public: true,
/// };
/// let west: Geometry = polygon![(x: 120.9, y: 30.8), (x: 121.0, y: 30.8), (x: 121.0, y: 30.9), (x: 120.9, y: 30.9), (x: 120.9, y: 30.8)].into();
/// let east: Geometry = polygon![(x: 121.0, y: 30.8), (x: 121.1, y: 30.8), (x: 121.1, y: 30.9), (x: 121.0, y: 30.9), (x: 121.0, y: 30.8)].into();
/// let index = SpatialIndex::build([(county(1, "嘉善县", "330421"), west), (county(2, "平湖市", "330482"), east)]);
/// let codes = |c: &[&str]| c.iter().map(|c| DivisionCode::parse(c).unwrap()).collect::<Vec<_>>();
///
/// // A village of 西塘镇 (no polygon of its own): checked through 嘉善县.
/// let inside: Geometry = point!(x: 120.95, y: 30.85).into();
/// assert!(check_place_geometry(&index, &inside, &codes(&["330421101"]), false).is_ok());
/// // 50 m over the line into 平湖市: within the tolerance.
/// let on_line: Geometry = point!(x: 121.0005, y: 30.85).into();
/// assert!(check_place_geometry(&index, &on_line, &codes(&["330421"]), false).is_ok());
/// // Well inside 平湖市.
/// let across: Geometry = point!(x: 121.05, y: 30.85).into();
/// let error = check_place_geometry(&index, &across, &codes(&["330421"]), false).unwrap_err();
/// let message = &error.as_slice()[0].message;
/// assert!(message.contains("4.8 km from 嘉善县 (330421), in 平湖市 (330482)"), "{message}");
/// ```
pub fn check_place_geometry(
    index: &SpatialIndex,
    geometry: &Geometry<f64>,
    divisions: &[DivisionCode],
    own: bool,
) -> Result<(), FieldErrors> {
    let mut areas: Vec<(DivisionArea<'_>, &DivisionCode)> = Vec::with_capacity(divisions.len());
    for (i, code) in divisions.iter().enumerate() {
        let Some(area) = checking_area(index, code, own && i == 0) else {
            return Ok(());
        };
        if !areas
            .iter()
            .any(|(a, _)| a.place.place_id == area.place.place_id)
        {
            areas.push((area, code));
        }
    }
    if areas.is_empty() {
        return Ok(());
    }
    // The first position outside, with its nearest named area and distance; and how many more.
    let mut first: Option<(String, Coord<f64>, usize, f64)> = None;
    let mut more = 0usize;
    for_each_position(geometry, |path, at| {
        if areas.iter().any(|(a, _)| a.contains(at)) {
            return;
        }
        let (nearest, distance) = areas
            .iter()
            .enumerate()
            .map(|(i, (a, _))| (i, a.distance_m(at)))
            .fold((0, f64::INFINITY), |best, next| {
                if next.1 < best.1 { next } else { best }
            });
        if distance <= BOUNDARY_TOLERANCE_M {
            return;
        }
        if first.is_none() {
            first = Some((path, at, nearest, distance));
        } else {
            more += 1;
        }
    });
    let Some((path, at, nearest, distance)) = first else {
        return Ok(());
    };
    let (area, named) = &areas[nearest];
    let (field, what) = if path.is_empty() {
        ("geometry".to_string(), "the point".to_string())
    } else {
        (
            format!("geometry.coordinates{path}"),
            format!("position {path} ({:.6}, {:.6})", at.x, at.y),
        )
    };
    let others = match more {
        0 => String::new(),
        1 => " (and 1 more position)".to_string(),
        n => format!(" (and {n} more positions)"),
    };
    let message = format!(
        "{what} lies {} from {}{}{others}, farther than the {} allowed for a feature on a boundary: correct the position, or list the division it extends into in properties.division_codes",
        readable_distance(distance),
        describe(area, named),
        lies_in(index, at),
        readable_distance(BOUNDARY_TOLERANCE_M),
    );
    Err(FieldErrors::one(field, message))
}

/// Checks a division's new polygon (`field`, e.g. `changes[0].geometry`) against the register:
/// no more than [`OVERLAP_TOLERANCE`] of its area outside the registered area of its nearest
/// ancestor that has one, and no more than that inside any registered division of its own level
/// that the event does not redraw (`redrawn`: the codes whose areas the event changes, checked
/// against their new polygons in `others` instead). `others` are the other new polygons of the
/// same event, with their codes. Each excess is one error on `field`, with its area and share.
pub fn check_division_polygon(
    index: &SpatialIndex,
    field: &str,
    code: &DivisionCode,
    polygon: &MultiPolygon<f64>,
    redrawn: &[DivisionCode],
    others: &[(DivisionCode, MultiPolygon<f64>)],
) -> Result<(), FieldErrors> {
    let own_area = polygon.geodesic_area_unsigned();
    if own_area <= 0.0 {
        return Ok(());
    }
    let share = |part: f64| 100.0 * part / own_area;
    let mut errors = FieldErrors::default();
    let parent = checking_area(index, code, true).filter(|parent| {
        // A parent the event redraws too is measured by its new polygon, not checked here.
        parent
            .place
            .division_code
            .as_deref()
            .is_none_or(|c| !redrawn.iter().any(|r| r.as_str() == c))
    });
    if let Some(parent) = parent {
        let outside = polygon.difference(parent.shape()).geodesic_area_unsigned();
        if outside > OVERLAP_TOLERANCE * own_area {
            errors.push(
                field,
                format!(
                    "{} km² ({:.0}% of the polygon) lies outside its parent {} ({}); at most {:.0}% may, for polygons of different surveys",
                    readable_area_km2(outside),
                    share(outside),
                    parent.place.name,
                    parent.place.division_code.as_deref().unwrap_or("?"),
                    OVERLAP_TOLERANCE * 100.0
                ),
            );
        }
    }
    let Some(rect) = polygon.bounding_rect() else {
        return errors.into_result(());
    };
    let mut overlap = |name: &str, other_code: &str, shape: &MultiPolygon<f64>| {
        let shared = polygon.intersection(shape).geodesic_area_unsigned();
        if shared > OVERLAP_TOLERANCE * own_area {
            errors.push(
                field,
                format!(
                    "the polygon overlaps {name} ({other_code}) by {} km² ({:.0}% of the polygon); divisions of one level may overlap by at most {:.0}%",
                    readable_area_km2(shared),
                    share(shared),
                    OVERLAP_TOLERANCE * 100.0
                ),
            );
        }
    };
    for sibling in index.administrative_areas_meeting(rect) {
        let Some(sibling_code) = sibling
            .place
            .division_code
            .as_deref()
            .and_then(|c| DivisionCode::parse(c).ok())
        else {
            continue;
        };
        if sibling_code.level() != code.level()
            || sibling_code == *code
            || redrawn.contains(&sibling_code)
        {
            continue;
        }
        overlap(&sibling.place.name, sibling_code.as_str(), sibling.shape());
    }
    for (other_code, shape) in others {
        if other_code != code {
            overlap("the event's", other_code.as_str(), shape);
        }
    }
    errors.into_result(())
}

fn readable_area_km2(square_metres: f64) -> String {
    let km2 = square_metres / 1e6;
    if km2 < 10.0 {
        format!("{km2:.2}")
    } else {
        format!("{km2:.0}")
    }
}

/// The geodesic distance in metres from a point to a line's closest point (for a marker and
/// its boundary line); `None` for a line without segments.
///
/// ```
/// use diming::spatial::consistency::distance_to_line_m;
/// use geo::{LineString, MultiLineString, point};
///
/// let line = MultiLineString::new(vec![LineString::from(vec![(121.0, 30.8), (121.0, 30.9)])]);
/// let d = distance_to_line_m(&line, point!(x: 121.01, y: 30.85)).unwrap();
/// assert!((d - 956.0).abs() < 5.0, "{d}");
/// ```
pub fn distance_to_line_m(line: &MultiLineString<f64>, point: Point<f64>) -> Option<f64> {
    use geo::LinesIter;
    line.lines_iter()
        .filter_map(|segment| match segment.closest_point(&point) {
            Closest::Intersection(p) | Closest::SinglePoint(p) => Some(p),
            Closest::Indeterminate => None,
        })
        .map(|closest| ellipsoidal_distance(point, closest))
        .min_by(f64::total_cmp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::index::IndexedPlace;
    use geo::{line_string, point, polygon};

    fn county(id: i64, name: &str, code: &str) -> IndexedPlace {
        IndexedPlace {
            place_id: id,
            name: name.into(),
            category: "213".into(),
            division_code: Some(code.into()),
            public: true,
        }
    }

    fn codes(list: &[&str]) -> Vec<DivisionCode> {
        list.iter()
            .map(|c| DivisionCode::parse(c).unwrap())
            .collect()
    }

    /// 嘉善县 west of x = 121.0 and 平湖市 east of it.
    fn two_counties() -> SpatialIndex {
        let west: Geometry<f64> = polygon![(x: 120.9, y: 30.8), (x: 121.0, y: 30.8), (x: 121.0, y: 30.9), (x: 120.9, y: 30.9), (x: 120.9, y: 30.8)].into();
        let east: Geometry<f64> = polygon![(x: 121.0, y: 30.8), (x: 121.1, y: 30.8), (x: 121.1, y: 30.9), (x: 121.0, y: 30.9), (x: 121.0, y: 30.8)].into();
        SpatialIndex::build([
            (county(1, "嘉善县", "330421"), west),
            (county(2, "平湖市", "330482"), east),
        ])
    }

    #[test]
    fn a_point_far_away_is_refused_with_its_distance() {
        let index = two_counties();
        let beijing: Geometry<f64> = point!(x: 116.4, y: 39.9).into();
        let error = check_place_geometry(&index, &beijing, &codes(&["330421"]), false)
            .unwrap_err()
            .into_vec()
            .remove(0);
        assert_eq!(error.field, "geometry");
        assert!(
            error.message.contains("km from 嘉善县 (330421)"),
            "{}",
            error.message
        );
        assert!(
            error
                .message
                .contains("no division with a registered polygon")
        );
    }

    #[test]
    fn a_line_into_a_neighbour_names_it_or_is_refused() {
        let index = two_counties();
        let road: Geometry<f64> =
            line_string![(x: 120.95, y: 30.85), (x: 120.99, y: 30.85), (x: 121.05, y: 30.85)]
                .into();
        let error = check_place_geometry(&index, &road, &codes(&["330421"]), false)
            .unwrap_err()
            .into_vec()
            .remove(0);
        assert_eq!(error.field, "geometry.coordinates[2]");
        assert!(
            error.message.contains("in 平湖市 (330482)"),
            "{}",
            error.message
        );
        assert!(check_place_geometry(&index, &road, &codes(&["330421", "330482"]), false).is_ok());
    }

    #[test]
    fn without_any_registered_polygon_there_is_nothing_to_check() {
        let index = two_counties();
        let far: Geometry<f64> = point!(x: 116.4, y: 39.9).into();
        assert!(check_place_geometry(&index, &far, &codes(&["110101"]), false).is_ok());
        // A county's own record is checked against its ancestors only: none here.
        assert!(check_place_geometry(&index, &far, &codes(&["330421"]), true).is_ok());
    }

    #[test]
    fn a_new_polygon_must_nest_and_not_overlap_its_siblings() {
        let index = two_counties();
        let square = |west: f64| -> MultiPolygon<f64> {
            MultiPolygon(vec![
                polygon![(x: west, y: 30.84), (x: west + 0.02, y: 30.84), (x: west + 0.02, y: 30.86), (x: west, y: 30.86), (x: west, y: 30.84)],
            ])
        };
        let township = codes(&["330421120"]).remove(0);
        assert!(
            check_division_polygon(
                &index,
                "changes[0].geometry",
                &township,
                &square(120.95),
                &[],
                &[]
            )
            .is_ok()
        );
        let errors = check_division_polygon(
            &index,
            "changes[0].geometry",
            &township,
            &square(121.03),
            &[],
            &[],
        )
        .unwrap_err();
        assert!(
            errors.as_slice()[0]
                .message
                .contains("outside its parent 嘉善县 (330421)"),
            "{errors}"
        );
        // A new county inside 平湖市.
        let county = codes(&["330485"]).remove(0);
        let errors = check_division_polygon(
            &index,
            "changes[0].geometry",
            &county,
            &square(121.03),
            &[],
            &[],
        )
        .unwrap_err();
        assert!(
            errors.as_slice()[0]
                .message
                .contains("overlaps 平湖市 (330482) by"),
            "{errors}"
        );
        // Unless the event redraws 平湖市 as well.
        let pinghu = codes(&["330482"]).remove(0);
        assert!(
            check_division_polygon(
                &index,
                "changes[0].geometry",
                &county,
                &square(121.03),
                &[pinghu],
                &[]
            )
            .is_ok()
        );
        // Two new polygons of one event overlapping each other.
        let other = codes(&["330421121"]).remove(0);
        let errors = check_division_polygon(
            &index,
            "changes[0].geometry",
            &township,
            &square(120.95),
            &[],
            &[(other, square(120.96))],
        )
        .unwrap_err();
        assert!(
            errors.as_slice()[0].message.contains("330421121"),
            "{errors}"
        );
    }
}
