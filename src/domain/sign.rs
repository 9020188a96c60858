//! Place-name signs (GB 17733 地名标志): their kinds, their life (planned → installed →
//! damaged/missing → retired), the public code printed in their QR code, and the records kept
//! about them (the sign, its maintenance log, photos and public problem reports).
#![warn(missing_docs)]

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Sign kinds of GB 17733 and local practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignKind {
    /// 街牌
    Street,
    /// 巷牌
    Lane,
    /// 楼牌
    Building,
    /// 门牌 (大)
    DoorPlateLarge,
    /// 门牌 (小)
    DoorPlateSmall,
    /// 村牌
    Village,
    /// 居民区/地片标志
    ResidentialArea,
    /// 自然地理实体标志
    NaturalFeature,
    /// 行政区域标志 (乡镇、街道)
    AdministrativeArea,
}

impl SignKind {
    /// Every kind, in the order of the inventory.
    pub const ALL: [SignKind; 9] = [
        Self::Street,
        Self::Lane,
        Self::Building,
        Self::DoorPlateLarge,
        Self::DoorPlateSmall,
        Self::Village,
        Self::ResidentialArea,
        Self::NaturalFeature,
        Self::AdministrativeArea,
    ];

    /// The kind's name in the API (`door_plate_large`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Street => "street",
            Self::Lane => "lane",
            Self::Building => "building",
            Self::DoorPlateLarge => "door_plate_large",
            Self::DoorPlateSmall => "door_plate_small",
            Self::Village => "village",
            Self::ResidentialArea => "residential_area",
            Self::NaturalFeature => "natural_feature",
            Self::AdministrativeArea => "administrative_area",
        }
    }

    /// The kind named `input` in the API, if any.
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == input)
    }

    /// The name of the kind in Chinese, as printed in the inventory.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Street => "街牌",
            Self::Lane => "巷牌",
            Self::Building => "楼牌",
            Self::DoorPlateLarge => "大门牌",
            Self::DoorPlateSmall => "小门牌",
            Self::Village => "村牌",
            Self::ResidentialArea => "居民区标志",
            Self::NaturalFeature => "自然地理实体标志",
            Self::AdministrativeArea => "行政区域标志",
        }
    }

    /// Whether signs of this kind carry a door-plate address.
    pub fn is_door_plate(self) -> bool {
        matches!(self, Self::DoorPlateLarge | Self::DoorPlateSmall)
    }
}

/// Where a sign is in its life.
///
/// ```
/// use diming::domain::sign::SignStatus;
/// let damaged = SignStatus::parse("damaged").unwrap();
/// assert_eq!(damaged.transition(SignStatus::Installed), Ok(SignStatus::Installed));
/// assert!(SignStatus::Retired.transition(SignStatus::Installed).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignStatus {
    /// Registered, not yet put up.
    Planned,
    /// Standing and in service.
    Installed,
    /// Standing but in need of repair.
    Damaged,
    /// Gone from where it stood.
    Missing,
    /// Taken down for good, possibly replaced by another sign.
    Retired,
}

impl SignStatus {
    /// The status's name in the API (`installed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Installed => "installed",
            Self::Damaged => "damaged",
            Self::Missing => "missing",
            Self::Retired => "retired",
        }
    }

    /// The status named `input` in the API, if any.
    pub fn parse(input: &str) -> Option<Self> {
        [
            Self::Planned,
            Self::Installed,
            Self::Damaged,
            Self::Missing,
            Self::Retired,
        ]
        .into_iter()
        .find(|s| s.as_str() == input)
    }

    /// Moves to `next` if the sign's life allows it.
    pub fn transition(self, next: SignStatus) -> Result<SignStatus, SignRuleError> {
        use SignStatus::*;
        let allowed = matches!(
            (self, next),
            (Planned, Installed | Retired)
                | (Installed, Damaged | Missing | Retired)
                | (Damaged, Installed | Missing | Retired)
                | (Missing, Installed | Retired)
        );
        if allowed || self == next {
            Ok(next)
        } else {
            Err(SignRuleError::IllegalTransition {
                from: self,
                to: next,
            })
        }
    }
}

impl SignStatus {
    /// The status maintenance work leaves a sign in: the one asked for if the sign's life
    /// allows it; else a replacement retires the sign; else it stays as it is.
    pub fn after_work(
        self,
        action: &str,
        requested: Option<SignStatus>,
    ) -> Result<SignStatus, SignRuleError> {
        match requested {
            Some(next) => self.transition(next),
            None if action == "replaced" => Ok(Self::Retired),
            None => Ok(self),
        }
    }
}

