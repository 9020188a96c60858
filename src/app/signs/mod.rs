//! Place-name signs (地名标志牌) in use: the staff inventory (register, edit, list), the
//! maintenance log with photos and scan counts, QR codes and print sheets, the tickets opened
//! from public problem reports, and the public side of a sign (its page and the report form).
//! Every write is authorised against the sign's division and marks the public pages stale.
#![warn(missing_docs)]

pub mod inventory;
pub mod maintenance;
pub mod public;
pub mod qr;
pub mod reports;

use super::AppState;
use crate::domain::account::{AccessError, Actor};
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::sign::{Sign, SignRuleError};
use crate::store::StoreError;

/// What can go wrong with a staff use case of signs.
///
/// ```
/// use diming::app::signs::SignError;
/// use diming::domain::field_error::FieldErrors;
/// let error = SignError::from(FieldErrors::one("status", "in_progress or closed"));
/// assert!(matches!(error, SignError::Invalid(_)));
/// assert_eq!(SignError::NotFound("there is no sign 7".into()).to_string(), "there is no sign 7");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The input names the fields at fault.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// The caller may not write in the sign's division.
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// The report's sign lies outside the caller's jurisdiction.
    #[error("the sign of report {0} is outside your jurisdiction")]
    ReportOutsideJurisdiction(i64),
    /// No such sign, photo, report or QR format.
    #[error("{0}")]
    NotFound(String),
    /// The sign's life does not allow the status asked for.
    #[error(transparent)]
    IllegalTransition(#[from] SignRuleError),
    /// Stored data that cannot be, or rendering that failed: the caller can do nothing about it.
    #[error("{0}")]
    Internal(String),
    /// The database failed, or the edit was stale.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The print sheet's PDF could not be made (no font).
    #[error(transparent)]
    Pdf(#[from] crate::app::pdf::PdfError),
}

/// Sign `id`, which must exist.
async fn existing_sign(state: &AppState, id: i64) -> Result<Sign, SignError> {
    state
        .store
        .sign(id)
        .await?
        .ok_or_else(|| SignError::NotFound(format!("there is no sign {id}")))
}

/// The division a stored sign belongs to.
fn division_of(sign: &Sign) -> Result<DivisionCode, SignError> {
    DivisionCode::parse(&sign.division_code).map_err(|_| {
        SignError::Internal(format!(
            "sign {} has the malformed division {:?}",
            sign.id, sign.division_code
        ))
    })
}

/// Whether `actor` may edit signs of `division`.
fn may_edit(actor: &Actor, division: &DivisionCode) -> Result<(), SignError> {
    Ok(actor.may_edit_places_in(std::slice::from_ref(division))?)
}

/// Whether `actor` may edit signs of `division`, given as stored (malformed means no).
fn covers(actor: &Actor, division: &str) -> bool {
    DivisionCode::parse(division).is_ok_and(|code| actor.may_edit_places_in(&[code]).is_ok())
}
