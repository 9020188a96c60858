//! The name index: finds places as people type — Chinese characters (prefix and infix), pinyin
//! with or without spaces and tones (`beijing`, `bei jing`), initials (`bj`), mixed input
//! (`北j`), every reading of a polyphone (长 chang/zhang) and one typo in pinyin — ranked exact >
//! prefix > infix > fuzzy, then by distance and importance. Standard, alternate and historical
//! names are all indexed, and a hit says which one matched.
//!
//! Pinyin keys live in one text arena with a sorted array of references (built once, compact),
//! plus a small ordered set for names added since; a removed record's slot is emptied and never
//! reused, so a stale key can only point at an empty slot.

pub mod addresses;

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::domain::romanize::{Romanizer, is_han, untoned};

/// Reading combinations keyed per name at most: the likeliest, then each other reading of one
/// character at a time (长治 changzhi, zhangzhi).
const MAX_COMBINATIONS: usize = 8;
/// Name positions from which infix keys are made.
const MAX_INFIX_START: usize = 12;
/// Candidates taken from one key range before ranking (a one-letter query matches a lot).
const MAX_CANDIDATES: usize = 2_000;

/// Which name of a record matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameKind {
    /// The record's standard name (标准名称).
    Standard,
    /// An alternate name with its kind (alias, historical, short …) and the record's standard
    /// name.
    Alternate {
        /// The alternate name's kind as stored (`alias`, `historical` …).
        kind: Box<str>,
        /// The standard name of the record the alternate name belongs to.
        standard_name: Box<str>,
    },
}

/// One searchable name of a record (boxed strings: the index holds hundreds of thousands).
#[derive(Debug, Clone)]
pub struct NameRecord {
    /// The record the name belongs to.
    pub place_id: i64,
    /// The name in Chinese characters.
    pub name: Box<str>,
    /// Which of the record's names it is.
    pub kind: NameKind,
    /// The record's romanization, to show with a hit.
    pub romanization: Option<Box<str>>,
    /// The record's category code (filters, and ranks divisions by level).
    pub category: Box<str>,
    /// The record's main division code; its readings may be local (some characters read
    /// otherwise in some divisions).
    pub division_code: Option<Box<str>>,
    /// Whether the anonymous public may see the record.
    pub public: bool,
    /// Whether the name is in use today (current names rank before historical ones).
    pub current: bool,
    /// A representative position (lon, lat) for ranking by distance.
    pub position: Option<(f64, f64)>,
}

impl NameRecord {
    /// The record's standard name (the matched name itself, unless an alternate matched).
    pub fn standard_name(&self) -> &str {
        match &self.kind {
            NameKind::Standard => &self.name,
            NameKind::Alternate { standard_name, .. } => standard_name,
        }
    }
}

struct Entry {
    record: NameRecord,
    chars: Box<[char]>,
    tokens: Box<[Token]>,
}

/// A character with its readings as ids into the index's syllable table (a few hundred
/// syllables serve every name, so each reading costs two bytes).
struct Token {
    ch: char,
    readings: Box<[u16]>,
}

/// How a name matched a query, best first (the order ranks hits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// The whole name (or its whole reading, or all its initials) is the query.
    Exact,
    /// The name (or its reading, or its initials) starts with the query.
    Prefix,
    /// The query occurs inside the name, from a later character on.
    Infix,
    /// The query is one typo away from the beginning of the name's reading.
    Fuzzy,
}

impl MatchKind {
    /// The kind's name as responses give it (`exact`, `prefix`, `infix`, `fuzzy`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Prefix => "prefix",
            Self::Infix => "infix",
            Self::Fuzzy => "fuzzy",
        }
    }
}

/// A search with its filters.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery<'a> {
    /// What the user typed: characters, pinyin (tones, spaces and case ignored), initials, or
    /// a mix.
    pub text: &'a str,
    /// A position (lon, lat) to rank equal matches by distance from.
    pub near: Option<(f64, f64)>,
    /// Only names whose record lies in a division whose code starts with this.
    pub division_prefix: Option<&'a str>,
    /// Only names whose category code starts with this.
    pub category_prefix: Option<&'a str>,
    /// Leave out records the anonymous public may not see.
    pub public_only: bool,
    /// The most hits to return (0 returns none).
    pub limit: usize,
}

