//! Reading an address as people write it (嘉善县罗星街道亭桥路12号3幢2单元401室): full-width
//! digits, 12-1号 / 12之一号 / 12号之一, 幢/栋/号楼/#, with or without the province, prefecture
//! and county, and typos in the division part. The road is found among the known road and area
//! names; the division part is matched, with a small edit distance allowed, against the
//! divisions of the roads of that name, which settles which road is meant when two townships
//! have one of the same name. Pure: the gazetteer of names comes in, the parts go out.

use std::collections::HashMap;

use super::address::{AddressPath, HouseNumber};

/// A division as the parser knows it: its code, its full name and its name without the generic
/// word (嘉善县 → 嘉善, 罗星街道 → 罗星).
#[derive(Debug, Clone)]
struct LexDivision {
    full: Vec<char>,
    short: Vec<char>,
}

/// A road, lane or residential area as the parser knows it.
#[derive(Debug, Clone)]
struct LexRoad {
    id: i64,
    name: Vec<char>,
    /// The road's division and all above it, from the province down (codes).
    chain: Vec<String>,
    on_area: bool,
}

/// The names the parser reads addresses against.
#[derive(Debug, Clone, Default)]
pub struct AddressGazetteer {
    divisions: HashMap<String, LexDivision>,
    roads: Vec<LexRoad>,
    by_first: HashMap<char, Vec<usize>>,
    /// Roads by the letters of their romanization (`tingqiaolu`), for addresses typed in pinyin.
    by_pinyin: Vec<(String, usize)>,
}

/// An address read from text.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAddress {
    /// The road or area record.
    pub road_id: i64,
    /// The deepest division the text named (or the road's own when it named none).
    pub division_code: String,
    /// The parts below the road.
    pub path: AddressPath,
    /// The edits the division part needed to match (0 when written exactly).
    pub division_edits: usize,
}

/// Why a text cannot be read as an address.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AddressParseError {
    /// No road, lane or area name of the register occurs in the text.
    #[error("no road, lane or residential area of the register is named in {0:?}")]
    NoRoad(String),
    /// The part before the road does not name the road's divisions.
    #[error("{0:?} does not name the divisions of any road called {1}")]
    Division(String, String),
    /// The part after the road is not a number, building, unit and flat.
    #[error("{0:?} after the road is not read as number, building, unit and flat")]
    Rest(String),
}

/// Generic words of division names, longest first, dropped to give the short form.
const GENERICS: [&str; 12] = [
    "自治县",
    "街道",
    "社区",
    "省",
    "市",
    "县",
    "区",
    "镇",
    "乡",
    "村",
    "旗",
    "盟",
];

/// The most edits the division part may need in all.
const MAX_DIVISION_EDITS: usize = 2;

impl AddressGazetteer {
    /// Adds a division (code and name).
    pub fn add_division(&mut self, code: &str, name: &str) {
        let full: Vec<char> = name.chars().collect();
        let short = GENERICS
            .iter()
            .find_map(|g| name.strip_suffix(g).filter(|s| s.chars().count() >= 2))
            .map_or_else(|| full.clone(), |s| s.chars().collect());
        self.divisions
            .insert(code.to_string(), LexDivision { full, short });
    }

    /// Adds a road, lane or area: its place id, name, the division codes of its chain (from the
    /// province down), and whether it is a residential area (buildings, no door numbers).
    pub fn add_road(&mut self, id: i64, name: &str, chain: Vec<String>, on_area: bool) {
        let name: Vec<char> = name.chars().collect();
        let Some(&first) = name.first() else {
            return;
        };
        self.by_first
            .entry(first)
            .or_default()
            .push(self.roads.len());
        self.roads.push(LexRoad {
            id,
            name,
            chain,
            on_area,
        });
    }

