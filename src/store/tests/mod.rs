//! Unit tests of the repository layer: each test opens its own fresh SQLite database in a
//! temporary directory, migrates it and talks to it only through `Store`'s public methods.

mod accounts;
mod audit;
mod backup;
mod boundary_lines;
mod division_events;
mod divisions;
mod inspections;
mod markers;
mod places;
mod reference;
mod romanization;
mod signs;

use chrono::NaiveDate;
use serde_json::{Value, json};
use tempfile::TempDir;

use super::Store;
use super::audit::Author;
use super::places::Change;
use crate::domain::category::CategoryCatalog;
use crate::domain::division_code::DivisionCode;
use crate::domain::division_table::DivisionRow;
use crate::domain::place::{Classification, PlaceProperties, ValidPlace};
use crate::domain::version::ChangeAction;

/// A migrated, empty database; the directory lives as long as the value, so the file does too.
pub(super) struct Fresh {
    pub store: Store,
    pub dir: TempDir,
}

/// Opens a new database file in a new temporary directory and applies every migration.
pub(super) async fn fresh() -> Fresh {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
    let store = Store::connect(&url).await.expect("the database opens");
    store.migrate().await.expect("the migrations run");
    Fresh { store, dir }
}

/// The writer the tests act as, unless a test needs a real user.
pub(super) fn author() -> Author {
    Author::system("store-test")
}

pub(super) fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
}

/// The day every test checks records against (records must not be dated after it).
pub(super) fn today() -> NaiveDate {
    day(2026, 1, 15)
}

/// What a write says about itself, with no comment and no romanization correction.
pub(super) fn change(author: &Author, action: ChangeAction, effective_on: NaiveDate) -> Change<'_> {
    Change {
        action,
        effective_on,
        comment: None,
        author,
        correction: None,
    }
}

/// The catalogue the migrations loaded.
pub(super) async fn catalog(store: &Store) -> CategoryCatalog {
    store.category_catalog().await.expect("the catalogue reads")
}

/// The record fields the tests vary; everything else is left at its default.
pub(super) fn properties(name: &str, category: &str, divisions: &[&str]) -> PlaceProperties {
    PlaceProperties {
        standard_name: name.to_string(),
        category: category.to_string(),
        division_codes: divisions.iter().map(|d| d.to_string()).collect(),
        ..Default::default()
    }
}

/// A checked record, public, without geometry.
pub(super) fn place(
    catalog: &CategoryCatalog,
    name: &str,
    category: &str,
    divisions: &[&str],
) -> ValidPlace {
    valid(catalog, properties(name, category, divisions), None)
}

/// A checked record with this classification.
pub(super) fn classified(
    catalog: &CategoryCatalog,
    name: &str,
    classification: Classification,
) -> ValidPlace {
    let mut properties = properties(name, "241", &["330421101"]);
    properties.classification = classification;
    valid(catalog, properties, None)
}

/// A checked record at a point (longitude, latitude).
pub(super) fn at_point(catalog: &CategoryCatalog, name: &str, lon: f64, lat: f64) -> ValidPlace {
    let point = json!({ "type": "Point", "coordinates": [lon, lat] });
    valid(
        catalog,
        properties(name, "241", &["330421101"]),
        Some(&point),
    )
}

pub(super) fn valid(
    catalog: &CategoryCatalog,
    properties: PlaceProperties,
    geometry: Option<&Value>,
) -> ValidPlace {
    ValidPlace::parse(properties, geometry, catalog, today()).expect("a valid test record")
}

/// A row of the division table.
pub(super) fn row(code: &str, name: &str) -> DivisionRow {
    DivisionRow {
        code: DivisionCode::parse(code).expect("a valid division code"),
        name: name.to_string(),
    }
}

/// A small piece of the division table: 浙江省 › 嘉兴市 › 嘉善县 (two towns) and 平湖市.
pub(super) fn jiaxing() -> Vec<DivisionRow> {
    vec![
        row("330421101", "魏塘街道"),
        row("330421102", "西塘镇"),
        row("330000", "浙江省"),
        row("330400", "嘉兴市"),
        row("330421", "嘉善县"),
        row("330482", "平湖市"),
    ]
}

pub(super) fn code(text: &str) -> DivisionCode {
    DivisionCode::parse(text).expect("a valid division code")
}
