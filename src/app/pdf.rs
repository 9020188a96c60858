//! Typeset PDFs for the use cases: the CJK font, read once on first use and shared by every
//! request, and rendering on tokio's blocking pool (a book of 50,000 entries must not hold up
//! the async workers). A font that cannot be read is an error naming the setting, never a
//! PDF without its Chinese text.
#![warn(missing_docs)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::app::AppState;
pub use crate::render::pdf::font::{
    DEFAULT_CJK_BOLD_FONT, DEFAULT_CJK_FONT, DEFAULT_CJK_FONT_INDEX,
};
use crate::render::pdf::font::{FontError, FontSet};
use crate::render::pdf::{self, Document};

/// Where the font of PDFs comes from (`--cjk-font`, `--cjk-font-index`, `--cjk-bold-font`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfSettings {
    /// An OpenType font or collection with Chinese glyphs.
    pub font: PathBuf,
    /// The face in a collection (`Noto Sans CJK SC` is face 2 of Debian's `.ttc`).
    pub font_index: u32,
    /// The bold weight (same face index); without it bold is drawn by stroking the outlines.
    pub bold_font: Option<PathBuf>,
}

impl Default for PdfSettings {
    fn default() -> Self {
        Self {
            font: PathBuf::from(DEFAULT_CJK_FONT),
            font_index: DEFAULT_CJK_FONT_INDEX,
            bold_font: Some(PathBuf::from(DEFAULT_CJK_BOLD_FONT)),
        }
    }
}

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The font setting points at nothing usable: the operator must fix `--cjk-font`.
    #[error(
        "the Chinese font for PDFs cannot be used ({reason}); set --cjk-font (DIMING_CJK_FONT) to an OpenType font or collection with Chinese glyphs and --cjk-font-index (DIMING_CJK_FONT_INDEX) to its Simplified Chinese face"
    )]
    FontUnavailable {
        /// What is wrong with the file.
        reason: String,
    },
    /// The document could not be drawn (a broken image): a fault of the caller's data.
    #[error("rendering the PDF: {0}")]
    Render(String),
}

impl PdfError {
    /// The setting that needs changing, for the problem the client sees.
    pub const FONT_SETTING: &'static str = "--cjk-font";
}

/// The font of PDFs: its settings and, once a PDF was asked for, the faces read.
pub struct PdfFonts {
    settings: PdfSettings,
    loaded: Mutex<Option<Arc<FontSet>>>,
}

impl PdfFonts {
    /// Fonts from `settings`, not read yet.
    pub fn new(settings: PdfSettings) -> Self {
        Self {
            settings,
            loaded: Mutex::new(None),
        }
    }

    /// The settings the fonts come from.
    pub fn settings(&self) -> &PdfSettings {
        &self.settings
    }

    /// A quick look at start: the font file can be opened and holds the face asked for (the
    /// first bytes only; the font is read on first use).
    pub fn check(&self) -> Result<(), PdfError> {
        check_face(&self.settings.font, self.settings.font_index)
            .map_err(|reason| PdfError::FontUnavailable { reason })
    }

    /// The faces, read on first use (blocking: call from the blocking pool). A failure is
    /// not remembered, so that a font installed later is found without a restart.
    pub fn get(&self) -> Result<Arc<FontSet>, PdfError> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(fonts) = loaded.as_ref() {
            return Ok(fonts.clone());
        }
        let regular = (self.settings.font.as_path(), self.settings.font_index);
        let bold = self
            .settings
            .bold_font
            .as_deref()
            .filter(|path| match check_face(path, self.settings.font_index) {
                Ok(()) => true,
                Err(reason) => {
                    tracing::warn!("no bold font for PDFs ({reason}): bold is drawn by stroking");
                    false
                }
            })
            .map(|path| (path, self.settings.font_index));
        let fonts = FontSet::load(regular, bold)
            .or_else(|error| match (&error, bold) {
                // A bold file that reads but does not load: go on without it.
                (FontError::NotAFont { path, .. }, Some((bold_path, _)))
                    if Path::new(path) == bold_path =>
                {
                    FontSet::load(regular, None)
                }
                _ => Err(error),
            })
            .map_err(|e| PdfError::FontUnavailable {
                reason: e.to_string(),
            })?;
        tracing::info!(
            family = fonts.regular.family(),
            bold = fonts.bold.is_some(),
            "PDF font read"
        );
        let fonts = Arc::new(fonts);
        *loaded = Some(fonts.clone());
        Ok(fonts)
    }
}

/// Whether `path` opens as an OpenType font or collection with a face `index`, from its header.
fn check_face(path: &Path, index: u32) -> Result<(), String> {
    let mut header = [0u8; 12];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut header))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let tag = &header[0..4];
    if tag == b"ttcf" {
        let faces = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
        if index < faces {
            Ok(())
        } else {
            Err(format!(
                "{} has faces 0 to {}, not {index}",
                path.display(),
                faces.saturating_sub(1)
            ))
        }
    } else if tag == [0, 1, 0, 0] || tag == b"OTTO" || tag == b"true" {
        if index == 0 {
            Ok(())
        } else {
            Err(format!("{} holds one face, 0, not {index}", path.display()))
        }
    } else {
        Err(format!("{} is not an OpenType font", path.display()))
    }
}

/// Lays out and writes `document` on the blocking pool, with the shared font.
pub async fn render(state: &AppState, document: Document) -> Result<Vec<u8>, PdfError> {
    let fonts = state.pdf.clone();
    let title = document.title.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        let fonts = fonts.get()?;
        pdf::render(&document, &fonts).map_err(|e| PdfError::Render(e.to_string()))
    })
    .await
    .map_err(|e| PdfError::Render(format!("the rendering stopped: {e}")))??;
    if !rendered.missing.is_empty() {
        let missing: String = rendered.missing.iter().collect();
        tracing::warn!(
            document = title,
            missing,
            "the PDF font has no glyph for some characters (drawn as boxes)"
        );
    }
    Ok(rendered.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_font_is_found_with_its_simplified_chinese_face() {
        let fonts = PdfFonts::new(PdfSettings::default());
        fonts.check().expect("fonts-noto-cjk is installed");
        assert_eq!(fonts.get().unwrap().regular.family(), "Noto Sans CJK SC");
    }

    #[test]
    fn a_missing_font_or_face_is_a_clear_error() {
        let missing = PdfFonts::new(PdfSettings {
            font: "/nonexistent/font.ttc".into(),
            ..PdfSettings::default()
        });
        let error = missing.check().unwrap_err().to_string();
        assert!(error.contains("/nonexistent/font.ttc") && error.contains("--cjk-font"));
        assert!(matches!(
            missing.get(),
            Err(PdfError::FontUnavailable { .. })
        ));
        let no_face = PdfFonts::new(PdfSettings {
            font_index: 40,
            ..PdfSettings::default()
        });
        assert!(
            no_face
                .check()
                .unwrap_err()
                .to_string()
                .contains("faces 0 to 9")
        );
    }

    #[test]
    fn a_missing_bold_font_falls_back_to_the_regular_one() {
        let fonts = PdfFonts::new(PdfSettings {
            bold_font: Some("/nonexistent/bold.ttc".into()),
            ..PdfSettings::default()
        });
        assert!(fonts.get().unwrap().bold.is_none());
    }
}
