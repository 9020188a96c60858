//! Pagination checked with a fake font: Chinese one em, spaces a quarter, the rest half an em.

use super::*;
use crate::render::pdf::linebreak::is_cjk;

struct FakeFont;

impl Measure for FakeFont {
    fn advance(&self, _face: Face, c: char) -> f32 {
        if is_cjk(c) {
            1.0
        } else if c == ' ' {
            0.25
        } else {
            0.5
        }
    }
    fn ascent(&self) -> f32 {
        0.88
    }
    fn descent(&self) -> f32 {
        0.12
    }
}

fn texts<'a>(page: &'a PageLayout<'_>) -> Vec<&'a TextRun> {
    page.items
        .iter()
        .filter_map(|item| match item {
            Draw::Text(run) => Some(run),
            _ => None,
        })
        .collect()
}

/// The page (1-based) whose text holds `needle`.
fn page_of(layout: &Layout<'_>, needle: &str, skip_pages: usize) -> Option<usize> {
    layout
        .pages
        .iter()
        .enumerate()
        .skip(skip_pages)
        .find(|(_, page)| texts(page).iter().any(|run| run.text == needle))
        .map(|(n, _)| n + 1)
}

fn marker_table(rows: usize) -> Table {
    let mut table = Table::new(
        vec![
            Column::new(1.0),
            Column::new(3.0),
            Column::aligned(1.0, Align::Right),
        ],
        vec!["编号".into(), "位置".into(), "高程".into()],
    );
    for n in 0..rows {
        table.rows.push(vec![
            format!("J{n:03}"),
            "塘东村北侧田埂".into(),
            format!("{}.5", n % 10),
        ]);
    }
    table
}

#[test]
fn a_table_longer_than_a_page_repeats_its_header_on_every_page() {
    let mut document = Document::new("界桩登记表");
    document.push(Heading::new(1, "界桩登记表"));
    document.push(marker_table(200));
    let layout = layout(&document, &FakeFont, &[]);
    assert!(layout.pages.len() >= 3, "{} pages", layout.pages.len());
    let mut rows_seen = 0;
    for (n, page) in layout.pages.iter().enumerate() {
        let runs = texts(page);
        let rows: Vec<&&TextRun> = runs.iter().filter(|r| r.text.starts_with('J')).collect();
        rows_seen += rows.len();
        let header = runs
            .iter()
            .find(|r| r.text == "编号")
            .unwrap_or_else(|| panic!("page {} has no header row", n + 1));
        assert!(
            rows.iter().all(|r| r.baseline > header.baseline),
            "page {}: the header is above every row",
            n + 1
        );
    }
    assert_eq!(rows_seen, 200, "every row once");
}

#[test]
fn no_text_leaves_the_page_body() {
    let mut document = Document::new("地名志");
    document.push(Heading::new(1, "概况"));
    for n in 0..60 {
        document.push(Paragraph::new(format!(
            "第{n}段：嘉善县位于浙江省东北部，江浙沪两省一市交界处，Jiāshàn Xiàn 是国家级生态县。"
        )));
    }
    document.push(marker_table(80));
    let layout = layout(&document, &FakeFont, &[]);
    let setup = PageSetup::a4();
    let (left, right) = (
        setup.margin_left_mm * PT_PER_MM,
        (setup.width_mm - setup.margin_right_mm) * PT_PER_MM,
    );
    let (top, bottom) = (
        setup.margin_top_mm * PT_PER_MM,
        (setup.height_mm - setup.margin_bottom_mm) * PT_PER_MM,
    );
    for page in &layout.pages {
        for run in texts(page) {
            let width: f32 = run
                .text
                .chars()
                .map(|c| FakeFont.advance(run.face, c) * run.size)
                .sum::<f32>()
                + run.gap * run.gaps.len() as f32;
            assert!(
                run.x >= left - 0.01,
                "{:?} starts left of the margin",
                run.text
            );
            assert!(
                run.x + width <= right + 0.01,
                "{:?} runs past the right margin: {} > {right}",
                run.text,
                run.x + width
            );
            let in_body = run.baseline > top && run.baseline <= bottom;
            let furniture = run.size == 9.0;
            assert!(in_body || furniture, "{:?} outside the body", run.text);
        }
    }
}

