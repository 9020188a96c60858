//! The coordinate reference systems field teams and maps use in China, by EPSG code, and the
//! checks a coordinate must pass before it is converted: CGCS2000 geographic (EPSG:4490), the
//! CGCS2000 3-degree Gauss–Krüger zones with the zone number prefixed to Y (EPSG:4513–4533,
//! zones 25–45) and without it (EPSG:4534–4554, the same zones by central meridian), WGS84
//! (EPSG:4326) and Web Mercator (EPSG:3857); and the legacy Beijing 1954 and Xian 1980 systems
//! (geographic EPSG:4214 and 4610, 3-degree zones EPSG:2401–2442 and 2349–2390), which reach
//! CGCS2000 only through the seven Helmert parameters a province publishes for its area — PROJ
//! has no accurate default for them, so they must be given. In Chinese survey tables X is the northing and Y the
//! easting; here they are called north and east to leave no doubt.
#![warn(missing_docs)]

use std::fmt;

/// A supported coordinate reference system.
///
/// ```
/// use diming::domain::crs::{Crs, CrsError};
///
/// let zone_40 = Crs::parse("EPSG:4549").unwrap();
/// assert_eq!(zone_40, Crs::GaussKruger { zone: 40, prefixed: false });
/// assert_eq!(Crs::parse("4528").unwrap().to_string(), "EPSG:4528");
/// assert!(Crs::parse("epsg:4490").unwrap().is_geographic());
/// // A Y carrying the zone prefix in a system without one is refused, naming the right one.
/// assert!(matches!(
///     zone_40.check(40_520_000.0, 3_400_000.0),
///     Err(CrsError::UnexpectedZonePrefix { suggested: 4528, .. })
/// ));
/// assert!(matches!(Crs::parse("EPSG:9999"), Err(CrsError::Unsupported(_))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// CGCS2000 longitude/latitude (EPSG:4490), the system the register stores.
    Cgcs2000,
    /// A 3-degree Gauss–Krüger zone (25–45, central meridian 3 × zone degrees east); `prefixed`
    /// when Y carries the zone number in its millions (zone 40: Y = 40 500 000 at the meridian).
    GaussKruger {
        /// The zone number, 25–45.
        zone: u8,
        /// Whether Y carries the zone number.
        prefixed: bool,
    },
    /// WGS84 longitude/latitude (EPSG:4326), as GPS receivers give it.
    Wgs84,
    /// Web Mercator metres (EPSG:3857), as web maps use.
    WebMercator,
    /// Beijing 1954 or Xian 1980 longitude/latitude.
    LegacyGeographic(LegacyDatum),
    /// A Beijing 1954 or Xian 1980 3-degree Gauss–Krüger zone, with or without the zone prefix.
    LegacyGaussKruger {
        /// Beijing 1954 or Xian 1980.
        datum: LegacyDatum,
        /// The zone number, 25–45.
        zone: u8,
        /// Whether Y carries the zone number.
        prefixed: bool,
    },
}

/// The national systems CGCS2000 replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegacyDatum {
    /// 1954 北京坐标系, on the Krassovsky ellipsoid.
    Beijing1954,
    /// 1980 西安坐标系, on the IAG 1975 ellipsoid.
    Xian1980,
}

impl LegacyDatum {
    /// PROJ's name for the datum's ellipsoid.
    pub fn ellipsoid(self) -> &'static str {
        match self {
            Self::Beijing1954 => "krass",
            Self::Xian1980 => "IAU76",
        }
    }

    /// The datum's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Beijing1954 => "Beijing 1954",
            Self::Xian1980 => "Xian 1980",
        }
    }

    /// EPSG codes: geographic, first prefixed zone (25), first unprefixed zone (25).
    fn codes(self) -> (u32, u32, u32) {
        match self {
            Self::Beijing1954 => (4214, 2401, 2422),
            Self::Xian1980 => (4610, 2349, 2370),
        }
    }
}

