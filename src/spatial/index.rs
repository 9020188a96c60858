//! The in-memory spatial indexes derived from the register: which areas contain a point
//! (reverse geocoding) and which named features are nearest to it. The database is the record;
//! these are rebuilt at start and kept current by every write.
//!
//! - Areas: an R-tree over polygon bounding boxes picks the candidates, and each polygon's edge
//!   interval tree (geo's `IntervalTreeMultiPolygon`) decides containment without walking its
//!   vertices. A point on an edge shared by two areas is inside neither polygon's interior;
//!   it resolves to the area with the smallest division code among those whose boundary it lies
//!   on, so the answer is the same every time.
//! - Nearest: features live in a 3-D R-tree of unit vectors, where the straight (chord) distance
//!   grows with the great-circle distance, so the tree's nearest-first order is the order on the
//!   sphere. Lines and polygons are measured to their closest point, not to a centroid. The
//!   distances returned are geodesic on the WGS84/CGCS2000 ellipsoid (Karney).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use geo::algorithm::indexed::IntervalTreeMultiPolygon;
use geo::{
    BoundingRect, Closest, ClosestPoint, Contains, Coord, Distance, Geodesic, Geometry, Line,
    LinesIter, MultiPolygon, Point, Rect,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, Envelope, PointDistance, RTree, RTreeObject};

/// Mean Earth radius in metres, to turn chord lengths into rough distances for a search radius.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A record as the spatial index knows it besides its shape: enough to answer and filter
/// without reading the store.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedPlace {
    /// The record's id.
    pub place_id: i64,
    /// The standard name.
    pub name: String,
    /// The category code (`213` for a county-level division).
    pub category: String,
    /// The main division the record lies in; for a division's own area, that division's code
    /// (its length is the area's depth).
    pub division_code: Option<String>,
    /// Only public records are offered to the anonymous public.
    pub public: bool,
}

/// An area whose interior contains the query point.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaHit<'a> {
    /// The area's record.
    pub place: &'a IndexedPlace,
}

/// A feature near the query point, with its geodesic distance.
#[derive(Debug, Clone, PartialEq)]
pub struct NearHit<'a> {
    /// The feature's record.
    pub place: &'a IndexedPlace,
    /// The geodesic distance in metres from the query point to the feature's closest point.
    pub distance_m: f64,
    /// The feature's closest point to the query point (its position, for a point feature).
    pub at: Coord<f64>,
}

struct Area {
    place: IndexedPlace,
    shape: MultiPolygon<f64>,
    edges: Arc<IntervalTreeMultiPolygon<f64>>,
    /// The boundary's segments, built the first time a point outside the interior is checked
    /// against the boundary (so that the check does not walk every vertex).
    boundary: OnceLock<RTree<Line<f64>>>,
}

impl Area {
    /// Whether the point lies on the boundary (within 1e-9 degrees, about 0.1 mm).
    fn touches(&self, point: Coord<f64>) -> bool {
        let boundary = self
            .boundary
            .get_or_init(|| RTree::bulk_load(self.shape.lines_iter().collect()));
        boundary
            .nearest_neighbor(&Point::from(point))
            .is_some_and(|segment| segment.distance_2(&Point::from(point)) <= 1e-18)
    }
}

/// Whether a record is a division's own area: an administrative category (21x).
fn is_administrative(place: &IndexedPlace) -> bool {
    place.category.starts_with("21")
}

/// A division's registered area, as the consistency checks measure against it.
#[derive(Clone, Copy)]
pub struct DivisionArea<'a> {
    /// The area's record (its name, and the division code as its first code).
    pub place: &'a IndexedPlace,
    area: &'a Area,
}

impl DivisionArea<'_> {
    /// The polygon.
    pub fn shape(&self) -> &MultiPolygon<f64> {
        &self.area.shape
    }

    /// Whether the point lies in the interior (by the edge index, without walking vertices).
    pub fn contains(&self, point: Coord<f64>) -> bool {
        self.area.edges.contains(&point)
    }

    /// The geodesic distance in metres from `point` to the area: 0 inside, otherwise to its
    /// boundary. The boundary segments nearest in degrees are candidates (the few nearest, so
    /// that the squeeze of longitude degrees does not pick the wrong one); the distance to each
    /// one's closest point is geodesic.
    pub fn distance_m(&self, point: Coord<f64>) -> f64 {
        if self.contains(point) {
            return 0.0;
        }
        let boundary = self
            .area
            .boundary
            .get_or_init(|| RTree::bulk_load(self.area.shape.lines_iter().collect()));
        let query = Point::from(point);
        boundary
            .nearest_neighbor_iter(&query)
            .take(4)
            .filter_map(|segment| match segment.closest_point(&query) {
                Closest::Intersection(p) | Closest::SinglePoint(p) => Some(p),
                Closest::Indeterminate => None,
            })
            .map(|closest| ellipsoidal_distance(query, closest))
            .fold(f64::INFINITY, f64::min)
    }
}

