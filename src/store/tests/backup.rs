//! Connecting, migrating and backing up: migrations run once, a backup is a readable copy and
//! never overwrites a file.

use super::{author, catalog, change, day, fresh, place};
use crate::domain::version::ChangeAction;
use crate::store::places::VersionSelector;
use crate::store::{Store, StoreError};

#[tokio::test]
async fn migrating_again_keeps_the_data() {
    let db = fresh().await;
    let catalog = catalog(&db.store).await;
    let author = author();
    db.store
        .create_place(
            &place(&catalog, "魏塘街道", "214", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();
    db.store.migrate().await.unwrap();
    db.store.ping().await.unwrap();
    assert_eq!(db.store.place_count().await.unwrap(), 1);

    // A second handle on the same file sees the same register.
    let url = format!("sqlite://{}", db.dir.path().join("t.sqlite").display());
    let reopened = Store::connect(&url).await.unwrap();
    reopened.migrate().await.unwrap();
    assert_eq!(reopened.place_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_backup_is_a_readable_copy_and_an_existing_target_is_refused() {
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
    let target = db.dir.path().join("backup.sqlite");
    db.store.backup_to(&target).await.unwrap();
    assert!(target.is_file());

    // Later writes to the live database do not reach the copy.
    db.store
        .create_place(
            &place(&catalog, "干窑镇", "214", &["330421101"]),
            &change(&author, ChangeAction::Created, day(2020, 1, 1)),
        )
        .await
        .unwrap();
    let copy = Store::connect(&format!("sqlite://{}", target.display()))
        .await
        .unwrap();
    assert_eq!(copy.place_count().await.unwrap(), 1);
    let read = copy
        .place(created.id, VersionSelector::Current, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.properties.standard_name, "西塘镇");
    assert_eq!(read.code, created.code);
    // The copy is already at the latest migration.
    copy.migrate().await.unwrap();
    assert!(copy.category_catalog().await.unwrap().get("214").is_some());

    let size = std::fs::metadata(&target).unwrap().len();
    let again = db.store.backup_to(&target).await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists(_))),
        "{again:?}"
    );
    assert_eq!(std::fs::metadata(&target).unwrap().len(), size);
    drop(copy);
    assert_eq!(db.store.place_count().await.unwrap(), 2);
}
