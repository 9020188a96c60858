//! The structure of a standard address (标准地址): division → road, lane or residential area →
//! door number (+ suffix) → building → unit → flat, as GB/T 39609-2020 orders its parts, and
//! the written form of each part. A record of the register is one node of that tree: a door, a
//! building under a door (or under a residential area), a unit under a building, a flat.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::field_error::FieldErrors;

/// How a door between two numbers is written (a local rule): `12-1号` or `12之一号`.
///
/// ```
/// use diming::domain::address::{HouseNumber, SuffixStyle};
///
/// let door = HouseNumber::with_suffix(12, 1);
/// assert_eq!(door.written(SuffixStyle::Hyphen), "12-1号");
/// assert_eq!(door.written(SuffixStyle::Zhi), "12之一号");
/// assert_eq!(HouseNumber::with_suffix(7, 12).written(SuffixStyle::Zhi), "7之十二号");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuffixStyle {
    /// `12-1号`.
    #[default]
    Hyphen,
    /// `12之一号`, the suffix in Chinese numerals.
    Zhi,
}

/// A door number with its optional suffix: 12, or 12-1 (the first door added after 12).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub struct HouseNumber {
    /// The number proper, from 1.
    pub number: u32,
    /// The suffix of a door inserted after `number`, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<u32>,
}

/// The largest door number the register takes: no road has more doors on a side.
pub const MAX_HOUSE_NUMBER: u32 = 99_999;
/// The largest suffix: a row of doors inserted between two numbers.
pub const MAX_SUFFIX: u32 = 99;

impl HouseNumber {
    /// A number without suffix.
    pub fn plain(number: u32) -> Self {
        Self {
            number,
            suffix: None,
        }
    }

    /// A number with a suffix.
    pub fn with_suffix(number: u32, suffix: u32) -> Self {
        Self {
            number,
            suffix: Some(suffix),
        }
    }

    /// Checks the ranges (1..=99,999, suffix 1..=99), naming `field`.
    ///
    /// ```
    /// use diming::domain::address::HouseNumber;
    ///
    /// assert!(HouseNumber::plain(0).checked("number").is_err());
    /// assert!(HouseNumber::with_suffix(3, 0).checked("number").is_err());
    /// assert!(HouseNumber::with_suffix(3, 2).checked("number").is_ok());
    /// ```
    pub fn checked(self, field: &str) -> Result<Self, FieldErrors> {
        if !(1..=MAX_HOUSE_NUMBER).contains(&self.number) {
            return Err(FieldErrors::one(
                field,
                format!("a door number runs from 1 to {MAX_HOUSE_NUMBER}"),
            ));
        }
        if let Some(suffix) = self.suffix
            && !(1..=MAX_SUFFIX).contains(&suffix)
        {
            return Err(FieldErrors::one(
                format!("{field}_suffix"),
                format!("a suffix runs from 1 to {MAX_SUFFIX}"),
            ));
        }
        Ok(self)
    }

    /// Whether the number is odd (the suffix does not change the side a door is on).
    pub fn is_odd(self) -> bool {
        self.number % 2 == 1
    }

    /// The number as written on the plate, with `号`.
    pub fn written(self, style: SuffixStyle) -> String {
        format!("{}号", self.bare(style))
    }

    /// The number without `号`: `12`, `12-1`, `12之一`.
    pub fn bare(self, style: SuffixStyle) -> String {
        match (self.suffix, style) {
            (None, _) => self.number.to_string(),
            (Some(s), SuffixStyle::Hyphen) => format!("{}-{s}", self.number),
            (Some(s), SuffixStyle::Zhi) => format!("{}之{}", self.number, chinese_numeral(s)),
        }
    }
}

impl fmt::Display for HouseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.bare(SuffixStyle::Hyphen))
    }
}

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// A number below 100 in Chinese numerals, as suffixes are written: 1 一, 10 十, 12 十二, 20 二十.
pub fn chinese_numeral(n: u32) -> String {
    let (tens, units) = (n / 10, n % 10);
    let mut text = String::new();
    match tens {
        0 => {}
        1 => text.push('十'),
        t => {
            text.push(DIGITS[(t % 10) as usize]);
            text.push('十');
        }
    }
    if units != 0 || tens == 0 {
        text.push(DIGITS[units as usize]);
    }
    text
}

/// The level of an address record in the plate family: a door (门牌), a building (楼牌), an
/// entrance of a building (单元牌), a flat (户(室)牌).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressLevel {
    /// A door numbered on its road: 亭桥路12号.
    Door,
    /// A building under a door or a residential area: 12号3幢.
    Building,
    /// An entrance of a building: 3幢2单元.
    Unit,
    /// A flat: 401室.
    Flat,
}

