//! Boundary markers (界桩): the one intake of new markers, used by the HTTP API (one at a time)
//! and the command line (a field team's table, all or nothing) alike — number by GB/T 17796,
//! no number twice, a valid installation day, reference objects, and the surveyed position
//! checked against its zone and converted to CGCS2000 with the surveyed values kept — and the
//! use cases of a marker: list a line's, read one with its position in any supported system,
//! record what an inspection found, store and serve photos. Staff of either side read a
//! line's markers and record inspections and photos; only an admin covering both sides sets one.
#![warn(missing_docs)]

use std::collections::HashSet;
use std::future::Future;

use chrono::NaiveDate;
use geo::{Geometry, MultiLineString, MultiPolygon};
use serde::Serialize;

use super::indexes::place_geometry;
use super::{AppState, Staff, today};
use crate::domain::account::AccessError;
use crate::domain::boundary::shared_line;
use crate::domain::boundary_line::{
    LineAccessError, LineCode, may_inspect_markers_of, may_read_line, may_read_markers_of,
};
use crate::domain::crs::{Crs, Helmert};
use crate::domain::field_error::FieldErrors;
use crate::domain::marker::{MarkerCondition, MarkerGroup, MarkerId, ReferenceObject};
use crate::media::CleanPhoto;
use crate::spatial::consistency::{distance_to_line_m, readable_distance};
use crate::spatial::reproject::convert_with;
use crate::store::audit::Author;
use crate::store::markers::{ConditionRecord, MarkerPhoto, NewMarker, StoredMarker};
use crate::store::{Store, StoreError};

/// What can go wrong with a marker use case.
#[derive(Debug, thiserror::Error)]
pub enum MarkerError {
    /// The input names the fields at fault.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// The marker stands too far from its line; the fields say how far.
    #[error("{0}")]
    Inconsistent(FieldErrors),
    /// The caller may not set a marker of this shared line.
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// The caller may not read this line's markers, or record inspections.
    #[error(transparent)]
    NotOnEitherSide(#[from] LineAccessError),
    /// No such marker or photo.
    #[error("{0}")]
    NotFound(String),
    /// The database failed, or a number is already registered (`StoreError::AlreadyExists`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The coordinate system positions are given or wanted in, with the transformation
/// parameters a Beijing 1954 or Xian 1980 system needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct System {
    /// The coordinate reference system.
    pub crs: Crs,
    /// The seven parameters to CGCS2000, for the legacy datums.
    pub helmert: Option<Helmert>,
}

impl System {
    /// CGCS2000 longitude and latitude, the system markers are stored in.
    pub const CGCS2000: System = System {
        crs: Crs::Cgcs2000,
        helmert: None,
    };
}

/// A position in a requested system, rounded as the service answers (see `Crs::round`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Position {
    /// `EPSG:…`.
    pub crs: String,
    /// East or longitude.
    pub x: f64,
    /// North or latitude.
    pub y: f64,
}

/// Another marker of the same pair or triple, and whether it is registered.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Companion {
    /// Its number.
    pub marker_number: String,
    /// Whether a marker of that number is registered.
    pub registered: bool,
}

/// A marker in the list of its line.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MarkerSummary {
    /// Its number.
    pub marker_number: String,
    /// Its position in the requested system.
    pub position: Position,
    /// What the latest inspection found, if any.
    pub condition: Option<String>,
    /// The other markers of its pair or triple.
    pub companions: Vec<Companion>,
}

/// A marker with everything known of it.
#[derive(Debug, Clone)]
pub struct MarkerDetail {
    /// The record (its CGCS2000 position and the surveyed original).
    pub marker: StoredMarker,
    /// Its position in the requested system.
    pub position: Position,
    /// Whether it stands alone, in a pair or in a triple.
    pub group: Option<MarkerGroup>,
    /// The other markers of its pair or triple.
    pub companions: Vec<Companion>,
    /// Its reference objects (方位物).
    pub references: Vec<ReferenceObject>,
    /// Its condition history, oldest first.
    pub conditions: Vec<ConditionRecord>,
    /// The ids of its photos.
    pub photo_ids: Vec<i64>,
}

