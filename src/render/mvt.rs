//! Mapbox Vector Tiles (MVT 2.1): features given in degrees drawn into one Web Mercator tile —
//! projected into the tile's units, clipped to the tile and its buffer, simplified below what
//! the tile can show (so a zoom-5 tile of a county carries a few dozen vertices, a zoom-14 tile
//! every bend), snapped to the integer grid and encoded as one layer per collection. The tile
//! protobuf and its geometry commands are geozero's.

use geo::{
    BooleanOps, BoundingRect, Coord, Geometry, LineString, MapCoords, MultiLineString, MultiPoint,
    MultiPolygon, Orient, Point, Polygon, Rect, Simplify, orient::Direction,
};
use geozero::ToMvt;
use geozero::mvt::{Message, TagsBuilder, Tile, TileValue, tile};

use crate::domain::tile::{BUFFER, EXTENT, TileAddress};

/// Vertices closer than this to the simplified line are dropped, in tile units (1/16 of a
/// pixel of a 256-pixel tile): invisible at the tile's zoom.
const SIMPLIFY_TOLERANCE: f64 = 1.0;

/// Below this zoom, point features are thinned to one per pixel (see `encode_counted`).
pub const THIN_POINTS_BELOW: u8 = 10;

/// A value of a feature's property.
#[derive(Debug, Clone, PartialEq)]
pub enum Property {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// Yes or no.
    Bool(bool),
}

/// A feature to draw: its id, its geometry in degrees (CGCS2000/WGS84) and its properties.
#[derive(Debug, Clone)]
pub struct TileFeature<'a> {
    /// The feature's id in the tile (MVT ids are unsigned).
    pub id: u64,
    /// Its geometry in degrees.
    pub geometry: &'a Geometry<f64>,
    /// Its properties, in the order given.
    pub properties: Vec<(&'static str, Property)>,
}

/// The features of one layer, named after their collection.
#[derive(Debug, Clone)]
pub struct TileLayer<'a> {
    /// The layer's name.
    pub name: String,
    /// Its features.
    pub features: Vec<TileFeature<'a>>,
}

