//! Learned romanization corrections: written with the record change that made them, looked up
//! by name in a division or any division containing it, the most specific first.

use super::{author, catalog, change, day, fresh, properties, valid};
use crate::domain::place::Classification;
use crate::domain::version::ChangeAction;
use crate::store::Store;
use crate::store::romanization::NewCorrection;

fn correction(
    name: &str,
    division: &str,
    romanization: &str,
    classification: &str,
) -> NewCorrection {
    NewCorrection {
        name: name.into(),
        division_code: division.into(),
        category_code: "241".into(),
        romanization: romanization.into(),
        generic: None,
        engine_said: Some("Xi Tang".into()),
        reason: "当地读音".into(),
        classification: classification.into(),
    }
}

/// Registers a record of `name` whose creation carries `correction`.
async fn corrected(
    store: &Store,
    name: &str,
    correction: &NewCorrection,
    classification: Classification,
) {
    let catalog = catalog(store).await;
    let author = author();
    let mut fields = properties(name, "241", &["330421102"]);
    fields.classification = classification;
    let mut note = change(&author, ChangeAction::Created, day(2020, 1, 1));
    note.correction = Some(correction);
    store
        .create_place(&valid(&catalog, fields, None), &note)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_correction_is_found_below_its_division_the_most_specific_first() {
    let db = fresh().await;
    corrected(
        &db.store,
        "西塘",
        &correction("西塘", "3304", "Xitang", "public"),
        Classification::Public,
    )
    .await;
    corrected(
        &db.store,
        "西塘",
        &correction("西塘", "330421", "Xītáng", "public"),
        Classification::Public,
    )
    .await;
    assert_eq!(db.store.correction_count().await.unwrap(), 2);

    let spelled = |division: &str| {
        let store = db.store.clone();
        let division = division.to_string();
        async move {
            store
                .learned_spelling("西塘", &division, false)
                .await
                .unwrap()
                .map(|s| (s.romanization, s.division))
        }
    };
    assert_eq!(
        spelled("330421102").await,
        Some(("Xītáng".into(), "330421".into()))
    );
    assert_eq!(
        spelled("330421").await,
        Some(("Xītáng".into(), "330421".into()))
    );
    assert_eq!(
        spelled("330482001").await,
        Some(("Xitang".into(), "3304".into()))
    );
    assert_eq!(spelled("330521").await, None);
    assert!(
        db.store
            .learned_spelling("东塘", "330421102", false)
            .await
            .unwrap()
            .is_none()
    );

    let learned = db
        .store
        .learned_spelling("西塘", "330421102", false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(learned.by, "store-test");
    assert_eq!(learned.why, "当地读音");
    assert_eq!(learned.on.len(), 10, "a day: {}", learned.on);
    assert_eq!(
        db.store.corrected_names().await.unwrap(),
        ["西塘".to_string()].into_iter().collect()
    );
}

#[tokio::test]
async fn the_latest_correction_wins_and_the_public_sees_only_public_ones() {
    let db = fresh().await;
    corrected(
        &db.store,
        "西塘",
        &correction("西塘", "330421", "Xitang", "public"),
        Classification::Public,
    )
    .await;
    corrected(
        &db.store,
        "西塘",
        &correction("西塘", "330421", "Sitang", "internal"),
        Classification::Internal,
    )
    .await;
    let staff = db
        .store
        .learned_spelling("西塘", "330421102", false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(staff.romanization, "Sitang");
    let public = db
        .store
        .learned_spelling("西塘", "330421102", true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(public.romanization, "Xitang");

    let db = fresh().await;
    corrected(
        &db.store,
        "西塘",
        &correction("西塘", "330421", "Sitang", "internal"),
        Classification::Internal,
    )
    .await;
    assert!(
        db.store
            .learned_spelling("西塘", "330421102", true)
            .await
            .unwrap()
            .is_none()
    );
}
