//! The detection rules of the clean-up of non-standard names (民发〔2018〕146号: 大、洋、怪、重)
//! as pure functions over a name and configurable word lists. Every finding is a proposal with
//! its reason: the ministry warned against widening the campaign, so a person decides each.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::romanize::is_han;

/// The 6,500 characters of 通用规范汉字表 levels 1 and 2 (data/naming, see data/SOURCES.md).
const LEVEL_1_2: &str = include_str!("../../data/naming/general-standard-chars-1-2.txt");

/// Which of 大、洋、怪、重 a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flaw {
    /// 大: exaggerated (中央, 世界, 皇庭, 帝都 …).
    Big,
    /// 洋: foreign names and transliterations (威尼斯, 曼哈顿 …).
    Foreign,
    /// 怪: characters outside 通用规范汉字表 levels 1–2, or odd compositions (letters, symbols).
    Weird,
    /// 重: the same name or sound in the art. 9 scope.
    Duplicate,
}

impl Flaw {
    /// The kind as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Big => "big",
            Self::Foreign => "foreign",
            Self::Weird => "weird",
            Self::Duplicate => "duplicate",
        }
    }

    /// Reads a stored kind.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Big, Self::Foreign, Self::Weird, Self::Duplicate]
            .into_iter()
            .find(|f| f.as_str() == text)
    }

    /// The one character the campaign calls it by.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Big => "大",
            Self::Foreign => "洋",
            Self::Weird => "怪",
            Self::Duplicate => "重",
        }
    }
}

/// One thing a rule found in a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which rule.
    pub flaw: Flaw,
    /// What in the name it matched (a word, characters).
    pub matched: String,
    /// Why, in Chinese, for the person who decides.
    pub reason: String,
}

/// The configurable word lists of the rules (a setting: `--naming-words FILE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordLists {
    /// Exaggerated words (大).
    pub big: Vec<String>,
    /// Foreign names and transliterations (洋).
    pub foreign: Vec<String>,
    /// Characters typical of transliteration: three in a row in the proper name of a
    /// residential area, road or building make a 洋 proposal.
    pub transliteration_chars: String,
}

impl Default for WordLists {
    /// The words 民发〔2018〕146号 names (中央, 世界, 皇庭, 帝都, 王府 …) and those of the
    /// provincial work plans that followed it, and foreign place names seen in estate names.
    fn default() -> Self {
        let words = |list: &[&str]| list.iter().map(|w| w.to_string()).collect();
        Self {
            big: words(&[
                "中央", "中华", "全国", "国际", "世界", "环球", "寰宇", "宇宙", "天下", "万国",
                "皇庭", "皇家", "皇城", "皇宫", "皇都", "帝都", "帝王", "帝豪", "帝景", "王府",
                "御府", "御园", "至尊", "首府", "巨无霸",
            ]),
            foreign: words(&[
                "威尼斯", "曼哈顿", "巴黎", "罗马", "维也纳", "纽约", "伦敦", "加州", "普罗旺斯",
                "香榭丽舍", "塞纳", "莱茵", "地中海", "好莱坞", "比佛利", "枫丹白露", "凡尔赛",
                "温莎", "托斯卡纳", "波尔多", "马赛", "悉尼", "夏威夷", "迪拜", "哈佛", "剑桥",
                "牛津", "耶鲁", "维多利亚", "爱丁堡", "布鲁克林", "华尔街", "拉斯维加斯",
            ]),
            transliteration_chars: "阿埃艾奥巴拜邦贝彼波伯布达黛迪蒂顿厄弗菲芬盖格哈赫亨杰卡凯坎柯克库拉莱兰朗劳勒雷莉琳伦罗洛玛迈曼梅蒙密摩莫姆穆纳娜奈尼纽诺欧帕佩皮普奇乔萨塞桑莎斯索塔泰汀图托瓦威韦维沃希辛雅亚伊尤詹兹茨"
                .into(),
        }
    }
}

