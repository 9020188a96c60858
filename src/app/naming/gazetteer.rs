//! The gazetteer (地名志) of a division as of a day, assembled from the register: the overview
//! from the division's own record and counts, the chronicle (大事记) from the division events in
//! force and the naming approvals, the public records in force that day by category, both indexes,
//! and the appendix of changes. Only public records and applied events enter the book: it is
//! made to be published.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::NamingError;
use crate::app::{AppState, Staff};
use crate::domain::division_code::DivisionCode;
use crate::domain::division_event::{EventKind, EventStatus};
use crate::domain::gazetteer::{ChronicleLine, Entry, Gazetteer, NameChange};
use crate::domain::naming::{ApplicationKind, Stage};
use crate::domain::place::AlternateNameKind;
use crate::store::StoreError;
use crate::store::naming::ApplicationFilter;
use crate::store::places::{PlaceFilter, StoredPlace};

/// The book of `code` as the register stood on `as_of` (today when not given). Any staff member
/// working in the division may make it.
pub async fn gazetteer(
    state: &AppState,
    staff: &Staff,
    code: &DivisionCode,
    as_of: Option<NaiveDate>,
) -> Result<Gazetteer, NamingError> {
    if !staff.actor.works_in(code) {
        return Err(NamingError::NotFound(format!(
            "there is no division {code} you work in"
        )));
    }
    assemble(state, code, as_of.unwrap_or_else(crate::app::today)).await
}

/// The book of `code` on `as_of` as a typeset PDF (Chinese font embedded, contents, running
/// heads, page numbers, indexes with the pages of their entries).
pub async fn gazetteer_pdf(
    state: &AppState,
    staff: &Staff,
    code: &DivisionCode,
    as_of: Option<NaiveDate>,
) -> Result<Vec<u8>, NamingError> {
    // A missing font is said before the register is read.
    state.pdf.check()?;
    let book = gazetteer(state, staff, code, as_of).await?;
    let document = crate::render::gazetteer_pdf::gazetteer_document(&book);
    Ok(crate::app::pdf::render(state, document).await?)
}

/// The book of `code` on `as_of`, without the caller's check (benchmarks and the command line).
pub async fn assemble(
    state: &AppState,
    code: &DivisionCode,
    as_of: NaiveDate,
) -> Result<Gazetteer, NamingError> {
    let division = state
        .store
        .division_as_of(code, as_of)
        .await?
        .ok_or_else(|| {
            NamingError::NotFound(format!("division {code} was not in force on {as_of}"))
        })?;
    let chain = state.division_chain(Some(code.as_str())).await?;
    let division_name: String = chain.iter().map(|d| d.name.as_str()).collect();
    let prefix = code.significant_prefix().to_string();
    let (records, _) = state
        .store
        .list_places(&PlaceFilter {
            division_prefix: Some(prefix.clone()),
            as_of: Some(as_of),
            public_only: true,
            limit: i64::MAX,
            ..PlaceFilter::default()
        })
        .await?;
    let mut entries = Vec::with_capacity(records.len());
    for record in &records {
        entries.push(entry(state, code, record).await?);
    }
    let mut categories: Vec<String> = state
        .catalog
        .all()
        .into_iter()
        .filter(|c| c.parent_code.is_none())
        .map(|c| c.code.clone())
        .collect();
    categories.sort();

    let (mut chronicle, mut changes) = division_history(state, &prefix, as_of).await?;
    let (naming_lines, naming_changes) = naming_history(state, &prefix, as_of).await?;
    chronicle.extend(naming_lines);
    changes.extend(naming_changes);
    let overview = overview(state, &division.name, code, as_of, &entries).await?;
    Ok(Gazetteer::assemble(
        format!("{}地名志", division.name),
        code.as_str().to_string(),
        division_name,
        as_of,
        overview,
        chronicle,
        entries,
        &categories,
        changes,
    ))
}

/// A record as an entry, filed under its top-level category.
async fn entry(
    state: &AppState,
    book: &DivisionCode,
    record: &StoredPlace,
) -> Result<Entry, StoreError> {
    let p = &record.properties;
    let top = top_category(state, &p.category);
    let own = state.catalog.get(&p.category).map(|c| c.name_zh.clone());
    let chain = state
        .division_chain(p.division_codes.first().map(String::as_str))
        .await?;
    // Where it lies below the book's own division: 西塘镇 in the book of 嘉善县.
    let below: String = chain
        .iter()
        .filter(|d| d.level > book.level())
        // A division's own record lies in itself: 干窑镇 is not "in 干窑镇".
        .filter(|d| d.name != p.standard_name)
        .map(|d| d.name.as_str())
        .collect();
    let mut location = below;
    if let Some(own) = own
        && own != top.1
    {
        if !location.is_empty() {
            location.push_str(" · ");
        }
        location.push_str(&own);
    }
    Ok(Entry {
        place_id: record.id,
        name: p.standard_name.clone(),
        romanization: p.romanization.clone().unwrap_or_default(),
        category: top,
        location,
        meaning: p.meaning.clone(),
        history: p.history.clone(),
        description: p.description.clone(),
        former_names: p
            .alternate_names
            .iter()
            .filter(|a| a.kind == AlternateNameKind::Historical)
            .map(|a| a.name.clone())
            .collect(),
    })
}

