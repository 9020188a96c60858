//! Art. 9 of 《地名管理条例》: a name must not repeat or sound like another within its scope —
//! township names within a province; village and residents'-committee seat names within a
//! county; street, road and lane names and important residential areas and buildings within
//! one built-up area (the county-level division here: the register records no built-up areas).
//! Which names share a scope, and whether two names clash by characters or by sound (pinyin
//! with tones: the same sound; without tones: a near homophone).

use serde::Serialize;

use super::division_code::{DivisionCode, DivisionLevel};
use super::romanize::{FeatureClass, Request, Romanizer, untoned};

/// Which part of art. 9 decides a name's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeRule {
    /// Township-level names: not twice in one province.
    TownshipsInProvince,
    /// Village and residents'-committee (seat) names: not twice in one county.
    VillagesInCounty,
    /// Streets, roads, lanes, important residential areas and buildings: not twice in one
    /// built-up area (the county-level division where none is recorded).
    StreetsInBuiltUpArea,
    /// Other features: art. 9 names no scope; names of the same major class in one county are
    /// shown for a person to judge.
    SameClassInCounty,
}

impl ScopeRule {
    /// The rule in Chinese, for the intake report and the work list.
    pub fn describe_zh(self) -> &'static str {
        match self {
            Self::TownshipsInProvince => "乡级行政区划名称在省内不重名、不同音（第九条）",
            Self::VillagesInCounty => {
                "村民委员会、居民委员会驻地名称在县内不重名、不同音（第九条）"
            }
            Self::StreetsInBuiltUpArea => {
                "街、路、巷名称及重要居民区、建筑物名称在同一城镇建成区内不重名、不同音（第九条；未登记建成区时按县级行政区）"
            }
            Self::SameClassInCounty => "同一大类地名在县内重名、同音（参考，非第九条强制范围）",
        }
    }
}

/// The names a name is compared with: those of `categories` in divisions under `prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// The rule that gives the scope.
    pub rule: ScopeRule,
    /// The significant code prefix of the scope's division (`33`, `330421`).
    pub prefix: String,
    /// Category code prefixes of the names compared (`214`; `22`, `242`; …).
    pub categories: Vec<&'static str>,
}

impl Scope {
    /// Whether a record of `category` in `division` is in this scope.
    pub fn holds(&self, category: &str, division: &str) -> bool {
        division.starts_with(&self.prefix)
            && self.categories.iter().any(|c| category.starts_with(c))
    }
}

/// The art. 9 scope of a name of `category` (a category code) whose main division is `division`.
///
/// ```
/// use diming::domain::division_code::DivisionCode;
/// use diming::domain::naming_scope::{ScopeRule, scope_of};
///
/// let xitang = DivisionCode::parse("330421103").unwrap();
/// let town = scope_of("214", &xitang);
/// assert_eq!((town.rule, town.prefix.as_str()), (ScopeRule::TownshipsInProvince, "33"));
/// let road = scope_of("2532", &xitang);
/// assert_eq!((road.rule, road.prefix.as_str()), (ScopeRule::StreetsInBuiltUpArea, "330421"));
/// assert!(road.holds("2531", "330421001"));
/// assert!(!road.holds("2531", "330482101"));
/// ```
pub fn scope_of(category: &str, division: &DivisionCode) -> Scope {
    let province = division.as_str()[..2].to_string();
    let county = match division.level() {
        DivisionLevel::Province | DivisionLevel::Prefecture => {
            division.significant_prefix().to_string()
        }
        _ => division.as_str()[..6].to_string(),
    };
    let (rule, prefix, categories): (ScopeRule, String, Vec<&'static str>) =
        if category.starts_with("214") {
            (ScopeRule::TownshipsInProvince, province, vec!["214"])
        } else if category.starts_with("22") || category.starts_with("242") {
            (ScopeRule::VillagesInCounty, county, vec!["22", "242"])
        } else if ["253", "241", "281"]
            .iter()
            .any(|c| category.starts_with(c))
        {
            (
                ScopeRule::StreetsInBuiltUpArea,
                county,
                vec!["253", "241", "281"],
            )
        } else {
            let major: &'static str = MAJOR_CLASSES
                .iter()
                .find(|m| category.starts_with(**m))
                .copied()
                .unwrap_or("2");
            (ScopeRule::SameClassInCounty, county, vec![major])
        };
    Scope {
        rule,
        prefix,
        categories,
    }
}

const MAJOR_CLASSES: [&str; 12] = [
    "11", "12", "13", "21", "22", "23", "24", "25", "26", "27", "28", "29",
];

/// How a name sounds: its reading by the romanization rules, letters only, lower case, with
/// tone marks and without.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sound {
    /// `xītánglù`.
    pub toned: String,
    /// `xitanglu`.
    pub toneless: String,
}

