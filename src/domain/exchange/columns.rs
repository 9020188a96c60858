//! The census record as a flat table: one column per field, the same for CSV and GeoPackage
//! (and any other table format), so that every table export holds every field and reads back
//! to the same record. Lists become text: `division_codes` joined by `;`, `alternate_names`
//! as a JSON array; the approval becomes three columns `approval_*`.

use serde_json::{Map, Value};

use crate::domain::place::PlaceProperties;

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number.
    Integer,
    /// A number.
    Real,
    /// Text.
    Text,
    /// A day, `YYYY-MM-DD`.
    Date,
}

/// A column of the flat record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its name in a header or table.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
}

const fn column(name: &'static str, kind: Kind) -> Column {
    Column { name, kind }
}

/// The identity columns every table export starts with: the matching key of a re-import.
pub const IDENTITY: [Column; 3] = [
    column("id", Kind::Integer),
    column("code", Kind::Text),
    column("version", Kind::Integer),
];

/// The columns of the census record's fields, in the order of the form.
pub const FIELDS: [Column; 26] = [
    column("standard_name", Kind::Text),
    column("alternate_names", Kind::Text),
    column("romanization", Kind::Text),
    column("generic_romanization", Kind::Text),
    column("minority_script_name", Kind::Text),
    column("minority_language", Kind::Text),
    column("status", Kind::Text),
    column("named_on", Kind::Date),
    column("established_year", Kind::Integer),
    column("abolished_year", Kind::Integer),
    column("classification", Kind::Text),
    column("category", Kind::Text),
    column("division_codes", Kind::Text),
    column("survey_method", Kind::Text),
    column("elevation_m", Kind::Real),
    column("meaning", Kind::Text),
    column("history", Kind::Text),
    column("description", Kind::Text),
    column("source", Kind::Text),
    column("registered_on", Kind::Date),
    column("registered_by", Kind::Text),
    column("registered_unit", Kind::Text),
    column("approval_authority", Kind::Text),
    column("approval_approved_on", Kind::Date),
    column("approval_document_number", Kind::Text),
    column("sign_count", Kind::Integer),
];

/// The columns a table must have: without them no row can be a record.
pub const REQUIRED: [&str; 3] = ["standard_name", "category", "division_codes"];

/// One value of a flat record.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Empty.
    Null,
    /// A whole number.
    Integer(i64),
    /// A number.
    Real(f64),
    /// Text (a day too).
    Text(String),
}

