//! QR codes of signs: one rendered per sign and variant (format, size, resolution), kept in the
//! database and in memory, since a sign's code never changes; and A4 print sheets of many.
#![warn(missing_docs)]

use std::sync::Arc;

use super::{SignError, existing_sign};
use crate::app::{AppState, Staff};
use crate::domain::field_error::FieldErrors;
use crate::render::qr::{DPI_RANGE, QrMatrix, SIZES_MM, SheetItem, sheet_document, sheet_svg};
use crate::store::places::VersionSelector;
use crate::store::signs::SignFilter;

/// A QR code rendered once: its media type, bytes and entity tag.
///
/// ```
/// use diming::app::signs::qr::{QrCache, RenderedQr};
/// let cache = QrCache::new(10);
/// let svg = RenderedQr {
///     media_type: "image/svg+xml".into(),
///     bytes: bytes::Bytes::from_static(b"<svg/>"),
///     etag: "\"qr1-svg-40\"".into(),
/// };
/// cache.insert((1, "svg-40".into()), std::sync::Arc::new(svg));
/// assert_eq!(cache.get(&(1, "svg-40".into())).unwrap().media_type, "image/svg+xml");
/// ```
#[derive(Debug, Clone)]
pub struct RenderedQr {
    /// `image/svg+xml` or `image/png`.
    pub media_type: String,
    /// The rendered image.
    pub bytes: bytes::Bytes,
    /// The entity tag the image is served with.
    pub etag: String,
}

/// Rendered QR codes by (sign id, variant); a sign's QR code never changes.
pub type QrCache = quick_cache::sync::Cache<(i64, String), Arc<RenderedQr>>;

/// A print sheet of QR codes, in the format asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sheet {
    /// An SVG document.
    Svg(String),
    /// A PDF document.
    Pdf(Vec<u8>),
}

/// The QR code of sign `id` as `format` (`svg` or `png`), `size_mm` wide (40 when not given),
/// a PNG at `dpi` (300 when not given).
pub async fn qr(
    state: &AppState,
    id: i64,
    format: &str,
    size_mm: Option<u32>,
    dpi: Option<u32>,
) -> Result<Arc<RenderedQr>, SignError> {
    let size_mm = size_mm.unwrap_or(40);
    if !SIZES_MM.contains(&size_mm) {
        return Err(
            FieldErrors::one("size_mm", "40, 75 or 120 (small, medium, large plates)").into(),
        );
    }
    let dpi = dpi.unwrap_or(300);
    if !DPI_RANGE.contains(&dpi) {
        return Err(FieldErrors::one("dpi", "72 to 1200").into());
    }
    let variant = match format {
        "svg" => format!("svg-{size_mm}"),
        "png" => format!("png-{size_mm}-{dpi}"),
        _ => {
            return Err(SignError::NotFound(
                "QR codes come as qr.svg or qr.png".into(),
            ));
        }
    };
    let key = (id, variant.clone());
    if let Some(hit) = state.qr_cache.get(&key) {
        return Ok(hit);
    }
    let rendered = Arc::new(render(state, id, &variant, format, size_mm, dpi).await?);
    state.qr_cache.insert(key, rendered.clone());
    Ok(rendered)
}

