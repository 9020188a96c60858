//! Place-name records: versions appended under an expected version, reading a version by
//! number or by day, the list filters and the history.

use super::{at_point, author, catalog, change, classified, day, fresh, place, properties, valid};
use crate::domain::place::{AlternateName, AlternateNameKind, Classification, PlaceStatus};
use crate::domain::version::ChangeAction;
use crate::store::StoreError;
use crate::store::audit::AuditFilter;
use crate::store::places::{PlaceFilter, VersionSelector};
use chrono::NaiveDate;

fn entries_about(id: i64) -> AuditFilter {
    AuditFilter {
        target_type: Some("place".into()),
        target_id: Some(id.to_string()),
        limit: 100,
        ..Default::default()
    }
}

fn all(limit: i64) -> PlaceFilter {
    PlaceFilter {
        limit,
        ..Default::default()
    }
}

#[tokio::test]
async fn creating_a_place_gives_version_1_and_an_audit_entry() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let created = db
        .store
        .create_place(
            &place(&catalog, "西塘镇", "214", &["330421102"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();

    assert_eq!(created.current_version, 1);
    assert_eq!(created.meta.version, 1);
    assert_eq!(created.meta.action, ChangeAction::Created);
    assert_eq!(created.meta.effective_on, day(2020, 1, 1));
    assert_eq!(created.meta.recorded_by, "store-test");
    assert_eq!(created.properties.standard_name, "西塘镇");
    // Register code: main county, major class, id in seven digits.
    assert_eq!(created.code, format!("33042121{:07}", created.id));
    assert_eq!(db.store.place_count().await.unwrap(), 1);

    let entries = db
        .store
        .audit_entries(&entries_about(created.id))
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "place.create");
    assert_eq!(entries[0].username, "store-test");
    let detail = entries[0].detail.as_ref().unwrap();
    assert_eq!(detail["version"], 1);
    assert_eq!(detail["standard_name"], "西塘镇");
}

#[tokio::test]
async fn a_change_with_the_right_version_appends_version_2_and_keeps_version_1() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let created = db
        .store
        .create_place(
            &place(&catalog, "魏塘镇", "214", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();
    let mut renamed = change(&author, ChangeAction::Updated, day(2021, 6, 1));
    renamed.comment = Some("撤镇设街道");
    let changed = db
        .store
        .change_place(
            created.id,
            1,
            &place(&catalog, "魏塘街道", "214", &["330421101"]),
            &renamed,
        )
        .await
        .unwrap();

    assert_eq!(changed.id, created.id);
    assert_eq!(changed.code, created.code);
    assert_eq!(changed.current_version, 2);
    assert_eq!(changed.meta.version, 2);
    assert_eq!(changed.meta.action, ChangeAction::Updated);
    assert_eq!(changed.meta.comment.as_deref(), Some("撤镇设街道"));
    assert_eq!(changed.properties.standard_name, "魏塘街道");

    let first = db
        .store
        .place(created.id, VersionSelector::Number(1), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.meta.version, 1);
    assert_eq!(first.properties.standard_name, "魏塘镇");
    // Reading an old version still says which one is current.
    assert_eq!(first.current_version, 2);
    let current = db
        .store
        .place(created.id, VersionSelector::Current, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.properties.standard_name, "魏塘街道");
    assert!(
        db.store
            .place(created.id, VersionSelector::Number(3), false)
            .await
            .unwrap()
            .is_none()
    );

    let actions: Vec<String> = db
        .store
        .audit_entries(&entries_about(created.id))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["place.update", "place.create"]);
}

#[tokio::test]
async fn a_retirement_is_audited_as_such() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let created = db
        .store
        .create_place(
            &place(&catalog, "老街", "2531", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();
    let mut historical = properties("老街", "2531", &["330421101"]);
    historical.status = PlaceStatus::Historical;
    let retired = db
        .store
        .change_place(
            created.id,
            1,
            &valid(&catalog, historical, None),
            &change(&author, ChangeAction::Retired, day(2022, 1, 1)),
        )
        .await
        .unwrap();
    assert_eq!(retired.meta.action, ChangeAction::Retired);
    assert_eq!(retired.properties.status, PlaceStatus::Historical);
    let latest = db
        .store
        .audit_entries(&entries_about(created.id))
        .await
        .unwrap();
    assert_eq!(latest[0].action, "place.retire");
    assert_eq!(latest[0].detail.as_ref().unwrap()["version"], 2);
}

#[tokio::test]
async fn a_stale_expected_version_is_refused_and_changes_nothing() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let created = db
        .store
        .create_place(
            &place(&catalog, "大云镇", "214", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();
    db.store
        .change_place(
            created.id,
            1,
            &place(&catalog, "大云街道", "214", &["330421101"]),
            &change(&author, ChangeAction::Updated, day(2021, 1, 1)),
        )
        .await
        .unwrap();
    let audited = db
        .store
        .audit_entries(&entries_about(created.id))
        .await
        .unwrap()
        .len();

    let stale = db
        .store
        .change_place(
            created.id,
            1,
            &place(&catalog, "另一个名字", "214", &["330421101"]),
            &change(&author, ChangeAction::Updated, day(2022, 1, 1)),
        )
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
        .place(created.id, VersionSelector::Current, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.current_version, 2);
    assert_eq!(current.properties.standard_name, "大云街道");
    assert_eq!(
        db.store
            .place_history(created.id, false)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        db.store
            .audit_entries(&entries_about(created.id))
            .await
            .unwrap()
            .len(),
        audited
    );

    let missing = db
        .store
        .change_place(
            created.id + 100,
            1,
            &place(&catalog, "无此记录", "214", &["330421101"]),
            &change(&author, ChangeAction::Updated, day(2022, 1, 1)),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

#[tokio::test]
async fn as_of_picks_the_latest_recorded_version_in_force_that_day() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let id = db
        .store
        .create_place(
            &place(&catalog, "一名", "241", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap()
        .id;
    db.store
        .change_place(
            id,
            1,
            &place(&catalog, "二名", "241", &["330421101"]),
            &change(&author, ChangeAction::Updated, day(2024, 6, 1)),
        )
        .await
        .unwrap();
    // A later correction dated back: it replaces what held from its own date on.
    db.store
        .change_place(
            id,
            2,
            &place(&catalog, "三名", "241", &["330421101"]),
            &change(&author, ChangeAction::Updated, day(2022, 1, 1)),
        )
        .await
        .unwrap();

    let name_on = |on| {
        let store = db.store.clone();
        async move {
            store
                .place(id, VersionSelector::AsOf(on), false)
                .await
                .unwrap()
                .map(|p| (p.meta.version, p.properties.standard_name))
        }
    };
    assert_eq!(name_on(day(2019, 12, 31)).await, None);
    assert_eq!(name_on(day(2020, 1, 1)).await, Some((1, "一名".into())));
    assert_eq!(name_on(day(2021, 12, 31)).await, Some((1, "一名".into())));
    assert_eq!(name_on(day(2022, 1, 1)).await, Some((3, "三名".into())));
    assert_eq!(name_on(day(2025, 1, 1)).await, Some((3, "三名".into())));

    // The list reads the same versions as of a day.
    let filter = PlaceFilter {
        as_of: Some(day(2021, 1, 1)),
        ..all(10)
    };
    let (listed, total) = db.store.list_places(&filter).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(listed[0].properties.standard_name, "一名");
    let filter = PlaceFilter {
        as_of: Some(day(2019, 1, 1)),
        ..all(10)
    };
    assert_eq!(db.store.list_places(&filter).await.unwrap().1, 0);
}

#[tokio::test]
async fn the_list_filters_by_division_prefix_and_category() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let created = change(&author, ChangeAction::Created, day(2020, 1, 1));
    for record in [
        place(&catalog, "魏塘街道", "214", &["330421101"]),
        place(&catalog, "平湖城区", "241", &["330482"]),
        place(&catalog, "南湖路", "2532", &["330402"]),
        // Crosses two counties: found under either.
        place(&catalog, "界河村", "242", &["330421102", "330482"]),
    ] {
        db.store.create_place(&record, &created).await.unwrap();
    }
    let names = |filter: PlaceFilter| {
        let store = db.store.clone();
        async move {
            let (places, total) = store.list_places(&filter).await.unwrap();
            assert_eq!(total, places.len() as i64);
            places
                .into_iter()
                .map(|p| p.properties.standard_name)
                .collect::<Vec<_>>()
        }
    };
    let within = |prefix: &str| PlaceFilter {
        division_prefix: Some(prefix.into()),
        ..all(10)
    };
    let of_category = |category: &str| PlaceFilter {
        category_code: Some(category.into()),
        ..all(10)
    };

    assert_eq!(names(within("330421")).await, ["魏塘街道", "界河村"]);
    assert_eq!(names(within("330482")).await, ["平湖城区", "界河村"]);
    assert_eq!(names(within("330421101")).await, ["魏塘街道"]);
    assert_eq!(names(within("3304")).await.len(), 4);
    assert!(names(within("3305")).await.is_empty());

    // A category matches its sub-categories, and only them.
    assert_eq!(names(of_category("24")).await, ["平湖城区", "界河村"]);
    assert_eq!(names(of_category("241")).await, ["平湖城区"]);
    assert_eq!(names(of_category("25")).await, ["南湖路"]);
    assert_eq!(names(of_category("2531")).await, Vec::<String>::new());

    let both = PlaceFilter {
        division_prefix: Some("330482".into()),
        category_code: Some("242".into()),
        ..all(10)
    };
    assert_eq!(names(both).await, ["界河村"]);
}

#[tokio::test]
async fn name_search_takes_like_metacharacters_literally_and_reads_alternate_names() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let created = change(&author, ChangeAction::Created, day(2020, 1, 1));
    let mut aliased = properties("胜利路", "2532", &["330421101"]);
    aliased.alternate_names = vec![AlternateName {
        name: "老_大街".into(),
        kind: AlternateNameKind::Alias,
        language: None,
        valid_from: None,
        valid_to: None,
        note: None,
    }];
    for record in [
        place(&catalog, "百分%路", "2532", &["330421101"]),
        place(&catalog, "百分之路", "2532", &["330421101"]),
        place(&catalog, "下_划线巷", "2533", &["330421101"]),
        place(&catalog, "下一划线巷", "2533", &["330421101"]),
        place(&catalog, "反\\斜杠街", "2531", &["330421101"]),
        valid(&catalog, aliased, None),
    ] {
        db.store.create_place(&record, &created).await.unwrap();
    }
    let matching = |text: &str| {
        let store = db.store.clone();
        let filter = PlaceFilter {
            name_contains: Some(text.into()),
            ..all(10)
        };
        async move {
            let (places, total) = store.list_places(&filter).await.unwrap();
            assert_eq!(total, places.len() as i64);
            places
                .into_iter()
                .map(|p| p.properties.standard_name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(matching("%").await, ["百分%路"]);
    assert_eq!(matching("分%").await, ["百分%路"]);
    assert_eq!(matching("_").await, ["下_划线巷", "胜利路"]);
    assert_eq!(matching("下_划").await, ["下_划线巷"]);
    assert_eq!(matching("\\").await, ["反\\斜杠街"]);
    assert_eq!(matching("百分").await, ["百分%路", "百分之路"]);
    assert_eq!(matching("大街").await, ["胜利路"]);
    assert!(matching("%%").await.is_empty());
}

#[tokio::test]
async fn public_only_hides_records_that_are_not_public() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let created = change(&author, ChangeAction::Created, day(2020, 1, 1));
    let mut ids = Vec::new();
    for (name, classification) in [
        ("公开村", Classification::Public),
        ("内部村", Classification::Internal),
        ("秘密村", Classification::Secret),
        ("机密村", Classification::Confidential),
    ] {
        let record = classified(&catalog, name, classification);
        ids.push(db.store.create_place(&record, &created).await.unwrap().id);
    }
    let public = PlaceFilter {
        public_only: true,
        ..all(10)
    };
    let (listed, total) = db.store.list_places(&public).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].properties.standard_name, "公开村");
    assert_eq!(db.store.list_places(&all(10)).await.unwrap().1, 4);

    for (index, id) in ids.iter().enumerate() {
        let read = db
            .store
            .place(*id, VersionSelector::Current, true)
            .await
            .unwrap();
        assert_eq!(read.is_some(), index == 0, "record {id} read by the public");
        let staff = db
            .store
            .place(*id, VersionSelector::Current, false)
            .await
            .unwrap();
        assert!(staff.is_some());
    }

    // A record that was ever confidential keeps its whole history from the public, even once
    // it is public.
    db.store
        .change_place(
            ids[1],
            1,
            &classified(&catalog, "内部村", Classification::Public),
            &change(&author, ChangeAction::Updated, day(2021, 1, 1)),
        )
        .await
        .unwrap();
    assert!(
        db.store
            .place_history(ids[1], true)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.store.place_history(ids[1], false).await.unwrap().len(),
        2
    );
    assert_eq!(db.store.place_history(ids[0], true).await.unwrap().len(), 1);
    // Its current version is public now, the first one still is not.
    assert!(
        db.store
            .place(ids[1], VersionSelector::Current, true)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        db.store
            .place(ids[1], VersionSelector::Number(1), true)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_list_pages_by_id_and_counts_every_match() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let places: Vec<_> = ["一村", "二村", "三村", "四村", "五村"]
        .iter()
        .map(|name| place(&catalog, name, "242", &["330421101"]))
        .collect();
    let imported = db
        .store
        .import_places(
            &places,
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();
    assert_eq!(imported, 5);
    let page = |offset: i64| PlaceFilter {
        limit: 2,
        offset,
        ..Default::default()
    };
    let names = |filter: PlaceFilter| {
        let store = db.store.clone();
        async move {
            let (places, total) = store.list_places(&filter).await.unwrap();
            assert_eq!(total, 5);
            places
                .into_iter()
                .map(|p| p.properties.standard_name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(names(page(0)).await, ["一村", "二村"]);
    assert_eq!(names(page(2)).await, ["三村", "四村"]);
    assert_eq!(names(page(4)).await, ["五村"]);
    assert!(names(page(6)).await.is_empty());

    // One audit entry for the whole import.
    let imports = db
        .store
        .audit_entries(&AuditFilter {
            target_type: Some("place".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].action, "place.import");
    assert_eq!(imports[0].detail.as_ref().unwrap()["count"], 5);
}

#[tokio::test]
async fn the_list_filters_by_status_and_bounding_box() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let created = change(&author, ChangeAction::Created, day(2020, 1, 1));
    let near = db
        .store
        .create_place(&at_point(&catalog, "近处", 120.92, 30.84), &created)
        .await
        .unwrap();
    assert_eq!(near.geometry.as_ref().unwrap()["type"], "Point");
    db.store
        .create_place(&at_point(&catalog, "远处", 121.5, 31.2), &created)
        .await
        .unwrap();
    let mut old = properties("旧名", "241", &["330421101"]);
    old.status = PlaceStatus::Historical;
    db.store
        .create_place(&valid(&catalog, old, None), &created)
        .await
        .unwrap();

    let boxed = PlaceFilter {
        bbox: Some([120.9, 30.8, 121.0, 30.9]),
        ..all(10)
    };
    let (inside, total) = db.store.list_places(&boxed).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(inside[0].id, near.id);

    let historical = PlaceFilter {
        status: Some("historical"),
        ..all(10)
    };
    let (found, _) = db.store.list_places(&historical).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].properties.standard_name, "旧名");
    let current = PlaceFilter {
        status: Some("current"),
        ..all(10)
    };
    assert_eq!(db.store.list_places(&current).await.unwrap().1, 2);
}

#[tokio::test]
async fn history_lists_every_version_oldest_first() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let id = db
        .store
        .create_place(
            &place(&catalog, "甲", "241", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap()
        .id;
    for (expected, name, comment) in [(1, "乙", "第一次更正"), (2, "丙", "第二次更正")]
    {
        let mut note = change(
            &author,
            ChangeAction::Updated,
            day(2021, 1, expected as u32),
        );
        note.comment = Some(comment);
        db.store
            .change_place(
                id,
                expected,
                &place(&catalog, name, "241", &["330421101"]),
                &note,
            )
            .await
            .unwrap();
    }
    let history = db.store.place_history(id, false).await.unwrap();
    let versions: Vec<_> = history
        .iter()
        .map(|m| (m.version, m.action, m.comment.as_deref()))
        .collect();
    assert_eq!(
        versions,
        [
            (1, ChangeAction::Created, None),
            (2, ChangeAction::Updated, Some("第一次更正")),
            (3, ChangeAction::Updated, Some("第二次更正")),
        ]
    );
    assert!(
        history
            .windows(2)
            .all(|w| w[0].recorded_at <= w[1].recorded_at)
    );
    assert!(
        db.store
            .place_history(id + 1, false)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_division_s_own_record_is_found_by_its_main_division() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let created = change(&author, ChangeAction::Created, day(2020, 1, 1));
    db.store
        .create_place(&place(&catalog, "嘉善县城", "241", &["330421"]), &created)
        .await
        .unwrap();
    let county = db
        .store
        .create_place(&place(&catalog, "嘉善县", "213", &["330421"]), &created)
        .await
        .unwrap();
    let mut historical = properties("古村", "222", &["330421101"]);
    historical.status = PlaceStatus::Historical;
    db.store
        .create_place(&valid(&catalog, historical, None), &created)
        .await
        .unwrap();

    let found = db.store.division_place("330421").await.unwrap().unwrap();
    assert_eq!(found.id, county.id);
    assert!(db.store.division_place("330482").await.unwrap().is_none());
    // Not in use: no division record, and not among the records in use below the county.
    assert!(
        db.store
            .division_place("330421101")
            .await
            .unwrap()
            .is_none()
    );
    let in_use: Vec<_> = db
        .store
        .places_in_use_within("330421")
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.properties.standard_name)
        .collect();
    assert_eq!(in_use, ["嘉善县城", "嘉善县"]);

    let as_of = db
        .store
        .division_place_as_of("330421", day(2020, 6, 1), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(as_of.id, county.id);
    assert!(
        db.store
            .division_place_as_of("330421", day(2019, 6, 1), false)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(db.store.all_current_versions().await.unwrap().len(), 3);
}

/// Another process (a command-line import) holds the write lock: a change that reads before it
/// writes waits for its turn (BEGIN IMMEDIATE with the busy timeout) instead of failing at
/// once with SQLITE_BUSY, as a deferred transaction did.
#[tokio::test]
async fn a_change_waits_for_another_writer_instead_of_failing() {
    use sqlx::Connection;

    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    let id = db
        .store
        .create_place(
            &place(&catalog, "姚庄镇", "214", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap()
        .id;
    let url = format!("sqlite://{}", db.dir.path().join("t.sqlite").display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();

    let store = db.store.clone();
    let renamed = place(&catalog, "姚庄街道", "214", &["330421101"]);
    let writer = tokio::spawn(async move {
        let author = super::author();
        store
            .change_place(
                id,
                1,
                &renamed,
                &change(&author, ChangeAction::Updated, day(2021, 1, 1)),
            )
            .await
    });
    // Well within the store's busy timeout of ten seconds.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    let result = writer.await.unwrap();
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn in_use_during_follows_the_versions_in_force_and_later_corrections() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    // In use from 2010, retired in 2015; the retirement is later corrected: the name stayed in
    // use (a version recorded later, effective from 2012, replaces every state from 2012 on).
    let created = db
        .store
        .create_place(
            &place(&catalog, "老街", "2531", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2010, 1, 1)),
        )
        .await
        .unwrap();
    let mut historical = properties("老街", "2531", &["330421101"]);
    historical.status = PlaceStatus::Historical;
    db.store
        .change_place(
            created.id,
            1,
            &valid(&catalog, historical, None),
            &change(&author, ChangeAction::Retired, day(2015, 1, 1)),
        )
        .await
        .unwrap();
    let in_use = |start: Option<NaiveDate>, end: Option<NaiveDate>| {
        let store = db.store.clone();
        async move {
            let filter = PlaceFilter {
                in_use_during: Some((start, end)),
                limit: 10,
                ..Default::default()
            };
            store.list_places(&filter).await.unwrap().1
        }
    };
    assert_eq!(
        in_use(Some(day(2009, 1, 1)), Some(day(2009, 12, 31))).await,
        0
    );
    assert_eq!(
        in_use(Some(day(2014, 1, 1)), Some(day(2014, 12, 31))).await,
        1
    );
    assert_eq!(in_use(Some(day(2015, 1, 1)), None).await, 0, "retired");
    assert_eq!(in_use(None, Some(day(2010, 1, 1))).await, 1);
    let corrected = properties("老街", "2531", &["330421101"]);
    db.store
        .change_place(
            created.id,
            2,
            &valid(&catalog, corrected, None),
            &change(&author, ChangeAction::Updated, day(2012, 1, 1)),
        )
        .await
        .unwrap();
    assert_eq!(
        in_use(Some(day(2016, 1, 1)), None).await,
        1,
        "in use after all"
    );
}