impl Cell {
    /// The value as the text of a CSV cell (empty for `Null`); numbers in the shortest form
    /// that reads back to the same value.
    pub fn to_text(&self) -> String {
        match self {
            Self::Null => String::new(),
            Self::Integer(n) => n.to_string(),
            Self::Real(x) => x.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

/// The record's fields as cells, in the order of [`FIELDS`].
///
/// ```
/// use diming::domain::exchange::columns::{Cell, FIELDS, flatten};
/// use diming::domain::place::PlaceProperties;
/// let record = PlaceProperties {
///     standard_name: "西塘镇".into(),
///     category: "24".into(),
///     division_codes: vec!["330421101".into(), "330421102".into()],
///     ..Default::default()
/// };
/// let cells = flatten(&record);
/// let at = |name| FIELDS.iter().position(|c| c.name == name).unwrap();
/// assert_eq!(cells[at("division_codes")], Cell::Text("330421101;330421102".into()));
/// assert_eq!(cells[at("status")], Cell::Text("current".into()));
/// assert_eq!(cells[at("named_on")], Cell::Null);
/// ```
pub fn flatten(properties: &PlaceProperties) -> Vec<Cell> {
    let value = serde_json::to_value(properties).unwrap_or(Value::Null);
    let approval = value.get("approval").cloned().unwrap_or(Value::Null);
    FIELDS
        .iter()
        .map(|column| {
            let field = match column.name {
                "division_codes" => {
                    return Cell::Text(properties.division_codes.join(";"));
                }
                "alternate_names" if properties.alternate_names.is_empty() => return Cell::Null,
                "alternate_names" => {
                    return Cell::Text(
                        serde_json::to_string(&properties.alternate_names).unwrap_or_default(),
                    );
                }
                name => match name.strip_prefix("approval_") {
                    Some(part) => approval.get(part),
                    None => value.get(name),
                },
            };
            match field {
                None | Some(Value::Null) => Cell::Null,
                Some(Value::String(text)) => Cell::Text(text.clone()),
                Some(Value::Number(n)) => match (column.kind, n.as_i64()) {
                    (Kind::Integer, Some(i)) => Cell::Integer(i),
                    _ => n.as_f64().map_or(Cell::Null, Cell::Real),
                },
                Some(other) => Cell::Text(other.to_string()),
            }
        })
        .collect()
}

/// Reads the record's fields from a flat row: `cell(name)` gives a column's text, `None` or
/// empty when the row has none. A refusal names the column and why.
///
/// ```
/// use diming::domain::exchange::columns::unflatten;
/// let row = |name: &str| match name {
///     "standard_name" => Some("西塘镇".to_string()),
///     "category" => Some("居民点".to_string()),
///     "division_codes" => Some("330421101; 330421102".to_string()),
///     "sign_count" => Some("3".to_string()),
///     _ => None,
/// };
/// let record = unflatten(row).unwrap();
/// assert_eq!(record.division_codes, ["330421101", "330421102"]);
/// assert_eq!(record.sign_count, 3);
///
/// let bad = |name: &str| if name == "sign_count" { Some("三".to_string()) } else { row(name) };
/// assert_eq!(unflatten(bad).unwrap_err().0, "sign_count");
/// ```
pub fn unflatten(
    cell: impl Fn(&str) -> Option<String>,
) -> Result<PlaceProperties, (String, String)> {
    let text = |name: &str| {
        cell(name)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let mut map = Map::new();
    let mut approval = Map::new();
    for column in FIELDS {
        let Some(value) = text(column.name) else {
            continue;
        };
        let json = match (column.name, column.kind) {
            ("division_codes", _) => Value::Array(
                value
                    .split([';', ',', '；', '，', ' '])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| Value::String(c.to_string()))
                    .collect(),
            ),
            ("alternate_names", _) => serde_json::from_str(&value).map_err(|e| {
                (
                    column.name.to_string(),
                    format!("a JSON array of names ({e})"),
                )
            })?,
            (_, Kind::Integer) => {
                // Spreadsheets write whole numbers as 3.0 too.
                let number = value
                    .parse::<i64>()
                    .ok()
                    .or_else(|| {
                        value
                            .parse::<f64>()
                            .ok()
                            .filter(|x| x.fract() == 0.0 && x.abs() < 1e15)
                            .map(|x| x as i64)
                    })
                    .ok_or_else(|| {
                        (
                            column.name.to_string(),
                            format!("{value:?} is not a whole number"),
                        )
                    })?;
                Value::from(number)
            }
            (_, Kind::Real) => {
                let number = value.parse::<f64>().ok().filter(|x| x.is_finite());
                let number = number.ok_or_else(|| {
                    (
                        column.name.to_string(),
                        format!("{value:?} is not a number"),
                    )
                })?;
                Value::from(number)
            }
            _ => Value::String(value),
        };
        match column.name.strip_prefix("approval_") {
            Some(part) => {
                approval.insert(part.to_string(), json);
            }
            None => {
                map.insert(column.name.to_string(), json);
            }
        }
    }
    map.entry("division_codes")
        .or_insert_with(|| Value::Array(Vec::new()));
    map.entry("standard_name")
        .or_insert_with(|| Value::String(String::new()));
    map.entry("category")
        .or_insert_with(|| Value::String(String::new()));
    if !approval.is_empty() {
        map.insert("approval".into(), Value::Object(approval));
    }
    serde_path_to_error::deserialize(Value::Object(map)).map_err(|error| {
        let path = error.path().to_string();
        let field = match path.split_once('.') {
            Some(("approval", part)) => format!("approval_{part}"),
            Some(("alternate_names", _)) => "alternate_names".to_string(),
            _ => path.split('[').next().unwrap_or(&path).to_string(),
        };
        (field, error.into_inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::place::{AlternateName, AlternateNameKind, Approval, Classification};
    use chrono::NaiveDate;

    fn full() -> PlaceProperties {
        PlaceProperties {
            standard_name: "西塘镇".into(),
            alternate_names: vec![AlternateName {
                name: "斜塘".into(),
                kind: AlternateNameKind::Historical,
                language: None,
                valid_from: None,
                valid_to: NaiveDate::from_ymd_opt(1950, 1, 1),
                note: Some("旧称, \"quoted\"".into()),
            }],
            romanization: Some("Xitang Zhen".into()),
            generic_romanization: Some("Zhen".into()),
            named_on: NaiveDate::from_ymd_opt(1990, 5, 1),
            established_year: Some(1990),
            classification: Classification::Internal,
            category: "24".into(),
            division_codes: vec!["330421101".into()],
            elevation_m: Some(12.25),
            meaning: Some("因地处西塘而得名\n第二行".into()),
            approval: Some(Approval {
                authority: Some("嘉善县人民政府".into()),
                approved_on: NaiveDate::from_ymd_opt(1990, 4, 1),
                document_number: Some("善政〔1990〕12号".into()),
            }),
            sign_count: 4,
            ..Default::default()
        }
    }

    #[test]
    fn every_field_reads_back_as_it_was_written() {
        let record = full();
        let cells = flatten(&record);
        let read = unflatten(|name| {
            let at = FIELDS.iter().position(|c| c.name == name)?;
            Some(cells[at].to_text())
        })
        .unwrap();
        assert_eq!(read, record);
    }

    #[test]
    fn an_unknown_status_names_its_column() {
        let error = unflatten(|name| match name {
            "status" => Some("abolished".into()),
            _ => None,
        })
        .unwrap_err();
        assert_eq!(error.0, "status");
    }

    #[test]
    fn a_bad_approval_date_names_its_column() {
        let error = unflatten(|name| match name {
            "approval_approved_on" => Some("1990/4/1".into()),
            _ => None,
        })
        .unwrap_err();
        assert_eq!(error.0, "approval_approved_on");
    }
}
