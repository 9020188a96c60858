//! Clean-up campaigns of non-standard names (民发〔2018〕146号): a campaign runs the 大/洋/怪
//! rules and the art. 9 duplicate check (重) over the records in use within a jurisdiction and
//! writes the work list; each item is decided by a person — keep (with the reason), standardise
//! the writing (the record's next version, the old writing kept as historical), or open a
//! renaming application — and the progress per division and kind can be exported.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;

use super::applications::{self, proper_name};
use super::{NamingError, optional_text, required_text};
use crate::app::romanize;
use crate::app::{AppState, Staff};
use crate::domain::account::{AccessError, Actor};
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::field_error::FieldErrors;
use crate::domain::naming::{ApplicationContent, ApplicationKind, Step, may_take};
use crate::domain::naming_detect::{Flaw, findings};
use crate::domain::naming_scope::{Sound, clash, scope_of, sound_of};
use crate::domain::place::{AlternateName, AlternateNameKind, ValidPlace};
use crate::domain::romanize::{FeatureClass, is_han};
use crate::domain::text::normalised_name;
use crate::domain::version::ChangeAction;
use crate::store::naming::NewApplication;
use crate::store::naming_campaigns::{Effect, NewItem, ProgressRow, StoredCampaign, StoredItem};
use crate::store::places::{Change, StoredPlace, VersionSelector};

/// A campaign with its progress.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignView {
    /// The campaign.
    #[serde(flatten)]
    pub campaign: StoredCampaign,
    /// Items and decisions per division and kind.
    pub progress: Vec<ProgressRow>,
    /// All items, and how many are decided.
    pub totals: serde_json::Value,
}

/// A decision as staff send it.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    /// `keep`, `standardise` or `rename`.
    pub decision: String,
    /// Why (kept with the decision).
    pub reason: String,
    /// The standard writing (standardise).
    pub new_writing: Option<String>,
    /// The name proposed (rename).
    pub proposed_name: Option<String>,
}

/// Whether the actor's jurisdiction covers all of `prefix` (an admin without one covers all).
fn covers(actor: &Actor, prefix: &str) -> bool {
    (actor.role == crate::domain::account::Role::Admin && actor.jurisdictions.is_empty())
        || actor
            .jurisdictions
            .iter()
            .any(|j| prefix.starts_with(j.as_str()))
}

/// Whether the actor works anywhere in `prefix` (covers it, or a part of it).
fn sees_campaign(actor: &Actor, prefix: &str) -> bool {
    covers(actor, prefix)
        || actor
            .jurisdictions
            .iter()
            .any(|j| j.as_str().starts_with(prefix))
}

fn works_in(actor: &Actor, division: &str) -> bool {
    DivisionCode::parse(division).is_ok_and(|d| actor.works_in(&d))
}

/// Runs the rules over the records in use within `jurisdiction` and writes the work list.
pub async fn start(
    state: &AppState,
    staff: &Staff,
    title: &str,
    jurisdiction: &str,
) -> Result<CampaignView, NamingError> {
    may_take(&staff.actor, Step::Record)?;
    let mut errors = FieldErrors::default();
    let title = required_text(title, "title", 200, &mut errors);
    let jurisdiction = match Jurisdiction::parse(jurisdiction) {
        Ok(j) => Some(j),
        Err(e) => {
            errors.push("jurisdiction", e.to_string());
            None
        }
    };
    errors.into_result(())?;
    let prefix = jurisdiction.expect("checked").as_str().to_string();
    if !covers(&staff.actor, &prefix) {
        return Err(NamingError::Role(
            crate::domain::naming::NamingAccessError::Role(
                staff.actor.role,
                "run a campaign over that jurisdiction",
                "it must lie within yours",
            ),
        ));
    }
    let records = state.store.places_in_use_within(&prefix).await?;
    let items = detect(state, &records).await?;
    let today = state.settings.naming.clock.today();
    let rules = json!({ "words": *state.settings.naming.words, "character_list": "通用规范汉字表 一、二级字表 (6,500)" });
    let id = state
        .store
        .create_campaign(&title, &prefix, today, &rules, &items, &staff.author())
        .await?;
    read(state, staff, id).await
}