    /// Adds the romanization of road `id` (`Tingqiao Lu`, as its record has it), so that the
    /// road is found when typed in pinyin; tones, spaces, hyphens and case are ignored.
    pub fn add_road_romanization(&mut self, id: i64, romanization: &str) {
        let letters = pinyin_letters(romanization);
        if letters.len() < 3 {
            return;
        }
        // Called right after `add_road` of the same road, as the index is built.
        let last = self.roads.len().checked_sub(1);
        let found = match last {
            Some(i) if self.roads[i].id == id => Some(i),
            _ => self.roads.iter().rposition(|r| r.id == id),
        };
        if let Some(i) = found {
            self.by_pinyin.push((letters, i));
        }
    }

    /// Reads an address typed in pinyin: the road's romanization, then the number and the
    /// parts below it with their pinyin words (`tingqiaolu 12 hao 3 zhuang 2 danyuan 401 shi`);
    /// the division part before the road is not read. `None` when no romanization occurs.
    fn parse_pinyin(&self, text: &str) -> Option<Result<ParsedAddress, AddressParseError>> {
        let letters = pinyin_letters(text);
        // The longest romanization in the text wins (`tingqiaolu` over `tingqiao`).
        let (at, alias, i) = self
            .by_pinyin
            .iter()
            .filter_map(|(alias, i)| letters.find(alias.as_str()).map(|at| (at, alias, *i)))
            .max_by_key(|(_, alias, _)| alias.len())?;
        let mut rest = letters[at + alias.len()..].to_string();
        for (word, hanzi) in PINYIN_WORDS {
            rest = rest.replace(word, hanzi);
        }
        let road = &self.roads[i];
        Some(
            parse_rest(&rest, road.on_area)
                .map(|path| ParsedAddress {
                    road_id: road.id,
                    division_code: road.chain.last().cloned().unwrap_or_default(),
                    path,
                    division_edits: 0,
                })
                .ok_or(AddressParseError::Rest(rest)),
        )
    }

    /// How many roads and areas it knows.
    pub fn road_count(&self) -> usize {
        self.roads.len()
    }

    /// Reads `text` as an address.
    ///
    /// ```
    /// use diming::domain::address::HouseNumber;
    /// use diming::domain::address_parse::AddressGazetteer;
    ///
    /// let mut names = AddressGazetteer::default();
    /// for (code, name) in [("330000", "浙江省"), ("330400", "嘉兴市"), ("330421", "嘉善县"), ("330421001", "罗星街道")] {
    ///     names.add_division(code, name);
    /// }
    /// let chain = ["330000", "330400", "330421", "330421001"].map(String::from).to_vec();
    /// names.add_road(7, "亭桥路", chain, false);
    ///
    /// let read = names.parse("浙江嘉善县罗兴街道亭桥路１２号之一3栋2单元401室").unwrap();
    /// assert_eq!(read.road_id, 7);
    /// assert_eq!(read.division_code, "330421001");
    /// assert_eq!(read.path.number, Some(HouseNumber::with_suffix(12, 1)));
    /// assert_eq!(read.path.building.as_deref(), Some("3"));
    /// assert_eq!((read.path.unit.as_deref(), read.path.flat.as_deref()), (Some("2"), Some("401")));
    /// assert_eq!(read.division_edits, 1); // 罗兴 for 罗星
    /// ```
    pub fn parse(&self, text: &str) -> Result<ParsedAddress, AddressParseError> {
        let chars = normalise(text);
        // The longest road name in the text (the last one when two are as long: the division
        // part comes first).
        let mut best: Option<(usize, usize)> = None; // (start, length)
        for start in 0..chars.len() {
            let Some(candidates) = self.by_first.get(&chars[start]) else {
                continue;
            };
            for &i in candidates {
                let name = &self.roads[i].name;
                if chars[start..].starts_with(name) && best.is_none_or(|(_, len)| name.len() >= len)
                {
                    best = Some((start, name.len()));
                }
            }
        }
        let Some((start, len)) = best else {
            return self
                .parse_pinyin(text)
                .unwrap_or_else(|| Err(AddressParseError::NoRoad(text.to_string())));
        };
        let name = &chars[start..start + len];
        let prefix = &chars[..start];
        let rest: String = chars[start + len..].iter().collect();
        // Of the roads of that name, the one whose divisions the prefix names best.
        let mut chosen: Option<(usize, usize, Option<usize>)> = None; // (road, edits, deepest)
        for &i in self.by_first.get(&name[0]).into_iter().flatten() {
            let road = &self.roads[i];
            if road.name != name {
                continue;
            }
            let Some((edits, deepest)) = self.match_divisions(prefix, &road.chain) else {
                continue;
            };
            let better = chosen.is_none_or(|(_, e, d)| {
                edits < e || (edits == e && deepest.unwrap_or(0) > d.unwrap_or(0))
            });
            if better {
                chosen = Some((i, edits, deepest));
            }
        }
        let Some((i, edits, deepest)) = chosen else {
            return Err(AddressParseError::Division(
                prefix.iter().collect(),
                name.iter().collect(),
            ));
        };
        let road = &self.roads[i];
        let path = parse_rest(&rest, road.on_area).ok_or(AddressParseError::Rest(rest))?;
        let division_code = match deepest {
            Some(k) => road.chain[k].clone(),
            None => road.chain.last().cloned().unwrap_or_default(),
        };
        Ok(ParsedAddress {
            road_id: road.id,
            division_code,
            path,
            division_edits: edits,
        })
    }

