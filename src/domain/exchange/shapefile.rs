//! The census record in a Shapefile's attribute table (dBase, 10-byte field names, texts of at
//! most 254 bytes) and the reading of a Shapefile (`.shp`, `.dbf`, the `.cpg` naming its text
//! encoding) back into import rows.
//!
//! A text longer than a dBase field holds is cut by the export, ending in `…`; on import, a
//! text that ends in `…` and begins the stored text keeps the stored text (see [`restore_cut`]),
//! so a re-import of a Shapefile export changes nothing. Records without a geometry are not in
//! a Shapefile export.

use std::path::Path;

use super::columns::{Cell, FIELDS, IDENTITY, REQUIRED, flatten, unflatten};
use super::encoding::TextEncoding;
use super::{ImportRow, ReadRows, RowError, RowGeometry, geojson_of, parse_id};
use crate::domain::place::PlaceProperties;

/// The dBase field name of each column (10 bytes at most).
pub const FIELD_NAMES: [(&str, &str); 29] = [
    ("id", "id"),
    ("code", "code"),
    ("version", "version"),
    ("standard_name", "std_name"),
    ("alternate_names", "alt_names"),
    ("romanization", "roman"),
    ("generic_romanization", "gen_roman"),
    ("minority_script_name", "min_name"),
    ("minority_language", "min_lang"),
    ("status", "status"),
    ("named_on", "named_on"),
    ("established_year", "estab_yr"),
    ("abolished_year", "abol_yr"),
    ("classification", "classif"),
    ("category", "category"),
    ("division_codes", "divisions"),
    ("survey_method", "survey"),
    ("elevation_m", "elev_m"),
    ("meaning", "meaning"),
    ("history", "history"),
    ("description", "descr"),
    ("source", "source"),
    ("registered_on", "reg_on"),
    ("registered_by", "reg_by"),
    ("registered_unit", "reg_unit"),
    ("approval_authority", "appr_auth"),
    ("approval_approved_on", "appr_on"),
    ("approval_document_number", "appr_docno"),
    ("sign_count", "sign_count"),
];

/// The most bytes a dBase character field holds.
pub const MAX_FIELD_BYTES: usize = 254;

/// The mark ending a text the export cut.
pub const CUT_MARK: char = '…';

/// The dBase name of a column.
///
/// ```
/// use diming::domain::exchange::shapefile::dbf_name;
/// assert_eq!(dbf_name("approval_document_number"), "appr_docno");
/// assert!(diming::domain::exchange::shapefile::FIELD_NAMES.iter().all(|(_, d)| d.len() <= 10));
/// ```
pub fn dbf_name(column: &str) -> &'static str {
    FIELD_NAMES
        .iter()
        .find(|(c, _)| *c == column)
        .map_or("", |(_, d)| d)
}

fn column_of(dbf: &str) -> Option<&'static str> {
    FIELD_NAMES
        .iter()
        .find(|(_, d)| d.eq_ignore_ascii_case(dbf))
        .map(|(c, _)| *c)
}

fn encoded_len(text: &str, encoding: TextEncoding) -> usize {
    match encoding {
        TextEncoding::Utf8 => text.len(),
        TextEncoding::Gb18030 => encoding_rs::GBK.encode(text).0.len(),
    }
}

/// A text as it fits a dBase field in `encoding`: as it is, or cut and ending in `…`.
///
/// ```
/// use diming::domain::exchange::encoding::TextEncoding;
/// use diming::domain::exchange::shapefile::fit;
/// let long = "沿".repeat(100);
/// let cut = fit(&long, TextEncoding::Utf8);
/// assert!(cut.len() <= 254 && cut.ends_with('…'));
/// assert_eq!(fit("西塘", TextEncoding::Utf8), "西塘");
/// ```
pub fn fit(text: &str, encoding: TextEncoding) -> String {
    if encoded_len(text, encoding) <= MAX_FIELD_BYTES {
        return text.to_string();
    }
    let mark = encoded_len(&CUT_MARK.to_string(), encoding);
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let width = encoded_len(c.encode_utf8(&mut [0; 4]), encoding);
        if used + width + mark > MAX_FIELD_BYTES {
            break;
        }
        used += width;
        cut.push(c);
    }
    cut.push(CUT_MARK);
    cut
}

/// The row's fields with every text the export cut replaced by the stored one it begins.
pub fn restore_cut(row: &PlaceProperties, stored: &PlaceProperties) -> PlaceProperties {
    let (mine, theirs) = (flatten(row), flatten(stored));
    let cells: Vec<Option<String>> = mine
        .iter()
        .zip(theirs.iter())
        .map(|(mine, theirs)| match (mine, theirs) {
            (Cell::Text(cut), Cell::Text(full))
                if cut.ends_with(CUT_MARK)
                    && full.len() > cut.len()
                    && full.starts_with(cut.trim_end_matches(CUT_MARK)) =>
            {
                Some(full.clone())
            }
            (cell, _) => Some(cell.to_text()),
        })
        .collect();
    unflatten(|name| {
        let at = FIELDS.iter().position(|c| c.name == name)?;
        cells[at].clone()
    })
    .unwrap_or_else(|_| row.clone())
}

