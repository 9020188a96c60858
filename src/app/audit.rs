//! Reading the audit log (administrators only) and checking that the service's database answers.

use super::{AppState, Staff};
use crate::domain::account::AccessError;
use crate::domain::field_error::FieldErrors;
use crate::store::StoreError;
use crate::store::audit::{AuditEntry, AuditFilter};

/// The largest page of audit entries.
pub const MAX_ENTRIES: i64 = 1000;

/// What can go wrong reading the audit log.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A filter is out of range.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// Only administrators read the audit log.
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The audit entries matching `filter`, newest first.
pub async fn entries(
    state: &AppState,
    staff: &Staff,
    filter: AuditFilter,
) -> Result<Vec<AuditEntry>, AuditError> {
    staff.actor.must_be_admin()?;
    if !(1..=MAX_ENTRIES).contains(&filter.limit) {
        return Err(FieldErrors::one("limit", "a whole number from 1 to 1000").into());
    }
    Ok(state.store.audit_entries(&filter).await?)
}

/// Whether the database answers.
pub async fn health(state: &AppState) -> Result<(), StoreError> {
    state.store.ping().await
}
