//! Boundary lines: one line per pair of divisions, versions appended under an expected
//! version, read current, as of a day, or all of them.

use super::{author, code, day, fresh};
use crate::domain::boundary_line::{Agreement, LineCode, SegmentLead};
use crate::store::StoreError;
use crate::store::audit::AuditFilter;
use crate::store::boundary_lines::NewLineVersion;

const GEOMETRY: &str =
    r#"{"type":"MultiLineString","coordinates":[[[120.95,30.80],[121.00,30.85]]]}"#;

fn line() -> LineCode {
    // Given in either order, the smaller code comes first.
    LineCode::between(code("330482"), code("330421")).unwrap()
}

fn version<'a>(
    line: &'a LineCode,
    effective_on: chrono::NaiveDate,
    agreement: Option<&'a Agreement>,
    leads: &'a [SegmentLead],
    length_m: f64,
) -> NewLineVersion<'a> {
    NewLineVersion {
        line,
        effective_on,
        comment: Some("勘定"),
        agreement,
        approved_by: Some("浙江省人民政府"),
        segment_leads: leads,
        source: "imported",
        geometry: GEOMETRY.to_string(),
        length_m,
    }
}

#[tokio::test]
async fn a_line_is_created_once_and_changed_under_its_version() {
    let db = fresh().await;
    let author = author();
    let line = line();
    let agreement = Agreement {
        title: "嘉善县与平湖市行政区域界线协议书".into(),
        number: "浙界〔2003〕7号".into(),
        signed_on: day(2003, 5, 20),
    };
    let leads = [SegmentLead {
        from_marker: None,
        to_marker: Some("330421330482001".into()),
        lead: "330421".into(),
    }];
    let created = db
        .store
        .create_boundary_line(
            &version(&line, day(2003, 6, 1), Some(&agreement), &leads, 5000.0),
            &author,
        )
        .await
        .unwrap();
    assert_eq!(created.line_code, "330421330482");
    assert_eq!(
        created.between,
        ["330421".to_string(), "330482".to_string()]
    );
    assert_eq!(created.level, "county");
    assert_eq!((created.version, created.current_version), (1, 1));
    assert_eq!(created.agreement, Some(agreement.clone()));
    assert_eq!(created.segment_leads, leads);
    assert_eq!(created.geometry, GEOMETRY);
    assert_eq!(created.length_m, 5000.0);
    assert_eq!(created.recorded_by, "store-test");

    let changed = db
        .store
        .change_boundary_line(
            1,
            &version(&line, day(2020, 1, 1), None, &[], 5100.0),
            &author,
        )
        .await
        .unwrap();
    assert_eq!((changed.version, changed.current_version), (2, 2));
    assert_eq!(changed.id, created.id);
    assert_eq!(changed.agreement, None);
    assert!(changed.segment_leads.is_empty());

    let stale = db
        .store
        .change_boundary_line(1, &version(&line, day(2021, 1, 1), None, &[], 1.0), &author)
        .await;
    assert!(
        matches!(
            stale,
            Err(StoreError::StaleVersion {
                expected: 1,
                current: 2
            })
        ),
        "{stale:?}"
    );
    let current = db
        .store
        .boundary_line("330421330482", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((current.version, current.length_m), (2, 5100.0));

    let elsewhere = LineCode::between(code("330402"), code("330421")).unwrap();
    let missing = db
        .store
        .change_boundary_line(
            1,
            &version(&elsewhere, day(2021, 1, 1), None, &[], 1.0),
            &author,
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    assert!(
        db.store
            .boundary_line("330402330421", None)
            .await
            .unwrap()
            .is_none()
    );

    // Last of the writes: a refused write's rollback may still hold the write lock briefly.
    let again = db
        .store
        .create_boundary_line(&version(&line, day(2004, 1, 1), None, &[], 1.0), &author)
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists(_))),
        "{again:?}"
    );

    let audited: Vec<_> = db
        .store
        .audit_entries(&AuditFilter {
            target_type: Some("boundary_line".into()),
            target_id: Some("330421330482".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(audited, ["boundary_line.update", "boundary_line.create"]);
}

#[tokio::test]
async fn versions_are_read_as_of_a_day_and_in_order() {
    let db = fresh().await;
    let author = author();
    let line = line();
    db.store
        .create_boundary_line(&version(&line, day(2003, 6, 1), None, &[], 1000.0), &author)
        .await
        .unwrap();
    db.store
        .change_boundary_line(
            1,
            &version(&line, day(2015, 1, 1), None, &[], 2000.0),
            &author,
        )
        .await
        .unwrap();
    db.store
        .change_boundary_line(
            2,
            &version(&line, day(2020, 1, 1), None, &[], 3000.0),
            &author,
        )
        .await
        .unwrap();

    let length_on = |on| {
        let store = db.store.clone();
        async move {
            store
                .boundary_line("330421330482", Some(on))
                .await
                .unwrap()
                .map(|l| (l.version, l.length_m))
        }
    };
    assert_eq!(length_on(day(2003, 5, 31)).await, None);
    assert_eq!(length_on(day(2003, 6, 1)).await, Some((1, 1000.0)));
    assert_eq!(length_on(day(2019, 12, 31)).await, Some((2, 2000.0)));
    assert_eq!(length_on(day(2026, 1, 1)).await, Some((3, 3000.0)));

    let history = db
        .store
        .boundary_line_history("330421330482")
        .await
        .unwrap();
    let versions: Vec<_> = history
        .iter()
        .map(|l| (l.version, l.effective_on))
        .collect();
    assert_eq!(
        versions,
        [
            (1, day(2003, 6, 1)),
            (2, day(2015, 1, 1)),
            (3, day(2020, 1, 1))
        ]
    );
    assert!(history.iter().all(|l| l.current_version == 3));
    assert!(
        db.store
            .boundary_line_history("330402330421")
            .await
            .unwrap()
            .is_empty()
    );
}