/// A line or area in the nearest-neighbour tree of shapes.
struct NearItem {
    place_id: i64,
    envelope: AABB<[f64; 3]>,
    geometry: Arc<Geometry<f64>>,
    /// For areas: the edge index, which answers "inside?" without walking the vertices.
    edges: Option<Arc<IntervalTreeMultiPolygon<f64>>>,
    /// The shape's segments in an R-tree, built the first time the shape is measured: the
    /// closest point is then found in logarithmic time instead of by walking every segment.
    segments: OnceLock<RTree<Line<f64>>>,
}

impl NearItem {
    fn closest_point(&self, point: Point<f64>) -> Option<Point<f64>> {
        if self
            .edges
            .as_ref()
            .is_some_and(|edges| edges.contains(&point))
        {
            return Some(point);
        }
        let segments = self
            .segments
            .get_or_init(|| RTree::bulk_load(segments_of(&self.geometry)));
        let nearest = segments.nearest_neighbor(&point)?;
        match nearest.closest_point(&point) {
            Closest::Intersection(p) | Closest::SinglePoint(p) => Some(p),
            Closest::Indeterminate => None,
        }
    }
}

type NamedPoint = GeomWithData<[f64; 3], i64>;

/// Every segment of a line or area (rings included).
fn segments_of(geometry: &Geometry<f64>) -> Vec<Line<f64>> {
    match geometry {
        Geometry::Line(line) => vec![*line],
        Geometry::LineString(g) => g.lines_iter().collect(),
        Geometry::MultiLineString(g) => g.lines_iter().collect(),
        Geometry::Polygon(g) => g.lines_iter().collect(),
        Geometry::MultiPolygon(g) => g.lines_iter().collect(),
        Geometry::Rect(g) => g.to_polygon().lines_iter().collect(),
        Geometry::Triangle(g) => g.to_polygon().lines_iter().collect(),
        Geometry::GeometryCollection(g) => g.iter().flat_map(segments_of).collect(),
        Geometry::Point(_) | Geometry::MultiPoint(_) => Vec::new(),
    }
}

impl RTreeObject for NearItem {
    type Envelope = AABB<[f64; 3]>;

    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

impl PointDistance for NearItem {
    /// The squared chord from the query to the feature's closest point.
    fn distance_2(&self, query: &[f64; 3]) -> f64 {
        match self.closest_point(lon_lat_of(query)) {
            Some(closest) => squared_chord(query, &unit_vector(closest.0)),
            None => f64::INFINITY,
        }
    }
}

type AreaBox = GeomWithData<Rectangle<[f64; 2]>, i64>;

/// The spatial indexes over all current records: areas holding a point, features nearest to it.
///
/// ```
/// use diming::spatial::index::{IndexedPlace, SpatialIndex};
/// use geo::{Coord, Geometry, point, polygon};
///
/// let place = |id: i64, name: &str, category: &str, division: &str| IndexedPlace {
///     place_id: id,
///     name: name.into(),
///     category: category.into(),
///     division_code: Some(division.into()),
///     public: true,
/// };
/// // Two county squares sharing the edge x = 121.0, and a town inside the western one.
/// let west: Geometry = polygon![(x: 120.9, y: 30.8), (x: 121.0, y: 30.8), (x: 121.0, y: 30.9), (x: 120.9, y: 30.9), (x: 120.9, y: 30.8)].into();
/// let east: Geometry = polygon![(x: 121.0, y: 30.8), (x: 121.1, y: 30.8), (x: 121.1, y: 30.9), (x: 121.0, y: 30.9), (x: 121.0, y: 30.8)].into();
/// let town: Geometry = point!(x: 120.95, y: 30.85).into();
/// let index = SpatialIndex::build([
///     (place(1, "west", "213", "330421"), west),
///     (place(2, "east", "213", "330482"), east),
///     (place(3, "town", "214", "330421101"), town),
/// ]);
/// assert_eq!(index.len(), 3);
///
/// let in_west = Coord { x: 120.96, y: 30.85 };
/// assert_eq!(index.innermost_area(in_west, |_| true).unwrap().name, "west");
/// // A point on the shared edge goes to the smaller division code, every time.
/// let on_edge = Coord { x: 121.0, y: 30.85 };
/// assert_eq!(index.innermost_area(on_edge, |_| true).unwrap().name, "west");
/// // Out at sea: in no area.
/// assert!(index.innermost_area(Coord { x: 122.5, y: 30.85 }, |_| true).is_none());
///
/// // Nearest first, areas measured to their closest point (0 m from inside).
/// let near = index.nearest(in_west, 2, None, |_| true);
/// assert_eq!(near[0].place.name, "west");
/// assert_eq!(near[0].distance_m, 0.0);
/// assert_eq!(near[1].place.name, "town");
/// assert!((near[1].distance_m - 956.0).abs() < 5.0, "{}", near[1].distance_m);
/// // Point features only, within 500 m: none.
/// assert!(index.nearest_points(in_west, 5, Some(500.0), |_| true).is_empty());
/// ```
#[derive(Default)]
pub struct SpatialIndex {
    places: HashMap<i64, IndexedPlace>,
    areas: HashMap<i64, Area>,
    /// The administrative areas (21x) by their division code, smallest record id first: a
    /// division's registered area is one lookup, not a scan.
    administrative: HashMap<String, BTreeSet<i64>>,
    area_boxes: RTree<AreaBox>,
    /// Point features (most names): exact, cheap nearest-first order.
    points: RTree<NamedPoint>,
    /// Lines and areas, measured to their closest point.
    near: RTree<NearItem>,
    near_keys: HashMap<i64, NearKey>,
    /// Every record's bounding box in degrees, for the records meeting a box (a vector tile).
    extents: RTree<AreaBox>,
    /// Every record's geometry, shared with the trees above.
    shapes: HashMap<i64, Arc<Geometry<f64>>>,
}

impl SpatialIndex {
    /// Builds the indexes in one pass (bulk loading is much faster than inserting one by one).
    pub fn build(records: impl IntoIterator<Item = (IndexedPlace, Geometry<f64>)>) -> Self {
        let mut index = Self::default();
        let (mut boxes, mut points, mut shapes) = (Vec::new(), Vec::new(), Vec::new());
        let mut extents = Vec::new();
        for (place, geometry) in records {
            let (area, area_box, near, extent) = prepare(&place, geometry);
            if let Some((extent, shape)) = extent {
                index.shapes.insert(place.place_id, shape);
                extents.push(extent);
            }
            if let (Some(area), Some(area_box)) = (area, area_box) {
                index.note_administrative(&place);
                index.areas.insert(place.place_id, area);
                boxes.push(area_box);
            }
            match near {
                Some(Near::Point(point)) => {
                    index
                        .near_keys
                        .insert(place.place_id, NearKey::Point(*point.geom()));
                    points.push(point);
                }
                Some(Near::Shape(item)) => {
                    index
                        .near_keys
                        .insert(place.place_id, NearKey::Shape(item.envelope));
                    shapes.push(item);
                }
                None => {}
            }
            index.places.insert(place.place_id, place);
        }
        index.area_boxes = RTree::bulk_load(boxes);
        index.points = RTree::bulk_load(points);
        index.near = RTree::bulk_load(shapes);
        index.extents = RTree::bulk_load(extents);
        index
    }

