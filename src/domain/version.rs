//! Versions of a record: what each change says about itself (who, when, why, from when it
//! holds), the entity tag that names a version, and which version is in force on a date.
//!
//! Rule for "as of a date": the version in force on day D is the *latest recorded* version whose
//! `effective_on` is on or before D. A later correction with an earlier effective date therefore
//! replaces the earlier version from its effective date on, and a record has no state before the
//! effective date of its first version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Created,
    Updated,
    Retired,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Retired => "retired",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "created" => Some(Self::Created),
            "updated" => Some(Self::Updated),
            "retired" => Some(Self::Retired),
            _ => None,
        }
    }
}

/// What a client says about its change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeNote {
    /// Why the change is made (required for updates and retirements).
    #[serde(default)]
    pub comment: Option<String>,
    /// From when the new state holds in the real world; today when not given.
    #[serde(default)]
    pub effective_on: Option<NaiveDate>,
}

/// What the register knows about one stored version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionMeta {
    pub version: i64,
    pub action: ChangeAction,
    pub effective_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A strong entity tag naming one version of one record: `"p17.v3"`.
pub fn entity_tag(kind: char, id: i64, version: i64) -> String {
    format!("\"{kind}{id}.v{version}\"")
}

/// Reads the version an `If-Match` value names for record `id`; `None` when it names another
/// record or is not a tag of ours.
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