/// The work list of `records`: their 大/洋/怪 findings, and 重 against the names of each
/// record's art. 9 scope (which may reach beyond the jurisdiction: townships by province).
pub async fn detect(
    state: &AppState,
    records: &[StoredPlace],
) -> Result<Vec<NewItem>, NamingError> {
    let words = &state.settings.naming.words;
    let mut items = Vec::new();
    let mut scopes: HashMap<(String, Vec<&'static str>), Vec<&StoredPlace>> = HashMap::new();
    for record in records {
        let p = &record.properties;
        let Some(division) = p
            .division_codes
            .first()
            .and_then(|d| DivisionCode::parse(d).ok())
        else {
            continue;
        };
        let class = FeatureClass::of_category(&state.catalog, &p.category);
        let proper = proper_name(&p.standard_name, class);
        for finding in findings(&p.standard_name, &proper, &p.category, words) {
            items.push(NewItem {
                place_id: record.id,
                place_version: record.current_version,
                standard_name: p.standard_name.clone(),
                division_code: division.as_str().to_string(),
                kind: finding.flaw,
                reason: finding.reason,
                matched: finding.matched,
            });
        }
        let scope = scope_of(&p.category, &division);
        scopes
            .entry((scope.prefix, scope.categories))
            .or_default()
            .push(record);
    }
    for ((prefix, categories), members) in scopes {
        let names = state.store.names_in_scope(&prefix, &categories).await?;
        // Names by characters and by sound, each read once.
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut sounds: Vec<Option<Sound>> = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let class = FeatureClass::of_category(&state.catalog, &name.category_code);
            let sound = sound_of(&name.name, class, Some(&name.division_code));
            by_key
                .entry(format!("n:{}", name.name))
                .or_default()
                .push(i);
            if let Some(sound) = &sound {
                by_key
                    .entry(format!("t:{}", sound.toned))
                    .or_default()
                    .push(i);
                by_key
                    .entry(format!("s:{}", sound.toneless))
                    .or_default()
                    .push(i);
            }
            sounds.push(sound);
        }
        let position: HashMap<i64, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.place_id, i))
            .collect();
        for record in members {
            let Some(&me) = position.get(&record.id) else {
                continue;
            };
            let mut keys = vec![format!("n:{}", names[me].name)];
            if let Some(sound) = &sounds[me] {
                keys.push(format!("t:{}", sound.toned));
                keys.push(format!("s:{}", sound.toneless));
            }
            let mut others: Vec<usize> = keys
                .iter()
                .filter_map(|k| by_key.get(k))
                .flatten()
                .copied()
                .filter(|&i| i != me)
                .collect();
            others.sort_unstable();
            others.dedup();
            if others.is_empty() {
                continue;
            }
            let mut reasons = Vec::new();
            let mut matched = Vec::new();
            for i in others {
                let other = &names[i];
                let Some(found) = clash(
                    &names[me].name,
                    sounds[me].as_ref(),
                    &other.name,
                    sounds[i].as_ref(),
                ) else {
                    continue;
                };
                let shown = if other.public {
                    other.name.clone()
                } else {
                    "（不公开的地名）".into()
                };
                reasons.push(format!(
                    "与{}（{}，#{}）{}",
                    shown,
                    other.division_code,
                    other.place_id,
                    found.describe_zh()
                ));
                matched.push(shown);
            }
            if reasons.is_empty() {
                continue;
            }
            let p = &record.properties;
            items.push(NewItem {
                place_id: record.id,
                place_version: record.current_version,
                standard_name: p.standard_name.clone(),
                division_code: names[me].division_code.clone(),
                kind: Flaw::Duplicate,
                reason: format!(
                    "{}：{}",
                    scope_of(
                        &p.category,
                        &DivisionCode::parse(&names[me].division_code)
                            .map_err(|e| FieldErrors::one("division", e.to_string()))?
                    )
                    .rule
                    .describe_zh(),
                    reasons.join("；")
                ),
                matched: matched.join("、"),
            });
        }
    }
    items.sort_by(|a, b| {
        (&a.division_code, a.place_id, a.kind).cmp(&(&b.division_code, b.place_id, b.kind))
    });
    Ok(items)
}