    /// The number of records indexed.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether no record is indexed.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Puts a record's current state in the index (replacing what was there).
    pub fn upsert(&mut self, place: IndexedPlace, geometry: Geometry<f64>) {
        self.remove(place.place_id);
        let (area, area_box, near, extent) = prepare(&place, geometry);
        if let Some((extent, shape)) = extent {
            self.shapes.insert(place.place_id, shape);
            self.extents.insert(extent);
        }
        if let (Some(area), Some(area_box)) = (area, area_box) {
            self.note_administrative(&place);
            self.areas.insert(place.place_id, area);
            self.area_boxes.insert(area_box);
        }
        match near {
            Some(Near::Point(point)) => {
                self.near_keys
                    .insert(place.place_id, NearKey::Point(*point.geom()));
                self.points.insert(point);
            }
            Some(Near::Shape(item)) => {
                self.near_keys
                    .insert(place.place_id, NearKey::Shape(item.envelope));
                self.near.insert(item);
            }
            None => {}
        }
        self.places.insert(place.place_id, place);
    }

    /// Takes a record out of the index (it was retired, or lost its geometry).
    pub fn remove(&mut self, place_id: i64) {
        if self.places.remove(&place_id).is_none() {
            return;
        }
        if let Some(shape) = self.shapes.remove(&place_id)
            && let Some(rect) = shape.bounding_rect()
        {
            let rectangle =
                Rectangle::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
            self.extents.remove(&GeomWithData::new(rectangle, place_id));
        }
        if let Some(area) = self.areas.get(&place_id)
            && let Some(code) = area.place.division_code.as_deref()
            && let Some(ids) = self.administrative.get_mut(code)
        {
            ids.remove(&place_id);
            if ids.is_empty() {
                self.administrative.remove(code);
            }
        }
        if let Some(area) = self.areas.remove(&place_id)
            && let Some(rect) = area.shape.bounding_rect()
        {
            let rectangle =
                Rectangle::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
            self.area_boxes
                .remove(&GeomWithData::new(rectangle, place_id));
        }
        match self.near_keys.remove(&place_id) {
            Some(NearKey::Point(at)) => {
                self.points.remove(&GeomWithData::new(at, place_id));
            }
            Some(NearKey::Shape(envelope)) => {
                self.near
                    .remove_with_selection_function(RecordAt { envelope, place_id });
            }
            None => {}
        }
    }

