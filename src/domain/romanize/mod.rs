//! Romanization of Chinese place names by the national rules (GB/T 16159-2012 §6.2.2 and the
//! 1984 中国地名汉语拼音字母拼写规则; DOMAIN.md lists them), with place-name readings.
//!
//! A name is split into its proper name (专名) and generic term (通名) by its feature class, each
//! character is read by the most specific table that knows it (a learned correction, a spelling,
//! a reviewed place-name reading, GeoNames' reading of a place of that name, a phrase occurring in
//! place names, the character's usual reading in place names, the dictionary), and the words are
//! written by the rules. Every choice is returned as a reason a reviewer can check.

mod generic;
mod syllable;
mod tables;

use serde::Serialize;

pub use generic::FeatureClass;
use generic::{ETHNIC_SPELLINGS, Generic, NATIONALITIES};
pub use syllable::{Syllable, letters_only, untoned};
pub use tables::Tables;

const MAX_NAME_CHARS: usize = 100;

/// A request to romanize one name: the name and what is known of the feature it names.
///
/// ```
/// use diming::domain::romanize::{FeatureClass, Request, Romanizer};
///
/// // 黑龙江 is a river (Heilong Jiang) but part of a province's name (Heilongjiang Sheng).
/// let river = Request {
///     name: "黑龙江",
///     class: Some(FeatureClass::InlandWater),
///     ..Default::default()
/// };
/// let province = Request {
///     name: "黑龙江省",
///     class: Some(FeatureClass::Administrative),
///     ..Default::default()
/// };
/// let romanizer = Romanizer::default();
/// assert_eq!(romanizer.romanize(&river).unwrap().sign, "Heilong Jiang");
/// assert_eq!(romanizer.romanize(&province).unwrap().sign, "Heilongjiang Sheng");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// The name in Chinese characters (and digits); surrounding spaces are ignored.
    pub name: &'a str,
    /// The feature class, which decides which ending is the generic term; none: every class's
    /// terms are tried.
    pub class: Option<FeatureClass>,
    /// The division the feature lies in (a code or code prefix): some readings are local.
    pub division: Option<&'a str>,
    /// An explicit split into proper name and generic term, overriding the rules'.
    pub split: Option<(&'a str, &'a str)>,
}

/// Why a name cannot be romanized by the rules.
///
/// ```
/// use diming::domain::romanize::{Request, RomanizeError, Romanizer};
///
/// let romanize = |name| Romanizer::default().romanize(&Request { name, ..Default::default() });
/// assert_eq!(romanize("  "), Err(RomanizeError::Empty));
/// let error = romanize("北京-路").unwrap_err();
/// assert_eq!(error, RomanizeError::NotChinese(vec!['-']));
/// assert_eq!(error.field(), "name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RomanizeError {
    /// The name is empty (or only spaces).
    #[error("the name is empty")]
    Empty,
    /// The name has more than 100 characters.
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    TooLong,
    /// The name has these characters that are neither Chinese nor digits.
    #[error("the name has characters that are not Chinese (a Chinese place name has only Chinese characters and digits): {}", quoted(.0))]
    NotChinese(Vec<char>),
    /// No table has a reading for these Chinese characters.
    #[error("no reading is known for {}: the reading tables do not have {}, so it is not guessed; give the romanization by hand", quoted(.0), if .0.len() == 1 { "it" } else { "them" })]
    UnknownCharacters(Vec<char>),
    /// The caller's split into proper name and generic term does not make up the name.
    #[error(
        "the proper name {proper:?} and generic term {generic:?} do not make up the name {name:?}"
    )]
    SplitMismatch {
        /// The name to romanize.
        name: String,
        /// The proper name the caller gave.
        proper: String,
        /// The generic term the caller gave.
        generic: String,
    },
}

impl RomanizeError {
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            Self::SplitMismatch { .. } => "proper",
            _ => "name",
        }
    }
}

