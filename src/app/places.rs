//! Place-name records: register, change and retire them (authorised against the editor's
//! jurisdiction, romanization settled, written as a new version with its audit entry, indexes
//! refreshed), and read them back (current, any version, as of a day, lists, history).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::romanize::{self, RomanizeError};
use super::{AppState, Identity, Staff, today};
use crate::domain::account::AccessError;
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::geometry::check_no_height;
use crate::domain::place::{PlaceProperties, PlaceStatus, ValidPlace};
use crate::domain::version::{ChangeAction, ChangeNote, VersionMeta};
use crate::spatial::consistency::check_place_geometry;
use crate::store::StoreError;
use crate::store::places::{Change, PlaceFilter, StoredPlace, VersionSelector};

/// What can go wrong with a place-name use case.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// The input names the fields at fault.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// The geometry disagrees with the record (it lies outside the divisions the record names)
    /// or carries what the register does not keep (a height); the fields say how.
    #[error("{0}")]
    Inconsistent(FieldErrors),
    /// The caller may not write there.
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// No such record, version or state.
    #[error("{0}")]
    NotFound(String),
    /// The record is already retired.
    #[error("place {0} is already historical")]
    AlreadyHistorical(i64),
    /// The database failed, or the edit was stale.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<RomanizeError> for PlaceError {
    fn from(error: RomanizeError) -> Self {
        match error {
            RomanizeError::Invalid(errors) => Self::Invalid(errors),
            RomanizeError::Store(error) => Self::Store(error),
        }
    }
}

/// A place as a client sends it: the record, its geometry as GeoJSON, and a note on the change.
#[derive(Debug, Clone)]
pub struct PlaceInput {
    /// The record's properties as sent.
    pub properties: PlaceProperties,
    /// The GeoJSON geometry object, if any.
    pub geometry: Option<serde_json::Value>,
    /// Why and since when the record changes.
    pub change: ChangeNote,
}

/// How a record is retired.
#[derive(Debug, Clone, Default)]
pub struct Retirement {
    /// Why the name went out of use.
    pub comment: Option<String>,
    /// The day it went out of use; today when not given.
    pub abolished_on: Option<NaiveDate>,
}

/// Validates the record, checks its divisions are known and that the actor may write there.
pub(crate) async fn checked_place(
    state: &AppState,
    staff: &Staff,
    input: PlaceInput,
) -> Result<(ValidPlace, ChangeNote), PlaceError> {
    checked_place_with(state, staff, input, &mut DivisionEnds::default()).await
}

/// The end days of divisions (`None`: in force) as read for the checks of record writes, kept
/// across the rows of an import so that each division is read once, not once per row.
#[derive(Debug, Default)]
pub(crate) struct DivisionEnds(HashMap<String, Option<String>>);

impl DivisionEnds {
    /// The end days of `codes` that the register knows (unknown codes are left out).
    async fn of(
        &mut self,
        state: &AppState,
        codes: &[DivisionCode],
    ) -> Result<&HashMap<String, Option<String>>, StoreError> {
        let unread: Vec<DivisionCode> = codes
            .iter()
            .filter(|code| !self.0.contains_key(code.as_str()))
            .cloned()
            .collect();
        if !unread.is_empty() {
            let read = state.store.division_ends(&unread).await?;
            for code in unread {
                // A code the register does not know stays unknown (`None` is "in force").
                if let Some(end) = read.get(code.as_str()) {
                    self.0.insert(code.as_str().to_string(), end.clone());
                }
            }
        }
        Ok(&self.0)
    }
}

