//! The fonts a PDF is set in: one face (of a TrueType Collection or a single font file) read
//! once, with a table of every character's glyph and advance so that measuring a line costs an
//! array lookup per character; and the measuring interface the layout uses.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::FileRef;
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};

/// Where Debian's fonts-noto-cjk puts Noto Sans CJK.
pub const DEFAULT_CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
/// Its bold weight.
pub const DEFAULT_CJK_BOLD_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";
/// The face of `Noto Sans CJK SC` (Simplified Chinese) in those collections: 0 is JP, 1 KR,
/// 2 SC, 3 TC, 4 HK (`fc-scan --format "%{index} %{family}\n"` lists them).
pub const DEFAULT_CJK_FONT_INDEX: u32 = 2;

/// The weight text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
}

/// What the layout needs to know of the fonts: advances and the vertical extent of a line,
/// in ems. Tests measure with a fake; documents with a [`FontSet`].
pub trait Measure {
    /// How far the pen moves after `c`, in ems.
    fn advance(&self, face: Face, c: char) -> f32;
    /// The height above the baseline of the font's line box, in ems.
    fn ascent(&self) -> f32;
    /// The depth below the baseline of the font's line box, in ems (positive).
    fn descent(&self) -> f32;
    /// Whether the font has a glyph for `c` (a missing one is drawn as a box).
    fn covers(&self, face: Face, c: char) -> bool {
        let _ = (face, c);
        true
    }
}

/// Why a font cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a font file with a face {index}: {reason}")]
    NotAFont {
        path: String,
        index: u32,
        reason: String,
    },
}

/// A glyph id and an advance in font units, packed: 0 means the font lacks the character.
type Packed = u32;

/// One font face, read and indexed.
pub struct FontFace {
    pub(crate) krilla: krilla::text::Font,
    /// Glyph and advance of every character of the Basic Multilingual Plane.
    bmp: Box<[Packed]>,
    /// Glyph and advance of the characters above it (CJK extensions B and later).
    astral: HashMap<u32, Packed>,
    units_per_em: f32,
    ascent_em: f32,
    descent_em: f32,
    notdef_advance: u16,
    family: String,
}

impl std::fmt::Debug for FontFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FontFace({})", self.family)
    }
}

impl FontFace {
    /// Reads face `index` of the font file at `path` (a `.ttc` holds several faces; a `.ttf` or
    /// `.otf` has face 0).
    pub fn load(path: &Path, index: u32) -> Result<Self, FontError> {
        let data = std::fs::read(path).map_err(|source| FontError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_data(Arc::new(data), index).map_err(|reason| FontError::NotAFont {
            path: path.display().to_string(),
            index,
            reason,
        })
    }

    /// Face `index` of font `data`.
    pub fn from_data(data: Arc<Vec<u8>>, index: u32) -> Result<Self, String> {
        let font = FontRef::from_index(&data, index).map_err(|e| match FileRef::new(&data) {
            Ok(FileRef::Collection(collection)) => format!(
                "the collection has faces 0 to {}",
                collection.len().saturating_sub(1)
            ),
            _ => e.to_string(),
        })?;
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(metrics.units_per_em.max(1));
        let glyph_metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let advance = |gid: skrifa::GlyphId| {
            glyph_metrics
                .advance_width(gid)
                .unwrap_or(0.0)
                .clamp(0.0, f32::from(u16::MAX)) as u16
        };
        let mut bmp = vec![0; 0x1_0000].into_boxed_slice();
        let mut astral = HashMap::new();
        for (codepoint, gid) in font.charmap().mappings() {
            let Ok(gid16) = u16::try_from(gid.to_u32()) else {
                continue;
            };
            if gid16 == 0 {
                continue;
            }
            let packed = (u32::from(gid16) << 16) | u32::from(advance(gid));
            match usize::try_from(codepoint) {
                Ok(i) if i < bmp.len() => bmp[i] = packed,
                _ => {
                    astral.insert(codepoint, packed);
                }
            }
        }
        if bmp[usize::from(b' ')] == 0 {
            return Err("the face has no space character: not a text font".into());
        }
        let family = font
            .localized_strings(StringId::FAMILY_NAME)
            .english_or_first()
            .map(|name| name.to_string())
            .unwrap_or_default();
        let notdef_advance = advance(skrifa::GlyphId::new(0));
        let krilla = krilla::text::Font::new(krilla::Data::from(data.clone()), index)
            .ok_or_else(|| "the PDF writer cannot read the face".to_string())?;
        Ok(Self {
            krilla,
            bmp,
            astral,
            units_per_em,
            ascent_em: metrics.ascent / units_per_em,
            descent_em: -metrics.descent / units_per_em,
            notdef_advance,
            family,
        })
    }

    /// The family name in the font's name table: `Noto Sans CJK SC`.
    pub fn family(&self) -> &str {
        &self.family
    }

    fn packed(&self, c: char) -> Packed {
        let codepoint = u32::from(c);
        match self.bmp.get(codepoint as usize) {
            Some(packed) => *packed,
            None => self.astral.get(&codepoint).copied().unwrap_or(0),
        }
    }

    /// Whether the face has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.packed(c) != 0
    }

