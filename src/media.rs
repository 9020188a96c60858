//! Photos uploaded by staff or the public: only JPEG or PNG, size-limited, decoded with memory
//! limits and re-encoded as JPEG, which drops every piece of metadata (EXIF, GPS position,
//! camera serial) the original carried.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

/// Longest side a stored photo keeps, in pixels.
const MAX_SIDE_PX: u32 = 2048;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    #[error("the photo is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the file is not a JPEG or PNG image")]
    NotAnImage,
    #[error("the image cannot be read: {0}")]
    Unreadable(String),
}

/// A photo ready to store: JPEG bytes and size.
pub struct CleanPhoto {
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

pub fn clean_photo(bytes: &[u8], max_bytes: usize) -> Result<CleanPhoto, PhotoError> {
    if bytes.len() > max_bytes {
        return Err(PhotoError::TooLarge(max_bytes));
    }
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg | ImageFormat::Png) => {}
        _ => return Err(PhotoError::NotAnImage),
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 << 20);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let image = if image.width().max(image.height()) > MAX_SIDE_PX {
        image.resize(
            MAX_SIDE_PX,
            MAX_SIDE_PX,
            image::imageops::FilterType::Triangle,
        )
    } else {
        image
    };
    let rgb = image.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&rgb)
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    Ok(CleanPhoto {
        media_type: "image/jpeg",
        width: rgb.width(),
        height: rgb.height(),
        bytes: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn a_png_is_stored_as_jpeg() {
        let clean = clean_photo(&png(64, 32), 1 << 20).unwrap();
        assert_eq!((clean.width, clean.height), (64, 32));
        assert_eq!(
            image::guess_format(&clean.bytes).unwrap(),
            ImageFormat::Jpeg
        );
    }

    #[test]
    fn exif_metadata_does_not_survive() {
        // A JPEG with an APP1 "Exif" segment carrying a marker text.
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&image::RgbImage::new(8, 8))
            .unwrap();
        let secret = b"GPS 30.94N 120.89E";
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&((secret.len() + 8) as u16).to_be_bytes());
        segment.extend_from_slice(b"Exif\0\0");
        segment.extend_from_slice(secret);
        let with_exif: Vec<u8> = jpeg[..2]
            .iter()
            .chain(segment.iter())
            .chain(jpeg[2..].iter())
            .copied()
            .collect();
        assert!(with_exif.windows(secret.len()).any(|w| w == secret));
        let clean = clean_photo(&with_exif, 1 << 20).unwrap();
        assert!(!clean.bytes.windows(secret.len()).any(|w| w == secret));
    }

    #[test]
    fn other_files_and_large_ones_are_refused() {
        assert_eq!(
            clean_photo(b"%PDF-1.7 not an image", 1 << 20).err(),
            Some(PhotoError::NotAnImage)
        );
        assert_eq!(
            clean_photo(&png(8, 8), 10).err(),
            Some(PhotoError::TooLarge(10))
        );
        let mut truncated = png(64, 64);
        truncated.truncate(60);
        assert!(matches!(
            clean_photo(&truncated, 1 << 20),
            Err(PhotoError::Unreadable(_))
        ));
    }
}