fn quoted(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("{c:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A romanized name: its standard and sign forms, its parts and words, and every reason.
///
/// ```
/// use diming::domain::romanize::{FeatureClass, Request, Role, Romanizer};
///
/// let request = Request {
///     name: "北京市",
///     class: Some(FeatureClass::Administrative),
///     ..Default::default()
/// };
/// let beijing = Romanizer::default().romanize(&request).unwrap();
/// assert_eq!(beijing.standard, "Běijīng Shì");
/// assert_eq!(beijing.sign, "Beijing Shi");
/// assert_eq!(beijing.proper.chinese, "北京");
/// assert_eq!(beijing.generic.as_ref().unwrap().standard, "Shì");
/// let roles: Vec<Role> = beijing.words.iter().map(|w| w.role).collect();
/// assert_eq!(roles, [Role::Proper, Role::Generic]);
/// assert!(beijing.reasons[0].rule.contains("proper name and generic term apart"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Romanization {
    /// The name as romanized (trimmed).
    pub name: String,
    /// The standard form, with tone marks (Běijīng Shì).
    pub standard: String,
    /// The form for signs, without tone marks (Beijing Shi).
    pub sign: String,
    /// The proper name (专名) with its romanization; the nationalities and numbers too.
    pub proper: Part,
    /// The generic term (通名) with its romanization, where the name has one.
    pub generic: Option<Part>,
    /// The feature class the rules used: the request's, or the one whose generic term was found.
    pub class: Option<FeatureClass>,
    /// The words of the romanized form, in order.
    pub words: Vec<Word>,
    /// How each polyphonic character was read.
    pub readings: Vec<CharReading>,
    /// Every rule applied, in order.
    pub reasons: Vec<Reason>,
}

/// One part of a name (the proper name or the generic term) in characters and romanized.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Part {
    /// The part in Chinese characters (北京).
    pub chinese: String,
    /// The part's standard form, with tone marks (Běijīng).
    pub standard: String,
    /// The part's sign form, without tone marks (Beijing).
    pub sign: String,
}

/// The role of a word in a romanized name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WordRole)]
pub enum Role {
    /// The proper name (专名), or a piece of it.
    Proper,
    /// A nationality in the name of an autonomous area (Huizu in Ningxia Huizu Zizhiqu).
    Nationality,
    /// A number written in digits (5 in Jing 5 Lu, 1203 in 1203 Gaodi).
    Number,
    /// The generic term (通名), with any one-syllable modifier joined to it.
    Generic,
}

/// One word of a romanized name.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Word {
    /// The characters the word writes (empty in a learned correction that names its generic
    /// term, whose words are not matched to characters).
    pub chinese: String,
    /// The word with tone marks.
    pub standard: String,
    /// The word without tone marks.
    pub sign: String,
    /// What the word is in the name.
    pub role: Role,
}

/// How a polyphonic character of the proper name was read, for a reviewer to check.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CharReading {
    /// The character.
    pub char: char,
    /// The reading chosen, with its tone mark.
    pub reading: String,
    /// The character's other readings (different letters), with tone marks.
    pub other_readings: Vec<String>,
    /// The table entry or default that chose the reading, in words.
    pub decided_by: String,
    /// True when only the dictionary's usual reading decided: a reviewer should confirm it.
    pub needs_review: bool,
}

/// A rule the romanization applied, and how it applied to this name.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reason {
    /// The rule's name and source (`GB/T 16159 §6.2.2 rule 1: …`).
    pub rule: &'static str,
    /// What the rule did here, in words.
    pub detail: String,
}

/// One character of a name as search sees it: the character and how people may type it.
///
/// ```
/// use diming::domain::romanize::Romanizer;
///
/// let tokens = Romanizer::default().search_tokens("长治市", None);
/// assert_eq!(tokens[0].ch, '长');
/// // 长 is read chang in 长治, and zhang is offered too.
/// assert_eq!(tokens[0].readings, ["chang", "zhang"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchToken {
    /// The character (full-width digits folded to ASCII).
    pub ch: char,
    /// Typed forms (plain letters, ü as v), the likeliest first; empty for a character no table
    /// reads.
    pub readings: Vec<String>,
}

