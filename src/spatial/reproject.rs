//! Coordinate conversion through PROJ (the `proj` crate, which builds PROJ from source with its
//! `bundled_proj` feature; PROJ's database `proj.db` is built with it and found at the path
//! compiled in, or where `PROJ_DATA` points). Coordinates are checked against their declared
//! system first (`domain::crs`), so a Y in the wrong zone is refused rather than converted.
#![warn(missing_docs)]

use std::cell::RefCell;
use std::collections::HashMap;

use proj::Proj;

use crate::domain::crs::{Crs, CrsError, Helmert, LegacyDatum};

/// Why a coordinate was not converted.
#[derive(Debug, thiserror::Error)]
pub enum ReprojectError {
    /// The coordinate, system or parameters were refused before conversion.
    #[error(transparent)]
    Input(#[from] CrsError),
    /// PROJ could not build the conversion.
    #[error("PROJ could not set up {from} → {to}: {message}")]
    Setup {
        /// The source system.
        from: Crs,
        /// The target system.
        to: Crs,
        /// PROJ's message.
        message: String,
    },
    /// PROJ could not convert this point.
    #[error("PROJ could not convert the point from {from} to {to}: {message}")]
    Convert {
        /// The source system.
        from: Crs,
        /// The target system.
        to: Crs,
        /// PROJ's message.
        message: String,
    },
}

impl ReprojectError {
    /// The request field a failed conversion points at: the parameters, the system, or the
    /// coordinate (y for a northing or latitude out of range, x otherwise).
    pub fn field(&self) -> &'static str {
        match self {
            Self::Input(CrsError::MissingHelmert(_) | CrsError::BadHelmert(_)) => "helmert",
            Self::Input(CrsError::Unsupported(_)) => "crs",
            Self::Input(CrsError::OutOfRange { field, .. })
                if matches!(*field, "lat" | "north" | "y") =>
            {
                "y"
            }
            Self::Input(CrsError::NotFinite(field)) => field,
            _ => "x",
        }
    }
}

thread_local! {
    /// PROJ objects are not shareable between threads and costly to make: one per thread and
    /// pair of systems.
    static TRANSFORMS: RefCell<HashMap<(Crs, Crs), Proj>> = RefCell::new(HashMap::new());
    /// Pipelines to and from the legacy datums, by their PROJ definition.
    static PIPELINES: RefCell<HashMap<String, Proj>> = RefCell::new(HashMap::new());
}

/// Converts (x, y) — east and north, or longitude and latitude — from one system to another.
/// A legacy system (Beijing 1954, Xian 1980) needs `helmert`, its parameters to CGCS2000.
///
/// ```
/// use diming::domain::crs::{Crs, Helmert};
/// use diming::spatial::reproject::convert_with;
///
/// // CGCS2000 to a Beijing 1954 zone with the area's parameters, and back.
/// let helmert = Helmert::parse("-15.9,147.4,30.2,0.4,-0.3,1.1,2.5").unwrap();
/// let beijing = Crs::parse("EPSG:2416").unwrap();
/// let (east, north) = convert_with(Crs::Cgcs2000, beijing, 120.9, 30.9, Some(&helmert)).unwrap();
/// let (lon, lat) = convert_with(beijing, Crs::Cgcs2000, east, north, Some(&helmert)).unwrap();
/// assert!((lon - 120.9).abs() < 1e-8 && (lat - 30.9).abs() < 1e-8);
/// // Without the parameters the legacy datum is refused, naming them.
/// assert_eq!(
///     convert_with(beijing, Crs::Cgcs2000, east, north, None).unwrap_err().field(),
///     "helmert"
/// );
/// ```
pub fn convert_with(
    from: Crs,
    to: Crs,
    x: f64,
    y: f64,
    helmert: Option<&Helmert>,
) -> Result<(f64, f64), ReprojectError> {
    from.check(x, y)?;
    if from == to {
        return Ok((x, y));
    }
    if from.legacy_datum().is_none() && to.legacy_datum().is_none() {
        return convert(from, to, x, y);
    }
    let needs = |crs: Crs| crs.legacy_datum().map(LegacyDatum::name);
    let Some(helmert) = helmert else {
        let name = needs(from).or(needs(to)).unwrap_or_default();
        return Err(CrsError::MissingHelmert(name).into());
    };
    // Every legacy conversion passes through CGCS2000 longitude/latitude.
    let (lon, lat) = match from.legacy_datum() {
        Some(datum) => run_pipeline(
            &legacy_pipeline(from, datum, helmert, false),
            from,
            to,
            (x, y),
        )?,
        None => convert(from, Crs::Cgcs2000, x, y)?,
    };
    let Some(datum) = to.legacy_datum() else {
        return convert(Crs::Cgcs2000, to, lon, lat);
    };
    // The forward direction (legacy coordinates taken at height 0, as survey tables give them)
    // defines the conversion. The inverse pipeline starts from CGCS2000 at height 0, which is
    // not where the forward one lands (the ellipsoids differ by some 100 m), so it misses by a
    // few millimetres: correct its target until the forward conversion of the result hits.
    let forward = legacy_pipeline(to, datum, helmert, false);
    let inverse = legacy_pipeline(to, datum, helmert, true);
    let mut aim = (lon, lat);
    let mut result = run_pipeline(&inverse, from, to, aim)?;
    for _ in 0..4 {
        let landed = run_pipeline(&forward, from, to, result)?;
        let miss = (landed.0 - lon, landed.1 - lat);
        if miss.0.abs() < 1e-12 && miss.1.abs() < 1e-12 {
            break;
        }
        aim = (aim.0 - miss.0, aim.1 - miss.1);
        result = run_pipeline(&inverse, from, to, aim)?;
    }
    Ok(result)
}