/// The top-level category of `code` (`24` 居民点 for `242`), with its Chinese name.
fn top_category(state: &AppState, code: &str) -> (String, String) {
    let mut current = state.catalog.get(code);
    while let Some(category) = current {
        match category.parent_code.as_deref() {
            Some(parent) if state.catalog.get(parent).is_some() => {
                current = state.catalog.get(parent)
            }
            _ => return (category.code.clone(), category.name_zh.clone()),
        }
    }
    (code.to_string(), code.to_string())
}

/// The overview: the division's own record's description, meaning and history, then what the
/// book holds.
async fn overview(
    state: &AppState,
    name: &str,
    code: &DivisionCode,
    as_of: NaiveDate,
    entries: &[Entry],
) -> Result<Vec<String>, StoreError> {
    let mut lines = Vec::new();
    if let Some(own) = state
        .store
        .division_place_as_of(code.as_str(), as_of, true)
        .await?
    {
        let p = own.properties;
        for text in [p.description, p.meaning, p.history].into_iter().flatten() {
            lines.push(text);
        }
    }
    let mut by_category: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in entries {
        *by_category.entry(entry.category.1.as_str()).or_default() += 1;
    }
    let counts: Vec<String> = by_category
        .iter()
        .map(|(category, n)| format!("{category} {n} 条"))
        .collect();
    lines.push(format!(
        "本志收录{name}截至 {as_of} 的标准地名 {} 条：{}。",
        entries.len(),
        counts.join("，")
    ));
    Ok(lines)
}

/// The applied division events under `prefix` up to `as_of`, as chronicle lines and changes.
async fn division_history(
    state: &AppState,
    prefix: &str,
    as_of: NaiveDate,
) -> Result<(Vec<ChronicleLine>, Vec<NameChange>), StoreError> {
    let mut chronicle = Vec::new();
    let mut changes = Vec::new();
    for event in state.store.division_events(None).await? {
        if event.status != EventStatus::Applied || event.effective_on > as_of {
            continue;
        }
        let touches = event.changes.iter().any(|c| {
            c.code
                .as_deref()
                .is_some_and(|code| code.starts_with(prefix))
                || c.becomes
                    .as_ref()
                    .is_some_and(|b| b.code.starts_with(prefix))
        });
        if !touches {
            continue;
        }
        let document = event
            .approval
            .as_ref()
            .map(|a| format!("{}（{}）", a.authority, a.document_number));
        chronicle.push(ChronicleLine {
            on: event.effective_on,
            text: match &document {
                Some(document) => format!("{}。批准：{document}。", event.summary),
                None => format!("{}。", event.summary),
            },
        });
        let day_before = event.effective_on.checked_sub_days(Days::new(1));
        for change in &event.changes {
            let Some(old_code) = change.code.as_deref() else {
                continue;
            };
            let old_name = match (DivisionCode::parse(old_code), day_before) {
                (Ok(code), Some(day)) => state
                    .store
                    .division_as_of(&code, day)
                    .await?
                    .map(|d| d.name),
                _ => None,
            };
            let Some(old_name) = old_name else { continue };
            let new_name = change
                .becomes
                .as_ref()
                .map(|b| b.name.clone())
                .unwrap_or_default();
            if new_name == old_name {
                continue;
            }
            changes.push(NameChange {
                on: event.effective_on,
                from: old_name,
                to: new_name,
                kind: event_kind_zh(event.kind).to_string(),
                document: document.clone(),
            });
        }
    }
    Ok((chronicle, changes))
}

fn event_kind_zh(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Establish => "设立",
        EventKind::Abolish => "撤销",
        EventKind::Rename => "更名",
        EventKind::Merge => "合并",
        EventKind::Split => "拆分",
        EventKind::Reparent => "隶属变更",
        EventKind::SeatMove => "驻地迁移",
        EventKind::ChangeKind => "建制变更",
    }
}

/// The approved namings and renamings under `prefix` up to `as_of` (of public records only).
async fn naming_history(
    state: &AppState,
    prefix: &str,
    as_of: NaiveDate,
) -> Result<(Vec<ChronicleLine>, Vec<NameChange>), StoreError> {
    let approved = state
        .store
        .applications(&ApplicationFilter {
            stages: vec![Stage::Approved, Stage::Completed],
            division_prefix: Some(prefix.to_string()),
        })
        .await?;
    let mut chronicle = Vec::new();
    let mut changes = Vec::new();
    for application in approved {
        let Some(approval) = &application.approval else {
            continue;
        };
        if approval.approved_on > as_of {
            continue;
        }
        let public = match application.place_id {
            Some(id) => state
                .store
                .place(id, crate::store::places::VersionSelector::Current, true)
                .await?
                .is_some(),
            None => false,
        };
        if !public {
            continue;
        }
        let document = format!("{}（{}）", approval.authority, approval.document_number);
        let text = match (application.kind, &application.current_name) {
            (ApplicationKind::Renaming, Some(old)) => {
                changes.push(NameChange {
                    on: approval.approved_on,
                    from: old.clone(),
                    to: application.proposed_name.clone(),
                    kind: "更名".to_string(),
                    document: Some(document.clone()),
                });
                format!("{document}批准{old}更名为{}。", application.proposed_name)
            }
            _ => format!("{document}批准命名{}。", application.proposed_name),
        };
        chronicle.push(ChronicleLine {
            on: approval.approved_on,
            text,
        });
    }
    Ok((chronicle, changes))
}
