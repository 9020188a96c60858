//! Versions of a record: what each change says about itself (who, when, why, from when it
//! holds), the entity tag that names a version, and which version is in force on a date.
//!
//! Rule for "as of a date": the version in force on day D is the *latest recorded* version whose
//! `effective_on` is on or before D. A later correction with an earlier effective date therefore
//! replaces the earlier version from its effective date on, and a record has no state before the
//! effective date of its first version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a version did to its record.
///
/// ```
/// use diming::domain::version::ChangeAction;
///
/// assert_eq!(ChangeAction::parse("retired"), Some(ChangeAction::Retired));
/// assert_eq!(ChangeAction::Updated.as_str(), "updated");
/// assert_eq!(ChangeAction::parse("deleted"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    /// The first version of the record.
    Created,
    /// A change of a record in force.
    Updated,
    /// The record's end: it stays readable as history.
    Retired,
}

impl ChangeAction {
    /// The action's name as stored and sent (`created`, `updated`, `retired`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Retired => "retired",
        }
    }

    /// Reads an action from its name; `None` for any other text.
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "created" => Some(Self::Created),
            "updated" => Some(Self::Updated),
            "retired" => Some(Self::Retired),
            _ => None,
        }
    }
}

/// What a client says about its change: why, and from when it holds.
///
/// ```
/// use diming::domain::version::ChangeNote;
///
/// let note: ChangeNote =
///     serde_json::from_str(r#"{"comment": "renamed by the county", "effective_on": "2026-07-01"}"#)
///         .unwrap();
/// assert_eq!(note.comment.as_deref(), Some("renamed by the county"));
/// assert_eq!(note.effective_on.unwrap().to_string(), "2026-07-01");
/// // Unknown fields are refused rather than silently dropped.
/// assert!(serde_json::from_str::<ChangeNote>(r#"{"why": "typo"}"#).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeNote {
    /// Why the change is made (required for updates and retirements).
    #[serde(default)]
    pub comment: Option<String>,
    /// From when the new state holds in the real world; today when not given.
    #[serde(default)]
    pub effective_on: Option<NaiveDate>,
}

/// What the register knows about one stored version of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionMeta {
    /// The version number, 1 for the first, counted per record.
    pub version: i64,
    /// What the version did.
    pub action: ChangeAction,
    /// From when the version holds in the real world.
    pub effective_on: NaiveDate,
    /// When the register recorded it.
    pub recorded_at: DateTime<Utc>,
    /// The username of who recorded it.
    pub recorded_by: String,
    /// Why the change was made, as its author said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The strong entity tag naming one version of one record: `"p17.v3"` (quotes included);
/// `kind` is the record kind's letter.
///
/// ```
/// use diming::domain::version::{entity_tag, version_from_entity_tag};
///
/// let tag = entity_tag('p', 17, 3);
/// assert_eq!(tag, "\"p17.v3\"");
/// assert_eq!(version_from_entity_tag('p', 17, &tag), Some(3));
/// // A tag of another record, a weak tag or `*` names no version of this one.
/// assert_eq!(version_from_entity_tag('p', 18, &tag), None);
/// assert_eq!(version_from_entity_tag('p', 17, "W/\"p17.v3\""), None);
/// assert_eq!(version_from_entity_tag('p', 17, "*"), None);
/// ```
pub fn entity_tag(kind: char, id: i64, version: i64) -> String {
    format!("\"{kind}{id}.v{version}\"")
}

/// The version an `If-Match` value names for record `id` (the inverse of [`entity_tag`]);
/// `None` when it names another record or is not a tag of ours.
pub fn version_from_entity_tag(kind: char, id: i64, header: &str) -> Option<i64> {
    let tag = header.trim().strip_prefix('"')?.strip_suffix('"')?;
    let rest = tag.strip_prefix(kind)?;
    let (tag_id, version) = rest.split_once(".v")?;
    (tag_id.parse::<i64>().ok()? == id).then_some(())?;
    version.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entity_tag_round_trips() {
        let tag = entity_tag('p', 17, 3);
        assert_eq!(tag, "\"p17.v3\"");
        assert_eq!(version_from_entity_tag('p', 17, &tag), Some(3));
    }

    #[test]
    fn a_tag_of_another_record_or_a_weak_tag_names_no_version() {
        assert_eq!(version_from_entity_tag('p', 18, "\"p17.v3\""), None);
        assert_eq!(version_from_entity_tag('p', 17, "W/\"p17.v3\""), None);
        assert_eq!(version_from_entity_tag('p', 17, "*"), None);
    }
}
