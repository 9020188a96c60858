//! Photos of a round: uploaded by a side's team member or signer (checked and re-encoded like
//! every photo, see `media`), then named by that side's findings, comments and tasks; read by
//! whoever reads the round.
#![warn(missing_docs)]

use std::future::Future;

use super::{InspectionError, access, gated};
use crate::app::{AppState, Identity, Staff};
use crate::domain::inspection::{RecordKind, RoundState};
use crate::domain::inspection_report::sha256_hex;
use crate::media::CleanPhoto;

/// A photo as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UploadedPhoto {
    /// Its random id.
    pub id: i64,
    /// The side it belongs to.
    pub side: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// SHA-256 of the stored bytes (in the report's photo index).
    pub sha256: String,
}

/// Stores a photo for the caller's side. The caller's right and the round's state are checked
/// before `photo` (the edge's reading and cleaning of the upload) runs.
pub async fn upload<E: From<InspectionError>>(
    state: &AppState,
    staff: &Staff,
    id: i64,
    photo: impl Future<Output = Result<CleanPhoto, E>>,
) -> Result<UploadedPhoto, E> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Photo)?;
    let side = access.speaking_side()?;
    let photo = photo.await?;
    let sha256 = sha256_hex(&photo.bytes);
    let stored = state
        .store
        .add_inspection_photo(
            id,
            &side,
            photo.media_type,
            (photo.width, photo.height),
            &photo.bytes,
            &sha256,
            &RoundState::taking(RecordKind::Photo),
            &staff.author(),
        )
        .await
        .map_err(InspectionError::from)?;
    let photo_id = gated(stored, RecordKind::Photo)?;
    Ok(UploadedPhoto {
        id: photo_id,
        side,
        width: photo.width,
        height: photo.height,
        sha256,
    })
}

/// A photo's media type and bytes, for whoever reads its round.
pub async fn read(
    state: &AppState,
    identity: &Identity,
    id: i64,
    photo_id: i64,
) -> Result<(String, Vec<u8>), InspectionError> {
    access(state, identity.actor.as_ref(), id).await?;
    match state.store.inspection_photo(photo_id).await? {
        Some((round, _, media_type, bytes)) if round == id => Ok((media_type, bytes)),
        _ => Err(InspectionError::NotFound(format!(
            "round {id} has no photo {photo_id}"
        ))),
    }
}