/// The stored rendering of a variant, or a new one (drawn off the async threads, then stored).
async fn render(
    state: &AppState,
    id: i64,
    variant: &str,
    format: &str,
    size_mm: u32,
    dpi: u32,
) -> Result<RenderedQr, SignError> {
    let etag = format!("\"qr{id}-{variant}\"");
    let rendered = |media_type: &str, bytes: Vec<u8>| RenderedQr {
        media_type: media_type.to_string(),
        bytes: bytes::Bytes::from(bytes),
        etag: etag.clone(),
    };
    if let Some((media_type, bytes)) = state.store.stored_qr(id, variant).await? {
        return Ok(rendered(&media_type, bytes));
    }
    let sign = existing_sign(state, id).await?;
    let url = state.settings.public_url(&sign.public_code);
    let svg = format == "svg";
    let (media_type, bytes) = tokio::task::spawn_blocking(move || -> Result<_, String> {
        let matrix = QrMatrix::encode(&url).map_err(|e| e.to_string())?;
        Ok(if svg {
            ("image/svg+xml", matrix.svg(size_mm).into_bytes())
        } else {
            (
                "image/png",
                matrix.png(size_mm, dpi).map_err(|e| e.to_string())?,
            )
        })
    })
    .await
    .map_err(|e| SignError::Internal(format!("QR rendering stopped: {e}")))?
    .map_err(|e| SignError::Internal(format!("QR rendering failed: {e}")))?;
    state
        .store
        .store_qr(id, variant, media_type, &bytes)
        .await?;
    Ok(rendered(media_type, bytes))
}

/// An A4 sheet of the QR codes of signs `ids` (`1,2,3`, at most 200), `size_mm` wide (40 when
/// not given), as `format` (`svg`, the default, or `pdf`), each labelled with the Chinese name of
/// its place, its inventory number and code.
pub async fn sheet(
    state: &AppState,
    _staff: &Staff,
    ids: &str,
    size_mm: Option<u32>,
    format: Option<&str>,
) -> Result<Sheet, SignError> {
    let ids: Vec<i64> = ids
        .split(',')
        .map(|id| id.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| FieldErrors::one("ids", "sign ids separated by commas: 1,2,3"))?;
    if ids.is_empty() || ids.len() > 200 {
        return Err(FieldErrors::one("ids", "1 to 200 sign ids").into());
    }
    let size_mm = size_mm.unwrap_or(40);
    if !SIZES_MM.contains(&size_mm) {
        return Err(FieldErrors::one("size_mm", "40, 75 or 120").into());
    }
    let (signs, _) = state
        .store
        .list_signs(&SignFilter {
            ids: Some(ids.clone()),
            limit: 1000,
            ..Default::default()
        })
        .await?;
    if let Some(missing) = ids.iter().find(|id| !signs.iter().any(|s| s.id == **id)) {
        return Err(FieldErrors::one("ids", format!("there is no sign {missing}")).into());
    }
    let mut names = std::collections::HashMap::new();
    for sign in &signs {
        if let std::collections::hash_map::Entry::Vacant(vacant) = names.entry(sign.place_id) {
            let name = state
                .store
                .place(sign.place_id, VersionSelector::Current, false)
                .await?
                .map(|place| place.properties.standard_name)
                .unwrap_or_default();
            vacant.insert(name);
        }
    }
    let items: Vec<SheetItem> = signs
        .iter()
        .map(|s| SheetItem {
            url: state.settings.public_url(&s.public_code),
            name: names.get(&s.place_id).cloned().unwrap_or_default(),
            label: format!(
                "{} {}",
                s.sign_number.as_deref().unwrap_or(""),
                s.public_code
            )
            .trim()
            .to_string(),
        })
        .collect();
    let too_many = || {
        SignError::from(FieldErrors::one(
            "ids",
            format!("more codes of {size_mm} mm than fit on one A4 sheet: ask for fewer"),
        ))
    };
    let failed = |e: crate::render::qr::QrError| SignError::Internal(format!("QR sheet: {e}"));
    match format.unwrap_or("svg") {
        "svg" => Ok(Sheet::Svg(
            sheet_svg(&items, size_mm)
                .map_err(failed)?
                .ok_or_else(too_many)?,
        )),
        "pdf" => {
            let document = sheet_document(&items, size_mm)
                .map_err(failed)?
                .ok_or_else(too_many)?;
            Ok(Sheet::Pdf(crate::app::pdf::render(state, document).await?))
        }
        _ => Err(FieldErrors::one("format", "svg or pdf").into()),
    }
}
