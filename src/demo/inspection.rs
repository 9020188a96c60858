//! The demo's joint inspection of the 嘉善县 | 平湖市 line, written through the same use cases as
//! the API: the line recorded with a sample agreement and segment leads, eight **sample**
//! markers placed along the border the two counties' demo polygons share (not survey results:
//! no public marker table exists for the demo area, see data/SOURCES.md), accounts for each
//! side's inspector and signer, and one round in reconciliation with findings by both sides —
//! agreements, a difference settled by acceptance, one difference under discussion, a dispute
//! with red and blue claims, and tasks.

use chrono::NaiveDate;
use geo::{Euclidean, InterpolatableLine, Point};
use serde_json::json;

use super::{DEMO_PASSWORD, DemoError};
use crate::app::boundaries::{self, LineInput};
use crate::app::inspections::discussion::{self, DisputeInput};
use crate::app::inspections::findings::{self, BatchItem, Submission};
use crate::app::inspections::rounds::{self, OpenInput, TeamInput};
use crate::app::inspections::tasks::{self, TaskInput};
use crate::app::markers::{self, Inspection, MarkerRow, System};
use crate::app::{AppState, Staff};
use crate::domain::account::{Role, Username};
use crate::domain::boundary_line::{Agreement, LineCode, SegmentLead};
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::inspection::{RoundState, TaskAction};
use crate::domain::inspection_finding::{
    ChangeKind, FindingInput, FoundCondition, GroundChange, Inscription, PositionInput,
    ReferenceCheck,
};
use crate::domain::marker::{MarkerCondition, ReferenceObject};
use crate::security::hash_password;
use crate::store::StoreError;
use crate::store::audit::Author;

/// 嘉善县: the lead side of the demo round, red on the claim map (the smaller code).
pub const JIASHAN: &str = "330421";
/// 平湖市.
pub const PINGHU: &str = "330482";
/// The demo line.
pub const LINE: &str = "330421330482";
/// How many sample markers the demo places.
pub const SAMPLE_MARKERS: usize = 8;

/// The demo inspection's accounts: (username, role, side). Their password is
/// [`DEMO_PASSWORD`].
pub const INSPECTION_ACCOUNTS: [(&str, Role, &str); 4] = [
    ("jiashan.inspector", Role::Inspector, JIASHAN),
    ("jiashan.signer", Role::Editor, JIASHAN),
    ("pinghu.inspector", Role::Inspector, PINGHU),
    ("pinghu.signer", Role::Editor, PINGHU),
];

/// What the notes of every sample record say.
const SAMPLE_NOTE: &str = "演示样例：位置由演示数据中两县多边形的共有边界推得，并非实测成果（sample, not a survey result）";

fn failed(step: &str, error: impl std::fmt::Display) -> DemoError {
    DemoError::Inspection(format!("{step}: {error}"))
}

fn marker_number(i: usize) -> String {
    format!("{LINE}{:03}Q", i + 1)
}

async fn staff(state: &AppState, username: &str) -> Result<Staff, DemoError> {
    let account = state
        .store
        .account_by_username(username)
        .await?
        .ok_or_else(|| failed("account", format!("{username} is missing")))?;
    Ok(Staff {
        actor: account.actor,
        token: String::new(),
        remote_addr: None,
    })
}

