//! PDF typesetting: a gazetteer of 50,000 entries (title page, contents, running heads, an
//! index) and a joint-inspection table of 2,000 markers, both set in Noto Sans CJK SC.
//! Goals (release): the book well under 30 s, the table under 2 s.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use diming::render::pdf::font::{
    DEFAULT_CJK_BOLD_FONT, DEFAULT_CJK_FONT, DEFAULT_CJK_FONT_INDEX, FontSet,
};
use diming::render::pdf::model::*;
use diming::render::pdf::render;

/// Deterministic names: syllables picked by a linear congruential sequence.
struct Names(u64);

impl Names {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next() as usize % from.len()]
    }
}

const CHARACTERS: [&str; 24] = [
    "塘", "东", "西", "南", "北", "桥", "浜", "港", "湾", "庄", "泾", "埭", "新", "丰", "大", "小",
    "家", "河", "圩", "荡", "墩", "兴", "安", "里",
];
const SYLLABLES: [&str; 24] = [
    "táng", "dōng", "xī", "nán", "běi", "qiáo", "bāng", "gǎng", "wān", "zhuāng", "jīng", "dài",
    "xīn", "fēng", "dà", "xiǎo", "jiā", "hé", "wéi", "dàng", "dūn", "xīng", "ān", "lǐ",
];

/// A county gazetteer of `entries` entries in chapters of 5,000, with an index of every
/// tenth entry.
fn book(entries: usize) -> Document {
    let mut names = Names(42);
    let mut document = Document::new("嘉善县地名志");
    document.author = Some("嘉善县民政局".into());
    document.push(TitlePage {
        title: "嘉善县地名志".into(),
        subtitle: Some("Jiāshàn Xiàn Dìmíngzhì".into()),
        lines: vec!["嘉善县民政局 编".into(), "二〇二六年".into()],
    });
    document.push(TableOfContents::default());
    document.push(Block::PageBreak);
    let mut index = Vec::new();
    for n in 0..entries {
        if n % 5_000 == 0 {
            let chapter = format!("第{}章 居民点", n / 5_000 + 1);
            document.push(Block::PageBreak);
            document.push(Block::RunningHead(chapter.clone()));
            document.push(Heading::new(1, chapter));
            document.push(Paragraph::new(
                "本章收录县境内的自然村和居民区，按所在镇（街道）排列，每条记其标准名称、罗马字母拼写、代码、位置、得名由来和概况。",
            ));
        }
        if n % 500 == 0 {
            document.push(Heading::new(2, format!("第{}节", n / 500 % 10 + 1)));
        }
        let (a, b) = (names.next() as usize % 24, names.next() as usize % 24);
        let head = format!("{}{}村", CHARACTERS[a], CHARACTERS[b]);
        let pinyin = format!("{}{} Cūn", capitalise(SYLLABLES[a]), SYLLABLES[b]);
        let anchor = format!("entry-{n}");
        if n % 10 == 0 {
            index.push(IndexEntry {
                term: head.clone(),
                anchors: vec![anchor.clone()],
            });
        }
        let origin = names.pick(&["因村旁有塘得名", "以姓氏得名", "因地处河湾得名", "以桥名村"]);
        document.push(Entry {
            head,
            head_note: Some(pinyin),
            fields: vec![
                ("代码".into(), format!("330421{:06}", n)),
                ("位置".into(), format!("西塘镇政府驻地东北 {}.{} 千米", n % 9 + 1, n % 7)),
            ],
            text: Some(format!(
                "{origin}。辖 {} 个村民小组，{} 户，约 {} 人。村内有古桥一座，河道纵横，以水稻、蚕桑为主业，近年发展乡村旅游。",
                n % 12 + 3,
                n % 400 + 120,
                n % 1500 + 400
            )),
            anchor: Some(anchor),
        });
    }
    index.sort_by(|a, b| a.term.cmp(&b.term));
    document.push(Block::PageBreak);
    document.push(Block::RunningHead("索引".into()));
    document.push(Index {
        title: "索引".into(),
        entries: index,
    });
    document
}

fn capitalise(syllable: &str) -> String {
    let mut chars = syllable.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A joint-inspection report with the 界桩登记表 of `rows` markers (header on every page).
fn marker_table(rows: usize) -> Document {
    let mut document = Document::new("嘉善县—吴江区行政区域界线联合检查报告");
    document.page = PageSetup::a4_landscape();
    document.push(Heading::new(1, "界桩登记表"));
    let mut table = Table::new(
        vec![
            Column::new(1.0),
            Column::new(1.2),
            Column::new(3.0),
            Column::aligned(1.3, Align::Right),
            Column::aligned(1.3, Align::Right),
            Column::new(1.0),
            Column::new(2.0),
        ],
        ["界桩编号", "类型", "位置", "北纬", "东经", "状况", "备注"]
            .map(String::from)
            .to_vec(),
    );
    table.caption = Some("表 1 界桩登记表".into());
    for n in 0..rows {
        table.rows.push(vec![
            format!("J{:04}", n + 1),
            if n % 3 == 0 { "双面桩" } else { "单面桩" }.into(),
            format!(
                "嘉善县西塘镇与吴江区黎里镇交界处，第 {} 号田埂北侧",
                n % 90 + 1
            ),
            format!("30.{:05}", 90_000 + n * 7 % 9_999),
            format!("120.{:05}", 80_000 + n * 13 % 9_999),
            if n % 17 == 0 { "需维护" } else { "完好" }.into(),
            if n % 5 == 0 {
                "桩体倾斜，已扶正并加固基座"
            } else {
                ""
            }
            .into(),
        ]);
    }
    document.push(table);
    document
}

fn fonts() -> FontSet {
    FontSet::load(
        (Path::new(DEFAULT_CJK_FONT), DEFAULT_CJK_FONT_INDEX),
        Some((Path::new(DEFAULT_CJK_BOLD_FONT), DEFAULT_CJK_FONT_INDEX)),
    )
    .expect("Noto Sans CJK (Debian fonts-noto-cjk) is installed")
}

fn pdf(c: &mut Criterion) {
    let fonts = fonts();
    let mut group = c.benchmark_group("pdf");
    group.sample_size(10);

    let table = marker_table(2_000);
    group.bench_function("inspection_table_2000_rows", |b| {
        b.iter(|| render(&table, &fonts).expect("rendered").bytes.len())
    });

    let book = book(50_000);
    group.bench_function("gazetteer_50000_entries", |b| {
        b.iter(|| render(&book, &fonts).expect("rendered").bytes.len())
    });
    group.finish();
}

criterion_group!(benches, pdf);
criterion_main!(benches);