    /// The bounding box of an indexed record, as the index holds it.
    pub fn extent(&self, place_id: i64) -> Option<geo::Rect<f64>> {
        match self.near_keys.get(&place_id)? {
            NearKey::Point(at) => Some(geo::Rect::new(
                Coord { x: at[0], y: at[1] },
                Coord { x: at[0], y: at[1] },
            )),
            NearKey::Shape(envelope) => Some(geo::Rect::new(
                Coord {
                    x: envelope.lower()[0],
                    y: envelope.lower()[1],
                },
                Coord {
                    x: envelope.upper()[0],
                    y: envelope.upper()[1],
                },
            )),
        }
    }

    /// The records `keep` accepts whose bounding box meets `rect`, with their geometry, by
    /// record id: what a vector tile of `rect` draws.
    pub fn features_meeting(
        &self,
        rect: Rect<f64>,
        keep: impl Fn(&IndexedPlace) -> bool,
    ) -> Vec<(&IndexedPlace, &Geometry<f64>)> {
        let envelope =
            AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        let mut found: Vec<(&IndexedPlace, &Geometry<f64>)> = self
            .extents
            .locate_in_envelope_intersecting(&envelope)
            .filter_map(|b| Some((self.places.get(&b.data)?, self.shapes.get(&b.data)?)))
            .filter(|(place, _)| keep(place))
            .map(|(place, shape)| (place, shape.as_ref()))
            .collect();
        found.sort_by_key(|(place, _)| place.place_id);
        found
    }

    /// The box in degrees around every record `keep` accepts, if any.
    pub fn bounds(&self, keep: impl Fn(&IndexedPlace) -> bool) -> Option<Rect<f64>> {
        let mut all = self
            .extents
            .iter()
            .filter(|b| self.places.get(&b.data).is_some_and(&keep))
            .map(|b| b.geom().envelope());
        let first = all.next()?;
        let envelope = all.fold(first, |a, b| a.merged(&b));
        Some(Rect::new(
            Coord {
                x: envelope.lower()[0],
                y: envelope.lower()[1],
            },
            Coord {
                x: envelope.upper()[0],
                y: envelope.upper()[1],
            },
        ))
    }

    /// The polygon of the administrative area (行政区域) registered for a division code.
    pub fn division_area(&self, code: &str) -> Option<(&IndexedPlace, &MultiPolygon<f64>)> {
        self.registered_area(code).map(|a| (a.place, &a.area.shape))
    }

    /// The administrative area (行政区域) registered for a division code, with its edge index:
    /// a record of category 21x whose first division code is the division (the one with the
    /// smallest id, should there be several).
    pub fn registered_area(&self, code: &str) -> Option<DivisionArea<'_>> {
        let id = self.administrative.get(code)?.first()?;
        self.areas.get(id).map(|area| DivisionArea {
            place: &area.place,
            area,
        })
    }

    /// Files an area under its division code when it is a division's own (21x).
    fn note_administrative(&mut self, place: &IndexedPlace) {
        if is_administrative(place)
            && let Some(code) = &place.division_code
        {
            self.administrative
                .entry(code.clone())
                .or_default()
                .insert(place.place_id);
        }
    }

