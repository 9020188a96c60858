//! Signing in and out: a sign-in checks the password (slowly, off the async workers, with a
//! decoy hash for unknown names so timing reveals nothing), locks a username after repeated
//! failures, and opens a session whose token only the caller learns. Administrators manage
//! accounts (create, role, jurisdictions, disable, reset the password) within their own
//! jurisdiction.

use chrono::{DateTime, Utc};

use super::{AppState, Staff};
use crate::domain::account::{
    AccessError, AccountError as AccountRuleError, Actor, NewPassword, Role, Username,
};
use crate::domain::division_code::Jurisdiction;
use crate::domain::field_error::FieldErrors;
use crate::security::{
    SecurityError, decoy_hash, hash_password, new_token, token_digest, verify_password,
};
use crate::store::StoreError;
use crate::store::accounts::{UserChange, UserRecord};
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

// ---- Administration of accounts: by administrators, within their own jurisdiction. ----

/// What can go wrong when an administrator manages accounts.
#[derive(Debug, thiserror::Error)]
pub enum UserAdminError {
    /// A field of the request is not valid; each error names its field.
    #[error("the account is not valid")]
    Invalid(FieldErrors),
    /// The caller is not an administrator, or the account lies outside their jurisdiction.
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// No account with this id that the caller may see.
    #[error("no account {0} within your jurisdiction")]
    NotFound(i64),
    /// The change would lock the administrator out of their own account.
    #[error("you cannot {0} your own account: ask another administrator")]
    OwnAccount(&'static str),
    /// The password could not be hashed.
    #[error(transparent)]
    Security(#[from] SecurityError),
    /// Password hashing could not be run.
    #[error("password hashing failed")]
    Worker,
    /// The database failed (a taken username is `AlreadyExists`, a stale edit `StaleVersion`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An account as an administrator asks for it: texts still to be checked.
#[derive(Debug, Clone, Default)]
pub struct AccountRequest {
    /// The username (created accounts only).
    pub username: Option<String>,
    /// The first password (created accounts only).
    pub password: Option<String>,
    /// `admin`, `editor`, `reviewer` or `inspector`.
    pub role: String,
    /// Division code prefixes the account works in.
    pub jurisdictions: Vec<String>,
    /// Whether the account is disabled (changes only).
    pub disabled: bool,
}

/// Role and jurisdictions checked together, each error naming its field.
fn checked_role(
    request: &AccountRequest,
    errors: &mut FieldErrors,
) -> Option<(Role, Vec<Jurisdiction>)> {
    let role = Role::parse(&request.role)
        .map_err(|e| errors.push("role", e.to_string()))
        .ok();
    let mut jurisdictions = Vec::with_capacity(request.jurisdictions.len());
    for (i, text) in request.jurisdictions.iter().enumerate() {
        match Jurisdiction::parse(text) {
            Ok(j) => jurisdictions.push(j),
            Err(e) => errors.push(format!("jurisdictions[{i}]"), format!("{text:?}: {e}")),
        }
    }
    let role = role?;
    if role != Role::Admin && request.jurisdictions.is_empty() {
        errors.push(
            "jurisdictions",
            format!(
                "{}: give the division code prefix(es) the account works in",
                AccountRuleError::EditorWithoutJurisdiction
            ),
        );
    }
    // Only a request without any error goes on: a bad prefix must not leave a narrower list.
    errors.is_empty().then_some((role, jurisdictions))
}

/// Hashing is deliberately slow: keep it off the async workers.
async fn hashed(password: NewPassword) -> Result<String, UserAdminError> {
    tokio::task::spawn_blocking(move || hash_password(password.expose()))
        .await
        .map_err(|_| UserAdminError::Worker)?
        .map_err(UserAdminError::from)
}

/// The accounts the administrator may manage: those inside their jurisdiction.
pub async fn list_users(
    state: &AppState,
    staff: &Staff,
) -> Result<Vec<UserRecord>, UserAdminError> {
    staff.actor.must_be_admin()?;
    let users = state.store.users().await?;
    Ok(users
        .into_iter()
        .filter(|u| staff.actor.may_manage_account(&u.jurisdictions).is_ok())
        .collect())
}

/// One account, if the administrator may manage it (else not found, like an unknown id).
pub async fn read_user(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<UserRecord, UserAdminError> {
    staff.actor.must_be_admin()?;
    match state.store.user(id).await? {
        Some(user) if staff.actor.may_manage_account(&user.jurisdictions).is_ok() => Ok(user),
        _ => Err(UserAdminError::NotFound(id)),
    }
}

/// Creates an account inside the administrator's jurisdiction.
pub async fn create_user(
    state: &AppState,
    staff: &Staff,
    request: AccountRequest,
) -> Result<UserRecord, UserAdminError> {
    staff.actor.must_be_admin()?;
    let mut errors = FieldErrors::default();
    let username = Username::parse(request.username.as_deref().unwrap_or_default())
        .map_err(|e| errors.push("username", e.to_string()))
        .ok();
    let password = NewPassword::parse(request.password.as_deref().unwrap_or_default())
        .map_err(|e| errors.push("password", e.to_string()))
        .ok();
    let role = checked_role(&request, &mut errors);
    let (Some(username), Some(password), Some((role, jurisdictions))) = (username, password, role)
    else {
        return Err(UserAdminError::Invalid(errors));
    };
    staff.actor.may_manage_account(&jurisdictions)?;
    let hash = hashed(password).await?;
    let id = state
        .store
        .create_user(&username, &hash, role, &jurisdictions, &staff.author())
        .await?;
    read_user(state, staff, id).await
}

/// Changes an account's role, jurisdictions and whether it is disabled, from version
/// `expected`; both its old and its new jurisdictions must lie inside the administrator's.
pub async fn change_user(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    request: AccountRequest,
) -> Result<UserRecord, UserAdminError> {
    let current = read_user(state, staff, id).await?;
    let mut errors = FieldErrors::default();
    let Some((role, jurisdictions)) = checked_role(&request, &mut errors) else {
        return Err(UserAdminError::Invalid(errors));
    };
    staff.actor.may_manage_account(&jurisdictions)?;
    if id == staff.actor.user_id && request.disabled {
        return Err(UserAdminError::OwnAccount("disable"));
    }
    if id == staff.actor.user_id && (role != current.role || jurisdictions != current.jurisdictions)
    {
        return Err(UserAdminError::OwnAccount(
            "change the role or jurisdictions of",
        ));
    }
    let change = UserChange {
        role,
        jurisdictions,
        disabled: request.disabled,
    };
    state
        .store
        .change_user(id, expected, &change, &staff.author())
        .await?;
    read_user(state, staff, id).await
}

/// Sets a new password for an account inside the administrator's jurisdiction, ending its
/// sessions.
pub async fn reset_password(
    state: &AppState,
    staff: &Staff,
    id: i64,
    password: &str,
) -> Result<UserRecord, UserAdminError> {
    read_user(state, staff, id).await?;
    let password = NewPassword::parse(password).map_err(|e| {
        let mut errors = FieldErrors::default();
        errors.push("password", e.to_string());
        UserAdminError::Invalid(errors)
    })?;
    let hash = hashed(password).await?;
    state
        .store
        .reset_password(id, &hash, &staff.author())
        .await?;
    read_user(state, staff, id).await
}