impl WordLists {
    /// Reads lists from text: a line `大 中央` adds a word to a list (大 or 洋); `音译字 斯尔`
    /// replaces the transliteration characters; `#` starts a comment. Lists not named keep
    /// their defaults only when `extend` is true.
    ///
    /// ```
    /// use diming::domain::naming_detect::WordLists;
    /// let lists = WordLists::parse("# local additions\n大 天字一号\n洋 卢浮\n", true).unwrap();
    /// assert!(lists.big.contains(&"天字一号".to_string()));
    /// assert!(lists.big.contains(&"中央".to_string()));
    /// assert!(WordLists::parse("巨 中央", true).is_err());
    /// ```
    pub fn parse(text: &str, extend: bool) -> Result<Self, String> {
        let mut lists = if extend {
            Self::default()
        } else {
            Self {
                big: Vec::new(),
                foreign: Vec::new(),
                transliteration_chars: String::new(),
            }
        };
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let (list, word) = line
                .split_once(char::is_whitespace)
                .map(|(l, w)| (l.trim(), w.trim()))
                .ok_or_else(|| {
                    format!(
                        "line {}: write the list (大, 洋 or 音译字) and a word",
                        n + 1
                    )
                })?;
            if word.is_empty() || !word.chars().all(is_han) {
                return Err(format!(
                    "line {}: {word:?} is not a word of Chinese characters",
                    n + 1
                ));
            }
            match list {
                "大" => lists.big.push(word.to_string()),
                "洋" => lists.foreign.push(word.to_string()),
                "音译字" => lists.transliteration_chars = word.to_string(),
                other => {
                    return Err(format!(
                        "line {}: {other:?} is not a list: use 大, 洋 or 音译字",
                        n + 1
                    ));
                }
            }
        }
        Ok(lists)
    }
}

/// 大: a word of the exaggerated list in the name.
///
/// ```
/// use diming::domain::naming_detect::{WordLists, big};
/// let lists = WordLists::default();
/// assert_eq!(big("世界花园", &lists).unwrap().matched, "世界");
/// assert!(big("大云镇", &lists).is_none());
/// ```
pub fn big(name: &str, lists: &WordLists) -> Option<Finding> {
    let word = lists.big.iter().find(|w| name.contains(w.as_str()))?;
    Some(Finding {
        flaw: Flaw::Big,
        matched: word.clone(),
        reason: format!("含夸大用词“{word}”（民发〔2018〕146号 “大”类）"),
    })
}

/// 洋: a foreign name of the list anywhere, or (for residential areas, roads and buildings,
/// `built` true) three transliteration characters in a row in the proper name.
///
/// ```
/// use diming::domain::naming_detect::{WordLists, foreign};
/// let lists = WordLists::default();
/// assert_eq!(foreign("威尼斯花园", "威尼斯", true, &lists).unwrap().matched, "威尼斯");
/// assert_eq!(foreign("格兰维亚小区", "格兰维亚", true, &lists).unwrap().matched, "格兰维");
/// assert!(foreign("洋桥村", "洋桥", true, &lists).is_none());
/// assert!(foreign("巴彦淖尔市", "巴彦淖尔", false, &lists).is_none());
/// ```
pub fn foreign(name: &str, proper: &str, built: bool, lists: &WordLists) -> Option<Finding> {
    if let Some(word) = lists.foreign.iter().find(|w| name.contains(w.as_str())) {
        return Some(Finding {
            flaw: Flaw::Foreign,
            matched: word.clone(),
            reason: format!("含外国地名或音译词“{word}”（“洋”类）"),
        });
    }
    if !built {
        return None;
    }
    let chars: Vec<char> = proper.chars().collect();
    let typical = |c: &char| lists.transliteration_chars.contains(*c);
    let run = chars.windows(3).find(|w| w.iter().all(typical))?;
    let matched: String = run.iter().collect();
    Some(Finding {
        flaw: Flaw::Foreign,
        matched: matched.clone(),
        reason: format!("专名“{proper}”中“{matched}”连用音译常用字，疑为外文音译（“洋”类）"),
    })
}

/// Whether `c` is one of the 6,500 characters of 通用规范汉字表 levels 1 and 2.
///
/// ```
/// use diming::domain::naming_detect::in_general_standard_1_2;
/// assert!(in_general_standard_1_2('塘'));
/// assert!(!in_general_standard_1_2('垟')); // level 3: a regional place-name character
/// assert!(!in_general_standard_1_2('臺')); // a traditional form
/// ```
pub fn in_general_standard_1_2(c: char) -> bool {
    static SET: OnceLock<HashSet<char>> = OnceLock::new();
    SET.get_or_init(|| {
        LEVEL_1_2
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.trim().chars().next())
            .collect()
    })
    .contains(&c)
}

