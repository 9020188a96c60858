//! Inspection rounds: a batch of findings sent twice stores them once, a finding changed since
//! the sender saw it is a conflict, a round's state gates every write, a change of the content
//! voids an earlier signature, and the second signature locks the round and moves a marker in
//! the register keeping its old position.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{author, fresh};
use crate::domain::account::{Role, Username};
use crate::domain::inspection::{RoundState, TaskAction};
use crate::domain::inspection_finding::{Finding, FoundCondition, Inscription};
use crate::domain::inspection_records::tests::sample_round;
use crate::domain::inspection_records::{Member, MemberRole, NewPosition};
use crate::domain::marker::MarkerId;
use crate::store::inspections::{
    FindingOutcome, NewFinding, NewRound, NewTask, RegisterChange, SignOutcome,
};
use crate::store::markers::NewMarker;
use crate::store::{Store, StoreError};

const M1: &str = "330421330482001Q";

fn finding(condition: FoundCondition) -> Finding {
    Finding {
        observed_on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        condition: Some(condition),
        inscription: Some(Inscription::Legible),
        position: None,
        references: vec![],
        line_identifiable: None,
        changes: vec![],
        photo_ids: vec![],
        notes: None,
        present: BTreeMap::new(),
    }
}

fn item(client_id: &str, base_version: i64, condition: FoundCondition) -> NewFinding {
    NewFinding {
        subject: M1.into(),
        base_version,
        finding: finding(condition),
        client_id: Some(client_id.into()),
        captured_at: None,
    }
}

async fn opened(store: &Store) -> i64 {
    let basis = sample_round(2).basis;
    let mut members = Vec::new();
    for (name, side, role) in [
        ("ph.inspector", "330482", MemberRole::Inspector),
        ("js.signer", "330421", MemberRole::Signer),
    ] {
        let id = store
            .create_user(
                &Username::parse(name).unwrap(),
                "x",
                Role::Inspector,
                &[],
                &author(),
            )
            .await
            .unwrap();
        members.push(Member {
            user_id: id,
            username: name.into(),
            side: side.into(),
            role,
        });
    }
    let round = NewRound {
        line_code: "330421330482",
        lead_side: "330482",
        cooperating_side: "330421",
        number: Some(7),
        adhoc_cause: None,
        planned_start: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        planned_end: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        tolerance_m: 1.0,
        basis: &basis,
        previous_round_id: None,
        members: &members,
    };
    store
        .open_inspection_round(&round, &author())
        .await
        .unwrap()
}