async fn campaign(state: &AppState, staff: &Staff, id: i64) -> Result<StoredCampaign, NamingError> {
    let missing = || NamingError::NotFound(format!("there is no campaign {id}"));
    let campaign = state.store.campaign(id).await?.ok_or_else(missing)?;
    if !sees_campaign(&staff.actor, &campaign.jurisdiction) {
        return Err(missing());
    }
    Ok(campaign)
}

/// A campaign with its progress per division (township) and kind.
pub async fn read(state: &AppState, staff: &Staff, id: i64) -> Result<CampaignView, NamingError> {
    let campaign = campaign(state, staff, id).await?;
    let progress: Vec<ProgressRow> = state
        .store
        .campaign_progress(id)
        .await?
        .into_iter()
        .filter(|row| works_in(&staff.actor, &row.division_code))
        .collect();
    let items: i64 = progress.iter().map(|r| r.items).sum();
    let decided: i64 = progress.iter().map(|r| r.decided).sum();
    let mut by_kind = serde_json::Map::new();
    for flaw in [Flaw::Big, Flaw::Foreign, Flaw::Weird, Flaw::Duplicate] {
        let rows = progress.iter().filter(|r| r.kind == flaw);
        let (n, d) = rows.fold((0, 0), |(n, d), r| (n + r.items, d + r.decided));
        by_kind.insert(
            flaw.as_str().into(),
            json!({ "name": flaw.name_zh(), "items": n, "decided": d }),
        );
    }
    Ok(CampaignView {
        campaign,
        progress,
        totals: json!({ "items": items, "decided": decided, "by_kind": by_kind }),
    })
}

/// The campaigns the actor works in, newest first.
pub async fn list(state: &AppState, staff: &Staff) -> Result<Vec<StoredCampaign>, NamingError> {
    Ok(state
        .store
        .campaigns()
        .await?
        .into_iter()
        .filter(|c| sees_campaign(&staff.actor, &c.jurisdiction))
        .collect())
}

/// The items of a campaign in the actor's jurisdiction, optionally of one kind or undecided.
pub async fn items(
    state: &AppState,
    staff: &Staff,
    id: i64,
    kind: Option<Flaw>,
    undecided_only: bool,
) -> Result<Vec<StoredItem>, NamingError> {
    campaign(state, staff, id).await?;
    Ok(state
        .store
        .campaign_items(id, kind, undecided_only)
        .await?
        .into_iter()
        .filter(|i| works_in(&staff.actor, &i.item.division_code))
        .collect())
}

