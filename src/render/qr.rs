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

/// One code of a print sheet: its URL and the number printed under it.
pub struct SheetItem {
    pub url: String,
    pub label: String,
}

const PAGE_W_MM: f64 = 210.0;
const PAGE_H_MM: f64 = 297.0;
const MARGIN_MM: f64 = 10.0;
const LABEL_MM: f64 = 8.0;

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
            r##"<g transform="translate({x} {y}) scale({scale})" shape-rendering="crispEdges"><path fill="#000" d="{}"/></g><text x="{}" y="{}" font-family="sans-serif" font-size="4" text-anchor="middle">{}</text>"##,
            matrix.svg_path(),
            x + size / 2.0,
            y + size + 5.0,
            escape_xml(&item.label),
        );
    }
    svg.push_str("</svg>");
    Ok(Some(svg))
}

/// The same sheet as a one-page PDF (labels in Helvetica: characters outside ASCII are left out,
/// the sign code itself is always ASCII).
pub fn sheet_pdf(items: &[SheetItem], size_mm: u32) -> Result<Option<Vec<u8>>, QrError> {
    use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
    let Some(layout) = sheet_layout(items.len(), size_mm) else {
        return Ok(None);
    };
    let pt = |mm: f64| (mm * 72.0 / 25.4) as f32;
    let (catalog, tree, page_id, font, contents) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
    );
    let font_name = Name(b"F1");
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, pt(PAGE_W_MM), pt(PAGE_H_MM)));
    page.parent(tree);
    page.contents(contents);
    page.resources().fonts().pair(font_name, font);
    page.finish();
    pdf.type1_font(font).base_font(Name(b"Helvetica"));

    let size = f64::from(size_mm);
    let mut content = Content::new();
    content.set_fill_gray(0.0);
    for (item, (x, y)) in items.iter().zip(layout) {
        let matrix = QrMatrix::encode(&item.url)?;
        let module = size / matrix.total_modules() as f64;
        for (column, row) in matrix.dark_modules() {
            // PDF counts y upwards from the bottom of the page.
            let top = y + row as f64 * module;
            content.rect(
                pt(x + column as f64 * module),
                pt(PAGE_H_MM - top - module),
                pt(module),
                pt(module),
            );
        }
        content.fill_nonzero();
        let label: String = item.label.chars().filter(char::is_ascii).collect();
        // Centred by Helvetica's average advance of about 0.55 em.
        let (font_size, label_width) = (9.0_f32, label.len() as f32 * 9.0 * 0.55);
        content.begin_text();
        content.set_font(font_name, font_size);
        content.next_line(
            pt(x + size / 2.0) - label_width / 2.0,
            pt(PAGE_H_MM - y - size - 5.0),
        );
        content.show(Str(label.as_bytes()));
        content.end_text();
    }
    pdf.stream(contents, &content.finish());
    Ok(Some(pdf.finish()))
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
