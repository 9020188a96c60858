//! The document model: what a PDF says, block by block, as plain data with no positions. The
//! layout (`layout.rs`) decides where everything goes.

/// A document: its metadata, its page setup and its blocks, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The title, in the PDF's metadata and on the left of every running head.
    pub title: String,
    /// Who wrote or compiled it (the office), in the metadata.
    pub author: Option<String>,
    /// What it is about, in the metadata.
    pub subject: Option<String>,
    /// Its language as a BCP 47 tag: `zh-CN` (the default), `en`.
    pub language: String,
    /// Page size and margins.
    pub page: PageSetup,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty document titled `title`: Chinese, A4 portrait.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            author: None,
            subject: None,
            language: "zh-CN".into(),
            page: PageSetup::a4(),
            blocks: Vec::new(),
        }
    }

    /// Appends a block.
    pub fn push(&mut self, block: impl Into<Block>) -> &mut Self {
        self.blocks.push(block.into());
        self
    }
}

/// The size of every page and the margins around the text, in millimetres; the running head
/// sits in the top margin and the page number in the bottom one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSetup {
    pub width_mm: f32,
    pub height_mm: f32,
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    pub margin_left_mm: f32,
    pub margin_right_mm: f32,
    /// Draw the running head (title and chapter) at the top of each page but title pages.
    pub header: bool,
    /// Draw the page number at the foot of each page but title pages.
    pub footer: bool,
}

impl PageSetup {
    /// A4 portrait (210 × 297 mm) with book margins, running head and page numbers.
    pub fn a4() -> Self {
        Self {
            width_mm: 210.0,
            height_mm: 297.0,
            margin_top_mm: 25.0,
            margin_bottom_mm: 22.0,
            margin_left_mm: 22.0,
            margin_right_mm: 22.0,
            header: true,
            footer: true,
        }
    }

    /// A4 landscape (297 × 210 mm), for wide tables.
    pub fn a4_landscape() -> Self {
        Self {
            width_mm: 297.0,
            height_mm: 210.0,
            ..Self::a4()
        }
    }

    /// A4 with `margin_mm` all round and neither running head nor page number (print sheets).
    pub fn a4_plain(margin_mm: f32) -> Self {
        Self {
            margin_top_mm: margin_mm,
            margin_bottom_mm: margin_mm,
            margin_left_mm: margin_mm,
            margin_right_mm: margin_mm,
            header: false,
            footer: false,
            ..Self::a4()
        }
    }
}

/// One block of content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A page of its own with the title, without running head or page number.
    TitlePage(TitlePage),
    /// The headings marked `in_toc`, with the pages they landed on.
    TableOfContents(TableOfContents),
    /// The running head of the pages from here on (a chapter's name); a page shows the one in
    /// force when its first line was set.
    RunningHead(String),
    Heading(Heading),
    Paragraph(Paragraph),
    /// Label–value lines (`面积：12.5 平方千米`), the labels in a column of their own.
    KeyValue(KeyValue),
    /// A gazetteer entry: a headword with a note (its pinyin), fields and text, kept together.
    Entry(Entry),
    Table(Table),
    Figure(Figure),
    /// Things placed at given positions in a band of fixed height (print sheets).
    Canvas(Canvas),
    /// An alphabetical index: terms with the pages of the anchors they point at.
    Index(Index),
    /// A named point in the text that an index entry points at.
    Anchor(String),
    /// Vertical space.
    Spacer {
        height_mm: f32,
    },
    /// Continue on a new page.
    PageBreak,
}

/// A title page: the title about a third down, a subtitle, and lines near the foot
/// (the compiler, the date).
#[derive(Debug, Clone, PartialEq)]
pub struct TitlePage {
    pub title: String,
    pub subtitle: Option<String>,
    pub lines: Vec<String>,
}

/// Where the table of contents goes, with its title (`目录`) and the deepest heading level it
/// lists.
#[derive(Debug, Clone, PartialEq)]
pub struct TableOfContents {
    pub title: String,
    pub depth: u8,
}

impl Default for TableOfContents {
    fn default() -> Self {
        Self {
            title: "目录".into(),
            depth: 2,
        }
    }
}

/// A heading of level 1 (chapter) to 4; every heading is a bookmark of the PDF outline.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// Listed in the table of contents.
    pub in_toc: bool,
    /// A name an index entry may point at.
    pub anchor: Option<String>,
}

impl Heading {
    /// A heading of `level` listed in the table of contents.
    pub fn new(level: u8, text: impl Into<String>) -> Self {
        Self {
            level: level.clamp(1, 4),
            text: text.into(),
            in_toc: true,
            anchor: None,
        }
    }

    /// The same heading, left out of the table of contents.
    pub fn not_in_toc(mut self) -> Self {
        self.in_toc = false;
        self
    }
}

/// How a paragraph's lines sit between the margins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    Left,
    Center,
    Right,
    /// Full lines stretched to both margins at their break opportunities (the last line left).
    #[default]
    Justify,
}