/// A romanization staff gave by hand for a name in a division; it wins over the rules.
///
/// ```
/// use diming::domain::romanize::{LearnedSpelling, Romanizer};
///
/// let learned = LearnedSpelling {
///     romanization: "Shílǐbǎo Cūn".into(),
///     generic: Some("Cūn".into()),
///     by: "jiashan".into(),
///     on: "2026-11-23".into(),
///     why: "local reading confirmed by the village".into(),
///     division: "330421".into(),
/// };
/// let result = Romanizer::default().learned("十里堡村", None, &learned);
/// assert_eq!(result.sign, "Shilibao Cun");
/// assert_eq!(result.generic.unwrap().standard, "Cūn");
/// assert_eq!(result.reasons[0].rule, "learned correction");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedSpelling {
    /// The whole romanized name, with tone marks.
    pub romanization: String,
    /// Its generic term's romanization, where the name has one (the end of `romanization`).
    pub generic: Option<String>,
    /// Who gave it (a display name).
    pub by: String,
    /// When (an ISO date, `2026-11-23`).
    pub on: String,
    /// Why the rules' form was corrected.
    pub why: String,
    /// The division code the correction holds in.
    pub division: String,
}

/// The romanization engine over a set of reading tables; `Romanizer::default()` uses the
/// tables compiled into the program.
///
/// ```
/// use diming::domain::romanize::{FeatureClass, Request, Romanizer};
///
/// let romanizer = Romanizer::default();
/// let beijing = Request {
///     name: "北京市",
///     class: Some(FeatureClass::Administrative),
///     ..Default::default()
/// };
/// assert_eq!(romanizer.romanize(&beijing).unwrap().standard, "Běijīng Shì");
/// // Apostrophes keep syllables apart (Xi'an), minority-language names are transliterated.
/// let xian = Request { name: "西安市", ..beijing };
/// assert_eq!(romanizer.romanize(&xian).unwrap().sign, "Xi'an Shi");
/// let urumqi = Request { name: "乌鲁木齐市", ..beijing };
/// assert_eq!(romanizer.romanize(&urumqi).unwrap().standard, "Ürümqi Shì");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Romanizer<'t> {
    tables: &'t Tables,
}

impl Default for Romanizer<'static> {
    fn default() -> Self {
        Self {
            tables: Tables::embedded(),
        }
    }
}

/// One character of the name with the reading chosen for it.
struct Reading {
    syllable: Syllable,
    decided_by: Option<(String, bool)>,
}

impl<'t> Romanizer<'t> {
    /// An engine over `tables` (to measure the rules on tables with some sources left out).
    pub fn new(tables: &'t Tables) -> Self {
        Self { tables }
    }

