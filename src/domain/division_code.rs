//! Administrative division codes (GB/T 2260 six-digit codes, extended to nine-digit township and
//! twelve-digit village codes) and jurisdictions, which are code prefixes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Province-level codes of GB/T 2260 (the first two digits of every valid code).
const PROVINCE_CODES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// Why a text is not a division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    /// Empty, or something other than digits.
    #[error("a division code has only digits")]
    NotDigits,
    /// Not 6, 9 or 12 digits (the number found).
    #[error(
        "a division code has 6 (county and above), 9 (township) or 12 (village) digits, not {0}"
    )]
    BadLength(usize),
    /// The first two digits name no province (the digits found).
    #[error("{0} is not a province code of GB/T 2260")]
    UnknownProvince(String),
    /// A county part under no prefecture (`330021`).
    #[error("a code with prefecture part 00 must have county part 00 too")]
    CountyWithoutPrefecture,
    /// A township or village code with township part 000.
    #[error("the township part (digits 7-9) of a township or village code cannot be 000")]
    EmptyTownship,
    /// A village code with village part 000.
    #[error("the village part (digits 10-12) of a village code cannot be 000")]
    EmptyVillage,
}

/// The level a division code names, ordered from the top (a province) down.
///
/// ```
/// use diming::domain::division_code::DivisionLevel;
/// assert!(DivisionLevel::Province < DivisionLevel::Village);
/// assert_eq!(DivisionLevel::Township.as_str(), "township");
/// let level: DivisionLevel = serde_json::from_str("\"county\"").unwrap();
/// assert_eq!(level, DivisionLevel::County);
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// 省级: province, autonomous region, municipality, SAR (`330000`).
    Province,
    /// 地级: prefecture-level city, prefecture, autonomous prefecture, league (`330400`).
    Prefecture,
    /// 县级: county, county-level city, district, banner (`330421`).
    County,
    /// 乡级: town, township, subdistrict (`330421101`).
    Township,
    /// 村级: village or residents' committee (`330421101203`).
    Village,
}

impl DivisionLevel {
    /// The level's name as the API spells it (`prefecture`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Prefecture => "prefecture",
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }
}

/// A well-formed division code in canonical form: 6, 9 or 12 digits.
///
/// ```
/// use diming::domain::division_code::{DivisionCode, DivisionLevel};
/// let code = DivisionCode::parse("330421101000").unwrap();
/// assert_eq!(code.as_str(), "330421101");
/// assert_eq!(code.level(), DivisionLevel::Township);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct DivisionCode(String);

