//! The background work of a running service: counted sign scans reach the database every few
//! seconds, and approved division changes take effect on their day (checked at start and every
//! hour).

use std::sync::Arc;
use std::time::Duration;

use super::AppState;

/// Starts every background job of the service on the current Tokio runtime.
pub fn spawn_all(state: Arc<AppState>) {
    spawn_scan_flusher(state.clone());
    spawn_division_event_clock(state);
}

/// Scans are counted in memory and written every few seconds, so that a page view costs no
/// database write.
fn spawn_scan_flusher(state: Arc<AppState>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(10));
        loop {
            every.tick().await;
            if let Err(error) = state.flush_scans().await {
                log_failure(&error);
            }
        }
    });
}

/// Approved division changes take effect on their day: checked at start and every hour.
fn spawn_division_event_clock(state: Arc<AppState>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            super::division_events::apply_due_events(&state).await;
        }
    });
}

/// Logs a failure (of a background job, or one the edge hides from its client) with its whole
/// chain of causes.
pub fn log_failure(error: &dyn std::error::Error) {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %chain, "internal error");
}