    /// Romanizes a name by the rules and tables.
    pub fn romanize(&self, request: &Request) -> Result<Romanization, RomanizeError> {
        let name = request.name.trim();
        let chars = self.check_characters(name)?;
        let mut reasons = Vec::new();
        if let Some(spelling) = self.tables.spelling(name, request.division) {
            return Ok(self.spelled_whole(name, request.class, spelling));
        }
        let (class, generic, proper_end) = self.split(name, &chars, request, &mut reasons)?;
        let readings = self.read(&chars, request.division);
        let mut words = Vec::new();
        let proper: Vec<char> = chars[..proper_end].to_vec();
        let mut proper_end = proper.len();

        // Nationalities before an autonomous area's generic term are words of their own.
        let mut nationalities = Vec::new();
        let whole_proper: String = proper.iter().collect();
        let known_as_a_whole = self
            .tables
            .spelling(&whole_proper, request.division)
            .is_some()
            || self.tables.words.contains_key(&whole_proper);
        if generic.as_ref().is_some_and(Generic::is_autonomous) && !known_as_a_whole {
            while let Some(len) = self.nationality_at_end(&proper[..proper_end]) {
                nationalities.insert(0, (proper_end - len, proper_end));
                proper_end -= len;
            }
            if !nationalities.is_empty() {
                reasons.push(Reason {
                    rule: "nationalities",
                    detail:
                        "in the name of an autonomous area each nationality is a word of its own"
                            .into(),
                });
            }
        }

        // Street names: an ordinal number in digits, one-syllable modifiers joined to the generic.
        let mut ordinal = None;
        let modifier_end = proper_end;
        let mut modifier_start = proper_end;
        if generic.as_ref().is_some_and(Generic::is_street) && nationalities.is_empty() {
            if let Some(number) = ordinal_street_number(&proper[..proper_end]) {
                ordinal = Some(number);
                proper_end = 1;
                reasons.push(Reason {
                    rule: "GB/T 16159 §6.2.2: ordinal numbers",
                    detail: format!(
                        "the ordinal street number {} is written in digits (经五路 Jing 5 Lu)",
                        ordinal.unwrap_or(0)
                    ),
                });
            } else {
                modifier_start = street_modifier_start(&proper[..proper_end]);
                if modifier_start < proper_end {
                    let modifier: String = proper[modifier_start..proper_end].iter().collect();
                    reasons.push(Reason {
                        rule: "GB/T 16159 §6.2.2 rule 2: modifiers",
                        detail: format!("the one-syllable modifier{} {modifier} {} joined to the generic term (景山后街 Jingshan Houjie)", if modifier.chars().count() > 1 { "s" } else { "" }, if modifier.chars().count() > 1 { "are" } else { "is" }),
                    });
                }
                proper_end = modifier_start;
            }
        }

        // The proper name: its own spelling if the tables have one, else its reading.
        let proper_text: String = proper[..proper_end].iter().collect();
        if let Some(spelling) = self.tables.spelling(&proper_text, request.division) {
            words.push(Word {
                chinese: proper_text.clone(),
                standard: spelling.standard.clone(),
                sign: spelling.sign.clone(),
                role: Role::Proper,
            });
            reasons.push(spelling_reason(&proper_text, spelling));
        } else {
            words.extend(self.proper_words(&proper[..proper_end], &readings[..proper_end]));
        }
        if let Some(number) = ordinal {
            let digits = number.to_string();
            words.push(Word {
                chinese: proper[1..].iter().collect(),
                standard: digits.clone(),
                sign: digits,
                role: Role::Number,
            });
        }
        for (start, end) in &nationalities {
            words.push(self.nationality_word(&proper[*start..*end], &readings[*start..*end]));
        }

        // The generic term, with any modifier taken into its first word.
        if let Some(generic) = &generic {
            let modifier = if ordinal.is_some() {
                modifier_end..modifier_end
            } else {
                modifier_start..modifier_end
            };
            words.extend(generic_words(
                generic,
                &readings[modifier.clone()],
                &proper[modifier],
            ));
        } else if proper.len() < chars.len() {
            let syllables: Vec<&Syllable> = readings[proper.len()..]
                .iter()
                .map(|r| &r.syllable)
                .collect();
            words.push(word(
                chars[proper.len()..].iter().collect(),
                &syllables,
                Role::Generic,
            ));
        }

        let polyphones = self.polyphones(&chars, &readings, proper.len());
        Ok(assemble(name, class, words, polyphones, reasons))
    }

