//! Writing: a [`Layout`] drawn into a PDF with krilla, which embeds a subset of each font
//! (only the glyphs used, as CID-keyed CFF for Noto Sans CJK), maps every glyph back to its
//! text (so that the text can be searched and copied), and writes the outline, the metadata
//! and SVG images as vectors.

use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::luma;
use krilla::destination::{Destination, XyzDestination};
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::text::{GlyphId, KrillaGlyph};
use krilla_svg::{SurfaceExt, SvgSettings};

use super::font::FontSet;
use super::layout::{Draw, Layout, OutlineEntry, TextRun};
use super::model::{Document, ImageSource};

/// An image ready to draw.
pub enum PreparedImage {
    Svg(Box<usvg::Tree>),
    Png(krilla::image::Image),
}

impl PreparedImage {
    /// Parses `source` (SVG text set in `fonts`); the error says what is wrong with it.
    pub fn prepare(source: &ImageSource, fonts: &FontSet) -> Result<Self, String> {
        match source {
            ImageSource::Svg(svg) => {
                let options = usvg::Options {
                    fontdb: fonts.svg_fonts.clone(),
                    font_family: fonts.regular.family().to_string(),
                    ..Default::default()
                };
                usvg::Tree::from_str(svg, &options)
                    .map(|tree| Self::Svg(Box::new(tree)))
                    .map_err(|e| format!("SVG image: {e}"))
            }
            ImageSource::Png(png) => {
                krilla::image::Image::from_png(krilla::Data::from(png.clone()), true)
                    .map(Self::Png)
                    .map_err(|e| format!("PNG image: {e}"))
            }
        }
    }

    /// Height ÷ width.
    pub fn aspect(&self) -> f32 {
        let (width, height) = match self {
            Self::Svg(tree) => (tree.size().width(), tree.size().height()),
            Self::Png(image) => {
                let (w, h) = image.size();
                (w as f32, h as f32)
            }
        };
        if width > 0.0 { height / width } else { 1.0 }
    }
}

/// Draws `layout` of `document` with `fonts` and `images` (in the order of
/// `layout::images_of`) into PDF bytes.
pub fn write(
    document: &Document,
    layout: &Layout<'_>,
    fonts: &FontSet,
    images: &[PreparedImage],
) -> Result<Vec<u8>, String> {
    let mut pdf = krilla::Document::new();
    let mut metadata = Metadata::new()
        .title(document.title.clone())
        .language(document.language.clone())
        .creator("diming".into());
    if let Some(author) = &document.author {
        metadata = metadata.authors(vec![author.clone()]);
    }
    if let Some(subject) = &document.subject {
        metadata = metadata.description(subject.clone());
    }
    pdf.set_metadata(metadata);
    let settings = PageSettings::from_wh(layout.page_width, layout.page_height)
        .ok_or("the page has no area")?;
    for page_layout in &layout.pages {
        let mut page = pdf.start_page_with(settings.clone());
        for item in &page_layout.items {
            if let Draw::Link {
                x,
                y,
                width,
                height,
                anchor,
            } = item
                && let (Some(&(page_index, top)), Some(rect)) = (
                    layout.anchors.get(anchor),
                    Rect::from_xywh(*x, *y, *width, *height),
                )
            {
                let target = Target::Destination(Destination::Xyz(XyzDestination::new(
                    page_index,
                    Point::from_xy(0.0, top),
                )));
                page.add_annotation(Annotation::new_link(
                    LinkAnnotation::new(rect, target),
                    None,
                ));
            }
        }
        let mut surface = page.surface();
        for item in &page_layout.items {
            draw(&mut surface, item, fonts, images);
        }
        surface.finish();
        page.finish();
    }
    if !layout.outline.is_empty() {
        pdf.set_outline(outline(&layout.outline));
    }
    pdf.finish().map_err(|e| format!("{e:?}"))
}

fn gray_fill(gray: u8) -> Fill {
    Fill {
        paint: luma::Color::new(gray).into(),
        ..Default::default()
    }
}

