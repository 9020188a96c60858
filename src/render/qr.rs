//! QR codes for signs: black on white with the standard 4-module quiet zone, error correction
//! level H (30%) because outdoor signs get dirty and scratched, as SVG sized in millimetres for
//! print and as PNG at a given resolution.

use std::fmt::Write;
use std::io::Cursor;

use qrcode::{Color, EcLevel, QrCode};

const QUIET_ZONE_MODULES: usize = 4;

/// The plate sizes of local rules (Tianjin 2021: 120 mm large, 75 mm medium, 40 mm small).
pub const SIZES_MM: [u32; 3] = [40, 75, 120];
pub const DPI_RANGE: std::ops::RangeInclusive<u32> = 72..=1200;

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the text is too long for a QR code: {0}")]
    TooLong(String),
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// The dark/light modules of a QR code for `text`, without quiet zone.
pub struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    pub fn encode(text: &str) -> Result<Self, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::H)
            .map_err(|e| QrError::TooLong(e.to_string()))?;
        Ok(Self {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Modules per side including the quiet zone on both sides.
    pub fn total_modules(&self) -> usize {
        self.width + 2 * QUIET_ZONE_MODULES
    }

    /// An SVG path (in module units, quiet zone included) drawing the dark modules.
    pub fn svg_path(&self) -> String {
        let mut path = String::new();
        for (i, dark) in self.dark.iter().enumerate() {
            if *dark {
                let (x, y) = (
                    i % self.width + QUIET_ZONE_MODULES,
                    i / self.width + QUIET_ZONE_MODULES,
                );
                let _ = write!(path, "M{x} {y}h1v1h-1z");
            }
        }
        path
    }

    /// A standalone SVG `size_mm` wide and high.
    pub fn svg(&self, size_mm: u32) -> String {
        let n = self.total_modules();
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" viewBox="0 0 {n} {n}" shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#fff"/><path fill="#000" d="{}"/></svg>"##,
            self.svg_path()
        )
    }

    /// A PNG of at least `size_mm` at `dpi`, every module the same whole number of pixels.
    pub fn png(&self, size_mm: u32, dpi: u32) -> Result<Vec<u8>, QrError> {
        let n = self.total_modules();
        let target_px = (f64::from(size_mm) / 25.4 * f64::from(dpi)).round() as usize;
        let module_px = (target_px / n).max(1);
        let side = (n * module_px) as u32;
        let image = image::GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = (x as usize / module_px, y as usize / module_px);
            let inside = (QUIET_ZONE_MODULES..QUIET_ZONE_MODULES + self.width).contains(&mx)
                && (QUIET_ZONE_MODULES..QUIET_ZONE_MODULES + self.width).contains(&my);
            let dark = inside
                && self.dark[(my - QUIET_ZONE_MODULES) * self.width + (mx - QUIET_ZONE_MODULES)];
            image::Luma([if dark { 0 } else { 255 }])
        });
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .map_err(|e| QrError::Png(e.to_string()))?;
        Ok(bytes)
    }
}

/// One code of a print sheet: its URL and the number printed under it.
pub struct SheetItem {
    pub url: String,
    pub label: String,
}

/// An A4 sheet (210 × 297 mm) of codes `size_mm` wide with their labels, for a print shop.
/// Returns `None` when the items do not fit on one sheet.
pub fn sheet_svg(items: &[SheetItem], size_mm: u32) -> Result<Option<String>, QrError> {
    const PAGE_W: u32 = 210;
    const PAGE_H: u32 = 297;
    const MARGIN: u32 = 10;
    const LABEL: u32 = 8;
    let cell_w = size_mm + 6;
    let cell_h = size_mm + LABEL + 4;
    let columns = ((PAGE_W - 2 * MARGIN) / cell_w).max(1);
    let rows = ((PAGE_H - 2 * MARGIN) / cell_h).max(1);
    if items.len() > (columns * rows) as usize {
        return Ok(None);
    }
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" viewBox="0 0 {PAGE_W} {PAGE_H}"><rect width="{PAGE_W}" height="{PAGE_H}" fill="#fff"/>"##
    );
    for (i, item) in items.iter().enumerate() {
        let matrix = QrMatrix::encode(&item.url)?;
        let (column, row) = (i as u32 % columns, i as u32 / columns);
        let (x, y) = (MARGIN + column * cell_w, MARGIN + row * cell_h);
        let scale = f64::from(size_mm) / matrix.total_modules() as f64;
        let _ = write!(
            svg,
            r##"<g transform="translate({x} {y}) scale({scale})" shape-rendering="crispEdges"><path fill="#000" d="{}"/></g><text x="{}" y="{}" font-family="sans-serif" font-size="4" text-anchor="middle">{}</text>"##,
            matrix.svg_path(),
            f64::from(x) + f64::from(size_mm) / 2.0,
            y + size_mm + 5,
            escape_xml(&item.label),
        );
    }
    svg.push_str("</svg>");
    Ok(Some(svg))
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_is_sized_in_millimetres_with_a_quiet_zone() {
        let matrix = QrMatrix::encode("https://dm.example.cn/s/7K3QX9M2D").unwrap();
        let svg = matrix.svg(40);
        assert!(svg.contains(r#"width="40mm""#));
        assert_eq!(matrix.total_modules(), matrix.width + 8);
        assert!(!svg.contains("M0 0"), "the quiet zone stays white");
    }

    #[test]
    fn png_modules_are_whole_pixels() {
        let matrix = QrMatrix::encode("https://dm.example.cn/s/7K3QX9M2D").unwrap();
        let png = matrix.png(40, 300).unwrap();
        let decoded = image::load_from_memory(&png).unwrap();
        assert_eq!(decoded.width() as usize % matrix.total_modules(), 0);
        assert!(
            decoded.width() <= 473 && decoded.width() > 400,
            "about 40 mm at 300 dpi: {}",
            decoded.width()
        );
    }

    #[test]
    fn a_sheet_refuses_more_codes_than_fit() {
        let items: Vec<SheetItem> = (0..100)
            .map(|i| SheetItem {
                url: format!("https://x/s/{i}"),
                label: i.to_string(),
            })
            .collect();
        assert!(sheet_svg(&items, 40).unwrap().is_none());
        assert!(
            sheet_svg(&items[..12], 40)
                .unwrap()
                .unwrap()
                .contains("<text")
        );
    }
}
