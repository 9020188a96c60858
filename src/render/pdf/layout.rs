//! Layout: the blocks of a [`Document`] set into pages of positioned text runs, rules, fills
//! and images, in points from the top-left corner of the page. Text is measured with the
//! font's real advances ([`Measure`]) and broken by `linebreak`; a heading stays with what
//! follows it, short paragraphs and entries stay whole, a table's header row is repeated at the
//! top of every page the table runs onto. Page numbers (of the table of contents and the
//! index) come from the previous pass: `layout` runs the passes until they agree.

use std::collections::{BTreeSet, HashMap};

use unicode_normalization::UnicodeNormalization;

use super::font::{Face, Measure};
use super::linebreak::{self, Line};
use super::model::*;

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

const BLACK: u8 = 0;
const RULE_GRAY: u8 = 77;
const HEAD_GRAY: u8 = 90;
const HEADER_FILL: u8 = 232;

/// A laid-out document.
#[derive(Debug)]
pub struct Layout<'a> {
    pub page_width: f32,
    pub page_height: f32,
    pub pages: Vec<PageLayout<'a>>,
    /// Where each anchor landed: page index and top of the line.
    pub anchors: HashMap<String, (usize, f32)>,
    /// The bookmarks: heading level, text, page index, top.
    pub outline: Vec<OutlineEntry>,
    /// Characters the font has no glyph for (drawn as boxes).
    pub missing: BTreeSet<char>,
}

/// A bookmark of the PDF outline.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub level: u8,
    pub text: String,
    pub page: usize,
    pub y: f32,
}

/// One page: what is drawn on it.
#[derive(Debug, Default)]
pub struct PageLayout<'a> {
    /// A title page: no running head, no page number.
    pub title_page: bool,
    pub running_head: Option<String>,
    pub items: Vec<Draw<'a>>,
}

/// A run of text in one face on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
    pub face: Face,
    pub gray: u8,
    pub text: String,
    /// Character indices (in `text`) before which `gap` points are added: a justified line.
    pub gaps: Vec<u16>,
    pub gap: f32,
}

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Draw<'a> {
    Text(TextRun),
    /// A filled rectangle.
    Fill {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        gray: u8,
    },
    /// A straight line; dotted for the leaders of the table of contents.
    Rule {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        gray: u8,
        dotted: bool,
    },
    /// Image number `image` (in the order of `images_of`) in a box.
    Image {
        image: usize,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    /// Black squares of `module` points at (column, row) from `x`, `y`.
    Modules {
        x: f32,
        y: f32,
        module: f32,
        cells: &'a [(u32, u32)],
    },
    /// A clickable area leading to an anchor.
    Link {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        anchor: String,
    },
}

impl Draw<'_> {
    fn shifted(mut self, dy: f32) -> Self {
        match &mut self {
            Draw::Text(run) => run.baseline += dy,
            Draw::Fill { y, .. }
            | Draw::Image { y, .. }
            | Draw::Modules { y, .. }
            | Draw::Link { y, .. } => *y += dy,
            Draw::Rule { from, to, .. } => {
                from.1 += dy;
                to.1 += dy;
            }
        }
        self
    }
}

/// The images of a document in the order the layout numbers them.
pub fn images_of(document: &Document) -> Vec<&ImageSource> {
    let mut images = Vec::new();
    for block in &document.blocks {
        match block {
            Block::Figure(figure) => images.push(&figure.image),
            Block::Canvas(canvas) => {
                for placed in &canvas.items {
                    if let CanvasItem::Image { image, .. } = &placed.item {
                        images.push(image);
                    }
                }
            }
            _ => {}
        }
    }
    images
}

/// Lays out `document`: `aspects` gives height ÷ width of each image of `images_of`. Runs a
/// second pass (and more, rarely) when the document lists page numbers, so that the table of
/// contents and the index carry the pages their headings and anchors landed on.
pub fn layout<'a>(document: &'a Document, measure: &dyn Measure, aspects: &[f32]) -> Layout<'a> {
    let lists_pages = document
        .blocks
        .iter()
        .any(|b| matches!(b, Block::TableOfContents(_) | Block::Index(_)));
    let mut numbers = HashMap::new();
    let mut layout = pass(document, measure, aspects, &numbers);
    if lists_pages {
        for _ in 0..4 {
            let landed: HashMap<String, usize> = layout
                .anchors
                .iter()
                .map(|(anchor, (page, _))| (anchor.clone(), page + 1))
                .collect();
            if landed == numbers {
                break;
            }
            numbers = landed;
            layout = pass(document, measure, aspects, &numbers);
        }
    }
    layout
}

/// The anchor of the `n`th heading of a document, for the table of contents.
fn heading_anchor(n: usize) -> String {
    format!("\u{1}heading-{n}")
}

/// A piece of a page: one line, one table row, one figure; `items` relative to its top.
#[derive(Debug, Clone, Default)]
struct Piece<'a> {
    height: f32,
    /// Space above, dropped at the top of a page.
    space_before: f32,
    items: Vec<Draw<'a>>,
    /// Must stand on the same page as the next piece.
    keep_with_next: bool,
    anchors: Vec<String>,
    outline: Option<(u8, String)>,
}