impl fmt::Display for SignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule of signs broken: a status change their life does not allow, or a code that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignRuleError {
    /// The sign's life does not go from `from` to `to`.
    #[error("a {from} sign cannot become {to}")]
    IllegalTransition {
        /// The status the sign has.
        from: SignStatus,
        /// The status asked for.
        to: SignStatus,
    },
    /// Not a code at all: wrong length or characters.
    #[error("a sign code has {CODE_LENGTH} characters from 0-9 and A-Z without I, L, O and U")]
    MalformedCode,
    /// A code of the right shape whose check character does not match.
    #[error("the check character does not match: the code was mistyped or made up")]
    CheckFailed,
}

/// Crockford's base-32 alphabet: no I, L, O, U, so a code read aloud or from a worn sign is not
/// ambiguous.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PAYLOAD_LENGTH: usize = 8;
/// The characters of a public code, the check character included.
pub const CODE_LENGTH: usize = PAYLOAD_LENGTH + 1;

/// A sign's public code: 8 random base-32 characters and a check character, e.g. `7K3QX9M2D`.
///
/// The check character is Damm's scheme over GF(32) with x∘y = 2x ⊕ y, a totally
/// anti-symmetric quasigroup, so every single mistyped character and every swap of two
/// neighbouring characters is detected.
///
/// ```
/// use diming::domain::sign::PublicCode;
/// let code = PublicCode::from_random([1, 2, 3, 4, 5]);
/// assert_eq!(PublicCode::parse(code.as_str()), Ok(code.clone()));
/// assert!(PublicCode::parse(&code.as_str().to_lowercase()).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PublicCode(String);

impl PublicCode {
    /// Builds a code from 40 random bits.
    pub fn from_random(bytes: [u8; 5]) -> Self {
        let mut bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let mut values = [0u8; PAYLOAD_LENGTH];
        for value in values.iter_mut().rev() {
            *value = (bits & 0x1f) as u8;
            bits >>= 5;
        }
        let check = times_two(damm_fold(&values));
        let text = values
            .iter()
            .chain(std::iter::once(&check))
            .map(|v| ALPHABET[*v as usize] as char)
            .collect();
        Self(text)
    }

    /// Reads a code as a person may type it: case-insensitive, O read as 0 and I/L as 1,
    /// spaces and hyphens ignored.
    pub fn parse(input: &str) -> Result<Self, SignRuleError> {
        let values: Vec<u8> = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| match c.to_ascii_uppercase() {
                'O' => Some(0),
                'I' | 'L' => Some(1),
                upper => ALPHABET
                    .iter()
                    .position(|a| *a as char == upper)
                    .map(|p| p as u8),
            })
            .collect::<Option<_>>()
            .ok_or(SignRuleError::MalformedCode)?;
        if values.len() != CODE_LENGTH {
            return Err(SignRuleError::MalformedCode);
        }
        if damm_fold(&values) != 0 {
            return Err(SignRuleError::CheckFailed);
        }
        Ok(Self(
            values
                .iter()
                .map(|v| ALPHABET[*v as usize] as char)
                .collect(),
        ))
    }

    /// The code as printed (upper case, no separators).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PublicCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Multiplication by 2 in GF(32) with the irreducible polynomial x⁵ + x² + 1.
fn times_two(x: u8) -> u8 {
    let shifted = x << 1;
    if shifted & 0x20 != 0 {
        (shifted ^ 0x25) & 0x1f
    } else {
        shifted
    }
}

fn damm_fold(values: &[u8]) -> u8 {
    values.iter().fold(0, |interim, v| times_two(interim) ^ v)
}

/// A sign as staff describe it when registering or editing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInput {
    /// The place-name record the sign shows.
    pub place_id: i64,
    /// What kind of sign it is.
    pub kind: SignKind,
    /// The office's own inventory number, printed under the QR code on the print sheet.
    #[serde(default)]
    pub sign_number: Option<String>,
    /// The address a door plate shows (南湖路 12 号).
    #[serde(default)]
    pub address: Option<String>,
    /// [longitude, latitude] where the sign stands.
    #[serde(default)]
    pub position: Option<[f64; 2]>,
    /// Which way the sign faces, degrees clockwise from north.
    #[serde(default)]
    pub facing_deg: Option<f64>,
    /// What the plate is made of.
    #[serde(default)]
    pub material: Option<String>,
    /// The plate's width.
    #[serde(default)]
    pub width_mm: Option<u32>,
    /// The plate's height.
    #[serde(default)]
    pub height_mm: Option<u32>,
    /// The day it was put up.
    #[serde(default)]
    pub installed_on: Option<chrono::NaiveDate>,
    /// `planned` or `installed` for a new sign; later changes go through the maintenance log.
    /// Registered signs are `installed` unless this says `planned`.
    #[serde(default)]
    pub status: Option<SignStatus>,
}

