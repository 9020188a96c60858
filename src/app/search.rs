//! Name search and autocomplete from the in-memory name index, each hit with its division chain
//! so that the many identical names (新村, 人民路) can be told apart.

use serde::Serialize;

use super::{AppState, Identity};
use crate::search::{NameKind, NameRecord, SearchQuery};
use crate::store::StoreError;
use crate::store::reference::Division;

/// One hit: the record, the name that matched and how, and where it lies.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    id: i64,
    name: String,
    matched_name: String,
    /// `standard`, or the kind of alternate name that matched (alias, historical …).
    name_kind: String,
    #[serde(rename = "match")]
    match_kind: &'static str,
    status: &'static str,
    category: String,
    romanization: Option<String>,
    divisions: Vec<Division>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distance_m: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<[f64; 2]>,
}

/// The names matching `query`, best first; the public finds public records only.
pub async fn search(
    state: &AppState,
    identity: &Identity,
    mut query: SearchQuery<'_>,
) -> Result<Vec<Hit>, StoreError> {
    query.public_only |= identity.is_public();
    let found: Vec<(NameRecord, &'static str, Option<f64>)> = {
        let index = state
            .names
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        index
            .search(&query)
            .into_iter()
            .map(|hit| (hit.record.clone(), hit.kind.as_str(), hit.distance_m))
            .collect()
    };
    let mut hits = Vec::with_capacity(found.len());
    for (record, match_kind, distance_m) in found {
        let divisions = state
            .division_chain(record.division_code.as_deref())
            .await?;
        hits.push(Hit {
            id: record.place_id,
            name: record.standard_name().to_string(),
            matched_name: record.name.to_string(),
            name_kind: match &record.kind {
                NameKind::Standard => "standard".to_string(),
                NameKind::Alternate { kind, .. } => kind.to_string(),
            },
            match_kind,
            status: if record.current {
                "current"
            } else {
                "historical"
            },
            category: record.category.to_string(),
            romanization: record.romanization.as_deref().map(str::to_string),
            divisions,
            distance_m: distance_m.map(f64::round),
            position: record.position.map(|(x, y)| [x, y]),
        });
    }
    Ok(hits)
}
