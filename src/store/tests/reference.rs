//! Reference data: the category catalogue the migrations load, and importing the division
//! table (a second import of the same table changes nothing).

use std::cell::Cell;

use super::{author, code, fresh, jiaxing, row};
use crate::domain::division_code::DivisionLevel;
use crate::store::audit::AuditFilter;

#[tokio::test]
async fn the_migrations_load_the_category_catalogue() {
    let db = fresh().await;
    let catalog = super::catalog(&db.store).await;
    assert!(catalog.len() > 50, "{} categories", catalog.len());
    let streets = catalog.get("2531").unwrap();
    assert_eq!(streets.name_zh, "街");
    assert_eq!(streets.parent_code.as_deref(), Some("253"));
    let major = catalog.get("21").unwrap();
    assert_eq!(major.parent_code, None);
    assert_eq!(major.name_en, "Administrative divisions");
    assert!(catalog.get("2539").is_none());
}

#[tokio::test]
async fn importing_the_same_division_table_twice_changes_nothing() {
    let db = fresh().await;
    let author = author();
    let progress = Cell::new(0u64);
    let first = db
        .store
        .import_divisions(&jiaxing(), &author, |done| progress.set(done))
        .await
        .unwrap();
    assert_eq!(first.added, 6);
    assert_eq!(
        (first.renamed, first.unchanged, first.kept_by_events),
        (0, 0, 0)
    );
    assert_eq!(first.added_by_level.get("county"), Some(&2));
    assert_eq!(first.added_by_level.get("township"), Some(&2));
    assert_eq!(first.added_by_level.get("province"), Some(&1));
    assert_eq!(progress.get(), 6);
    let before = db.store.all_divisions().await.unwrap();
    assert_eq!(before.len(), 6);

    let second = db
        .store
        .import_divisions(&jiaxing(), &author, |_| {})
        .await
        .unwrap();
    assert_eq!((second.added, second.renamed, second.unchanged), (0, 0, 6));
    assert!(second.added_by_level.is_empty());
    let mut after = db.store.all_divisions().await.unwrap();
    let mut before = before;
    before.sort_by(|a, b| a.code.cmp(&b.code));
    after.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(after, before);

    // A renamed division takes its new name; the rest stays.
    let mut renamed = jiaxing();
    renamed.push(row("330402", "南湖区"));
    renamed[1] = row("330421102", "西塘古镇");
    let third = db
        .store
        .import_divisions(&renamed, &author, |_| {})
        .await
        .unwrap();
    assert_eq!((third.added, third.renamed, third.unchanged), (1, 1, 5));
    let chain = db.store.division_chain(&code("330421102")).await.unwrap();
    assert_eq!(chain.last().unwrap().name, "西塘古镇");

    let imports = db
        .store
        .audit_entries(&AuditFilter {
            target_type: Some("division".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(imports.len(), 3);
    assert!(imports.iter().all(|e| e.action == "divisions.import"));
    assert_eq!(imports[1].detail.as_ref().unwrap()["unchanged"], 6);
}

#[tokio::test]
async fn a_division_chain_runs_from_the_province_down_and_skips_unknown_levels() {
    let db = fresh().await;
    db.store
        .import_divisions(&jiaxing(), &author(), |_| {})
        .await
        .unwrap();
    let chain = db.store.division_chain(&code("330421101")).await.unwrap();
    let named: Vec<_> = chain
        .iter()
        .map(|d| (d.code.as_str(), d.name.as_str(), d.level))
        .collect();
    assert_eq!(
        named,
        [
            ("330000", "浙江省", DivisionLevel::Province),
            ("330400", "嘉兴市", DivisionLevel::Prefecture),
            ("330421", "嘉善县", DivisionLevel::County),
            ("330421101", "魏塘街道", DivisionLevel::Township),
        ]
    );
    // 330402 is not imported: its chain stops above it.
    let partial = db.store.division_chain(&code("330402")).await.unwrap();
    assert_eq!(partial.len(), 2);
    assert_eq!(partial[1].name, "嘉兴市");
}

#[tokio::test]
async fn division_ends_answers_only_for_known_codes() {
    let db = fresh().await;
    db.store
        .import_divisions(&jiaxing(), &author(), |_| {})
        .await
        .unwrap();
    let ends = db
        .store
        .division_ends(&[code("330421"), code("330402"), code("330482")])
        .await
        .unwrap();
    assert_eq!(ends.len(), 2);
    assert_eq!(ends.get("330421"), Some(&None));
    assert_eq!(ends.get("330482"), Some(&None));
    assert!(!ends.contains_key("330402"));
    assert!(db.store.division_ends(&[]).await.unwrap().is_empty());
}
