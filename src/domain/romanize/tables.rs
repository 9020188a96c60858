//! The reading tables, compiled into the program from data/romanization/ (see the README
//! there for their sources and data/romanization/derive.py for how the derived ones are made).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::syllable::Syllable;

const CHARS: &str = include_str!("../../../data/romanization/chars.tsv");
const CHAR_DEFAULTS: &str = include_str!("../../../data/romanization/char-defaults.tsv");
const PHRASES: &str = include_str!("../../../data/romanization/phrases.tsv");
const GEONAMES_READINGS: &str = include_str!("../../../data/romanization/geonames-readings.tsv");
const REVIEWED_READINGS: &str = include_str!("../../../data/romanization/reviewed-readings.tsv");
const SPELLINGS: &str = include_str!("../../../data/romanization/spellings.tsv");
const GEONAMES_MINORITY: &str = include_str!("../../../data/romanization/geonames-minority.tsv");

/// Where a word's reading comes from, in order of precedence (earlier wins on equal length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// The hand-reviewed place-name reading table.
    Reviewed,
    /// How GeoNames reads a place of that name.
    GeoNames,
    /// A pypinyin phrase that occurs in place names.
    Phrase,
}

impl Origin {
    /// The table's name as reasons give it.
    pub fn table(self) -> &'static str {
        match self {
            Self::Reviewed => "reviewed place-name readings",
            Self::GeoNames => "GeoNames readings",
            Self::Phrase => "place-name phrases",
        }
    }
}

/// A reading of a word (two or more characters) from one of the tables.
#[derive(Debug, Clone)]
pub struct WordReading {
    /// One syllable per character.
    pub reading: Vec<Syllable>,
    /// A division-code prefix the reading is limited to (十里堡 is Shilipu in Beijing).
    pub scope: Option<String>,
    /// The table the reading comes from.
    pub origin: Origin,
    /// Where the table took it from.
    pub source: String,
}

/// A name written by a fixed spelling rather than read from its characters: a minority-language
/// transliteration (乌鲁木齐 Ürümqi) or a special spelling (陕西 Shaanxi).
#[derive(Debug, Clone)]
pub struct Spelling {
    /// The standard form, with diacritics (Ürümqi).
    pub standard: String,
    /// The form for signs (Urumqi).
    pub sign: String,
    /// ISO 639 code of the language the name comes from, where the table knows it.
    pub language: Option<String>,
    /// A division-code prefix the spelling is limited to (derived ones: their region).
    pub scope: Option<String>,
    /// Whether the spelling was reviewed (false: derived, to be confirmed).
    pub reviewed: bool,
    /// Where the spelling comes from.
    pub source: String,
}

/// A polyphone's usual reading in place names.
#[derive(Debug, Clone)]
pub struct CharDefault {
    /// The reading.
    pub reading: Syllable,
    /// Where it comes from.
    pub source: String,
}

/// The reading tables the engine reads names by: every character's readings, place-name
/// defaults for polyphones, word readings and fixed spellings.
///
/// ```
/// use diming::domain::romanize::Tables;
///
/// let tables = Tables::embedded();
/// // 长 has two readings; in place names it is usually chang.
/// assert_eq!(tables.readings[&'长'].len(), 2);
/// assert_eq!(tables.char_defaults[&'长'].reading.plain(), "chang");
/// assert_eq!(tables.spelling("陕西", None).unwrap().sign, "Shaanxi");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// Every character's readings from the dictionary, the usual one first.
    pub readings: HashMap<char, Vec<Syllable>>,
    /// The usual reading in place names of characters read otherwise elsewhere.
    pub char_defaults: HashMap<char, CharDefault>,
    /// Readings of words of two or more characters, by word.
    pub words: HashMap<String, Vec<WordReading>>,
    /// Names written by a fixed spelling, by name.
    pub spellings: HashMap<String, Vec<Spelling>>,
    /// The length in characters of the longest word in `words`.
    pub longest_word: usize,
}

static EMBEDDED: LazyLock<Tables> = LazyLock::new(Tables::parse_embedded);