/// The seven parameters of a Helmert transformation from a legacy datum to CGCS2000, in the
/// position-vector convention (EPSG method 9606, PROJ's `+towgs84`): translations in metres,
/// rotations in arc-seconds, scale difference in parts per million.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Helmert {
    /// dx, dy, dz in metres.
    pub translation_m: [f64; 3],
    /// rx, ry, rz in arc-seconds.
    pub rotation_arcsec: [f64; 3],
    /// The scale difference in parts per million.
    pub scale_ppm: f64,
}

impl Helmert {
    /// Parses `dx,dy,dz,rx,ry,rz,s`.
    pub fn parse(text: &str) -> Result<Self, CrsError> {
        let values: Vec<f64> = text
            .split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| CrsError::BadHelmert("seven numbers separated by commas".into()))?;
        let [dx, dy, dz, rx, ry, rz, s] = values[..] else {
            return Err(CrsError::BadHelmert(format!(
                "seven numbers (dx,dy,dz in m, rx,ry,rz in arc-seconds, scale in ppm), not {}",
                values.len()
            )));
        };
        if values.iter().any(|v| !v.is_finite()) {
            return Err(CrsError::BadHelmert("numbers only".into()));
        }
        // Published parameters between these datums stay well inside these bounds; larger
        // values are a unit mistake (radians for seconds, a scale factor for ppm).
        if [dx, dy, dz].iter().any(|d| d.abs() > 1_000.0) {
            return Err(CrsError::BadHelmert(
                "translations are at most 1000 m".into(),
            ));
        }
        if [rx, ry, rz].iter().any(|r| r.abs() > 60.0) {
            return Err(CrsError::BadHelmert(
                "rotations are at most 60 arc-seconds".into(),
            ));
        }
        if s.abs() > 100.0 {
            return Err(CrsError::BadHelmert(
                "the scale difference is at most 100 ppm".into(),
            ));
        }
        Ok(Self {
            translation_m: [dx, dy, dz],
            rotation_arcsec: [rx, ry, rz],
            scale_ppm: s,
        })
    }

    /// The PROJ `helmert` step's parameters.
    pub fn proj_parameters(&self) -> String {
        let [x, y, z] = self.translation_m;
        let [rx, ry, rz] = self.rotation_arcsec;
        format!(
            "+x={x} +y={y} +z={z} +rx={rx} +ry={ry} +rz={rz} +s={} +convention=position_vector",
            self.scale_ppm
        )
    }
}

/// Why a system is not supported, parameters are not usable, or a coordinate does not fit
/// its declared system.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    /// Not a system the service converts.
    #[error(
        "{0:?} is not a supported coordinate system: use EPSG:4490 (CGCS2000), EPSG:4513–4554 (CGCS2000 3-degree Gauss–Krüger zones), EPSG:4326 (WGS84), EPSG:3857 (Web Mercator), or with transformation parameters EPSG:4214, 2401–2442 (Beijing 1954) and EPSG:4610, 2349–2390 (Xian 1980)"
    )]
    Unsupported(String),
    /// A Y that does not begin with the declared zone's number.
    #[error(
        "Y (east) = {east} does not fit zone {zone}: with the zone prefix it starts with {zone} (about {expected_low}–{expected_high})"
    )]
    EastOutsidePrefixedZone {
        /// The Y given.
        east: f64,
        /// The declared zone.
        zone: u8,
        /// The smallest Y expected in the zone, about.
        expected_low: u64,
        /// The largest Y expected in the zone, about.
        expected_high: u64,
    },
    /// A Y with a zone prefix in a system declared without one.
    #[error(
        "Y (east) = {east} carries a zone prefix ({found}); the declared system has none — declare the prefixed zone system (EPSG:{suggested}) instead"
    )]
    UnexpectedZonePrefix {
        /// The Y given.
        east: f64,
        /// The prefix found.
        found: u64,
        /// The EPSG code of the prefixed system of that zone.
        suggested: u32,
    },
    /// A Y too far from the zone's central meridian to lie in it.
    #[error(
        "Y (east) = {east} lies {km:.0} km from the central meridian of zone {zone}; a 3-degree zone reaches about 170 km each side in China"
    )]
    EastTooFarFromMeridian {
        /// The Y given.
        east: f64,
        /// The declared zone.
        zone: u8,
        /// Its distance from the central meridian.
        km: f64,
    },
    /// A coordinate outside the system's range.
    #[error("{field} = {value} is outside the range of {crs}")]
    OutOfRange {
        /// `lon`, `lat`, `x`, `y` or `north`.
        field: &'static str,
        /// The value given.
        value: f64,
        /// The system.
        crs: String,
    },
    /// A coordinate that is infinite or not a number (`x` or `y`).
    #[error("{0} is not a number")]
    NotFinite(&'static str),
    /// A legacy datum without its transformation parameters (the datum's name).
    #[error(
        "{0} coordinates reach CGCS2000 only through the seven transformation parameters published for your area; give them as helmert=dx,dy,dz,rx,ry,rz,s (m, arc-seconds, ppm)"
    )]
    MissingHelmert(&'static str),
    /// Transformation parameters that are not seven numbers in sensible units.
    #[error("the transformation parameters: {0}")]
    BadHelmert(String),
}