    /// The fewest edits that read `prefix` as some of `chain`'s names in order (each full or
    /// short, each optional), with stray characters costing one each; and the deepest chain
    /// element matched. `None` when more than [`MAX_DIVISION_EDITS`] are needed.
    fn match_divisions(&self, prefix: &[char], chain: &[String]) -> Option<(usize, Option<usize>)> {
        let n = prefix.len();
        let k = chain.len();
        const FAR: usize = usize::MAX / 4;
        // best[p][j]: (edits, deepest) reading prefix[..p] with chain[..j].
        let mut best = vec![vec![(FAR, None::<usize>); k + 1]; n + 1];
        best[0][0] = (0, None);
        for p in 0..=n {
            for j in 0..=k {
                let (cost, deepest) = best[p][j];
                if cost >= FAR {
                    continue;
                }
                let mut relax = |q: usize, m: usize, c: usize, d: Option<usize>| {
                    let slot = &mut best[q][m];
                    if c < slot.0 || (c == slot.0 && d > slot.1) {
                        *slot = (c, d);
                    }
                };
                if p < n {
                    relax(p + 1, j, cost + 1, deepest); // a stray character
                }
                if j < k {
                    relax(p, j + 1, cost, deepest); // the division left out
                    if let Some(division) = self.divisions.get(&chain[j]) {
                        for form in [&division.full, &division.short] {
                            let len = form.len();
                            // A typo is allowed in names of two characters or more.
                            let allowed = usize::from(len >= 2);
                            for l in len.saturating_sub(allowed).max(1)..=len + allowed {
                                if p + l > n {
                                    break;
                                }
                                let d = edit_distance(&prefix[p..p + l], form);
                                if d <= allowed {
                                    relax(p + l, j + 1, cost + d, Some(j));
                                }
                            }
                        }
                    }
                }
            }
        }
        let (edits, deepest) = best[n][k];
        (edits <= MAX_DIVISION_EDITS).then_some((edits, deepest))
    }
}

/// Full-width forms to ASCII, dashes to `-`, traditional 號 to 号, spaces and commas dropped.
fn normalise(text: &str) -> Vec<char> {
    text.chars()
        .filter_map(|c| {
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                '—' | '–' | '‐' | '‑' | '−' | '﹣' => '-',
                '號' => '号',
                '棟' => '栋',
                '單' => '单',
                _ => c,
            };
            (!c.is_whitespace() && !matches!(c, ',' | '，' | '、')).then_some(c)
        })
        .collect()
}

