//! The gazetteer (地名志) as one HTML book: title page, contents, overview, chronicle, the entries
//! by category, the pinyin and stroke indexes linking to the entries, and the appendix of changes;
//! styled for the screen and for printing (each part on a new page).

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::domain::gazetteer::{Gazetteer, IndexLine, chinese_number};

const STYLE: &str = "body{margin:0;font:16px/1.7 'Noto Serif CJK SC','Noto Sans CJK SC','Songti SC',serif;color:#1b1b1b}\
main{max-width:46rem;margin:0 auto;padding:1rem}h1{font-size:2.4rem;text-align:center;margin:4rem 0 1rem;letter-spacing:.2em}\
.sub{text-align:center;color:#444}h2{border-bottom:2px solid #8a1c1c;padding-bottom:.2rem;margin-top:3rem}\
h3{margin:1.4rem 0 0;font-size:1.25rem}.py{color:#555;font-style:italic;margin:0}.loc{color:#555;margin:0;font-size:.9rem}\
dl{margin:.3rem 0}dt{font-weight:600;display:inline}dd{display:inline;margin:0}dd:after{content:'';display:block}\
.index{columns:2;column-gap:2rem}.index h4{margin:.6rem 0 .2rem;break-after:avoid}.index p{margin:0;break-inside:avoid}\
.index a{color:inherit;text-decoration:none}table{border-collapse:collapse;width:100%}\
th,td{border:1px solid #bbb;padding:.25rem .45rem;text-align:left;vertical-align:top}nav ol{line-height:2}\
@media print{h2{break-before:page}a{color:inherit;text-decoration:none}}";

/// The book as an HTML page.
pub fn gazetteer_html(book: &Gazetteer) -> String {
    let parts: Vec<(String, String)> = [
        ("overview".to_string(), "概述".to_string()),
        ("chronicle".to_string(), "大事记".to_string()),
    ]
    .into_iter()
    .chain(
        book.chapters
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("c{i}"), c.category.1.clone())),
    )
    .chain([
        ("pinyin".to_string(), "汉语拼音索引".to_string()),
        ("strokes".to_string(), "笔画索引".to_string()),
        ("changes".to_string(), "附录：地名变更一览".to_string()),
    ])
    .collect();
    let body = html! {
        main {
            section.title {
                h1 { (book.title) }
                p.sub { (book.division_name) " · " (book.division_code) }
                p.sub { "资料截至 " (book.as_of) " · 收录地名 " (book.entry_count()) " 条" }
            }
            nav { h2 { "目录" } ol { @for (id, title) in &parts { li { a href=(format!("#{id}")) { (title) } } } } }
            h2 #overview { "概述" }
            @for line in &book.overview { p { (line) } }
            h2 #chronicle { "大事记" }
            @if book.chronicle.is_empty() { p { "（本期无区划变更和地名命名、更名事项）" } }
            @for line in &book.chronicle { p { b { (line.on) } " " (line.text) } }
            @for (i, chapter) in book.chapters.iter().enumerate() {
                h2 id=(format!("c{i}")) { (chinese_number(i as u32 + 1)) "、" (chapter.category.1) }
                @for entry in &chapter.entries {
                    h3 id=(format!("p{}", entry.place_id)) { (entry.name) }
                    @if !entry.romanization.is_empty() { p.py { (entry.romanization) } }
                    @if !entry.location.is_empty() { p.loc { (entry.location) } }
                    dl {
                        @if !entry.former_names.is_empty() { dt { "曾用名：" } dd { (entry.former_names.join("、")) } }
                        @if let Some(text) = &entry.meaning { dt { "含义：" } dd { (text) } }
                        @if let Some(text) = &entry.history { dt { "沿革：" } dd { (text) } }
                        @if let Some(text) = &entry.description { dt { "概况：" } dd { (text) } }
                    }
                }
            }
            h2 #pinyin { "汉语拼音索引" }
            (index(&book.pinyin_index))
            h2 #strokes { "笔画索引" }
            (index(&book.stroke_index))
            h2 #changes { "附录：地名变更一览" }
            @if book.changes.is_empty() { p { "（本期无地名变更）" } }
            @else {
                table {
                    thead { tr { th { "日期" } th { "原名称" } th { "现名称" } th { "变更" } th { "批准文件" } } }
                    tbody {
                        @for change in &book.changes {
                            tr { td { (change.on) } td { (change.from) } td { (change.to) } td { (change.kind) } td { (change.document.as_deref().unwrap_or("")) } }
                        }
                    }
                }
            }
        }
    };
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (book.title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

fn index(lines: &[IndexLine]) -> Markup {
    html! {
        div.index {
            @for (i, line) in lines.iter().enumerate() {
                @if i == 0 || lines[i - 1].heading != line.heading { h4 { (line.heading) } }
                p { a href=(format!("#p{}", line.place_id)) { (line.name) " " span.py { (line.romanization) } } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::gazetteer::{ChronicleLine, Entry};
    use chrono::NaiveDate;

    #[test]
    fn the_book_links_its_indexes_to_its_entries_and_escapes_text() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let book = Gazetteer::assemble(
            "嘉善县地名志".into(),
            "330421".into(),
            "浙江省嘉兴市嘉善县".into(),
            day,
            vec!["概况 <b>".into()],
            vec![ChronicleLine {
                on: day,
                text: "设立大云镇。".into(),
            }],
            vec![Entry {
                place_id: 7,
                name: "大云镇".into(),
                romanization: "Dayun Zhen".into(),
                category: ("11".into(), "行政区域".into()),
                location: String::new(),
                meaning: Some("因大云寺得名".into()),
                history: None,
                description: None,
                former_names: vec!["大云乡".into()],
            }],
            &["11".into()],
            vec![],
        );
        let page = gazetteer_html(&book);
        assert!(page.contains("id=\"p7\""));
        assert_eq!(page.matches("href=\"#p7\"").count(), 2);
        assert!(page.contains("概况 &lt;b&gt;"));
        assert!(page.contains("一、行政区域"));
        assert!(page.contains("曾用名："));
    }
}