    /// The administrative areas whose bounding box meets `rect` (candidates for an overlap).
    pub fn administrative_areas_meeting(&self, rect: Rect<f64>) -> Vec<DivisionArea<'_>> {
        self.areas_meeting(rect, is_administrative)
    }

    /// The areas `keep` accepts whose bounding box meets `rect`, by record id.
    pub fn areas_meeting(
        &self,
        rect: Rect<f64>,
        keep: impl Fn(&IndexedPlace) -> bool,
    ) -> Vec<DivisionArea<'_>> {
        let envelope =
            AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        let mut found: Vec<DivisionArea<'_>> = self
            .area_boxes
            .locate_in_envelope_intersecting(&envelope)
            .filter_map(|b| self.areas.get(&b.data))
            .filter(|a| keep(&a.place))
            .map(|area| DivisionArea {
                place: &area.place,
                area,
            })
            .collect();
        found.sort_by_key(|a| a.place.place_id);
        found
    }

    /// The innermost area holding `point` among those `keep` accepts (the one with the longest
    /// division code), without gathering the others: the fast path of "which division am I in".
    /// A point on the boundary of deeper areas goes to the one with the smallest code, as in
    /// `areas_containing`; "on the boundary" is tested by nudging the point 1e-9 degrees (about
    /// 0.1 mm) each way, which needs no extra index.
    pub fn innermost_area(
        &self,
        point: Coord<f64>,
        keep: impl Fn(&IndexedPlace) -> bool,
    ) -> Option<&IndexedPlace> {
        let query = [point.x, point.y];
        let depth = |p: &IndexedPlace| p.division_code.as_deref().map_or(0, str::len);
        let mut best: Option<&IndexedPlace> = None;
        let mut deeper_misses: Vec<&Area> = Vec::new();
        for candidate in self.area_boxes.locate_all_at_point(&query) {
            let Some(area) = self.areas.get(&candidate.data) else {
                continue;
            };
            if !keep(&area.place) || best.is_some_and(|b| depth(b) >= depth(&area.place)) {
                continue;
            }
            if area.edges.contains(&point) {
                best = Some(&area.place);
            } else {
                deeper_misses.push(area);
            }
        }
        const NUDGE: f64 = 1e-9;
        let nudged = [(NUDGE, 0.0), (-NUDGE, 0.0), (0.0, NUDGE), (0.0, -NUDGE)];
        let touching = deeper_misses
            .into_iter()
            .filter(|a| best.is_none_or(|b| depth(&a.place) > depth(b)))
            .filter(|a| {
                nudged.iter().any(|(dx, dy)| {
                    a.edges.contains(&Coord {
                        x: point.x + dx,
                        y: point.y + dy,
                    })
                })
            })
            .map(|a| &a.place)
            .min_by(|a, b| {
                depth(b)
                    .cmp(&depth(a))
                    .then_with(|| a.division_code.cmp(&b.division_code))
            });
        touching.or(best)
    }

    /// The areas containing `point`, each once; `public_only` leaves out non-public records.
    pub fn areas_containing(&self, point: Coord<f64>, public_only: bool) -> Vec<AreaHit<'_>> {
        let query = [point.x, point.y];
        let candidates: Vec<&Area> = self
            .area_boxes
            .locate_all_at_point(&query)
            .filter_map(|b| self.areas.get(&b.data))
            .filter(|area| !public_only || area.place.public)
            .collect();
        let inside: Vec<&Area> = candidates
            .iter()
            .copied()
            .filter(|a| a.edges.contains(&point))
            .collect();
        let mut hits: Vec<&Area> = if inside.is_empty() {
            // On a boundary: the area with the smallest division code among those touching it.
            let mut touching: Vec<&Area> = candidates
                .into_iter()
                .filter(|a| a.touches(point))
                .collect();
            touching.sort_by(|a, b| a.place.division_code.cmp(&b.place.division_code));
            touching.into_iter().take(1).collect()
        } else {
            inside
        };
        hits.sort_by(|a, b| a.place.division_code.cmp(&b.place.division_code));
        hits.into_iter()
            .map(|a| AreaHit { place: &a.place })
            .collect()
    }

    /// Up to `k` features nearest to `point` that `keep` accepts, within `within_m` metres:
    /// points and shapes (measured to their closest point), nearest first.
    pub fn nearest(
        &self,
        point: Coord<f64>,
        k: usize,
        within_m: Option<f64>,
        keep: impl Fn(&IndexedPlace) -> bool,
    ) -> Vec<NearHit<'_>> {
        let query = unit_vector(point);
        let reach = max_chord_2(within_m);
        let mut points = self
            .points
            .nearest_neighbor_iter_with_distance_2(&query)
            .map(|(p, d)| (p.data, d, Some(*p.geom())))
            .peekable();
        let mut shapes = self
            .near
            .nearest_neighbor_iter_with_distance_2(&query)
            .map(|(s, d)| (s.place_id, d, None))
            .peekable();
        let mut hits = Vec::with_capacity(k);
        while hits.len() < k {
            // Take from whichever tree has the nearer next candidate.
            let next = match (points.peek(), shapes.peek()) {
                (Some(p), Some(s)) if p.1 <= s.1 => points.next(),
                (Some(_), Some(_)) | (None, Some(_)) => shapes.next(),
                (Some(_), None) => points.next(),
                (None, None) => None,
            };
            let Some((place_id, chord_2, at)) = next else {
                break;
            };
            if reach.is_some_and(|max| chord_2 > max) {
                break;
            }
            if let Some(hit) = self.hit(place_id, at, point, within_m, &keep) {
                hits.push(hit);
            }
        }
        hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
        hits
    }

    /// Up to `k` point features nearest to `point`: the fast path for names, which are points.
    pub fn nearest_points(
        &self,
        point: Coord<f64>,
        k: usize,
        within_m: Option<f64>,
        keep: impl Fn(&IndexedPlace) -> bool,
    ) -> Vec<NearHit<'_>> {
        let reach = max_chord_2(within_m);
        self.points
            .nearest_neighbor_iter_with_distance_2(&unit_vector(point))
            .take_while(|(_, chord_2)| reach.is_none_or(|max| *chord_2 <= max))
            .filter_map(|(p, _)| self.hit(p.data, Some(*p.geom()), point, within_m, &keep))
            .take(k)
            .collect()
    }

    /// The hit for a candidate: `at` is its position when it is a point feature (the tree
    /// item carries it); shapes are measured to their closest point.
    fn hit(
        &self,
        place_id: i64,
        at: Option<[f64; 3]>,
        point: Coord<f64>,
        within_m: Option<f64>,
        keep: &impl Fn(&IndexedPlace) -> bool,
    ) -> Option<NearHit<'_>> {
        let place = self.places.get(&place_id).filter(|p| keep(p))?;
        let closest = match (at, self.near_keys.get(&place_id)) {
            (Some(at), _) => lon_lat_of(&at),
            (None, Some(NearKey::Shape(envelope))) => self
                .near
                .locate_with_selection_function(RecordAt {
                    envelope: *envelope,
                    place_id,
                })
                .next()?
                .closest_point(Point::from(point))?,
            (None, _) => return None,
        };
        let distance_m = ellipsoidal_distance(Point::from(point), closest);
        (within_m.is_none_or(|m| distance_m <= m)).then_some(NearHit {
            place,
            distance_m,
            at: closest.0,
        })
    }
}

