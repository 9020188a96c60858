//! Photos received over HTTP: the `photo` field of a multipart form read up to a byte limit,
//! then checked and re-encoded by `media` off the async threads; failures as problems.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use futures_util::TryStreamExt;

use super::problem::Problem;
use crate::media::{CleanPhoto, PhotoError, PhotoLimits, clean_photo_bounded};

/// Reads the file field `photo` of a multipart form, up to `limit` bytes.
pub async fn read_photo_field(
    mut form: Multipart,
    limit: usize,
) -> Result<Option<Vec<u8>>, Problem> {
    let mut photo = None;
    while let Some(mut field) = form
        .try_next()
        .await
        .map_err(|e| Problem::invalid_field("photo", e.to_string()))?
    {
        if field.name() != Some("photo") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field
            .try_next()
            .await
            .map_err(|e| Problem::invalid_field("photo", e.to_string()))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(photo_problem(PhotoError::TooLarge(limit)));
            }
            bytes.extend_from_slice(&chunk);
        }
        photo = Some(bytes);
    }
    Ok(photo)
}

/// The photo of a multipart form, checked (type, size, declared pixels) and re-encoded off the
/// async threads, one decode per core at a time.
pub async fn receive_photo(form: Multipart, limits: PhotoLimits) -> Result<CleanPhoto, Problem> {
    let bytes = read_photo_field(form, limits.max_bytes)
        .await?
        .ok_or_else(|| {
            Problem::invalid_field("photo", "send the image in a form field named photo")
        })?;
    clean_photo_bounded(bytes, limits)
        .await
        .map_err(photo_problem)
}

pub fn photo_problem(error: PhotoError) -> Problem {
    match error {
        PhotoError::TooLarge(_) => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo-too-large",
            "The photo is too large",
            error.to_string(),
        ),
        PhotoError::TooManyPixels { .. } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo-too-many-pixels",
            "The image is too large",
            error.to_string(),
        ),
        PhotoError::NotAnImage => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-an-image",
            "Not an image",
            error.to_string(),
        ),
        PhotoError::Unreadable(_) => Problem::invalid_field("photo", error.to_string()),
    }
}
