//! The gazetteer (地名志 / 地名录) as a book: its parts (overview, chronicle, entries by category,
//! indexes by pinyin and by stroke count, appendix of changes) as pure data, and the orders a
//! Chinese reference book uses: pinyin letter by letter, and strokes (笔画) with the characters of
//! one stroke count in the order of 通用规范汉字表 (which orders them by their first strokes,
//! 横竖撇点折).

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::Serialize;

use super::romanize::is_han;

/// Unihan's total stroke counts (data/naming/strokes.txt, see data/SOURCES.md).
const STROKES: &str = include_str!("../../data/naming/strokes.txt");
/// 通用规范汉字表 levels 1 and 2 in the table's order.
const STANDARD_ORDER: &str = include_str!("../../data/naming/general-standard-chars-1-2.txt");

static STROKE_COUNTS: LazyLock<HashMap<char, u8>> = LazyLock::new(|| {
    let mut counts = HashMap::new();
    for line in STROKES.lines().filter(|l| !l.starts_with('#')) {
        if let Some((count, chars)) = line.split_once('\t')
            && let Ok(count) = count.parse::<u8>()
        {
            counts.extend(chars.chars().map(|c| (c, count)));
        }
    }
    counts
});

static TABLE_POSITION: LazyLock<HashMap<char, u32>> = LazyLock::new(|| {
    STANDARD_ORDER
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.chars().next())
        .zip(0..)
        .collect()
});

/// The total strokes of `c` (Unihan kTotalStrokes, the simplified form's count), if known.
///
/// ```
/// use diming::domain::gazetteer::strokes;
/// assert_eq!(strokes('一'), Some(1));
/// assert_eq!(strokes('嘉'), Some(14));
/// assert_eq!(strokes('善'), Some(12));
/// assert_eq!(strokes('a'), None);
/// ```
pub fn strokes(c: char) -> Option<u8> {
    STROKE_COUNTS.get(&c).copied()
}

/// Where `c` sorts among characters: by strokes, then in the order of 通用规范汉字表, then by
/// code point (characters outside the table, and non-Han characters last).
fn character_key(c: char) -> (u8, u32, u32) {
    (
        strokes(c).unwrap_or(u8::MAX),
        TABLE_POSITION.get(&c).copied().unwrap_or(u32::MAX),
        c as u32,
    )
}

/// The order of the stroke index: character by character, by [`character_key`].
///
/// ```
/// use diming::domain::gazetteer::stroke_order;
/// let mut names = vec!["魏塘街道", "大云镇", "干窑镇", "丁栅"];
/// names.sort_by_key(|n| stroke_order(n));
/// assert_eq!(names, ["丁栅", "干窑镇", "大云镇", "魏塘街道"]);
/// ```
pub fn stroke_order(name: &str) -> Vec<(u8, u32, u32)> {
    name.chars().map(character_key).collect()
}

/// The order of the pinyin index: the romanization without tone marks, spaces or case, then
/// with tones (so `Xitang` files before `Xitáng` files before `Xǐtáng`), then the characters.
///
/// ```
/// use diming::domain::gazetteer::pinyin_order;
/// let mut names = vec![("Yaozhuang Zhen", "姚庄镇"), ("Dayun Zhen", "大云镇"), ("Ganyao Zhen", "干窑镇")];
/// names.sort_by_key(|(py, name)| pinyin_order(py, name));
/// assert_eq!(names[0].1, "大云镇");
/// assert_eq!(names[2].1, "姚庄镇");
/// ```
pub fn pinyin_order(romanization: &str, name: &str) -> (String, String, Vec<(u8, u32, u32)>) {
    let folded: String = romanization
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(base_letter)
        .flat_map(char::to_lowercase)
        .collect();
    (folded, romanization.to_lowercase(), stroke_order(name))
}

/// The letter a pinyin vowel with a tone mark is filed under (ü files as u).
fn base_letter(c: char) -> char {
    match c {
        'ā' | 'á' | 'ǎ' | 'à' | 'Ā' | 'Á' | 'Ǎ' | 'À' => 'a',
        'ē' | 'é' | 'ě' | 'è' | 'Ē' | 'É' | 'Ě' | 'È' => 'e',
        'ī' | 'í' | 'ǐ' | 'ì' | 'Ī' | 'Í' | 'Ǐ' | 'Ì' => 'i',
        'ō' | 'ó' | 'ǒ' | 'ò' | 'Ō' | 'Ó' | 'Ǒ' | 'Ò' => 'o',
        'ū' | 'ú' | 'ǔ' | 'ù' | 'Ū' | 'Ú' | 'Ǔ' | 'Ù' => 'u',
        'ü' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'Ü' | 'Ǖ' | 'Ǘ' | 'Ǚ' | 'Ǜ' => 'u',
        other => other,
    }
}