/// Beyond this, distances come from Karney's geodesic; within it, from the local ellipsoid.
const LOCAL_FORMULA_LIMIT_M: f64 = 100_000.0;

/// The geodesic distance on the WGS84/CGCS2000 ellipsoid. Within 100 km it uses the meridian
/// and prime-vertical radii of curvature at the mean latitude (relative error below 1e-5 there,
/// a few multiplications); farther, Karney's algorithm (about a microsecond).
///
/// ```
/// use diming::spatial::index::ellipsoidal_distance;
/// use geo::{Distance, Geodesic, point};
///
/// // 0.01° of longitude at 30.85°N is about 956 m.
/// let (a, b) = (point!(x: 120.95, y: 30.85), point!(x: 120.96, y: 30.85));
/// let near = ellipsoidal_distance(a, b);
/// assert!((near - Geodesic.distance(a, b)).abs() < 0.01, "{near}");
/// // Ürümqi to Shanghai, about 3,270 km: Karney's geodesic itself.
/// let (urumqi, shanghai) = (point!(x: 87.6, y: 43.8), point!(x: 121.5, y: 31.2));
/// assert_eq!(ellipsoidal_distance(urumqi, shanghai), Geodesic.distance(urumqi, shanghai));
/// ```
pub fn ellipsoidal_distance(a: Point<f64>, b: Point<f64>) -> f64 {
    const SEMI_MAJOR_M: f64 = 6_378_137.0;
    const ECCENTRICITY_2: f64 = 0.006_694_380_022_9;
    let (phi_a, phi_b) = (a.y().to_radians(), b.y().to_radians());
    let mean = 0.5 * (phi_a + phi_b);
    let w = (1.0 - ECCENTRICITY_2 * mean.sin().powi(2)).sqrt();
    let meridian = SEMI_MAJOR_M * (1.0 - ECCENTRICITY_2) / (w * w * w);
    let prime_vertical = SEMI_MAJOR_M / w;
    let mut d_lambda = (b.x() - a.x()).to_radians();
    if d_lambda.abs() > std::f64::consts::PI {
        d_lambda -= d_lambda.signum() * std::f64::consts::TAU;
    }
    let north = meridian * (phi_b - phi_a);
    let east = prime_vertical * mean.cos() * d_lambda;
    let local = north.hypot(east);
    if local <= LOCAL_FORMULA_LIMIT_M {
        local
    } else {
        Geodesic.distance(a, b)
    }
}

/// The squared chord of `within_m` metres, a little generous: a chord is never longer than the
/// arc, so nothing within reach is cut off.
fn max_chord_2(within_m: Option<f64>) -> Option<f64> {
    within_m.map(|m| {
        let chord = 2.0
            * (m / (2.0 * EARTH_RADIUS_M))
                .min(std::f64::consts::FRAC_PI_2)
                .sin();
        chord * chord * 1.01
    })
}

/// Selects the entry of one record, descending only into nodes that can hold its envelope.
struct RecordAt {
    envelope: AABB<[f64; 3]>,
    place_id: i64,
}

impl rstar::SelectionFunction<NearItem> for RecordAt {
    fn should_unpack_parent(&self, parent: &AABB<[f64; 3]>) -> bool {
        parent.contains_envelope(&self.envelope)
    }

    fn should_unpack_leaf(&self, leaf: &NearItem) -> bool {
        leaf.place_id == self.place_id
    }
}

/// Where a record goes in the nearest-neighbour trees.
enum Near {
    Point(NamedPoint),
    Shape(NearItem),
}

/// Where a record sits in the trees, so that removing it is a descent, not a scan.
#[derive(Clone, Copy)]
enum NearKey {
    Point([f64; 3]),
    Shape(AABB<[f64; 3]>),
}

