//! Typeset PDF documents with Chinese text: a document model (`model`), measured line breaking
//! for Chinese mixed with Latin (`linebreak`), pagination with a table of contents, running
//! heads, page numbers, repeated table headers and an index (`layout`), and writing with an
//! embedded font subset, outline and metadata (`write`, on krilla). The font is read once
//! (`font::FontSet`); the use cases keep it in `AppState` and call this off the async threads
//! (`app::pdf::render`).
//!
//! # Building a document
//!
//! A caller builds a [`Document`] from blocks in reading order and hands it to [`render`] (in
//! the service: `app::pdf::render(&state, document)`):
//!
//! ```no_run
//! use diming::render::pdf::model::*;
//! use diming::render::pdf::{font::FontSet, render};
//!
//! let mut book = Document::new("嘉善县地名志");
//! book.author = Some("嘉善县民政局".into());
//! book.push(TitlePage {
//!     title: "嘉善县地名志".into(),
//!     subtitle: Some("Jiāshàn Xiàn Dìmíngzhì".into()),
//!     lines: vec!["嘉善县民政局 编".into(), "2026 年".into()],
//! });
//! book.push(TableOfContents::default()); // 目录, headings of level 1 and 2
//! book.push(Block::PageBreak);
//! book.push(Block::RunningHead("第一章 政区".into()));
//! book.push(Heading::new(1, "第一章 政区"));
//! book.push(Paragraph::new("嘉善县位于浙江省东北部……"));
//! book.push(Entry {
//!     head: "西塘镇".into(),
//!     head_note: Some("Xītáng Zhèn".into()),
//!     fields: vec![("代码".into(), "330421102".into())],
//!     text: Some("位于县境北部……".into()),
//!     anchor: Some("place-42".into()),
//! });
//! let mut markers = Table::new(
//!     vec![Column::new(1.0), Column::new(2.0), Column::aligned(1.0, Align::Right)],
//!     vec!["编号".into(), "位置".into(), "高程（米）".into()],
//! );
//! markers.rows.push(vec!["J001".into(), "塘东村北".into(), "3.2".into()]);
//! book.push(markers); // the header row repeats on every page the table runs onto
//! book.push(Index {
//!     title: "索引".into(),
//!     entries: vec![IndexEntry { term: "西塘镇".into(), anchors: vec!["place-42".into()] }],
//! });
//! let fonts = FontSet::load(
//!     ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc".as_ref(), 2),
//!     None,
//! )
//! .unwrap();
//! let pdf = render(&book, &fonts).unwrap();
//! std::fs::write("book.pdf", pdf.bytes).unwrap();
//! ```
//!
//! Sizes of pages, margins and images are in millimetres, font sizes in points. Text may hold
//! `\n` for a line end; it is composed to NFC (`a` + U+0304 → `ā`) before it is set.

pub mod font;
pub mod layout;
pub mod linebreak;
pub mod model;
pub mod write;

use std::collections::BTreeSet;

pub use model::Document;

/// A rendered PDF.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// Characters the font lacks (drawn as boxes): worth a log line.
    pub missing: BTreeSet<char>,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// An image of the document cannot be read.
    #[error("{0}")]
    Image(String),
    /// The PDF writer refused.
    #[error("writing the PDF: {0}")]
    Write(String),
}

/// Lays out `document` set in `fonts` and writes it as PDF.
pub fn render(document: &Document, fonts: &font::FontSet) -> Result<Rendered, RenderError> {
    let images = layout::images_of(document)
        .into_iter()
        .map(|source| write::PreparedImage::prepare(source, fonts))
        .collect::<Result<Vec<_>, _>>()
        .map_err(RenderError::Image)?;
    let aspects: Vec<f32> = images.iter().map(write::PreparedImage::aspect).collect();
    let laid_out = layout::layout(document, fonts, &aspects);
    let bytes = write::write(document, &laid_out, fonts, &images).map_err(RenderError::Write)?;
    Ok(Rendered {
        bytes,
        pages: laid_out.pages.len(),
        missing: laid_out.missing,
    })
}

#[cfg(test)]
mod tests;
