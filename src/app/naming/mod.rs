//! Naming and renaming by the rules: applications from intake to announcement
//! (`applications`), the public side of notices and announcements (`public`), clean-up
//! campaigns (`campaigns`), heritage names (`heritage`) and the gazetteer (`gazetteer`). The
//! settings (notice days, word lists) and the clock the procedure counts its days by live here.

pub mod applications;
pub mod campaigns;
pub mod gazetteer;
pub mod heritage;
pub mod public;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::domain::account::AccessError;
use crate::domain::field_error::FieldErrors;
use crate::domain::naming::{DEFAULT_NOTICE_DAYS, MoveError, NamingAccessError};
use crate::domain::naming_detect::WordLists;
use crate::domain::naming_heritage::HeritageMoveError;
use crate::store::StoreError;

/// The day the procedure counts by: today in China, or a day set by hand (tests, and an office
/// re-entering old files). Clones share the day.
///
/// ```
/// use chrono::NaiveDate;
/// use diming::app::naming::Clock;
/// let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
/// let clock = Clock::fixed(day);
/// let same = clock.clone();
/// clock.advance_days(7);
/// assert_eq!(same.today().to_string(), "2026-03-08");
/// assert!(Clock::system().today() >= day);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<Mutex<NaiveDate>>>);

impl Clock {
    /// The real calendar (`app::today`).
    pub fn system() -> Self {
        Self(None)
    }

    /// A calendar that stays on `day` until set or advanced.
    pub fn fixed(day: NaiveDate) -> Self {
        Self(Some(Arc::new(Mutex::new(day))))
    }

    /// Today by this clock.
    pub fn today(&self) -> NaiveDate {
        match &self.0 {
            None => super::today(),
            Some(day) => *day
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    /// Moves a fixed clock on by `days` (a system clock ignores it).
    pub fn advance_days(&self, days: u64) {
        if let Some(day) = &self.0 {
            let mut day = day
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *day = *day + chrono::Days::new(days);
        }
    }
}

/// The settings of the procedure.
#[derive(Debug, Clone)]
pub struct NamingSettings {
    /// How many days a name stays under public notice (公示; a local rule, default 7).
    pub notice_days: u32,
    /// The word lists of the 大 and 洋 rules.
    pub words: Arc<WordLists>,
    /// The day the procedure counts by.
    pub clock: Clock,
    /// Public comments accepted per address per hour.
    pub comments_per_address_per_hour: u32,
}

impl Default for NamingSettings {
    fn default() -> Self {
        Self {
            notice_days: DEFAULT_NOTICE_DAYS,
            words: Arc::new(WordLists::default()),
            clock: Clock::system(),
            comments_per_address_per_hour: 5,
        }
    }
}

/// What the procedure keeps while the service runs: the rate limit of public comments.
pub struct NamingState {
    /// Comments accepted per address per hour.
    pub comments_per_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Comments accepted per application per hour.
    pub comments_per_application: DefaultKeyedRateLimiter<i64>,
}

impl NamingState {
    /// The state for `settings`.
    pub fn new(settings: &NamingSettings) -> Self {
        let per_hour = |n: u32| Quota::per_hour(NonZeroU32::new(n.max(1)).expect("at least one"));
        Self {
            comments_per_address: DefaultKeyedRateLimiter::keyed(per_hour(
                settings.comments_per_address_per_hour,
            )),
            comments_per_application: DefaultKeyedRateLimiter::keyed(per_hour(
                settings.comments_per_address_per_hour.saturating_mul(20),
            )),
        }
    }
}

/// What can go wrong with a naming use case.
#[derive(Debug, thiserror::Error)]
pub enum NamingError {
    /// The input names the fields at fault.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// The input is well-formed but disagrees with the register (a geometry outside its
    /// divisions).
    #[error("{0}")]
    Inconsistent(FieldErrors),
    /// The caller's role does not take this step.
    #[error(transparent)]
    Role(#[from] NamingAccessError),
    /// The caller may not act in that division.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No such application, campaign, item or nomination (or not one the caller may see).
    #[error("{0}")]
    NotFound(String),
    /// The application's stage does not allow the step.
    #[error(transparent)]
    Move(#[from] MoveError),
    /// The nomination's status does not allow the step.
    #[error(transparent)]
    HeritageMove(#[from] HeritageMoveError),
    /// Too many public comments from one address or on one name.
    #[error("too many comments: try again later")]
    TooMany,
    /// The database failed, or the step was stale.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The gazetteer's PDF could not be made (its font, most likely).
    #[error(transparent)]
    Pdf(#[from] crate::app::pdf::PdfError),
}

impl From<super::romanize::RomanizeError> for NamingError {
    fn from(error: super::romanize::RomanizeError) -> Self {
        match error {
            super::romanize::RomanizeError::Invalid(errors) => Self::Invalid(errors),
            super::romanize::RomanizeError::Store(error) => Self::Store(error),
        }
    }
}

/// A text field that must be given: trimmed, 1 to `max` characters.
pub(crate) fn required_text(
    value: &str,
    field: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> String {
    let text = value.trim().to_string();
    if text.is_empty() {
        errors.push(field, "required: write it out");
    } else if text.chars().count() > max {
        errors.push(field, format!("at most {max} characters"));
    }
    text
}

/// An optional text field: trimmed (empty reads as absent), at most `max` characters.
pub(crate) fn optional_text(
    value: Option<&str>,
    field: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    let text = value.map(str::trim).filter(|t| !t.is_empty())?;
    if text.chars().count() > max {
        errors.push(field, format!("at most {max} characters"));
    }
    Some(text.to_string())
}

/// A day that must not be after `today`.
pub(crate) fn not_future(day: NaiveDate, today: NaiveDate, field: &str, errors: &mut FieldErrors) {
    if day > today {
        errors.push(
            field,
            format!("{day} is after today ({today}): record it when it happens"),
        );
    }
}
