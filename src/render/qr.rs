//! QR codes for signs: black on white with the standard 4-module quiet zone, error correction
//! level H (30%) because outdoor signs get dirty and scratched, as SVG sized in millimetres for
//! print and as PNG at a given resolution.

use std::fmt::Write;

use super::escape_xml;
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
        for (x, y) in self.dark_modules() {
            let _ = write!(path, "M{x} {y}h1v1h-1z");
        }
        path
    }

    /// The (column, row) of every dark module, counted from the outer edge of the quiet zone.
    pub fn dark_modules(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.dark
            .iter()
            .enumerate()
            .filter(|(_, dark)| **dark)
            .map(|(i, _)| {
                (
                    i % self.width + QUIET_ZONE_MODULES,
                    i / self.width + QUIET_ZONE_MODULES,
                )
            })
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

/// One code of a print sheet: its URL, the place's name and the number printed under it.
pub struct SheetItem {
    pub url: String,
    /// The Chinese name of the place the sign shows (`塘东村`).
    pub name: String,
    /// The inventory number and code (`XT-1 7K3QX9M2D`).
    pub label: String,
}

const PAGE_W_MM: f64 = 210.0;
const PAGE_H_MM: f64 = 297.0;
const MARGIN_MM: f64 = 10.0;
/// Two lines under each code: the name, then the number and code.
const LABEL_MM: f64 = 8.0;
/// Where the baselines of the two label lines sit below the code, in millimetres.
const NAME_BASELINE_MM: f64 = 4.0;
const LABEL_BASELINE_MM: f64 = 7.5;

/// Where each code of an A4 sheet goes: top-left corners in millimetres from the top-left of the
/// page. `None` when the items do not fit on one sheet.
fn sheet_layout(count: usize, size_mm: u32) -> Option<Vec<(f64, f64)>> {
    let size = f64::from(size_mm);
    let (cell_w, cell_h) = (size + 6.0, size + LABEL_MM + 4.0);
    let columns = (((PAGE_W_MM - 2.0 * MARGIN_MM) / cell_w).floor() as usize).max(1);
    let rows = (((PAGE_H_MM - 2.0 * MARGIN_MM) / cell_h).floor() as usize).max(1);
    (count <= columns * rows).then(|| {
        (0..count)
            .map(|i| {
                (
                    MARGIN_MM + (i % columns) as f64 * cell_w,
                    MARGIN_MM + (i / columns) as f64 * cell_h,
                )
            })
            .collect()
    })
}

/// An A4 sheet (210 × 297 mm) of codes `size_mm` wide with their labels, for a print shop, as
/// SVG. `None` when the items do not fit on one sheet.
pub fn sheet_svg(items: &[SheetItem], size_mm: u32) -> Result<Option<String>, QrError> {
    let Some(layout) = sheet_layout(items.len(), size_mm) else {
        return Ok(None);
    };
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W_MM}mm" height="{PAGE_H_MM}mm" viewBox="0 0 {PAGE_W_MM} {PAGE_H_MM}"><rect width="{PAGE_W_MM}" height="{PAGE_H_MM}" fill="#fff"/>"##
    );
    let size = f64::from(size_mm);
    for (item, (x, y)) in items.iter().zip(layout) {
        let matrix = QrMatrix::encode(&item.url)?;
        let scale = size / matrix.total_modules() as f64;
        let _ = write!(
            svg,
            r##"<g transform="translate({x} {y}) scale({scale})" shape-rendering="crispEdges"><path fill="#000" d="{}"/></g><text x="{cx}" y="{}" font-family="sans-serif" font-size="3.4" font-weight="bold" text-anchor="middle">{}</text><text x="{cx}" y="{}" font-family="sans-serif" font-size="2.8" text-anchor="middle">{}</text>"##,
            matrix.svg_path(),
            y + size + NAME_BASELINE_MM,
            escape_xml(&item.name),
            y + size + LABEL_BASELINE_MM,
            escape_xml(&item.label),
            cx = x + size / 2.0,
        );
    }
    svg.push_str("</svg>");
    Ok(Some(svg))
}

/// The same sheet as a one-page document for the PDF layer: each code drawn as vector squares,
/// the place's Chinese name and the number under it. `None` when the items do not fit.
pub fn sheet_document(
    items: &[SheetItem],
    size_mm: u32,
) -> Result<Option<super::pdf::Document>, QrError> {
    if sheet_layout(items.len(), size_mm).is_none() {
        return Ok(None);
    }
    sheets_document("标志二维码", items, size_mm).map(Some)
}

