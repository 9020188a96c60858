//! Tickets opened from public problem reports, as staff see and handle them: each staff member
//! sees and handles the reports of signs in their jurisdiction (an admin sees all).
#![warn(missing_docs)]

use super::{SignError, covers};
use crate::app::{AppState, Staff};
use crate::domain::account::Role;
use crate::domain::field_error::FieldErrors;
use crate::domain::sign::{REPORT_STATUSES, Report};

/// How staff move a ticket on (checked by [`handle`]).
#[derive(Debug, Clone)]
pub struct Handling {
    /// `in_progress` or `closed`.
    pub status: String,
    /// How the report was resolved; required to close it.
    pub resolution: Option<String>,
}

/// The latest reports (up to 1000) the caller may handle, of one status if given.
pub async fn list(
    state: &AppState,
    staff: &Staff,
    status: Option<&str>,
) -> Result<Vec<Report>, SignError> {
    if let Some(status) = status
        && !REPORT_STATUSES.contains(&status)
    {
        return Err(FieldErrors::one("status", "open, in_progress or closed").into());
    }
    let reports = state.store.reports(None, status, 1000).await?;
    Ok(reports
        .into_iter()
        .filter(|r| staff.actor.role == Role::Admin || covers(&staff.actor, &r.division_code))
        .collect())
}

/// Moves report `id` on: in progress, or closed with a resolution.
pub async fn handle(
    state: &AppState,
    staff: &Staff,
    id: i64,
    handling: Handling,
) -> Result<Report, SignError> {
    let report = state
        .store
        .report(id)
        .await?
        .ok_or_else(|| SignError::NotFound(format!("there is no report {id}")))?;
    if !covers(&staff.actor, &report.division_code) {
        return Err(SignError::ReportOutsideJurisdiction(id));
    }
    if !["in_progress", "closed"].contains(&handling.status.as_str()) {
        return Err(FieldErrors::one("status", "in_progress or closed").into());
    }
    let resolution = handling
        .resolution
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if handling.status == "closed" && resolution.is_none() {
        return Err(FieldErrors::one("resolution", "say how the report was resolved").into());
    }
    Ok(state
        .store
        .handle_report(id, &handling.status, resolution, &staff.author())
        .await?)
}