/// The pinyin words of the parts below a road, longest first, and what they stand for.
const PINYIN_WORDS: [(&str, &str); 8] = [
    ("danyuan", "单元"),
    ("zhuang", "幢"),
    ("dong", "栋"),
    ("hao", "号"),
    ("lou", "楼"),
    ("shi", "室"),
    ("zhi", "之"),
    ("hu", "户"),
];

/// The letters, digits and hyphens of a romanized text, lower case, tone marks dropped
/// (`Tíngqiáo Lù 12-1 Hào` → `tingqiaolu12-1hao`); full-width forms read as ASCII.
fn pinyin_letters(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    normalise(text)
        .into_iter()
        .collect::<String>()
        .nfd()
        .filter_map(|c| match c {
            'ü' | 'Ü' => Some('v'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            '-' => Some('-'),
            _ => None,
        })
        .collect()
}

/// Levenshtein distance of two short strings.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    if a == b {
        return 0;
    }
    // Division names are short: two rows on the stack, no allocation per comparison (the
    // division part is compared hundreds of times per address).
    const ROW: usize = 24;
    if b.len() < ROW {
        let mut previous = [0usize; ROW];
        let mut row = [0usize; ROW];
        for (j, cell) in previous.iter_mut().enumerate().take(b.len() + 1) {
            *cell = j;
        }
        for (i, ca) in a.iter().enumerate() {
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                row[j + 1] = (previous[j] + usize::from(ca != cb))
                    .min(previous[j + 1] + 1)
                    .min(row[j] + 1);
            }
            std::mem::swap(&mut previous, &mut row);
        }
        return previous[b.len()];
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            row[j + 1] = (previous[j] + usize::from(ca != cb))
                .min(previous[j + 1] + 1)
                .min(row[j] + 1);
        }
        std::mem::swap(&mut previous, &mut row);
    }
    previous[b.len()]
}

/// A Chinese numeral below 100 (一, 十, 十二, 二十三) or digits.
fn numeral(text: &[char]) -> Option<u32> {
    if text.iter().all(char::is_ascii_digit) && !text.is_empty() && text.len() <= 5 {
        return text.iter().collect::<String>().parse().ok();
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|d| d as u32)
    };
    match text {
        ['十'] => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// A scanner over the part after the road.
struct Scan<'a> {
    chars: &'a [char],
    at: usize,
}