/// `checked_place`, reading division end days through `ends`.
pub(crate) async fn checked_place_with(
    state: &AppState,
    staff: &Staff,
    input: PlaceInput,
    ends: &mut DivisionEnds,
) -> Result<(ValidPlace, ChangeNote), PlaceError> {
    if let Some(geometry) = &input.geometry {
        check_no_height(geometry, "geometry").map_err(PlaceError::Inconsistent)?;
    }
    let place = ValidPlace::parse(
        input.properties,
        input.geometry.as_ref(),
        &state.catalog,
        today(),
    )?;
    // Every division must be known, and a record in use lies in divisions in force (a
    // historical one may name ended ones).
    let ends = ends.of(state, place.divisions()).await?;
    let in_use = place.properties().status == PlaceStatus::Current;
    let mut errors = FieldErrors::default();
    for (i, code) in place.divisions().iter().enumerate() {
        let message = match ends.get(code.as_str()) {
            None => format!("{code} is not a division known to the register"),
            Some(Some(day)) if in_use => format!(
                "division {code} ended on {day} (see /api/v1/divisions/{code}); a record in use names divisions in force"
            ),
            Some(_) => continue,
        };
        errors.push(format!("properties.division_codes[{i}]"), message);
    }
    errors.into_result(())?;
    staff.actor.may_edit_places_in(place.divisions())?;
    check_lies_in_divisions(state, &place)?;
    Ok((place, input.change))
}

/// The record's geometry must lie in the divisions it names (`spatial::consistency`), measured
/// on the in-memory index. A division's own record (category 21x) is checked against the
/// divisions above it.
fn check_lies_in_divisions(state: &AppState, place: &ValidPlace) -> Result<(), PlaceError> {
    let Some(geometry) = place.geometry() else {
        return Ok(());
    };
    let own = place.properties().category.starts_with("21");
    // A writer that panicked left the index as it was; it is still the best one to check on.
    let index = state
        .spatial
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    check_place_geometry(&index, geometry, place.divisions(), own).map_err(PlaceError::Inconsistent)
}

fn effective_on(day: Option<NaiveDate>, field: &str) -> Result<NaiveDate, PlaceError> {
    let day = day.unwrap_or_else(today);
    if day > today() {
        return Err(FieldErrors::one(
            field,
            "a change cannot take effect in the future; record it when it happens",
        )
        .into());
    }
    Ok(day)
}

fn required_comment(comment: Option<&str>, field: &str) -> Result<String, PlaceError> {
    match comment.map(str::trim) {
        Some(text) if !text.is_empty() && text.chars().count() <= 2000 => Ok(text.to_string()),
        Some(text) if !text.is_empty() => {
            Err(FieldErrors::one(field, "at most 2000 characters").into())
        }
        _ => Err(FieldErrors::one(
            field,
            "say why the record changes (it is kept in the history)",
        )
        .into()),
    }
}

async fn current(state: &AppState, id: i64) -> Result<StoredPlace, PlaceError> {
    state
        .store
        .place(id, VersionSelector::Current, false)
        .await?
        .ok_or_else(|| PlaceError::NotFound(format!("there is no place {id}")))
}

/// Registers a new record as version 1.
pub async fn create(
    state: &AppState,
    staff: &Staff,
    input: PlaceInput,
) -> Result<StoredPlace, PlaceError> {
    let (place, note) = checked_place(state, staff, input).await?;
    let comment = note
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let (place, correction) = romanize::settle(state, place, None, comment).await?;
    let author = staff.author();
    let change = Change {
        action: ChangeAction::Created,
        effective_on: effective_on(note.effective_on, "change.effective_on")?,
        comment,
        author: &author,
        correction: correction.as_ref(),
    };
    let stored = state.store.create_place(&place, &change).await?;
    state.place_changed(&stored);
    Ok(stored)
}

