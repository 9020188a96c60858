//! Division change events: proposing (with the reviewers the store records for visibility),
//! deciding once, and applying an approved event to the divisions and place records in one
//! transaction (a new code taking subdivisions, signs and jurisdictions along).

use super::{author, catalog, change, code, day, fresh, jiaxing, place};
use crate::domain::account::{Actor, Role, Username};
use crate::domain::division_code::Jurisdiction;
use crate::domain::division_event::plan::PlaceEffect;
use crate::domain::division_event::{
    CheckedEvent, DivisionState, EventApproval, EventKind, EventStatus, ProposedChange, may_see,
};
use crate::domain::sign::{PublicCode, SignInput, SignKind};
use crate::domain::version::ChangeAction;
use crate::store::audit::{AuditFilter, Author};
use crate::store::division_events::{ApplyError, Decision};
use crate::store::places::VersionSelector;
use crate::store::{Store, StoreError};

/// 西塘镇 takes the name 西塘古镇 on `effective_on`.
fn rename(effective_on: chrono::NaiveDate) -> (CheckedEvent, Vec<ProposedChange>) {
    let changes = vec![ProposedChange {
        code: Some("330421102".into()),
        becomes: Some(DivisionState {
            code: "330421102".into(),
            name: "西塘古镇".into(),
            kind: None,
            seat: None,
        }),
        merged_into: None,
        geometry: None,
    }];
    let checked = CheckedEvent::parse(EventKind::Rename, effective_on, "西塘镇更名", &changes)
        .expect("a well-formed rename");
    (checked, changes)
}

fn approval() -> EventApproval {
    EventApproval {
        authority: "浙江省人民政府".into(),
        approved_on: day(2026, 1, 10),
        document_number: "浙政函〔2026〕1号".into(),
    }
}

async fn user(store: &Store, name: &str, role: Role, jurisdictions: &[&str]) -> Actor {
    let jurisdictions: Vec<_> = jurisdictions
        .iter()
        .map(|j| Jurisdiction::parse(j).unwrap())
        .collect();
    store
        .create_user(
            &Username::parse(name).unwrap(),
            "hash",
            role,
            &jurisdictions,
            &author(),
        )
        .await
        .unwrap();
    store
        .account_by_username(name)
        .await
        .unwrap()
        .unwrap()
        .actor
}

fn as_author(actor: &Actor) -> Author {
    Author {
        user_id: Some(actor.user_id),
        username: actor.username.clone(),
        remote_addr: None,
    }
}