/// One marker as entered (the number apart): its surveyed position and what else is known.
#[derive(Debug, Clone, Default)]
pub struct MarkerRow {
    /// East (Y of a survey table) or longitude, in the intake's system.
    pub x: f64,
    /// North (X of a survey table) or latitude, in the intake's system.
    pub y: f64,
    /// What the marker is made of.
    pub material: Option<String>,
    /// The day it was set, `YYYY-MM-DD`.
    pub installed_on: Option<String>,
    /// Its reference objects.
    pub references: Vec<ReferenceObject>,
}

/// The intake of new markers in one system: every marker entered, by the API or from a table,
/// passes through it. It checks a number (and that it comes once), then the rest of the row,
/// and gives the marker ready to store; nothing is stored until every row passed (`import`).
///
/// ```
/// use diming::app::markers::{Intake, MarkerRow, System};
/// use diming::domain::crs::Crs;
///
/// // A field team's table in CGCS2000 Gauss–Krüger zone 40, without the zone prefix.
/// let mut intake = Intake::new(System { crs: Crs::parse("EPSG:4549").unwrap(), helmert: None });
/// let number = intake.number("330421330482001A").unwrap();
/// let row = MarkerRow { x: 586_045.086, y: 3_420_234.530, ..Default::default() };
/// let marker = intake.check(number, row).unwrap();
/// assert!((marker.lon - 120.9).abs() < 1e-6 && (marker.lat - 30.9).abs() < 1e-6);
/// assert_eq!(marker.surveyed, (586_045.086, 3_420_234.530));
///
/// // The same number again, and a Y carrying zone 40's prefix, are refused by field.
/// assert_eq!(intake.number("330421330482001a").unwrap_err().as_slice()[0].field, "marker_number");
/// let number = intake.number("330421330482002Q").unwrap();
/// let prefixed = MarkerRow { x: 40_586_045.086, y: 3_420_234.530, ..Default::default() };
/// assert_eq!(intake.check(number, prefixed).unwrap_err().as_slice()[0].field, "x");
/// ```
#[derive(Debug, Clone)]
pub struct Intake {
    system: System,
    seen: HashSet<String>,
    max_offset_m: f64,
}

/// How far a marker may stand from its line by default (metres): markers of a pair on the two
/// banks of a boundary river stand off the line, by up to a few hundred metres.
pub const DEFAULT_MAX_MARKER_OFFSET_M: f64 = 1000.0;

/// The line a marker is checked against, and where it comes from.
#[derive(Debug, Clone)]
pub struct ReferenceLine {
    /// The line (CGCS2000 degrees).
    pub shape: MultiLineString<f64>,
    /// `recorded line 330421330482`, or `border of 嘉善县 (330421) and 平湖市 (330482) as
    /// their polygons share it`.
    pub source: String,
}

/// A reference object list longer than this is a mistake.
const MAX_REFERENCES: usize = 10;
/// The longest material description.
const MAX_MATERIAL_CHARS: usize = 50;

impl Intake {
    /// An intake of positions surveyed in `system`, markers allowed
    /// [`DEFAULT_MAX_MARKER_OFFSET_M`] off their line.
    pub fn new(system: System) -> Self {
        Self {
            system,
            seen: HashSet::new(),
            max_offset_m: DEFAULT_MAX_MARKER_OFFSET_M,
        }
    }

    /// The same intake, markers allowed `metres` off their line (the `max_marker_offset_m`
    /// setting).
    pub fn with_max_offset_m(mut self, metres: f64) -> Self {
        self.max_offset_m = metres;
        self
    }

