//! Staff accounts, their jurisdictions, login sessions and failed-login lockout.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::Row;

use super::audit::{Author, append};
use super::{Store, StoreError, StoreResult, expect_version, instant_text, parse_instant};
use crate::domain::account::{Actor, Role, Username};
use crate::domain::division_code::Jurisdiction;

/// A stored account, with what login needs.
#[derive(Debug, Clone)]
pub struct Account {
    pub actor: Actor,
    pub password_hash: String,
    pub disabled: bool,
}

/// When repeated failures lock a username, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_for: Duration::minutes(15),
        }
    }
}

impl Store {
    pub async fn create_user(
        &self,
        username: &Username,
        password_hash: &str,
        role: Role,
        jurisdictions: &[Jurisdiction],
        author: &Author,
    ) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT(username) DO NOTHING RETURNING id",
        )
        .bind(username.as_str())
        .bind(password_hash)
        .bind(role.as_str())
        .bind(instant_text(Utc::now()))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::AlreadyExists(format!("user {}", username.as_str())))?;
        for jurisdiction in jurisdictions {
            sqlx::query("INSERT INTO user_jurisdictions (user_id, prefix) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(jurisdiction.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let detail = json!({ "username": username.as_str(), "role": role.as_str(), "jurisdictions": jurisdictions });
        append(
            &mut tx,
            author,
            "user.create",
            "user",
            Some(&id.to_string()),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn account_by_username(&self, username: &str) -> StoreResult<Option<Account>> {
        let row = sqlx::query(
            "SELECT id, username, password_hash, role, disabled FROM users WHERE username = ?",
        )
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let role: &str = row.get("role");
        let id: i64 = row.get("id");
        Ok(Some(Account {
            actor: Actor {
                user_id: id,
                username: row.get("username"),
                role: Role::parse(role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                jurisdictions: self.jurisdictions_of(id).await?,
            },
            password_hash: row.get("password_hash"),
            disabled: row.get::<i64, _>("disabled") != 0,
        }))
    }

    async fn jurisdictions_of(&self, user_id: i64) -> StoreResult<Vec<Jurisdiction>> {
        let prefixes: Vec<String> = sqlx::query_scalar(
            "SELECT prefix FROM user_jurisdictions WHERE user_id = ? ORDER BY prefix",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        prefixes
            .iter()
            .map(|p| {
                Jurisdiction::parse(p)
                    .map_err(|e| StoreError::Corrupt(format!("jurisdiction {p:?}: {e}")))
            })
            .collect()
    }

    /// Until when `username` is locked out, if it is now.
    pub async fn locked_until(
        &self,
        username: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let locked: Option<Option<String>> =
            sqlx::query_scalar("SELECT locked_until FROM login_failures WHERE username = ?")
                .bind(username)
                .fetch_optional(self.pool())
                .await?;
        match locked.flatten() {
            Some(text) => {
                let until = parse_instant(&text)?;
                Ok((until > now).then_some(until))
            }
            None => Ok(None),
        }
    }

    /// Counts a failed login; returns the lock's end when this failure locks the username.
    pub async fn record_login_failure(
        &self,
        username: &str,
        now: DateTime<Utc>,
        policy: LockoutPolicy,
        author: &Author,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let mut tx = self.begin_write().await?;
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (username, failures, last_failure_at) VALUES (?1, 1, ?2)
             ON CONFLICT(username) DO UPDATE SET failures = failures + 1, last_failure_at = ?2
             RETURNING failures",
        )
        .bind(username)
        .bind(instant_text(now))
        .fetch_one(&mut *tx)
        .await?;
        let lock = (failures >= policy.max_failures).then(|| now + policy.lock_for);
        if let Some(until) = lock {
            // The count starts again after the lock, so each further run of failures locks anew.
            sqlx::query(
                "UPDATE login_failures SET failures = 0, locked_until = ? WHERE username = ?",
            )
            .bind(instant_text(until))
            .bind(username)
            .execute(&mut *tx)
            .await?;
        }
        let detail = json!({ "username": username, "locked_until": lock });
        append(&mut tx, author, "auth.login_failed", "user", None, detail).await?;
        tx.commit().await?;
        Ok(lock)
    }

    /// Opens a session after a successful login and forgets earlier failures.
    pub async fn open_session(
        &self,
        actor: &Actor,
        token_digest: &str,
        expires_at: DateTime<Utc>,
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE username = ?")
            .bind(&actor.username)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_digest)
            .bind(actor.user_id)
            .bind(instant_text(Utc::now()))
            .bind(instant_text(expires_at))
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            author,
            "auth.login",
            "user",
            Some(&actor.user_id.to_string()),
            json!({ "expires_at": expires_at }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user of a live session (not expired, not revoked, account enabled).
    pub async fn session_actor(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Actor>> {
        let username: Option<String> = sqlx::query_scalar(
            "SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.disabled = 0",
        )
        .bind(token_digest)
        .bind(instant_text(now))
        .fetch_optional(self.pool())
        .await?;
        match username {
            Some(username) => Ok(self.account_by_username(&username).await?.map(|a| a.actor)),
            None => Ok(None),
        }
    }

    pub async fn revoke_session(&self, token_digest: &str, author: &Author) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        )
        .bind(instant_text(Utc::now()))
        .bind(token_digest)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            author,
            "auth.logout",
            "user",
            author.user_id.map(|id| id.to_string()).as_deref(),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// An account as administrators see it: never its password hash.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub role: Role,
    #[schema(value_type = Vec<String>)]
    pub jurisdictions: Vec<Jurisdiction>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// What an administrator changes of an account.
#[derive(Debug, Clone)]
pub struct UserChange {
    pub role: Role,
    pub jurisdictions: Vec<Jurisdiction>,
    pub disabled: bool,
}

impl Store {
    async fn user_from_row(&self, row: sqlx::sqlite::SqliteRow) -> StoreResult<UserRecord> {
        let id: i64 = row.get("id");
        let role: &str = row.get("role");
        Ok(UserRecord {
            id,
            username: row.get("username"),
            role: Role::parse(role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            jurisdictions: self.jurisdictions_of(id).await?,
            disabled: row.get::<i64, _>("disabled") != 0,
            created_at: parse_instant(row.get("created_at"))?,
            version: row.get("version"),
        })
    }

    /// Every account, by username.
    pub async fn users(&self) -> StoreResult<Vec<UserRecord>> {
        let rows = sqlx::query(
            "SELECT id, username, role, disabled, created_at, version FROM users ORDER BY username",
        )
        .fetch_all(self.pool())
        .await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            users.push(self.user_from_row(row).await?);
        }
        Ok(users)
    }

    /// One account by id.
    pub async fn user(&self, id: i64) -> StoreResult<Option<UserRecord>> {
        let row = sqlx::query(
            "SELECT id, username, role, disabled, created_at, version FROM users WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => Ok(Some(self.user_from_row(row).await?)),
            None => Ok(None),
        }
    }

    /// Changes an account's role, jurisdictions and whether it is disabled, if it is still at
    /// version `expected`; disabling it ends its sessions. One transaction, audited.
    pub async fn change_user(
        &self,
        id: i64,
        expected: i64,
        change: &UserChange,
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let current: Option<i64> = sqlx::query_scalar("SELECT version FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let current = current.ok_or(StoreError::NotFound)?;
        expect_version(expected, current)?;
        sqlx::query("UPDATE users SET role = ?, disabled = ?, version = version + 1 WHERE id = ?")
            .bind(change.role.as_str())
            .bind(i64::from(change.disabled))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM user_jurisdictions WHERE user_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for jurisdiction in &change.jurisdictions {
            sqlx::query("INSERT INTO user_jurisdictions (user_id, prefix) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(jurisdiction.as_str())
                .execute(&mut *tx)
                .await?;
        }
        if change.disabled {
            revoke_sessions_of(&mut tx, id).await?;
        }
        let detail = json!({
            "role": change.role.as_str(),
            "jurisdictions": change.jurisdictions,
            "disabled": change.disabled,
            "version": expected + 1,
        });
        append(
            &mut tx,
            author,
            "user.change",
            "user",
            Some(&id.to_string()),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password for an account and ends its sessions (whoever held the old one is
    /// signed out). One transaction, audited without the password.
    pub async fn reset_password(
        &self,
        id: i64,
        password_hash: &str,
        author: &Author,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed =
            sqlx::query("UPDATE users SET password_hash = ?, version = version + 1 WHERE id = ?")
                .bind(password_hash)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        revoke_sessions_of(&mut tx, id).await?;
        append(
            &mut tx,
            author,
            "user.reset_password",
            "user",
            Some(&id.to_string()),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn revoke_sessions_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    user_id: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
        .bind(instant_text(Utc::now()))
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
