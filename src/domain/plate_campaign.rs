//! The plates campaign (门牌设置上墙): a plate's way from the production order to the wall —
//! ordered, produced, installed, verified — the problems field checks and the public find with
//! plates (重 duplicate, 错 wrong, 漏 missing, 损 damaged), and the kind of plate each level of
//! an address gets.

use serde::{Deserialize, Serialize};

use super::address::AddressLevel;
use super::sign::SignKind;

/// Where a plate of a production order stands. A plate moves forward one stage at a time.
///
/// ```
/// use diming::domain::plate_campaign::PlateStage;
///
/// assert_eq!(PlateStage::Ordered.next(), Some(PlateStage::Produced));
/// assert!(PlateStage::Produced.may_move_to(PlateStage::Installed));
/// assert!(!PlateStage::Ordered.may_move_to(PlateStage::Installed), "made before put up");
/// assert!(!PlateStage::Verified.may_move_to(PlateStage::Installed), "never backwards");
/// ```
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
#[serde(rename_all = "snake_case")]
pub enum PlateStage {
    /// On a production order, not yet made (待制作).
    Ordered,
    /// Made by the print shop, not yet on the wall (已制作).
    Produced,
    /// On the wall, with the day and a photo (已安装).
    Installed,
    /// Checked in the field: the right plate at the right door (已核验).
    Verified,
}

impl PlateStage {
    /// Every stage, in order.
    pub const ALL: [PlateStage; 4] = [
        Self::Ordered,
        Self::Produced,
        Self::Installed,
        Self::Verified,
    ];

    /// The name stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordered => "ordered",
            Self::Produced => "produced",
            Self::Installed => "installed",
            Self::Verified => "verified",
        }
    }

    /// The Chinese name, for tables and charts.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Ordered => "待制作",
            Self::Produced => "已制作",
            Self::Installed => "已安装",
            Self::Verified => "已核验",
        }
    }

    /// Reads a stored or sent name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The stage after this one.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Ordered => Some(Self::Produced),
            Self::Produced => Some(Self::Installed),
            Self::Installed => Some(Self::Verified),
            Self::Verified => None,
        }
    }

    /// Whether a plate at this stage may be moved to `to`: only to the next stage, so a plate
    /// is never put up before it is made nor counted twice.
    pub fn may_move_to(self, to: Self) -> bool {
        self.next() == Some(to)
    }
}

/// A problem with a plate (重、错、漏、损).
///
/// ```
/// use diming::domain::plate_campaign::PlateProblem;
///
/// assert_eq!(PlateProblem::parse("wrong"), Some(PlateProblem::Wrong));
/// assert_eq!(PlateProblem::Wrong.name_zh(), "错");
/// assert_eq!(PlateProblem::from_public_report("wrong_text"), Some(PlateProblem::Wrong));
/// assert_eq!(PlateProblem::from_public_report("dirty"), None);
/// ```
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
#[serde(rename_all = "snake_case")]
pub enum PlateProblem {
    /// 重: two plates (or two doors) carry the same number.
    Duplicate,
    /// 错: the plate does not say the door's standard address.
    Wrong,
    /// 漏: the door has no plate on its wall.
    Missing,
    /// 损: the plate is damaged.
    Damaged,
}

impl PlateProblem {
    /// Every problem, in the order the campaign names them (重、错、漏、损).
    pub const ALL: [PlateProblem; 4] = [Self::Duplicate, Self::Wrong, Self::Missing, Self::Damaged];

    /// The name stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Wrong => "wrong",
            Self::Missing => "missing",
            Self::Damaged => "damaged",
        }
    }

    /// The character the campaign uses.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Duplicate => "重",
            Self::Wrong => "错",
            Self::Missing => "漏",
            Self::Damaged => "损",
        }
    }

    /// Reads a stored or sent name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The problem a public report on a plate says (the kinds of `sign::REPORT_KINDS`);
    /// `None` for a report that is not about the plate's being right or there (dirty, other).
    pub fn from_public_report(kind: &str) -> Option<Self> {
        match kind {
            "damaged" => Some(Self::Damaged),
            "missing" => Some(Self::Missing),
            "wrong_text" => Some(Self::Wrong),
            _ => None,
        }
    }
}

/// Where a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagSource {
    /// Recorded by staff checking plates in the field.
    FieldCheck,
    /// Reported by the public from the plate's page.
    PublicReport,
    /// Found by comparing the plates with the register (a plate for a retired address, two
    /// plates for one address, an assigned address without a plate).
    Register,
}

impl FlagSource {
    /// The name stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FieldCheck => "field_check",
            Self::PublicReport => "public_report",
            Self::Register => "register",
        }
    }
}

/// Why a production order is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderPurpose {
    /// Plates for addresses that have none (新设).
    #[default]
    New,
    /// New plates for the addresses of a renamed road, replacing the old ones (更换).
    Replacement,
}

impl OrderPurpose {
    /// The name stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Replacement => "replacement",
        }
    }

    /// Reads a stored or sent name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::New, Self::Replacement]
            .into_iter()
            .find(|p| p.as_str() == text)
    }
}

