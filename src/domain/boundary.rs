//! Boundary lines (行政区域界线) derived from the polygons of two neighbouring divisions: the
//! edges both polygons have, chained into lines, with their geodesic length on the
//! CGCS2000/WGS84 ellipsoid.
#![warn(missing_docs)]

use std::collections::HashSet;

use geo::{
    BooleanOps, Coord, Geodesic, Geometry, Length, LineString, LinesIter, MultiLineString,
    MultiPolygon,
};

/// A segment's key: its two ends by their exact bits, in a fixed order, so the same edge
/// walked either way by either polygon gives the same key.
type SegmentKey = ([u64; 2], [u64; 2]);

fn key(a: Coord<f64>, b: Coord<f64>) -> SegmentKey {
    let bits = |c: Coord<f64>| [c.x.to_bits(), c.y.to_bits()];
    let (a, b) = (bits(a), bits(b));
    if a <= b { (a, b) } else { (b, a) }
}

/// The line two areas share: every edge present in both (neighbouring divisions drawn from one
/// source share their vertices exactly), chained in the order the second area's rings walk them.
pub fn shared_line(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiLineString<f64> {
    let edges_of_a: HashSet<SegmentKey> = a.lines_iter().map(|l| key(l.start, l.end)).collect();
    let mut lines: Vec<LineString<f64>> = Vec::new();
    for polygon in &b.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let mut current: Vec<Coord<f64>> = Vec::new();
            let mut ring_lines: Vec<Vec<Coord<f64>>> = Vec::new();
            for segment in ring.lines() {
                if edges_of_a.contains(&key(segment.start, segment.end)) {
                    if current.last() != Some(&segment.start) {
                        if current.len() > 1 {
                            ring_lines.push(std::mem::take(&mut current));
                        }
                        current = vec![segment.start];
                    }
                    current.push(segment.end);
                } else if current.len() > 1 {
                    ring_lines.push(std::mem::take(&mut current));
                } else {
                    current.clear();
                }
            }
            if current.len() > 1 {
                ring_lines.push(current);
            }
            // A shared stretch that runs through the ring's closing vertex is one line.
            if ring_lines.len() > 1 {
                let first_start = ring_lines[0][0];
                let last = ring_lines.last().expect("more than one");
                if last.last() == Some(&first_start) {
                    let mut joined = ring_lines.pop().expect("more than one");
                    joined.extend(ring_lines[0].iter().skip(1));
                    ring_lines[0] = joined;
                }
            }
            lines.extend(ring_lines.into_iter().map(LineString::new));
        }
    }
    MultiLineString::new(lines)
}

/// Geodesic length in metres (Karney's method on the WGS84 ellipsoid, which CGCS2000 matches to
/// well under a millimetre per kilometre).
pub fn geodesic_length(line: &MultiLineString<f64>) -> f64 {
    line.0.iter().map(|l| Geodesic.length(l)).sum()
}

/// The area of divisions merged into one: the union of their polygons (None when none of them
/// has one).
pub fn merged_area(parts: &[Geometry<f64>]) -> Option<MultiPolygon<f64>> {
    let mut polygons = parts.iter().filter_map(|part| match part {
        Geometry::Polygon(p) => Some(MultiPolygon::new(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        _ => None,
    });
    let first = polygons.next()?;
    Some(polygons.fold(first, |union, next| union.union(&next)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_neighbours_make_one_area_without_their_common_edge() {
        let square = |x: f64| {
            Geometry::Polygon(geo::Polygon::new(
                LineString::from(vec![
                    (x, 0.0),
                    (x + 1.0, 0.0),
                    (x + 1.0, 1.0),
                    (x, 1.0),
                    (x, 0.0),
                ]),
                vec![],
            ))
        };
        let merged =
            merged_area(&[square(0.0), square(1.0), Geometry::Point((5.0, 5.0).into())]).unwrap();
        assert_eq!(merged.0.len(), 1);
        assert!((geo::Area::unsigned_area(&merged) - 2.0).abs() < 1e-12);
        assert!(merged_area(&[Geometry::Point((5.0, 5.0).into())]).is_none());
    }
    use geo::{MultiPolygon, polygon};

    #[test]
    fn the_shared_edge_of_two_squares_is_found_in_either_direction() {
        // Two unit squares (in hundredths of a degree) side by side at x = 0.01.
        let west = MultiPolygon::new(vec![polygon![
            (x: 0.0, y: 0.0), (x: 0.01, y: 0.0), (x: 0.01, y: 0.005), (x: 0.01, y: 0.01), (x: 0.0, y: 0.01), (x: 0.0, y: 0.0)
        ]]);
        let east = MultiPolygon::new(vec![polygon![
            (x: 0.01, y: 0.0), (x: 0.02, y: 0.0), (x: 0.02, y: 0.01), (x: 0.01, y: 0.01), (x: 0.01, y: 0.005), (x: 0.01, y: 0.0)
        ]]);
        let shared = shared_line(&west, &east);
        assert_eq!(shared.0.len(), 1, "{shared:?}");
        assert_eq!(shared.0[0].0.len(), 3);
        // 0.01° of latitude at the equator is about 1,105.7 m.
        let length = geodesic_length(&shared);
        assert!((length - 1_105.7).abs() < 1.0, "{length}");
        assert_eq!(shared_line(&east, &west).0.len(), 1);
    }

    #[test]
    fn areas_that_do_not_touch_share_nothing() {
        let a = MultiPolygon::new(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)],
        ]);
        let b = MultiPolygon::new(vec![
            polygon![(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0), (x: 5.0, y: 5.0)],
        ]);
        assert!(shared_line(&a, &b).0.is_empty());
    }
}
