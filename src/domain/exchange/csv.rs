//! Reading a CSV table of census records (as exported, or as a township fills it in Excel):
//! the columns of `columns`, a position as `lon`,`lat` (geographic systems) or `north`,`east`
//! (`X`,`Y` of a survey table: X is north) in the declared system, or any geometry as GeoJSON
//! text in `geometry` (CGCS2000). Rows are numbered by their line in the file.

use std::collections::HashMap;

use super::columns::{FIELDS, IDENTITY, REQUIRED, unflatten};
use super::{ImportRow, ReadRows, RowError, RowGeometry, parse_id};

/// Which columns hold a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointColumns {
    /// `lon`, `lat` (also `longitude`/`latitude`, `经度`/`纬度`).
    LonLat,
    /// `north`, `east` (also `X`, `Y`: a survey table's X is north).
    NorthEast,
}

/// The header names of a point's columns, x (east) first, by their accepted spellings.
fn point_names(columns: PointColumns) -> ([&'static str; 3], [&'static str; 3]) {
    match columns {
        PointColumns::LonLat => (["lon", "longitude", "经度"], ["lat", "latitude", "纬度"]),
        PointColumns::NorthEast => (["east", "y", "东坐标"], ["north", "x", "北坐标"]),
    }
}

/// Reads a decoded CSV text. A header without the required columns, or with a column the
/// register does not know, is one error of row 1; a bad row is an error of its line.
///
/// ```
/// use diming::domain::exchange::csv::{PointColumns, read};
/// let text = "standard_name,category,division_codes,lon,lat\n西塘镇,24,330421101,120.89,30.94\n东村,24,330421101,东,30.9\n";
/// let read = read("村.csv", text, PointColumns::LonLat);
/// assert_eq!(read.rows.len(), 1);
/// assert_eq!((read.errors[0].row, read.errors[0].field.as_str()), (3, "lon"));
/// ```
pub fn read(file: &str, text: &str, points: PointColumns) -> ReadRows {
    let mut read = ReadRows::default();
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(|h| h.trim().to_string()).collect(),
        Err(error) => {
            read.errors.push(RowError::new(
                file,
                1,
                "",
                format!("not a CSV header: {error}"),
            ));
            return read;
        }
    };
    let lower: Vec<String> = headers.iter().map(|h| h.to_lowercase()).collect();
    let at: HashMap<&str, usize> = lower
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let (x_names, y_names) = point_names(points);
    let find = |names: &[&str]| names.iter().find_map(|n| at.get(n).copied());
    let (x_at, y_at) = (find(&x_names), find(&y_names));
    let geometry_at = at.get("geometry").copied();
    for required in REQUIRED {
        if !at.contains_key(required) {
            read.errors.push(RowError::new(
                file,
                1,
                required,
                format!(
                    "the header has no column {required} (the columns: {})",
                    headers.join(",")
                ),
            ));
        }
    }
    if x_at.is_some() != y_at.is_some() {
        read.errors.push(RowError::new(
            file,
            1,
            if x_at.is_none() {
                x_names[0]
            } else {
                y_names[0]
            },
            format!("a point needs both {} and {}", x_names[0], y_names[0]),
        ));
    }
    let known = |name: &str| {
        IDENTITY.iter().chain(FIELDS.iter()).any(|c| c.name == name)
            || name == "geometry"
            || x_names.contains(&name)
            || y_names.contains(&name)
    };
    for (i, name) in lower.iter().enumerate() {
        if !known(name) {
            let hint = match points {
                PointColumns::LonLat if ["north", "east", "x", "y"].contains(&name.as_str()) => {
                    " (grid coordinates need the table's system declared, e.g. EPSG:4549)"
                }
                PointColumns::NorthEast if ["lon", "lat"].contains(&name.as_str()) => {
                    " (lon/lat columns are read when the declared system is geographic)"
                }
                _ => "",
            };
            read.errors.push(RowError::new(
                file,
                1,
                headers[i].clone(),
                format!("not a column of the register{hint}"),
            ));
        }
    }
    if !read.errors.is_empty() {
        return read;
    }
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line() as usize);
                read.errors.push(RowError::new(
                    file,
                    line,
                    "",
                    format!("not a CSV row: {error}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let by_name = |name: &str| cell(at.get(name).copied()).map(str::to_string);
        let mut problems: Vec<(String, String)> = Vec::new();
        let id = by_name("id")
            .map(|t| parse_id(&t))
            .transpose()
            .unwrap_or_else(|message| {
                problems.push(("id".into(), message));
                None
            });
        let version = by_name("version")
            .map(|t| {
                t.parse::<i64>()
                    .ok()
                    .filter(|v| *v >= 1)
                    .ok_or(format!("{t:?} is not a version number"))
            })
            .transpose()
            .unwrap_or_else(|message| {
                problems.push(("version".into(), message));
                None
            });
        let number = |i: Option<usize>, name: &str, problems: &mut Vec<(String, String)>| {
            let text = cell(i)?;
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    problems.push((name.to_string(), format!("{text:?} is not a number")));
                    None
                }
            }
        };
        let x = number(x_at, x_names[0], &mut problems);
        let y = number(y_at, y_names[0], &mut problems);
        let geometry = match (x, y, cell(geometry_at)) {
            (Some(_), Some(_), Some(_)) => {
                problems.push((
                    "geometry".into(),
                    "give a point or a geometry, not both".into(),
                ));
                RowGeometry::None
            }
            (Some(x), Some(y), None) => RowGeometry::Point { x, y },
            (None, None, Some(text)) => match serde_json::from_str(text) {
                Ok(value) => RowGeometry::GeoJson(value),
                Err(error) => {
                    problems.push((
                        "geometry".into(),
                        format!("a GeoJSON geometry object ({error})"),
                    ));
                    RowGeometry::None
                }
            },
            (None, None, None) => RowGeometry::None,
            (x, _, _) => {
                let missing = if x.is_none() { x_names[0] } else { y_names[0] };
                if !problems
                    .iter()
                    .any(|(f, _)| f == x_names[0] || f == y_names[0])
                {
                    problems.push((
                        missing.to_string(),
                        "the point's other coordinate is empty".into(),
                    ));
                }
                RowGeometry::None
            }
        };
        let properties = match unflatten(by_name) {
            Ok(properties) => Some(properties),
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        match properties {
            Some(properties) if problems.is_empty() => read.rows.push(ImportRow {
                row: line,
                part: None,
                id,
                code: by_name("code"),
                version,
                properties,
                geometry,
            }),
            _ => read.errors.extend(
                problems
                    .into_iter()
                    .map(|(field, message)| RowError::new(file, line, field, message)),
            ),
        }
    }
    read
}
