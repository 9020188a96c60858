//! The whole layer with the real font: the PDF's text comes back exactly through poppler's
//! `pdftotext`, the font is embedded as a subset (`pdffonts`), and a page renders
//! (`pdftoppm`; the picture is left in /tmp/pdf-sample.png to look at).

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use super::font::{DEFAULT_CJK_BOLD_FONT, DEFAULT_CJK_FONT, DEFAULT_CJK_FONT_INDEX, FontSet};
use super::model::*;
use super::render;

fn fonts() -> &'static FontSet {
    static FONTS: OnceLock<FontSet> = OnceLock::new();
    FONTS.get_or_init(|| {
        FontSet::load(
            (Path::new(DEFAULT_CJK_FONT), DEFAULT_CJK_FONT_INDEX),
            Some((Path::new(DEFAULT_CJK_BOLD_FONT), DEFAULT_CJK_FONT_INDEX)),
        )
        .expect("Noto Sans CJK (Debian fonts-noto-cjk) is installed")
    })
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} (Debian poppler-utils) is installed: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn write_pdf(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path.display().to_string())
}

#[test]
fn the_font_is_noto_sans_cjk_sc() {
    assert_eq!(fonts().regular.family(), "Noto Sans CJK SC");
    for c in "嘉善县西塘镇ā á ǎ à ē é ě è ī ō ǒ ū ǔ ǖ ǘ ǚ ǜ ü，。（）".chars()
    {
        assert!(fonts().regular.covers(c), "the font has {c}");
    }
}

#[test]
fn chinese_and_pinyin_come_back_exactly_from_the_pdf() {
    let lines = [
        "嘉善县 Jiāshàn Xiàn",
        "西塘镇（Xītáng Zhèn）位于县境北部，因塘得名。",
        "界桩 J001：北纬 30°57′，东经 120°54′。",
    ];
    let mut document = Document::new("拼音测试");
    document.page.header = false;
    document.page.footer = false;
    for line in lines {
        document.push(Paragraph::new(line).styled(TextStyle {
            first_line_indent_em: 0.0,
            align: Align::Left,
            ..TextStyle::default()
        }));
    }
    // Pinyin written with combining marks is composed before it is set.
    document.push(Paragraph::new("Jia\u{0304}sha\u{0300}n").styled(TextStyle {
        first_line_indent_em: 0.0,
        ..TextStyle::default()
    }));
    let rendered = render(&document, fonts()).unwrap();
    assert!(rendered.missing.is_empty(), "{:?}", rendered.missing);
    let (_dir, path) = write_pdf("pinyin.pdf", &rendered.bytes);
    let text = run("pdftotext", &["-enc", "UTF-8", &path, "-"]);
    let extracted: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('\u{c}'))
        .collect();
    assert_eq!(extracted, [lines[0], lines[1], lines[2], "Jiāshàn"]);
}

#[test]
fn the_font_is_embedded_as_a_subset_with_its_text() {
    let mut document = Document::new("子集");
    document.push(Heading::new(1, "嘉善县地名志"));
    document.push(Paragraph::new("嘉善县位于浙江省东北部。"));
    let rendered = render(&document, fonts()).unwrap();
    // A subset: a few kilobytes, not the 19 MB collection.
    assert!(
        rendered.bytes.len() < 200_000,
        "{} bytes",
        rendered.bytes.len()
    );
    let (_dir, path) = write_pdf("subset.pdf", &rendered.bytes);
    let listing = run("pdffonts", &[&path]);
    let noto: Vec<&str> = listing
        .lines()
        .filter(|line| line.contains("NotoSansCJK"))
        .collect();
    assert!(!noto.is_empty(), "{listing}");
    for line in noto {
        // name: ABCDEF+NotoSansCJKsc-Regular; then type, encoding, emb sub uni, object.
        let name = line.split_whitespace().next().unwrap();
        assert!(
            name.len() > 7 && name.as_bytes()[6] == b'+',
            "a subset tag: {line}"
        );
        let flags: Vec<&str> = line.split_whitespace().rev().skip(2).take(3).collect();
        assert_eq!(
            flags,
            ["yes", "yes", "yes"],
            "embedded, subset, mapped: {line}"
        );
    }
}