    /// The romanization staff gave by hand, which wins over the rules from then on.
    pub fn learned(
        &self,
        name: &str,
        class: Option<FeatureClass>,
        learned: &LearnedSpelling,
    ) -> Romanization {
        let romanization = learned.romanization.trim();
        let generic = learned
            .generic
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty() && romanization.ends_with(g));
        let proper_standard = generic.map_or(romanization, |g| {
            romanization[..romanization.len() - g.len()].trim_end()
        });
        let mut words = vec![Word {
            chinese: name.to_string(),
            standard: proper_standard.to_string(),
            sign: untoned(proper_standard),
            role: Role::Proper,
        }];
        if let Some(generic) = generic {
            words[0].chinese.clear();
            words.push(Word {
                chinese: String::new(),
                standard: generic.to_string(),
                sign: untoned(generic),
                role: Role::Generic,
            });
        }
        let reasons = vec![Reason {
            rule: "learned correction",
            detail: format!(
                "staff corrected this name in division {} ({} on {}: {})",
                learned.division, learned.by, learned.on, learned.why
            ),
        }];
        assemble(name, class, words, Vec::new(), reasons)
    }

    /// The tokens of a name for search: each Chinese character with every reading it may have
    /// in the name (the one the tables choose here first, then the character's other readings:
    /// 长 chang, zhang), digits and Latin letters as themselves (lower case). Readings are plain
    /// letters with ü written v, as people type them. Other characters are left out.
    pub fn search_tokens(&self, name: &str, division: Option<&str>) -> Vec<SearchToken> {
        let chars: Vec<char> = name.chars().map(fold_digit).collect();
        let mut tokens = Vec::with_capacity(chars.len());
        let mut start = 0;
        while start < chars.len() {
            let known = |c: char| is_han(c) && self.tables.readings.contains_key(&c);
            if !known(chars[start]) {
                let c = chars[start];
                if c.is_alphanumeric() {
                    let readings = if is_han(c) {
                        Vec::new()
                    } else {
                        c.to_lowercase().map(|l| l.to_string()).collect()
                    };
                    tokens.push(SearchToken { ch: c, readings });
                }
                start += 1;
                continue;
            }
            let end = (start..chars.len())
                .find(|&i| !known(chars[i]))
                .unwrap_or(chars.len());
            for (ch, reading) in chars[start..end]
                .iter()
                .zip(self.read(&chars[start..end], division))
            {
                let typed = |s: &Syllable| s.plain().replace('ü', "v");
                let mut readings = vec![typed(&reading.syllable)];
                for other in self.readings_of(*ch) {
                    let other = typed(other);
                    if !readings.contains(&other) {
                        readings.push(other);
                    }
                }
                tokens.push(SearchToken { ch: *ch, readings });
            }
            start = end;
        }
        tokens
    }

    /// The readings the tables know for a character (the usual one first).
    pub fn readings_of(&self, ch: char) -> &[Syllable] {
        self.tables
            .readings
            .get(&ch)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn check_characters(&self, name: &str) -> Result<Vec<char>, RomanizeError> {
        if name.is_empty() {
            return Err(RomanizeError::Empty);
        }
        let chars: Vec<char> = name.chars().map(fold_digit).collect();
        if chars.len() > MAX_NAME_CHARS {
            return Err(RomanizeError::TooLong);
        }
        let foreign = distinct(
            chars
                .iter()
                .copied()
                .filter(|c| !is_han(*c) && !c.is_ascii_digit()),
        );
        if !foreign.is_empty() {
            return Err(RomanizeError::NotChinese(foreign));
        }
        let unknown = distinct(
            chars
                .iter()
                .copied()
                .filter(|c| is_han(*c) && !self.tables.readings.contains_key(c)),
        );
        if !unknown.is_empty() {
            return Err(RomanizeError::UnknownCharacters(unknown));
        }
        Ok(chars)
    }

    fn spelled_whole(
        &self,
        name: &str,
        class: Option<FeatureClass>,
        spelling: &tables::Spelling,
    ) -> Romanization {
        let words = vec![Word {
            chinese: name.to_string(),
            standard: spelling.standard.clone(),
            sign: spelling.sign.clone(),
            role: Role::Proper,
        }];
        assemble(
            name,
            class,
            words,
            Vec::new(),
            vec![spelling_reason(name, spelling)],
        )
    }

    /// Finds the generic term: the caller's split, else the longest term of the feature class
    /// the name ends with. Returns the class used, the term, and where the proper name ends.
    fn split(
        &self,
        name: &str,
        chars: &[char],
        request: &Request,
        reasons: &mut Vec<Reason>,
    ) -> Result<(Option<FeatureClass>, Option<Generic>, usize), RomanizeError> {
        if let Some((proper, generic)) = request.split {
            let (proper, generic) = (proper.trim(), generic.trim());
            if proper.is_empty() || format!("{proper}{generic}") != name {
                return Err(RomanizeError::SplitMismatch {
                    name: name.into(),
                    proper: proper.into(),
                    generic: generic.into(),
                });
            }
            let end = proper.chars().count();
            if generic.is_empty() {
                reasons.push(Reason {
                    rule: "caller's split",
                    detail: "the whole name is the proper name, as given".into(),
                });
                return Ok((request.class, None, end));
            }
            // A term no class lists is read from its characters as one word.
            let known = FeatureClass::all()
                .flat_map(|c| c.generic_terms())
                .find(|g| g.chinese == generic)
                .copied();
            reasons.push(Reason {
                rule: "caller's split",
                detail: format!("proper name {proper} and generic term {generic}, as given"),
            });
            return Ok((request.class, known, end));
        }
        let classes: Vec<FeatureClass> = match request.class {
            Some(class) => vec![class],
            None => FeatureClass::all().collect(),
        };
        let best = classes
            .iter()
            .flat_map(|class| class.generic_terms().iter().map(move |g| (*class, *g)))
            .filter(|(_, g)| name.ends_with(g.chinese) && name.len() > g.chinese.len())
            .max_by_key(|(_, g)| g.chinese.chars().count());
        let class_name = |c: FeatureClass| c.name_zh();
        match best {
            Some((class, generic)) => {
                let end = chars.len() - generic.chinese.chars().count();
                let detail = match request.class {
                    Some(_) => format!(
                        "{} is the generic term of {}; the proper name and generic term are written apart (北京市 Beijing Shi)",
                        generic.chinese,
                        class_name(class)
                    ),
                    None => format!(
                        "no category given: {} taken as the generic term of {}; the proper name and generic term are written apart",
                        generic.chinese,
                        class_name(class)
                    ),
                };
                reasons.push(Reason {
                    rule: "GB/T 16159 §6.2.2 rule 1: proper name and generic term apart",
                    detail,
                });
                Ok((Some(class), Some(generic), end))
            }
            None => {
                let detail = match request.class {
                    Some(FeatureClass::Settlement) => "villages and towns are written as one word (王村 Wangcun, 周口店 Zhoukoudian)".to_string(),
                    Some(class) => format!("the name does not end in a generic term of {}, so it is written as one word (a generic term that became part of the name is joined: 黑龙江省 Heilongjiang Sheng)", class_name(class)),
                    None => "no generic term recognised: written as one word".to_string(),
                };
                let rule = if request.class == Some(FeatureClass::Settlement) {
                    "GB/T 16159 §6.2.2 rule 3: villages and towns as one word"
                } else {
                    "GB/T 16159 §6.2.2 rule 4: generic term part of the name"
                };
                reasons.push(Reason { rule, detail });
                Ok((request.class, None, chars.len()))
            }
        }
    }

    /// Reads every character: at each position the longest word a table knows (the entry for
    /// the division first, then by table), otherwise the character's place-name default, then
    /// the dictionary's usual reading.
    fn read(&self, chars: &[char], division: Option<&str>) -> Vec<Reading> {
        let mut out = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            if !is_han(chars[i]) {
                out.push(Reading {
                    syllable: Syllable::parse("a5").expect("valid"),
                    decided_by: None,
                });
                i += 1;
                continue;
            }
            let longest = self.tables.longest_word.min(chars.len() - i);
            let found = (2..=longest).rev().find_map(|len| {
                let word: String = chars[i..i + len].iter().collect();
                let entries = self.tables.words.get(&word)?;
                let entry = entries
                    .iter()
                    .filter(|e| tables::in_scope(e.scope.as_deref(), division))
                    .min_by_key(|e| (e.scope.is_none(), e.origin))?;
                Some((word, entry))
            });
            if let Some((word, entry)) = found {
                let scope = entry
                    .scope
                    .as_deref()
                    .map(|s| format!(" in division {s}"))
                    .unwrap_or_default();
                let by = format!(
                    "{} entry {word}{scope} ({})",
                    entry.origin.table(),
                    entry.source
                );
                for syllable in &entry.reading {
                    out.push(Reading {
                        syllable: syllable.clone(),
                        decided_by: Some((by.clone(), false)),
                    });
                }
                i += entry.reading.len();
                continue;
            }
            let ch = chars[i];
            let reading = match self.tables.char_defaults.get(&ch) {
                Some(default) => Reading {
                    syllable: default.reading.clone(),
                    decided_by: Some((
                        format!("usual reading of {ch} in place names ({})", default.source),
                        false,
                    )),
                },
                None => Reading {
                    syllable: self.tables.readings[&ch][0].clone(),
                    decided_by: Some((
                        format!("the dictionary's usual reading of {ch} (pinyin-data)"),
                        true,
                    )),
                },
            };
            out.push(reading);
            i += 1;
        }
        out
    }

    /// The proper name as words: digits stand apart (1203高地 1203 Gaodi), the rest is one word.
    fn proper_words(&self, chars: &[char], readings: &[Reading]) -> Vec<Word> {
        let mut words = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let digits = chars[start].is_ascii_digit();
            let end = (start..chars.len())
                .find(|&i| chars[i].is_ascii_digit() != digits)
                .unwrap_or(chars.len());
            let chinese: String = chars[start..end].iter().collect();
            if digits {
                words.push(Word {
                    chinese: chinese.clone(),
                    standard: chinese.clone(),
                    sign: chinese,
                    role: Role::Number,
                });
            } else {
                let syllables: Vec<&Syllable> =
                    readings[start..end].iter().map(|r| &r.syllable).collect();
                words.push(word(chinese, &syllables, Role::Proper));
            }
            start = end;
        }
        words
    }

    fn nationality_at_end(&self, proper: &[char]) -> Option<usize> {
        let text: String = proper.iter().collect();
        let mut candidates: Vec<String> = ETHNIC_SPELLINGS
            .iter()
            .map(|(zh, _)| zh.to_string())
            .collect();
        for name in NATIONALITIES {
            candidates.push(format!("{name}族"));
            if name.chars().count() > 1 {
                candidates.push(name.to_string());
            }
        }
        candidates
            .iter()
            .filter(|c| text.ends_with(c.as_str()) && text.chars().count() > c.chars().count())
            .map(|c| c.chars().count())
            .max()
    }

    fn nationality_word(&self, chars: &[char], readings: &[Reading]) -> Word {
        let chinese: String = chars.iter().collect();
        if let Some((_, spelled)) = ETHNIC_SPELLINGS.iter().find(|(zh, _)| *zh == chinese) {
            return Word {
                chinese,
                standard: spelled.to_string(),
                sign: spelled.to_string(),
                role: Role::Nationality,
            };
        }
        let syllables: Vec<&Syllable> = readings.iter().map(|r| &r.syllable).collect();
        word(chinese, &syllables, Role::Nationality)
    }

    /// The polyphones among the proper name's characters (those with readings of different
    /// letters) and what decided each.
    fn polyphones(
        &self,
        chars: &[char],
        readings: &[Reading],
        proper_len: usize,
    ) -> Vec<CharReading> {
        let mut out: Vec<CharReading> = Vec::new();
        for (ch, reading) in chars.iter().zip(readings).take(proper_len) {
            let Some((decided_by, needs_review)) = &reading.decided_by else {
                continue;
            };
            let all = self.readings_of(*ch);
            let mut others: Vec<String> = all
                .iter()
                .filter(|s| s.plain() != reading.syllable.plain())
                .map(Syllable::toned)
                .collect();
            others.dedup();
            if others.is_empty() || out.iter().any(|r| r.char == *ch) {
                continue;
            }
            out.push(CharReading {
                char: *ch,
                reading: reading.syllable.toned(),
                other_readings: others,
                decided_by: decided_by.clone(),
                needs_review: *needs_review,
            });
        }
        out
    }
}

