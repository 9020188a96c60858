//! The Web Mercator tile grid (OGC's WebMercatorQuad, the XYZ scheme of web maps): a tile's
//! address checked against the matrix of its zoom level, its extent in metres and in degrees,
//! and the projection of a longitude/latitude into a tile's own coordinates.
#![warn(missing_docs)]

use std::f64::consts::PI;

use super::field_error::FieldErrors;

/// Half the side of the Web Mercator square, in metres (π × the WGS84 semi-major axis).
pub const HALF_WORLD_M: f64 = PI * 6_378_137.0;

/// The latitude where the Web Mercator square ends, north and south.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// The deepest zoom level served: a zoom-18 tile is about 150 m across, finer than any
/// geometry the register keeps needs.
pub const MAX_ZOOM: u8 = 18;

/// The side of a tile in its own coordinates (the MVT `extent`).
pub const EXTENT: u32 = 4096;

/// How far beyond its edges a tile carries geometry, in tile units, so that lines and fills
/// drawn across a tile border meet without seams (PostGIS's ST_AsMVTGeom default).
pub const BUFFER: u32 = 256;

/// A tile of the WebMercatorQuad matrix set: zoom `z`, column `x` from the west, row `y` from
/// the north.
///
/// ```
/// use diming::domain::tile::TileAddress;
///
/// let tile = TileAddress::parse("10", "856", "419").unwrap();
/// assert_eq!((tile.z, tile.x, tile.y), (10, 856, 419));
/// // The tile holding 嘉善 at zoom 10 spans about 0.35° of longitude.
/// let [west, south, east, north] = tile.lon_lat_bounds(0);
/// assert!(west < 121.0 && 121.0 < east && south < 31.0 && 31.0 < north, "{west} {south} {east} {north}");
/// // Rows and columns run from 0 to 2^z − 1; each parameter at fault is named.
/// let errors = TileAddress::parse("2", "4", "-1").unwrap_err();
/// let fields: Vec<_> = errors.as_slice().iter().map(|e| e.field.as_str()).collect();
/// assert_eq!(fields, ["x", "y"]);
/// assert!(TileAddress::parse("19", "0", "0").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileAddress {
    /// The zoom level (tile matrix).
    pub z: u8,
    /// The column, from the antimeridian eastwards.
    pub x: u32,
    /// The row, from the north.
    pub y: u32,
}

impl TileAddress {
    /// Reads a tile's zoom, column and row as the paths carry them; every one at fault is named.
    pub fn parse(z: &str, x: &str, y: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let zoom = match z.parse::<u8>() {
            Ok(zoom) if zoom <= MAX_ZOOM => Some(zoom),
            _ => {
                errors.push(
                    "z",
                    format!("{z:?} is not a zoom level served here: 0 to {MAX_ZOOM}"),
                );
                None
            }
        };
        let mut index = |name: &str, text: &str| -> u32 {
            let size = zoom.map(|z| 1u64 << z);
            match (text.parse::<u64>(), size) {
                (Ok(value), Some(size)) if value < size => value as u32,
                (Ok(_), None) => 0,
                (_, Some(size)) => {
                    errors.push(
                        name,
                        format!(
                            "{text:?} is outside the tile matrix of zoom {z}: 0 to {}",
                            size - 1
                        ),
                    );
                    0
                }
                (Err(_), None) => {
                    errors.push(name, format!("{text:?} is not a tile index (0, 1, 2 …)"));
                    0
                }
            }
        };
        let x = index("x", x);
        let y = index("y", y);
        let z = zoom.unwrap_or_default();
        errors.into_result(Self { z, x, y })
    }

    /// The side of the tile in Web Mercator metres.
    pub fn size_m(self) -> f64 {
        2.0 * HALF_WORLD_M / f64::from(1u32 << self.z)
    }

    /// The tile's [west, south, east, north] in Web Mercator metres, widened by `buffer` tile
    /// units on every side.
    pub fn mercator_bounds(self, buffer: u32) -> [f64; 4] {
        let size = self.size_m();
        let margin = size * f64::from(buffer) / f64::from(EXTENT);
        let west = -HALF_WORLD_M + f64::from(self.x) * size;
        let north = HALF_WORLD_M - f64::from(self.y) * size;
        [
            west - margin,
            north - size - margin,
            west + size + margin,
            north + margin,
        ]
    }