/// A name that matched a search, with how it matched.
#[derive(Debug, Clone)]
pub struct SearchHit<'a> {
    /// The name that matched (for an alternate name, its record's standard name is inside).
    pub record: &'a NameRecord,
    /// How it matched.
    pub kind: MatchKind,
    /// Its distance in metres from the query's `near` position, when both are known.
    pub distance_m: Option<f64>,
}

#[derive(Clone, Copy)]
struct KeyRef {
    start: u32,
    len: u16,
    slot: u32,
    /// The token the key starts at: 0 for the whole name, more for an infix.
    from: u16,
}

/// Pinyin keys: whole typed readings (`changzhi`) or their initials (`cz`).
#[derive(Default)]
struct KeySet {
    arena: String,
    sorted: Vec<KeyRef>,
    added: BTreeSet<(Box<str>, u32, u16)>,
}

impl KeySet {
    fn key(&self, k: &KeyRef) -> &str {
        &self.arena[k.start as usize..k.start as usize + k.len as usize]
    }

    fn push_built(&mut self, key: &str, slot: u32, from: u16) {
        let start = self.arena.len() as u32;
        self.arena.push_str(key);
        self.sorted.push(KeyRef {
            start,
            len: key.len() as u16,
            slot,
            from,
        });
    }

    fn finish_build(&mut self) {
        let mut sorted = std::mem::take(&mut self.sorted);
        sorted.sort_unstable_by(|a, b| self.key(a).cmp(self.key(b)));
        self.sorted = sorted;
    }

    /// Keys that start with `prefix`: (slot, token the key starts at, whole key equals prefix).
    fn with_prefix(&self, prefix: &str, mut visit: impl FnMut(u32, u16, bool) -> bool) {
        let first = self.sorted.partition_point(|k| self.key(k) < prefix);
        for k in &self.sorted[first..] {
            let key = self.key(k);
            if !key.starts_with(prefix) || !visit(k.slot, k.from, key.len() == prefix.len()) {
                break;
            }
        }
        for (key, slot, from) in self
            .added
            .range::<(Box<str>, u32, u16), _>((Box::from(prefix), 0, 0)..)
        {
            if !key.starts_with(prefix) || !visit(*slot, *from, key.len() == prefix.len()) {
                break;
            }
        }
    }
}

/// The name index over every name of every record, searched as people type.
///
/// ```
/// use diming::search::{MatchKind, NameIndex, NameKind, NameRecord, SearchQuery};
///
/// let record = |id: i64, name: &str, category: &str, position: (f64, f64)| NameRecord {
///     place_id: id,
///     name: name.into(),
///     kind: NameKind::Standard,
///     romanization: None,
///     category: category.into(),
///     division_code: None,
///     public: true,
///     current: true,
///     position: Some(position),
/// };
/// let index = NameIndex::build([
///     record(1, "北京市", "211", (116.4, 39.9)),
///     record(2, "长治市", "212", (113.1, 36.2)),
/// ]);
/// let search = |text| {
///     index
///         .search(&SearchQuery { text, limit: 10, ..Default::default() })
///         .iter()
///         .map(|hit| (hit.record.place_id, hit.kind))
///         .collect::<Vec<_>>()
/// };
/// assert_eq!(search("北京市"), [(1, MatchKind::Exact)]);
/// assert_eq!(search("Běijīng"), [(1, MatchKind::Prefix)]);
/// assert_eq!(search("bj"), [(1, MatchKind::Prefix)]);
/// assert_eq!(search("北j"), [(1, MatchKind::Prefix)]);
/// // Every reading of a polyphone: 长 is chang here, zhang elsewhere.
/// assert_eq!(search("zhangzhi"), [(2, MatchKind::Prefix)]);
/// // One typo in pinyin is forgiven, and ranks last.
/// assert_eq!(search("changzih"), [(2, MatchKind::Fuzzy)]);
/// assert!(search("shanghai").is_empty());
/// ```
#[derive(Default)]
pub struct NameIndex {
    entries: Vec<Option<Entry>>,
    /// The slots of each place's names (most places have one name, kept without a heap list).
    by_place: HashMap<i64, Slots>,
    by_char: HashMap<char, Vec<u32>>,
    /// Names by their first character, so prefix matches are found before infix ones.
    by_first_char: HashMap<char, Vec<u32>>,
    /// Names by each pair of adjacent characters: a two-character query looks at the few
    /// names holding that pair, not the many holding its commonest character.
    by_pair: HashMap<(char, char), Vec<u32>>,
    /// Names by their first two characters (prefix matches of longer queries).
    by_first_pair: HashMap<(char, char), Vec<u32>>,
    syllables: Vec<Box<str>>,
    syllable_ids: HashMap<Box<str>, u16>,
    full: KeySet,
    initials: KeySet,
    building: bool,
}

