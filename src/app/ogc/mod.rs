//! OGC API - Features over the register: the collections a caller may see (place-name records,
//! the records of each 大类, divisions, and for staff boundary lines and markers, and signs),
//! their features read through the same use cases and visibility rules as the rest of the API
//! (`items`), given in the coordinate system asked for (Part 2), and the place-name records
//! written through the place use cases with their authorisation and version checks (`edits`,
//! Part 4).
#![warn(missing_docs)]

pub mod edits;
pub mod filter;
pub mod items;

use super::{AppState, Identity};
use crate::domain::account::Role;
use crate::domain::field_error::FieldErrors;
use crate::domain::ogc::CollectionId;
use crate::store::StoreError;

pub use items::{Feature, FilterQuery, ItemsQuery, Page, Record};

/// What can go wrong reading or writing through OGC API - Features.
///
/// ```
/// use diming::app::ogc::OgcError;
/// let error = OgcError::UnknownCollection("roads".into());
/// assert!(error.to_string().contains("roads"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum OgcError {
    /// No collection of this id (or none the caller may see).
    #[error("there is no collection {0:?}: GET /ogc/collections lists them")]
    UnknownCollection(String),
    /// The collection is for signed-in staff.
    #[error(
        "the collection {0} is for signed-in staff: sign in (POST /api/v1/auth/login) and send the token"
    )]
    StaffOnly(String),
    /// No such feature in the collection (or none the caller may see).
    #[error("{0}")]
    NotFound(String),
    /// The request names the parameters or fields at fault.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// The collection's features cannot be written.
    #[error(
        "the features of {0} are read-only here; places are written through /ogc/collections/places/items"
    )]
    ReadOnly(String),
    /// A place-name use case refused (its own error, with its status).
    #[error(transparent)]
    Place(#[from] super::places::PlaceError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<super::boundaries::BoundaryError> for OgcError {
    fn from(error: super::boundaries::BoundaryError) -> Self {
        use super::boundaries::BoundaryError;
        match error {
            BoundaryError::Invalid(errors) | BoundaryError::Inconsistent(errors) => {
                Self::Invalid(errors)
            }
            BoundaryError::Store(error) => Self::Store(error),
            // A line the caller may not read is one they cannot see.
            BoundaryError::NotFound(detail) => Self::NotFound(detail),
            error @ (BoundaryError::Forbidden(_) | BoundaryError::NotOnEitherSide(_)) => {
                Self::NotFound(error.to_string())
            }
            error @ BoundaryError::IndexUnavailable(_) => {
                Self::Store(StoreError::Corrupt(error.to_string()))
            }
        }
    }
}

/// A collection as its metadata describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionInfo {
    /// Its id in the paths.
    pub id: CollectionId,
    /// Its title in Chinese.
    pub title_zh: String,
    /// Its title in English.
    pub title_en: String,
    /// What it holds and how its features are chosen, Chinese then English.
    pub description: String,
    /// Whether `datetime` selects features by when they held (otherwise it is checked and every
    /// feature is in the answer, as Part 1 says of features without a temporal geometry).
    pub temporal: bool,
    /// Whether only signed-in staff see it.
    pub staff_only: bool,
}

/// The collections `identity` may see, in a fixed order: places, each 大类's places, divisions,
/// then (staff) boundary lines and markers, then signs.
pub fn collections(state: &AppState, identity: &Identity) -> Vec<CollectionInfo> {
    let mut all = vec![describe(state, &CollectionId::Places { class: None })];
    for category in state.catalog.all() {
        if category.parent_code.is_none() && category.code.len() == 2 {
            all.push(describe(
                state,
                &CollectionId::Places {
                    class: Some(category.code.clone()),
                },
            ));
        }
    }
    all.push(describe(state, &CollectionId::Divisions));
    all.push(describe(state, &CollectionId::BoundaryLines));
    all.push(describe(state, &CollectionId::Markers));
    all.push(describe(state, &CollectionId::Signs));
    all.into_iter()
        .flatten()
        .filter(|c| !(c.staff_only && identity.is_public()))
        .collect()
}

/// Collection `id`, if `identity` may see it.
pub fn collection(
    state: &AppState,
    identity: &Identity,
    id: &str,
) -> Result<CollectionInfo, OgcError> {
    let info = CollectionId::parse(id)
        .and_then(|parsed| describe(state, &parsed))
        .ok_or_else(|| OgcError::UnknownCollection(id.to_string()))?;
    if info.staff_only && identity.is_public() {
        return Err(OgcError::StaffOnly(id.to_string()));
    }
    Ok(info)
}

/// Whether the caller's role may write place-name records somewhere (before their
/// jurisdiction is asked about a record).
fn may_write_places(identity: &Identity) -> bool {
    identity
        .actor
        .as_ref()
        .is_some_and(|a| matches!(a.role, Role::Admin | Role::Editor))
}

fn describe(state: &AppState, id: &CollectionId) -> Option<CollectionInfo> {
    const PLACES: &str = "地名记录（第二次全国地名普查登记表），每条为现行版本；datetime 给出某日或某一时段内名称在用的记录（某日的状态）。公众只见公开记录。 Place-name records (census form), each as its current version; datetime selects the records whose name was in use on that day or during that interval, as they stood then. The public sees public records only.";
    let info =
        |zh: &str, en: &str, description: &str, temporal: bool, staff_only: bool| CollectionInfo {
            id: id.clone(),
            title_zh: zh.to_string(),
            title_en: en.to_string(),
            description: description.to_string(),
            temporal,
            staff_only,
        };
    Some(match id {
        CollectionId::Places { class: None } => info("地名", "Place names", PLACES, true, false),
        CollectionId::Places { class: Some(code) } => {
            let category = state.catalog.get(code)?;
            if category.parent_code.is_some() {
                return None;
            }
            info(
                &format!("地名·{}（{code}）", category.name_zh),
                &format!("Place names: {} ({code})", category.name_en),
                &format!(
                    "大类 {code} {}（GB/T 18521）及其下各类的地名记录。 Records of the class {code} {} (GB/T 18521) and its subclasses. {PLACES}",
                    category.name_zh, category.name_en
                ),
                true,
                false,
            )
        }
        CollectionId::Divisions => info(
            "行政区划",
            "Administrative divisions",
            "某日（默认今天）有效的行政区划及其自身地名记录的范围；datetime 只取某日。 The divisions in force on a day (today by default) with the area of their own place-name record; datetime takes a day, not an interval.",
            true,
            false,
        ),
        CollectionId::BoundaryLines => info(
            "行政区域界线",
            "Boundary lines",
            "已登记的界线（现行或某日有效的版本），仅界线任一侧的工作人员可见；datetime 只取某日。 Recorded boundary lines (current, or the version in force on a day), for staff of either side; datetime takes a day, not an interval.",
            true,
            true,
        ),
        CollectionId::Markers => info(
            "界桩",
            "Boundary markers",
            "界桩的 CGCS2000 位置，仅所在界线任一侧的工作人员可见。 Boundary markers at their CGCS2000 positions, for staff of either side of their line.",
            false,
            true,
        ),
        CollectionId::Signs => info(
            "地名标志",
            "Place-name signs",
            "地名标志牌的位置；公众只见公开地名的标志及其公开信息。 Place-name signs where they stand; the public sees the signs of public records and what their public page shows.",
            false,
            false,
        ),
    })
}