impl AddressLevel {
    /// The stored name (`door`, `building`, `unit`, `flat`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Door => "door",
            Self::Building => "building",
            Self::Unit => "unit",
            Self::Flat => "flat",
        }
    }

    /// The plate of this level (门牌, 楼牌, 单元牌, 户室牌).
    pub fn plate(self) -> &'static str {
        match self {
            Self::Door => "门牌",
            Self::Building => "楼牌",
            Self::Unit => "单元牌",
            Self::Flat => "户室牌",
        }
    }
}

/// Where an address record is in its life: proposed (a number put forward, not yet decided),
/// assigned (decided and in force), retired (no longer in use; kept as history).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AddressStatus {
    /// Put forward, awaiting the office's decision.
    #[default]
    Proposed,
    /// Decided and in force: the plate may go on the wall.
    Assigned,
    /// No longer in use.
    Retired,
}

impl AddressStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Assigned => "assigned",
            Self::Retired => "retired",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "proposed" => Some(Self::Proposed),
            "assigned" => Some(Self::Assigned),
            "retired" => Some(Self::Retired),
            _ => None,
        }
    }
}

/// The parts below the road of an address: the door number, the building, the unit and the
/// flat, each optional as the level requires. Building, unit and flat are short labels as the
/// plates show them without their generic word (`3` for 3幢, `2` for 2单元, `401` for 401室).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AddressPath {
    /// The door number on the road; none for a building of a residential area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<HouseNumber>,
    /// The building (幢).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    /// The entrance (单元).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The flat (室).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat: Option<String>,
}

/// The longest building, unit or flat label.
const MAX_LABEL_CHARS: usize = 10;

impl AddressPath {
    /// Checks the labels and the shape of the path, and gives its level. A door needs a
    /// number; a unit needs a building; a flat needs a building (its unit is optional: a
    /// building without entrances). `on_area` is true when the base is a residential area,
    /// which has buildings but no door numbers.
    ///
    /// ```
    /// use diming::domain::address::{AddressLevel, AddressPath, HouseNumber};
    ///
    /// let flat = AddressPath {
    ///     number: Some(HouseNumber::plain(12)),
    ///     building: Some("3".into()),
    ///     unit: Some("2".into()),
    ///     flat: Some("401".into()),
    /// };
    /// assert_eq!(flat.level(false).unwrap(), AddressLevel::Flat);
    /// let no_building = AddressPath { building: None, ..flat.clone() };
    /// assert_eq!(no_building.level(false).unwrap_err().as_slice()[0].field, "building");
    /// ```
    pub fn level(&self, on_area: bool) -> Result<AddressLevel, FieldErrors> {
        let mut errors = FieldErrors::default();
        for (field, label) in [
            ("building", &self.building),
            ("unit", &self.unit),
            ("flat", &self.flat),
        ] {
            if let Some(label) = label {
                let ok = !label.is_empty()
                    && label.chars().count() <= MAX_LABEL_CHARS
                    && label.chars().all(|c| {
                        c.is_ascii_alphanumeric()
                            || c == '-'
                            || ('\u{4e00}'..='\u{9fff}').contains(&c)
                    });
                if !ok {
                    errors.push(
                        field,
                        format!(
                            "a {field} label is 1 to {MAX_LABEL_CHARS} letters, digits or Chinese characters as the plate shows it, without its generic word (3 for 3幢)"
                        ),
                    );
                }
            }
        }
        if on_area && self.number.is_some() {
            errors.push(
                "number",
                "a residential area has no door numbers: give the building on it",
            );
        }
        if !on_area && self.number.is_none() {
            errors.push("number", "an address on a road needs its door number");
        }
        if self.unit.is_some() && self.building.is_none() {
            errors.push("building", "a unit (单元) belongs to a building: name it");
        }
        if self.flat.is_some() && self.building.is_none() {
            errors.push("building", "a flat (室) belongs to a building: name it");
        }
        if on_area && self.building.is_none() {
            errors.push(
                "building",
                "an address in a residential area names its building",
            );
        }
        errors.into_result(())?;
        Ok(if self.flat.is_some() {
            AddressLevel::Flat
        } else if self.unit.is_some() {
            AddressLevel::Unit
        } else if self.building.is_some() {
            AddressLevel::Building
        } else {
            AddressLevel::Door
        })
    }

    /// The path one level up (a flat's building or unit, a unit's building, a building's door);
    /// none for a door, or for a building of a residential area.
    ///
    /// ```
    /// use diming::domain::address::{AddressPath, HouseNumber};
    ///
    /// let flat = AddressPath {
    ///     number: Some(HouseNumber::plain(12)),
    ///     building: Some("3".into()),
    ///     unit: None,
    ///     flat: Some("401".into()),
    /// };
    /// let building = flat.parent().unwrap();
    /// assert_eq!((building.building.as_deref(), building.flat.as_deref()), (Some("3"), None));
    /// assert_eq!(building.parent().unwrap().parent(), None);
    /// ```
    pub fn parent(&self) -> Option<AddressPath> {
        let mut up = self.clone();
        if up.flat.take().is_some() {
            return Some(up);
        }
        if up.unit.take().is_some() {
            return Some(up);
        }
        if up.building.take().is_some() {
            return up.number.is_some().then_some(up);
        }
        None
    }