impl NameIndex {
    /// Builds the index from all records at once (the keys are sorted once at the end).
    pub fn build(records: impl IntoIterator<Item = NameRecord>) -> Self {
        let mut index = Self {
            building: true,
            ..Self::default()
        };
        let engine = Romanizer::default();
        for record in records {
            index.add(&engine, record);
        }
        index.full.finish_build();
        index.initials.finish_build();
        index.building = false;
        index
    }

    /// Number of live names.
    pub fn len(&self) -> usize {
        self.by_place.values().map(|s| s.as_slice().len()).sum()
    }

    /// Whether no name is indexed.
    pub fn is_empty(&self) -> bool {
        self.by_place.is_empty()
    }

    /// Replaces every name of a place with `records` (empty: the place is gone).
    pub fn replace_place(&mut self, place_id: i64, records: Vec<NameRecord>) {
        for slot in self
            .by_place
            .remove(&place_id)
            .iter()
            .flat_map(|s| s.as_slice().to_vec())
        {
            self.entries[slot as usize] = None;
        }
        let engine = Romanizer::default();
        for record in records {
            self.add(&engine, record);
        }
    }

    fn add(&mut self, engine: &Romanizer, record: NameRecord) {
        let slot = self.entries.len() as u32;
        let division = record.division_code.as_deref();
        let tokens: Vec<Token> = engine
            .search_tokens(&record.name, division)
            .into_iter()
            .map(|t| Token {
                ch: t.ch,
                readings: t.readings.iter().map(|r| self.syllable_id(r)).collect(),
            })
            .collect();
        let chars: Box<[char]> = record.name.chars().collect();
        let mut seen = HashSet::new();
        for ch in chars.iter() {
            if seen.insert(*ch) {
                self.by_char.entry(*ch).or_default().push(slot);
            }
        }
        if let Some(first) = chars.first() {
            self.by_first_char.entry(*first).or_default().push(slot);
        }
        if let [first, second, ..] = chars[..] {
            self.by_first_pair
                .entry((first, second))
                .or_default()
                .push(slot);
        }
        let mut pairs = HashSet::new();
        for pair in chars.windows(2) {
            if pairs.insert((pair[0], pair[1])) {
                self.by_pair
                    .entry((pair[0], pair[1]))
                    .or_default()
                    .push(slot);
            }
        }
        let mut keys: HashSet<(String, String, u16)> = HashSet::new();
        for (i, combination) in self.combinations(&tokens).into_iter().enumerate() {
            // Every combination for the whole name; infixes only for the likeliest reading.
            let starts = if i == 0 {
                combination.len().min(MAX_INFIX_START)
            } else {
                1
            };
            for from in 0..starts {
                let full: String = combination[from..].concat();
                let initials: String = combination[from..]
                    .iter()
                    .filter_map(|r| r.chars().next())
                    .collect();
                keys.insert((full, initials, from as u16));
            }
        }
        for (full, initials, from) in keys {
            if full.is_empty() {
                continue;
            }
            if self.building {
                self.full.push_built(&full, slot, from);
                self.initials.push_built(&initials, slot, from);
            } else {
                self.full.added.insert((full.into(), slot, from));
                self.initials.added.insert((initials.into(), slot, from));
            }
        }
        match self.by_place.get_mut(&record.place_id) {
            None => {
                self.by_place.insert(record.place_id, Slots::One(slot));
            }
            Some(slots) => slots.push(slot),
        }
        self.entries.push(Some(Entry {
            record,
            chars,
            tokens: tokens.into(),
        }));
    }