impl SignInput {
    /// Checks the description and trims its texts.
    pub fn validate(
        mut self,
        today: chrono::NaiveDate,
    ) -> Result<Self, super::field_error::FieldErrors> {
        use super::field_error::FieldErrors;
        let mut errors = FieldErrors::default();
        for (field, value) in [
            ("sign_number", &mut self.sign_number),
            ("address", &mut self.address),
            ("material", &mut self.material),
        ] {
            if let Some(text) = value {
                let trimmed = text.trim().to_string();
                if trimmed.chars().count() > 200 || trimmed.chars().any(char::is_control) {
                    errors.push(field, "at most 200 characters on one line");
                }
                *value = (!trimmed.is_empty()).then_some(trimmed);
            }
        }
        if self.kind.is_door_plate() && self.address.is_none() {
            errors.push("address", "a door plate shows an address: give it");
        }
        if let Some([lon, lat]) = self.position {
            let (min, max) = crate::domain::geometry::CHINA_EXTENT;
            if !(lon.is_finite()
                && lat.is_finite()
                && (min.x..=max.x).contains(&lon)
                && (min.y..=max.y).contains(&lat))
            {
                errors.push("position", "[longitude, latitude] of a point in China");
            }
        }
        if let Some(facing) = self.facing_deg
            && !(facing.is_finite() && (0.0..360.0).contains(&facing))
        {
            errors.push("facing_deg", "degrees from north, 0 to under 360");
        }
        for (field, size) in [("width_mm", self.width_mm), ("height_mm", self.height_mm)] {
            if size.is_some_and(|mm| mm == 0 || mm > 20_000) {
                errors.push(field, "millimetres, 1 to 20000");
            }
        }
        if self.installed_on.is_some_and(|d| d > today) {
            errors.push(
                "installed_on",
                "an installation date cannot be in the future",
            );
        }
        if self
            .status
            .is_some_and(|s| !matches!(s, SignStatus::Planned | SignStatus::Installed))
        {
            errors.push("status", "a sign is registered as planned or installed; damage and loss are recorded in its maintenance log");
        }
        errors.into_result(self)
    }
}

/// A registered sign as the store keeps it and the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Sign {
    /// The sign's id in the inventory.
    pub id: i64,
    /// The code its QR code carries (see [`PublicCode`]).
    pub public_code: String,
    /// The place-name record it shows.
    pub place_id: i64,
    /// The division it belongs to: the main division of its place when last written.
    pub division_code: String,
    /// What kind of sign it is.
    pub kind: SignKind,
    /// The office's own inventory number.
    pub sign_number: Option<String>,
    /// The address a door plate shows.
    pub address: Option<String>,
    /// [longitude, latitude] where it stands.
    pub position: Option<[f64; 2]>,
    /// Which way it faces, degrees clockwise from north.
    pub facing_deg: Option<f64>,
    /// What the plate is made of.
    pub material: Option<String>,
    /// The plate's width.
    pub width_mm: Option<i64>,
    /// The plate's height.
    pub height_mm: Option<i64>,
    /// The day it was put up.
    pub installed_on: Option<NaiveDate>,
    /// Where it is in its life.
    pub status: SignStatus,
    /// The sign that replaced it, if one did.
    pub replaced_by: Option<i64>,
    /// The day of the last maintenance work (or its installation).
    pub last_maintained_on: Option<NaiveDate>,
    /// The version an edit must name (If-Match).
    pub version: i64,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it was last written.
    pub updated_at: DateTime<Utc>,
}

/// The kinds of maintenance work staff record.
pub const MAINTENANCE_ACTIONS: [&str; 5] = [
    "inspected",
    "cleaned",
    "repaired",
    "replaced",
    "status_changed",
];

/// What staff record about maintenance work, ready to write.
#[derive(Debug, Clone)]
pub struct Maintenance<'a> {
    /// One of [`MAINTENANCE_ACTIONS`].
    pub action: &'a str,
    /// The day the work was done.
    pub done_on: NaiveDate,
    /// Notes on the work, trimmed, if any.
    pub notes: Option<&'a str>,
    /// The sign's status after the work.
    pub status_after: SignStatus,
    /// For a replacement: the new sign.
    pub replaced_by: Option<i64>,
    /// A photo of the work, uploaded for this sign.
    pub photo_id: Option<i64>,
}

/// One entry of a sign's maintenance log.
#[derive(Debug, Clone, Serialize)]
pub struct MaintenanceEntry {
    /// The entry's id.
    pub id: i64,
    /// One of [`MAINTENANCE_ACTIONS`].
    pub action: String,
    /// The day the work was done.
    pub done_on: NaiveDate,
    /// Notes on the work.
    pub notes: Option<String>,
    /// The sign's status after the work.
    pub status_after: String,
    /// A photo of the work.
    pub photo_id: Option<i64>,
    /// When the entry was written.
    pub recorded_at: DateTime<Utc>,
    /// Who wrote it.
    pub recorded_by: String,
}