/// Appends a version to record `id`, which must still be at version `expected`.
pub async fn update(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    input: PlaceInput,
) -> Result<StoredPlace, PlaceError> {
    let current = current(state, id).await?;
    // Moving a record out of another jurisdiction is changing that jurisdiction's record.
    let old_divisions =
        ValidPlace::parse(current.properties.clone(), None, &state.catalog, today())?;
    staff.actor.may_edit_places_in(old_divisions.divisions())?;
    // Stale before invalid: an editor working from an old version must reload first, whatever
    // else is wrong with the edit (the store checks again inside the write).
    crate::store::expect_version(expected, current.meta.version)?;
    let (place, note) = checked_place(state, staff, input).await?;
    let comment = required_comment(note.comment.as_deref(), "change.comment")?;
    let (place, correction) =
        romanize::settle(state, place, Some(&current.properties), Some(&comment)).await?;
    let author = staff.author();
    let change = Change {
        action: ChangeAction::Updated,
        effective_on: effective_on(note.effective_on, "change.effective_on")?,
        comment: Some(&comment),
        author: &author,
        correction: correction.as_ref(),
    };
    let stored = state
        .store
        .change_place(id, expected, &place, &change)
        .await?;
    state.place_changed(&stored);
    Ok(stored)
}

/// Makes record `id` historical (the name went out of use), as a new version.
pub async fn retire(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    retirement: Retirement,
) -> Result<StoredPlace, PlaceError> {
    let current = current(state, id).await?;
    // A stale tag is stale whatever the record became meanwhile (retired by someone else too).
    crate::store::expect_version(expected, current.meta.version)?;
    let comment = required_comment(retirement.comment.as_deref(), "comment")?;
    let abolished_on = effective_on(retirement.abolished_on, "abolished_on")?;
    if current.properties.status == PlaceStatus::Historical {
        return Err(PlaceError::AlreadyHistorical(id));
    }
    let place = ValidPlace::parse(
        current.properties,
        current.geometry.as_ref(),
        &state.catalog,
        today(),
    )?;
    staff.actor.may_edit_places_in(place.divisions())?;
    let author = staff.author();
    let change = Change {
        action: ChangeAction::Retired,
        effective_on: abolished_on,
        comment: Some(&comment),
        author: &author,
        correction: None,
    };
    let stored = state
        .store
        .change_place(id, expected, &place.retired(abolished_on), &change)
        .await?;
    state.place_changed(&stored);
    Ok(stored)
}

/// Record `id` as it is now, or as it stood on a day; the public sees public records only.
pub async fn read(
    state: &AppState,
    identity: &Identity,
    id: i64,
    as_of: Option<NaiveDate>,
) -> Result<StoredPlace, PlaceError> {
    let selector = as_of.map_or(VersionSelector::Current, VersionSelector::AsOf);
    match state
        .store
        .place(id, selector, identity.is_public())
        .await?
    {
        Some(place) => Ok(place),
        None if as_of.is_some() => Err(PlaceError::NotFound(format!(
            "place {id} had no recorded state on that date"
        ))),
        None => Err(PlaceError::NotFound(format!("there is no place {id}"))),
    }
}

/// Version `version` of record `id`.
pub async fn read_version(
    state: &AppState,
    identity: &Identity,
    id: i64,
    version: i64,
) -> Result<StoredPlace, PlaceError> {
    state
        .store
        .place(id, VersionSelector::Number(version), identity.is_public())
        .await?
        .ok_or_else(|| PlaceError::NotFound(format!("place {id} has no version {version}")))
}

/// Every version of record `id`, oldest first.
pub async fn history(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Vec<VersionMeta>, PlaceError> {
    let versions = state.store.place_history(id, identity.is_public()).await?;
    if versions.is_empty() {
        return Err(PlaceError::NotFound(format!("there is no place {id}")));
    }
    Ok(versions)
}

/// A page of records matching `filter`, with the number that match in all. The public sees
/// public records only, whatever the filter says.
pub async fn list(
    state: &AppState,
    identity: &Identity,
    mut filter: PlaceFilter,
) -> Result<(Vec<StoredPlace>, i64), PlaceError> {
    filter.public_only |= identity.is_public();
    Ok(state.store.list_places(&filter).await?)
}
