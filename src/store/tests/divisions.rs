//! Divisions as of a day: the filters of the list (parent, level, below a prefix, name text)
//! and what a record carries when only the division table was imported.

use super::{author, code, day, fresh, jiaxing, row};
use crate::domain::division_code::DivisionLevel;
use crate::store::divisions::DivisionFilter;

fn page(limit: i64) -> DivisionFilter {
    DivisionFilter {
        limit,
        ..Default::default()
    }
}

#[tokio::test]
async fn the_list_as_of_a_day_filters_by_parent_level_prefix_and_name() {
    let db = fresh().await;
    let mut rows = jiaxing();
    rows.push(row("330482001", "当湖街道"));
    rows.push(row("330402", "南湖%区"));
    db.store
        .import_divisions(&rows, &author(), |_| {})
        .await
        .unwrap();
    let on = day(2026, 1, 1);
    let codes = |filter: DivisionFilter| {
        let store = db.store.clone();
        async move {
            let (records, total) = store.divisions_as_of(on, &filter).await.unwrap();
            let codes: Vec<_> = records.into_iter().map(|r| r.code).collect();
            (codes, total)
        }
    };

    let (every, total) = codes(page(100)).await;
    assert_eq!(total, 8);
    assert_eq!(every[0], "330000", "ordered by code");
    let children = DivisionFilter {
        parent: Some("330400".into()),
        ..page(100)
    };
    assert_eq!(
        codes(children).await,
        (vec!["330402".into(), "330421".into(), "330482".into()], 3)
    );
    let towns = DivisionFilter {
        level: Some(DivisionLevel::Township),
        ..page(100)
    };
    assert_eq!(codes(towns).await.1, 3);
    let within = DivisionFilter {
        within: Some("330421".into()),
        ..page(100)
    };
    assert_eq!(
        codes(within).await,
        (
            vec!["330421".into(), "330421101".into(), "330421102".into()],
            3
        )
    );
    let named = DivisionFilter {
        name_contains: Some("街道".into()),
        ..page(100)
    };
    assert_eq!(
        codes(named).await,
        (vec!["330421101".into(), "330482001".into()], 2)
    );
    let percent = DivisionFilter {
        name_contains: Some("%".into()),
        ..page(100)
    };
    assert_eq!(codes(percent).await, (vec!["330402".into()], 1));
    let paged = DivisionFilter {
        offset: 6,
        ..page(1)
    };
    assert_eq!(codes(paged).await, (vec!["330482".into()], 8));
}

#[tokio::test]
async fn an_imported_division_has_no_period_and_its_kind_from_its_name() {
    let db = fresh().await;
    db.store
        .import_divisions(&jiaxing(), &author(), |_| {})
        .await
        .unwrap();
    let county = db
        .store
        .division_as_of(&code("330421"), day(1990, 1, 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(county.name, "嘉善县");
    assert_eq!(county.level, DivisionLevel::County);
    assert_eq!(county.kind.as_deref(), Some("县"));
    assert_eq!(county.parent_code.as_deref(), Some("330400"));
    assert_eq!(county.lineage, "330421");
    assert_eq!((county.valid_from, county.valid_to), (None, None));
    let city = db
        .store
        .division_as_of(&code("330482"), day(2026, 1, 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(city.kind.as_deref(), Some("县级市"));
    assert!(
        db.store
            .division_as_of(&code("330402"), day(2026, 1, 1))
            .await
            .unwrap()
            .is_none()
    );
    let states = db.store.division_states(&code("330421")).await.unwrap();
    assert_eq!(states, [county]);
    assert!(
        db.store
            .division_states(&code("330402"))
            .await
            .unwrap()
            .is_empty()
    );
}
