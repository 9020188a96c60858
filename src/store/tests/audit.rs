//! The audit log: entries newest first, filtered by who, what and which, paged by id.

use super::{fresh, place};
use crate::domain::version::ChangeAction;
use crate::store::audit::{AuditFilter, Author};
use crate::store::places::Change;

#[tokio::test]
async fn entries_are_filtered_by_author_target_and_paged_newest_first() {
    let db = fresh().await;
    let catalog = super::catalog(&db.store).await;
    let office = Author {
        user_id: None,
        username: "office".into(),
        remote_addr: Some("192.0.2.7".into()),
    };
    let loader = Author::system("loader");
    let mut ids = Vec::new();
    for (name, author) in [("一", &office), ("二", &loader), ("三", &office)] {
        let change = Change {
            action: ChangeAction::Created,
            effective_on: super::day(2020, 1, 1),
            comment: Some("登记"),
            author,
            correction: None,
        };
        let created = db
            .store
            .create_place(&place(&catalog, name, "241", &["330421101"]), &change)
            .await
            .unwrap();
        ids.push(created.id);
    }

    let every = db
        .store
        .audit_entries(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(every.len(), 3);
    assert!(every.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert_eq!(
        every[0].target_id.as_deref(),
        Some(ids[2].to_string().as_str())
    );
    assert!(every.windows(2).all(|w| w[0].at >= w[1].at));

    let by_office = db
        .store
        .audit_entries(&AuditFilter {
            username: Some("office".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let targets: Vec<_> = by_office
        .iter()
        .map(|e| e.target_id.clone().unwrap())
        .collect();
    assert_eq!(targets, [ids[2].to_string(), ids[0].to_string()]);
    assert!(
        by_office
            .iter()
            .all(|e| e.remote_addr.as_deref() == Some("192.0.2.7") && e.user_id.is_none())
    );
    assert_eq!(by_office[0].detail.as_ref().unwrap()["comment"], "登记");

    let one = db
        .store
        .audit_entries(&AuditFilter {
            target_type: Some("place".into()),
            target_id: Some(ids[1].to_string()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].username, "loader");
    assert_eq!(one[0].remote_addr, None);

    let none = db
        .store
        .audit_entries(&AuditFilter {
            target_type: Some("sign".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());

    // Paging: the newest entry, then the ones before it.
    let first_page = db
        .store
        .audit_entries(&AuditFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first_page.len(), 1);
    assert_eq!(first_page[0].id, every[0].id);
    let next_page = db
        .store
        .audit_entries(&AuditFilter {
            before_id: Some(first_page[0].id),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let next: Vec<_> = next_page.iter().map(|e| e.id).collect();
    assert_eq!(next, [every[1].id, every[2].id]);
}
