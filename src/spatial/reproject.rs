//! Coordinate conversion through PROJ (the `proj` crate, which builds PROJ from source with its
//! `bundled_proj` feature; PROJ's database `proj.db` is built with it and found at the path
//! compiled in, or where `PROJ_DATA` points). Coordinates are checked against their declared
//! system first (`domain::crs`), so a Y in the wrong zone is refused rather than converted.

use std::cell::RefCell;
use std::collections::HashMap;

use proj::Proj;

use crate::domain::crs::{Crs, CrsError};

#[derive(Debug, thiserror::Error)]
pub enum ReprojectError {
    #[error(transparent)]
    Input(#[from] CrsError),
    #[error("PROJ could not set up {from} → {to}: {message}")]
    Setup { from: Crs, to: Crs, message: String },
    #[error("PROJ could not convert the point from {from} to {to}: {message}")]
    Convert { from: Crs, to: Crs, message: String },
}

thread_local! {
    /// PROJ objects are not shareable between threads and costly to make: one per thread and
    /// pair of systems.
    static TRANSFORMS: RefCell<HashMap<(Crs, Crs), Proj>> = RefCell::new(HashMap::new());
}

/// Converts (x, y) — east and north, or longitude and latitude — from one system to another.
pub fn convert(from: Crs, to: Crs, x: f64, y: f64) -> Result<(f64, f64), ReprojectError> {
    from.check(x, y)?;
    if from == to {
        return Ok((x, y));
    }
    TRANSFORMS.with(|cell| {
        let mut transforms = cell.borrow_mut();
        let proj =
            match transforms.entry((from, to)) {
                std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::hash_map::Entry::Vacant(entry) => {
                    // new_known_crs normalises axis order to east/longitude first for every system.
                    let proj = Proj::new_known_crs(&from.to_string(), &to.to_string(), None)
                        .map_err(|e| ReprojectError::Setup {
                            from,
                            to,
                            message: e.to_string(),
                        })?;
                    entry.insert(proj)
                }
            };
        proj.convert((x, y)).map_err(|e| ReprojectError::Convert {
            from,
            to,
            message: e.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_kruger_round_trips_within_a_millimetre_in_several_zones() {
        for (lon, lat) in [
            (75.9, 39.5),
            (87.6, 43.8),
            (104.1, 30.7),
            (116.4, 39.9),
            (120.9, 30.9),
            (126.6, 45.8),
            (134.2, 47.7),
        ] {
            let zone = Crs::zone_for_longitude(lon);
            for prefixed in [true, false] {
                let gk = Crs::GaussKruger { zone, prefixed };
                let (east, north) = convert(Crs::Cgcs2000, gk, lon, lat).unwrap();
                let (back_lon, back_lat) = convert(gk, Crs::Cgcs2000, east, north).unwrap();
                let (again_east, again_north) =
                    convert(Crs::Cgcs2000, gk, back_lon, back_lat).unwrap();
                assert!(
                    (again_east - east).abs() < 0.001 && (again_north - north).abs() < 0.001,
                    "{gk} at {lon},{lat}"
                );
            }
        }
    }

    #[test]
    fn a_known_point_lands_where_the_zone_puts_it() {
        // 120.9°E lies 0.9° east of zone 40's central meridian (120°E).
        let (east, north) =
            convert(Crs::Cgcs2000, Crs::parse("EPSG:4528").unwrap(), 120.9, 30.9).unwrap();
        assert!((east - 40_586_045.085_7).abs() < 0.001, "{east}");
        assert!((north - 3_420_234.530_1).abs() < 0.001, "{north}");
    }

    #[test]
    fn a_point_outside_its_zone_is_refused_before_proj_sees_it() {
        let result = convert(
            Crs::parse("EPSG:4528").unwrap(),
            Crs::Cgcs2000,
            39_586_045.0,
            3_420_234.0,
        );
        assert!(matches!(
            result,
            Err(ReprojectError::Input(
                CrsError::EastOutsidePrefixedZone { .. }
            ))
        ));
    }
}