/// Loads the demo inspection unless the sample markers are registered already (a database
/// that had it loaded before).
pub async fn load_if_absent(state: &AppState) -> Result<(), DemoError> {
    if state.store.marker(&marker_number(0)).await?.is_some() {
        return Ok(());
    }
    let author = Author::system("demo-loader");
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| DemoError::Account(e.to_string()))?;
    for (name, role, side) in INSPECTION_ACCOUNTS {
        let username = Username::parse(name).map_err(|e| DemoError::Account(e.to_string()))?;
        let jurisdiction =
            Jurisdiction::parse(side).map_err(|e| DemoError::Account(e.to_string()))?;
        match state
            .store
            .create_user(&username, &hash, role, &[jurisdiction], &author)
            .await
        {
            Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let admin = staff(state, "admin").await?;
    let line = LineCode::between(
        DivisionCode::parse(JIASHAN).map_err(|e| failed("line", e))?,
        DivisionCode::parse(PINGHU).map_err(|e| failed("line", e))?,
    )
    .map_err(|e| failed("line", e))?;
    let positions = sample_positions(state, &line).await?;
    record_line(state, &admin, &line).await?;
    for (i, (lon, lat)) in positions.iter().enumerate() {
        let row = MarkerRow {
            x: *lon,
            y: *lat,
            material: Some("花岗岩".into()),
            installed_on: Some("2003-05-01".into()),
            references: vec![ReferenceObject {
                name: if i % 2 == 0 { "电杆" } else { "桥墩" }.into(),
                bearing_deg: (35.0 * (i as f64 + 1.0)) % 360.0,
                distance_m: 8.0 + 2.5 * i as f64,
            }],
        };
        let number = marker_number(i);
        markers::create(state, &admin, System::CGCS2000, &number, row)
            .await
            .map_err(|e| failed("sample marker", e))?;
        let inspection = Inspection {
            observed_on: NaiveDate::from_ymd_opt(2021, 6, 1).expect("a valid date"),
            condition: MarkerCondition::Intact,
            notes: Some(SAMPLE_NOTE.into()),
            photo_id: None,
        };
        markers::record_condition(state, &admin, &number, inspection)
            .await
            .map_err(|e| failed("sample marker note", e))?;
    }
    round(state, &admin, &positions).await
}

/// Eight points spread along the longest part of the border the demo polygons share.
async fn sample_positions(state: &AppState, line: &LineCode) -> Result<Vec<(f64, f64)>, DemoError> {
    let shared = markers::reference_line(&state.store, line)
        .await?
        .ok_or_else(|| {
            failed(
                "line",
                "the demo polygons of 嘉善县 and 平湖市 share no border",
            )
        })?;
    let longest = shared
        .shape
        .0
        .iter()
        .max_by_key(|part| part.0.len())
        .ok_or_else(|| failed("line", "the shared border is empty"))?;
    (0..SAMPLE_MARKERS)
        .map(|i| {
            let fraction = (i as f64 + 0.5) / SAMPLE_MARKERS as f64;
            // Along the line as drawn in degrees: the points stay on it exactly.
            let point: Point<f64> = longest
                .point_at_ratio_from_start(&Euclidean, fraction)
                .ok_or_else(|| failed("line", "no point along the border"))?;
            // Rounded as the register keeps positions (1e-9°, 0.1 mm).
            let round = |v: f64| (v * 1e9).round() / 1e9;
            Ok((round(point.x()), round(point.y())))
        })
        .collect()
}

/// Records the line (derived from the polygons) with a sample agreement and segment leads
/// taking turns along it.
async fn record_line(state: &AppState, admin: &Staff, line: &LineCode) -> Result<(), DemoError> {
    let stop = |i: usize| format!("{LINE}{:03}", i + 1);
    let segment_leads = (0..=SAMPLE_MARKERS)
        .map(|i| SegmentLead {
            from_marker: i.checked_sub(1).map(stop),
            to_marker: (i < SAMPLE_MARKERS).then(|| stop(i)),
            lead: if i % 2 == 0 { JIASHAN } else { PINGHU }.into(),
        })
        .collect();
    let input = LineInput {
        agreement: Some(Agreement {
            title: "嘉善县与平湖市行政区域界线协议书（演示样例）".into(),
            number: "演示〔2002〕1号".into(),
            signed_on: NaiveDate::from_ymd_opt(2002, 9, 18).expect("a valid date"),
        }),
        approved_by: Some("嘉兴市人民政府".into()),
        segment_leads,
        geometry: None,
        effective_on: NaiveDate::from_ymd_opt(2002, 10, 1),
        comment: Some("演示数据：界线取自演示多边形的共有边界".into()),
        names_sides: false,
    };
    match boundaries::record(state, admin, line, input).await {
        Ok(_) => Ok(()),
        Err(boundaries::BoundaryError::Store(StoreError::AlreadyExists(_))) => Ok(()),
        Err(e) => Err(failed("line", e)),
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, d).expect("a valid date")
}

fn present() -> std::collections::BTreeMap<String, Vec<String>> {
    [
        (JIASHAN.to_string(), vec!["沈建国".to_string()]),
        (PINGHU.to_string(), vec!["陆海明".to_string()]),
    ]
    .into()
}

/// A side's finding of sample marker `i`: what the demo has each side find there.
fn marker_finding(
    i: usize,
    side: &str,
    registered: (f64, f64),
    reference: &ReferenceObject,
) -> FindingInput {
    let jiashan = side == JIASHAN;
    let condition = match (i + 1, jiashan) {
        (3, true) => FoundCondition::Damaged,
        (3, false) => FoundCondition::Tilted,
        (6, _) => FoundCondition::Missing,
        (7, true) => FoundCondition::Buried,
        _ => FoundCondition::Intact,
    };
    // A few decimetres apart, as two GNSS surveys are; marker 5 about 1.2 m off its register.
    let (dx, dy) = match (i + 1, jiashan) {
        (5, true) => (1.2e-5, 1.0e-6),
        (5, false) => (1.25e-5, -1.0e-6),
        (_, true) => (2.0e-6, 1.0e-6),
        (_, false) => (-1.0e-6, 2.0e-6),
    };
    let stands = condition.stands();
    FindingInput {
        observed_on: Some(if jiashan { day(4) } else { day(5) }),
        condition: Some(condition),
        inscription: stands.then_some(if i == 2 {
            Inscription::Faded
        } else {
            Inscription::Legible
        }),
        position: stands.then(|| PositionInput {
            crs: Some("EPSG:4490".into()),
            x: registered.0 + dx,
            y: registered.1 + dy,
            helmert: None,
        }),
        references: vec![ReferenceCheck {
            name: reference.name.clone(),
            found: stands,
            bearing_deg: stands.then_some(reference.bearing_deg),
            distance_m: stands.then_some(reference.distance_m),
        }],
        notes: Some(SAMPLE_NOTE.into()),
        present: present(),
        ..Default::default()
    }
}

fn stretch_finding(subject: &str, side: &str) -> FindingInput {
    let changes = if subject == "segment-4" {
        vec![GroundChange {
            kind: ChangeKind::Construction,
            description: "新建乡村道路跨越界线（演示样例）".into(),
            geometry: None,
            photo_ids: vec![],
        }]
    } else {
        vec![]
    };
    FindingInput {
        observed_on: Some(if side == JIASHAN { day(4) } else { day(5) }),
        line_identifiable: Some(true),
        changes,
        present: present(),
        ..Default::default()
    }
}

/// The round: opened, moved to field work, both sides' findings (平湖市's as an offline
/// batch), then reconciliation with its discussion, a settled item, a dispute and tasks.
async fn round(state: &AppState, admin: &Staff, positions: &[(f64, f64)]) -> Result<(), DemoError> {
    let js = staff(state, "jiashan.inspector").await?;
    let ph = staff(state, "pinghu.inspector").await?;
    let js_signer = staff(state, "jiashan.signer").await?;
    let open = OpenInput {
        line_code: LINE.into(),
        round_number: Some(7),
        adhoc_cause: None,
        lead_side: JIASHAN.into(),
        planned_start: NaiveDate::from_ymd_opt(2025, 10, 8),
        planned_end: NaiveDate::from_ymd_opt(2025, 12, 31),
        tolerance_m: Some(1.0),
        teams: vec![
            TeamInput {
                side: JIASHAN.into(),
                inspectors: vec!["jiashan.inspector".into()],
                signer: "jiashan.signer".into(),
            },
            TeamInput {
                side: PINGHU.into(),
                inspectors: vec!["pinghu.inspector".into()],
                signer: "pinghu.signer".into(),
            },
        ],
    };
    let view = rounds::open(state, admin, open)
        .await
        .map_err(|e| failed("round", e))?;
    let id = view.round.id;
    let mut version = view.round.version;
    for to in [RoundState::OfficeReview, RoundState::FieldWork] {
        version = rounds::move_to(state, &js, id, version, to, None)
            .await
            .map_err(|e| failed("round state", e))?
            .round
            .version;
    }
    let basis = view.basis;
    let mut subjects: Vec<(String, FindingInput, FindingInput)> = Vec::new();
    for (i, marker) in basis.markers.iter().enumerate() {
        let registered = positions[i];
        let reference = &marker.references[0];
        subjects.push((
            marker.number.clone(),
            marker_finding(i, JIASHAN, registered, reference),
            marker_finding(i, PINGHU, registered, reference),
        ));
    }
    for subject in basis
        .segments
        .iter()
        .map(|s| format!("segment-{}", s.number))
        .chain(std::iter::once("line".to_string()))
    {
        subjects.push((
            subject.clone(),
            stretch_finding(&subject, JIASHAN),
            stretch_finding(&subject, PINGHU),
        ));
    }
    let mut batch = Vec::new();
    for (n, (subject, jiashan, pinghu)) in subjects.into_iter().enumerate() {
        let submission = Submission {
            subject: subject.clone(),
            base_version: 0,
            finding: jiashan,
        };
        findings::record(state, &js, id, None, submission)
            .await
            .map_err(|e| failed("finding", e))?;
        batch.push(BatchItem {
            client_id: format!("pinghu-tablet-1:{n}"),
            captured_at: None,
            submission: Submission {
                subject,
                base_version: 0,
                finding: pinghu,
            },
        });
    }
    findings::record_batch(state, &ph, id, None, batch)
        .await
        .map_err(|e| failed("batch", e))?;
    rounds::move_to(state, &js, id, version, RoundState::Reconciliation, None)
        .await
        .map_err(|e| failed("round state", e))?;

    // Marker 7: 平湖市 found it standing, 嘉善县 buried; both accept 嘉善县's finding.
    let seventh = marker_number(6);
    discussion::comment(
        state,
        &ph,
        id,
        &seventh,
        "复核时清除浮土后确认界桩被掩埋，同意嘉善县记录",
        &[],
    )
    .await
    .map_err(|e| failed("comment", e))?;
    for by in [&js, &ph] {
        discussion::accept(state, by, id, &seventh, JIASHAN, 1)
            .await
            .map_err(|e| failed("acceptance", e))?;
    }
    // Marker 3: damaged or only tilted — under discussion.
    let third = marker_number(2);
    for (by, text) in [
        (&js, "桩体底座开裂，应为损坏，需维修（见现场记录）"),
        (
            &ph,
            "我方检查时桩体仅倾斜约15度，未见开裂，建议双方现场复核",
        ),
        (&js_signer, "请双方于12月联合复核后再定"),
    ] {
        discussion::comment(state, by, id, &third, text, &[])
            .await
            .map_err(|e| failed("comment", e))?;
    }
    // A dispute of segment 5 (between markers 4 and 5): each side's claimed line.
    let (a, b) = (positions[3], positions[4]);
    let middle = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let claim = |shift: f64| json!({ "type": "LineString", "coordinates": [[a.0, a.1], [middle.0, middle.1 + shift], [b.0, b.1]] });
    let dispute = discussion::open_dispute(
        state,
        &js,
        id,
        DisputeInput {
            subject: "segment-5".into(),
            description: "原界河裁弯取直后，双方对该段界线位置认识不一（演示样例）".into(),
            claim: Some(claim(0.0008)),
            note: Some("嘉善县主张沿原河道中心线".into()),
        },
    )
    .await
    .map_err(|e| failed("dispute", e))?;
    discussion::claim(
        state,
        &ph,
        id,
        dispute.id,
        None,
        claim(-0.0008),
        Some("平湖市主张沿新河道中心线".into()),
    )
    .await
    .map_err(|e| failed("claim", e))?;
    // Tasks for the sides leading the segments: rebuild the missing marker 6, repair marker 3.
    for (i, action, reason) in [
        (5, TaskAction::Rebuild, "界桩丢失，按原位置重建"),
        (2, TaskAction::Repair, "桩体受损，待联合复核后维修"),
    ] {
        let input = TaskInput {
            marker_number: marker_number(i),
            action,
            reason: Some(reason.into()),
            new_position: None,
        };
        tasks::create(state, &js, id, input)
            .await
            .map_err(|e| failed("task", e))?;
    }
    tracing::info!(
        round = id,
        "demo inspection round loaded (in reconciliation)"
    );
    Ok(())
}
