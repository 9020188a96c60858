//! Reading GeoJSON (RFC 7946 FeatureCollection) and GeoJSON Text Sequences (RFC 8142) into
//! import rows: each Feature's `properties` hold the census fields, with `id`, `code` and
//! `version` beside them (the Feature's own `id` is read too, for files edited in GIS tools).

use serde_json::{Map, Value};

use super::{ImportRow, ReadRows, RowError, RowGeometry, parse_id};

/// The record separator that starts every record of a GeoJSON text sequence.
pub const RECORD_SEPARATOR: char = '\u{1e}';

/// Reads a FeatureCollection. A file that is not one is one error of row 0; a bad Feature is
/// an error of its row (its position in `features`, from 1).
///
/// ```
/// use diming::domain::exchange::geojson::read_collection;
/// let text = r#"{"type": "FeatureCollection", "features": [
///   {"type": "Feature", "id": 7, "geometry": null,
///    "properties": {"standard_name": "西塘镇", "category": "24", "division_codes": ["330421101"]}},
///   {"type": "Feature", "geometry": null, "properties": {"standard_name": "东村", "colour": "red"}}
/// ]}"#;
/// let read = read_collection("places.geojson", text);
/// assert_eq!(read.rows.len(), 1);
/// assert_eq!(read.rows[0].id, Some(7));
/// assert_eq!((read.errors[0].row, read.errors[0].field.as_str()), (2, "properties.colour"));
/// ```
pub fn read_collection(file: &str, text: &str) -> ReadRows {
    let mut read = ReadRows::default();
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            read.errors.push(RowError::new(
                file,
                0,
                "",
                format!(
                    "not JSON at line {}, column {}: {error}",
                    error.line(),
                    error.column()
                ),
            ));
            return read;
        }
    };
    let features = match (
        value.get("type").and_then(Value::as_str),
        value.get("features"),
    ) {
        (Some("FeatureCollection"), Some(Value::Array(features))) => features,
        _ => {
            read.errors.push(RowError::new(
                file,
                0,
                "type",
                "a GeoJSON FeatureCollection (RFC 7946) with an array of features",
            ));
            return read;
        }
    };
    for (index, feature) in features.iter().enumerate() {
        push_feature(file, index + 1, feature, &mut read);
    }
    read
}

/// Reads a GeoJSON text sequence: records each after a record separator (0x1E); a text
/// without any separator is read one Feature per line (newline-delimited GeoJSON). A record
/// that is not a Feature is an error of its row (its position in the sequence, from 1).
///
/// ```
/// use diming::domain::exchange::geojson::read_sequence;
/// let feature = r#"{"type": "Feature", "geometry": null, "properties": {"standard_name": "西塘镇", "category": "24", "division_codes": ["330421101"]}}"#;
/// let text = format!("\u{1e}{feature}\n\u{1e}{{\"type\": \"Feat\n");
/// let read = read_sequence("places.geojsons", &text);
/// assert_eq!(read.rows.len(), 1);
/// assert_eq!(read.errors[0].row, 2);
/// ```
pub fn read_sequence(file: &str, text: &str) -> ReadRows {
    let mut read = ReadRows::default();
    let records: Vec<&str> = if text.contains(RECORD_SEPARATOR) {
        let mut parts = text.split(RECORD_SEPARATOR);
        let before = parts.next().unwrap_or_default();
        if !before.trim().is_empty() {
            read.errors.push(RowError::new(
                file,
                0,
                "",
                "text before the first record separator (0x1E)",
            ));
        }
        parts.collect()
    } else {
        text.lines().collect()
    };
    let mut row = 0;
    for record in records {
        if record.trim().is_empty() {
            continue;
        }
        row += 1;
        match serde_json::from_str::<Value>(record) {
            Ok(feature) => push_feature(file, row, &feature, &mut read),
            Err(error) => read.errors.push(RowError::new(
                file,
                row,
                "",
                format!("not a JSON text (RFC 8142 record, truncated?): {error}"),
            )),
        }
    }
    read
}

fn push_feature(file: &str, row: usize, feature: &Value, read: &mut ReadRows) {
    match feature_row(row, feature) {
        Ok(parsed) => read.rows.push(parsed),
        Err((field, message)) => read.errors.push(RowError::new(file, row, field, message)),
    }
}

fn feature_row(row: usize, feature: &Value) -> Result<ImportRow, (String, String)> {
    let bad = |field: &str, message: &str| (field.to_string(), message.to_string());
    let Some(object) = feature.as_object() else {
        return Err(bad("", "a GeoJSON Feature object"));
    };
    if object.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(bad("type", "\"Feature\""));
    }
    let mut properties: Map<String, Value> = match object.get("properties") {
        Some(Value::Object(properties)) => properties.clone(),
        _ => return Err(bad("properties", "an object of the record's fields")),
    };
    let present =
        |value: Option<Value>| value.filter(|v| !v.is_null() && v != &Value::String(String::new()));
    let id_value = present(properties.remove("id"))
        .or_else(|| object.get("id").cloned().filter(|v| !v.is_null()));
    let id = id_value
        .map(|v| match &v {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .map(|text| parse_id(&text).map_err(|message| ("properties.id".to_string(), message)))
        .transpose()?;
    let code = match present(properties.remove("code")) {
        None => None,
        Some(Value::String(code)) => Some(code),
        Some(_) => return Err(bad("properties.code", "the register code as text")),
    };
    let version = match present(properties.remove("version")) {
        None => None,
        Some(value) => Some(
            value
                .as_i64()
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|v| *v >= 1)
                .ok_or_else(|| bad("properties.version", "a version number from 1"))?,
        ),
    };
    let properties = serde_path_to_error::deserialize(Value::Object(properties)).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "properties".to_string()
        } else {
            format!("properties.{path}")
        };
        (field, e.into_inner().to_string())
    })?;
    let geometry = match object.get("geometry") {
        None | Some(Value::Null) => RowGeometry::None,
        Some(geometry) => RowGeometry::GeoJson(geometry.clone()),
    };
    Ok(ImportRow {
        row,
        part: None,
        id,
        code,
        version,
        properties,
        geometry,
    })
}