/// A page of everything a gazetteer or a report uses, drawn at 80 dpi to /tmp/pdf-sample.png.
#[test]
fn a_sample_page_renders() {
    let mut document = Document::new("嘉善县地名志（样张）");
    document.author = Some("嘉善县民政局".into());
    document.push(Block::RunningHead("第一章 政区".into()));
    document.push(Heading::new(1, "第一章 政区"));
    document.push(Heading::new(2, "第一节 县"));
    document.push(Paragraph::new(
        "嘉善县 Jiāshàn Xiàn 位于浙江省东北部、江浙沪两省一市交界处，东邻上海市青浦区、金山区，\
         南连平湖市、嘉兴市南湖区，西接嘉兴市秀洲区，北靠江苏省苏州市吴江区。\
         县域面积 507.68 平方千米，辖 6 个镇、3 个街道。“嘉善”一名，始于明宣德五年（1430 年）。",
    ));
    document.push(Entry {
        head: "西塘镇".into(),
        head_note: Some("Xītáng Zhèn".into()),
        fields: vec![
            ("代码".into(), "330421102".into()),
            ("驻地".into(), "西塘镇南苑路 1 号".into()),
        ],
        text: Some(
            "位于县境北部，因镇区有胥塘、西塘两条河流而得名。历史文化名镇，以水乡古镇著称。".into(),
        ),
        anchor: None,
    });
    document.push(KeyValue::new(vec![
        ("面积".into(), "83.61 平方千米".into()),
        ("人口".into(), "约 8.5 万人（2020 年）".into()),
    ]));
    let mut table = Table::new(
        vec![
            Column::new(1.0),
            Column::new(3.0),
            Column::aligned(1.2, Align::Right),
            Column::aligned(1.2, Align::Right),
        ],
        vec![
            "界桩编号".into(),
            "位置".into(),
            "北纬".into(),
            "东经".into(),
        ],
    );
    table.caption = Some("表 1 界桩登记表".into());
    for n in 1..=6 {
        table.rows.push(vec![
            format!("J{n:03}"),
            format!("嘉善县西塘镇与吴江区黎里镇交界处，塘东村北侧田埂第 {n} 号"),
            format!("30.{n}9"),
            format!("120.{n}8"),
        ]);
    }
    document.push(table);
    document.push(Figure {
        image: ImageSource::Svg(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="80" viewBox="0 0 200 80"><rect width="200" height="80" fill="#eef"/><path d="M10 70 L90 10 L190 60" stroke="#c00" fill="none" stroke-width="2"/><text x="20" y="40" font-size="14">界线 嘉善—吴江</text></svg>"##.into(),
        ),
        width_mm: 90.0,
        caption: Some("图 1 边界线示意".into()),
    });
    // A signature block: a table without rules.
    let mut signatures = Table::new(vec![Column::new(1.0), Column::new(1.0)], Vec::new());
    signatures.borders = false;
    signatures.size_pt = 10.5;
    signatures.rows = vec![
        vec!["嘉善县代表（签字）：".into(), "吴江区代表（签字）：".into()],
        vec![
            "日期：2026 年 5 月 12 日".into(),
            "日期：2026 年 5 月 12 日".into(),
        ],
    ];
    document.push(signatures);
    let rendered = render(&document, fonts()).unwrap();
    assert_eq!(rendered.pages, 1);
    let (dir, path) = write_pdf("sample.pdf", &rendered.bytes);
    let prefix = dir.path().join("sample").display().to_string();
    run(
        "pdftoppm",
        &["-png", "-r", "80", "-singlefile", &path, &prefix],
    );
    std::fs::copy(format!("{prefix}.png"), "/tmp/pdf-sample.png").unwrap();
    std::fs::copy(&path, "/tmp/pdf-sample.pdf").unwrap();
    let text = run("pdftotext", &["-enc", "UTF-8", &path, "-"]);
    for expected in [
        "西塘镇",
        "Xītáng Zhèn",
        "界桩编号",
        "J006",
        "图 1 边界线示意",
        "界线",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}

#[test]
fn a_full_qr_print_sheet_is_one_page_with_the_names() {
    use crate::render::qr::{SIZES_MM, SheetItem, sheet_document};
    for size in SIZES_MM {
        let items = |count: usize| -> Vec<SheetItem> {
            (0..count)
                .map(|n| SheetItem {
                    url: format!("https://dm.example.gov.cn/s/7K3QX{n:04}"),
                    name: if n % 3 == 0 {
                        "嘉善县西塘镇塘东村民委员会".into()
                    } else {
                        "塘东村".into()
                    },
                    label: format!("XT-{n} 7K3QX{n:04}"),
                })
                .collect()
        };
        let capacity = (1..200)
            .take_while(|&n| sheet_document(&items(n), size).unwrap().is_some())
            .last()
            .unwrap();
        let document = sheet_document(&items(capacity), size).unwrap().unwrap();
        let rendered = render(&document, fonts()).unwrap();
        assert_eq!(rendered.pages, 1, "{capacity} codes of {size} mm");
        if size == 40 {
            let (dir, path) = write_pdf("sheet.pdf", &rendered.bytes);
            let text = run("pdftotext", &["-enc", "UTF-8", &path, "-"]);
            assert!(
                text.contains("塘东村") && text.contains("XT-1 7K3QX0001"),
                "{text}"
            );
            let prefix = dir.path().join("sheet").display().to_string();
            run(
                "pdftoppm",
                &["-png", "-r", "80", "-singlefile", &path, &prefix],
            );
            std::fs::copy(format!("{prefix}.png"), "/tmp/pdf-sheet.png").unwrap();
            std::fs::copy(&path, "/tmp/pdf-sheet.pdf").unwrap();
        }
    }
}

#[test]
fn the_service_map_becomes_vectors_with_its_chinese_labels_as_text() {
    use crate::render::map::{MapScene, MapView, render_svg};
    use geo::{Coord, Geometry, polygon};
    let boundary: Geometry<f64> = polygon![
        (x: 120.88, y: 30.93), (x: 120.90, y: 30.93), (x: 120.90, y: 30.95), (x: 120.88, y: 30.95)
    ]
    .into();
    let center = Coord {
        x: 120.89,
        y: 30.94,
    };
    let view = MapView {
        center,
        half_width_m: 1500.0,
        width_px: 400.0,
        height_px: 300.0,
    };
    let scene = MapScene {
        boundaries: vec![&boundary],
        feature: None,
        labels: vec![("塘东村".into(), center)],
        marker: Some(center),
    };
    let mut document = Document::new("地图");
    document.push(Figure {
        image: ImageSource::Svg(render_svg(&view, &scene, "西塘镇")),
        width_mm: 120.0,
        caption: Some("图 2 西塘镇".into()),
    });
    let rendered = render(&document, fonts()).unwrap();
    let (_dir, path) = write_pdf("map.pdf", &rendered.bytes);
    let text = run("pdftotext", &["-enc", "UTF-8", &path, "-"]);
    assert!(text.contains("塘东村"), "{text}");
    assert!(text.contains("图 2 西塘镇"), "{text}");
}