/// The entries of one record in each tree, and its geometry shared between them.
type Prepared = (
    Option<Area>,
    Option<AreaBox>,
    Option<Near>,
    Option<(AreaBox, Arc<Geometry<f64>>)>,
);

fn prepare(place: &IndexedPlace, geometry: Geometry<f64>) -> Prepared {
    let extent = geometry.bounding_rect().map(|rect| {
        GeomWithData::new(
            Rectangle::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]),
            place.place_id,
        )
    });
    if let Geometry::Point(p) = geometry {
        return (
            None,
            None,
            Some(Near::Point(GeomWithData::new(
                unit_vector(p.0),
                place.place_id,
            ))),
            extent.map(|e| (e, Arc::new(geometry))),
        );
    }
    let shape: Option<MultiPolygon<f64>> = match &geometry {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        _ => None,
    };
    let edges = shape
        .as_ref()
        .map(|shape| Arc::new(IntervalTreeMultiPolygon::new(shape)));
    let (area, area_box) = match (shape, &edges, geometry.bounding_rect()) {
        (Some(shape), Some(edges), Some(rect)) => (
            Some(Area {
                place: place.clone(),
                edges: edges.clone(),
                shape,
                boundary: OnceLock::new(),
            }),
            Some(GeomWithData::new(
                Rectangle::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]),
                place.place_id,
            )),
        ),
        _ => (None, None),
    };
    let shared = Arc::new(geometry);
    let near = envelope_3d(&shared).map(|envelope| {
        Near::Shape(NearItem {
            place_id: place.place_id,
            envelope,
            geometry: shared.clone(),
            edges,
            segments: OnceLock::new(),
        })
    });
    (area, area_box, near, extent.map(|e| (e, shared)))
}

/// The 3-D box around a geometry's vertices on the unit sphere.
fn envelope_3d(geometry: &Geometry<f64>) -> Option<AABB<[f64; 3]>> {
    use geo::CoordsIter;
    let points: Vec<[f64; 3]> = geometry.coords_iter().map(unit_vector).collect();
    (!points.is_empty()).then(|| AABB::from_points(points.iter()))
}

