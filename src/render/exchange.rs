//! The writers of the register's exchange formats, one record at a time so that exports
//! stream: GeoJSON Features (in a FeatureCollection or as RFC 8142 text-sequence records) and
//! CSV rows of the flat record.

use serde_json::{Map, Value, json};

use crate::domain::exchange::ExportRecord;
use crate::domain::exchange::columns::{FIELDS, IDENTITY, flatten};
use crate::domain::exchange::geojson::RECORD_SEPARATOR;

/// What a FeatureCollection starts with.
pub const COLLECTION_START: &str = "{\"type\":\"FeatureCollection\",\"features\":[\n";
/// What a FeatureCollection ends with.
pub const COLLECTION_END: &str = "\n]}\n";
/// What separates two Features of a collection.
pub const COLLECTION_SEPARATOR: &str = ",\n";

/// A record as a GeoJSON Feature: its id as the Feature's `id` and, with its code and
/// version, in `properties` beside the census fields (GIS tools keep properties, not ids).
///
/// ```
/// use diming::domain::exchange::ExportRecord;
/// use diming::domain::place::PlaceProperties;
/// use diming::render::exchange::feature;
/// let record = ExportRecord {
///     id: 17,
///     code: "330421240000017".into(),
///     version: 2,
///     properties: PlaceProperties { standard_name: "西塘镇".into(), ..Default::default() },
///     geometry: None,
/// };
/// let text = feature(&record);
/// let value: serde_json::Value = serde_json::from_str(&text).unwrap();
/// assert_eq!(value["id"], 17);
/// assert_eq!(value["properties"]["version"], 2);
/// assert_eq!(value["properties"]["standard_name"], "西塘镇");
/// ```
pub fn feature(record: &ExportRecord) -> String {
    let mut properties = Map::new();
    properties.insert("id".into(), json!(record.id));
    properties.insert("code".into(), json!(record.code));
    properties.insert("version".into(), json!(record.version));
    if let Ok(Value::Object(fields)) = serde_json::to_value(&record.properties) {
        properties.extend(fields);
    }
    json!({
        "type": "Feature",
        "id": record.id,
        "geometry": record.geometry,
        "properties": properties,
    })
    .to_string()
}

/// A record as one record of a GeoJSON text sequence: the separator, the Feature, a line feed.
pub fn sequence_record(record: &ExportRecord) -> String {
    format!("{RECORD_SEPARATOR}{}\n", feature(record))
}

/// The CSV header: the identity columns, the census fields, `lon`, `lat` and `geometry`.
pub fn csv_header() -> String {
    let names: Vec<&str> = IDENTITY
        .iter()
        .chain(FIELDS.iter())
        .map(|c| c.name)
        .chain(["lon", "lat", "geometry"])
        .collect();
    csv_line(names.iter().map(|n| n.to_string()))
}

/// A record as a CSV row: a point in `lon`,`lat`, any other geometry as GeoJSON text.
///
/// ```
/// use diming::domain::exchange::ExportRecord;
/// use diming::domain::place::PlaceProperties;
/// use diming::render::exchange::csv_row;
/// let record = ExportRecord {
///     id: 3,
///     code: "330421240000003".into(),
///     version: 1,
///     properties: PlaceProperties { standard_name: "西塘, 镇".into(), ..Default::default() },
///     geometry: Some(serde_json::json!({"type": "Point", "coordinates": [120.89, 30.94]})),
/// };
/// let row = csv_row(&record);
/// assert!(row.starts_with("3,330421240000003,1,\"西塘, 镇\","));
/// assert!(row.ends_with(",120.89,30.94,\r\n"));
/// ```
pub fn csv_row(record: &ExportRecord) -> String {
    let point = record
        .geometry
        .as_ref()
        .filter(|g| g["type"] == "Point")
        .and_then(|g| g["coordinates"].as_array())
        .and_then(|c| Some((c.first()?.as_f64()?, c.get(1)?.as_f64()?)));
    let (lon, lat, geometry) = match (point, &record.geometry) {
        (Some((lon, lat)), _) => (lon.to_string(), lat.to_string(), String::new()),
        (None, Some(geometry)) => (String::new(), String::new(), geometry.to_string()),
        (None, None) => (String::new(), String::new(), String::new()),
    };
    let fields = flatten(&record.properties);
    let cells = [
        record.id.to_string(),
        record.code.clone(),
        record.version.to_string(),
    ]
    .into_iter()
    .chain(fields.iter().map(|c| c.to_text()))
    .chain([lon, lat, geometry]);
    csv_line(cells)
}

fn csv_line(cells: impl Iterator<Item = String>) -> String {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let cells: Vec<String> = cells.collect();
    // Writing to memory does not fail.
    let _ = writer.write_record(&cells);
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