#[test]
fn the_table_of_contents_carries_the_pages_the_headings_landed_on() {
    let mut document = Document::new("嘉善县地名志");
    document.push(TitlePage {
        title: "嘉善县地名志".into(),
        subtitle: None,
        lines: vec!["嘉善县民政局".into()],
    });
    document.push(TableOfContents::default());
    document.push(Block::PageBreak);
    let chapters = ["第一章 政区", "第二章 自然地理实体", "第三章 居民点"];
    for chapter in chapters {
        document.push(Block::RunningHead(chapter.into()));
        document.push(Heading::new(1, chapter));
        for n in 0..(40 + chapter.len()) {
            document.push(Paragraph::new(format!(
                "{chapter}第{n}段，一段足够长的正文，让每一章占去好几页纸，检查目录里的页码。"
            )));
        }
        document.push(Heading::new(2, format!("{chapter}附记")));
        document.push(Paragraph::new("附记正文。"));
        document.push(Block::PageBreak);
    }
    let layout = layout(&document, &FakeFont, &[]);
    let contents_page = &layout.pages[1];
    let runs = texts(contents_page);
    let mut checked = 0;
    for chapter in chapters {
        for title in [chapter.to_string(), format!("{chapter}附记")] {
            let line = runs
                .iter()
                .find(|r| r.text == title)
                .unwrap_or_else(|| panic!("{title} is in the table of contents"));
            let number = runs
                .iter()
                .find(|r| r.baseline == line.baseline && r.text.chars().all(|c| c.is_ascii_digit()))
                .unwrap_or_else(|| panic!("{title} has a page number"));
            let landed = page_of(&layout, &title, 2).expect("the heading is set");
            assert_eq!(number.text, landed.to_string(), "{title}");
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
    // The outline has the same headings, nested.
    assert_eq!(layout.outline.iter().filter(|e| e.level == 1).count(), 4);
}

#[test]
fn the_title_page_has_neither_head_nor_number_and_the_others_count_from_it() {
    let mut document = Document::new("报告");
    document.push(TitlePage {
        title: "联合检查报告".into(),
        subtitle: Some("2026 年度".into()),
        lines: vec![],
    });
    document.push(Block::RunningHead("一、概况".into()));
    document.push(Heading::new(1, "一、概况"));
    for _ in 0..80 {
        document.push(Paragraph::new(
            "检查组沿边界线逐桩查看，界桩完好，标志清楚。",
        ));
    }
    let layout = layout(&document, &FakeFont, &[]);
    assert!(layout.pages.len() >= 3);
    let title = texts(&layout.pages[0]);
    assert!(title.iter().all(|r| r.text != "报告" && r.text != "1"));
    for (n, page) in layout.pages.iter().enumerate().skip(1) {
        let runs = texts(page);
        assert!(
            runs.iter().any(|r| r.text == (n + 1).to_string()),
            "page {} shows its number",
            n + 1
        );
        assert!(runs.iter().any(|r| r.text == "一、概况" && r.size == 9.0));
    }
}

#[test]
fn a_heading_is_never_the_last_line_of_a_page() {
    let mut document = Document::new("地名志");
    for n in 0..40 {
        document.push(Heading::new(2, format!("第{n}节")));
        for _ in 0..(n % 7 + 1) {
            document.push(Paragraph::new("正文一行。"));
        }
    }
    let layout = layout(&document, &FakeFont, &[]);
    for page in &layout.pages {
        let body: Vec<&TextRun> = texts(page).into_iter().filter(|r| r.size != 9.0).collect();
        let last = body
            .iter()
            .max_by(|a, b| a.baseline.total_cmp(&b.baseline))
            .unwrap();
        assert!(!last.text.starts_with('第'), "{:?} ends a page", last.text);
    }
}

#[test]
fn the_index_lists_the_pages_of_its_anchors() {
    let mut document = Document::new("地名志");
    for n in 0..200 {
        document.push(Entry {
            head: format!("地名{n}"),
            head_note: Some("Dìmíng".into()),
            fields: vec![("代码".into(), format!("3304211{n:02}"))],
            text: Some("位于县境北部，因塘得名。".into()),
            anchor: Some(format!("place-{n}")),
        });
    }
    document.push(Block::PageBreak);
    document.push(Index {
        title: "索引".into(),
        entries: vec![
            IndexEntry {
                term: "地名7".into(),
                anchors: vec!["place-7".into()],
            },
            IndexEntry {
                term: "地名199".into(),
                anchors: vec!["place-199".into(), "place-0".into()],
            },
        ],
    });
    let layout = layout(&document, &FakeFont, &[]);
    let index_page = layout.pages.last().unwrap();
    let runs = texts(index_page);
    let numbers_of = |term: &str| {
        let line = runs.iter().find(|r| r.text == term).unwrap();
        runs.iter()
            .find(|r| r.baseline == line.baseline && r.text != term)
            .unwrap()
            .text
            .clone()
    };
    let seven = page_of(&layout, "地名7", 0).unwrap();
    let last = page_of(&layout, "地名199", 0).unwrap();
    assert!(last > 1);
    assert_eq!(numbers_of("地名7"), seven.to_string());
    assert_eq!(numbers_of("地名199"), format!("1, {last}"));
}

#[test]
fn entries_are_not_split_across_pages() {
    let mut document = Document::new("地名志");
    for n in 0..300 {
        document.push(Entry {
            head: format!("村{n}"),
            head_note: Some("Cūn".into()),
            fields: vec![("类别".into(), "行政村".into())],
            text: Some("位于镇境东部。".into()),
            anchor: None,
        });
    }
    let layout = layout(&document, &FakeFont, &[]);
    for page in &layout.pages {
        let runs = texts(page);
        let heads = runs.iter().filter(|r| r.text.starts_with('村')).count();
        let bodies = runs.iter().filter(|r| r.text == "位于镇境东部。").count();
        assert_eq!(heads, bodies, "each entry whole on its page");
    }
}