/// A longitude/latitude as a point on the unit sphere.
fn unit_vector(c: Coord<f64>) -> [f64; 3] {
    let (lon, lat) = (c.x.to_radians(), c.y.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

fn lon_lat_of(v: &[f64; 3]) -> Point<f64> {
    Point::new(
        v[1].atan2(v[0]).to_degrees(),
        v[2].clamp(-1.0, 1.0).asin().to_degrees(),
    )
}

fn squared_chord(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, polygon};

    fn place(id: i64, name: &str, division: &str) -> IndexedPlace {
        IndexedPlace {
            place_id: id,
            name: name.into(),
            category: "213".into(),
            division_code: Some(division.into()),
            public: true,
        }
    }

    /// Two squares sharing the edge x = 121.0.
    fn two_counties() -> SpatialIndex {
        let west: Geometry<f64> = polygon![(x: 120.9, y: 30.8), (x: 121.0, y: 30.8), (x: 121.0, y: 30.9), (x: 120.9, y: 30.9), (x: 120.9, y: 30.8)].into();
        let east: Geometry<f64> = polygon![(x: 121.0, y: 30.8), (x: 121.1, y: 30.8), (x: 121.1, y: 30.9), (x: 121.0, y: 30.9), (x: 121.0, y: 30.8)].into();
        SpatialIndex::build([
            (place(1, "west", "330421"), west),
            (place(2, "east", "330482"), east),
        ])
    }

    #[test]
    fn a_point_resolves_to_the_area_containing_it() {
        let index = two_counties();
        let hits = index.areas_containing(
            Coord {
                x: 120.95,
                y: 30.85,
            },
            false,
        );
        assert_eq!(
            hits.iter()
                .map(|h| h.place.name.as_str())
                .collect::<Vec<_>>(),
            ["west"]
        );
        assert!(
            index
                .areas_containing(Coord { x: 122.5, y: 30.85 }, false)
                .is_empty(),
            "the sea"
        );
    }

    #[test]
    fn the_innermost_area_is_the_deepest_division_holding_the_point() {
        let mut index = two_counties();
        let prefecture: Geometry<f64> =
            polygon![(x: 120.0, y: 30.0), (x: 122.0, y: 30.0), (x: 122.0, y: 32.0), (x: 120.0, y: 32.0), (x: 120.0, y: 30.0)].into();
        index.upsert(place(9, "prefecture", "3304"), prefecture);
        let inner = |x, y| {
            index
                .innermost_area(Coord { x, y }, |_| true)
                .map(|p| p.place_id)
        };
        assert_eq!(inner(120.95, 30.85), Some(1));
        assert_eq!(inner(121.9, 31.9), Some(9), "inside the prefecture only");
        assert_eq!(inner(125.0, 35.0), None);
        // On the counties' shared edge: the smaller code, as areas_containing decides.
        assert_eq!(
            index
                .innermost_area(Coord { x: 121.0, y: 30.85 }, |p| p.place_id != 9)
                .map(|p| p.place_id),
            Some(1)
        );
    }

    #[test]
    fn a_point_on_a_shared_edge_goes_to_the_smaller_code() {
        let index = two_counties();
        let hits = index.areas_containing(Coord { x: 121.0, y: 30.85 }, false);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].place.division_code.as_deref(), Some("330421"));
    }

    #[test]
    fn nearest_measures_to_the_closest_point_geodesically() {
        let road: Geometry<f64> = line_string![(x: 120.0, y: 30.0), (x: 120.0, y: 31.0)].into();
        let town: Geometry<f64> = point!(x: 120.05, y: 30.5).into();
        let index = SpatialIndex::build([
            (place(1, "road", "330421"), road),
            (place(2, "town", "330421"), town),
        ]);
        let query = Coord { x: 120.01, y: 30.5 };
        let hits = index.nearest(query, 2, None, |_| true);
        assert_eq!(
            hits[0].place.name, "road",
            "the road passes closer than the town"
        );
        let reference = Geodesic.distance(Point::from(query), point!(x: 120.0, y: 30.5));
        assert!(
            (hits[0].distance_m - reference).abs() / reference < 0.001,
            "{} vs {reference}",
            hits[0].distance_m
        );
        assert!(hits[0].distance_m < hits[1].distance_m);
        let within = index.nearest(query, 5, Some(2_000.0), |_| true);
        assert_eq!(within.len(), 1);
    }

    #[test]
    fn the_local_formula_agrees_with_karney_within_a_hundred_kilometres() {
        for lat in [0.0, 20.0, 35.0, 53.0] {
            for (dx, dy) in [
                (0.00001, 0.0),
                (0.0, 0.001),
                (0.01, 0.01),
                (0.3, -0.2),
                (-0.6, 0.5),
                (0.9, 0.0),
            ] {
                let (a, b) = (point!(x: 110.0, y: lat), point!(x: 110.0 + dx, y: lat + dy));
                let reference = Geodesic.distance(a, b);
                let local = ellipsoidal_distance(a, b);
                assert!(
                    (local - reference).abs() <= reference * 1e-5 + 1e-6,
                    "lat {lat} d ({dx},{dy}): {local} vs {reference}"
                );
            }
        }
        let far = (point!(x: 87.6, y: 43.8), point!(x: 121.5, y: 31.2));
        assert_eq!(
            ellipsoidal_distance(far.0, far.1),
            Geodesic.distance(far.0, far.1)
        );
    }

    #[test]
    fn a_division_area_is_found_by_its_code_through_upserts_and_removals() {
        let mut index = two_counties();
        assert_eq!(index.registered_area("330421").unwrap().place.place_id, 1);
        assert!(index.registered_area("330400").is_none());
        // A second record of the same division: the older one is the registered area.
        let square: Geometry<f64> = polygon![(x: 110.0, y: 30.0), (x: 110.1, y: 30.0), (x: 110.1, y: 30.1), (x: 110.0, y: 30.0)].into();
        index.upsert(place(7, "copy", "330421"), square.clone());
        assert_eq!(index.registered_area("330421").unwrap().place.place_id, 1);
        index.remove(1);
        assert_eq!(index.registered_area("330421").unwrap().place.place_id, 7);
        // Not an administrative category: not a division's area.
        let mut lake = place(8, "lake", "330482");
        lake.category = "232".into();
        index.remove(2);
        index.upsert(lake, square);
        assert!(index.registered_area("330482").is_none());
        index.remove(7);
        assert!(index.registered_area("330421").is_none());
    }

    #[test]
    fn upsert_and_remove_keep_the_index_current() {
        let mut index = two_counties();
        let moved: Geometry<f64> = polygon![(x: 110.0, y: 30.0), (x: 110.1, y: 30.0), (x: 110.1, y: 30.1), (x: 110.0, y: 30.0)].into();
        index.upsert(place(1, "west moved", "330421"), moved);
        assert!(
            index
                .areas_containing(
                    Coord {
                        x: 120.95,
                        y: 30.85
                    },
                    false
                )
                .is_empty()
        );
        assert_eq!(
            index.areas_containing(
                Coord {
                    x: 110.07,
                    y: 30.02
                },
                false
            )[0]
            .place
            .name,
            "west moved"
        );
        index.remove(1);
        assert!(
            index
                .areas_containing(
                    Coord {
                        x: 110.07,
                        y: 30.02
                    },
                    false
                )
                .is_empty()
        );
        assert_eq!(
            index
                .nearest(Coord { x: 110.0, y: 30.0 }, 5, None, |_| true)
                .len(),
            1
        );
        assert_eq!(index.len(), 1);
    }
}