/// The plate an address of `level` gets: the door its 门牌 (大 on a road's door, as streets
/// have them), a building its 楼牌, a unit or flat its small plate (单元牌, 户室牌).
///
/// ```
/// use diming::domain::address::AddressLevel;
/// use diming::domain::plate_campaign::plate_kind;
/// use diming::domain::sign::SignKind;
///
/// assert_eq!(plate_kind(AddressLevel::Door), SignKind::DoorPlateLarge);
/// assert_eq!(plate_kind(AddressLevel::Building), SignKind::Building);
/// assert_eq!(plate_kind(AddressLevel::Flat), SignKind::DoorPlateSmall);
/// ```
pub fn plate_kind(level: AddressLevel) -> SignKind {
    match level {
        AddressLevel::Door => SignKind::DoorPlateLarge,
        AddressLevel::Building => SignKind::Building,
        AddressLevel::Unit | AddressLevel::Flat => SignKind::DoorPlateSmall,
    }
}

/// Whether a sign of `kind` is a plate of the address family (the kinds the campaign counts).
pub fn is_plate_kind(kind: SignKind) -> bool {
    matches!(
        kind,
        SignKind::DoorPlateLarge | SignKind::DoorPlateSmall | SignKind::Building
    )
}

/// A production order (门牌制作单) as the register holds it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlateOrder {
    /// The order's number.
    pub id: i64,
    /// The road it covers, or none for an order of a division's addresses.
    pub road_id: Option<i64>,
    /// The division it covers (the road's, or the village ordered).
    pub division_code: String,
    /// New plates, or the replacement of a renamed road's.
    pub purpose: OrderPurpose,
    /// The old→new table a replacement order follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renumbering_id: Option<i64>,
    /// The day the plates are due on the walls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<chrono::NaiveDate>,
    /// What staff noted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When it was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// By whom.
    pub created_by_name: String,
}

/// One plate of an order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlateItem {
    /// The order.
    pub order_id: i64,
    /// The address the plate is made for.
    pub address_id: i64,
    /// The plate, a sign of the inventory.
    pub sign_id: i64,
    /// The old plate it replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces_sign_id: Option<i64>,
    /// Where it stands.
    pub stage: PlateStage,
    /// The day it was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produced_on: Option<chrono::NaiveDate>,
    /// The day it was put up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_on: Option<chrono::NaiveDate>,
    /// The photo of it on the wall.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_id: Option<i64>,
    /// The day it was checked in the field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_on: Option<chrono::NaiveDate>,
    /// Who checked it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_by_name: Option<String>,
}

/// A move of one plate to its next stage, as the store writes it.
#[derive(Debug, Clone)]
pub struct PlateMove {
    /// The address whose plate moves.
    pub address_id: i64,
    /// The stage it is at (the write refuses it when it is no longer there).
    pub from: PlateStage,
    /// The stage it moves to.
    pub to: PlateStage,
    /// The day of the work.
    pub done_on: chrono::NaiveDate,
    /// The photo of the plate on the wall, when installing.
    pub photo_id: Option<i64>,
}

/// A problem recorded in a field check.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlateFlag {
    /// The flag's number.
    pub id: i64,
    /// The address whose plate has the problem.
    pub address_id: i64,
    /// The plate, when one is concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_id: Option<i64>,
    /// 重、错、漏 or 损.
    pub problem: PlateProblem,
    /// What was found.
    pub note: String,
    /// The day it was found.
    pub raised_on: chrono::NaiveDate,
    /// By whom.
    pub raised_by_name: String,
    /// The day it was put right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_on: Option<chrono::NaiveDate>,
    /// By whom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_by_name: Option<String>,
    /// How.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
}

/// One line of an old→new table (门牌号变更对照表).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenumberingRow {
    /// The old address record.
    pub old_address_id: i64,
    /// The new one, once the table is applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_address_id: Option<i64>,
    /// Door, building, unit or flat.
    pub level: AddressLevel,
    /// The old standard address.
    pub old_address: String,
    /// The new standard address.
    pub new_address: String,
}

/// A published old→new table of a renamed road.
#[derive(Debug, Clone, Serialize)]
pub struct Renumbering {
    /// The table's number.
    pub id: i64,
    /// The road.
    pub road_id: i64,
    /// Its division.
    pub division_code: String,
    /// The road's name before.
    pub old_road_name: String,
    /// Its name now.
    pub road_name: String,
    /// The day the new numbers took effect.
    pub applied_on: chrono::NaiveDate,
    /// The day by which the plates are to be replaced.
    pub replace_by: chrono::NaiveDate,
    /// Every address, old and new.
    pub rows: Vec<RenumberingRow>,
    /// Why (the renaming's announcement).
    pub comment: String,
    /// Who applied it.
    pub created_by_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_problems_read_back_what_they_write() {
        for stage in PlateStage::ALL {
            assert_eq!(PlateStage::parse(stage.as_str()), Some(stage));
        }
        for problem in PlateProblem::ALL {
            assert_eq!(PlateProblem::parse(problem.as_str()), Some(problem));
        }
        assert_eq!(PlateStage::parse("lost"), None);
        assert_eq!(PlateProblem::parse("重"), None);
    }

    #[test]
    fn a_plate_moves_forward_one_stage_at_a_time() {
        for (i, from) in PlateStage::ALL.into_iter().enumerate() {
            for (j, to) in PlateStage::ALL.into_iter().enumerate() {
                assert_eq!(from.may_move_to(to), j == i + 1, "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn every_level_gets_a_plate_the_campaign_counts() {
        for level in [
            AddressLevel::Door,
            AddressLevel::Building,
            AddressLevel::Unit,
            AddressLevel::Flat,
        ] {
            assert!(is_plate_kind(plate_kind(level)));
        }
        assert!(!is_plate_kind(SignKind::Street));
    }
}
