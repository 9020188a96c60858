//! Boundary markers: an import is all or nothing (a number taken refuses it), reference
//! objects keep their order, and inspections append to a condition history.

use super::{author, day, fresh};
use crate::domain::marker::{MarkerCondition, MarkerId, ReferenceObject};
use crate::store::markers::NewMarker;
use crate::store::{Store, StoreError};

fn marker(number: &str, lon: f64, references: Vec<ReferenceObject>) -> NewMarker {
    NewMarker {
        number: number.parse::<MarkerId>().unwrap(),
        lon,
        lat: 30.8,
        surveyed: (40_512_345.6, 3_410_987.6),
        surveyed_crs: "EPSG:4549".into(),
        material: Some("花岗岩".into()),
        installed_on: Some("2003-06-01".into()),
        references,
    }
}

fn reference(name: &str, bearing_deg: f64) -> ReferenceObject {
    ReferenceObject {
        name: name.into(),
        bearing_deg,
        distance_m: 12.5,
    }
}

async fn with_two_markers(store: &Store) {
    let imported = store
        .import_markers(
            &[
                marker(
                    "330421330482002Q",
                    121.0,
                    vec![reference("电线杆", 45.0), reference("  石桥 ", 270.0)],
                ),
                marker("330421330482001Q", 120.9, vec![]),
            ],
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(imported, 2);
}

#[tokio::test]
async fn imported_markers_are_read_back_in_sequence_with_their_references() {
    let db = fresh().await;
    with_two_markers(&db.store).await;
    let second = db.store.marker("330421330482002Q").await.unwrap().unwrap();
    assert_eq!(second.line_code, "330421330482");
    assert_eq!(second.sequence, 2);
    assert_eq!(second.marker_type, "Q");
    assert_eq!((second.lon, second.lat), (121.0, 30.8));
    assert_eq!(
        (second.surveyed_x, second.surveyed_y),
        (40_512_345.6, 3_410_987.6)
    );
    assert_eq!(second.surveyed_crs, "EPSG:4549");
    assert_eq!(second.created_by, "store-test");
    assert!(db.store.marker("330421330482003Q").await.unwrap().is_none());

    let references = db.store.marker_references(second.id).await.unwrap();
    // Kept in order, names trimmed.
    assert_eq!(
        references,
        [reference("电线杆", 45.0), reference("石桥", 270.0)]
    );

    let on_line: Vec<_> = db
        .store
        .line_markers("330421330482")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.marker_number)
        .collect();
    assert_eq!(on_line, ["330421330482001Q", "330421330482002Q"]);
    assert_eq!(
        db.store.markers_on_line("330421330482").await.unwrap(),
        [
            ("330421330482001Q".to_string(), 120.9, 30.8),
            ("330421330482002Q".to_string(), 121.0, 30.8)
        ]
    );
    assert!(
        db.store
            .line_markers("330402330421")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_number_already_registered_refuses_the_whole_import() {
    let db = fresh().await;
    with_two_markers(&db.store).await;
    // The two markers of a pair share their number.
    let pair = db
        .store
        .import_markers(
            &[
                marker("330421330482004A", 121.2, vec![]),
                marker("330421330482004B", 121.2, vec![]),
            ],
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(pair, 2);
    let duplicate = db
        .store
        .import_markers(
            &[
                marker("330421330482003Q", 121.1, vec![]),
                marker("330421330482001Q", 120.9, vec![]),
            ],
            &author(),
        )
        .await;
    match duplicate {
        Err(StoreError::AlreadyExists(what)) => {
            assert!(what.contains("330421330482001Q"), "{what}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(db.store.marker_count().await.unwrap(), 4);
    assert!(db.store.marker("330421330482003Q").await.unwrap().is_none());

    // A pair under a number a single marker holds is refused too.
    let mixed = db
        .store
        .import_markers(&[marker("330421330482001A", 120.9, vec![])], &author())
        .await;
    assert!(
        matches!(mixed, Err(StoreError::AlreadyExists(_))),
        "{mixed:?}"
    );
    assert_eq!(db.store.marker_count().await.unwrap(), 4);
}

#[tokio::test]
async fn conditions_are_appended_and_read_by_observation_day() {
    let db = fresh().await;
    with_two_markers(&db.store).await;
    let author = author();
    let first = db.store.marker("330421330482001Q").await.unwrap().unwrap();
    let second = db.store.marker("330421330482002Q").await.unwrap().unwrap();
    db.store
        .add_marker_condition(
            &first,
            day(2024, 5, 1),
            MarkerCondition::Tilted,
            Some("向东倾斜"),
            None,
            &author,
        )
        .await
        .unwrap();
    db.store
        .add_marker_condition(
            &first,
            day(2022, 4, 1),
            MarkerCondition::Intact,
            None,
            None,
            &author,
        )
        .await
        .unwrap();
    let photo = db
        .store
        .add_marker_photo(&first, "image/jpeg", (4, 3), b"jpeg bytes", &author)
        .await
        .unwrap();
    db.store
        .add_marker_condition(
            &first,
            day(2024, 5, 1),
            MarkerCondition::Damaged,
            None,
            Some(photo),
            &author,
        )
        .await
        .unwrap();

    let history = db.store.marker_conditions(first.id).await.unwrap();
    let found: Vec<_> = history
        .iter()
        .map(|c| (c.observed_on, c.condition.as_str(), c.photo_id))
        .collect();
    assert_eq!(
        found,
        [
            (day(2022, 4, 1), "intact", None),
            (day(2024, 5, 1), "tilted", None),
            (day(2024, 5, 1), "damaged", Some(photo)),
        ]
    );
    assert_eq!(history[1].notes.as_deref(), Some("向东倾斜"));
    assert!(
        db.store
            .marker_conditions(second.id)
            .await
            .unwrap()
            .is_empty()
    );

    // A photo of another marker is not evidence for this one; nothing is recorded.
    let foreign = db
        .store
        .add_marker_condition(
            &second,
            day(2024, 6, 1),
            MarkerCondition::Missing,
            None,
            Some(photo),
            &author,
        )
        .await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    assert!(
        db.store
            .marker_conditions(second.id)
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(db.store.marker_photo_ids(first.id).await.unwrap(), [photo]);
    let (stored, line) = db.store.marker_photo(photo).await.unwrap().unwrap();
    assert_eq!(stored.media_type, "image/jpeg");
    assert_eq!(stored.bytes, b"jpeg bytes");
    assert_eq!(line, "330421330482");
}