/// The PROJ pipeline from a legacy system to CGCS2000 degrees, or back (`inverse`): to
/// geocentric on the legacy ellipsoid, the Helmert step, back to geographic on GRS80 (the
/// CGCS2000 ellipsoid's flattening differs from GRS80's by 1e-16).
fn legacy_pipeline(crs: Crs, datum: LegacyDatum, helmert: &Helmert, inverse: bool) -> String {
    let ellipsoid = datum.ellipsoid();
    let plane = match crs {
        Crs::LegacyGaussKruger { zone, prefixed, .. } => {
            let false_easting = if prefixed {
                f64::from(zone) * 1_000_000.0 + 500_000.0
            } else {
                500_000.0
            };
            Some(format!(
                "+proj=tmerc +lat_0=0 +lon_0={} +k=1 +x_0={false_easting} +y_0=0 +ellps={ellipsoid}",
                u32::from(zone) * 3
            ))
        }
        _ => None,
    };
    let legacy_side = match &plane {
        Some(tmerc) => format!("+step +inv {tmerc}"),
        None => "+step +proj=unitconvert +xy_in=deg +xy_out=rad".to_string(),
    };
    let helmert = helmert.proj_parameters();
    let forward = format!(
        "+proj=pipeline {legacy_side} +step +proj=cart +ellps={ellipsoid} +step +proj=helmert {helmert} +step +inv +proj=cart +ellps=GRS80 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
    );
    if !inverse {
        return forward;
    }
    let legacy_end = match &plane {
        Some(tmerc) => format!("+step {tmerc}"),
        None => "+step +proj=unitconvert +xy_in=rad +xy_out=deg".to_string(),
    };
    format!(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=cart +ellps=GRS80 +step +inv +proj=helmert {helmert} +step +inv +proj=cart +ellps={ellipsoid} {legacy_end}"
    )
}

fn run_pipeline(
    definition: &str,
    from: Crs,
    to: Crs,
    point: (f64, f64),
) -> Result<(f64, f64), ReprojectError> {
    PIPELINES.with(|cell| {
        let mut pipelines = cell.borrow_mut();
        if !pipelines.contains_key(definition) {
            let proj = Proj::new(definition).map_err(|e| ReprojectError::Setup {
                from,
                to,
                message: e.to_string(),
            })?;
            pipelines.insert(definition.to_string(), proj);
        }
        let proj = &pipelines[definition];
        proj.convert(point).map_err(|e| ReprojectError::Convert {
            from,
            to,
            message: e.to_string(),
        })
    })
}