/// Half the width of a 3-degree zone at China's southern edge, with a margin: eastings further
/// than this from the central meridian belong to another zone.
const MAX_OFFSET_M: f64 = 200_000.0;

impl Crs {
    /// Parses `EPSG:4549`, `epsg:4549` or `4549`.
    pub fn parse(text: &str) -> Result<Self, CrsError> {
        let trimmed = text.trim();
        let digits = trimmed
            .strip_prefix("EPSG:")
            .or_else(|| trimmed.strip_prefix("epsg:"))
            .unwrap_or(trimmed);
        let code: u32 = digits
            .parse()
            .map_err(|_| CrsError::Unsupported(text.to_string()))?;
        Ok(match code {
            4490 => Self::Cgcs2000,
            4326 => Self::Wgs84,
            3857 => Self::WebMercator,
            4513..=4533 => Self::GaussKruger {
                zone: (code - 4513 + 25) as u8,
                prefixed: true,
            },
            4534..=4554 => Self::GaussKruger {
                zone: (code - 4534 + 25) as u8,
                prefixed: false,
            },
            _ => {
                for datum in [LegacyDatum::Beijing1954, LegacyDatum::Xian1980] {
                    let (geographic, prefixed, plain) = datum.codes();
                    if code == geographic {
                        return Ok(Self::LegacyGeographic(datum));
                    }
                    for (first, prefixed) in [(prefixed, true), (plain, false)] {
                        if (first..first + 21).contains(&code) {
                            return Ok(Self::LegacyGaussKruger {
                                datum,
                                zone: (code - first + 25) as u8,
                                prefixed,
                            });
                        }
                    }
                }
                return Err(CrsError::Unsupported(text.to_string()));
            }
        })
    }

    /// The same kind of zone system on the same datum, for another zone.
    fn in_zone(self, zone: u8, prefixed: bool) -> Self {
        match self {
            Self::LegacyGaussKruger { datum, .. } => Self::LegacyGaussKruger {
                datum,
                zone,
                prefixed,
            },
            _ => Self::GaussKruger { zone, prefixed },
        }
    }

    /// The legacy datum the system is on, if any.
    pub fn legacy_datum(self) -> Option<LegacyDatum> {
        match self {
            Self::LegacyGeographic(datum) | Self::LegacyGaussKruger { datum, .. } => Some(datum),
            _ => None,
        }
    }

    /// The EPSG code of the system.
    pub fn epsg(self) -> u32 {
        match self {
            Self::Cgcs2000 => 4490,
            Self::Wgs84 => 4326,
            Self::WebMercator => 3857,
            Self::GaussKruger {
                zone,
                prefixed: true,
            } => 4513 + u32::from(zone) - 25,
            Self::GaussKruger {
                zone,
                prefixed: false,
            } => 4534 + u32::from(zone) - 25,
            Self::LegacyGeographic(datum) => datum.codes().0,
            Self::LegacyGaussKruger {
                datum,
                zone,
                prefixed,
            } => {
                let (_, with_prefix, without) = datum.codes();
                (if prefixed { with_prefix } else { without }) + u32::from(zone) - 25
            }
        }
    }