    fn syllable_id(&mut self, reading: &str) -> u16 {
        if let Some(id) = self.syllable_ids.get(reading) {
            return *id;
        }
        let id = self.syllables.len() as u16;
        self.syllables.push(reading.into());
        self.syllable_ids.insert(reading.into(), id);
        id
    }

    /// The likeliest reading of a name, then each other reading of one character at a time.
    fn combinations(&self, tokens: &[Token]) -> Vec<Vec<&str>> {
        let read: Vec<&Token> = tokens.iter().filter(|t| !t.readings.is_empty()).collect();
        if read.is_empty() {
            return Vec::new();
        }
        let likeliest: Vec<&str> = read
            .iter()
            .map(|t| &*self.syllables[t.readings[0] as usize])
            .collect();
        let mut out = vec![likeliest.clone()];
        'tokens: for (i, token) in read.iter().enumerate() {
            for other in &token.readings[1..] {
                if out.len() >= MAX_COMBINATIONS {
                    break 'tokens;
                }
                let mut combination = likeliest.clone();
                combination[i] = &self.syllables[*other as usize];
                out.push(combination);
            }
        }
        out
    }

    /// Finds names for a query; at most `limit` hits, one per place (its best-matching name).
    pub fn search(&self, query: &SearchQuery) -> Vec<SearchHit<'_>> {
        let text = normalise(query.text);
        let mut candidates: Vec<(u32, MatchKind)> = Vec::new();
        let has_han = text.chars().any(is_han);
        let has_letters = text.chars().any(|c| c.is_ascii_alphanumeric());
        if has_han {
            self.search_characters(&text, has_letters, &mut candidates);
        } else if !text.is_empty() {
            for keys in [&self.full, &self.initials] {
                let mut taken = 0;
                keys.with_prefix(&text, |slot, from, whole| {
                    let kind = match (from, whole) {
                        (0, true) => MatchKind::Exact,
                        (0, false) => MatchKind::Prefix,
                        _ => MatchKind::Infix,
                    };
                    candidates.push((slot, kind));
                    taken += 1;
                    taken < MAX_CANDIDATES
                });
            }
            if candidates.len() < query.limit.max(1) && text.len() >= 4 {
                let mut taken = 0;
                for variant in one_edit_variants(&text) {
                    self.full.with_prefix(&variant, |slot, from, _| {
                        if from == 0 {
                            candidates.push((slot, MatchKind::Fuzzy));
                            taken += 1;
                        }
                        taken < MAX_CANDIDATES
                    });
                }
            }
        }
        self.rank(candidates, query)
    }

    /// Characters, prefix or infix; with letters mixed in, each letter matches a reading or its
    /// initial (北j finds 北京). Names starting with the query's first character are looked at
    /// first, so that prefix matches are not crowded out by infix ones.
    fn search_characters(&self, text: &str, mixed: bool, candidates: &mut Vec<(u32, MatchKind)>) {
        let query: Vec<char> = text.chars().collect();
        let first = match query[..] {
            [one] if is_han(one) => self.by_first_char.get(&one),
            [a, b, ..] if is_han(a) && is_han(b) => self.by_first_pair.get(&(a, b)),
            _ => None,
        };
        // The rarest character, or the rarest adjacent pair of characters when there is one.
        let singles = query
            .iter()
            .filter(|c| is_han(**c))
            .map(|c| self.by_char.get(c).unwrap_or(&EMPTY));
        let pairs = query
            .windows(2)
            .filter(|p| is_han(p[0]) && is_han(p[1]))
            .map(|p| self.by_pair.get(&(p[0], p[1])).unwrap_or(&EMPTY));
        let rarest = pairs
            .chain(singles)
            .min_by_key(|p| p.len())
            .unwrap_or(&EMPTY);
        let mut seen = HashSet::new();
        for postings in [first.unwrap_or(&EMPTY), rarest] {
            // Enough prefix matches already: infix ones would rank after all of them.
            if candidates.len() >= MAX_CANDIDATES {
                break;
            }
            let mut taken = 0;
            for &slot in postings {
                if taken >= MAX_CANDIDATES || !seen.insert(slot) {
                    if taken >= MAX_CANDIDATES {
                        break;
                    }
                    continue;
                }
                let Some(entry) = &self.entries[slot as usize] else {
                    continue;
                };
                let found = if mixed {
                    self.mixed_match(&entry.tokens, text)
                } else {
                    find_chars(&entry.chars, &query)
                };
                if let Some(start) = found {
                    let exact = start == 0 && !mixed && entry.chars.len() == query.len();
                    let kind = match (exact, start) {
                        (true, _) => MatchKind::Exact,
                        (false, 0) => MatchKind::Prefix,
                        _ => MatchKind::Infix,
                    };
                    candidates.push((slot, kind));
                    taken += 1;
                }
            }
        }
    }

    /// Orders the candidates and keeps the best `limit`, one per place: only the best few are
    /// fully sorted, so a query matching thousands of names stays cheap.
    fn rank(&self, candidates: Vec<(u32, MatchKind)>, query: &SearchQuery) -> Vec<SearchHit<'_>> {
        let mut hits: Vec<SearchHit> = candidates
            .into_iter()
            .filter_map(|(slot, kind)| {
                let record = &self.entries[slot as usize].as_ref()?.record;
                if query.public_only && !record.public {
                    return None;
                }
                if let Some(prefix) = query.division_prefix
                    && !record
                        .division_code
                        .as_deref()
                        .is_some_and(|d| d.starts_with(prefix))
                {
                    return None;
                }
                if let Some(prefix) = query.category_prefix
                    && !record.category.starts_with(prefix)
                {
                    return None;
                }
                let distance_m = match (query.near, record.position) {
                    (Some(a), Some(b)) => Some(rough_distance_m(a, b)),
                    _ => None,
                };
                Some(SearchHit {
                    record,
                    kind,
                    distance_m,
                })
            })
            .collect();
        let order = |a: &SearchHit, b: &SearchHit| {
            (
                a.kind,
                !a.record.current,
                a.record.kind != NameKind::Standard,
            )
                .cmp(&(
                    b.kind,
                    !b.record.current,
                    b.record.kind != NameKind::Standard,
                ))
                .then_with(|| {
                    let d = |h: &SearchHit| h.distance_m.unwrap_or(f64::INFINITY);
                    d(a).total_cmp(&d(b))
                })
                .then_with(|| importance(&b.record.category).cmp(&importance(&a.record.category)))
                .then_with(|| {
                    a.record
                        .name
                        .chars()
                        .count()
                        .cmp(&b.record.name.chars().count())
                })
                .then_with(|| a.record.place_id.cmp(&b.record.place_id))
        };
        // A place can appear once per name and reading; keep enough to fill `limit` places.
        let keep = (query.limit * 8).max(64);
        if hits.len() > keep {
            hits.select_nth_unstable_by(keep, order);
            hits.truncate(keep);
        }
        hits.sort_by(order);
        let mut places = HashSet::new();
        hits.retain(|h| places.insert(h.record.place_id));
        hits.truncate(query.limit);
        hits
    }

    /// Mixed input: from some token on, each query part is the token's character, a whole
    /// reading, or its initial; the last part may be the beginning of a reading. Returns the
    /// first token.
    fn mixed_match(&self, tokens: &[Token], query: &str) -> Option<usize> {
        let query: Vec<char> = query.chars().collect();
        (0..tokens.len()).find(|&start| self.matches_from(tokens, start, &query, 0))
    }

    fn matches_from(&self, tokens: &[Token], t: usize, query: &[char], q: usize) -> bool {
        if q == query.len() {
            return true;
        }
        let Some(token) = tokens.get(t) else {
            return false;
        };
        if query[q] == token.ch && self.matches_from(tokens, t + 1, query, q + 1) {
            return true;
        }
        for reading in token.readings.iter() {
            let letters: Vec<char> = self.syllables[*reading as usize].chars().collect();
            let rest = &query[q..];
            // The whole reading, or (at the end of the query) its beginning.
            if rest.len() >= letters.len()
                && rest[..letters.len()] == letters[..]
                && self.matches_from(tokens, t + 1, query, q + letters.len())
            {
                return true;
            }
            if rest.len() < letters.len() && letters[..rest.len()] == *rest {
                return true;
            }
            if letters.first() == Some(&query[q]) && self.matches_from(tokens, t + 1, query, q + 1)
            {
                return true;
            }
        }
        false
    }
}