/// How many codes `size_mm` wide one A4 sheet holds.
pub fn codes_per_sheet(size_mm: u32) -> usize {
    let size = f64::from(size_mm);
    let (cell_w, cell_h) = (size + 6.0, size + LABEL_MM + 4.0);
    let columns = (((PAGE_W_MM - 2.0 * MARGIN_MM) / cell_w).floor() as usize).max(1);
    let rows = (((PAGE_H_MM - 2.0 * MARGIN_MM) / cell_h).floor() as usize).max(1);
    columns * rows
}

/// Print sheets of any number of codes: as many A4 pages as they fill, each laid out like
/// [`sheet_document`]'s one page, titled `title` in the PDF's metadata.
pub fn sheets_document(
    title: &str,
    items: &[SheetItem],
    size_mm: u32,
) -> Result<super::pdf::Document, QrError> {
    use super::pdf::model::{Block, Canvas, Document, PageSetup};
    let mut document = Document::new(title);
    document.subject = Some("QR codes of place-name signs for printing".into());
    document.page = PageSetup::a4_plain(MARGIN_MM as f32);
    for page in items.chunks(codes_per_sheet(size_mm).max(1)) {
        document.push(Block::Canvas(Canvas {
            height_mm: (PAGE_H_MM - 2.0 * MARGIN_MM) as f32,
            items: sheet_page(page, size_mm)?,
        }));
    }
    Ok(document)
}

/// The drawing of one page of codes (which fit on it).
fn sheet_page(
    items: &[SheetItem],
    size_mm: u32,
) -> Result<Vec<super::pdf::model::Placed>, QrError> {
    use super::pdf::model::{Align, CanvasItem, Placed};
    let layout = sheet_layout(items.len(), size_mm).unwrap_or_default();
    let size = f64::from(size_mm);
    let mut placed = Vec::new();
    for (item, (x, y)) in items.iter().zip(layout) {
        let matrix = QrMatrix::encode(&item.url)?;
        let (x, y) = (x - MARGIN_MM, y - MARGIN_MM);
        placed.push(Placed {
            x_mm: x as f32,
            y_mm: y as f32,
            item: CanvasItem::Modules {
                module_mm: (size / matrix.total_modules() as f64) as f32,
                cells: matrix
                    .dark_modules()
                    .map(|(column, row)| (column as u32, row as u32))
                    .collect(),
            },
        });
        // Text boxes as wide as the cell; a long name is set smaller rather than cut.
        let text = |text: &str, baseline_mm: f64, size_pt: f32, bold: bool| {
            // The canvas places a line by the top of its box: about 0.88 em above the baseline.
            let ascent_mm = f64::from(size_pt) * 0.88 * 25.4 / 72.0;
            Placed {
                x_mm: (x - 2.5) as f32,
                y_mm: (y + size + baseline_mm - ascent_mm) as f32,
                item: CanvasItem::Text {
                    text: text.to_string(),
                    size_pt,
                    bold,
                    width_mm: (size + 5.0) as f32,
                    align: Align::Center,
                },
            }
        };
        placed.push(text(&item.name, NAME_BASELINE_MM, 9.5, true));
        placed.push(text(&item.label, LABEL_BASELINE_MM, 8.0, false));
    }
    Ok(placed)
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
    fn print_sheets_take_as_many_pages_as_the_codes_fill() {
        let per_page = codes_per_sheet(40);
        let items: Vec<SheetItem> = (0..per_page * 2 + 1)
            .map(|i| SheetItem {
                url: format!("https://x/s/{i}"),
                name: "亭桥路1号".into(),
                label: i.to_string(),
            })
            .collect();
        let document = sheets_document("门牌制作单", &items, 40).unwrap();
        assert_eq!(document.blocks.len(), 3);
        assert_eq!(document.title, "门牌制作单");
        assert!(
            sheet_document(&items, 40).unwrap().is_none(),
            "one page is not enough"
        );
        assert!(sheet_document(&items[..per_page], 40).unwrap().is_some());
    }

    #[test]
    fn a_sheet_refuses_more_codes_than_fit() {
        let items: Vec<SheetItem> = (0..100)
            .map(|i| SheetItem {
                url: format!("https://x/s/{i}"),
                name: "塘东村".into(),
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