fn spelling_reason(name: &str, spelling: &tables::Spelling) -> Reason {
    let (rule, what) = match spelling.language.as_deref() {
        Some("zh") => ("special spelling", "has a special spelling"),
        _ => (
            "GB/T 16159 §6.2.2 rule 10: minority-language names",
            "is transliterated from its own language (名从主人), not read from its characters",
        ),
    };
    let language = spelling
        .language
        .as_deref()
        .filter(|l| *l != "zh")
        .map(|l| format!(", language {l}"))
        .unwrap_or_default();
    let review = if spelling.reviewed {
        ""
    } else {
        "; derived, not yet reviewed"
    };
    Reason {
        rule,
        detail: format!(
            "{name} {what}: {} ({}{language}{review})",
            spelling.standard, spelling.source
        ),
    }
}

/// Words of the generic term: a modifier joins its first word (Houjie), `|` breaks words.
fn generic_words(generic: &Generic, modifier: &[Reading], modifier_chars: &[char]) -> Vec<Word> {
    let modifier_syllables: Vec<&Syllable> = modifier.iter().map(|r| &r.syllable).collect();
    let modifier_text: String = modifier_chars.iter().collect();
    let groups: Vec<Vec<Syllable>> = generic
        .reading
        .split('|')
        .map(|group| {
            group
                .split(' ')
                .map(|s| Syllable::parse(s).expect("generic readings are valid"))
                .collect()
        })
        .collect();
    let mut chinese_chars = generic.chinese.chars();
    groups
        .iter()
        .enumerate()
        .map(|(i, group)| {
            let mut chinese: String = chinese_chars.by_ref().take(group.len()).collect();
            let mut syllables: Vec<&Syllable> = group.iter().collect();
            if i == 0 && !modifier_syllables.is_empty() {
                chinese.insert_str(0, &modifier_text);
                syllables.splice(0..0, modifier_syllables.iter().copied());
            }
            word(chinese, &syllables, Role::Generic)
        })
        .collect()
}