/// The items as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese).
pub async fn export_csv(state: &AppState, staff: &Staff, id: i64) -> Result<String, NamingError> {
    let items = items(state, staff, id, None, false).await?;
    let mut csv = String::from(
        "\u{feff}item_id,place_id,division_code,standard_name,kind,kind_zh,matched,reason,decision,decision_reason,new_writing,application_id,decided_by,decided_at\r\n",
    );
    let field = |text: &str| {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_string()
        }
    };
    for item in items {
        let row = [
            item.id.to_string(),
            item.item.place_id.to_string(),
            item.item.division_code.clone(),
            item.item.standard_name.clone(),
            item.item.kind.as_str().to_string(),
            item.item.kind.name_zh().to_string(),
            item.item.matched.clone(),
            item.item.reason.clone(),
            item.decision.clone().unwrap_or_default(),
            item.decision_reason.clone().unwrap_or_default(),
            item.new_writing.clone().unwrap_or_default(),
            item.application_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            item.decided_by.clone().unwrap_or_default(),
            item.decided_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ];
        csv.push_str(&row.iter().map(|t| field(t)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    Ok(csv)
}

/// Decides item `item_id` (still at `expected`); returns it as it then stands.
pub async fn decide(
    state: &AppState,
    staff: &Staff,
    item_id: i64,
    expected: i64,
    input: DecisionInput,
) -> Result<StoredItem, NamingError> {
    let missing = || NamingError::NotFound(format!("there is no campaign item {item_id}"));
    let item = state
        .store
        .campaign_item(item_id)
        .await?
        .ok_or_else(missing)?;
    if !works_in(&staff.actor, &item.item.division_code) {
        return Err(missing());
    }
    may_take(&staff.actor, Step::Record)?;
    crate::store::expect_version(expected, item.version)?;
    let mut errors = FieldErrors::default();
    let reason = required_text(&input.reason, "reason", 2000, &mut errors);
    if item.decision.is_some() {
        return Err(FieldErrors::one("decision", "this item is already decided").into());
    }
    let today = state.settings.naming.clock.today();
    let author = staff.author();
    let record = state
        .store
        .place(item.item.place_id, VersionSelector::Current, false)
        .await?
        .ok_or_else(missing)?;
    let comment;
    let (effect, correction) = match input.decision.as_str() {
        "keep" => {
            errors.into_result(())?;
            comment = String::new();
            (Effect::Keep, None)
        }
        "standardise" => {
            let writing = normalised_name(input.new_writing.as_deref().unwrap_or_default());
            if writing.is_empty() || !writing.chars().all(|c| is_han(c) || c.is_ascii_digit()) {
                errors.push("new_writing", "the standard writing, in Chinese characters");
            } else if writing == record.properties.standard_name {
                errors.push("new_writing", "the record is already written so");
            }
            errors.into_result(())?;
            let mut properties = record.properties.clone();
            properties.alternate_names.push(AlternateName {
                name: properties.standard_name.clone(),
                kind: AlternateNameKind::Historical,
                language: None,
                valid_from: None,
                valid_to: Some(today),
                note: Some(format!("不规范写法，{today}规范为{writing}：{reason}")),
            });
            properties.standard_name = writing.clone();
            properties.romanization = None;
            properties.generic_romanization = None;
            comment = format!("地名规范化（清理整治第{}号）：{}", item.campaign_id, reason);
            let place =
                ValidPlace::parse(properties, record.geometry.as_ref(), &state.catalog, today)?;
            staff
                .actor
                .may_edit_places_in(place.divisions())
                .map_err(|e: AccessError| NamingError::Access(e))?;
            let (place, correction) =
                romanize::settle(state, place, Some(&record.properties), Some(&comment)).await?;
            (
                Effect::Standardise {
                    new_writing: writing,
                    expected_place_version: record.current_version,
                    place: Box::new(place),
                },
                correction,
            )
        }
        "rename" => {
            let proposed = normalised_name(input.proposed_name.as_deref().unwrap_or_default());
            if proposed.is_empty() || !proposed.chars().all(|c| is_han(c) || c.is_ascii_digit()) {
                errors.push("proposed_name", "the name proposed, in Chinese characters");
            }
            let location = optional_text(
                record.properties.description.as_deref(),
                "location",
                2000,
                &mut errors,
            );
            errors.into_result(())?;
            let division = DivisionCode::parse(&item.item.division_code).map_err(|_| missing())?;
            let checks = applications::intake_checks(
                state,
                &staff.actor,
                &proposed,
                &record.properties.category,
                &division,
                Some(record.id),
            )
            .await?;
            let chain = state.division_chain(Some(division.as_str())).await?;
            let application = NewApplication {
                kind: ApplicationKind::Renaming,
                place_id: Some(record.id),
                proposed_name: proposed.clone(),
                current_name: Some(record.properties.standard_name.clone()),
                category_code: record.properties.category.clone(),
                division_codes: record.properties.division_codes.clone(),
                content: ApplicationContent {
                    plan: format!(
                        "{}更名为{}（不规范地名清理整治第{}号）",
                        record.properties.standard_name, proposed, item.campaign_id
                    ),
                    reasons: format!("{}；{}", item.item.reason, reason),
                    location: location
                        .unwrap_or_else(|| chain.iter().map(|d| d.name.as_str()).collect()),
                    ..Default::default()
                },
                geometry: None,
                intake_checks: serde_json::to_value(&checks).unwrap_or_default(),
                filed_on: today,
            };
            comment = String::new();
            (Effect::Rename(Box::new(application)), None)
        }
        _ => {
            errors.push("decision", "keep, standardise or rename");
            return Err(errors.into());
        }
    };
    let change = Change {
        action: ChangeAction::Updated,
        effective_on: today,
        comment: Some(&comment),
        author: &author,
        correction: correction.as_ref(),
    };
    state
        .store
        .decide_item(item_id, expected, &reason, &effect, &change)
        .await?;
    if matches!(effect, Effect::Standardise { .. })
        && let Some(stored) = state
            .store
            .place(record.id, VersionSelector::Current, false)
            .await?
    {
        state.place_changed(&stored);
    }
    state
        .store
        .campaign_item(item_id)
        .await?
        .ok_or_else(missing)
}