/// Converts (x, y) between systems PROJ relates without extra parameters (all but the legacy
/// datums, which go through `convert_with`).
pub fn convert(from: Crs, to: Crs, x: f64, y: f64) -> Result<(f64, f64), ReprojectError> {
    from.check(x, y)?;
    if from == to {
        return Ok((x, y));
    }
    if from.legacy_datum().is_some() || to.legacy_datum().is_some() {
        return convert_with(from, to, x, y, None);
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

/// A geometry of CGCS2000 degrees in another system PROJ relates without extra parameters,
/// each position converted and rounded as the system is measured (1e-9° or 0.1 mm); with
/// `north_first` each position is written north (latitude, Gauss–Krüger X) first.
///
/// ```
/// use diming::domain::crs::Crs;
/// use diming::spatial::reproject::geometry_in;
///
/// let point = geo::Geometry::Point(geo::point!(x: 120.9, y: 30.9));
/// let geo::Geometry::Point(gk) = geometry_in(&point, Crs::parse("EPSG:4528").unwrap(), true).unwrap() else {
///     unreachable!()
/// };
/// // Northing first, then the easting with zone 40's prefix.
/// assert!((gk.x() - 3_420_234.530_1).abs() < 0.001 && (gk.y() - 40_586_045.085_7).abs() < 0.001);
/// ```
pub fn geometry_in(
    geometry: &geo::Geometry<f64>,
    to: Crs,
    north_first: bool,
) -> Result<geo::Geometry<f64>, ReprojectError> {
    use geo::MapCoords;
    geometry.try_map_coords(|c| {
        let (x, y) = convert(Crs::Cgcs2000, to, c.x, c.y)?;
        let (x, y) = (to.round(x), to.round(y));
        Ok(if north_first {
            geo::Coord { x: y, y: x }
        } else {
            geo::Coord { x, y }
        })
    })
}

/// The CGCS2000 longitude/latitude box [min_lon, min_lat, max_lon, max_lat] that covers a box
/// given in another system ([min_east, min_north, max_east, max_north]): its edges are followed
/// point by point, as a straight edge of a projected box is curved in degrees.
///
/// ```
/// use diming::domain::crs::Crs;
/// use diming::spatial::reproject::{bbox_to_cgcs2000, convert};
///
/// let (x0, y0) = convert(Crs::Cgcs2000, Crs::WebMercator, 120.5, 30.5).unwrap();
/// let (x1, y1) = convert(Crs::Cgcs2000, Crs::WebMercator, 121.0, 31.0).unwrap();
/// let [min_lon, min_lat, max_lon, max_lat] = bbox_to_cgcs2000(Crs::WebMercator, [x0, y0, x1, y1]).unwrap();
/// assert!((min_lon - 120.5).abs() < 1e-9 && (max_lat - 31.0).abs() < 1e-9);
/// assert!((max_lon - 121.0).abs() < 1e-9 && (min_lat - 30.5).abs() < 1e-9);
/// ```
pub fn bbox_to_cgcs2000(from: Crs, bbox: [f64; 4]) -> Result<[f64; 4], ReprojectError> {
    if from == Crs::Cgcs2000 {
        return Ok(bbox);
    }
    const STEPS: usize = 16;
    let [x0, y0, x1, y1] = bbox;
    let mut out = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for i in 0..=STEPS {
        let t = i as f64 / STEPS as f64;
        let (x, y) = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
        for (east, north) in [(x, y0), (x, y1), (x0, y), (x1, y)] {
            let (lon, lat) = convert(from, Crs::Cgcs2000, east, north)?;
            out = [
                out[0].min(lon),
                out[1].min(lat),
                out[2].max(lon),
                out[3].max(lat),
            ];
        }
    }
    Ok(out)
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
    fn legacy_zones_round_trip_through_cgcs2000_with_their_parameters() {
        let helmert = Helmert::parse("-15.9,147.4,30.2,0.4,-0.3,1.1,2.5").unwrap();
        for code in [
            "EPSG:2416",
            "EPSG:2437",
            "EPSG:2364",
            "EPSG:2385",
            "EPSG:4214",
            "EPSG:4610",
        ] {
            let legacy = Crs::parse(code).unwrap();
            let (x, y) = convert_with(Crs::Cgcs2000, legacy, 120.9, 30.9, Some(&helmert)).unwrap();
            let (lon, lat) = convert_with(legacy, Crs::Cgcs2000, x, y, Some(&helmert)).unwrap();
            assert!(
                (lon - 120.9).abs() < 1e-8 && (lat - 30.9).abs() < 1e-8,
                "{code}: {lon},{lat}"
            );
        }
        assert!(matches!(
            convert(
                Crs::parse("EPSG:2416").unwrap(),
                Crs::Cgcs2000,
                40_586_000.0,
                3_420_000.0
            ),
            Err(ReprojectError::Input(CrsError::MissingHelmert(
                "Beijing 1954"
            )))
        ));
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