/// Writes syllables as one word: apostrophes before a, o, e inside it, first letter capital.
fn word(chinese: String, syllables: &[&Syllable], role: Role) -> Word {
    let mut standard = String::new();
    for (i, syllable) in syllables.iter().enumerate() {
        if i > 0 && syllable.starts_with_vowel() {
            standard.push('\'');
        }
        standard.push_str(&syllable.toned());
    }
    let standard = capitalized(&standard);
    Word {
        chinese,
        sign: untoned(&standard),
        standard,
        role,
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn assemble(
    name: &str,
    class: Option<FeatureClass>,
    words: Vec<Word>,
    readings: Vec<CharReading>,
    reasons: Vec<Reason>,
) -> Romanization {
    let join = |role_filter: &dyn Fn(Role) -> bool, pick: &dyn Fn(&Word) -> &str| {
        words
            .iter()
            .filter(|w| role_filter(w.role))
            .map(pick)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let is_generic = |r: Role| r == Role::Generic;
    let not_generic = |r: Role| r != Role::Generic;
    let generic_chinese: String = words
        .iter()
        .filter(|w| w.role == Role::Generic)
        .map(|w| w.chinese.as_str())
        .collect();
    let generic = words.iter().any(|w| w.role == Role::Generic).then(|| Part {
        chinese: generic_chinese.clone(),
        standard: join(&is_generic, &|w| &w.standard),
        sign: join(&is_generic, &|w| &w.sign),
    });
    let proper = Part {
        chinese: name
            .strip_suffix(generic_chinese.as_str())
            .unwrap_or(name)
            .to_string(),
        standard: join(&not_generic, &|w| &w.standard),
        sign: join(&not_generic, &|w| &w.sign),
    };
    Romanization {
        name: name.to_string(),
        standard: join(&|_| true, &|w| &w.standard),
        sign: join(&|_| true, &|w| &w.sign),
        proper,
        generic,
        class,
        words,
        readings,
        reasons,
    }
}

/// `经五路` → the proper name 经 and the ordinal 5: one character, then a Chinese numeral.
fn ordinal_street_number(proper: &[char]) -> Option<u32> {
    if proper.len() < 2 || chinese_numeral(&proper[..1]).is_some() {
        return None;
    }
    chinese_numeral(&proper[1..]).filter(|n| *n > 0)
}

/// The value of a Chinese numeral below 100 (五, 十二, 二十, 三十五).
fn chinese_numeral(chars: &[char]) -> Option<u32> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    match chars {
        [d] => digit(*d).or((*d == '十').then_some(10)),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', d] => Some(digit(*t)? * 10 + digit(*d)?),
        _ => None,
    }
}

/// Where the one-syllable modifiers before a street's generic term begin (南小街 in
/// 朝阳门内南小街): at most two, leaving at least two characters of proper name, and 内/外
/// after a gate stay with the gate (朝阳门内 Chaoyangmennei).
fn street_modifier_start(proper: &[char]) -> usize {
    const MODIFIERS: &str = "东西南北中前后上下左右内外大小新老正横";
    let mut start = proper.len();
    while proper.len() - start < 2 && start > 2 {
        let ch = proper[start - 1];
        let after_gate =
            matches!(ch, '内' | '外') && matches!(proper[start - 2], '门' | '关' | '城');
        if !MODIFIERS.contains(ch) || after_gate {
            break;
        }
        start -= 1;
    }
    start
}

fn distinct(chars: impl Iterator<Item = char>) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    for c in chars {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Whether a character is a Chinese character (CJK unified ideographs and their extensions).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn fold_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10).unwrap_or(c),
        other => other,
    }
}

#[cfg(test)]
mod tests;
