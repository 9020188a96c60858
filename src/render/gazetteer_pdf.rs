//! The gazetteer (地名志) as a typeset document for the PDF layer: a title page, the contents,
//! each part under its running head, the entries as headword blocks with their pinyin, and both
//! indexes pointing at the pages their entries landed on.

use crate::domain::gazetteer::{Gazetteer, IndexLine, chinese_number};
use crate::render::pdf::model::{
    Align, Block, Column, Document, Entry, Heading, Index, IndexEntry, Paragraph, Table,
    TableOfContents, TitlePage,
};

/// The book as a document for `render::pdf`.
pub fn gazetteer_document(book: &Gazetteer) -> Document {
    let mut document = Document::new(book.title.clone());
    document.subject = Some(format!("{} {}", book.division_name, book.division_code));
    document.push(TitlePage {
        title: book.title.clone(),
        subtitle: Some(book.division_name.clone()),
        lines: vec![
            format!("资料截至 {}", book.as_of),
            format!("收录地名 {} 条", book.entry_count()),
        ],
    });
    document.push(TableOfContents::default());
    document.push(Block::PageBreak);

    part(&mut document, "概述");
    for line in &book.overview {
        document.push(Paragraph::new(line.clone()));
    }
    part(&mut document, "大事记");
    if book.chronicle.is_empty() {
        document.push(Paragraph::new("（本期无区划变更和地名命名、更名事项）"));
    }
    for line in &book.chronicle {
        document.push(Paragraph::new(format!("{}　{}", line.on, line.text)));
    }
    for (i, chapter) in book.chapters.iter().enumerate() {
        part(
            &mut document,
            &format!("{}、{}", chinese_number(i as u32 + 1), chapter.category.1),
        );
        for entry in &chapter.entries {
            let mut fields = Vec::new();
            if !entry.location.is_empty() {
                fields.push(("位置".to_string(), entry.location.clone()));
            }
            if !entry.former_names.is_empty() {
                fields.push(("曾用名".to_string(), entry.former_names.join("、")));
            }
            if let Some(text) = &entry.meaning {
                fields.push(("含义".to_string(), text.clone()));
            }
            if let Some(text) = &entry.history {
                fields.push(("沿革".to_string(), text.clone()));
            }
            document.push(Entry {
                head: entry.name.clone(),
                head_note: (!entry.romanization.is_empty()).then(|| entry.romanization.clone()),
                fields,
                text: entry.description.clone(),
                anchor: Some(anchor(entry.place_id)),
            });
        }
    }
    index(&mut document, "汉语拼音索引", &book.pinyin_index);
    index(&mut document, "笔画索引", &book.stroke_index);

    part(&mut document, "附录：地名变更一览");
    if book.changes.is_empty() {
        document.push(Paragraph::new("（本期无地名变更）"));
    } else {
        let mut table = Table::new(
            vec![
                Column::aligned(1.2, Align::Left),
                Column::new(1.4),
                Column::new(1.4),
                Column::new(0.8),
                Column::new(2.2),
            ],
            vec![
                "日期".into(),
                "原名称".into(),
                "现名称".into(),
                "变更".into(),
                "批准文件".into(),
            ],
        );
        for change in &book.changes {
            table.rows.push(vec![
                change.on.to_string(),
                change.from.clone(),
                change.to.clone(),
                change.kind.clone(),
                change.document.clone().unwrap_or_default(),
            ]);
        }
        document.push(table);
    }
    document
}

fn anchor(place_id: i64) -> String {
    format!("p{place_id}")
}

/// A part of the book: a new page, its running head and its heading in the contents.
fn part(document: &mut Document, title: &str) {
    document.push(Block::PageBreak);
    document.push(Block::RunningHead(title.to_string()));
    document.push(Heading::new(1, title));
}

fn index(document: &mut Document, title: &str, lines: &[IndexLine]) {
    document.push(Block::PageBreak);
    document.push(Block::RunningHead(title.to_string()));
    document.push(Index {
        title: title.to_string(),
        entries: lines
            .iter()
            .map(|line| IndexEntry {
                term: format!("{}　{}", line.name, line.romanization),
                anchors: vec![anchor(line.place_id)],
            })
            .collect(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::gazetteer::Entry as BookEntry;
    use chrono::NaiveDate;

    #[test]
    fn every_entry_has_an_anchor_both_indexes_point_at() {
        let book = Gazetteer::assemble(
            "嘉善县地名志".into(),
            "330421".into(),
            "浙江省嘉兴市嘉善县".into(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            vec![],
            vec![],
            vec![BookEntry {
                place_id: 7,
                name: "大云镇".into(),
                romanization: "Dayun Zhen".into(),
                category: ("11".into(), "行政区域".into()),
                location: String::new(),
                meaning: None,
                history: None,
                description: None,
                former_names: vec![],
            }],
            &["11".into()],
            vec![],
        );
        let document = gazetteer_document(&book);
        let anchors: Vec<&str> = document
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Entry(e) => e.anchor.as_deref(),
                _ => None,
            })
            .collect();
        assert_eq!(anchors, ["p7"]);
        let pointing: usize = document
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Index(i) => Some(i.entries.iter().filter(|e| e.anchors == ["p7"]).count()),
                _ => None,
            })
            .sum();
        assert_eq!(pointing, 2);
    }
}