impl DivisionCode {
    /// Parses a code. The 12-digit statistical form of a higher level (`330421000000`,
    /// `330421101000`) is accepted and shortened to its canonical 6 or 9 digits.
    pub fn parse(input: &str) -> Result<Self, DivisionCodeError> {
        let code = input.trim();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DivisionCodeError::NotDigits);
        }
        let canonical = match code.len() {
            6 | 9 => code,
            12 if code.ends_with("000000") => &code[..6],
            12 if code.ends_with("000") => &code[..9],
            12 => code,
            n => return Err(DivisionCodeError::BadLength(n)),
        };
        let province = &canonical[..2];
        if !PROVINCE_CODES.contains(&province) {
            return Err(DivisionCodeError::UnknownProvince(province.to_string()));
        }
        if &canonical[2..4] == "00" && &canonical[4..6] != "00" {
            return Err(DivisionCodeError::CountyWithoutPrefecture);
        }
        if canonical.len() >= 9 && &canonical[6..9] == "000" {
            return Err(DivisionCodeError::EmptyTownship);
        }
        if canonical.len() == 12 && &canonical[9..12] == "000" {
            return Err(DivisionCodeError::EmptyVillage);
        }
        Ok(Self(canonical.to_string()))
    }

    /// The code in canonical form (6, 9 or 12 digits).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level the code names, from its length and its zero parts.
    pub fn level(&self) -> DivisionLevel {
        match self.0.len() {
            12 => DivisionLevel::Village,
            9 => DivisionLevel::Township,
            _ if &self.0[2..6] == "0000" => DivisionLevel::Province,
            _ if &self.0[4..6] == "00" => DivisionLevel::Prefecture,
            _ => DivisionLevel::County,
        }
    }

    /// The digits that identify this division among all others: `330000` → `33`,
    /// `330400` → `3304`; township and village codes are significant in full.
    /// Every division inside this one has a code starting with these digits.
    pub fn significant_prefix(&self) -> &str {
        match self.level() {
            DivisionLevel::Province => &self.0[..2],
            DivisionLevel::Prefecture => &self.0[..4],
            _ => &self.0,
        }
    }

    /// The code of the division one level up, if any.
    pub fn parent(&self) -> Option<DivisionCode> {
        let parent = match self.level() {
            DivisionLevel::Province => return None,
            DivisionLevel::Prefecture => format!("{}0000", &self.0[..2]),
            DivisionLevel::County => format!("{}00", &self.0[..4]),
            DivisionLevel::Township if &self.0[4..6] == "00" => format!("{}00", &self.0[..4]),
            DivisionLevel::Township => self.0[..6].to_string(),
            DivisionLevel::Village => self.0[..9].to_string(),
        };
        Some(DivisionCode(parent))
    }

    /// This code and all codes above it, from the province down.
    pub fn chain(&self) -> Vec<DivisionCode> {
        let mut chain = vec![self.clone()];
        while let Some(parent) = chain.last().and_then(DivisionCode::parent) {
            chain.push(parent);
        }
        chain.reverse();
        chain
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a user may act: all divisions whose code starts with a prefix. `3304` (or `330400`) is
/// the whole prefecture, `330421` one county.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Jurisdiction(String);

impl Jurisdiction {
    /// Parses a jurisdiction given as a division code or as the short prefix of one
    /// (`33`, `3304`, `330421`, `330421101`).
    pub fn parse(input: &str) -> Result<Self, DivisionCodeError> {
        let input = input.trim();
        let padded = match input.len() {
            2 => format!("{input}0000"),
            4 => format!("{input}00"),
            _ => input.to_string(),
        };
        let code = DivisionCode::parse(&padded)?;
        Ok(Self(code.significant_prefix().to_string()))
    }

    /// The jurisdiction's code prefix (`3304`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a division lies inside this jurisdiction.
    pub fn covers(&self, code: &DivisionCode) -> bool {
        code.significant_prefix().starts_with(&self.0)
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_is_recognised_from_its_code() {
        let level = |c: &str| DivisionCode::parse(c).unwrap().level();
        assert_eq!(level("330000"), DivisionLevel::Province);
        assert_eq!(level("330400"), DivisionLevel::Prefecture);
        assert_eq!(level("330421"), DivisionLevel::County);
        assert_eq!(level("330421101"), DivisionLevel::Township);
        assert_eq!(level("330421101201"), DivisionLevel::Village);
    }

    #[test]
    fn statistical_twelve_digit_forms_are_shortened() {
        assert_eq!(
            DivisionCode::parse("330421000000").unwrap().as_str(),
            "330421"
        );
        assert_eq!(
            DivisionCode::parse("330421101000").unwrap().as_str(),
            "330421101"
        );
    }

    #[test]
    fn malformed_codes_are_refused_with_the_reason() {
        assert_eq!(
            DivisionCode::parse("33042a"),
            Err(DivisionCodeError::NotDigits)
        );
        assert_eq!(
            DivisionCode::parse("3304211"),
            Err(DivisionCodeError::BadLength(7))
        );
        assert_eq!(
            DivisionCode::parse("990421"),
            Err(DivisionCodeError::UnknownProvince("99".into()))
        );
        assert_eq!(
            DivisionCode::parse("330021"),
            Err(DivisionCodeError::CountyWithoutPrefecture)
        );
        assert_eq!(
            DivisionCode::parse("330421000201"),
            Err(DivisionCodeError::EmptyTownship)
        );
    }

    #[test]
    fn townships_directly_under_a_prefecture_have_the_prefecture_as_parent() {
        // Dongguan (441900) has no counties; its towns hang from the prefecture.
        let town = DivisionCode::parse("441900003").unwrap();
        assert_eq!(town.parent().unwrap().as_str(), "441900");
    }

    #[test]
    fn the_chain_runs_from_province_to_the_code() {
        let chain: Vec<String> = DivisionCode::parse("330421101201")
            .unwrap()
            .chain()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        assert_eq!(
            chain,
            ["330000", "330400", "330421", "330421101", "330421101201"]
        );
    }

    #[test]
    fn a_jurisdiction_covers_exactly_the_codes_below_it() {
        let jiaxing = Jurisdiction::parse("330400").unwrap();
        assert_eq!(jiaxing.as_str(), "3304");
        assert!(jiaxing.covers(&DivisionCode::parse("330421101201").unwrap()));
        assert!(jiaxing.covers(&DivisionCode::parse("330400").unwrap()));
        assert!(!jiaxing.covers(&DivisionCode::parse("330000").unwrap()));
        assert!(!jiaxing.covers(&DivisionCode::parse("330102").unwrap()));
        let county = Jurisdiction::parse("330421").unwrap();
        assert!(!county.covers(&DivisionCode::parse("330482").unwrap()));
    }
}
