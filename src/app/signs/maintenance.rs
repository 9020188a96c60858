//! A sign's life after registration: maintenance work and the status it leaves the sign in,
//! the log of that work, photos staff upload, and the daily count of scans of its QR code.
#![warn(missing_docs)]

use chrono::NaiveDate;

use super::{SignError, division_of, existing_sign, may_edit};
use crate::app::{AppState, Staff, today};
use crate::domain::field_error::FieldErrors;
use crate::domain::sign::{
    MAINTENANCE_ACTIONS, Maintenance, MaintenanceEntry, Photo, Sign, SignStatus,
};
use crate::media::CleanPhoto;

/// Maintenance work as staff report it (checked by [`record`]).
#[derive(Debug, Clone)]
pub struct WorkInput {
    /// One of `MAINTENANCE_ACTIONS`.
    pub action: String,
    /// The day the work was done; today when not given.
    pub done_on: Option<NaiveDate>,
    /// Notes on the work.
    pub notes: Option<String>,
    /// The sign's status after the work, if it changed.
    pub status: Option<SignStatus>,
    /// For a replacement: the new sign.
    pub replaced_by: Option<i64>,
    /// A photo of the work, uploaded for this sign.
    pub photo_id: Option<i64>,
}

/// A photo stored for a sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredPhoto {
    /// The photo's id.
    pub id: i64,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

/// Records work on sign `id` (still at version `expected`) and the status it leaves it in; a
/// replacement retires the sign unless a status is given.
pub async fn record(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    input: WorkInput,
) -> Result<Sign, SignError> {
    let sign = existing_sign(state, id).await?;
    may_edit(&staff.actor, &division_of(&sign)?)?;
    crate::store::expect_version(expected, sign.version)?;
    if !MAINTENANCE_ACTIONS.contains(&input.action.as_str()) {
        return Err(FieldErrors::one(
            "action",
            "inspected, cleaned, repaired, replaced or status_changed",
        )
        .into());
    }
    let done_on = input.done_on.unwrap_or_else(today);
    if done_on > today() {
        return Err(
            FieldErrors::one("done_on", "work cannot be recorded before it is done").into(),
        );
    }
    let status_after = sign.status.after_work(&input.action, input.status)?;
    if let Some(replacement) = input.replaced_by
        && (replacement == id || state.store.sign(replacement).await?.is_none())
    {
        return Err(FieldErrors::one("replaced_by", "the id of another registered sign").into());
    }
    if let Some(photo) = input.photo_id
        && state
            .store
            .sign_photo(photo)
            .await?
            .is_none_or(|p| p.sign_id != id)
    {
        return Err(FieldErrors::one("photo_id", "a photo uploaded for this sign").into());
    }
    let notes = input
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let work = Maintenance {
        action: &input.action,
        done_on,
        notes,
        status_after,
        replaced_by: input.replaced_by,
        photo_id: input.photo_id,
    };
    let sign = state
        .store
        .record_maintenance(id, expected, &work, &staff.author())
        .await?;
    state.freshness.sign_written(&sign.public_code);
    Ok(sign)
}

/// The maintenance log of sign `id`, oldest first.
pub async fn log(
    state: &AppState,
    _staff: &Staff,
    id: i64,
) -> Result<Vec<MaintenanceEntry>, SignError> {
    existing_sign(state, id).await?;
    Ok(state.store.maintenance_log(id).await?)
}

/// Whether `staff` may add photos to sign `id`: checked before the upload is read.
pub async fn may_add_photo(state: &AppState, staff: &Staff, id: i64) -> Result<(), SignError> {
    let sign = existing_sign(state, id).await?;
    may_edit(&staff.actor, &division_of(&sign)?)
}

/// Stores a photo (already checked and re-encoded) of sign `id`.
pub async fn add_photo(
    state: &AppState,
    staff: &Staff,
    id: i64,
    photo: CleanPhoto,
) -> Result<StoredPhoto, SignError> {
    may_add_photo(state, staff, id).await?;
    let photo_id = state
        .store
        .add_sign_photo(
            id,
            photo.media_type,
            (photo.width, photo.height),
            &photo.bytes,
            &staff.author(),
        )
        .await?;
    Ok(StoredPhoto {
        id: photo_id,
        width: photo.width,
        height: photo.height,
    })
}

/// Photo `id` of a sign (taken by staff, or attached to a public report), for staff whose
/// jurisdiction holds the sign; for anyone else it does not exist (the same 404 as an unknown
/// id, and ids are random, so nothing is learnt by trying them).
pub async fn photo(state: &AppState, staff: &Staff, id: i64) -> Result<Photo, SignError> {
    let no_such = || SignError::NotFound("no such photo".into());
    let photo = state.store.sign_photo(id).await?.ok_or_else(no_such)?;
    let sign = existing_sign(state, photo.sign_id).await?;
    if !staff.actor.works_in(&division_of(&sign)?) {
        return Err(no_such());
    }
    Ok(photo)
}

/// The scans of sign `id` by day, the ones counted in memory included.
pub async fn scans(
    state: &AppState,
    _staff: &Staff,
    id: i64,
) -> Result<Vec<(NaiveDate, i64)>, SignError> {
    existing_sign(state, id).await?;
    state.flush_scans().await?;
    Ok(state.store.scans(id).await?)
}