/// The tile `address` holding `layers`, as MVT bytes. A feature that clipping or simplifying
/// leaves without a shape (a sliver of a polygon in the buffer) is left out.
///
/// ```
/// use diming::domain::tile::tile_at;
/// use diming::render::mvt::{Property, TileFeature, TileLayer, encode};
/// use geo::{Geometry, point};
///
/// let town: Geometry = point!(x: 120.8906, y: 30.9447).into();
/// let layer = TileLayer {
///     name: "places".into(),
///     features: vec![TileFeature {
///         id: 7,
///         geometry: &town,
///         properties: vec![("standard_name", Property::Text("西塘镇".into()))],
///     }],
/// };
/// let bytes = encode(tile_at(12, 120.8906, 30.9447), &[layer]);
/// assert!(!bytes.is_empty());
/// // A tile elsewhere holds no feature, and an empty layer is left out.
/// let empty = TileLayer { name: "places".into(), features: Vec::new() };
/// assert!(encode(tile_at(12, 116.39, 39.9), &[empty]).is_empty());
/// ```
pub fn encode(address: TileAddress, layers: &[TileLayer<'_>]) -> Vec<u8> {
    encode_counted(address, layers).0
}

/// As `encode`, with the number of features the tile holds. Below zoom `THIN_POINTS_BELOW` a
/// layer keeps one point feature per pixel (16 × 16 tile units), the one of the smallest id
/// given first: a zoom-5 tile of a province cannot show more, and stays small.
pub fn encode_counted(address: TileAddress, layers: &[TileLayer<'_>]) -> (Vec<u8>, usize) {
    let thin = address.z < THIN_POINTS_BELOW;
    let mut count = 0;
    let project = address.projector();
    let low = -f64::from(BUFFER);
    let high = f64::from(EXTENT + BUFFER);
    let clip = Rect::new(Coord { x: low, y: low }, Coord { x: high, y: high });
    let mut tile = Tile { layers: Vec::new() };
    for layer in layers {
        let mut tags = TagsBuilder::new();
        let mut features = Vec::with_capacity(layer.features.len());
        let mut taken_pixels = std::collections::HashSet::new();
        for feature in &layer.features {
            let projected = feature.geometry.map_coords(|c| {
                let (x, y) = project(c.x, c.y);
                Coord { x, y }
            });
            let Some(shape) = drawable(projected, clip) else {
                continue;
            };
            if thin
                && let Geometry::Point(p) = &shape
                && !taken_pixels.insert(((p.x() as i64) >> 4, (p.y() as i64) >> 4))
            {
                continue;
            }
            let Ok(mut encoded) = shape.to_mvt_unscaled() else {
                continue;
            };
            encoded.id = Some(feature.id);
            for (key, value) in &feature.properties {
                let value = match value {
                    Property::Text(text) => TileValue::Str(text.clone()),
                    Property::Int(n) => TileValue::Sint(*n),
                    Property::Bool(b) => TileValue::Bool(*b),
                };
                let (k, v) = tags.insert_ref(key, value);
                encoded.tags.extend([k, v]);
            }
            features.push(encoded);
        }
        if features.is_empty() {
            continue;
        }
        count += features.len();
        let (keys, values) = tags.into_tags();
        tile.layers.push(tile::Layer {
            version: 2,
            name: layer.name.clone(),
            features,
            keys,
            values: values.into_iter().map(Into::into).collect(),
            extent: Some(EXTENT),
        });
    }
    if tile.layers.is_empty() {
        return (Vec::new(), 0);
    }
    (tile.encode_to_vec(), count)
}

/// A geometry in tile units clipped to `clip`, simplified, on the integer grid, with polygon
/// rings wound as MVT says (exterior positive by the surveyor's formula, y pointing down);
/// `None` when nothing of it is left to draw.
fn drawable(geometry: Geometry<f64>, clip: Rect<f64>) -> Option<Geometry<f64>> {
    let inside = |c: &Coord<f64>| {
        c.x >= clip.min().x && c.x <= clip.max().x && c.y >= clip.min().y && c.y <= clip.max().y
    };
    let within = geometry
        .bounding_rect()
        .is_some_and(|b| inside(&b.min()) && inside(&b.max()));
    match geometry {
        Geometry::Point(p) => inside(&p.0).then(|| snap_point(p).into()),
        Geometry::MultiPoint(points) => {
            let kept: Vec<Point<f64>> = points
                .into_iter()
                .filter(|p| inside(&p.0))
                .map(snap_point)
                .collect();
            (!kept.is_empty()).then(|| MultiPoint(kept).into())
        }
        Geometry::Line(line) => lines(MultiLineString(vec![line.into()]), clip, within),
        Geometry::LineString(line) => lines(MultiLineString(vec![line]), clip, within),
        Geometry::MultiLineString(many) => lines(many, clip, within),
        Geometry::Polygon(polygon) => areas(MultiPolygon(vec![polygon]), clip, within),
        Geometry::MultiPolygon(many) => areas(many, clip, within),
        Geometry::Rect(rect) => areas(MultiPolygon(vec![rect.to_polygon()]), clip, within),
        Geometry::Triangle(t) => areas(MultiPolygon(vec![t.to_polygon()]), clip, within),
        // A collection has no MVT type; its largest kind of member stands for it.
        Geometry::GeometryCollection(collection) => {
            let mut members: Vec<Geometry<f64>> = collection
                .into_iter()
                .filter_map(|g| drawable(g, clip))
                .collect();
            members.sort_by_key(|g| match g {
                Geometry::MultiPolygon(_) | Geometry::Polygon(_) => 0,
                Geometry::MultiLineString(_) | Geometry::LineString(_) => 1,
                _ => 2,
            });
            members.into_iter().next()
        }
    }
}

fn snap(c: Coord<f64>) -> Coord<f64> {
    Coord {
        x: c.x.round(),
        y: c.y.round(),
    }
}

fn snap_point(p: Point<f64>) -> Point<f64> {
    Point(snap(p.0))
}

/// A line snapped to the grid without repeated vertices; `None` when fewer than two are left.
fn snapped_line(line: &LineString<f64>) -> Option<LineString<f64>> {
    let mut coords: Vec<Coord<f64>> = Vec::with_capacity(line.0.len());
    for c in line.0.iter().copied().map(snap) {
        if coords.last() != Some(&c) {
            coords.push(c);
        }
    }
    (coords.len() >= 2).then_some(LineString(coords))
}

fn lines(many: MultiLineString<f64>, clip: Rect<f64>, within: bool) -> Option<Geometry<f64>> {
    let clipped = if within {
        many
    } else {
        clip.to_polygon().clip(&many, false)
    };
    let kept: Vec<LineString<f64>> = clipped
        .simplify(SIMPLIFY_TOLERANCE)
        .0
        .iter()
        .filter_map(snapped_line)
        .collect();
    match kept.len() {
        0 => None,
        1 => kept.into_iter().next().map(Geometry::LineString),
        _ => Some(MultiLineString(kept).into()),
    }
}

/// A ring snapped to the grid; `None` when it encloses no area any more.
fn snapped_ring(ring: &LineString<f64>) -> Option<LineString<f64>> {
    let mut line = snapped_line(ring)?;
    line.close();
    let enough = line.0.len() >= 4;
    let area = Polygon::new(line.clone(), Vec::new());
    (enough && geo::Area::unsigned_area(&area) > 0.0).then_some(line)
}

fn areas(many: MultiPolygon<f64>, clip: Rect<f64>, within: bool) -> Option<Geometry<f64>> {
    let clipped = if within {
        many
    } else {
        many.intersection(&clip.to_polygon())
    };
    let kept: Vec<Polygon<f64>> = clipped
        .simplify(SIMPLIFY_TOLERANCE)
        .0
        .iter()
        .filter_map(|polygon| {
            let exterior = snapped_ring(polygon.exterior())?;
            let holes = polygon
                .interiors()
                .iter()
                .filter_map(snapped_ring)
                .collect();
            Some(Polygon::new(exterior, holes))
        })
        .collect();
    if kept.is_empty() {
        return None;
    }
    // In tile units y points down, so "positive by the surveyor's formula" is geo's
    // counter-clockwise exterior.
    let oriented = MultiPolygon(kept).orient(Direction::Default);
    Some(if oriented.0.len() == 1 {
        oriented.0.into_iter().next().map(Geometry::Polygon)?
    } else {
        oriented.into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tile::tile_at;
    use geo::polygon;

    fn decoded(bytes: &[u8]) -> Tile {
        Tile::decode(bytes).unwrap()
    }

    #[test]
    fn a_polygon_larger_than_the_tile_is_clipped_to_the_tile_and_its_buffer() {
        let county: Geometry = polygon![
            (x: 120.0, y: 30.0), (x: 122.0, y: 30.0), (x: 122.0, y: 32.0), (x: 120.0, y: 32.0), (x: 120.0, y: 30.0)
        ]
        .into();
        let layer = TileLayer {
            name: "places".into(),
            features: vec![TileFeature {
                id: 1,
                geometry: &county,
                properties: vec![("category", Property::Text("213".into()))],
            }],
        };
        let tile = decoded(&encode(tile_at(12, 121.0, 31.0), &[layer]));
        let feature = &tile.layers[0].features[0];
        assert_eq!(feature.r#type, Some(tile::GeomType::Polygon as i32));
        use geozero::ToGeo;
        let shape = feature.to_geo().unwrap();
        let bounds = shape.bounding_rect().unwrap();
        assert_eq!(
            bounds.min(),
            Coord {
                x: -256.0,
                y: -256.0
            }
        );
        assert_eq!(
            bounds.max(),
            Coord {
                x: 4352.0,
                y: 4352.0
            }
        );
    }

    #[test]
    fn a_detailed_line_loses_the_vertices_a_low_zoom_cannot_show() {
        // A line of 1,000 vertices wiggling by a metre.
        let line: Geometry = LineString::from(
            (0..1000)
                .map(|i| {
                    (
                        120.0 + f64::from(i) * 0.001,
                        30.0 + f64::from(i % 2) * 0.00001,
                    )
                })
                .collect::<Vec<_>>(),
        )
        .into();
        let layer = |z| {
            let tile = tile_at(z, 120.5, 30.0);
            let layer = TileLayer {
                name: "lines".into(),
                features: vec![TileFeature {
                    id: 1,
                    geometry: &line,
                    properties: Vec::new(),
                }],
            };
            decoded(&encode(tile, &[layer])).layers[0].features[0]
                .geometry
                .len()
        };
        assert!(layer(6) < 10, "{}", layer(6));
        assert!(layer(17) > layer(6));
    }
}