/// The sound of `name` by the rules (`None` when the rules cannot read it).
///
/// ```
/// use diming::domain::naming_scope::sound_of;
/// let a = sound_of("西塘路", None, None).unwrap();
/// let b = sound_of("西堂路", None, None).unwrap();
/// assert_eq!(a.toned, b.toned);
/// assert_eq!(a.toneless, "xitanglu");
/// ```
pub fn sound_of(name: &str, class: Option<FeatureClass>, division: Option<&str>) -> Option<Sound> {
    let request = Request {
        name,
        class,
        division,
        split: None,
    };
    let romanized = Romanizer::default().romanize(&request).ok()?;
    let toned: String = romanized
        .standard
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    Some(Sound {
        toneless: untoned(&toned),
        toned,
    })
}

/// How two names in one scope clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Clash {
    /// The same characters (重名).
    SameName,
    /// The same reading, tones included (同音).
    SameSound,
    /// The same syllables in other tones (近音).
    SameSyllables,
}

impl Clash {
    /// The clash in Chinese.
    pub fn describe_zh(self) -> &'static str {
        match self {
            Self::SameName => "重名",
            Self::SameSound => "同音",
            Self::SameSyllables => "音近（声调不同）",
        }
    }
}

/// How `a` clashes with `b`, if at all (names compared as given; sounds when both are known).
///
/// ```
/// use diming::domain::naming_scope::{Clash, clash, sound_of};
/// let sound = |n| sound_of(n, None, None);
/// assert_eq!(clash("西塘路", sound("西塘路").as_ref(), "西塘路", sound("西塘路").as_ref()), Some(Clash::SameName));
/// assert_eq!(clash("西塘路", sound("西塘路").as_ref(), "西堂路", sound("西堂路").as_ref()), Some(Clash::SameSound));
/// assert_eq!(clash("汤山路", sound("汤山路").as_ref(), "唐山路", sound("唐山路").as_ref()), Some(Clash::SameSyllables));
/// assert_eq!(clash("西塘路", sound("西塘路").as_ref(), "东塘路", sound("东塘路").as_ref()), None);
/// ```
pub fn clash(a: &str, a_sound: Option<&Sound>, b: &str, b_sound: Option<&Sound>) -> Option<Clash> {
    if a == b {
        return Some(Clash::SameName);
    }
    let (a, b) = (a_sound?, b_sound?);
    if a.toned == b.toned {
        Some(Clash::SameSound)
    } else if a.toneless == b.toneless {
        Some(Clash::SameSyllables)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn village_and_committee_names_share_the_county() {
        let village = DivisionCode::parse("330421103201").unwrap();
        let scope = scope_of("222", &village);
        assert_eq!(scope.rule, ScopeRule::VillagesInCounty);
        assert_eq!(scope.prefix, "330421");
        assert!(scope.holds("221", "330421001001"));
        assert!(scope.holds("242", "330421105"));
        assert!(!scope.holds("214", "330421105"));
    }

    #[test]
    fn a_river_is_compared_with_waters_of_its_county() {
        let county = DivisionCode::parse("330421").unwrap();
        let scope = scope_of("121", &county);
        assert_eq!(scope.rule, ScopeRule::SameClassInCounty);
        assert_eq!(scope.categories, ["12"]);
    }

    #[test]
    fn a_township_scope_reaches_across_counties_of_the_province() {
        let town = scope_of("214", &DivisionCode::parse("330421103").unwrap());
        assert!(town.holds("214", "330481101"));
        assert!(!town.holds("214", "320581101"));
    }
}