/// The look of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub size_pt: f32,
    pub bold: bool,
    /// The indent of the first line, in ems (Chinese prose indents two characters).
    pub first_line_indent_em: f32,
    /// The indent of every line from the left margin, in ems.
    pub indent_em: f32,
    pub align: Align,
    /// Line pitch as a multiple of the size.
    pub line_height: f32,
    /// Space after the paragraph, in points.
    pub space_after_pt: f32,
}

impl Default for TextStyle {
    fn default() -> Self {
        Self {
            size_pt: 10.5,
            bold: false,
            first_line_indent_em: 2.0,
            indent_em: 0.0,
            align: Align::Justify,
            line_height: 1.6,
            space_after_pt: 4.0,
        }
    }
}

/// A run of text in one weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

impl Span {
    pub fn regular(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: false,
        }
    }

    pub fn bold(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: true,
        }
    }
}

/// A paragraph: spans of text broken into lines (a break may fall between any two Chinese
/// characters, and at spaces between Latin words).
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub spans: Vec<Span>,
    pub style: TextStyle,
}

impl Paragraph {
    /// Body text in the default style.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            spans: vec![Span::regular(text)],
            style: TextStyle::default(),
        }
    }

    /// The same paragraph in `style` (bold applies to spans not marked bold).
    pub fn styled(mut self, style: TextStyle) -> Self {
        self.style = style;
        self
    }

    /// The paragraph's text, spans joined.
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

/// Label–value lines.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValue {
    pub pairs: Vec<(String, String)>,
    pub size_pt: f32,
}

impl KeyValue {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self {
            pairs,
            size_pt: 10.5,
        }
    }
}

/// A gazetteer entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Entry {
    /// The headword (`西塘镇`), in bold.
    pub head: String,
    /// Set after the headword in regular weight: its pinyin (`Xītáng Zhèn`) or code.
    pub head_note: Option<String>,
    /// `label：value` lines under the headword.
    pub fields: Vec<(String, String)>,
    /// The description.
    pub text: Option<String>,
    /// A name an index entry may point at.
    pub anchor: Option<String>,
}

/// A table column: its share of the width and how its cells align.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// Relative width: columns of 1, 2, 1 take a quarter, a half, a quarter.
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(width: f32) -> Self {
        Self {
            width,
            align: Align::Left,
        }
    }

    pub fn aligned(width: f32, align: Align) -> Self {
        Self { width, align }
    }
}

/// A table whose cells wrap; the header row is repeated at the top of every page it runs onto.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    /// The header row (may be empty: no header).
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub size_pt: f32,
    /// A caption above the table (`表 1 界桩登记表`).
    pub caption: Option<String>,
    /// Ruled cells; without rules a table lays out a signature block or a form.
    pub borders: bool,
}

impl Table {
    pub fn new(columns: Vec<Column>, header: Vec<String>) -> Self {
        Self {
            columns,
            header,
            rows: Vec::new(),
            size_pt: 9.0,
            caption: None,
            borders: true,
        }
    }
}

/// An image: SVG (drawn as vectors; its text set in the document's font) or PNG.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageSource {
    Svg(String),
    Png(Vec<u8>),
}

/// An image with an optional caption under it, centred.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub image: ImageSource,
    /// The drawn width; the height follows the image's proportions. Shrunk to fit the page.
    pub width_mm: f32,
    pub caption: Option<String>,
}

/// A band of `height_mm` in which each item is placed at its own position.
#[derive(Debug, Clone, PartialEq)]
pub struct Canvas {
    pub height_mm: f32,
    pub items: Vec<Placed>,
}

/// Something on a canvas: its top-left corner in millimetres from the band's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub x_mm: f32,
    pub y_mm: f32,
    pub item: CanvasItem,
}

/// What a canvas holds.
#[derive(Debug, Clone, PartialEq)]
pub enum CanvasItem {
    /// An image `width_mm` × `height_mm`.
    Image {
        image: ImageSource,
        width_mm: f32,
        height_mm: f32,
    },
    /// Filled squares of `module_mm`, given by (column, row): a QR code drawn as vectors.
    Modules {
        module_mm: f32,
        cells: Vec<(u32, u32)>,
    },
    /// One line of text in a box `width_mm` wide, aligned in it, shrunk when too long.
    Text {
        text: String,
        size_pt: f32,
        bold: bool,
        width_mm: f32,
        align: Align,
    },
}

/// An index: its title and its terms, in the order given (sort them first).
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub title: String,
    pub entries: Vec<IndexEntry>,
}

/// An index term and the anchors (`Block::Anchor`, `Entry::anchor`, `Heading::anchor`) it
/// points at; it lists their pages.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    pub term: String,
    pub anchors: Vec<String>,
}

macro_rules! into_block {
    ($($type:ident),*) => {
        $(impl From<$type> for Block {
            fn from(value: $type) -> Self {
                Block::$type(value)
            }
        })*
    };
}

into_block!(
    TitlePage,
    TableOfContents,
    Heading,
    Paragraph,
    KeyValue,
    Entry,
    Table,
    Figure,
    Canvas,
    Index
);
