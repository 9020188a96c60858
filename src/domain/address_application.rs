//! An owner's application for a house number (门牌编号申请), entered by staff with its
//! documents (the building permit, the site plan): filed, then approved (the number assigned)
//! or rejected with reasons, within a set number of working days. A decided application is
//! final: deciding it again is a typed error.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Where an application is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// Filed, awaiting the decision.
    Filed,
    /// Approved: the address is assigned.
    Approved,
    /// Rejected, with reasons.
    Rejected,
}

impl ApplicationState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "filed" => Some(Self::Filed),
            "approved" => Some(Self::Approved),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }

    /// The state a decision moves a filed application to; a decided one is refused.
    ///
    /// ```
    /// use diming::domain::address_application::{ApplicationState, DecisionError};
    ///
    /// assert_eq!(ApplicationState::Filed.decide(true), Ok(ApplicationState::Approved));
    /// assert_eq!(
    ///     ApplicationState::Rejected.decide(true),
    ///     Err(DecisionError::AlreadyDecided(ApplicationState::Rejected))
    /// );
    /// ```
    pub fn decide(self, approve: bool) -> Result<Self, DecisionError> {
        match self {
            Self::Filed if approve => Ok(Self::Approved),
            Self::Filed => Ok(Self::Rejected),
            decided => Err(DecisionError::AlreadyDecided(decided)),
        }
    }
}

/// Why a decision cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// The application was decided already.
    #[error("the application is already {}", .0.as_str())]
    AlreadyDecided(ApplicationState),
}

/// The day a decision is due: `working_days` working days (Monday to Friday) after the day of
/// filing. Public holidays are a local calendar the office keeps; they are not counted here.
///
/// ```
/// use chrono::NaiveDate;
/// use diming::domain::address_application::decision_due;
///
/// let friday = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
/// assert_eq!(decision_due(friday, 1), NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()); // Monday
/// assert_eq!(decision_due(friday, 10), NaiveDate::from_ymd_opt(2026, 12, 18).unwrap());
/// ```
pub fn decision_due(filed_on: NaiveDate, working_days: u32) -> NaiveDate {
    let mut day = filed_on;
    let mut left = working_days;
    while left > 0 {
        day += Duration::days(1);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_do_not_count() {
        let wednesday = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            decision_due(wednesday, 3),
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        );
        assert_eq!(decision_due(wednesday, 0), wednesday);
    }

    #[test]
    fn a_decision_is_taken_once() {
        assert_eq!(
            ApplicationState::Filed.decide(false),
            Ok(ApplicationState::Rejected)
        );
        assert!(ApplicationState::Approved.decide(false).is_err());
    }
}

/// The largest document an application takes (a scanned permit or site plan).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// The kind of a received document by its first bytes — a PDF, a JPEG or a PNG scan — whatever
/// its sender declared; `None` for anything else.
///
/// ```
/// use diming::domain::address_application::document_media_type;
///
/// assert_eq!(document_media_type(b"%PDF-1.7 ..."), Some("application/pdf"));
/// assert_eq!(document_media_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
/// assert_eq!(document_media_type(b"MZ\x90\x00"), None);
/// ```
pub fn document_media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// A document received with an application, without its bytes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApplicationDocument {
    /// The document's id.
    pub id: i64,
    /// The application.
    pub application_id: i64,
    /// What it is (建设工程规划许可证, 总平面图 …).
    pub title: String,
    /// PDF, JPEG or PNG.
    pub media_type: String,
    /// Its size.
    pub bytes: i64,
    /// The SHA-256 of its content, hex.
    pub sha256: String,
    /// When it was received.
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
    /// By whom.
    pub uploaded_by_name: String,
}
