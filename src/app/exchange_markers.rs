//! The `markers` layer of a GeoPackage import: a row equal to its registered marker is
//! unchanged; a new one is checked as a marker entered through the API (its number, the rights
//! over both sides of its line, its distance from the line) and stored with the import's places
//! in one transaction; a registered marker with other values is a bad row, since a marker
//! moves only through a joint inspection's measured position.

use std::collections::HashMap;

use super::markers::{Intake, MarkerRow, ReferenceLine, System, reference_line};
use super::{AppState, Staff};
use crate::domain::boundary_line::LineCode;
use crate::domain::crs::Crs;
use crate::domain::exchange::RowError;
use crate::store::StoreError;
use crate::store::gpkg_layers::MarkerLayerRow;
use crate::store::markers::{NewMarker, StoredMarker};

/// What the markers layer brings: the markers to store and how many rows were unchanged.
#[derive(Debug, Default)]
pub struct MarkerImport {
    /// New markers, checked.
    pub new: Vec<NewMarker>,
    /// Rows equal to their registered marker.
    pub unchanged: u64,
}

/// Positions closer than this (degrees, about 0.1 mm) are the same position.
const SAME_DEGREES: f64 = 1e-9;
/// Surveyed coordinates closer than this (in their unit) are the same.
const SAME_SURVEYED: f64 = 1e-6;

fn text(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|t| !t.is_empty())
}

/// The fields in which `row` differs from the registered marker.
fn differences(row: &MarkerLayerRow, stored: &StoredMarker) -> Vec<&'static str> {
    let mut fields = Vec::new();
    match row.position {
        Some((lon, lat))
            if (lon - stored.lon).abs() <= SAME_DEGREES
                && (lat - stored.lat).abs() <= SAME_DEGREES => {}
        _ => fields.push("geom"),
    }
    match &row.surveyed {
        Some((x, y, crs))
            if (x - stored.surveyed_x).abs() <= SAME_SURVEYED
                && (y - stored.surveyed_y).abs() <= SAME_SURVEYED
                && crs == &stored.surveyed_crs => {}
        _ => fields.push("surveyed_x"),
    }
    if text(row.material.as_deref()) != text(stored.material.as_deref()) {
        fields.push("material");
    }
    if text(row.installed_on.as_deref()) != text(stored.installed_on.as_deref()) {
        fields.push("installed_on");
    }
    fields
}

/// Checks every row of the layer (file `file`); the bad rows are listed, each with its fid.
pub async fn check_markers_layer(
    state: &AppState,
    staff: &Staff,
    file: &str,
    rows: Vec<MarkerLayerRow>,
) -> Result<Result<MarkerImport, Vec<RowError>>, StoreError> {
    let mut intake =
        Intake::new(System::CGCS2000).with_max_offset_m(state.settings.max_marker_offset_m);
    let mut lines: HashMap<String, Option<ReferenceLine>> = HashMap::new();
    // The kinds under each (line, sequence): registered, and new in this file.
    let mut groups: HashMap<(String, u16), Vec<String>> = HashMap::new();
    let mut registered_lines = std::collections::HashSet::new();
    let mut import = MarkerImport::default();
    let mut errors = Vec::new();
    for row in rows {
        let line_of = |field: &str, message: String| {
            RowError::new(file, usize::try_from(row.fid).unwrap_or(0), field, message)
        };
        let number = match intake.number(&row.marker_number) {
            Ok(number) => number,
            Err(problems) => {
                errors.extend(
                    problems
                        .into_vec()
                        .into_iter()
                        .map(|e| line_of("marker_number", e.message)),
                );
                continue;
            }
        };
        if let Some(stored) = state.store.marker(&number.to_string()).await? {
            let fields = differences(&row, &stored);
            if fields.is_empty() {
                import.unchanged += 1;
            } else {
                errors.push(line_of(
                    fields[0],
                    format!(
                        "marker {number} is registered with other values ({}): a registered marker moves only through a joint inspection's measured position",
                        fields.join(", ")
                    ),
                ));
            }
            continue;
        }
        let line = match LineCode::parse(number.line_code()) {
            Ok(line) => line,
            Err(error) => {
                errors.push(line_of(
                    "marker_number",
                    format!("the line code {}: {error}", number.line_code()),
                ));
                continue;
            }
        };
        let [a, b] = line.sides();
        if let Err(error) = staff.actor.may_change_shared_line(a, b) {
            errors.push(line_of("marker_number", error.to_string()));
            continue;
        }
        // One number is one single marker, one pair or one triple: never a mix.
        if registered_lines.insert(line.as_string()) {
            for stored in state.store.line_markers(&line.as_string()).await? {
                let sequence = u16::try_from(stored.sequence).unwrap_or(u16::MAX);
                groups
                    .entry((stored.line_code.clone(), sequence))
                    .or_default()
                    .push(stored.marker_type.clone());
            }
        }
        let members: Vec<String> = number
            .kind()
            .group_members()
            .iter()
            .map(|k| k.letter().to_string())
            .collect();
        let group = groups
            .entry((number.line_code().to_string(), number.sequence()))
            .or_default();
        if let Some(other) = group.iter().find(|kind| !members.contains(kind)) {
            errors.push(line_of(
                "marker_number",
                format!(
                    "marker {number} would mix kinds under one number (a {other} marker is there already): a number is one single marker, one pair or one triple"
                ),
            ));
            continue;
        }
        group.push(number.kind().letter().to_string());
        let surveyed = match row.surveyed.clone() {
            None => None,
            Some((x, y, crs)) => match Crs::parse(&crs) {
                Ok(system) if x.is_finite() && y.is_finite() => Some((x, y, system.to_string())),
                Ok(_) => {
                    errors.push(line_of(
                        "surveyed_x",
                        "the surveyed coordinates are not numbers".into(),
                    ));
                    continue;
                }
                Err(error) => {
                    errors.push(line_of("surveyed_crs", format!("{crs:?}: {error}")));
                    continue;
                }
            },
        };
        let Some((lon, lat)) = row.position else {
            errors.push(line_of("geom", "a new marker needs its point".into()));
            continue;
        };
        let entered = MarkerRow {
            x: lon,
            y: lat,
            material: row.material.clone(),
            installed_on: row.installed_on.clone(),
            references: Vec::new(),
        };
        let mut marker = match intake.check(number, entered) {
            Ok(marker) => marker,
            Err(problems) => {
                errors.extend(
                    problems
                        .into_vec()
                        .into_iter()
                        .map(|e| line_of(&e.field, e.message)),
                );
                continue;
            }
        };
        if let std::collections::hash_map::Entry::Vacant(entry) = lines.entry(line.as_string()) {
            entry.insert(reference_line(&state.store, &line).await?);
        }
        if let Err(problems) = intake.check_near_line(&marker, lines[&line.as_string()].as_ref()) {
            errors.extend(
                problems
                    .into_vec()
                    .into_iter()
                    .map(|e| line_of("geom", e.message)),
            );
            continue;
        }
        // The survey as the file has it (its system, perhaps a Gauss–Krüger zone) is kept
        // beside the position, as a survey table's import keeps it.
        if let Some((x, y, crs)) = surveyed {
            marker.surveyed = (x, y);
            marker.surveyed_crs = crs;
        }
        import.new.push(marker);
    }
    Ok(if errors.is_empty() {
        Ok(import)
    } else {
        Err(errors)
    })
}
