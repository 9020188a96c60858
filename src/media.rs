//! Photos uploaded by staff or the public: only JPEG or PNG, size-limited, decoded with memory
//! limits and re-encoded as JPEG, which drops every piece of metadata (EXIF, GPS position,
//! camera serial) the original carried.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

/// Longest side a stored photo keeps, in pixels.
const MAX_SIDE_PX: u32 = 2048;

/// The default largest image accepted, in pixels (40 megapixels: a phone's full-size photo).
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;

/// How large an upload may be: bytes on the wire, and pixels once decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoLimits {
    /// The largest file accepted.
    pub max_bytes: usize,
    /// The largest image accepted, width × height, read from the header before decoding.
    pub max_pixels: u64,
}

/// What is wrong with an uploaded photo.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    /// The file is larger than the byte limit.
    #[error("the photo is larger than {0} bytes")]
    TooLarge(usize),
    /// The header declares more pixels than the limit: refused before decoding.
    #[error(
        "the image declares {width} × {height} pixels, more than the {limit} pixels accepted; send a smaller image"
    )]
    TooManyPixels {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The pixel limit.
        limit: u64,
    },
    /// Neither JPEG nor PNG.
    #[error("the file is not a JPEG or PNG image")]
    NotAnImage,
    /// The image is damaged or cannot be decoded within the limits.
    #[error("the image cannot be read: {0}")]
    Unreadable(String),
}

/// A photo ready to store: JPEG bytes and size.
pub struct CleanPhoto {
    /// Always `image/jpeg`.
    pub media_type: &'static str,
    /// Width in pixels after any downscaling.
    pub width: u32,
    /// Height in pixels after any downscaling.
    pub height: u32,
    /// The re-encoded JPEG.
    pub bytes: Vec<u8>,
}

/// Decodes running at once, process-wide: each holds a whole image in memory, so parallel
/// uploads wait for a turn instead of multiplying the memory a decode takes.
static DECODES: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    tokio::sync::Semaphore::new(cores)
});

/// `clean_photo` off the async workers, with at most one decode per core at a time.
pub async fn clean_photo_bounded(
    bytes: Vec<u8>,
    limits: PhotoLimits,
) -> Result<CleanPhoto, PhotoError> {
    // Cheap refusals first, before waiting for a turn.
    let size = declared_size(&bytes, limits)?;
    let _turn = DECODES
        .acquire()
        .await
        .map_err(|_| PhotoError::Unreadable("the service is stopping".into()))?;
    tokio::task::spawn_blocking(move || decode_and_reencode(&bytes, size))
        .await
        .map_err(|_| PhotoError::Unreadable("the image could not be decoded".into()))?
}

/// The image's type and declared size, read from its header only.
fn declared_size(bytes: &[u8], limits: PhotoLimits) -> Result<(u32, u32), PhotoError> {
    if bytes.len() > limits.max_bytes {
        return Err(PhotoError::TooLarge(limits.max_bytes));
    }
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg | ImageFormat::Png) => {}
        _ => return Err(PhotoError::NotAnImage),
    }
    let (width, height) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?
        .into_dimensions()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(PhotoError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    Ok((width, height))
}

/// Checks a photo (type, bytes, declared pixels) and re-encodes it as JPEG without metadata,
/// downscaled to at most 2048 pixels a side.
///
/// ```
/// use diming::media::{PhotoError, PhotoLimits, clean_photo};
/// let limits = PhotoLimits { max_bytes: 1 << 20, max_pixels: 40_000_000 };
/// assert_eq!(clean_photo(b"%PDF-1.7", limits).err(), Some(PhotoError::NotAnImage));
/// ```
pub fn clean_photo(bytes: &[u8], limits: PhotoLimits) -> Result<CleanPhoto, PhotoError> {
    decode_and_reencode(bytes, declared_size(bytes, limits)?)
}

/// Decodes an image whose header was checked (`declared_size`), within memory limits that
/// follow its declared size, and re-encodes it.
fn decode_and_reencode(
    bytes: &[u8],
    (width, height): (u32, u32),
) -> Result<CleanPhoto, PhotoError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(width);
    decoder_limits.max_image_height = Some(height);
    // The decoded RGBA buffer and a margin for the decoder's own work.
    decoder_limits.max_alloc = Some(u64::from(width) * u64::from(height) * 4 + (16 << 20));
    reader.limits(decoder_limits);
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

    fn limits(max_bytes: usize) -> PhotoLimits {
        PhotoLimits {
            max_bytes,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }

    /// A PNG that declares `width` × `height` pixels but carries only one row of data: what a
    /// decompression bomb looks like to the header reader.
    fn bomb(width: u32, height: u32) -> Vec<u8> {
        let full = png(64, 1);
        // Signature (8) + IHDR length (4) + "IHDR" (4), then width and height; the IHDR CRC
        // (at 29..33) is recomputed.
        let mut bytes = full.clone();
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in data {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn an_image_declaring_too_many_pixels_is_refused_from_its_header() {
        let bytes = bomb(9000, 9000);
        assert!(bytes.len() < 1000, "the bomb is small on the wire");
        // Decoding this truncated image would fail as Unreadable; the refusal names the pixels,
        // so it came from the header before any decoding.
        assert_eq!(
            clean_photo(&bytes, limits(1 << 20)).err(),
            Some(PhotoError::TooManyPixels {
                width: 9000,
                height: 9000,
                limit: DEFAULT_MAX_PIXELS
            })
        );
        let small = PhotoLimits {
            max_bytes: 1 << 20,
            max_pixels: 63,
        };
        assert!(matches!(
            clean_photo(&png(8, 8), small),
            Err(PhotoError::TooManyPixels { .. })
        ));
    }

    #[tokio::test]
    async fn bounded_cleaning_gives_the_same_photo() {
        let clean = clean_photo_bounded(png(64, 32), limits(1 << 20))
            .await
            .unwrap();
        assert_eq!((clean.width, clean.height), (64, 32));
        assert!(matches!(
            clean_photo_bounded(bomb(20_000, 20_000), limits(1 << 20)).await,
            Err(PhotoError::TooManyPixels { .. })
        ));
    }

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
        let clean = clean_photo(&png(64, 32), limits(1 << 20)).unwrap();
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
        let clean = clean_photo(&with_exif, limits(1 << 20)).unwrap();
        assert!(!clean.bytes.windows(secret.len()).any(|w| w == secret));
    }

    #[test]
    fn other_files_and_large_ones_are_refused() {
        assert_eq!(
            clean_photo(b"%PDF-1.7 not an image", limits(1 << 20)).err(),
            Some(PhotoError::NotAnImage)
        );
        assert_eq!(
            clean_photo(&png(8, 8), limits(10)).err(),
            Some(PhotoError::TooLarge(10))
        );
        let mut truncated = png(64, 64);
        truncated.truncate(60);
        assert!(matches!(
            clean_photo(&truncated, limits(1 << 20)),
            Err(PhotoError::Unreadable(_))
        ));
    }
}