static EMPTY: Vec<u32> = Vec::new();

/// One slot, or several.
enum Slots {
    One(u32),
    Many(Vec<u32>),
}

impl Slots {
    fn as_slice(&self) -> &[u32] {
        match self {
            Self::One(slot) => std::slice::from_ref(slot),
            Self::Many(slots) => slots,
        }
    }

    fn push(&mut self, slot: u32) {
        match self {
            Self::One(first) => *self = Self::Many(vec![*first, slot]),
            Self::Many(slots) => slots.push(slot),
        }
    }
}

/// A query's text as keys are written: lower case, no spaces, apostrophes, hyphens or tone
/// marks; ü typed as v.
///
/// ```
/// assert_eq!(diming::search::normalise(" Lǜ Liáng "), "lvliang");
/// assert_eq!(diming::search::normalise("Xī'ān"), "xian");
/// ```
pub fn normalise(text: &str) -> String {
    untoned(text.trim())
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\'' | '’' | '-' | '·'))
        .map(|c| if c == 'ü' { 'v' } else { c })
        .collect()
}

/// Where `query` occurs in `chars`.
fn find_chars(chars: &[char], query: &[char]) -> Option<usize> {
    if query.is_empty() || query.len() > chars.len() {
        return None;
    }
    (0..=chars.len() - query.len()).find(|&i| chars[i..i + query.len()] == *query)
}