async fn actions(store: &Store, event: &str) -> Vec<String> {
    store
        .audit_entries(&AuditFilter {
            target_type: Some("division_event".into()),
            target_id: Some(event.into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn a_proposed_event_is_pending_and_names_its_reviewers() {
    let db = fresh().await;
    db.store
        .import_divisions(&jiaxing(), &author(), |_| {})
        .await
        .unwrap();
    let admin = user(&db.store, "admin", Role::Admin, &[]).await;
    let reviewer = user(&db.store, "reviewer", Role::Reviewer, &["3304"]).await;
    let editor = user(&db.store, "pinghu", Role::Editor, &["330482"]).await;
    let (checked, changes) = rename(day(2026, 3, 1));
    let id = db
        .store
        .propose_division_event(&checked, &changes, &[reviewer.user_id], &as_author(&admin))
        .await
        .unwrap();
    assert_eq!(id.len(), 16);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));

    let event = db.store.division_event(&id).await.unwrap().unwrap();
    assert_eq!(event.id, id);
    assert_eq!(event.status, EventStatus::Pending);
    assert_eq!(event.kind, EventKind::Rename);
    assert_eq!(event.effective_on, day(2026, 3, 1));
    assert_eq!(event.summary, "西塘镇更名");
    assert_eq!(event.changes, changes);
    assert_eq!(event.proposed_by, "admin");
    assert_eq!(event.reviewers, ["reviewer"]);
    assert_eq!(event.reviewer_ids, [reviewer.user_id]);
    assert!(event.approval.is_none() && event.decided_at.is_none() && event.applied_at.is_none());
    assert_eq!(event.checked().unwrap(), checked);
    assert!(
        db.store
            .division_event("0000000000000000")
            .await
            .unwrap()
            .is_none()
    );

    // Listed by the codes it touches, and not under others.
    let touching: Vec<_> = db
        .store
        .division_events(Some("330421102"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(touching, std::slice::from_ref(&id));
    assert!(
        db.store
            .division_events(Some("330482"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(db.store.division_events(None).await.unwrap().len(), 1);

    // While pending, who sees it follows from the reviewers the store returns.
    assert!(may_see(event.status, Some(&admin), &event.reviewer_ids));
    assert!(may_see(event.status, Some(&reviewer), &event.reviewer_ids));
    assert!(!may_see(event.status, Some(&editor), &event.reviewer_ids));
    assert!(!may_see(event.status, None, &event.reviewer_ids));
    assert_eq!(actions(&db.store, &id).await, ["division_event.propose"]);
    // Proposing changes no division.
    let now = db
        .store
        .division_as_of(&code("330421102"), day(2026, 6, 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.name, "西塘镇");
}

#[tokio::test]
async fn a_decision_is_recorded_once() {
    let db = fresh().await;
    db.store
        .import_divisions(&jiaxing(), &author(), |_| {})
        .await
        .unwrap();
    let admin = as_author(&user(&db.store, "admin", Role::Admin, &[]).await);
    let (checked, changes) = rename(day(2026, 3, 1));
    let approved = db
        .store
        .propose_division_event(&checked, &changes, &[], &admin)
        .await
        .unwrap();
    db.store
        .decide_division_event(&approved, &Decision::Approve(approval()), &admin)
        .await
        .unwrap();
    let again = db
        .store
        .decide_division_event(&approved, &Decision::Reject("重复".into()), &admin)
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists(_))),
        "{again:?}"
    );
    let event = db.store.division_event(&approved).await.unwrap().unwrap();
    assert_eq!(event.status, EventStatus::Approved);
    assert_eq!(event.approval, Some(approval()));
    assert_eq!(event.decided_by.as_deref(), Some("admin"));
    assert!(event.decided_at.is_some());
    assert_eq!(event.decision_comment, None);
    assert_eq!(
        actions(&db.store, &approved).await,
        ["division_event.approve", "division_event.propose"]
    );

    let rejected = db
        .store
        .propose_division_event(&checked, &changes, &[], &admin)
        .await
        .unwrap();
    db.store
        .decide_division_event(&rejected, &Decision::Reject("名称不规范".into()), &admin)
        .await
        .unwrap();
    let late_approval = db
        .store
        .decide_division_event(&rejected, &Decision::Approve(approval()), &admin)
        .await;
    assert!(matches!(late_approval, Err(StoreError::AlreadyExists(_))));
    let event = db.store.division_event(&rejected).await.unwrap().unwrap();
    assert_eq!(event.status, EventStatus::Rejected);
    assert_eq!(event.decision_comment.as_deref(), Some("名称不规范"));
    assert_eq!(event.approval, None);

    let unknown = db
        .store
        .decide_division_event("ffffffffffffffff", &Decision::Approve(approval()), &admin)
        .await;
    assert!(unknown.is_err());
}

#[tokio::test]
async fn an_applied_event_changes_the_divisions_from_its_day_and_its_place_records() {
    let db = fresh().await;
    let author = author();
    db.store
        .import_divisions(&jiaxing(), &author, |_| {})
        .await
        .unwrap();
    let catalog = catalog(&db.store).await;
    let town = db
        .store
        .create_place(
            &place(&catalog, "西塘镇", "214", &["330421102"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();
    let effective = day(2026, 3, 1);
    let (checked, changes) = rename(effective);
    let id = db
        .store
        .propose_division_event(&checked, &changes, &[], &author)
        .await
        .unwrap();
    // Not due before it is approved.
    assert!(
        db.store
            .due_division_events(effective)
            .await
            .unwrap()
            .is_empty()
    );
    db.store
        .decide_division_event(&id, &Decision::Approve(approval()), &author)
        .await
        .unwrap();
    assert!(
        db.store
            .due_division_events(day(2026, 2, 28))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.store.due_division_events(effective).await.unwrap(),
        std::slice::from_ref(&id)
    );
    assert_eq!(
        db.store.division_event_fits(&checked).await.unwrap(),
        Ok(())
    );

    let effects = [PlaceEffect::Append {
        id: town.id,
        expected_version: 1,
        place: place(&catalog, "西塘古镇", "214", &["330421102"]),
    }];
    let applying = change(&author, ChangeAction::Updated, effective);
    db.store
        .apply_division_event(&id, &checked, &effects, &applying)
        .await
        .unwrap();

    let event = db.store.division_event(&id).await.unwrap().unwrap();
    assert_eq!(event.status, EventStatus::Applied);
    assert!(event.applied_at.is_some());
    assert!(
        db.store
            .due_division_events(effective)
            .await
            .unwrap()
            .is_empty()
    );
    let name_on = |on| {
        let store = db.store.clone();
        async move {
            store
                .division_as_of(&code("330421102"), on)
                .await
                .unwrap()
                .map(|d| d.name)
        }
    };
    assert_eq!(name_on(day(2026, 2, 28)).await.as_deref(), Some("西塘镇"));
    assert_eq!(name_on(effective).await.as_deref(), Some("西塘古镇"));
    let states = db.store.division_states(&code("330421102")).await.unwrap();
    let periods: Vec<_> = states
        .iter()
        .map(|s| (s.name.as_str(), s.valid_from, s.valid_to))
        .collect();
    assert_eq!(
        periods,
        [
            ("西塘镇", None, Some(effective)),
            ("西塘古镇", Some(effective), None)
        ]
    );
    let record = db
        .store
        .place(town.id, VersionSelector::Current, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.current_version, 2);
    assert_eq!(record.properties.standard_name, "西塘古镇");
    assert_eq!(record.meta.effective_on, effective);
    assert_eq!(
        actions(&db.store, &id).await,
        [
            "division_event.apply",
            "division_event.approve",
            "division_event.propose"
        ]
    );

    // The table predates the event: importing it again leaves the event's state.
    let import = db
        .store
        .import_divisions(&jiaxing(), &author, |_| {})
        .await
        .unwrap();
    assert_eq!((import.kept_by_events, import.renamed), (1, 0));
    assert_eq!(name_on(effective).await.as_deref(), Some("西塘古镇"));

    let twice = db
        .store
        .apply_division_event(&id, &checked, &effects, &applying)
        .await;
    assert!(
        matches!(twice, Err(ApplyError::NotApproved("applied"))),
        "{twice:?}"
    );
}

#[tokio::test]
async fn an_event_that_cannot_be_applied_changes_nothing() {
    let db = fresh().await;
    let author = author();
    db.store
        .import_divisions(&jiaxing(), &author, |_| {})
        .await
        .unwrap();
    let catalog = catalog(&db.store).await;
    let town = db
        .store
        .create_place(
            &place(&catalog, "西塘镇", "214", &["330421102"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();
    let effective = day(2026, 3, 1);
    let (checked, changes) = rename(effective);
    let applying = change(&author, ChangeAction::Updated, effective);

    let pending = db
        .store
        .propose_division_event(&checked, &changes, &[], &author)
        .await
        .unwrap();
    let early = db
        .store
        .apply_division_event(&pending, &checked, &[], &applying)
        .await;
    assert!(
        matches!(early, Err(ApplyError::NotApproved("pending"))),
        "{early:?}"
    );
    let unknown = db
        .store
        .apply_division_event("0123456789abcdef", &checked, &[], &applying)
        .await;
    assert!(
        matches!(unknown, Err(ApplyError::Store(StoreError::NotFound))),
        "{unknown:?}"
    );

    // A place effect built from a version that has moved on refuses the whole event.
    db.store
        .decide_division_event(&pending, &Decision::Approve(approval()), &author)
        .await
        .unwrap();
    let stale = [PlaceEffect::Append {
        id: town.id,
        expected_version: 7,
        place: place(&catalog, "西塘古镇", "214", &["330421102"]),
    }];
    let refused = db
        .store
        .apply_division_event(&pending, &checked, &stale, &applying)
        .await;
    assert!(
        matches!(
            refused,
            Err(ApplyError::Store(StoreError::StaleVersion {
                expected: 7,
                current: 1
            }))
        ),
        "{refused:?}"
    );
    let event = db.store.division_event(&pending).await.unwrap().unwrap();
    assert_eq!(event.status, EventStatus::Approved);
    let town_now = db
        .store
        .division_as_of(&code("330421102"), day(2026, 6, 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(town_now.name, "西塘镇");
    assert_eq!(
        db.store.place_history(town.id, false).await.unwrap().len(),
        1
    );

    // Once another event has given the name, this one no longer fits.
    let (other, other_changes) = rename(day(2026, 2, 1));
    let first = db
        .store
        .propose_division_event(&other, &other_changes, &[], &author)
        .await
        .unwrap();
    db.store
        .decide_division_event(&first, &Decision::Approve(approval()), &author)
        .await
        .unwrap();
    db.store
        .apply_division_event(
            &first,
            &other,
            &[],
            &change(&author, ChangeAction::Updated, day(2026, 2, 1)),
        )
        .await
        .unwrap();
    let fits = db.store.division_event_fits(&checked).await.unwrap();
    assert!(fits.is_err());
    let late = db
        .store
        .apply_division_event(&pending, &checked, &[], &applying)
        .await;
    match late {
        Err(ApplyError::NoLongerFits(errors)) => {
            assert_eq!(errors.as_slice()[0].field, "changes[0].becomes.name")
        }
        other => panic!("{other:?}"),
    }
    let event = db.store.division_event(&pending).await.unwrap().unwrap();
    assert_eq!(event.status, EventStatus::Approved);
    assert_eq!(event.applied_at, None);
}

#[tokio::test]
async fn an_event_on_an_unknown_division_does_not_fit() {
    let db = fresh().await;
    db.store
        .import_divisions(&jiaxing(), &author(), |_| {})
        .await
        .unwrap();
    let changes = vec![ProposedChange {
        code: Some("330402".into()),
        becomes: Some(DivisionState {
            code: "330402".into(),
            name: "南湖新区".into(),
            kind: None,
            seat: None,
        }),
        merged_into: None,
        geometry: None,
    }];
    let checked =
        CheckedEvent::parse(EventKind::Rename, day(2026, 3, 1), "南湖区更名", &changes).unwrap();
    let errors = db
        .store
        .division_event_fits(&checked)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(errors.as_slice()[0].field, "changes[0].code");
}

#[tokio::test]
async fn a_new_code_takes_subdivisions_signs_and_jurisdictions_along() {
    let db = fresh().await;
    let author = author();
    db.store
        .import_divisions(&jiaxing(), &author, |_| {})
        .await
        .unwrap();
    let editor = user(&db.store, "jiashan", Role::Editor, &["330421"]).await;
    let catalog = catalog(&db.store).await;
    let village = db
        .store
        .create_place(
            &place(&catalog, "洪溪村", "222", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();
    let sign = SignInput {
        place_id: village.id,
        kind: SignKind::Village,
        sign_number: None,
        address: None,
        position: None,
        facing_deg: None,
        material: None,
        width_mm: None,
        height_mm: None,
        installed_on: None,
        status: None,
    };
    let sign = db
        .store
        .create_sign(
            &sign,
            "330421101",
            || PublicCode::from_random([9, 8, 7, 6, 5]),
            &author,
        )
        .await
        .unwrap();

    // 撤县设市: 嘉善县 (330421) becomes 嘉善市 under the new code 330483.
    let effective = day(2026, 3, 1);
    let changes = vec![ProposedChange {
        code: Some("330421".into()),
        becomes: Some(DivisionState {
            code: "330483".into(),
            name: "嘉善市".into(),
            kind: Some("县级市".into()),
            seat: None,
        }),
        merged_into: None,
        geometry: None,
    }];
    let checked =
        CheckedEvent::parse(EventKind::ChangeKind, effective, "嘉善县撤县设市", &changes).unwrap();
    let id = db
        .store
        .propose_division_event(&checked, &changes, &[], &author)
        .await
        .unwrap();
    db.store
        .decide_division_event(&id, &Decision::Approve(approval()), &author)
        .await
        .unwrap();
    db.store
        .apply_division_event(
            &id,
            &checked,
            &[],
            &change(&author, ChangeAction::Updated, effective),
        )
        .await
        .unwrap();

    let city = db
        .store
        .division_as_of(&code("330483"), effective)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(city.name, "嘉善市");
    assert_eq!(city.kind.as_deref(), Some("县级市"));
    assert_eq!(city.lineage, "330421", "the same division under a new code");
    assert!(
        db.store
            .division_as_of(&code("330421"), effective)
            .await
            .unwrap()
            .is_none()
    );
    let before = db
        .store
        .division_as_of(&code("330421"), day(2026, 2, 28))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.name, "嘉善县");
    let town = db
        .store
        .division_as_of(&code("330483101"), effective)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(town.name, "魏塘街道");
    assert_eq!(town.parent_code.as_deref(), Some("330483"));
    let states: Vec<_> = db
        .store
        .division_states(&code("330483"))
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.code, s.valid_to))
        .collect();
    assert_eq!(
        states,
        [("330421".into(), Some(effective)), ("330483".into(), None)]
    );
    // Listed under its old and its new codes.
    assert_eq!(
        db.store
            .division_events(Some("330483"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        db.store
            .division_events(Some("330421101"))
            .await
            .unwrap()
            .len(),
        1
    );

    // The sign follows its division, and its version moves on so an older edit is stale.
    let moved = db.store.sign(sign.id).await.unwrap().unwrap();
    assert_eq!(moved.division_code, "330483101");
    assert_eq!(moved.version, 2);
    let account = db
        .store
        .account_by_username(&editor.username)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.actor.jurisdictions[0].as_str(), "330483");
}
