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