/// A photo of a sign (staff upload or public report), with its bytes.
#[derive(Debug, Clone)]
pub struct Photo {
    /// The photo's id.
    pub id: i64,
    /// The sign it shows.
    pub sign_id: i64,
    /// `image/jpeg` or `image/png`.
    pub media_type: String,
    /// The cleaned image.
    pub bytes: Vec<u8>,
}

/// The kinds of problem the public may report.
pub const REPORT_KINDS: [&str; 5] = ["damaged", "dirty", "missing", "wrong_text", "other"];

/// The states of a report ticket: it opens `open`, staff move it on.
pub const REPORT_STATUSES: [&str; 3] = ["open", "in_progress", "closed"];

/// Whether the text of a public report says something in at most 1000 characters, without
/// hidden characters (`domain::text`).
pub fn report_text_fits(text: &str) -> bool {
    !text.is_empty() && text.chars().count() <= 1000 && super::text::first_hidden(text).is_none()
}

/// A problem report from the public about a sign: a ticket for staff.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The ticket's id.
    pub id: i64,
    /// The sign reported.
    pub sign_id: i64,
    /// The sign's public code.
    pub public_code: String,
    /// The sign's division: who handles the ticket.
    pub division_code: String,
    /// One of [`REPORT_KINDS`].
    pub kind: String,
    /// What the reporter wrote.
    pub text: String,
    /// The reporter's photo, if any.
    pub photo_id: Option<i64>,
    /// One of [`REPORT_STATUSES`].
    pub status: String,
    /// When it came in.
    pub created_at: DateTime<Utc>,
    /// When it was last handled.
    pub updated_at: DateTime<Utc>,
    /// How it was resolved.
    pub resolution: Option<String>,
    /// Who handled it last.
    pub handled_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_codes() -> Vec<PublicCode> {
        (0u8..40)
            .map(|i| PublicCode::from_random([i, i.wrapping_mul(37), 200 - i, i ^ 0x5a, 77]))
            .collect()
    }

    #[test]
    fn every_single_character_typo_is_caught() {
        for code in sample_codes() {
            for position in 0..CODE_LENGTH {
                for replacement in ALPHABET.iter().map(|b| *b as char) {
                    let mut chars: Vec<char> = code.as_str().chars().collect();
                    if chars[position] == replacement {
                        continue;
                    }
                    chars[position] = replacement;
                    let typo: String = chars.into_iter().collect();
                    assert_eq!(
                        PublicCode::parse(&typo),
                        Err(SignRuleError::CheckFailed),
                        "{code} → {typo}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_swap_of_neighbours_is_caught() {
        for code in sample_codes() {
            let chars: Vec<char> = code.as_str().chars().collect();
            for i in 0..CODE_LENGTH - 1 {
                if chars[i] == chars[i + 1] {
                    continue;
                }
                let mut swapped = chars.clone();
                swapped.swap(i, i + 1);
                let swapped: String = swapped.into_iter().collect();
                assert!(PublicCode::parse(&swapped).is_err(), "{code} → {swapped}");
            }
        }
    }

    #[test]
    fn a_code_is_read_as_people_type_it() {
        let code = PublicCode::from_random([0, 0, 0, 0, 1]);
        let typed = code.as_str().to_lowercase().replace('0', "o");
        assert_eq!(PublicCode::parse(&typed), Ok(code));
        assert_eq!(PublicCode::parse("ABC"), Err(SignRuleError::MalformedCode));
        assert_eq!(
            PublicCode::parse("ABCDEFGH!"),
            Err(SignRuleError::MalformedCode)
        );
    }

    #[test]
    fn the_life_of_a_sign_has_rules() {
        use SignStatus::*;
        assert_eq!(Planned.transition(Installed), Ok(Installed));
        assert_eq!(Damaged.transition(Installed), Ok(Installed));
        assert_eq!(
            Retired.transition(Installed),
            Err(SignRuleError::IllegalTransition {
                from: Retired,
                to: Installed
            })
        );
        assert!(Planned.transition(Damaged).is_err());
    }

    #[test]
    fn work_leaves_a_sign_in_a_status() {
        use SignStatus::*;
        assert_eq!(Installed.after_work("cleaned", None), Ok(Installed));
        assert_eq!(Installed.after_work("replaced", None), Ok(Retired));
        assert_eq!(Installed.after_work("replaced", Some(Damaged)), Ok(Damaged));
        assert_eq!(
            Damaged.after_work("repaired", Some(Installed)),
            Ok(Installed)
        );
        assert!(Retired.after_work("repaired", Some(Installed)).is_err());
    }

    #[test]
    fn a_report_says_something_briefly() {
        assert!(!report_text_fits(""));
        assert!(report_text_fits("牌子倒了"));
        assert!(report_text_fits(&"字".repeat(1000)));
        assert!(!report_text_fits(&"字".repeat(1001)));
    }
}