fn draw(surface: &mut Surface<'_>, item: &Draw<'_>, fonts: &FontSet, images: &[PreparedImage]) {
    match item {
        Draw::Text(run) => text(surface, run, fonts),
        Draw::Fill {
            x,
            y,
            width,
            height,
            gray,
        } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(gray_fill(*gray)));
                surface.draw_path(&path);
            }
        }
        Draw::Rule {
            from,
            to,
            width,
            gray,
            dotted,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(from.0, from.1);
            path.line_to(to.0, to.1);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: luma::Color::new(*gray).into(),
                    width: *width,
                    line_cap: if *dotted {
                        LineCap::Round
                    } else {
                        LineCap::Butt
                    },
                    dash: dotted.then(|| StrokeDash {
                        array: vec![0.0, 3.0],
                        offset: 0.0,
                    }),
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Draw::Image {
            image,
            x,
            y,
            width,
            height,
        } => {
            let (Some(image), Some(size)) = (images.get(*image), Size::from_wh(*width, *height))
            else {
                return;
            };
            surface.push_transform(&Transform::from_translate(*x, *y));
            match image {
                PreparedImage::Svg(tree) => {
                    surface.draw_svg(tree, size, SvgSettings::default());
                }
                PreparedImage::Png(png) => surface.draw_image(png.clone(), size),
            }
            surface.pop();
        }
        Draw::Modules {
            x,
            y,
            module,
            cells,
        } => {
            let mut path = PathBuilder::new();
            for (column, row) in cells.iter() {
                if let Some(rect) = Rect::from_xywh(
                    x + *column as f32 * module,
                    y + *row as f32 * module,
                    *module,
                    *module,
                ) {
                    path.push_rect(rect);
                }
            }
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(gray_fill(0)));
                surface.draw_path(&path);
            }
        }
        Draw::Link { .. } => {}
    }
}

fn text(surface: &mut Surface<'_>, run: &TextRun, fonts: &FontSet) {
    if run.text.is_empty() {
        return;
    }
    let (face, synthetic_bold) = fonts.face(run.face);
    let mut gaps = run.gaps.iter().peekable();
    let mut glyphs: Vec<KrillaGlyph> = Vec::with_capacity(run.text.len() / 2);
    for (n, (at, c)) in run.text.char_indices().enumerate() {
        // The gap before character n widens the advance of the one before it.
        if gaps.next_if(|&&g| usize::from(g) == n).is_some()
            && let Some(previous) = glyphs.last_mut()
        {
            previous.x_advance += run.gap / run.size;
        }
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(u32::from(face.glyph(c))),
            face.advance_em(c),
            0.0,
            0.0,
            0.0,
            at..at + c.len_utf8(),
            None,
        ));
    }
    surface.set_fill(Some(gray_fill(run.gray)));
    surface.set_stroke(synthetic_bold.then(|| Stroke {
        paint: luma::Color::new(run.gray).into(),
        width: run.size * 0.03,
        ..Default::default()
    }));
    surface.draw_glyphs(
        Point::from_xy(run.x, run.baseline),
        &glyphs,
        face.krilla.clone(),
        &run.text,
        run.size,
        false,
    );
    surface.set_stroke(None);
}

/// The outline as a tree: each heading under the last one of a lower level.
fn outline(entries: &[OutlineEntry]) -> Outline {
    fn node(entry: &OutlineEntry) -> OutlineNode {
        // Chapters open, so that their sections show; deeper levels closed.
        OutlineNode::new(
            entry.text.clone(),
            XyzDestination::new(entry.page, Point::from_xy(0.0, entry.y)),
        )
        .with_open(entry.level == 1)
    }
    // Build children first: a stack of (level, node) whose tops are still open.
    let mut stack: Vec<(u8, OutlineNode)> = Vec::new();
    let mut roots = Vec::new();
    let close = |stack: &mut Vec<(u8, OutlineNode)>, roots: &mut Vec<OutlineNode>| {
        let (_, done) = stack.pop().expect("an open node");
        match stack.last_mut() {
            Some((_, parent)) => parent.push_child(done),
            None => roots.push(done),
        }
    };
    for entry in entries {
        while stack.last().is_some_and(|(level, _)| *level >= entry.level) {
            close(&mut stack, &mut roots);
        }
        stack.push((entry.level, node(entry)));
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    let mut outline = Outline::new();
    for root in roots {
        outline.push_child(root);
    }
    outline
}