/// Every string one edit away (deletion, substitution, insertion, transposition of letters).
fn one_edit_variants(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = HashSet::new();
    for i in 0..chars.len() {
        let mut deleted = chars.clone();
        deleted.remove(i);
        out.insert(deleted.iter().collect::<String>());
        if i + 1 < chars.len() {
            let mut swapped = chars.clone();
            swapped.swap(i, i + 1);
            out.insert(swapped.iter().collect());
        }
        for letter in 'a'..='z' {
            let mut substituted = chars.clone();
            substituted[i] = letter;
            out.insert(substituted.iter().collect());
        }
    }
    for i in 0..=chars.len() {
        for letter in 'a'..='z' {
            let mut inserted = chars.clone();
            inserted.insert(i, letter);
            out.insert(inserted.iter().collect());
        }
    }
    out.remove(text);
    out.into_iter().filter(|v| v.len() >= 3).collect()
}

/// Divisions first, the higher the level the more important.
fn importance(category: &str) -> u8 {
    match category {
        c if c.starts_with("211") => 6,
        c if c.starts_with("212") => 5,
        c if c.starts_with("213") => 4,
        c if c.starts_with("214") => 3,
        c if c.starts_with("21") || c.starts_with("22") => 2,
        c if c.starts_with("24") => 1,
        _ => 0,
    }
}

