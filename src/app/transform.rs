//! One coordinate converted between the supported systems, with the failure pointed at the
//! request field it comes from and the answer rounded as the service answers positions.
#![warn(missing_docs)]

use crate::domain::crs::{Crs, Helmert};
use crate::domain::field_error::FieldError;
use crate::spatial::reproject::{ReprojectError, convert_with};

/// Converts (x, y) — east and north, or longitude and latitude — from `from` to `to`, rounded
/// (see `Crs::round`). A refused input names its field (`x`, `y`, `helmert`); a conversion
/// PROJ cannot make is the target system's (`to`).
///
/// ```
/// use diming::app::transform::transform;
/// use diming::domain::crs::Crs;
///
/// let zone_40 = Crs::parse("EPSG:4528").unwrap();
/// let (east, north) = transform(Crs::Cgcs2000, zone_40, 120.9, 30.9, None).unwrap();
/// assert_eq!((east, north), (40_586_045.0857, 3_420_234.5301));
/// let refused = transform(zone_40, Crs::Cgcs2000, 586_045.0, 3_420_234.0, None).unwrap_err();
/// assert_eq!(refused.field, "x");
/// ```
pub fn transform(
    from: Crs,
    to: Crs,
    x: f64,
    y: f64,
    helmert: Option<&Helmert>,
) -> Result<(f64, f64), FieldError> {
    let (x, y) = convert_with(from, to, x, y, helmert).map_err(|e| match e {
        ReprojectError::Input(_) => FieldError::new(e.field(), e.to_string()),
        other => FieldError::new("to", other.to_string()),
    })?;
    Ok((to.round(x), to.round(y)))
}
