//! `/api/v1/romanize`: a name's romanization by the rules (with the reasons for each choice), the
//! check of stored records against the rules for clean-up campaigns, and the romanization step
//! of record writes (fill it in when missing, learn it when staff correct it).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::identity::{Identity, Staff};
use super::problem::Problem;
use crate::domain::division_code::Jurisdiction;
use crate::domain::place::{PlaceProperties, ValidPlace};
use crate::domain::romanize::{FeatureClass, Request, Romanization, Romanizer, untoned};
use crate::store::places::PlaceFilter;
use crate::store::romanization::NewCorrection;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;
/// Records read from the store at a time while checking.
const CHECK_BATCH: i64 = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RomanizeQuery {
    name: Option<String>,
    category: Option<String>,
    division: Option<String>,
    /// An explicit split: the proper name (专名); the rest of the name is the generic term.
    proper: Option<String>,
}

pub async fn romanize(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<RomanizeQuery>,
) -> Result<HttpResponse, Problem> {
    let name = query.name.as_deref().map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(Problem::invalid_field(
            "name",
            "give the Chinese name to romanize",
        ));
    }
    let class = match query
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(category) => Some(feature_class(&state, category, "category")?),
        None => None,
    };
    let division = match query
        .division
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(division) => Some(
            Jurisdiction::parse(division)
                .map_err(|e| Problem::invalid_field("division", e.to_string()))?,
        ),
        None => None,
    };
    let split = match query.proper.as_deref().map(str::trim) {
        Some(proper) if !proper.is_empty() => {
            let generic = name.strip_prefix(proper).ok_or_else(|| {
                Problem::invalid_field(
                    "proper",
                    format!("{proper:?} does not begin the name {name:?}"),
                )
            })?;
            Some((proper, generic))
        }
        _ => None,
    };
    let request = Request {
        name,
        class,
        division: division.as_ref().map(Jurisdiction::as_str),
        split,
    };
    let result = expected(&state, &request, true, identity.is_public()).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// The romanization a name should have: a learned correction for it in its division (when
/// `corrections` says one may exist), else the rules. The public only benefits from corrections
/// made on public records, without the name of the staff member who made them.
async fn expected(
    state: &AppState,
    request: &Request<'_>,
    corrections: bool,
    public: bool,
) -> Result<Romanization, Problem> {
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
        .map_err(|e| Problem::invalid_field(e.field(), e.to_string()))
}

fn feature_class(state: &AppState, category: &str, field: &str) -> Result<FeatureClass, Problem> {
    let resolved = state
        .catalog
        .resolve(category)
        .map_err(|e| Problem::invalid_field(field, e.to_string()))?;
    FeatureClass::of_category(&state.catalog, category).ok_or_else(|| {
        let major = state.catalog.major_class(resolved);
        Problem::invalid_field(
            field,
            format!("{} has no romanization rules", major.name_zh),
        )
    })
}

/// What the rules expect for a record, or `None` when its name cannot be romanized by them
/// (letters or characters outside the dictionaries: staff give those by hand). `corrections`
/// says whether a learned correction may exist for its name.
async fn expected_for_record(
    state: &AppState,
    properties: &PlaceProperties,
    corrections: bool,
) -> Result<Option<Romanization>, Problem> {
    let request = Request::for_record(properties, &state.catalog);
    match expected(state, &request, corrections, false).await {
        Ok(result) => Ok(Some(result)),
        Err(problem) if problem.status == 400 => Ok(None),
        Err(problem) => Err(problem),
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
/// correction: the check endpoint flags it if the rules disagree.
pub async fn settle(
    state: &AppState,
    place: ValidPlace,
    previous: Option<&PlaceProperties>,
    reason: Option<&str>,
) -> Result<(ValidPlace, Option<NewCorrection>), Problem> {
    let Some(expected) = expected_for_record(state, place.properties(), true).await? else {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckQuery {
    division: Option<String>,
    category: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Finding {
    /// The stored romanization differs from the rules'.
    Differs,
    /// The record has no romanization.
    Missing,
}

#[derive(Serialize)]
struct CheckedRecord {
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

/// `GET /api/v1/romanize/check`: the current records (of a division, a category) whose stored
/// romanization disagrees with the rules, for the clean-up of non-standard names. Staff only.
pub async fn check(
    state: web::Data<AppState>,
    _staff: Staff,
    query: web::Query<CheckQuery>,
) -> Result<HttpResponse, Problem> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Problem::invalid_field(
            "limit",
            format!("limit is between 1 and {MAX_PAGE}"),
        ));
    }
    let offset = query.offset.unwrap_or(0);
    let mut filter = PlaceFilter {
        status: Some("current"),
        limit: CHECK_BATCH,
        ..Default::default()
    };
    if let Some(division) = query.division.as_deref().filter(|d| !d.trim().is_empty()) {
        let prefix = Jurisdiction::parse(division)
            .map_err(|e| Problem::invalid_field("division", e.to_string()))?;
        filter.division_prefix = Some(prefix.as_str().to_string());
    }
    if let Some(category) = query.category.as_deref().filter(|c| !c.trim().is_empty()) {
        let resolved = state
            .catalog
            .resolve(category)
            .map_err(|e| Problem::invalid_field("category", e.to_string()))?;
        filter.category_code = Some(resolved.code.clone());
    }
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
            let Some(expected) = expected_for_record(&state, &place.properties, corrected).await?
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
    let matched = findings.len();
    let page: Vec<CheckedRecord> = findings.into_iter().skip(offset).take(limit).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "checked": checked,
        "numberMatched": matched,
        "numberReturned": page.len(),
        "records": page,
    })))
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