    /// The written parts below the road: `12号3幢2单元401室`.
    pub fn written(&self, style: SuffixStyle) -> String {
        let mut text = String::new();
        if let Some(number) = self.number {
            text.push_str(&number.written(style));
        }
        if let Some(building) = &self.building {
            text.push_str(building);
            text.push('幢');
        }
        if let Some(unit) = &self.unit {
            text.push_str(unit);
            text.push_str("单元");
        }
        if let Some(flat) = &self.flat {
            text.push_str(flat);
            text.push('室');
        }
        text
    }
}

/// The full standard address: the division names from the county down (the province and
/// prefecture are optional on plates and certificates), the road or area, and the path.
///
/// ```
/// use diming::domain::address::{standard_address, AddressPath, HouseNumber, SuffixStyle};
///
/// let path = AddressPath {
///     number: Some(HouseNumber::plain(12)),
///     building: Some("3".into()),
///     unit: Some("2".into()),
///     flat: Some("401".into()),
/// };
/// assert_eq!(
///     standard_address(&["嘉善县", "罗星街道"], "亭桥路", &path, SuffixStyle::Hyphen),
///     "嘉善县罗星街道亭桥路12号3幢2单元401室"
/// );
/// ```
pub fn standard_address(
    divisions: &[&str],
    base: &str,
    path: &AddressPath,
    style: SuffixStyle,
) -> String {
    let mut text = divisions.concat();
    text.push_str(base);
    text.push_str(&path.written(style));
    text
}

/// One version of an address record as the register keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AddressRecord {
    /// Proposed, assigned or retired.
    pub status: AddressStatus,
    /// Door, building, unit or flat.
    pub level: AddressLevel,
    /// The division (township or village level where known) the address belongs to.
    pub division_code: String,
    /// The road, lane or residential area record (a place) the address is on.
    pub road_id: i64,
    /// The parts below the road.
    #[serde(flatten)]
    pub path: AddressPath,
    /// The door's (or building's) point, longitude and latitude in CGCS2000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<[f64; 2]>,
    /// Where the door lies along its road, for a door on a road.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<super::address_numbering::Placement>,
    /// The full standard address as written, from the county down.
    pub standard_address: String,
}

impl AddressRecord {
    /// The key of its path on its road: what may not occur twice among the addresses in use.
    pub fn path_key(&self) -> String {
        path_key(&self.path)
    }
}

/// The key of a path on its road (`12.0/3/2/401`): the door number with its suffix and the
/// labels, case-folded so that `3a` and `3A` are one building.
pub fn path_key(path: &AddressPath) -> String {
    let number = path.number.map_or_else(String::new, |n| {
        format!("{}.{}", n.number, n.suffix.unwrap_or(0))
    });
    let label = |l: &Option<String>| l.as_deref().unwrap_or("").to_lowercase();
    format!(
        "{number}/{}/{}/{}",
        label(&path.building),
        label(&path.unit),
        label(&path.flat)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals_of_suffixes() {
        let written: Vec<String> = [1, 2, 9, 10, 11, 19, 20, 21, 99]
            .into_iter()
            .map(chinese_numeral)
            .collect();
        assert_eq!(
            written,
            [
                "一",
                "二",
                "九",
                "十",
                "十一",
                "十九",
                "二十",
                "二十一",
                "九十九"
            ]
        );
    }

    #[test]
    fn a_building_of_a_residential_area_has_no_door_number() {
        let building = AddressPath {
            building: Some("5".into()),
            ..Default::default()
        };
        assert_eq!(building.level(true).unwrap(), AddressLevel::Building);
        assert_eq!(building.parent(), None);
        let numbered = AddressPath {
            number: Some(HouseNumber::plain(3)),
            ..building.clone()
        };
        assert_eq!(
            numbered.level(true).unwrap_err().as_slice()[0].field,
            "number"
        );
        // On a road the same building needs the door it stands behind.
        assert_eq!(
            building.level(false).unwrap_err().as_slice()[0].field,
            "number"
        );
    }

    #[test]
    fn labels_are_short_and_plain() {
        let path = AddressPath {
            number: Some(HouseNumber::plain(1)),
            building: Some("3 幢".into()),
            ..Default::default()
        };
        assert_eq!(
            path.level(false).unwrap_err().as_slice()[0].field,
            "building"
        );
    }

    #[test]
    fn suffixes_sort_after_their_number() {
        let mut numbers = [
            HouseNumber::plain(14),
            HouseNumber::with_suffix(12, 2),
            HouseNumber::plain(12),
            HouseNumber::with_suffix(12, 1),
        ];
        numbers.sort();
        let written: Vec<String> = numbers.iter().map(ToString::to_string).collect();
        assert_eq!(written, ["12", "12-1", "12-2", "14"]);
    }
}
