//! Boundary lines: record and change them as versioned records (only an administrator covering
//! both sides), read them (current or as of a day) and their history (staff of either side),
//! and derive the line two divisions share from their registered polygons when none is
//! recorded. Every read comes with the line split into segments at its markers, each with the
//! side the agreement makes it lead.
#![warn(missing_docs)]

use chrono::NaiveDate;
use geo::{Geometry, MultiLineString};

use super::{AppState, Staff, today};
use crate::domain::account::AccessError;
use crate::domain::boundary::{geodesic_length, shared_line};
use crate::domain::boundary_line::{
    Agreement, LineAccessError, LineCode, Segment, SegmentLead, assign_leads, check_simple,
    line_geometry, marker_stops, may_read_line, segments,
};
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::geometry::check_no_height;
use crate::store::StoreError;
use crate::store::boundary_lines::{NewLineVersion, StoredLine};

/// What can go wrong with a boundary-line use case.
///
/// ```
/// use diming::app::boundaries::BoundaryError;
/// let error = BoundaryError::NotFound("no line 330421330482 is recorded".into());
/// assert_eq!(error.to_string(), "no line 330421330482 is recorded");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum BoundaryError {
    /// The input names the fields at fault.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// The line is well-formed but cannot be a boundary as sent (it crosses itself, or carries
    /// heights); the fields say how.
    #[error("{0}")]
    Inconsistent(FieldErrors),
    /// The caller may not change the shared line.
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// The caller is staff of neither side.
    #[error(transparent)]
    NotOnEitherSide(#[from] LineAccessError),
    /// No such line recorded, or none to derive.
    #[error("{0}")]
    NotFound(String),
    /// An in-memory index could not be read (a writer panicked).
    #[error("the {0} index is unavailable")]
    IndexUnavailable(&'static str),
    /// The database failed, or the edit was stale.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A line version as a client sends it (the line itself is named apart).
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    /// The agreement (协议书) that fixed the line.
    pub agreement: Option<Agreement>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// The side leading each segment, named by the marker numbers at its ends.
    pub segment_leads: Vec<SegmentLead>,
    /// A GeoJSON LineString or MultiLineString; absent: derived from the shared polygon edges.
    pub geometry: Option<serde_json::Value>,
    /// The day the version takes effect; today when not given.
    pub effective_on: Option<NaiveDate>,
    /// Why the line is recorded or changed.
    pub comment: Option<String>,
    /// Whether the input names the two divisions again: refused on a change, whose line is
    /// named apart and cannot change its sides.
    pub names_sides: bool,
}

/// A line as read: recorded (with its version) or derived, its shape, segments and sides.
#[derive(Debug, Clone)]
pub struct LineView {
    /// The two divisions.
    pub line: LineCode,
    /// The line's geometry (CGCS2000 degrees).
    pub shape: MultiLineString<f64>,
    /// The line split at its markers, with their lead sides.
    pub segments: Vec<Segment>,
    /// The names of the two sides (as `line.sides()`), where the register knows them.
    pub side_names: [Option<String>; 2],
    /// The recorded version, or `None` for a line derived from the polygons.
    pub recorded: Option<StoredLine>,
}

impl LineView {
    /// The line's geodesic length in metres.
    pub fn length_m(&self) -> f64 {
        geodesic_length(&self.shape)
    }
}

/// The line two divisions share: the recorded one (in force on `as_of`) when there is one,
/// otherwise the one derived from their registered polygons.
pub async fn between(
    state: &AppState,
    staff: &Staff,
    line: &LineCode,
    as_of: Option<NaiveDate>,
) -> Result<LineView, BoundaryError> {
    may_read_line(&staff.actor, line)?;
    if let Some(recorded) = state.store.boundary_line(&line.as_string(), as_of).await? {
        return recorded_view(state, recorded).await;
    }
    let derived = derive(state, line)?;
    view(state, line.clone(), derived, None).await
}

/// Records a line as version 1.
pub async fn record(
    state: &AppState,
    staff: &Staff,
    line: &LineCode,
    input: LineInput,
) -> Result<LineView, BoundaryError> {
    let [first, second] = line.sides();
    staff.actor.may_change_shared_line(first, second)?;
    let stored = write(state, staff, line, &input, None).await?;
    recorded_view(state, stored).await
}

/// Records the next version of a line. `expected` is given the line's record id and answers
/// the version the caller edited (the edge reads it from `If-Match`); its error, and every
/// other as `E::from`, is returned.
pub async fn update<E: From<BoundaryError>>(
    state: &AppState,
    staff: &Staff,
    line: &LineCode,
    expected: impl FnOnce(i64) -> Result<i64, E>,
    input: LineInput,
) -> Result<LineView, E> {
    let [first, second] = line.sides();
    staff
        .actor
        .may_change_shared_line(first, second)
        .map_err(BoundaryError::from)?;
    if input.names_sides {
        return Err(BoundaryError::from(FieldErrors::one(
            "between",
            "a line's divisions are in its path; they cannot change",
        ))
        .into());
    }
    let current = recorded(state, line, None).await?;
    let expected = expected(current.id)?;
    let stored = write(state, staff, line, &input, Some(expected)).await?;
    Ok(recorded_view(state, stored).await?)
}

/// A recorded line, current or as in force on `as_of`.
pub async fn read(
    state: &AppState,
    staff: &Staff,
    line: &LineCode,
    as_of: Option<NaiveDate>,
) -> Result<LineView, BoundaryError> {
    may_read_line(&staff.actor, line)?;
    let stored = recorded(state, line, as_of).await?;
    recorded_view(state, stored).await
}

/// Every version of a recorded line, oldest first.
pub async fn history(
    state: &AppState,
    staff: &Staff,
    line: &LineCode,
) -> Result<Vec<StoredLine>, BoundaryError> {
    may_read_line(&staff.actor, line)?;
    let versions = state.store.boundary_line_history(&line.as_string()).await?;
    if versions.is_empty() {
        return Err(not_recorded(line));
    }
    Ok(versions)
}

fn not_recorded(line: &LineCode) -> BoundaryError {
    BoundaryError::NotFound(format!("no line {} is recorded", line.as_string()))
}

async fn recorded(
    state: &AppState,
    line: &LineCode,
    as_of: Option<NaiveDate>,
) -> Result<StoredLine, BoundaryError> {
    state
        .store
        .boundary_line(&line.as_string(), as_of)
        .await?
        .ok_or_else(|| not_recorded(line))
}

/// Checks the input and writes version 1 (`expected` None) or the next version.
async fn write(
    state: &AppState,
    staff: &Staff,
    line: &LineCode,
    input: &LineInput,
    expected: Option<i64>,
) -> Result<StoredLine, BoundaryError> {
    let mut errors = FieldErrors::default();
    if let Some(agreement) = &input.agreement {
        agreement.check(&mut errors);
    }
    SegmentLead::check_all(&input.segment_leads, line, &mut errors);
    let approved_by = input
        .approved_by
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if approved_by.is_some_and(|a| a.chars().count() > 100) {
        errors.push("approved_by", "at most 100 characters");
    }
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(value) = &input.geometry {
        check_no_height(value, "geometry").map_err(BoundaryError::Inconsistent)?;
    }
    let (geometry, source) = match &input.geometry {
        Some(value) => match line_geometry(value, "geometry") {
            Ok(geometry) => (Some(geometry), "imported"),
            Err(problems) => {
                errors.extend(problems);
                (None, "imported")
            }
        },
        None => (None, "shared_edges"),
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    if let Some(geometry) = &geometry {
        check_simple(geometry, "geometry").map_err(BoundaryError::Inconsistent)?;
    }
    let geometry = match geometry {
        Some(geometry) => geometry,
        None => derive(state, line).map_err(|error| match error {
            BoundaryError::NotFound(detail) => BoundaryError::Invalid(FieldErrors::one(
                "geometry",
                format!("{detail}; send the line as a LineString or MultiLineString"),
            )),
            other => other,
        })?,
    };
    let version = NewLineVersion {
        line,
        effective_on: input.effective_on.unwrap_or_else(today),
        comment,
        agreement: input.agreement.as_ref(),
        approved_by,
        segment_leads: &input.segment_leads,
        source,
        geometry: serde_json::to_string(&geojson::Geometry::new(geojson::GeometryValue::from(
            &geometry,
        )))
        .map_err(|e| StoreError::Corrupt(format!("line geometry: {e}")))?,
        length_m: geodesic_length(&geometry),
    };
    let author = staff.author();
    let stored = match expected {
        None => state.store.create_boundary_line(&version, &author).await?,
        Some(expected) => {
            state
                .store
                .change_boundary_line(expected, &version, &author)
                .await?
        }
    };
    state
        .freshness
        .written(super::freshness::Kind::BoundaryLines);
    Ok(stored)
}

/// The line the two divisions' registered polygons share.
fn derive(state: &AppState, line: &LineCode) -> Result<MultiLineString<f64>, BoundaryError> {
    let index = state
        .spatial
        .read()
        .map_err(|_| BoundaryError::IndexUnavailable("spatial"))?;
    let [a, b] = line.sides();
    let area = |code: &DivisionCode| {
        index.division_area(code.as_str()).ok_or_else(|| {
            BoundaryError::NotFound(format!(
                "division {code} has no registered polygon to derive a boundary from"
            ))
        })
    };
    let ((place_a, shape_a), (place_b, shape_b)) = (area(a)?, area(b)?);
    let shared = shared_line(shape_a, shape_b);
    if shared.0.is_empty() {
        return Err(BoundaryError::NotFound(format!(
            "{} ({a}) and {} ({b}) share no boundary",
            place_a.name, place_b.name
        )));
    }
    Ok(shared)
}

/// A recorded version as read: its stored geometry back as a line, with its segments and side
/// names.
pub async fn recorded_view(
    state: &AppState,
    stored: StoredLine,
) -> Result<LineView, BoundaryError> {
    let corrupt = |what: String| StoreError::Corrupt(format!("line {}: {what}", stored.line_code));
    let line = LineCode::parse(&stored.line_code).map_err(|e| corrupt(e.to_string()))?;
    let geometry: geojson::Geometry =
        serde_json::from_str(&stored.geometry).map_err(|e| corrupt(e.to_string()))?;
    let shape = match Geometry::<f64>::try_from(&geometry.value) {
        Ok(Geometry::MultiLineString(lines)) => lines,
        Ok(Geometry::LineString(line)) => MultiLineString::new(vec![line]),
        _ => return Err(corrupt("not a line".into()).into()),
    };
    view(state, line, shape, Some(stored)).await
}

/// The line with its segments between its markers (and their lead sides) and its side names.
async fn view(
    state: &AppState,
    line: LineCode,
    shape: MultiLineString<f64>,
    recorded: Option<StoredLine>,
) -> Result<LineView, BoundaryError> {
    let markers = state.store.markers_on_line(&line.as_string()).await?;
    let mut parts = segments(&shape, &marker_stops(&markers));
    if let Some(stored) = &recorded {
        assign_leads(&mut parts, &stored.segment_leads);
    }
    let side_names = {
        let directory = state.divisions.read().ok();
        line.sides().map(|code| {
            directory
                .as_ref()
                .and_then(|d| d.get(code.as_str()).map(|d| d.name.clone()))
        })
    };
    Ok(LineView {
        line,
        shape,
        segments: parts,
        side_names,
        recorded,
    })
}

/// A line's shape in another coordinate system (a Gauss–Krüger zone, a legacy datum with its
/// transformation parameters), each position converted through PROJ and rounded as the system
/// is measured (1e-9° or 0.1 mm). A position outside the system's zone is refused naming `crs`.
pub fn shape_in(
    shape: &MultiLineString<f64>,
    system: &super::markers::System,
) -> Result<MultiLineString<f64>, BoundaryError> {
    use crate::domain::crs::Crs;
    use geo::MapCoords;
    if system.crs == Crs::Cgcs2000 {
        return Ok(shape.clone());
    }
    shape
        .try_map_coords(|c| {
            crate::spatial::reproject::convert_with(
                Crs::Cgcs2000,
                system.crs,
                c.x,
                c.y,
                system.helmert.as_ref(),
            )
            .map(|(x, y)| geo::Coord {
                x: system.crs.round(x),
                y: system.crs.round(y),
            })
        })
        .map_err(|e| FieldErrors::one(e.field(), e.to_string()).into())
}