async fn move_to(store: &Store, id: i64, to: RoundState) {
    let version = store.inspection_round(id).await.unwrap().unwrap().version;
    store
        .move_inspection_round(id, version, to, None, &author())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_batch_sent_twice_is_stored_once_and_a_stale_base_is_a_conflict() {
    let fresh = fresh().await;
    let store = &fresh.store;
    let id = opened(store).await;
    assert!(id > 1 << 32, "a random id: {id}");
    let takes = [RoundState::FieldWork];
    let batch = [item("dev-1", 0, FoundCondition::Intact)];
    // Planned: the state takes no findings; nothing is stored.
    let refused = store
        .record_findings(id, "330482", &batch, &takes, &author())
        .await
        .unwrap();
    assert_eq!(refused, Err(RoundState::Planned));
    move_to(store, id, RoundState::OfficeReview).await;
    move_to(store, id, RoundState::FieldWork).await;
    for expected in [FindingOutcome::Recorded(1), FindingOutcome::Unchanged(1)] {
        let outcomes = store
            .record_findings(id, "330482", &batch, &takes, &author())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(outcomes, [expected]);
    }
    // Another device that saw no finding yet; the id of the first for other content.
    let outcomes = store
        .record_findings(
            id,
            "330482",
            &[
                item("dev-2", 0, FoundCondition::Tilted),
                item("dev-1", 0, FoundCondition::Tilted),
            ],
            &takes,
            &author(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        outcomes,
        [
            FindingOutcome::Conflict { current: 1 },
            FindingOutcome::ClientIdTaken
        ]
    );
    let records = store.inspection_records(id).await.unwrap().unwrap();
    assert_eq!(records.findings.len(), 1);
    assert_eq!(
        records.findings[0].finding.condition,
        Some(FoundCondition::Intact)
    );
    // The other side's finding of the same marker is its own line of versions.
    let other = store
        .record_findings(
            id,
            "330421",
            &[item("dev-1", 0, FoundCondition::Intact)],
            &takes,
            &author(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other, [FindingOutcome::Recorded(1)]);
}

#[tokio::test]
async fn a_change_before_the_second_signature_voids_the_first_and_both_lock_the_round() {
    let fresh = fresh().await;
    let store = &fresh.store;
    store
        .import_markers(
            &[NewMarker {
                number: M1.parse::<MarkerId>().unwrap(),
                lon: 120.9,
                lat: 30.8,
                surveyed: (120.9, 30.8),
                surveyed_crs: "EPSG:4490".into(),
                material: None,
                installed_on: None,
                references: vec![],
            }],
            &author(),
        )
        .await
        .unwrap();
    let id = opened(store).await;
    for to in [
        RoundState::OfficeReview,
        RoundState::FieldWork,
        RoundState::Reconciliation,
        RoundState::Signing,
    ] {
        move_to(store, id, to).await;
    }
    let moved_to = NewPosition {
        lon: 120.90001,
        lat: 30.8,
        crs: "EPSG:4490".into(),
        x: 120.90001,
        y: 30.8,
    };
    let register = [RegisterChange::Move {
        number: M1.into(),
        position: moved_to.clone(),
    }];
    let content = store
        .inspection_round(id)
        .await
        .unwrap()
        .unwrap()
        .content_version;
    let first = store
        .sign_inspection_report(id, "330482", 1, "aaa", content, &register, &author())
        .await
        .unwrap();
    assert_eq!(first, Ok(SignOutcome { complete: false }));
    // A task recorded in signing changes the content: the first signature is void.
    store
        .create_inspection_task(
            id,
            &NewTask {
                marker_number: M1.into(),
                action: TaskAction::Move,
                side: "330482".into(),
                reason: None,
                new_position: Some(moved_to),
            },
            &[RoundState::Signing],
            &author(),
        )
        .await
        .unwrap()
        .unwrap();
    let signatures = store.inspection_signatures(id).await.unwrap();
    assert!(signatures[0].voided_at.is_some());
    // Signing what was read before the change is stale.
    let stale = store
        .sign_inspection_report(id, "330421", 2, "aaa", content, &register, &author())
        .await;
    assert!(
        matches!(stale, Err(StoreError::StaleVersion { .. })),
        "{stale:?}"
    );
    let content = store
        .inspection_round(id)
        .await
        .unwrap()
        .unwrap()
        .content_version;
    for (side, complete) in [("330421", false), ("330482", true)] {
        let outcome = store
            .sign_inspection_report(id, side, 2, "bbb", content, &register, &author())
            .await
            .unwrap();
        assert_eq!(outcome, Ok(SignOutcome { complete }));
    }
    let round = store.inspection_round(id).await.unwrap().unwrap();
    assert_eq!(round.state, RoundState::Signed);
    assert_eq!(round.signed_hash.as_deref(), Some("bbb"));
    let positions = store.marker_positions(M1).await.unwrap();
    assert_eq!(positions.len(), 2, "the old position is kept");
    assert_eq!((positions[0].1, positions[0].3), (120.9, None));
    assert_eq!((positions[1].1, positions[1].3), (120.90001, Some(id)));
    assert_eq!(store.marker(M1).await.unwrap().unwrap().lon, 120.90001);
    // Locked: nothing more is taken.
    let locked = store
        .record_findings(
            id,
            "330482",
            &[item("late", 0, FoundCondition::Intact)],
            &RoundState::taking(crate::domain::inspection::RecordKind::Finding),
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(locked, Err(RoundState::Signed));
}
