//! Heritage names (地名文化遗产保护名录, art. 25 of 《地名管理条例》): a name is nominated with its
//! evidence, reviewed, listed with its protection measures, and may be de-listed with a reason.

use serde::{Deserialize, Serialize};

/// Where a nomination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeritageStatus {
    /// Nominated, awaiting review.
    Nominated,
    /// On the protection list.
    Listed,
    /// Not listed after review.
    Rejected,
    /// Taken off the list.
    Delisted,
}

impl HeritageStatus {
    /// The status as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nominated => "nominated",
            Self::Listed => "listed",
            Self::Rejected => "rejected",
            Self::Delisted => "delisted",
        }
    }

    /// Reads a stored status.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Nominated,
            Self::Listed,
            Self::Rejected,
            Self::Delisted,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A step of a nomination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeritageMove {
    /// Reviewed and put on the list.
    List,
    /// Reviewed and not listed.
    Reject,
    /// Taken off the list.
    Delist,
}

/// A step the status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a nomination that is {} cannot be {}", .status.as_str(), .step)]
pub struct HeritageMoveError {
    /// Where it stands.
    pub status: HeritageStatus,
    /// What was asked.
    pub step: &'static str,
}

impl HeritageStatus {
    /// The status `step` leads to.
    ///
    /// ```
    /// use diming::domain::naming_heritage::{HeritageMove, HeritageStatus};
    /// assert_eq!(HeritageStatus::Nominated.after(HeritageMove::List), Ok(HeritageStatus::Listed));
    /// assert!(HeritageStatus::Nominated.after(HeritageMove::Delist).is_err());
    /// assert_eq!(HeritageStatus::Listed.after(HeritageMove::Delist), Ok(HeritageStatus::Delisted));
    /// ```
    pub fn after(self, step: HeritageMove) -> Result<Self, HeritageMoveError> {
        match (self, step) {
            (Self::Nominated, HeritageMove::List) => Ok(Self::Listed),
            (Self::Nominated, HeritageMove::Reject) => Ok(Self::Rejected),
            (Self::Listed, HeritageMove::Delist) => Ok(Self::Delisted),
            (status, step) => Err(HeritageMoveError {
                status,
                step: match step {
                    HeritageMove::List => "listed",
                    HeritageMove::Reject => "rejected",
                    HeritageMove::Delist => "de-listed",
                },
            }),
        }
    }
}

/// A document that supports a nomination or an application: a title and where to find it
/// (an archive reference, a file number or a URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// What it is (《嘉善县志》（1995）卷二).
    pub title: String,
    /// Where it is kept.
    #[serde(default)]
    pub reference: Option<String>,
}

/// The evidence of a heritage nomination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Since when the name is attested, in words (北宋, 明嘉靖年间).
    pub attested_since: String,
    /// Roughly how old the name is, in years.
    pub age_years: u32,
    /// The documents that attest it.
    pub documents: Vec<Document>,
    /// The name's story: origin, events, what it keeps of local culture.
    pub story: String,
}