    /// Checks that a checked marker stands within the allowed distance of its line (`line`:
    /// the recorded one, or the border its two divisions' polygons share; see
    /// [`reference_line`]). Without a line there is nothing to measure against, and it passes.
    /// A refusal is on `x`, with the distance measured.
    ///
    /// ```
    /// use diming::app::markers::{Intake, MarkerRow, ReferenceLine, System};
    /// use geo::{LineString, MultiLineString};
    ///
    /// let mut intake = Intake::new(System::CGCS2000);
    /// let line = ReferenceLine {
    ///     shape: MultiLineString::new(vec![LineString::from(vec![(121.0, 30.8), (121.0, 30.9)])]),
    ///     source: "recorded line 330421330482".into(),
    /// };
    /// let number = intake.number("330421330482001Q").unwrap();
    /// let near = intake.check(number, MarkerRow { x: 121.005, y: 30.85, ..Default::default() }).unwrap();
    /// assert!(intake.check_near_line(&near, Some(&line)).is_ok());
    /// let number = intake.number("330421330482002Q").unwrap();
    /// let far = intake.check(number, MarkerRow { x: 121.05, y: 30.85, ..Default::default() }).unwrap();
    /// let errors = intake.check_near_line(&far, Some(&line)).unwrap_err();
    /// assert_eq!(errors.as_slice()[0].field, "x");
    /// assert!(errors.as_slice()[0].message.contains("4.8 km from the recorded line"));
    /// ```
    pub fn check_near_line(
        &self,
        marker: &NewMarker,
        line: Option<&ReferenceLine>,
    ) -> Result<(), FieldErrors> {
        let Some(line) = line else {
            return Ok(());
        };
        let at = geo::Point::new(marker.lon, marker.lat);
        match distance_to_line_m(&line.shape, at) {
            Some(distance) if distance > self.max_offset_m => Err(FieldErrors::one(
                "x",
                format!(
                    "marker {} at {:.6}, {:.6} (CGCS2000) lies {} from the {}, farther than the {} a marker may stand off its line (max_marker_offset_m)",
                    marker.number,
                    marker.lon,
                    marker.lat,
                    readable_distance(distance),
                    line.source,
                    readable_distance(self.max_offset_m),
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The system positions are entered in.
    pub fn system(&self) -> System {
        self.system
    }

    /// Checks a marker number (GB/T 17796) and that this intake has not had it yet.
    pub fn number(&mut self, text: &str) -> Result<MarkerId, FieldErrors> {
        let number: MarkerId =
            text.parse()
                .map_err(|e: crate::domain::marker::MarkerIdError| {
                    FieldErrors::one("marker_number", e.to_string())
                })?;
        if !self.seen.insert(number.to_string()) {
            return Err(FieldErrors::one(
                "marker_number",
                format!("marker {number} appears twice"),
            ));
        }
        Ok(number)
    }

    /// Checks the rest of a marker (installation day, reference objects, material, the position
    /// against its zone) and converts its position to CGCS2000, keeping the surveyed values.
    pub fn check(&self, number: MarkerId, row: MarkerRow) -> Result<NewMarker, FieldErrors> {
        let mut errors = FieldErrors::default();
        let installed_on = row
            .installed_on
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        if let Some(day) = installed_on
            && NaiveDate::parse_from_str(day, "%Y-%m-%d").is_err()
        {
            errors.push(
                "installed_on",
                format!("{day:?} is not a date (YYYY-MM-DD)"),
            );
        }
        for (i, reference) in row.references.iter().enumerate() {
            for (field, message) in reference.check(&format!("references[{i}]")) {
                errors.push(field, message);
            }
        }
        if row.references.len() > MAX_REFERENCES {
            errors.push(
                "references",
                format!("at most {MAX_REFERENCES} reference objects"),
            );
        }
        let material = row
            .material
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty());
        if material.is_some_and(|m| m.chars().count() > MAX_MATERIAL_CHARS) {
            errors.push(
                "material",
                format!("at most {MAX_MATERIAL_CHARS} characters"),
            );
        }
        let System { crs, helmert } = self.system;
        let converted = convert_with(crs, Crs::Cgcs2000, row.x, row.y, helmert.as_ref());
        if let Err(error) = &converted {
            errors.push(error.field(), error.to_string());
        }
        match converted {
            Ok((lon, lat)) if errors.is_empty() => Ok(NewMarker {
                number,
                lon,
                lat,
                surveyed: (row.x, row.y),
                surveyed_crs: crs.to_string(),
                material: material.map(str::to_string),
                installed_on: installed_on.map(str::to_string),
                references: row.references,
            }),
            _ => Err(errors),
        }
    }
}

/// The line markers of `line` are checked against: the recorded one in force, otherwise the
/// border the two divisions' registered polygons share; `None` when neither is known.
pub async fn reference_line(
    store: &Store,
    line: &LineCode,
) -> Result<Option<ReferenceLine>, StoreError> {
    let code = line.as_string();
    if let Some(recorded) = store.boundary_line(&code, None).await? {
        let geometry: geojson::Geometry = serde_json::from_str(&recorded.geometry)
            .map_err(|e| StoreError::Corrupt(format!("line {code}: {e}")))?;
        let shape = match Geometry::<f64>::try_from(&geometry.value) {
            Ok(Geometry::MultiLineString(lines)) => lines,
            Ok(Geometry::LineString(part)) => MultiLineString::new(vec![part]),
            _ => return Err(StoreError::Corrupt(format!("line {code}: not a line"))),
        };
        return Ok(Some(ReferenceLine {
            shape,
            source: format!("recorded line {code}"),
        }));
    }
    let [a, b] = line.sides();
    let mut sides = Vec::with_capacity(2);
    for side in [a, b] {
        let Some(place) = store.division_place(side.as_str()).await? else {
            return Ok(None);
        };
        let shape = match place_geometry(&place) {
            Some(Geometry::Polygon(p)) => MultiPolygon(vec![p]),
            Some(Geometry::MultiPolygon(m)) => m,
            _ => return Ok(None),
        };
        sides.push((
            format!("{} ({side})", place.properties.standard_name),
            shape,
        ));
    }
    let shared = shared_line(&sides[0].1, &sides[1].1);
    if shared.0.is_empty() {
        return Ok(None);
    }
    Ok(Some(ReferenceLine {
        shape: shared,
        source: format!(
            "border of {} and {} as their polygons share it (no line {code} is recorded)",
            sides[0].0, sides[1].0
        ),
    }))
}

/// Stores checked markers in one transaction, all or none: a number already registered (or a
/// number of another group) refuses them all with `StoreError::AlreadyExists`.
pub async fn import(
    store: &Store,
    markers: &[NewMarker],
    author: &Author,
) -> Result<u64, MarkerError> {
    Ok(store.import_markers(markers, author).await?)
}

/// A marker entered through the API, as stored, and its CGCS2000 position.
#[derive(Debug, Clone)]
pub struct CreatedMarker {
    /// The record.
    pub marker: StoredMarker,
    /// Its position in CGCS2000.
    pub position: Position,
}

/// Sets one marker: its number must name a line of two divisions, which only an admin
/// covering both sides may set markers of; the rest goes through the `Intake`.
pub async fn create(
    state: &AppState,
    staff: &Staff,
    system: System,
    number: &str,
    row: MarkerRow,
) -> Result<CreatedMarker, MarkerError> {
    let mut intake = Intake::new(system).with_max_offset_m(state.settings.max_marker_offset_m);
    let number = intake.number(number)?;
    let line = LineCode::parse(number.line_code()).map_err(|e| {
        FieldErrors::one(
            "marker_number",
            format!("the line code {}: {e}", number.line_code()),
        )
    })?;
    let [a, b] = line.sides();
    staff.actor.may_change_shared_line(a, b)?;
    let marker = intake.check(number, row)?;
    let reference = reference_line(&state.store, &line).await?;
    intake
        .check_near_line(&marker, reference.as_ref())
        .map_err(MarkerError::Inconsistent)?;
    import(&state.store, std::slice::from_ref(&marker), &staff.author()).await?;
    state.freshness.written(super::freshness::Kind::Markers);
    let stored = existing(state, &marker.number.to_string()).await?;
    let position = position(&stored, System::CGCS2000)?;
    Ok(CreatedMarker {
        marker: stored,
        position,
    })
}

/// The markers of a line, in sequence, with their positions in `system`.
pub async fn list(
    state: &AppState,
    staff: &Staff,
    line: &LineCode,
    system: System,
) -> Result<Vec<MarkerSummary>, MarkerError> {
    may_read_line(&staff.actor, line)?;
    let markers = state.store.line_markers(&line.as_string()).await?;
    let mut summaries = Vec::with_capacity(markers.len());
    for marker in &markers {
        let conditions = state.store.marker_conditions(marker.id).await?;
        summaries.push(MarkerSummary {
            marker_number: marker.marker_number.clone(),
            position: position(marker, system)?,
            condition: conditions.last().map(|c| c.condition.clone()),
            companions: companions(marker, &markers),
        });
    }
    Ok(summaries)
}

/// A marker with its position in `system`, companions, references, conditions and photos.
pub async fn read(
    state: &AppState,
    staff: &Staff,
    number: &str,
    system: System,
) -> Result<MarkerDetail, MarkerError> {
    let marker = existing(state, number).await?;
    may_read_markers_of(&staff.actor, &marker.line_code)?;
    let line = state.store.line_markers(&marker.line_code).await?;
    Ok(MarkerDetail {
        position: position(&marker, system)?,
        group: marker
            .marker_number
            .parse::<MarkerId>()
            .ok()
            .map(|id| id.kind().group()),
        companions: companions(&marker, &line),
        references: state.store.marker_references(marker.id).await?,
        conditions: state.store.marker_conditions(marker.id).await?,
        photo_ids: state.store.marker_photo_ids(marker.id).await?,
        marker,
    })
}

/// What an inspection found at a marker.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The day of the inspection (not in the future).
    pub observed_on: NaiveDate,
    /// What was found.
    pub condition: MarkerCondition,
    /// Notes, up to 1000 characters.
    pub notes: Option<String>,
    /// A photo of this marker, uploaded first.
    pub photo_id: Option<i64>,
}

/// Records an inspection and answers the marker's condition history.
pub async fn record_condition(
    state: &AppState,
    staff: &Staff,
    number: &str,
    inspection: Inspection,
) -> Result<Vec<ConditionRecord>, MarkerError> {
    let marker = existing(state, number).await?;
    may_inspect_markers_of(&staff.actor, &marker.line_code)?;
    if inspection.observed_on > today() {
        return Err(
            FieldErrors::one("observed_on", "an inspection cannot be dated in the future").into(),
        );
    }
    let notes = inspection
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if notes.is_some_and(|n| n.chars().count() > 1000) {
        return Err(FieldErrors::one("notes", "at most 1000 characters").into());
    }
    state
        .store
        .add_marker_condition(
            &marker,
            inspection.observed_on,
            inspection.condition,
            notes,
            inspection.photo_id,
            &staff.author(),
        )
        .await
        .map_err(|e| match e {
            // The store finds no photo of this id on this marker.
            StoreError::NotFound => MarkerError::Invalid(FieldErrors::one(
                "photo_id",
                "not a photo of this marker; upload it to the marker first",
            )),
            other => other.into(),
        })?;
    Ok(state.store.marker_conditions(marker.id).await?)
}

/// A photo as stored: its id and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredPhoto {
    /// The photo's id.
    pub id: i64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Stores a photo of a marker. The caller's right is checked before `photo` (the edge's
/// reading and cleaning of the upload) runs, so nothing is read for a caller who may not add
/// one; its error, and every other as `E::from`, is returned.
pub async fn upload_photo<E: From<MarkerError>>(
    state: &AppState,
    staff: &Staff,
    number: &str,
    photo: impl Future<Output = Result<CleanPhoto, E>>,
) -> Result<StoredPhoto, E> {
    let marker = existing(state, number).await?;
    may_inspect_markers_of(&staff.actor, &marker.line_code).map_err(MarkerError::from)?;
    let photo = photo.await?;
    let id = state
        .store
        .add_marker_photo(
            &marker,
            photo.media_type,
            (photo.width, photo.height),
            &photo.bytes,
            &staff.author(),
        )
        .await
        .map_err(MarkerError::from)?;
    Ok(StoredPhoto {
        id,
        width: photo.width,
        height: photo.height,
    })
}

/// A stored photo, for staff who may read its marker.
pub async fn photo(state: &AppState, staff: &Staff, id: i64) -> Result<MarkerPhoto, MarkerError> {
    let (photo, line) = state
        .store
        .marker_photo(id)
        .await?
        .ok_or_else(|| MarkerError::NotFound("no such photo".into()))?;
    may_read_markers_of(&staff.actor, &line)?;
    Ok(photo)
}

async fn existing(state: &AppState, number: &str) -> Result<StoredMarker, MarkerError> {
    let id = number
        .parse::<MarkerId>()
        .map_err(|e| FieldErrors::one("marker_number", e.to_string()))?;
    state
        .store
        .marker(&id.to_string())
        .await?
        .ok_or_else(|| MarkerError::NotFound(format!("there is no marker {id}")))
}

/// The marker's position in the requested system.
fn position(marker: &StoredMarker, system: System) -> Result<Position, MarkerError> {
    let System { crs, helmert } = system;
    let (x, y) = convert_with(Crs::Cgcs2000, crs, marker.lon, marker.lat, helmert.as_ref())
        .map_err(|e| {
            // Output can fail only for the system asked for or its parameters.
            let field = if e.field() == "helmert" {
                "helmert"
            } else {
                "crs"
            };
            FieldErrors::one(field, e.to_string())
        })?;
    Ok(Position {
        crs: crs.to_string(),
        x: crs.round(x),
        y: crs.round(y),
    })
}

/// The other markers of the same pair or triple, and whether each is registered.
fn companions(marker: &StoredMarker, line: &[StoredMarker]) -> Vec<Companion> {
    let Ok(id) = &marker.marker_number.parse::<MarkerId>() else {
        return Vec::new();
    };
    id.companions()
        .into_iter()
        .map(|companion| {
            let number = companion.to_string();
            let registered = line.iter().any(|m| m.marker_number == number);
            Companion {
                marker_number: number,
                registered,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone_40() -> Intake {
        Intake::new(System {
            crs: Crs::parse("EPSG:4549").unwrap(),
            helmert: None,
        })
    }

    fn fields(errors: FieldErrors) -> Vec<String> {
        errors.into_vec().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn every_problem_of_a_row_is_named_by_its_field() {
        let mut intake = zone_40();
        let number = intake.number("330421330482003Q").unwrap();
        let row = MarkerRow {
            x: 586_045.086,
            y: 3_420_234.530,
            material: Some("石".repeat(51)),
            installed_on: Some("May 2003".into()),
            references: vec![ReferenceObject {
                name: "电杆".into(),
                bearing_deg: 400.0,
                distance_m: 12.0,
            }],
        };
        assert_eq!(
            fields(intake.check(number, row).unwrap_err()),
            ["installed_on", "references[0].bearing_deg", "material"]
        );
    }

    #[test]
    fn a_good_row_keeps_what_was_surveyed() {
        let mut intake = zone_40();
        let number = intake.number("330421330482001a").unwrap();
        let row = MarkerRow {
            x: 586_045.086,
            y: 3_420_234.530,
            material: Some(" 花岗岩 ".into()),
            installed_on: Some("2003-05-01".into()),
            references: Vec::new(),
        };
        let marker = intake.check(number, row).unwrap();
        assert_eq!(marker.number.to_string(), "330421330482001A");
        assert_eq!(marker.surveyed_crs, "EPSG:4549");
        assert_eq!(marker.material.as_deref(), Some("花岗岩"));
        assert_eq!(marker.installed_on.as_deref(), Some("2003-05-01"));
        assert_eq!(
            fields(intake.number("330421330482001A").unwrap_err()),
            ["marker_number"]
        );
        assert_eq!(
            fields(intake.number("330421330482001X").unwrap_err()),
            ["marker_number"]
        );
    }

    #[test]
    fn a_legacy_table_without_its_parameters_is_refused_on_helmert() {
        let mut intake = Intake::new(System {
            crs: Crs::parse("EPSG:2437").unwrap(),
            helmert: None,
        });
        let number = intake.number("330421330482001Q").unwrap();
        let row = MarkerRow {
            x: 586_045.0,
            y: 3_420_234.0,
            ..Default::default()
        };
        assert_eq!(fields(intake.check(number, row).unwrap_err()), ["helmert"]);
    }
}