/// Distance for ranking (equirectangular; exact enough to order nearby names).
fn rough_distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let mean_lat = ((a.1 + b.1) / 2.0).to_radians();
    let dx = (a.0 - b.0).to_radians() * mean_lat.cos();
    let dy = (a.1 - b.1).to_radians();
    6_371_008.8 * (dx * dx + dy * dy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i64, name: &str, category: &str, position: (f64, f64)) -> NameRecord {
        NameRecord {
            place_id: id,
            name: name.into(),
            kind: NameKind::Standard,
            romanization: None,
            category: category.into(),
            division_code: Some("330421".into()),
            public: true,
            current: true,
            position: Some(position),
        }
    }

    fn index() -> NameIndex {
        NameIndex::build([
            record(1, "北京市", "211", (116.4, 39.9)),
            record(2, "长治市", "212", (113.1, 36.2)),
            record(3, "西塘镇", "214", (120.89, 30.94)),
            record(4, "新村", "24", (120.9, 30.9)),
            record(5, "新村", "24", (121.0, 30.7)),
            record(6, "东北京路", "253", (120.0, 30.0)),
        ])
    }

    fn found(index: &NameIndex, text: &str) -> Vec<(i64, MatchKind)> {
        index
            .search(&SearchQuery {
                text,
                limit: 10,
                ..Default::default()
            })
            .iter()
            .map(|h| (h.record.place_id, h.kind))
            .collect()
    }

    #[test]
    fn every_input_form_finds_the_name() {
        let index = index();
        for text in [
            "北京市",
            "北京",
            "beijingshi",
            "bei jing",
            "Běijīng",
            "bj",
            "bjs",
            "北j",
            "北jing",
            "bei京",
        ] {
            assert_eq!(found(&index, text).first().map(|h| h.0), Some(1), "{text}");
        }
        assert_eq!(found(&index, "北京市")[0].1, MatchKind::Exact);
        assert_eq!(found(&index, "beijingshi")[0].1, MatchKind::Exact);
        assert_eq!(found(&index, "bj")[0].1, MatchKind::Prefix);
        // Infix: 京 inside 北京市 and 东北京路; prefix and exact rank first.
        let jing = found(&index, "京");
        assert!(jing.iter().all(|h| h.1 == MatchKind::Infix) && jing.len() == 2);
    }

    #[test]
    fn every_reading_of_a_polyphone_finds_it_and_the_place_reading_first() {
        let index = index();
        assert_eq!(found(&index, "changzhi")[0], (2, MatchKind::Prefix));
        assert_eq!(found(&index, "zhangzhi")[0].0, 2);
    }

    #[test]
    fn one_typo_is_forgiven_and_ranks_last() {
        let index = index();
        assert_eq!(found(&index, "xitnag")[0], (3, MatchKind::Fuzzy));
        assert_eq!(found(&index, "beijnig")[0].0, 1);
    }

    #[test]
    fn identical_names_are_told_apart_by_distance() {
        let index = index();
        let near = |position| {
            index.search(&SearchQuery {
                text: "新村",
                near: Some(position),
                limit: 10,
                ..Default::default()
            })[0]
                .record
                .place_id
        };
        assert_eq!(near((121.01, 30.71)), 5);
        assert_eq!(near((120.9, 30.91)), 4);
    }

    #[test]
    fn replaced_names_are_found_under_the_new_name_only() {
        let mut index = index();
        index.replace_place(3, vec![record(3, "西塘古镇", "214", (120.89, 30.94))]);
        assert_eq!(found(&index, "xitangguzhen")[0].0, 3);
        assert!(found(&index, "西塘镇").is_empty());
        index.replace_place(3, Vec::new());
        assert!(found(&index, "西塘").is_empty());
    }

    #[test]
    fn filters_and_visibility_apply() {
        let mut index = index();
        let mut hidden = record(7, "北京饭店", "28", (116.4, 39.9));
        hidden.public = false;
        index.replace_place(7, vec![hidden]);
        let public = index.search(&SearchQuery {
            text: "北京",
            public_only: true,
            limit: 10,
            ..Default::default()
        });
        assert!(public.iter().all(|h| h.record.place_id != 7));
        let streets = index.search(&SearchQuery {
            text: "北京",
            category_prefix: Some("25"),
            limit: 10,
            ..Default::default()
        });
        assert_eq!(
            streets
                .iter()
                .map(|h| h.record.place_id)
                .collect::<Vec<_>>(),
            [6]
        );
    }
}