impl Tables {
    /// The tables compiled into the program.
    pub fn embedded() -> &'static Tables {
        &EMBEDDED
    }

    fn parse_embedded() -> Self {
        let mut tables = Tables::default();
        for row in rows(CHARS) {
            let ch = single_char(row[0]);
            let readings = row[1].split(',').map(syllable).collect();
            tables.readings.insert(ch, readings);
        }
        for row in rows(CHAR_DEFAULTS) {
            tables.char_defaults.insert(
                single_char(row[0]),
                CharDefault {
                    reading: syllable(row[1]),
                    source: row[2].to_string(),
                },
            );
        }
        for row in rows(REVIEWED_READINGS) {
            let scope = Some(row[2]).filter(|s| !s.is_empty()).map(str::to_string);
            tables.add_word(row[0], row[1], scope, Origin::Reviewed, row[3]);
        }
        for row in rows(GEONAMES_READINGS) {
            tables.add_word(row[0], row[1], None, Origin::GeoNames, row[2]);
        }
        for row in rows(PHRASES) {
            tables.add_word(row[0], row[1], None, Origin::Phrase, row[2]);
        }
        for row in rows(SPELLINGS) {
            tables
                .spellings
                .entry(row[0].to_string())
                .or_default()
                .push(Spelling {
                    standard: row[1].to_string(),
                    sign: row[2].to_string(),
                    language: Some(row[3].to_string()).filter(|s| !s.is_empty()),
                    scope: None,
                    reviewed: true,
                    source: row[4].to_string(),
                });
        }
        for row in rows(GEONAMES_MINORITY) {
            tables
                .spellings
                .entry(row[0].to_string())
                .or_default()
                .push(Spelling {
                    standard: row[1].to_string(),
                    sign: ascii_fold(row[1]),
                    language: None,
                    scope: Some(row[2].to_string()),
                    reviewed: false,
                    source: row[3].to_string(),
                });
        }
        tables
    }

    fn add_word(
        &mut self,
        word: &str,
        reading: &str,
        scope: Option<String>,
        origin: Origin,
        source: &str,
    ) {
        let reading: Vec<Syllable> = reading.split(' ').map(syllable).collect();
        assert_eq!(
            reading.len(),
            word.chars().count(),
            "reading of {word} has the wrong length"
        );
        self.longest_word = self.longest_word.max(reading.len());
        self.words
            .entry(word.to_string())
            .or_default()
            .push(WordReading {
                reading,
                scope,
                origin,
                source: source.to_string(),
            });
    }

    /// The spelling of a name, if it has one where it lies: a reviewed one first, then one
    /// limited to a region the division is in.
    pub fn spelling(&self, name: &str, division: Option<&str>) -> Option<&Spelling> {
        self.spellings
            .get(name)?
            .iter()
            .find(|s| in_scope(s.scope.as_deref(), division))
    }

    /// These tables without the entries whose source `drop` names (to measure how the engine
    /// does on names its tables were not built from).
    pub fn without(&self, drop: impl Fn(&str) -> bool) -> Tables {
        let mut kept = self.clone();
        kept.char_defaults.retain(|_, d| !drop(&d.source));
        for spellings in kept.spellings.values_mut() {
            spellings.retain(|s| !drop(&s.source));
        }
        kept.spellings.retain(|_, s| !s.is_empty());
        for readings in kept.words.values_mut() {
            readings.retain(|r| !drop(&r.source));
        }
        kept.words.retain(|_, r| !r.is_empty());
        kept
    }
}

/// Whether an entry limited to `scope` (a division-code prefix; none: everywhere) applies in
/// `division`.
pub fn in_scope(scope: Option<&str>, division: Option<&str>) -> bool {
    scope.is_none_or(|s| division.is_some_and(|d| d.starts_with(s)))
}

fn rows(table: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    table
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

fn single_char(text: &str) -> char {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c,
        _ => panic!("{text:?} is not one character"),
    }
}

fn syllable(text: &str) -> Syllable {
    Syllable::parse(text).unwrap_or_else(|| panic!("{text:?} is not a numbered pinyin syllable"))
}

/// The ASCII letters of a transliteration for signs without diacritics (Ürümqi → Urumqi).
fn ascii_fold(text: &str) -> String {
    super::syllable::untoned(text)
        .chars()
        .map(|c| match c {
            'ü' => 'u',
            'Ü' => 'U',
            'ê' => 'e',
            'Ê' => 'E',
            'ö' => 'o',
            'Ö' => 'O',
            'ĕ' => 'e',
            'Ĕ' => 'E',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_tables_parse_and_hold_what_the_rules_need() {
        let tables = Tables::embedded();
        assert!(tables.readings.len() > 40_000);
        assert_eq!(tables.readings[&'长'].len(), 2);
        assert_eq!(tables.char_defaults[&'长'].reading.plain(), "chang");
        assert!(tables.words.contains_key("乐亭"));
        assert_eq!(tables.spelling("乌鲁木齐", None).unwrap().sign, "Urumqi");
        assert_eq!(tables.spelling("陕西", None).unwrap().sign, "Shaanxi");
        // Derived transliterations hold only in their region.
        assert_eq!(
            tables.spelling("青龙", Some("130302")).map(|s| &s.sign),
            None
        );
    }

    #[test]
    fn dropping_sources_removes_their_entries() {
        let tables = Tables::embedded().without(|s| s.contains("GeoNames"));
        assert!(!tables.char_defaults.contains_key(&'长'));
        assert!(
            tables
                .words
                .values()
                .flatten()
                .all(|r| !r.source.contains("GeoNames"))
        );
    }
}
