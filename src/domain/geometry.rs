//! Parses GeoJSON geometry (RFC 7946: lon/lat positions) into `geo` types, refusing what would
//! corrupt the register: out-of-range or non-finite coordinates, unclosed or self-intersecting
//! rings, and positions outside China (usually swapped longitude and latitude).
//!
//! Heights are refused, not dropped: a position is `[longitude, latitude]`, and one with a third
//! value (RFC 7946 allows an altitude) is refused naming it (`geometry.coordinates[2]`), since
//! the register stores no heights and keeping only two of three numbers would lose one
//! silently. [`check_no_height`] finds every such position before parsing.

use geo::{
    BoundingRect, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
    Polygon, Rect, Validation,
};
use serde_json::Value;

use super::field_error::{FieldError, FieldErrors};

/// China's extent with a margin, as (south-west, north-east) corners in lon/lat: every valid
/// division code lies inside it.
/// Extreme points: 73.5°E (Pamirs), 135.1°E (Heilong/Wusuli confluence), 3.8°N (Zengmu Ansha),
/// 53.6°N (Mohe).
pub const CHINA_EXTENT: (Coord<f64>, Coord<f64>) =
    (Coord { x: 73.0, y: 3.0 }, Coord { x: 135.5, y: 54.0 });

/// Parses one GeoJSON geometry object into a valid `geo` geometry; `field` is the path used in
/// error messages.
///
/// ```
/// use diming::domain::geometry::parse_geometry;
/// use serde_json::json;
///
/// let point = json!({"type": "Point", "coordinates": [120.89, 30.94]});
/// let parsed = parse_geometry(&point, "geometry").unwrap();
/// assert_eq!(parsed, geo::Geometry::Point(geo::point!(x: 120.89, y: 30.94)));
///
/// // Latitude first (30.94, 120.89): 120.89 is no latitude, and the error says so.
/// let swapped = json!({"type": "Point", "coordinates": [30.94, 120.89]});
/// let error = parse_geometry(&swapped, "geometry").unwrap_err().into_vec().remove(0);
/// assert_eq!(error.field, "geometry.coordinates[1]");
/// assert!(error.message.contains("longitude and latitude look swapped"));
///
/// // A ring whose last position does not repeat its first.
/// let open = json!({"type": "Polygon", "coordinates": [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.1]]]});
/// let error = parse_geometry(&open, "geometry").unwrap_err().into_vec().remove(0);
/// assert_eq!(error.field, "geometry.coordinates[0]");
/// ```
pub fn parse_geometry(value: &Value, field: &str) -> Result<Geometry<f64>, FieldErrors> {
    let Some(object) = value.as_object() else {
        return Err(FieldError::new(
            field,
            "a geometry is a GeoJSON object with \"type\" and \"coordinates\"",
        )
        .into());
    };
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(coordinates) = object.get("coordinates") else {
        return Err(
            FieldError::new(format!("{field}.coordinates"), "coordinates are missing").into(),
        );
    };
    let path = format!("{field}.coordinates");
    let geometry: Geometry<f64> = match kind {
        "Point" => Point(position(coordinates, &path)?).into(),
        "MultiPoint" => MultiPoint(
            array(coordinates, &path)?
                .iter()
                .enumerate()
                .map(|(i, p)| position(p, &format!("{path}[{i}]")).map(Point))
                .collect::<Result<_, _>>()?,
        )
        .into(),
        "LineString" => line(coordinates, &path)?.into(),
        "MultiLineString" => MultiLineString(
            array(coordinates, &path)?
                .iter()
                .enumerate()
                .map(|(i, l)| line(l, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        )
        .into(),
        "Polygon" => polygon(coordinates, &path)?.into(),
        "MultiPolygon" => MultiPolygon(
            array(coordinates, &path)?
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        )
        .into(),
        other => {
            return Err(FieldError::new(
                format!("{field}.type"),
                format!("{other:?} is not a supported geometry type: use Point, LineString, Polygon, MultiPoint, MultiLineString or MultiPolygon"),
            )
            .into())
        }
    };
    if let Err(invalid) = geometry.check_validation() {
        return Err(FieldError::new(field, format!("the geometry is not valid: {invalid}")).into());
    }
    Ok(geometry)
}

/// Checks that a geometry lies within China's extent ([`CHINA_EXTENT`]), saying so plainly when
/// swapping longitude and latitude would have put it inside.
///
/// ```
/// use diming::domain::geometry::check_within_china;
///
/// let jiashan = geo::Geometry::Point(geo::point!(x: 120.92, y: 30.84));
/// assert!(check_within_china(&jiashan, "geometry").is_ok());
///
/// // Ürümqi (87.6°E, 43.8°N) given as [latitude, longitude]: both numbers are in range, only
/// // the extent catches it.
/// let swapped = geo::Geometry::Point(geo::point!(x: 43.8, y: 87.6));
/// let error = check_within_china(&swapped, "geometry").unwrap_err();
/// assert!(error.message.contains("swapped"));
///
/// let paris = geo::Geometry::Point(geo::point!(x: 2.35, y: 48.85));
/// let error = check_within_china(&paris, "geometry").unwrap_err();
/// assert!(error.message.contains("outside China") && !error.message.contains("swapped"));
/// ```
pub fn check_within_china(geometry: &Geometry<f64>, field: &str) -> Result<(), FieldError> {
    let Some(bounds) = geometry.bounding_rect() else {
        return Ok(());
    };
    let china = Rect::new(CHINA_EXTENT.0, CHINA_EXTENT.1);
    if rect_inside(bounds, china) {
        return Ok(());
    }
    let swapped = Rect::new(
        Coord {
            x: bounds.min().y,
            y: bounds.min().x,
        },
        Coord {
            x: bounds.max().y,
            y: bounds.max().x,
        },
    );
    let message = if rect_inside(swapped, china) {
        "the coordinates lie outside China, but would lie inside with longitude and latitude swapped: GeoJSON positions are [longitude, latitude]".to_string()
    } else {
        format!(
            "the coordinates (longitude {:.5}..{:.5}, latitude {:.5}..{:.5}) lie outside China (longitude 73..135.5, latitude 3..54)",
            bounds.min().x,
            bounds.max().x,
            bounds.min().y,
            bounds.max().y
        )
    };
    Err(FieldError::new(field, message))
}

/// Finds every position carrying a third value (a height) in a GeoJSON geometry object, each
/// named by its path (`geometry.coordinates[0][3][2]`): the register stores positions as
/// `[longitude, latitude]` only, and refuses a height rather than drop it.
///
/// ```
/// use diming::domain::geometry::check_no_height;
/// use serde_json::json;
///
/// let flat = json!({"type": "Point", "coordinates": [120.89, 30.94]});
/// assert!(check_no_height(&flat, "geometry").is_ok());
/// let with_height = json!({"type": "LineString", "coordinates": [[120.89, 30.94], [120.9, 30.95, 4.5]]});
/// let errors = check_no_height(&with_height, "geometry").unwrap_err();
/// assert_eq!(errors.as_slice()[0].field, "geometry.coordinates[1][2]");
/// ```
pub fn check_no_height(value: &Value, field: &str) -> Result<(), FieldErrors> {
    fn walk(value: &Value, path: &str, errors: &mut FieldErrors) {
        let Some(items) = value.as_array() else {
            return;
        };
        if items.first().is_some_and(Value::is_number) {
            if items.len() > 2 {
                let error = height_error(path);
                errors.push(error.field, error.message);
            }
            return;
        }
        for (i, item) in items.iter().enumerate() {
            walk(item, &format!("{path}[{i}]"), errors);
        }
    }
    let mut errors = FieldErrors::default();
    if let Some(coordinates) = value.get("coordinates") {
        walk(coordinates, &format!("{field}.coordinates"), &mut errors);
    }
    errors.into_result(())
}

/// The refusal of a position with a height, naming its third value.
fn height_error(path: &str) -> FieldError {
    FieldError::new(
        format!("{path}[2]"),
        "a position is [longitude, latitude]: the register stores no heights, so a third value is refused rather than dropped",
    )
}

fn rect_inside(inner: Rect<f64>, outer: Rect<f64>) -> bool {
    inner.min().x >= outer.min().x
        && inner.min().y >= outer.min().y
        && inner.max().x <= outer.max().x
        && inner.max().y <= outer.max().y
}

fn array<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>, FieldError> {
    value
        .as_array()
        .ok_or_else(|| FieldError::new(path, "expected an array"))
}

fn position(value: &Value, path: &str) -> Result<Coord<f64>, FieldError> {
    let items = array(value, path)?;
    if items.len() > 2 {
        return Err(height_error(path));
    }
    if items.len() < 2 {
        return Err(FieldError::new(path, "a position is [longitude, latitude]"));
    }
    let number = |i: usize| {
        items[i]
            .as_f64()
            .filter(|n| n.is_finite())
            .ok_or_else(|| FieldError::new(format!("{path}[{i}]"), "expected a number"))
    };
    let (lon, lat) = (number(0)?, number(1)?);
    if !(-180.0..=180.0).contains(&lon) {
        return Err(FieldError::new(
            format!("{path}[0]"),
            format!("longitude {lon} is outside -180..180"),
        ));
    }
    if !(-90.0..=90.0).contains(&lat) {
        let hint = if (-90.0..=90.0).contains(&lon) {
            "; longitude and latitude look swapped: GeoJSON positions are [longitude, latitude]"
        } else {
            ""
        };
        return Err(FieldError::new(
            format!("{path}[1]"),
            format!("latitude {lat} is outside -90..90{hint}"),
        ));
    }
    Ok(Coord { x: lon, y: lat })
}

fn positions(value: &Value, path: &str) -> Result<Vec<Coord<f64>>, FieldError> {
    array(value, path)?
        .iter()
        .enumerate()
        .map(|(i, p)| position(p, &format!("{path}[{i}]")))
        .collect()
}

fn line(value: &Value, path: &str) -> Result<LineString<f64>, FieldError> {
    let coords = positions(value, path)?;
    if coords.len() < 2 {
        return Err(FieldError::new(path, "a line needs at least 2 positions"));
    }
    Ok(LineString(coords))
}

fn ring(value: &Value, path: &str) -> Result<LineString<f64>, FieldError> {
    let coords = positions(value, path)?;
    if coords.len() < 4 {
        return Err(FieldError::new(
            path,
            "a polygon ring needs at least 4 positions, the last repeating the first",
        ));
    }
    if coords.first() != coords.last() {
        return Err(FieldError::new(
            path,
            "the ring is not closed: its last position must repeat its first",
        ));
    }
    Ok(LineString(coords))
}

fn polygon(value: &Value, path: &str) -> Result<Polygon<f64>, FieldError> {
    let rings = array(value, path)?;
    let Some((exterior, interiors)) = rings.split_first() else {
        return Err(FieldError::new(path, "a polygon needs an exterior ring"));
    };
    let exterior = ring(exterior, &format!("{path}[0]"))?;
    let interiors = interiors
        .iter()
        .enumerate()
        .map(|(i, r)| ring(r, &format!("{path}[{}]", i + 1)))
        .collect::<Result<_, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn first_error(value: Value) -> FieldError {
        parse_geometry(&value, "geometry")
            .unwrap_err()
            .into_vec()
            .remove(0)
    }

    #[test]
    fn a_valid_polygon_and_point_are_accepted() {
        let square = json!({"type": "Polygon", "coordinates": [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.0]]]});
        assert!(parse_geometry(&square, "geometry").is_ok());
        let point = json!({"type": "Point", "coordinates": [120.9, 30.8]});
        assert!(parse_geometry(&point, "geometry").is_ok());
    }

    #[test]
    fn out_of_range_coordinates_name_the_position() {
        let error = first_error(json!({"type": "Point", "coordinates": [200.0, 30.0]}));
        assert_eq!(error.field, "geometry.coordinates[0]");
        let error = first_error(
            json!({"type": "LineString", "coordinates": [[120.0, 30.0], [120.0, 95.0]]}),
        );
        assert_eq!(error.field, "geometry.coordinates[1][1]");
    }

    #[test]
    fn an_unclosed_ring_is_refused() {
        let error = first_error(
            json!({"type": "Polygon", "coordinates": [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.1]]]}),
        );
        assert_eq!(error.field, "geometry.coordinates[0]");
        assert!(error.message.contains("not closed"));
    }

    #[test]
    fn a_self_intersecting_ring_is_refused() {
        let bow_tie = json!({"type": "Polygon", "coordinates": [[[120.0, 30.0], [120.1, 30.1], [120.1, 30.0], [120.0, 30.1], [120.0, 30.0]]]});
        let error = first_error(bow_tie);
        assert!(
            error.message.contains("self-intersection"),
            "{}",
            error.message
        );
    }

    #[test]
    fn swapped_longitude_and_latitude_are_recognised() {
        let swapped = parse_geometry(
            &json!({"type": "Point", "coordinates": [30.76, 120.92]}),
            "geometry",
        );
        // 120.92 is not a latitude at all: refused by range, with the hint.
        let error = swapped.unwrap_err().into_vec().remove(0);
        assert!(error.message.contains("swapped"), "{}", error.message);
        // Ürümqi (87.6E, 43.8N) given as [lat, lon]: both numbers are in range, only the extent catches it.
        let swapped = parse_geometry(
            &json!({"type": "Point", "coordinates": [43.8, 87.6]}),
            "geometry",
        )
        .unwrap();
        let error = check_within_china(&swapped, "geometry").unwrap_err();
        assert!(error.message.contains("swapped"), "{}", error.message);
        let abroad = parse_geometry(
            &json!({"type": "Point", "coordinates": [2.35, 48.85]}),
            "geometry",
        )
        .unwrap();
        let error = check_within_china(&abroad, "geometry").unwrap_err();
        assert!(error.message.contains("outside China"));
        assert!(!error.message.contains("swapped"));
    }

    #[test]
    fn a_height_is_refused_naming_it() {
        let error = first_error(json!({"type": "Point", "coordinates": [120.9, 30.8, 12.0]}));
        assert_eq!(error.field, "geometry.coordinates[2]");
        assert!(error.message.contains("no heights"), "{}", error.message);
        let polygon = json!({"type": "Polygon", "coordinates": [[[120.0, 30.0, 1.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.0]]]});
        assert_eq!(
            first_error(polygon.clone()).field,
            "geometry.coordinates[0][0][2]"
        );
        let errors = check_no_height(&polygon, "geometry").unwrap_err();
        assert_eq!(errors.as_slice()[0].field, "geometry.coordinates[0][0][2]");
        let error = first_error(json!({"type": "Point", "coordinates": [120.9]}));
        assert_eq!(error.field, "geometry.coordinates");
    }

    #[test]
    fn an_unsupported_type_is_named() {
        let error = first_error(json!({"type": "GeometryCollection", "coordinates": []}));
        assert_eq!(error.field, "geometry.type");
    }
}