/// The heading a name files under in the pinyin index: its first letter, upper case (`#` when
/// it has no romanization).
pub fn pinyin_heading(romanization: &str) -> String {
    romanization
        .chars()
        .find(|c| c.is_alphabetic())
        .map(base_letter)
        .map_or_else(|| "#".to_string(), |c| c.to_uppercase().collect())
}

/// The heading a name files under in the stroke index: the strokes of its first character in
/// words (`三画`), or `其他` for a name that does not begin with a known Han character.
///
/// ```
/// use diming::domain::gazetteer::stroke_heading;
/// assert_eq!(stroke_heading("大云镇"), "三画");
/// assert_eq!(stroke_heading("魏塘街道"), "十七画");
/// assert_eq!(stroke_heading("A区"), "其他");
/// ```
pub fn stroke_heading(name: &str) -> String {
    match name.chars().next().filter(|c| is_han(*c)).and_then(strokes) {
        Some(n) => format!("{}画", chinese_number(u32::from(n))),
        None => "其他".to_string(),
    }
}

/// `n` (1–99) in Chinese numerals as books count: 一, 十, 十七, 二十三.
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n == 10 {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

/// One entry of the book (词条).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The record's id (its page in the register).
    pub place_id: i64,
    /// The headword: the standard name.
    pub name: String,
    /// The romanization (pinyin).
    pub romanization: String,
    /// The category's code and its name.
    pub category: (String, String),
    /// Where it lies: the divisions below the book's own, and any description of the place.
    pub location: String,
    /// What the name means.
    pub meaning: Option<String>,
    /// The feature's history.
    pub history: Option<String>,
    /// The feature described.
    pub description: Option<String>,
    /// Former names (历史地名), if any.
    pub former_names: Vec<String>,
}

/// A chapter: the entries of one category, in stroke order.
#[derive(Debug, Clone, Serialize)]
pub struct Chapter {
    /// The category's code and name.
    pub category: (String, String),
    /// Its entries.
    pub entries: Vec<Entry>,
}

/// One line of the chronicle (大事记): a day and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChronicleLine {
    /// The day.
    pub on: NaiveDate,
    /// What happened, in a sentence.
    pub text: String,
}

/// One change of the appendix: a name that became another (or ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameChange {
    /// The day it took effect.
    pub on: NaiveDate,
    /// The name before.
    pub from: String,
    /// The name after (empty when the feature or division ended).
    pub to: String,
    /// What changed (更名, 撤销, 合并 …).
    pub kind: String,
    /// The approving document, when known.
    pub document: Option<String>,
}

/// A line of an index: a heading, the name, its pinyin, and the entry it points to.
#[derive(Debug, Clone, Serialize)]
pub struct IndexLine {
    /// The heading it files under (a letter, or a stroke count in words).
    pub heading: String,
    /// The name.
    pub name: String,
    /// Its romanization.
    pub romanization: String,
    /// The entry's record id (the anchor in HTML, the page in PDF).
    pub place_id: i64,
}

/// The book for one division on one day.
#[derive(Debug, Clone, Serialize)]
pub struct Gazetteer {
    /// The book's title (嘉善县地名志).
    pub title: String,
    /// The division's code.
    pub division_code: String,
    /// The division's full name, province down.
    pub division_name: String,
    /// The day the register is read as of.
    pub as_of: NaiveDate,
    /// The overview: the division's own record described, and counts.
    pub overview: Vec<String>,
    /// The chronicle, oldest first.
    pub chronicle: Vec<ChronicleLine>,
    /// The entries by category, in the catalogue's order.
    pub chapters: Vec<Chapter>,
    /// The pinyin index.
    pub pinyin_index: Vec<IndexLine>,
    /// The stroke index.
    pub stroke_index: Vec<IndexLine>,
    /// The appendix of changes, oldest first.
    pub changes: Vec<NameChange>,
}