/// 怪: characters outside 通用规范汉字表 levels 1–2, Latin letters or symbols in the name, or
/// one character three times in a row.
///
/// ```
/// use diming::domain::naming_detect::weird;
/// assert_eq!(weird("垟头村").unwrap().matched, "垟");
/// assert_eq!(weird("CBD花园").unwrap().matched, "CBD");
/// assert!(weird("西塘镇").is_none());
/// assert!(weird("1203高地").is_none());
/// ```
pub fn weird(name: &str) -> Option<Finding> {
    let outside: String = name
        .chars()
        .filter(|c| is_han(*c) && !in_general_standard_1_2(*c))
        .collect();
    if !outside.is_empty() {
        return Some(Finding {
            flaw: Flaw::Weird,
            matched: outside.clone(),
            reason: format!(
                "“{outside}”不在《通用规范汉字表》一、二级字表内（生僻字、异体字或繁体字；确为地名专用字的可保留并说明）"
            ),
        });
    }
    let letters: String = name.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if !letters.is_empty() {
        return Some(Finding {
            flaw: Flaw::Weird,
            matched: letters.clone(),
            reason: format!("地名中夹用外文字母“{letters}”（“怪”类）"),
        });
    }
    let symbols: String = name
        .chars()
        .filter(|c| !is_han(*c) && !c.is_ascii_digit() && !c.is_alphabetic())
        .collect();
    if !symbols.is_empty() {
        return Some(Finding {
            flaw: Flaw::Weird,
            matched: symbols.clone(),
            reason: format!("地名中含符号“{symbols}”（“怪”类）"),
        });
    }
    let chars: Vec<char> = name.chars().collect();
    let repeated = chars.windows(3).find(|w| w[0] == w[1] && w[1] == w[2])?;
    let matched: String = repeated.iter().collect();
    Some(Finding {
        flaw: Flaw::Weird,
        matched: matched.clone(),
        reason: format!("同一字连用三次“{matched}”，组合怪异（“怪”类）"),
    })
}

/// Whether a category is one the 洋 transliteration rule looks at: residential areas (24),
/// roads and other transport facilities (25), buildings (28).
pub fn is_built_feature(category: &str) -> bool {
    ["24", "25", "28"].iter().any(|c| category.starts_with(c))
}

/// The 大, 洋 and 怪 findings of a name (重 needs the other names of the scope: see
/// `naming_scope`).
pub fn findings(name: &str, proper: &str, category: &str, lists: &WordLists) -> Vec<Finding> {
    [
        big(name, lists),
        foreign(name, proper, is_built_feature(category), lists),
        weird(name),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_character_list_has_levels_one_and_two() {
        let count = LEVEL_1_2.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(count, 6500);
        // Level 1 begins with 一, level 2 with 乂; 亍 opens level 3 and is not in the list.
        assert!(in_general_standard_1_2('一') && in_general_standard_1_2('乂'));
        assert!(!in_general_standard_1_2('亍'));
    }

    /// Names the 2018 campaign's provincial reports cited, and real names that must not be
    /// flagged (from the demo register of 嘉善县 and elsewhere).
    #[test]
    fn real_names_are_flagged_or_not() {
        let lists = WordLists::default();
        let flags = |name: &str, proper: &str, category: &str| -> Vec<Flaw> {
            findings(name, proper, category, &lists)
                .iter()
                .map(|f| f.flaw)
                .collect()
        };
        // 大
        assert_eq!(flags("皇庭花园", "皇庭", "281"), [Flaw::Big]);
        assert_eq!(flags("帝都大厦", "帝都", "281"), [Flaw::Big]);
        assert_eq!(flags("世界城", "世界", "241"), [Flaw::Big]);
        assert_eq!(flags("中央公馆", "中央", "281"), [Flaw::Big]);
        // 洋
        assert_eq!(flags("威尼斯花园", "威尼斯", "241"), [Flaw::Foreign]);
        assert_eq!(flags("曼哈顿广场", "曼哈顿", "283"), [Flaw::Foreign]);
        assert_eq!(flags("维多利亚港湾", "维多利亚", "241"), [Flaw::Foreign]);
        assert_eq!(flags("普罗旺斯小镇", "普罗旺斯", "241"), [Flaw::Foreign]);
        // 怪
        assert_eq!(flags("垟头村", "垟头", "222"), [Flaw::Weird]);
        assert_eq!(flags("岙里村", "岙里", "222"), [Flaw::Weird]);
        assert_eq!(
            flags("MOMA国际公寓", "MOMA国际", "281"),
            [Flaw::Big, Flaw::Weird]
        );
        // Not flagged: 大 and 王 alone, 洋 the native word, minority-language names,
        // transliteration characters one or two at a time.
        for (name, proper, category) in [
            ("大云镇", "大云", "214"),
            ("西塘镇", "西塘", "214"),
            ("王店镇", "王店", "214"),
            ("洋桥村", "洋桥", "222"),
            ("罗星街道", "罗星", "214"),
            ("魏塘街道", "魏塘", "214"),
            ("浒弄社区", "浒弄", "221"),
            ("乌鲁木齐市", "乌鲁木齐", "212"),
            ("巴彦淖尔市", "巴彦淖尔", "212"),
            ("呼和浩特市", "呼和浩特", "212"),
            ("德清县", "德清", "213"),
            ("解放东路", "解放东", "2532"),
            ("中山路", "中山", "2532"),
            ("1203高地", "1203高地", "132"),
        ] {
            assert_eq!(flags(name, proper, category), [], "{name}");
        }
    }
}