/// What kind of table row a piece is.
#[derive(Debug, Clone, Copy)]
struct Row {
    header: bool,
    borders: bool,
}

impl Row {
    fn header(table: &Table) -> Self {
        Self {
            header: true,
            borders: table.borders,
        }
    }

    fn body(table: &Table) -> Self {
        Self {
            header: false,
            borders: table.borders,
        }
    }
}

/// Text prepared for breaking: characters, their faces and advances in points.
struct Prepared {
    chars: Vec<char>,
    faces: Vec<Face>,
    advances: Vec<f32>,
    size: f32,
}

/// Cleans text for setting: composed (NFC: `a` + U+0304 becomes `ā`, which the font has),
/// tabs as spaces, other control characters dropped, `\n` kept as a line end.
fn clean(text: &str) -> impl Iterator<Item = char> + '_ {
    text.nfc().filter_map(|c| match c {
        '\n' => Some('\n'),
        '\t' => Some(' '),
        c if c.is_control() => None,
        c => Some(c),
    })
}

struct Flow<'a, 'm> {
    measure: &'m dyn Measure,
    aspects: &'m [f32],
    numbers: &'m HashMap<String, usize>,
    setup: PageSetup,
    left: f32,
    width: f32,
    top: f32,
    bottom: f32,
    pages: Vec<PageLayout<'a>>,
    y: f32,
    page_has_content: bool,
    /// The next piece starts a new page.
    break_pending: bool,
    running_head: Option<String>,
    pending: Vec<Piece<'a>>,
    pending_anchors: Vec<String>,
    anchors: HashMap<String, (usize, f32)>,
    outline: Vec<OutlineEntry>,
    missing: BTreeSet<char>,
    next_image: usize,
    next_heading: usize,
}

fn pass<'a>(
    document: &'a Document,
    measure: &dyn Measure,
    aspects: &[f32],
    numbers: &HashMap<String, usize>,
) -> Layout<'a> {
    let setup = document.page;
    let mut flow = Flow {
        measure,
        aspects,
        numbers,
        setup,
        left: setup.margin_left_mm * PT_PER_MM,
        width: (setup.width_mm - setup.margin_left_mm - setup.margin_right_mm).max(10.0)
            * PT_PER_MM,
        top: setup.margin_top_mm * PT_PER_MM,
        bottom: (setup.height_mm - setup.margin_bottom_mm) * PT_PER_MM,
        pages: vec![PageLayout::default()],
        y: setup.margin_top_mm * PT_PER_MM,
        page_has_content: false,
        break_pending: false,
        running_head: None,
        pending: Vec::new(),
        pending_anchors: Vec::new(),
        anchors: HashMap::new(),
        outline: Vec::new(),
        missing: BTreeSet::new(),
        next_image: 0,
        next_heading: 0,
    };
    let toc = toc_entries(document);
    for block in &document.blocks {
        flow.block(block, &toc);
    }
    flow.flush();
    if !flow.pending_anchors.is_empty() {
        let page = flow.pages.len() - 1;
        for anchor in std::mem::take(&mut flow.pending_anchors) {
            flow.anchors.insert(anchor, (page, flow.y));
        }
    }
    flow.furnish(&document.title);
    Layout {
        page_width: setup.width_mm * PT_PER_MM,
        page_height: setup.height_mm * PT_PER_MM,
        pages: flow.pages,
        anchors: flow.anchors,
        outline: flow.outline,
        missing: flow.missing,
    }
}

/// The headings the table of contents lists: level, text, anchor.
fn toc_entries(document: &Document) -> Vec<(u8, String, String)> {
    let depth = document
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::TableOfContents(toc) => Some(toc.depth),
            _ => None,
        })
        .unwrap_or(0);
    let mut n = 0;
    let mut entries = Vec::new();
    for block in &document.blocks {
        let (level, text, in_toc) = match block {
            Block::Heading(h) => (h.level, h.text.as_str(), h.in_toc),
            Block::Index(index) => (1, index.title.as_str(), true),
            Block::TableOfContents(toc) => (1, toc.title.as_str(), false),
            _ => continue,
        };
        if in_toc && level <= depth {
            entries.push((level, text.to_string(), heading_anchor(n)));
        }
        n += 1;
    }
    entries
}

