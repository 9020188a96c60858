//! Signing in and out: a sign-in checks the password (slowly, off the async workers, with a
//! decoy hash for unknown names so timing reveals nothing), locks a username after repeated
//! failures, and opens a session whose token only the caller learns.

use chrono::{DateTime, Utc};

use super::{AppState, Staff};
use crate::domain::account::Actor;
use crate::security::{SecurityError, decoy_hash, new_token, token_digest, verify_password};
use crate::store::StoreError;
use crate::store::audit::Author;

/// What can go wrong with signing in or out.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The username or password is wrong, or the account is disabled (not told apart).
    #[error("the username or password is wrong")]
    WrongCredentials,
    /// Too many failed sign-ins for this username: it is locked until then.
    #[error("too many failed sign-ins for this username: try again after {}", .until.format("%H:%M UTC"))]
    LockedOut {
        /// When sign-ins are accepted again.
        until: DateTime<Utc>,
        /// Seconds from now until then.
        retry_after_seconds: i64,
    },
    /// A token could not be made (the system's random source failed).
    #[error(transparent)]
    Security(#[from] SecurityError),
    /// Password checking could not be run.
    #[error("password checking failed")]
    Worker,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An open session: the token the caller presents from now on, and who they are.
#[derive(Debug, Clone)]
pub struct Session {
    /// The bearer token (also sent as the session cookie); only its digest is stored.
    pub token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// Who signed in.
    pub actor: Actor,
}

/// Signs `username` in with `password`, from `remote_addr`.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: String,
    remote_addr: Option<String>,
) -> Result<Session, AccountError> {
    let now = Utc::now();
    let username = username.trim().to_lowercase();
    let author = Author {
        user_id: None,
        username: "anonymous".into(),
        remote_addr,
    };
    if let Some(until) = state.store.locked_until(&username, now).await? {
        return Err(AccountError::LockedOut {
            until,
            retry_after_seconds: (until - now).num_seconds(),
        });
    }
    let account = state.store.account_by_username(&username).await?;
    let stored_hash = account
        .as_ref()
        .map_or_else(|| decoy_hash().to_string(), |a| a.password_hash.clone());
    // Hashing is deliberately slow: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored_hash))
        .await
        .map_err(|_| AccountError::Worker)?;
    let account = match account {
        Some(account) if matches && !account.disabled => account,
        _ => {
            state
                .store
                .record_login_failure(&username, now, state.settings.lockout, &author)
                .await?;
            return Err(AccountError::WrongCredentials);
        }
    };
    let token = new_token()?;
    let expires_at = now + state.settings.session_ttl;
    let author = Author {
        user_id: Some(account.actor.user_id),
        username: account.actor.username.clone(),
        ..author
    };
    state
        .store
        .open_session(&account.actor, &token_digest(&token), expires_at, &author)
        .await?;
    Ok(Session {
        token,
        expires_at,
        actor: account.actor,
    })
}

/// Ends the caller's session.
pub async fn sign_out(state: &AppState, staff: &Staff) -> Result<(), AccountError> {
    state
        .store
        .revoke_session(&token_digest(&staff.token), &staff.author())
        .await?;
    Ok(())
}

/// The staff member a session token belongs to, while the session lasts.
pub async fn session_actor(state: &AppState, token: &str) -> Result<Option<Actor>, StoreError> {
    state
        .store
        .session_actor(&token_digest(token), Utc::now())
        .await
}