impl Gazetteer {
    /// The book from its parts: entries grouped by category (in the order the categories are
    /// given), each chapter in stroke order; both indexes built from the entries; chronicle and
    /// changes sorted by day.
    #[allow(clippy::too_many_arguments)]
    pub fn assemble(
        title: String,
        division_code: String,
        division_name: String,
        as_of: NaiveDate,
        overview: Vec<String>,
        mut chronicle: Vec<ChronicleLine>,
        entries: Vec<Entry>,
        category_order: &[String],
        mut changes: Vec<NameChange>,
    ) -> Self {
        let rank = |code: &str| {
            category_order
                .iter()
                .position(|c| c == code)
                .unwrap_or(usize::MAX)
        };
        let mut chapters: Vec<Chapter> = Vec::new();
        let mut sorted = entries;
        sorted.sort_by(|a, b| {
            (
                rank(&a.category.0),
                &a.category.0,
                stroke_order(&a.name),
                a.place_id,
            )
                .cmp(&(
                    rank(&b.category.0),
                    &b.category.0,
                    stroke_order(&b.name),
                    b.place_id,
                ))
        });
        for entry in sorted {
            match chapters.last_mut() {
                Some(chapter) if chapter.category.0 == entry.category.0 => {
                    chapter.entries.push(entry)
                }
                _ => chapters.push(Chapter {
                    category: entry.category.clone(),
                    entries: vec![entry],
                }),
            }
        }
        let lines = || {
            chapters.iter().flat_map(|c| &c.entries).map(|e| IndexLine {
                heading: String::new(),
                name: e.name.clone(),
                romanization: e.romanization.clone(),
                place_id: e.place_id,
            })
        };
        let mut pinyin_index: Vec<IndexLine> = lines().collect();
        pinyin_index.sort_by_cached_key(|l| (pinyin_order(&l.romanization, &l.name), l.place_id));
        for line in &mut pinyin_index {
            line.heading = pinyin_heading(&line.romanization);
        }
        let mut stroke_index: Vec<IndexLine> = lines().collect();
        stroke_index.sort_by_cached_key(|l| (stroke_order(&l.name), l.place_id));
        for line in &mut stroke_index {
            line.heading = stroke_heading(&line.name);
        }
        chronicle.sort_by_key(|line| line.on);
        changes.sort_by_key(|change| change.on);
        Self {
            title,
            division_code,
            division_name,
            as_of,
            overview,
            chronicle,
            chapters,
            pinyin_index,
            stroke_index,
            changes,
        }
    }

    /// How many entries the book has.
    pub fn entry_count(&self) -> usize {
        self.chapters.iter().map(|c| c.entries.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, name: &str, py: &str, category: &str) -> Entry {
        Entry {
            place_id: id,
            name: name.into(),
            romanization: py.into(),
            category: (category.into(), format!("类{category}")),
            location: String::new(),
            meaning: None,
            history: None,
            description: None,
            former_names: vec![],
        }
    }

    #[test]
    fn the_stroke_table_covers_the_standard_characters() {
        let missing: Vec<char> = STANDARD_ORDER
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.chars().next())
            .filter(|c| strokes(*c).is_none())
            .collect();
        assert!(missing.is_empty(), "{missing:?}");
        // Characters beyond the BMP (extension B) are counted too: 𪚥 (four 龍).
        assert_eq!(strokes('𪚥'), Some(64));
    }

    #[test]
    fn one_stroke_count_files_in_the_standard_tables_order() {
        // 干 (一 first) before 大 (一 first, later in the table), both three strokes; 士 too.
        let mut names = vec!["大", "土", "干"];
        names.sort_by_key(|n| stroke_order(n));
        assert_eq!(names, ["干", "土", "大"]);
    }

    #[test]
    fn chinese_numbers_read_as_in_books() {
        let got: Vec<String> = [1, 10, 11, 17, 20, 23, 30].map(chinese_number).to_vec();
        assert_eq!(got, ["一", "十", "十一", "十七", "二十", "二十三", "三十"]);
    }

    #[test]
    fn the_book_groups_by_category_and_indexes_every_entry_twice() {
        let book = Gazetteer::assemble(
            "嘉善县地名志".into(),
            "330421".into(),
            "浙江省嘉兴市嘉善县".into(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            vec![],
            vec![],
            vec![
                entry(1, "魏塘街道", "Weitang Jiedao", "112"),
                entry(2, "大云镇", "Dayun Zhen", "112"),
                entry(3, "西塘", "Xitang", "210"),
                entry(4, "干窑镇", "Ganyao Zhen", "112"),
            ],
            &["112".to_string(), "210".to_string()],
            vec![],
        );
        assert_eq!(book.entry_count(), 4);
        let first: Vec<&str> = book.chapters[0]
            .entries
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(first, ["干窑镇", "大云镇", "魏塘街道"]);
        let pinyin: Vec<(&str, &str)> = book
            .pinyin_index
            .iter()
            .map(|l| (l.heading.as_str(), l.name.as_str()))
            .collect();
        assert_eq!(
            pinyin,
            [
                ("D", "大云镇"),
                ("G", "干窑镇"),
                ("W", "魏塘街道"),
                ("X", "西塘")
            ]
        );
        let strokes: Vec<&str> = book
            .stroke_index
            .iter()
            .map(|l| l.heading.as_str())
            .collect();
        assert_eq!(strokes, ["三画", "三画", "六画", "十七画"]);
    }
}