    /// The tile's [west, south, east, north] in degrees, widened by `buffer` tile units (and
    /// kept within the Web Mercator square).
    pub fn lon_lat_bounds(self, buffer: u32) -> [f64; 4] {
        let [west, south, east, north] = self.mercator_bounds(buffer);
        let (west, south) = lon_lat(west, south);
        let (east, north) = lon_lat(east, north);
        [
            west.max(-180.0),
            south.max(-MAX_LATITUDE),
            east.min(180.0),
            north.min(MAX_LATITUDE),
        ]
    }

    /// The projection of degrees into this tile's own coordinates: 0..`EXTENT` from its
    /// north-west corner, y growing southwards, as MVT counts them.
    pub fn projector(self) -> impl Fn(f64, f64) -> (f64, f64) {
        let size = self.size_m();
        let west = -HALF_WORLD_M + f64::from(self.x) * size;
        let north = HALF_WORLD_M - f64::from(self.y) * size;
        let scale = f64::from(EXTENT) / size;
        move |lon, lat| {
            let (x, y) = mercator(lon, lat);
            ((x - west) * scale, (north - y) * scale)
        }
    }
}

/// Degrees to Web Mercator metres (EPSG:3857), the latitude clamped to the square.
///
/// ```
/// let (x, y) = diming::domain::tile::mercator(180.0, 0.0);
/// assert!((x - diming::domain::tile::HALF_WORLD_M).abs() < 1e-6 && y.abs() < 1e-9);
/// ```
pub fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let x = lon.to_radians() * 6_378_137.0;
    let y = (PI / 4.0 + lat / 2.0).tan().ln() * 6_378_137.0;
    (x, y)
}

/// Web Mercator metres to degrees.
pub fn lon_lat(x: f64, y: f64) -> (f64, f64) {
    let lon = (x / 6_378_137.0).to_degrees();
    let lat = (2.0 * (y / 6_378_137.0).exp().atan() - PI / 2.0).to_degrees();
    (lon, lat)
}

/// The tiles of zoom `z` that hold the point (lon, lat).
///
/// ```
/// use diming::domain::tile::{TileAddress, tile_at};
/// assert_eq!(tile_at(0, 120.9, 30.9), TileAddress { z: 0, x: 0, y: 0 });
/// assert_eq!(tile_at(10, 120.9, 30.9), TileAddress { z: 10, x: 855, y: 419 });
/// ```
pub fn tile_at(z: u8, lon: f64, lat: f64) -> TileAddress {
    let (x, y) = mercator(lon, lat);
    let n = 1u32 << z;
    let size = 2.0 * HALF_WORLD_M / f64::from(n);
    let column = ((x + HALF_WORLD_M) / size)
        .floor()
        .clamp(0.0, f64::from(n - 1)) as u32;
    let row = ((HALF_WORLD_M - y) / size)
        .floor()
        .clamp(0.0, f64::from(n - 1)) as u32;
    TileAddress {
        z,
        x: column,
        y: row,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_projects_inside_the_tile_that_holds_it() {
        let tile = tile_at(12, 120.8906, 30.9447);
        let (x, y) = (tile.projector())(120.8906, 30.9447);
        assert!(
            (0.0..4096.0).contains(&x) && (0.0..4096.0).contains(&y),
            "{x} {y}"
        );
        let [west, south, east, north] = tile.lon_lat_bounds(0);
        assert!(west <= 120.8906 && 120.8906 <= east && south <= 30.9447 && 30.9447 <= north);
    }

    #[test]
    fn degrees_and_metres_convert_back_and_forth() {
        let (x, y) = mercator(121.5, 31.2);
        let (lon, lat) = lon_lat(x, y);
        assert!((lon - 121.5).abs() < 1e-9 && (lat - 31.2).abs() < 1e-9);
    }
}