    /// A coordinate of this system rounded as the service answers it: degrees to 1e-9
    /// (0.1 mm), metres to 0.1 mm.
    ///
    /// ```
    /// use diming::domain::crs::Crs;
    /// assert_eq!(Crs::Cgcs2000.round(120.123_456_789_4), 120.123_456_789);
    /// assert_eq!(Crs::WebMercator.round(13_458_214.123_46), 13_458_214.1235);
    /// ```
    pub fn round(self, value: f64) -> f64 {
        if self.is_geographic() {
            (value * 1e9).round() / 1e9
        } else {
            (value * 1e4).round() / 1e4
        }
    }

    /// Whether coordinates are longitude and latitude (otherwise metres east and north).
    pub fn is_geographic(self) -> bool {
        matches!(
            self,
            Self::Cgcs2000 | Self::Wgs84 | Self::LegacyGeographic(_)
        )
    }

    /// The 3-degree zone whose central meridian is nearest a longitude.
    pub fn zone_for_longitude(lon: f64) -> u8 {
        (lon / 3.0).round().clamp(25.0, 45.0) as u8
    }

    /// Checks a coordinate (x = east or longitude, y = north or latitude) before conversion.
    pub fn check(self, x: f64, y: f64) -> Result<(), CrsError> {
        if !x.is_finite() {
            return Err(CrsError::NotFinite("x"));
        }
        if !y.is_finite() {
            return Err(CrsError::NotFinite("y"));
        }
        let out = |field, value| CrsError::OutOfRange {
            field,
            value,
            crs: self.to_string(),
        };
        match self {
            Self::Cgcs2000 | Self::Wgs84 | Self::LegacyGeographic(_) => {
                if !(-180.0..=180.0).contains(&x) {
                    return Err(out("lon", x));
                }
                if !(-90.0..=90.0).contains(&y) {
                    return Err(out("lat", y));
                }
            }
            Self::WebMercator => {
                const LIMIT: f64 = 20_037_508.35;
                if x.abs() > LIMIT {
                    return Err(out("x", x));
                }
                if y.abs() > LIMIT {
                    return Err(out("y", y));
                }
            }
            Self::GaussKruger { zone, prefixed }
            | Self::LegacyGaussKruger { zone, prefixed, .. } => {
                if !(0.0..=10_000_000.0).contains(&y) {
                    return Err(out("north", y));
                }
                let prefix = (x / 1_000_000.0).floor() as u64;
                let offset = if prefixed {
                    if prefix != u64::from(zone) {
                        let low = u64::from(zone) * 1_000_000 + 300_000;
                        return Err(CrsError::EastOutsidePrefixedZone {
                            east: x,
                            zone,
                            expected_low: low,
                            expected_high: low + 400_000,
                        });
                    }
                    x - f64::from(zone) * 1_000_000.0 - 500_000.0
                } else {
                    if prefix >= 25 {
                        return Err(CrsError::UnexpectedZonePrefix {
                            east: x,
                            found: prefix,
                            suggested: self.in_zone(prefix.clamp(25, 45) as u8, true).epsg(),
                        });
                    }
                    x - 500_000.0
                };
                if offset.abs() > MAX_OFFSET_M {
                    return Err(CrsError::EastTooFarFromMeridian {
                        east: x,
                        zone,
                        km: offset.abs() / 1000.0,
                    });
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EPSG:{}", self.epsg())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_zones_both_ways() {
        assert_eq!(
            Crs::parse("EPSG:4513").unwrap(),
            Crs::GaussKruger {
                zone: 25,
                prefixed: true
            }
        );
        assert_eq!(
            Crs::parse("epsg:4528").unwrap(),
            Crs::GaussKruger {
                zone: 40,
                prefixed: true
            }
        );
        assert_eq!(
            Crs::parse("4549").unwrap(),
            Crs::GaussKruger {
                zone: 40,
                prefixed: false
            }
        );
        assert_eq!(
            Crs::parse("EPSG:4554").unwrap(),
            Crs::GaussKruger {
                zone: 45,
                prefixed: false
            }
        );
        for code in [4490, 4326, 3857, 4513, 4533, 4534, 4554] {
            assert_eq!(Crs::parse(&code.to_string()).unwrap().epsg(), code);
        }
        for code in [4214, 4610, 2401, 2421, 2422, 2442, 2349, 2369, 2370, 2390] {
            assert_eq!(Crs::parse(&code.to_string()).unwrap().epsg(), code);
        }
        assert_eq!(
            Crs::parse("EPSG:2416").unwrap(),
            Crs::LegacyGaussKruger {
                datum: LegacyDatum::Beijing1954,
                zone: 40,
                prefixed: true
            }
        );
        assert_eq!(
            Crs::parse("EPSG:2385").unwrap(),
            Crs::LegacyGaussKruger {
                datum: LegacyDatum::Xian1980,
                zone: 40,
                prefixed: false
            }
        );
        for bad in [
            "EPSG:4512",
            "EPSG:4555",
            "EPSG:2000",
            "EPSG:2391",
            "WGS84",
            "",
        ] {
            assert!(
                matches!(Crs::parse(bad), Err(CrsError::Unsupported(_))),
                "{bad}"
            );
        }
        assert_eq!(Crs::zone_for_longitude(120.9), 40);
    }

    #[test]
    fn helmert_parameters_are_seven_numbers_in_sensible_units() {
        let helmert = Helmert::parse("-15.9, 147.4, 30.2, 0.4, -0.3, 1.1, 2.5").unwrap();
        assert_eq!(helmert.translation_m, [-15.9, 147.4, 30.2]);
        assert!(
            helmert
                .proj_parameters()
                .contains("+convention=position_vector")
        );
        assert!(Helmert::parse("1,2,3").is_err());
        assert!(Helmert::parse("1,2,3,0.1,0.1,x,1").is_err());
        assert!(Helmert::parse("1,2,3,0.00001,0.1,0.1,1.0000025").is_ok());
        assert!(Helmert::parse("1,2,3,0.1,0.1,0.1,1.0000025e6").is_err());
        assert!(Helmert::parse("1,2,3000,0.1,0.1,0.1,1").is_err());
    }

    #[test]
    fn a_legacy_zone_checks_its_easting_like_a_cgcs2000_one() {
        let beijing = Crs::parse("EPSG:2437").unwrap();
        assert!(matches!(
            beijing.check(40_520_000.0, 3_400_000.0),
            Err(CrsError::UnexpectedZonePrefix {
                suggested: 2416,
                ..
            })
        ));
    }

    #[test]
    fn an_easting_must_fit_the_declared_zone() {
        let prefixed = Crs::parse("EPSG:4528").unwrap();
        assert!(prefixed.check(40_500_000.0, 3_400_000.0).is_ok());
        assert!(matches!(
            prefixed.check(39_500_000.0, 3_400_000.0),
            Err(CrsError::EastOutsidePrefixedZone { .. })
        ));
        assert!(matches!(
            prefixed.check(500_000.0, 3_400_000.0),
            Err(CrsError::EastOutsidePrefixedZone { .. })
        ));
        let plain = Crs::parse("EPSG:4549").unwrap();
        assert!(plain.check(520_000.0, 3_400_000.0).is_ok());
        assert!(matches!(
            plain.check(40_520_000.0, 3_400_000.0),
            Err(CrsError::UnexpectedZonePrefix {
                suggested: 4528,
                ..
            })
        ));
        assert!(matches!(
            plain.check(900_000.0, 3_400_000.0),
            Err(CrsError::EastTooFarFromMeridian { .. })
        ));
        assert!(matches!(
            Crs::Cgcs2000.check(200.0, 30.0),
            Err(CrsError::OutOfRange { field: "lon", .. })
        ));
        assert!(matches!(
            Crs::Cgcs2000.check(f64::NAN, 30.0),
            Err(CrsError::NotFinite("x"))
        ));
    }
}
