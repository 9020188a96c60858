//! The sign inventory: registering under a public code, guarded updates, lookups by code, the
//! list filters and scan counts.

use std::cell::Cell;

use super::{author, catalog, change, day, fresh, place};
use crate::domain::sign::{PublicCode, SignInput, SignKind, SignStatus};
use crate::domain::version::ChangeAction;
use crate::store::signs::SignFilter;
use crate::store::{Store, StoreError};

fn code(seed: u8) -> PublicCode {
    PublicCode::from_random([seed, 2, 3, 4, 5])
}

fn input(place_id: i64, number: &str) -> SignInput {
    SignInput {
        place_id,
        kind: SignKind::Village,
        sign_number: Some(number.into()),
        address: None,
        position: Some([120.92, 30.84]),
        facing_deg: Some(90.0),
        material: Some("铝合金".into()),
        width_mm: Some(600),
        height_mm: Some(400),
        installed_on: Some(day(2024, 5, 1)),
        status: None,
    }
}

/// A place for the signs to show (signs refer to a record).
async fn a_place(store: &Store) -> i64 {
    let catalog = catalog(store).await;
    let author = author();
    store
        .create_place(
            &place(&catalog, "洪溪村", "222", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn a_created_sign_is_version_1_and_found_by_its_public_code() {
    let db = fresh().await;
    let place_id = a_place(&db.store).await;
    let author = author();
    let sign = db
        .store
        .create_sign(
            &input(place_id, "JS-0001"),
            "330421101",
            || code(1),
            &author,
        )
        .await
        .unwrap();
    assert_eq!(sign.version, 1);
    assert_eq!(sign.public_code, code(1).as_str());
    assert_eq!(sign.place_id, place_id);
    assert_eq!(sign.division_code, "330421101");
    assert_eq!(sign.kind, SignKind::Village);
    // Registered signs are installed unless planned; installation counts as maintenance.
    assert_eq!(sign.status, SignStatus::Installed);
    assert_eq!(sign.last_maintained_on, Some(day(2024, 5, 1)));
    assert_eq!(sign.position, Some([120.92, 30.84]));
    assert_eq!(sign.width_mm, Some(600));

    let found = db.store.sign_by_code(&code(1)).await.unwrap().unwrap();
    assert_eq!(found.id, sign.id);
    assert_eq!(found.sign_number.as_deref(), Some("JS-0001"));
    assert!(db.store.sign_by_code(&code(9)).await.unwrap().is_none());
    // A code as a person types it reads the same sign.
    let typed = PublicCode::parse(&code(1).as_str().to_lowercase()).unwrap();
    assert_eq!(
        db.store.sign_by_code(&typed).await.unwrap().unwrap().id,
        sign.id
    );
    assert!(db.store.sign(sign.id + 1).await.unwrap().is_none());
}

#[tokio::test]
async fn a_taken_public_code_is_drawn_again() {
    let db = fresh().await;
    let place_id = a_place(&db.store).await;
    let author = author();
    let first = db
        .store
        .create_sign(&input(place_id, "A"), "330421101", || code(1), &author)
        .await
        .unwrap();
    let draws = Cell::new(0u8);
    let second = db
        .store
        .create_sign(
            &input(place_id, "B"),
            "330421101",
            || {
                draws.set(draws.get() + 1);
                // The first draw repeats the code already given out.
                code(draws.get())
            },
            &author,
        )
        .await
        .unwrap();
    assert_eq!(draws.get(), 2);
    assert_ne!(second.public_code, first.public_code);
    assert_eq!(second.public_code, code(2).as_str());

    let always_taken = db
        .store
        .create_sign(&input(place_id, "C"), "330421101", || code(1), &author)
        .await;
    assert!(
        matches!(always_taken, Err(StoreError::AlreadyExists(_))),
        "{always_taken:?}"
    );
    let all = SignFilter {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(db.store.list_signs(&all).await.unwrap().1, 2);
}

#[tokio::test]
async fn an_update_needs_the_current_version_and_a_stale_one_changes_nothing() {
    let db = fresh().await;
    let place_id = a_place(&db.store).await;
    let author = author();
    let sign = db
        .store
        .create_sign(
            &input(place_id, "JS-0001"),
            "330421101",
            || code(1),
            &author,
        )
        .await
        .unwrap();
    let mut moved = input(place_id, "JS-0001");
    moved.position = Some([120.93, 30.85]);
    moved.material = Some("不锈钢".into());
    let updated = db
        .store
        .update_sign(sign.id, 1, &moved, "330421102", &author)
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.position, Some([120.93, 30.85]));
    assert_eq!(updated.material.as_deref(), Some("不锈钢"));
    assert_eq!(updated.division_code, "330421102");
    assert_eq!(updated.public_code, sign.public_code);

    let stale = db
        .store
        .update_sign(
            sign.id,
            1,
            &input(place_id, "JS-9999"),
            "330421101",
            &author,
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
    let read = db.store.sign(sign.id).await.unwrap().unwrap();
    assert_eq!(read.version, 2);
    assert_eq!(read.sign_number.as_deref(), Some("JS-0001"));
    assert_eq!(read.division_code, "330421102");

    let missing = db
        .store
        .update_sign(sign.id + 1, 1, &moved, "330421101", &author)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

#[tokio::test]
async fn the_list_filters_by_division_kind_and_place() {
    let db = fresh().await;
    let place_id = a_place(&db.store).await;
    let author = author();
    let mut seed = 0;
    for (division, kind) in [
        ("330421101", SignKind::Village),
        ("330421102", SignKind::Village),
        ("330482001", SignKind::Street),
    ] {
        seed += 1;
        let mut sign = input(place_id, &format!("N{seed}"));
        sign.kind = kind;
        db.store
            .create_sign(&sign, division, || code(seed), &author)
            .await
            .unwrap();
    }
    let numbers = |filter: SignFilter| {
        let store = db.store.clone();
        async move {
            let (signs, total) = store.list_signs(&filter).await.unwrap();
            let numbers: Vec<_> = signs.into_iter().filter_map(|s| s.sign_number).collect();
            (numbers, total)
        }
    };
    let within = SignFilter {
        division_prefix: Some("330421".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(numbers(within).await, (vec!["N1".into(), "N2".into()], 2));
    let streets = SignFilter {
        kind: Some(SignKind::Street),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(numbers(streets).await, (vec!["N3".into()], 1));
    let paged = SignFilter {
        place_id: Some(place_id),
        limit: 1,
        offset: 1,
        ..Default::default()
    };
    assert_eq!(numbers(paged).await, (vec!["N2".into()], 3));
    let elsewhere = SignFilter {
        place_id: Some(place_id + 1),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(numbers(elsewhere).await, (vec![], 0));
}

#[tokio::test]
async fn scans_add_up_per_sign_and_day() {
    let db = fresh().await;
    let place_id = a_place(&db.store).await;
    let author = author();
    let one = db
        .store
        .create_sign(&input(place_id, "A"), "330421101", || code(1), &author)
        .await
        .unwrap()
        .id;
    let two = db
        .store
        .create_sign(&input(place_id, "B"), "330421101", || code(2), &author)
        .await
        .unwrap()
        .id;
    db.store
        .add_scans(&[
            (one, day(2026, 1, 2), 3),
            (one, day(2026, 1, 1), 1),
            (two, day(2026, 1, 1), 7),
        ])
        .await
        .unwrap();
    db.store
        .add_scans(&[(one, day(2026, 1, 2), 2)])
        .await
        .unwrap();
    assert_eq!(
        db.store.scans(one).await.unwrap(),
        [(day(2026, 1, 1), 1), (day(2026, 1, 2), 5)]
    );
    assert_eq!(db.store.scans(two).await.unwrap(), [(day(2026, 1, 1), 7)]);
    assert!(db.store.scans(two + 1).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_public_report_opens_a_ticket_with_its_photo_and_is_handled() {
    let db = fresh().await;
    let place_id = a_place(&db.store).await;
    let author = author();
    let here = db
        .store
        .create_sign(&input(place_id, "A"), "330421101", || code(1), &author)
        .await
        .unwrap();
    let there = db
        .store
        .create_sign(&input(place_id, "B"), "330482001", || code(2), &author)
        .await
        .unwrap();
    let public = crate::store::audit::Author::system("public");
    let with_photo = db
        .store
        .open_report(
            here.id,
            "damaged",
            "牌子倒了",
            Some(("image/png", (2, 2), b"png bytes")),
            &public,
        )
        .await
        .unwrap();
    let without = db
        .store
        .open_report(there.id, "wrong_text", "错字", None, &public)
        .await
        .unwrap();

    let report = db.store.report(with_photo).await.unwrap().unwrap();
    assert_eq!(report.sign_id, here.id);
    assert_eq!(report.public_code, here.public_code);
    assert_eq!(report.status, "open");
    assert_eq!(report.text, "牌子倒了");
    let photo = db
        .store
        .sign_photo(report.photo_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(photo.sign_id, here.id);
    assert_eq!(photo.media_type, "image/png");
    assert_eq!(photo.bytes, b"png bytes");

    let ids = |prefix: Option<&'static str>, status: Option<&'static str>| {
        let store = db.store.clone();
        async move {
            store
                .reports(prefix, status, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(None, None).await, [without, with_photo], "newest first");
    assert_eq!(ids(Some("330421"), None).await, [with_photo]);

    let handled = db
        .store
        .handle_report(with_photo, "closed", Some("已重新安装"), &author)
        .await
        .unwrap();
    assert_eq!(handled.status, "closed");
    assert_eq!(handled.resolution.as_deref(), Some("已重新安装"));
    assert_eq!(handled.handled_by.as_deref(), Some("store-test"));
    assert_eq!(ids(None, Some("open")).await, [without]);
    let missing = db
        .store
        .handle_report(without + 10, "closed", None, &author)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

    // A staff photo is stored apart from reports.
    let staff_photo = db
        .store
        .add_sign_photo(there.id, "image/jpeg", (3, 2), b"jpeg", &author)
        .await
        .unwrap();
    assert_eq!(
        db.store
            .sign_photo(staff_photo)
            .await
            .unwrap()
            .unwrap()
            .bytes,
        b"jpeg"
    );
    assert!(
        db.store
            .sign_photo(staff_photo + 10)
            .await
            .unwrap()
            .is_none()
    );
}
