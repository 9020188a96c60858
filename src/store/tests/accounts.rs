//! Staff accounts: creation, sessions by token digest, their expiry and revocation, and the
//! lockout after repeated failed logins.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{author, fresh};
use crate::domain::account::{Role, Username};
use crate::domain::division_code::Jurisdiction;
use crate::store::StoreError;
use crate::store::accounts::LockoutPolicy;
use crate::store::audit::AuditFilter;

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap()
}

fn jurisdictions(prefixes: &[&str]) -> Vec<Jurisdiction> {
    prefixes
        .iter()
        .map(|p| Jurisdiction::parse(p).unwrap())
        .collect()
}

#[tokio::test]
async fn a_created_user_is_read_back_with_role_and_jurisdictions() {
    let db = fresh().await;
    let author = author();
    let name = Username::parse("jiashan").unwrap();
    let id = db
        .store
        .create_user(
            &name,
            "hash-of-a-password",
            Role::Editor,
            &jurisdictions(&["330482", "330421", "330421"]),
            &author,
        )
        .await
        .unwrap();
    let account = db
        .store
        .account_by_username("jiashan")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.actor.user_id, id);
    assert_eq!(account.actor.username, "jiashan");
    assert_eq!(account.actor.role, Role::Editor);
    // Stored once each, read in order.
    assert_eq!(
        account.actor.jurisdictions,
        jurisdictions(&["330421", "330482"])
    );
    assert_eq!(account.password_hash, "hash-of-a-password");
    assert!(!account.disabled);
    assert!(
        db.store
            .account_by_username("pinghu")
            .await
            .unwrap()
            .is_none()
    );

    let again = db
        .store
        .create_user(&name, "other", Role::Admin, &[], &author)
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists(_))),
        "{again:?}"
    );
    let account = db
        .store
        .account_by_username("jiashan")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.actor.role, Role::Editor);

    let created = db
        .store
        .audit_entries(&AuditFilter {
            target_type: Some("user".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].action, "user.create");
    assert_eq!(
        created[0].target_id.as_deref(),
        Some(id.to_string().as_str())
    );
}

#[tokio::test]
async fn a_session_digest_resolves_to_its_actor_until_it_expires_or_is_revoked() {
    let db = fresh().await;
    let author = author();
    db.store
        .create_user(
            &Username::parse("reviewer").unwrap(),
            "hash",
            Role::Reviewer,
            &jurisdictions(&["3304"]),
            &author,
        )
        .await
        .unwrap();
    let actor = db
        .store
        .account_by_username("reviewer")
        .await
        .unwrap()
        .unwrap()
        .actor;
    let expires = noon() + Duration::hours(8);
    db.store
        .open_session(&actor, "digest-1", expires, &author)
        .await
        .unwrap();

    let found = db.store.session_actor("digest-1", noon()).await.unwrap();
    assert_eq!(found.as_ref(), Some(&actor));
    assert_eq!(found.unwrap().jurisdictions, jurisdictions(&["3304"]));
    assert!(
        db.store
            .session_actor("digest-2", noon())
            .await
            .unwrap()
            .is_none()
    );
    // Live up to its end, not at it.
    let just_before = expires - Duration::seconds(1);
    assert!(
        db.store
            .session_actor("digest-1", just_before)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        db.store
            .session_actor("digest-1", expires)
            .await
            .unwrap()
            .is_none()
    );

    db.store.revoke_session("digest-1", &author).await.unwrap();
    assert!(
        db.store
            .session_actor("digest-1", noon())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn repeated_failures_lock_a_username_for_the_policy_s_time() {
    let db = fresh().await;
    let author = author();
    let policy = LockoutPolicy {
        max_failures: 3,
        lock_for: Duration::minutes(15),
    };
    let now = noon();
    assert_eq!(db.store.locked_until("pinghu", now).await.unwrap(), None);
    for attempt in 0..2 {
        let at = now + Duration::seconds(attempt);
        let lock = db
            .store
            .record_login_failure("pinghu", at, policy, &author)
            .await
            .unwrap();
        assert_eq!(lock, None, "failure {attempt} locks too early");
    }
    let third = now + Duration::seconds(2);
    let lock = db
        .store
        .record_login_failure("pinghu", third, policy, &author)
        .await
        .unwrap();
    let until = third + Duration::minutes(15);
    assert_eq!(lock, Some(until));
    assert_eq!(
        db.store
            .locked_until("pinghu", third + Duration::minutes(1))
            .await
            .unwrap(),
        Some(until)
    );
    assert_eq!(db.store.locked_until("pinghu", until).await.unwrap(), None);
    // Another username is not touched.
    assert_eq!(db.store.locked_until("jiashan", third).await.unwrap(), None);

    // The count starts again after a lock: the next failure does not lock by itself.
    let later = until + Duration::minutes(1);
    let next = db
        .store
        .record_login_failure("pinghu", later, policy, &author)
        .await
        .unwrap();
    assert_eq!(next, None);

    let failures = db
        .store
        .audit_entries(&AuditFilter {
            username: Some("store-test".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(failures.len(), 4);
    assert!(failures.iter().all(|e| e.action == "auth.login_failed"));
    assert!(failures[1].detail.as_ref().unwrap()["locked_until"].is_string());
    assert!(failures[0].detail.as_ref().unwrap()["locked_until"].is_null());
}

#[tokio::test]
async fn a_successful_login_forgets_earlier_failures() {
    let db = fresh().await;
    let author = author();
    let policy = LockoutPolicy {
        max_failures: 3,
        lock_for: Duration::minutes(15),
    };
    db.store
        .create_user(
            &Username::parse("pinghu").unwrap(),
            "hash",
            Role::Editor,
            &[],
            &author,
        )
        .await
        .unwrap();
    let actor = db
        .store
        .account_by_username("pinghu")
        .await
        .unwrap()
        .unwrap()
        .actor;
    let now = noon();
    for _ in 0..2 {
        db.store
            .record_login_failure("pinghu", now, policy, &author)
            .await
            .unwrap();
    }
    db.store
        .open_session(&actor, "digest", now + Duration::hours(1), &author)
        .await
        .unwrap();
    for _ in 0..2 {
        let lock = db
            .store
            .record_login_failure("pinghu", now, policy, &author)
            .await
            .unwrap();
        assert_eq!(lock, None);
    }
    let third = db
        .store
        .record_login_failure("pinghu", now, policy, &author)
        .await
        .unwrap();
    assert!(third.is_some());
}
