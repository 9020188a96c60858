//! Romanization in use: a name's form by the rules or a learned correction, the romanization
//! step of record writes (fill it in when missing, learn it when staff correct it), and the
//! check of stored records against the rules for the clean-up of non-standard names.

use serde::Serialize;

use super::{AppState, Staff};
use crate::domain::field_error::FieldErrors;
use crate::domain::place::{PlaceProperties, ValidPlace};
use crate::domain::romanize::{FeatureClass, Request, Romanization, Romanizer, untoned};
use crate::store::StoreError;
use crate::store::places::PlaceFilter;
use crate::store::romanization::NewCorrection;

/// Records read from the store at a time while checking.
const CHECK_BATCH: i64 = 1000;

/// What can go wrong with a romanization use case.
#[derive(Debug, thiserror::Error)]
pub enum RomanizeError {
    /// The name or category cannot be romanized by the rules; the fields say why.
    #[error("{0}")]
    Invalid(#[from] FieldErrors),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The romanization a name should have: a learned correction for it in its division (when
/// `corrections` says one may exist), else the rules. The public only benefits from corrections
/// made on public records, without the name of the staff member who made them.
pub async fn expected(
    state: &AppState,
    request: &Request<'_>,
    corrections: bool,
    public: bool,
) -> Result<Romanization, RomanizeError> {
    let engine = Romanizer::default();
    if corrections
        && let Some(division) = request.division
        && let Some(mut learned) = state
            .store
            .learned_spelling(request.name.trim(), division, public)
            .await?
    {
        if public {
            learned.by = "staff".into();
        }
        return Ok(engine.learned(request.name.trim(), request.class, &learned));
    }
    engine
        .romanize(request)
        .map_err(|e| FieldErrors::one(e.field(), e.to_string()).into())
}

/// The feature class whose rules apply to `category` (a code or a class name).
pub fn feature_class(
    state: &AppState,
    category: &str,
    field: &str,
) -> Result<FeatureClass, RomanizeError> {
    let resolved = state
        .catalog
        .resolve(category)
        .map_err(|e| FieldErrors::one(field, e.to_string()))?;
    FeatureClass::of_category(&state.catalog, category).ok_or_else(|| {
        let major = state.catalog.major_class(resolved);
        FieldErrors::one(
            field,
            format!("{} has no romanization rules", major.name_zh),
        )
        .into()
    })
}

/// What the rules expect for a record, or `None` when its name cannot be romanized by them
/// (letters or characters outside the dictionaries: staff give those by hand). `corrections`
/// says whether a learned correction may exist for its name.
async fn expected_for_record(
    state: &AppState,
    properties: &PlaceProperties,
    corrections: bool,
) -> Result<Option<Romanization>, RomanizeError> {
    let request = properties.romanization_request(&state.catalog);
    match expected(state, &request, corrections, false).await {
        Ok(result) => Ok(Some(result)),
        Err(RomanizeError::Invalid(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Whether a stored romanization differs from what the rules expect, tone marks aside.
fn differs(stored: &str, expected: &Romanization) -> bool {
    // A typographic apostrophe (Chang’an) is the same mark as the ASCII one.
    let normalised = |text: &str| {
        untoned(&text.replace('’', "'"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    normalised(stored) != normalised(&expected.sign)
}

/// Settles a record's romanization before it is written: fills it in from the rules when it has
/// none, and returns a correction to learn when staff changed an existing record's romanization
/// to one the rules disagree with. A romanization given at registration is data entry, not a
/// correction: the check flags it if the rules disagree.
pub async fn settle(
    state: &AppState,
    place: ValidPlace,
    previous: Option<&PlaceProperties>,
    reason: Option<&str>,
) -> Result<(ValidPlace, Option<NewCorrection>), RomanizeError> {
    settle_knowing(state, place, previous, reason, true).await
}

/// `settle`, told whether a learned correction may exist for the record's name (`corrected`:
/// false when the names ever corrected, read once for many records, do not hold it).
pub async fn settle_knowing(
    state: &AppState,
    place: ValidPlace,
    previous: Option<&PlaceProperties>,
    reason: Option<&str>,
    corrected: bool,
) -> Result<(ValidPlace, Option<NewCorrection>), RomanizeError> {
    let Some(expected) = expected_for_record(state, place.properties(), corrected).await? else {
        return Ok((place, None));
    };
    let properties = place.properties();
    let Some(given) = properties.romanization.clone() else {
        return Ok((place.with_generated_romanization(&expected), None));
    };
    let Some(previous) = previous else {
        return Ok((place, None));
    };
    let unchanged = previous.romanization.as_deref() == Some(given.as_str())
        && previous.standard_name == properties.standard_name;
    if unchanged || !differs(&given, &expected) {
        return Ok((place, None));
    }
    let correction = NewCorrection {
        name: properties.standard_name.clone(),
        division_code: place
            .divisions()
            .first()
            .map(|d| d.significant_prefix().to_string())
            .unwrap_or_default(),
        category_code: properties.category.clone(),
        romanization: given,
        generic: properties.generic_romanization.clone(),
        engine_said: Some(expected.standard.clone()),
        reason: reason.unwrap_or_default().to_string(),
        classification: properties.classification.as_str().to_string(),
    };
    Ok((place, Some(correction)))
}

/// What the check found wrong with a record's romanization.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// The stored romanization differs from the rules'.
    Differs,
    /// The record has no romanization.
    Missing,
}

/// A record whose romanization the check flags, with what the rules expect and why.
#[derive(Debug, Serialize)]
pub struct CheckedRecord {
    id: i64,
    code: String,
    standard_name: String,
    division: Option<String>,
    finding: Finding,
    stored: Option<String>,
    expected: String,
    expected_sign: String,
    reasons: Vec<String>,
}

/// The outcome of a check: how many records were read, and those flagged.
#[derive(Debug)]
pub struct CheckReport {
    /// Records read.
    pub checked: usize,
    /// Records flagged, in register order.
    pub findings: Vec<CheckedRecord>,
}

/// The current records matching `filter` (a division, a category) whose stored romanization
/// disagrees with the rules or is missing. Staff only (the caller is a `Staff`).
pub async fn check(
    state: &AppState,
    _staff: &Staff,
    mut filter: PlaceFilter,
) -> Result<CheckReport, RomanizeError> {
    filter.status = Some("current");
    filter.limit = CHECK_BATCH;
    filter.offset = 0;
    let corrected_names = state.store.corrected_names().await?;
    let mut findings = Vec::new();
    let mut checked = 0;
    loop {
        let (places, total) = state.store.list_places(&filter).await?;
        for place in &places {
            checked += 1;
            // Only names someone corrected need the corrections table: one query, not one
            // per record.
            let corrected = corrected_names.contains(&place.properties.standard_name);
            let Some(expected) = expected_for_record(state, &place.properties, corrected).await?
            else {
                continue;
            };
            let stored = place.properties.romanization.clone();
            let finding = match &stored {
                None => Finding::Missing,
                Some(text) if differs(text, &expected) => Finding::Differs,
                Some(_) => continue,
            };
            findings.push(CheckedRecord {
                id: place.id,
                code: place.code.clone(),
                standard_name: place.properties.standard_name.clone(),
                division: place.properties.division_codes.first().cloned(),
                finding,
                stored,
                expected: expected.standard,
                expected_sign: expected.sign,
                reasons: expected
                    .reasons
                    .into_iter()
                    .map(|r| format!("{}: {}", r.rule, r.detail))
                    .collect(),
            });
        }
        filter.offset += CHECK_BATCH;
        if places.is_empty() || filter.offset >= total {
            break;
        }
    }
    Ok(CheckReport { checked, findings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_marks_spacing_and_typographic_apostrophes_do_not_count_as_differences() {
        let request = Request {
            name: "长安镇",
            class: FeatureClass::parse("21"),
            ..Default::default()
        };
        let expected = Romanizer::default().romanize(&request).unwrap();
        for same in ["Chang'an Zhen", "Chang’an Zhen", "Cháng'ān  Zhèn"] {
            assert!(!differs(same, &expected), "{same}");
        }
        for other in ["Changan Zhen", "Chang'an", "zhang'an zhen"] {
            assert!(differs(other, &expected), "{other}");
        }
    }
}