impl Scan<'_> {
    fn done(&self) -> bool {
        self.at >= self.chars.len()
    }

    fn eat(&mut self, word: &str) -> bool {
        let word: Vec<char> = word.chars().collect();
        if self.chars[self.at..].starts_with(&word) {
            self.at += word.len();
            true
        } else {
            false
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &[char] {
        let start = self.at;
        while self.at < self.chars.len() && keep(self.chars[self.at]) {
            self.at += 1;
        }
        &self.chars[start..self.at]
    }

    fn digits(&mut self) -> Option<u32> {
        let taken = self.take_while(|c| c.is_ascii_digit());
        numeral(taken)
    }

    fn label(&mut self) -> Option<String> {
        let taken = self.take_while(|c| c.is_ascii_alphanumeric());
        (!taken.is_empty()).then(|| taken.iter().collect::<String>().to_uppercase())
    }
}

/// Reads `12号之一3幢2单元401室` and its variants.
fn parse_rest(rest: &str, on_area: bool) -> Option<AddressPath> {
    let chars: Vec<char> = rest.chars().collect();
    let mut scan = Scan {
        chars: &chars,
        at: 0,
    };
    let mut path = AddressPath::default();
    if !on_area {
        // Digits, or a Chinese numeral before 号 (十二号).
        let number = match scan.digits() {
            Some(n) => n,
            None => {
                let taken = scan.take_while(|c| "零一二三四五六七八九十".contains(c));
                let n = numeral(taken)?;
                if !scan.chars[scan.at..].starts_with(&['号']) {
                    return None;
                }
                n
            }
        };
        let mut suffix = None;
        let marked = scan.eat("号");
        if scan.eat("之") {
            // Digits or Chinese numerals, not both: 12号之一3栋 is suffix 一, then building 3.
            let taken = if scan.chars.get(scan.at).is_some_and(char::is_ascii_digit) {
                scan.take_while(|c| c.is_ascii_digit())
            } else {
                scan.take_while(|c| "零一二三四五六七八九十".contains(c))
            };
            suffix = Some(numeral(taken)?);
        } else if scan.eat("-") {
            suffix = Some(scan.digits()?);
        }
        if !marked {
            scan.eat("号");
        }
        path.number = Some(HouseNumber { number, suffix });
    }
    // Building, unit and flat as three numbers: 3-2-401.
    let save = scan.at;
    if let Some(building) = scan.label()
        && scan.eat("-")
        && let Some(unit) = scan.label()
        && scan.eat("-")
        && let Some(flat) = scan.label()
    {
        let _ = scan.eat("室") || scan.eat("户");
        if scan.done() {
            path.building = Some(building);
            path.unit = Some(unit);
            path.flat = Some(flat);
            return Some(path);
        }
    }
    scan.at = save;
    // Building: 3幢 / 3栋 / 3号楼 / 3#楼 / 3# / 3座 (from the same place).
    if let Some(label) = scan.label() {
        if scan.eat("幢")
            || scan.eat("栋")
            || scan.eat("号楼")
            || scan.eat("#楼")
            || scan.eat("#")
            || scan.eat("座")
            || scan.eat("楼")
        {
            path.building = Some(label);
        } else {
            scan.at = save;
        }
    }
    // Unit: 2单元.
    let save = scan.at;
    if let Some(label) = scan.label() {
        if scan.eat("单元") {
            path.unit = Some(label);
        } else {
            scan.at = save;
        }
    }
    // Flat: 401室 / 401户 / 401号 / 401.
    if let Some(label) = scan.label() {
        let _ = scan.eat("室") || scan.eat("户") || scan.eat("号");
        path.flat = Some(label);
    }
    (scan.done() && (path.number.is_some() || path.building.is_some())).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gazetteer() -> AddressGazetteer {
        let mut names = AddressGazetteer::default();
        for (code, name) in [
            ("330000", "浙江省"),
            ("330400", "嘉兴市"),
            ("330421", "嘉善县"),
            ("330421001", "罗星街道"),
            ("330421101", "西塘镇"),
        ] {
            names.add_division(code, name);
        }
        let chain = |town: &str| {
            ["330000", "330400", "330421", town]
                .map(String::from)
                .to_vec()
        };
        names.add_road(1, "亭桥路", chain("330421001"), false);
        names.add_road(2, "亭桥路", chain("330421101"), false);
        names.add_road(3, "亭桥", chain("330421001"), false);
        names.add_road(4, "星河小区", chain("330421001"), true);
        names
    }

    #[test]
    fn the_division_part_chooses_between_roads_of_one_name() {
        let names = gazetteer();
        assert_eq!(names.parse("西塘镇亭桥路5号").unwrap().road_id, 2);
        assert_eq!(names.parse("嘉善县罗星街道亭桥路5号").unwrap().road_id, 1);
        // The longest name wins over 亭桥 inside it.
        assert_eq!(names.parse("罗星亭桥路5号").unwrap().road_id, 1);
        assert_eq!(names.parse("罗星亭桥5号").unwrap().road_id, 3);
    }

    #[test]
    fn typos_in_the_division_part_are_tolerated_up_to_two() {
        let names = gazetteer();
        let read = names.parse("浙江省嘉喜县罗星街道亭桥路5号").unwrap();
        assert_eq!((read.road_id, read.division_edits), (1, 1));
        assert!(matches!(
            names.parse("平湖市当湖街道亭桥路5号"),
            Err(AddressParseError::Division(..))
        ));
    }

    #[test]
    fn chinese_numerals_the_three_number_form_and_pinyin() {
        let mut names = gazetteer();
        let id = names.roads[0].id;
        names.add_road_romanization(id, "Tíngqiáo Lù");
        let name: String = names.roads[0].name.iter().collect();
        let read = names.parse(&format!("{name}十二号")).unwrap();
        assert_eq!(read.path.number, Some(HouseNumber::plain(12)));
        let read = names.parse(&format!("{name}12号3-2-401")).unwrap();
        assert_eq!(
            (
                read.path.building.as_deref(),
                read.path.unit.as_deref(),
                read.path.flat.as_deref()
            ),
            (Some("3"), Some("2"), Some("401"))
        );
        let read = names
            .parse("Tingqiao Lu 12 hao 3 zhuang 2 danyuan 401 shi")
            .unwrap();
        assert_eq!(read.road_id, id);
        assert_eq!(read.path.number, Some(HouseNumber::plain(12)));
        assert_eq!(read.path.flat.as_deref(), Some("401"));
        assert_eq!(
            names.parse("tingqiaolu12-1").unwrap().path.number,
            Some(HouseNumber::with_suffix(12, 1))
        );
        assert!(
            names.parse("Xihu Lu 12").is_err(),
            "a romanization not registered"
        );
        assert!(
            names.parse(&format!("{name}十二")).is_err(),
            "a Chinese numeral needs its 号"
        );
    }

    #[test]
    fn number_variants() {
        let names = gazetteer();
        for text in [
            "亭桥路12-1号",
            "亭桥路12之一号",
            "亭桥路12号之一",
            "亭桥路12之1号",
            "亭桥路１２－１号",
            "亭桥路12—1",
        ] {
            let read = names.parse(&format!("罗星街道{text}")).unwrap();
            assert_eq!(
                read.path.number,
                Some(HouseNumber::with_suffix(12, 1)),
                "{text}"
            );
        }
        let read = names.parse("罗星街道亭桥路12号之一3栋2单元401室").unwrap();
        assert_eq!(read.path.number, Some(HouseNumber::with_suffix(12, 1)));
        assert_eq!(read.path.building.as_deref(), Some("3"));
        let read = names.parse("罗星街道亭桥路12之2号3栋").unwrap();
        assert_eq!(read.path.number, Some(HouseNumber::with_suffix(12, 2)));
        for text in [
            "3幢2单元401室",
            "3栋2单元401",
            "3号楼2单元401室",
            "3#2单元401",
        ] {
            let read = names.parse(&format!("罗星街道亭桥路12号{text}")).unwrap();
            assert_eq!(
                (
                    read.path.building.as_deref(),
                    read.path.unit.as_deref(),
                    read.path.flat.as_deref()
                ),
                (Some("3"), Some("2"), Some("401")),
                "{text}"
            );
        }
    }

    #[test]
    fn edit_distances_of_short_and_long_names() {
        let chars = |s: &str| s.chars().collect::<Vec<char>>();
        assert_eq!(edit_distance(&chars("罗兴街道"), &chars("罗星街道")), 1);
        assert_eq!(edit_distance(&chars("罗星"), &chars("罗星街道")), 2);
        assert_eq!(edit_distance(&chars("嘉善"), &chars("嘉善")), 0);
        let long = "一".repeat(30);
        assert_eq!(edit_distance(&chars(&long), &chars(&"一".repeat(29))), 1);
    }

    #[test]
    fn an_area_has_buildings_not_door_numbers() {
        let names = gazetteer();
        let read = names.parse("星河小区5幢302室").unwrap();
        assert_eq!(read.path.number, None);
        assert_eq!(read.path.building.as_deref(), Some("5"));
        assert_eq!(read.path.flat.as_deref(), Some("302"));
        assert!(names.parse("亭桥路").is_err(), "a road without a number");
        assert!(matches!(
            names.parse("人民路1号"),
            Err(AddressParseError::NoRoad(_))
        ));
    }
}