/// Reads a Shapefile: `path` names its `.shp`; the `.dbf` beside it holds the fields, in the
/// declared encoding, else the one its `.cpg` names, else UTF-8.
pub fn read(path: &Path, file: &str, declared: Option<TextEncoding>) -> ReadRows {
    match read_file(path, file, declared) {
        Ok(read) => read,
        Err(message) => ReadRows {
            rows: Vec::new(),
            errors: vec![RowError::new(file, 0, "", message)],
        },
    }
}

fn read_file(path: &Path, file: &str, declared: Option<TextEncoding>) -> Result<ReadRows, String> {
    let broken =
        |e: ::shapefile::Error| format!("not a readable Shapefile (truncated or damaged?): {e}");
    let cpg = std::fs::read_to_string(path.with_extension("cpg"))
        .ok()
        .and_then(|label| TextEncoding::parse(label.trim().trim_start_matches('\u{feff}')));
    let encoding = declared.or(cpg).unwrap_or(TextEncoding::Utf8);
    let shapes = ::shapefile::ShapeReader::from_path(path).map_err(broken)?;
    let dbf = std::fs::File::open(path.with_extension("dbf"))
        .map_err(|e| format!("the .dbf beside the .shp cannot be read: {e}"))?;
    let dbase_encoding = ::shapefile::dbase::encoding::EncodingRs::from(match encoding {
        TextEncoding::Utf8 => encoding_rs::UTF_8,
        TextEncoding::Gb18030 => encoding_rs::GB18030,
    });
    let table = ::shapefile::dbase::ReaderBuilder::new()
        .with_encoding(dbase_encoding)
        .build(std::io::BufReader::new(dbf))
        .map_err(|e| format!("the .dbf is not a dBase table: {e}"))?;
    let names: Vec<String> = table
        .fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let mut read = ReadRows::default();
    for required in REQUIRED {
        if !names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(dbf_name(required)))
        {
            read.errors.push(RowError::new(
                file,
                0,
                dbf_name(required),
                format!("the .dbf has no field {} ({required})", dbf_name(required)),
            ));
        }
    }
    if !read.errors.is_empty() {
        return Ok(read);
    }
    let mut reader = ::shapefile::Reader::new(shapes, table);
    for (index, item) in reader.iter_shapes_and_records().enumerate() {
        let row = index + 1;
        let (shape, record) = match item {
            Ok(item) => item,
            Err(error) => {
                read.errors
                    .push(RowError::new(file, row, "", broken(error)));
                break;
            }
        };
        let mut cells = std::collections::HashMap::new();
        for (name, value) in record {
            let Some(column) = column_of(&name) else {
                continue;
            };
            let text = match value {
                ::shapefile::dbase::FieldValue::Character(text) => text,
                ::shapefile::dbase::FieldValue::Numeric(Some(x))
                    if x.fract() == 0.0 && x.abs() < 1e15 =>
                {
                    Some((x as i64).to_string())
                }
                ::shapefile::dbase::FieldValue::Numeric(x) => x.map(|x| x.to_string()),
                ::shapefile::dbase::FieldValue::Integer(n) => Some(n.to_string()),
                ::shapefile::dbase::FieldValue::Double(x) => Some(x.to_string()),
                ::shapefile::dbase::FieldValue::Float(x) => x.map(|x| x.to_string()),
                ::shapefile::dbase::FieldValue::Date(Some(d)) => {
                    Some(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
                }
                _ => None,
            };
            if let Some(text) = text {
                cells.insert(column, text);
            }
        }
        let cell = |name: &str| cells.get(name).cloned();
        let mut problems: Vec<(String, String)> = Vec::new();
        let id = match cell("id") {
            None => None,
            Some(text) => parse_id(&text)
                .map_err(|m| problems.push(("id".into(), m)))
                .ok(),
        };
        let version = cell("version").and_then(|t| t.trim().parse::<i64>().ok());
        let geometry = match shape {
            ::shapefile::Shape::NullShape => RowGeometry::None,
            shape => match geo::Geometry::<f64>::try_from(shape) {
                Ok(geometry) => RowGeometry::GeoJson(geojson_of(&geometry)),
                Err(error) => {
                    problems.push(("geometry".into(), error.to_string()));
                    RowGeometry::None
                }
            },
        };
        let dbf = |name: &str| cell(name);
        match unflatten(dbf) {
            Ok(properties) if problems.is_empty() => read.rows.push(ImportRow {
                row,
                part: None,
                id,
                code: cell("code"),
                version,
                properties,
                geometry,
            }),
            Ok(_) => {}
            Err((field, message)) => problems.push((dbf_name(&field).to_string(), message)),
        }
        read.errors.extend(
            problems
                .into_iter()
                .map(|(field, message)| RowError::new(file, row, field, message)),
        );
    }
    let _ = IDENTITY;
    Ok(read)
}