impl<'a> Flow<'a, '_> {
    fn body_height(&self) -> f32 {
        self.bottom - self.top
    }

    fn new_page(&mut self) {
        self.pages.push(PageLayout {
            title_page: false,
            running_head: self.running_head.clone(),
            items: Vec::new(),
        });
        self.y = self.top;
        self.page_has_content = false;
        self.break_pending = false;
    }

    fn current(&mut self) -> &mut PageLayout<'a> {
        self.pages.last_mut().expect("a page")
    }

    /// Puts `piece` on the page, or on a new one when it does not fit.
    fn place(&mut self, mut piece: Piece<'a>) {
        if self.break_pending {
            self.new_page();
        }
        let mut space = if self.page_has_content {
            piece.space_before
        } else {
            0.0
        };
        if self.page_has_content && self.y + space + piece.height > self.bottom + 0.01 {
            self.new_page();
            space = 0.0;
        }
        let top = self.y + space;
        let page = self.pages.len() - 1;
        for anchor in self
            .pending_anchors
            .drain(..)
            .chain(piece.anchors.drain(..))
            .collect::<Vec<_>>()
        {
            self.anchors.insert(anchor, (page, top));
        }
        if let Some((level, text)) = piece.outline.take() {
            self.outline.push(OutlineEntry {
                level,
                text,
                page,
                y: top,
            });
        }
        let items = piece.items.into_iter().map(|item| item.shifted(top));
        self.pages[page].items.extend(items);
        self.y = top + piece.height;
        self.page_has_content = true;
    }

    /// Queues `piece`: pieces kept with the next one wait for it, then go on one page together
    /// (when they fit on one at all).
    fn emit(&mut self, piece: Piece<'a>) {
        let keep = piece.keep_with_next;
        self.pending.push(piece);
        if !keep {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let group = std::mem::take(&mut self.pending);
        if group.is_empty() {
            return;
        }
        let total: f32 = group.iter().map(|p| p.height + p.space_before).sum();
        let fresh = self.break_pending || !self.page_has_content;
        if !fresh && self.y + total > self.bottom + 0.01 && total <= self.body_height() {
            self.break_pending = true;
        }
        for piece in group {
            self.place(piece);
        }
    }

    fn block(&mut self, block: &'a Block, toc: &[(u8, String, String)]) {
        match block {
            Block::TitlePage(title) => self.title_page(title),
            Block::TableOfContents(contents) => {
                self.heading(1, &contents.title, None, true);
                self.contents(toc);
            }
            Block::RunningHead(text) => {
                self.running_head = Some(text.clone());
                // A page shows the head in force when its first line was set.
                if !self.page_has_content && !self.break_pending {
                    self.current().running_head = self.running_head.clone();
                }
            }
            Block::Heading(h) => self.heading(h.level, &h.text, h.anchor.as_deref(), true),
            Block::Paragraph(paragraph) => {
                let spans: Vec<(&str, bool)> = paragraph
                    .spans
                    .iter()
                    .map(|s| (s.text.as_str(), s.bold || paragraph.style.bold))
                    .collect();
                let pieces = self.paragraph(&spans, &paragraph.style, self.left, self.width);
                self.emit_kept(pieces, 3);
            }
            Block::KeyValue(pairs) => self.key_value(pairs),
            Block::Entry(entry) => self.entry(entry),
            Block::Table(table) => self.table(table),
            Block::Figure(figure) => self.figure(figure),
            Block::Canvas(canvas) => self.canvas(canvas),
            Block::Index(index) => {
                self.heading(1, &index.title, None, true);
                self.index(index);
            }
            Block::Anchor(name) => self.pending_anchors.push(name.clone()),
            Block::Spacer { height_mm } => {
                self.flush();
                if self.page_has_content && !self.break_pending {
                    self.place(Piece {
                        height: height_mm.max(0.0) * PT_PER_MM,
                        ..Default::default()
                    });
                }
            }
            Block::PageBreak => {
                self.flush();
                if self.page_has_content {
                    self.break_pending = true;
                }
            }
        }
    }

    /// Emits the lines of a paragraph so that one of at most `whole` lines is never split,
    /// and a longer one leaves neither its first nor its last line alone on a page.
    fn emit_kept(&mut self, mut pieces: Vec<Piece<'a>>, whole: usize) {
        let n = pieces.len();
        if n <= whole {
            for piece in pieces.iter_mut().take(n.saturating_sub(1)) {
                piece.keep_with_next = true;
            }
        } else {
            pieces[0].keep_with_next = true;
            pieces[n - 2].keep_with_next = true;
        }
        for piece in pieces {
            self.emit(piece);
        }
    }

    fn prepare(&mut self, spans: &[(&str, bool)], size: f32) -> Prepared {
        let mut chars = Vec::new();
        let mut faces = Vec::new();
        for (text, bold) in spans {
            let face = if *bold { Face::Bold } else { Face::Regular };
            for c in clean(text) {
                chars.push(c);
                faces.push(face);
            }
        }
        let advances = chars
            .iter()
            .zip(&faces)
            .map(|(&c, &face)| {
                if c != '\n' && !self.measure.covers(face, c) {
                    self.missing.insert(c);
                }
                self.measure.advance(face, c) * size
            })
            .collect();
        Prepared {
            chars,
            faces,
            advances,
            size,
        }
    }

    /// The baseline of a line of `size` in a line box `line_height` tall, from the box's top.
    fn baseline(&self, size: f32, line_height: f32) -> f32 {
        let (ascent, descent) = (self.measure.ascent(), self.measure.descent());
        (line_height - (ascent + descent) * size) / 2.0 + ascent * size
    }

    /// The text runs of `line`, set from `x` in a measure `available` wide.
    #[allow(clippy::too_many_arguments)]
    fn runs(
        &self,
        text: &Prepared,
        line: &Line,
        x: f32,
        available: f32,
        align: Align,
        baseline: f32,
        gray: u8,
    ) -> Vec<Draw<'a>> {
        let slack = (available - line.width).max(0.0);
        let justify = align == Align::Justify
            && !line.ends_paragraph
            && !line.opportunities.is_empty()
            && slack / (line.opportunities.len() as f32) < text.size * 0.6;
        let gap = if justify {
            slack / line.opportunities.len() as f32
        } else {
            0.0
        };
        let mut pen = x + match align {
            Align::Center => slack / 2.0,
            Align::Right => slack,
            Align::Left | Align::Justify => 0.0,
        };
        let mut runs = Vec::new();
        let mut opportunities = line.opportunities.iter().peekable();
        let mut i = line.start;
        while i < line.end {
            let face = text.faces[i];
            let mut run = TextRun {
                x: pen,
                baseline,
                size: text.size,
                face,
                gray,
                text: String::new(),
                gaps: Vec::new(),
                gap,
            };
            let mut count: u16 = 0;
            while i < line.end && text.faces[i] == face && count < u16::MAX {
                if opportunities.next_if(|&&o| o == i).is_some() {
                    if count == 0 {
                        // The gap falls before the run: move the run instead.
                        run.x += gap;
                        pen += gap;
                    } else {
                        run.gaps.push(count);
                        pen += gap;
                    }
                }
                run.text.push(text.chars[i]);
                pen += text.advances[i];
                count += 1;
                i += 1;
            }
            runs.push(Draw::Text(run));
        }
        runs
    }

    /// The lines of a paragraph as pieces, set in a measure `width` wide from `left`.
    fn paragraph(
        &mut self,
        spans: &[(&str, bool)],
        style: &TextStyle,
        left: f32,
        width: f32,
    ) -> Vec<Piece<'a>> {
        let size = style.size_pt.max(1.0);
        let text = self.prepare(spans, size);
        let indent = style.indent_em * size;
        let first_indent = style.first_line_indent_em * size;
        let measure = (width - indent).max(size);
        let lines = linebreak::break_lines(
            &text.chars,
            &text.advances,
            (measure - first_indent).max(size),
            measure,
        );
        let line_height = size * style.line_height;
        let baseline = self.baseline(size, line_height);
        let count = lines.len();
        lines
            .iter()
            .enumerate()
            .map(|(n, line)| {
                let shift = if n == 0 { first_indent } else { 0.0 };
                Piece {
                    height: line_height
                        + if n + 1 == count {
                            style.space_after_pt
                        } else {
                            0.0
                        },
                    items: self.runs(
                        &text,
                        line,
                        left + indent + shift,
                        measure - shift,
                        style.align,
                        baseline,
                        BLACK,
                    ),
                    ..Default::default()
                }
            })
            .collect()
    }

    fn heading(&mut self, level: u8, text: &str, anchor: Option<&str>, bookmark: bool) {
        let (size, align, space_before, space_after) = match level {
            1 => (18.0, Align::Center, 14.0, 10.0),
            2 => (14.0, Align::Left, 12.0, 6.0),
            3 => (12.0, Align::Left, 9.0, 4.0),
            _ => (10.5, Align::Left, 6.0, 3.0),
        };
        let style = TextStyle {
            size_pt: size,
            bold: true,
            first_line_indent_em: 0.0,
            indent_em: 0.0,
            align,
            line_height: 1.4,
            space_after_pt: space_after,
        };
        let mut pieces = self.paragraph(&[(text, true)], &style, self.left, self.width);
        let n = self.next_heading;
        self.next_heading += 1;
        if let Some(first) = pieces.first_mut() {
            first.space_before = space_before;
            first.anchors.push(heading_anchor(n));
            first.anchors.extend(anchor.map(str::to_string));
            if bookmark {
                first.outline = Some((level, clean(text).filter(|&c| c != '\n').collect()));
            }
        }
        for mut piece in pieces {
            piece.keep_with_next = true;
            self.emit(piece);
        }
    }

    fn title_page(&mut self, title: &'a TitlePage) {
        self.flush();
        if self.page_has_content || self.break_pending {
            self.new_page();
        }
        self.current().title_page = true;
        let centred = |size: f32| TextStyle {
            size_pt: size,
            bold: false,
            first_line_indent_em: 0.0,
            indent_em: 0.0,
            align: Align::Center,
            line_height: 1.5,
            space_after_pt: 0.0,
        };
        let (left, width) = (self.left, self.width);
        let mut y = self.top + self.body_height() * 0.25;
        let mut pieces =
            self.paragraph(&[(title.title.as_str(), true)], &centred(26.0), left, width);
        if let Some(subtitle) = &title.subtitle {
            pieces.push(Piece {
                height: 12.0,
                ..Default::default()
            });
            pieces.extend(self.paragraph(
                &[(subtitle.as_str(), false)],
                &centred(16.0),
                left,
                width,
            ));
        }
        let mut foot = Vec::new();
        for line in &title.lines {
            foot.extend(self.paragraph(&[(line.as_str(), false)], &centred(12.0), left, width));
        }
        let page = self.pages.len() - 1;
        for piece in pieces {
            let items = piece.items.into_iter().map(|i| i.shifted(y));
            self.pages[page].items.extend(items);
            y += piece.height;
        }
        let foot_height: f32 = foot.iter().map(|p| p.height).sum();
        let mut y = self.bottom - foot_height;
        for piece in foot {
            let items = piece.items.into_iter().map(|i| i.shifted(y));
            self.pages[page].items.extend(items);
            y += piece.height;
        }
        self.page_has_content = true;
        self.break_pending = true;
    }

    /// Lines of the table of contents: title, dotted leader, page number; each a link.
    fn contents(&mut self, toc: &[(u8, String, String)]) {
        let size = 11.0;
        let line_height = size * 1.7;
        let number_width = 3.0 * size;
        for (level, text, anchor) in toc {
            let indent = f32::from(level.saturating_sub(1)) * 2.0 * size;
            let style = TextStyle {
                size_pt: size,
                bold: *level == 1,
                first_line_indent_em: 0.0,
                indent_em: 0.0,
                align: Align::Left,
                line_height: 1.7,
                space_after_pt: 0.0,
            };
            let left = self.left + indent;
            let width = self.width - indent - number_width - size;
            let mut pieces = self.paragraph(&[(text.as_str(), *level == 1)], &style, left, width);
            let number = self
                .numbers
                .get(anchor)
                .map_or_else(|| "0".to_string(), usize::to_string);
            let last = pieces.len() - 1;
            let right = self.left + self.width;
            self.leader_and_number(&mut pieces[last], &number, left, right, size, line_height);
            let count = pieces.len();
            for (n, mut piece) in pieces.into_iter().enumerate() {
                piece.keep_with_next = n + 1 < count;
                piece.items.push(Draw::Link {
                    x: self.left,
                    y: 0.0,
                    width: self.width,
                    height: line_height,
                    anchor: anchor.clone(),
                });
                self.emit(piece);
            }
        }
    }

    /// Adds to the last line of an entry a dotted leader from its text to `number`, set
    /// flush right at `right`.
    #[allow(clippy::too_many_arguments)]
    fn leader_and_number(
        &mut self,
        piece: &mut Piece<'a>,
        number: &str,
        left: f32,
        right: f32,
        size: f32,
        line_height: f32,
    ) {
        let text = self.prepare(&[(number, false)], size);
        let number_width: f32 = text.advances.iter().sum();
        let end_of_text = piece
            .items
            .iter()
            .filter_map(|item| match item {
                Draw::Text(run) => Some(run.x + self.run_width(run)),
                _ => None,
            })
            .fold(left, f32::max);
        let baseline = self.baseline(size, line_height);
        let (from, to) = (end_of_text + size * 0.5, right - number_width - size * 0.5);
        if to > from {
            piece.items.push(Draw::Rule {
                from: (from, baseline),
                to: (to, baseline),
                width: 0.9,
                gray: RULE_GRAY,
                dotted: true,
            });
        }
        piece.items.push(Draw::Text(TextRun {
            x: right - number_width,
            baseline,
            size,
            face: Face::Regular,
            gray: BLACK,
            text: text.chars.iter().collect(),
            gaps: Vec::new(),
            gap: 0.0,
        }));
    }

    fn run_width(&self, run: &TextRun) -> f32 {
        run.text
            .chars()
            .map(|c| self.measure.advance(run.face, c) * run.size)
            .sum::<f32>()
            + run.gap * run.gaps.len() as f32
    }

    fn index(&mut self, index: &'a Index) {
        let size = 9.5;
        let line_height = size * 1.5;
        for entry in &index.entries {
            let mut pages: Vec<usize> = entry
                .anchors
                .iter()
                .filter_map(|a| self.numbers.get(a).copied())
                .collect();
            pages.sort_unstable();
            pages.dedup();
            let numbers = if pages.is_empty() && self.numbers.is_empty() {
                // The first pass: as many digits as the pages will have, about.
                vec!["0"; entry.anchors.len().max(1)].join(", ")
            } else {
                pages
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let numbers_text = self.prepare(&[(numbers.as_str(), false)], size);
            let numbers_width: f32 = numbers_text.advances.iter().sum();
            let style = TextStyle {
                size_pt: size,
                bold: false,
                first_line_indent_em: 0.0,
                indent_em: 0.0,
                align: Align::Left,
                line_height: 1.5,
                space_after_pt: 0.0,
            };
            let width = (self.width - numbers_width.min(self.width * 0.5) - 2.0 * size).max(size);
            let mut pieces =
                self.paragraph(&[(entry.term.as_str(), false)], &style, self.left, width);
            let last = pieces.len() - 1;
            let right = self.left + self.width;
            self.leader_and_number(
                &mut pieces[last],
                &numbers,
                self.left,
                right,
                size,
                line_height,
            );
            if let Some(first) = pages.first() {
                let target = entry
                    .anchors
                    .iter()
                    .find(|a| self.numbers.get(*a) == Some(first));
                if let Some(anchor) = target {
                    pieces[0].items.push(Draw::Link {
                        x: self.left,
                        y: 0.0,
                        width: self.width,
                        height: line_height,
                        anchor: anchor.clone(),
                    });
                }
            }
            self.emit_kept(pieces, 3);
        }
    }

    fn key_value(&mut self, block: &'a KeyValue) {
        let size = block.size_pt.max(1.0);
        let key_width = block
            .pairs
            .iter()
            .map(|(key, _)| {
                clean(key)
                    .map(|c| self.measure.advance(Face::Bold, c) * size)
                    .sum::<f32>()
            })
            .fold(0.0_f32, f32::max)
            .min(self.width * 0.35)
            + size;
        let style = TextStyle {
            size_pt: size,
            first_line_indent_em: 0.0,
            align: Align::Left,
            line_height: 1.5,
            space_after_pt: 0.0,
            ..TextStyle::default()
        };
        let count = block.pairs.len();
        for (n, (key, value)) in block.pairs.iter().enumerate() {
            let keys = self.paragraph(
                &[(key.as_str(), true)],
                &style,
                self.left,
                key_width - size * 0.5,
            );
            let values = self.paragraph(
                &[(value.as_str(), false)],
                &style,
                self.left + key_width,
                self.width - key_width,
            );
            let mut rows: Vec<Piece<'a>> = Vec::new();
            for i in 0..keys.len().max(values.len()) {
                let mut piece = Piece {
                    height: size * 1.5,
                    ..Default::default()
                };
                for part in [keys.get(i), values.get(i)].into_iter().flatten() {
                    piece.items.extend(part.items.iter().cloned());
                }
                rows.push(piece);
            }
            if n == 0
                && let Some(first) = rows.first_mut()
            {
                first.space_before = 4.0;
            }
            if n + 1 == count
                && let Some(last) = rows.last_mut()
            {
                last.height += 4.0;
            }
            self.emit_kept(rows, 4);
        }
    }

    fn entry(&mut self, entry: &'a Entry) {
        let head_style = TextStyle {
            size_pt: 11.0,
            first_line_indent_em: 0.0,
            align: Align::Left,
            line_height: 1.5,
            space_after_pt: 1.0,
            ..TextStyle::default()
        };
        let mut spans: Vec<(&str, bool)> = vec![(entry.head.as_str(), true)];
        let note;
        if let Some(head_note) = &entry.head_note {
            note = format!(" {head_note}");
            spans.push((note.as_str(), false));
        }
        let mut pieces = self.paragraph(&spans, &head_style, self.left, self.width);
        if let Some(first) = pieces.first_mut() {
            first.space_before = 6.0;
            first.anchors.extend(entry.anchor.clone());
        }
        let field_style = TextStyle {
            size_pt: 10.0,
            first_line_indent_em: 0.0,
            indent_em: 1.0,
            align: Align::Left,
            line_height: 1.5,
            space_after_pt: 0.0,
            ..TextStyle::default()
        };
        for (label, value) in &entry.fields {
            let label = format!("{label}：");
            pieces.extend(self.paragraph(
                &[(label.as_str(), true), (value.as_str(), false)],
                &field_style,
                self.left,
                self.width,
            ));
        }
        if let Some(text) = &entry.text {
            let style = TextStyle {
                size_pt: 10.0,
                space_after_pt: 0.0,
                ..TextStyle::default()
            };
            pieces.extend(self.paragraph(&[(text.as_str(), false)], &style, self.left, self.width));
        }
        // An entry of up to eight lines stays whole; a longer one keeps its headword with
        // the next line and leaves no last line alone.
        self.emit_kept(pieces, 8);
    }

    fn table(&mut self, table: &'a Table) {
        if table.columns.is_empty() {
            return;
        }
        let size = table.size_pt.max(1.0);
        let line_height = size * 1.4;
        let (pad_x, pad_y) = (size * 0.35, size * 0.3);
        let total: f32 = table.columns.iter().map(|c| c.width.max(0.0)).sum();
        let total = if total > 0.0 {
            total
        } else {
            table.columns.len() as f32
        };
        let mut x = self.left;
        let columns: Vec<(f32, f32, Align)> = table
            .columns
            .iter()
            .map(|c| {
                let width = if c.width > 0.0 { c.width } else { 1.0 } / total * self.width;
                let column = (x, width, c.align);
                x += width;
                column
            })
            .collect();
        if let Some(caption) = &table.caption {
            let style = TextStyle {
                size_pt: 10.0,
                bold: true,
                first_line_indent_em: 0.0,
                align: Align::Center,
                line_height: 1.5,
                space_after_pt: 2.0,
                ..TextStyle::default()
            };
            let pieces = self.paragraph(&[(caption.as_str(), true)], &style, self.left, self.width);
            for mut piece in pieces {
                piece.keep_with_next = true;
                piece.space_before = 6.0;
                self.emit(piece);
            }
        }
        let header = (!table.header.is_empty()).then(|| {
            let cells = self.cells(&table.header, &columns, size, true, pad_x);
            self.row_pieces(
                cells,
                &columns,
                line_height,
                pad_y,
                Row::header(table),
                usize::MAX,
            )
            .remove(0)
        });
        let max_lines =
            ((self.body_height() - header.as_ref().map_or(0.0, |h| h.height) - 2.0 * pad_y)
                / line_height)
                .floor()
                .max(1.0) as usize;
        for (n, row) in table.rows.iter().enumerate() {
            let cells = self.cells(row, &columns, size, false, pad_x);
            let parts = self.row_pieces(
                cells,
                &columns,
                line_height,
                pad_y,
                Row::body(table),
                max_lines,
            );
            for (p, part) in parts.into_iter().enumerate() {
                if n == 0 && p == 0 {
                    if let Some(header) = &header {
                        let mut header = header.clone();
                        header.keep_with_next = true;
                        header.space_before = 4.0;
                        self.emit(header);
                    }
                    self.emit(part);
                    continue;
                }
                let fits = self.y + part.height <= self.bottom + 0.01;
                if self.break_pending || !fits {
                    self.new_page();
                    if let Some(header) = &header {
                        self.place(header.clone());
                    }
                }
                self.place(part);
            }
        }
        if table.rows.is_empty()
            && let Some(header) = header
        {
            self.emit(header);
        }
        if let Some(page) = self.pages.last()
            && !page.items.is_empty()
        {
            self.y += 6.0;
        }
    }

    /// The broken lines of each cell of a row, with their prepared text.
    fn cells(
        &mut self,
        row: &[String],
        columns: &[(f32, f32, Align)],
        size: f32,
        bold: bool,
        pad_x: f32,
    ) -> Vec<(Prepared, Vec<Line>)> {
        columns
            .iter()
            .enumerate()
            .map(|(i, (_, width, _))| {
                let text = row.get(i).map_or("", String::as_str);
                let prepared = self.prepare(&[(text, bold)], size);
                let measure = (width - 2.0 * pad_x).max(size);
                let lines =
                    linebreak::break_lines(&prepared.chars, &prepared.advances, measure, measure);
                (prepared, lines)
            })
            .collect()
    }

    /// A row as pieces of at most `max_lines` lines each (a row taller than a page is split).
    fn row_pieces(
        &self,
        cells: Vec<(Prepared, Vec<Line>)>,
        columns: &[(f32, f32, Align)],
        line_height: f32,
        pad_y: f32,
        row: Row,
        max_lines: usize,
    ) -> Vec<Piece<'a>> {
        let Row { header, borders } = row;
        let lines = cells.iter().map(|(_, l)| l.len()).max().unwrap_or(1).max(1);
        let size = cells.first().map_or(9.0, |(p, _)| p.size);
        let baseline = self.baseline(size, line_height);
        let pad_x = size * 0.35;
        let mut pieces = Vec::new();
        let mut from = 0;
        while from < lines {
            let to = (from + max_lines).min(lines);
            let height = (to - from) as f32 * line_height + 2.0 * pad_y;
            let mut items = Vec::new();
            let (left, right) = (columns[0].0, columns.last().map_or(0.0, |(x, w, _)| x + w));
            if header && borders {
                items.push(Draw::Fill {
                    x: left,
                    y: 0.0,
                    width: right - left,
                    height,
                    gray: HEADER_FILL,
                });
            }
            for ((prepared, cell_lines), (x, width, align)) in cells.iter().zip(columns) {
                let align = if header { Align::Center } else { *align };
                let align = if align == Align::Justify {
                    Align::Left
                } else {
                    align
                };
                for (k, line) in cell_lines.iter().enumerate().take(to).skip(from) {
                    let top = pad_y + (k - from) as f32 * line_height;
                    items.extend(self.runs(
                        prepared,
                        line,
                        x + pad_x,
                        width - 2.0 * pad_x,
                        align,
                        top + baseline,
                        BLACK,
                    ));
                }
            }
            let rule = |from: (f32, f32), to: (f32, f32)| Draw::Rule {
                from,
                to,
                width: 0.5,
                gray: RULE_GRAY,
                dotted: false,
            };
            if borders {
                items.push(rule((left, 0.0), (right, 0.0)));
                items.push(rule((left, height), (right, height)));
                for (x, _, _) in columns {
                    items.push(rule((*x, 0.0), (*x, height)));
                }
                items.push(rule((right, 0.0), (right, height)));
            }
            pieces.push(Piece {
                height,
                items,
                ..Default::default()
            });
            from = to;
        }
        pieces
    }

    fn figure(&mut self, figure: &'a Figure) {
        let image = self.next_image;
        self.next_image += 1;
        let aspect = self.aspects.get(image).copied().unwrap_or(1.0).max(0.01);
        let caption_size = 9.0;
        let style = TextStyle {
            size_pt: caption_size,
            first_line_indent_em: 0.0,
            align: Align::Center,
            line_height: 1.5,
            space_after_pt: 0.0,
            ..TextStyle::default()
        };
        let captions = match &figure.caption {
            Some(caption) => {
                self.paragraph(&[(caption.as_str(), false)], &style, self.left, self.width)
            }
            None => Vec::new(),
        };
        let caption_height: f32 = captions.iter().map(|p| p.height).sum::<f32>() + 3.0;
        let mut width = (figure.width_mm * PT_PER_MM).min(self.width);
        let most = self.body_height() - caption_height - 2.0;
        if width * aspect > most {
            width = most / aspect;
        }
        let height = width * aspect;
        let mut items = vec![Draw::Image {
            image,
            x: self.left + (self.width - width) / 2.0,
            y: 0.0,
            width,
            height,
        }];
        let mut y = height + 3.0;
        for caption in captions {
            items.extend(caption.items.into_iter().map(|i| i.shifted(y)));
            y += caption.height;
        }
        self.emit(Piece {
            height: y + 4.0,
            space_before: 6.0,
            items,
            ..Default::default()
        });
    }

    fn canvas(&mut self, canvas: &'a Canvas) {
        let mut items = Vec::new();
        for placed in &canvas.items {
            let (x, y) = (self.left + placed.x_mm * PT_PER_MM, placed.y_mm * PT_PER_MM);
            match &placed.item {
                CanvasItem::Image {
                    width_mm,
                    height_mm,
                    ..
                } => {
                    items.push(Draw::Image {
                        image: self.next_image,
                        x,
                        y,
                        width: width_mm * PT_PER_MM,
                        height: height_mm * PT_PER_MM,
                    });
                    self.next_image += 1;
                }
                CanvasItem::Modules { module_mm, cells } => items.push(Draw::Modules {
                    x,
                    y,
                    module: module_mm * PT_PER_MM,
                    cells,
                }),
                CanvasItem::Text {
                    text,
                    size_pt,
                    bold,
                    width_mm,
                    align,
                } => {
                    let face = if *bold { Face::Bold } else { Face::Regular };
                    let clean: String = clean(text).filter(|&c| c != '\n').collect();
                    let box_width = width_mm * PT_PER_MM;
                    let natural: f32 = clean
                        .chars()
                        .map(|c| {
                            if !self.measure.covers(face, c) {
                                self.missing.insert(c);
                            }
                            self.measure.advance(face, c)
                        })
                        .sum();
                    // Shrunk to fit the box rather than cut.
                    let size = if natural * size_pt > box_width && natural > 0.0 {
                        (box_width / natural).max(3.0)
                    } else {
                        *size_pt
                    };
                    let width = natural * size;
                    let offset = match align {
                        Align::Center => (box_width - width) / 2.0,
                        Align::Right => box_width - width,
                        Align::Left | Align::Justify => 0.0,
                    };
                    items.push(Draw::Text(TextRun {
                        x: x + offset.max(0.0),
                        baseline: y + self.measure.ascent() * size,
                        size,
                        face,
                        gray: BLACK,
                        text: clean,
                        gaps: Vec::new(),
                        gap: 0.0,
                    }));
                }
            }
        }
        self.emit(Piece {
            height: canvas.height_mm * PT_PER_MM,
            items,
            ..Default::default()
        });
    }

    /// Running heads and page numbers on every page but title pages.
    fn furnish(&mut self, title: &str) {
        let setup = self.setup;
        let size = 9.0;
        let header_baseline = self.top - 5.0 * PT_PER_MM;
        let rule_y = self.top - 3.5 * PT_PER_MM;
        let footer_top = self.bottom + (setup.margin_bottom_mm * PT_PER_MM - size) / 2.0;
        let (left, right) = (self.left, self.left + self.width);
        let title: String = clean(title).filter(|&c| c != '\n').collect();
        for n in 0..self.pages.len() {
            if self.pages[n].title_page {
                continue;
            }
            let mut items = Vec::new();
            if setup.header {
                let head = self.pages[n].running_head.clone();
                let fit = |text: &str, width: f32| {
                    let natural: f32 = text
                        .chars()
                        .map(|c| self.measure.advance(Face::Regular, c))
                        .sum();
                    if natural * size > width && natural > 0.0 {
                        (width / natural, width)
                    } else {
                        (size, natural * size)
                    }
                };
                let half = self.width / 2.0 - size;
                let (title_size, _) = fit(&title, if head.is_some() { half } else { self.width });
                items.push(Draw::Text(TextRun {
                    x: left,
                    baseline: header_baseline,
                    size: title_size,
                    face: Face::Regular,
                    gray: HEAD_GRAY,
                    text: title.clone(),
                    gaps: Vec::new(),
                    gap: 0.0,
                }));
                if let Some(head) = head {
                    let head: String = clean(&head).filter(|&c| c != '\n').collect();
                    let (head_size, width) = fit(&head, half);
                    items.push(Draw::Text(TextRun {
                        x: right - width,
                        baseline: header_baseline,
                        size: head_size,
                        face: Face::Regular,
                        gray: HEAD_GRAY,
                        text: head,
                        gaps: Vec::new(),
                        gap: 0.0,
                    }));
                }
                items.push(Draw::Rule {
                    from: (left, rule_y),
                    to: (right, rule_y),
                    width: 0.4,
                    gray: HEAD_GRAY,
                    dotted: false,
                });
            }
            if setup.footer {
                let number = (n + 1).to_string();
                let width: f32 = number
                    .chars()
                    .map(|c| self.measure.advance(Face::Regular, c) * size)
                    .sum();
                items.push(Draw::Text(TextRun {
                    x: left + (self.width - width) / 2.0,
                    baseline: footer_top + self.baseline(size, size),
                    size,
                    face: Face::Regular,
                    gray: BLACK,
                    text: number,
                    gaps: Vec::new(),
                    gap: 0.0,
                }));
            }
            self.pages[n].items.extend(items);
        }
    }
}

#[cfg(test)]
mod tests;