    /// The glyph of `c` (0, the box of a missing glyph, when the face lacks it).
    pub fn glyph(&self, c: char) -> u16 {
        (self.packed(c) >> 16) as u16
    }

    /// The advance of `c` in ems.
    pub fn advance_em(&self, c: char) -> f32 {
        let packed = self.packed(c);
        let units = if packed == 0 {
            self.notdef_advance
        } else {
            (packed & 0xFFFF) as u16
        };
        f32::from(units) / self.units_per_em
    }
}

/// The faces a document is set in: regular, and bold when a bold face was given (otherwise
/// bold is drawn by stroking the regular outlines).
#[derive(Debug)]
pub struct FontSet {
    pub regular: FontFace,
    pub bold: Option<FontFace>,
    /// The fonts SVG images are drawn with: the same faces, so their labels are Chinese too.
    pub(crate) svg_fonts: Arc<usvg::fontdb::Database>,
}

impl FontSet {
    /// A set of `regular` and, if given, `bold` (each the data of the whole file and the face
    /// index).
    pub fn new(
        regular: (Arc<Vec<u8>>, u32),
        bold: Option<(Arc<Vec<u8>>, u32)>,
    ) -> Result<Self, String> {
        let mut svg_fonts = usvg::fontdb::Database::new();
        let face = FontFace::from_data(regular.0.clone(), regular.1)?;
        svg_fonts.load_font_source(usvg::fontdb::Source::Binary(regular.0.clone()));
        let bold = match bold {
            Some((data, index)) => {
                let face = FontFace::from_data(data.clone(), index)?;
                svg_fonts.load_font_source(usvg::fontdb::Source::Binary(data));
                Some(face)
            }
            None => None,
        };
        // SVG text without a family, or in a generic one, is set in the document's face.
        svg_fonts.set_sans_serif_family(face.family());
        svg_fonts.set_serif_family(face.family());
        Ok(Self {
            regular: face,
            bold,
            svg_fonts: Arc::new(svg_fonts),
        })
    }

    /// Reads the faces from files: `regular` and, if given, `bold` (path and face index).
    pub fn load(regular: (&Path, u32), bold: Option<(&Path, u32)>) -> Result<Self, FontError> {
        let read = |path: &Path| {
            std::fs::read(path)
                .map(Arc::new)
                .map_err(|source| FontError::Read {
                    path: path.display().to_string(),
                    source,
                })
        };
        let regular_data = read(regular.0)?;
        let bold_data = match bold {
            Some((path, index)) => Some((read(path)?, index)),
            None => None,
        };
        Self::new((regular_data, regular.1), bold_data).map_err(|reason| FontError::NotAFont {
            path: regular.0.display().to_string(),
            index: regular.1,
            reason,
        })
    }

    /// The face text of `face` is drawn with, and whether bold must be made by stroking it.
    pub(crate) fn face(&self, face: Face) -> (&FontFace, bool) {
        match (face, &self.bold) {
            (Face::Regular, _) => (&self.regular, false),
            (Face::Bold, Some(bold)) => (bold, false),
            (Face::Bold, None) => (&self.regular, true),
        }
    }
}

impl Measure for FontSet {
    fn advance(&self, face: Face, c: char) -> f32 {
        self.face(face).0.advance_em(c)
    }

    fn ascent(&self) -> f32 {
        self.regular.ascent_em
    }

    fn descent(&self) -> f32 {
        self.regular.descent_em
    }

    fn covers(&self, face: Face, c: char) -> bool {
        self.face(face).0.covers(c)
    }
}
