//! Heritage names (地名文化遗产保护名录, art. 25): staff nominate a record's name with its
//! evidence, reviewers list it with its protection measures or reject it with a reason, and a
//! listed name may be de-listed with a reason. A listed name has a public page, linked from the
//! public page of every sign that shows it; nominations never reach the public.

use chrono::NaiveDate;

use super::{NamingError, not_future, optional_text, required_text};
use crate::app::{AppState, Staff};
use crate::domain::account::Actor;
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::naming::{Step, may_take, sees};
use crate::domain::naming_heritage::{Evidence, HeritageMove, HeritageStatus};
use crate::domain::place::PlaceStatus;
use crate::render::naming_pages::{self, HeritagePage};
use crate::store::StoreError;
use crate::store::naming_heritage::{HeritageChange, StoredHeritage};
use crate::store::places::{StoredPlace, VersionSelector};
use crate::store::signs::SignFilter;

const MAX_STORY: usize = 5000;
const MAX_DOCUMENTS: usize = 50;
const MAX_MEASURES: usize = 20;
/// Older than any written Chinese place name.
const MAX_AGE_YEARS: u32 = 5000;

/// A nomination as staff file it.
#[derive(Debug, Clone)]
pub struct NominationInput {
    /// The record whose standard name is nominated.
    pub place_id: i64,
    /// What attests the name.
    pub evidence: Evidence,
}

/// A listing as reviewers record it.
#[derive(Debug, Clone)]
pub struct ListingInput {
    /// The day the name was put on the list; not after today.
    pub listed_on: NaiveDate,
    /// The list batch (第一批).
    pub list_batch: Option<String>,
    /// The protection measures (signs, publicity, reuse in new names …); at least one.
    pub protection: Vec<String>,
    /// The review's note.
    pub note: Option<String>,
}

/// A nomination of the name of `input.place_id`; one open or listed nomination a record.
pub async fn nominate(
    state: &AppState,
    staff: &Staff,
    input: NominationInput,
) -> Result<StoredHeritage, NamingError> {
    may_take(&staff.actor, Step::File)?;
    let record = visible_record(state, &staff.actor, input.place_id).await?;
    let evidence = checked_evidence(input.evidence)?;
    if record.properties.status == PlaceStatus::Historical {
        return Err(NamingError::Inconsistent(FieldErrors::one(
            "place_id",
            "the record is historical: nominate the name of a feature in use",
        )));
    }
    let taken = state
        .store
        .heritage_list(None, None)
        .await?
        .into_iter()
        .find(|h| {
            h.place_id == record.id
                && matches!(h.status, HeritageStatus::Nominated | HeritageStatus::Listed)
        });
    if let Some(taken) = taken {
        return Err(NamingError::Inconsistent(FieldErrors::one(
            "place_id",
            format!(
                "the name is {} already (nomination {}): review that one",
                taken.status.as_str(),
                taken.id
            ),
        )));
    }
    let division = record
        .properties
        .division_codes
        .first()
        .cloned()
        .unwrap_or_default();
    let id = state
        .store
        .nominate_heritage(
            record.id,
            &record.properties.standard_name,
            &division,
            &evidence,
            &staff.author(),
        )
        .await?;
    nomination(state, &staff.actor, id).await
}

/// Nomination `id`, if the caller works where it lies (404 otherwise).
pub async fn read(state: &AppState, staff: &Staff, id: i64) -> Result<StoredHeritage, NamingError> {
    nomination(state, &staff.actor, id).await
}

/// The nominations under `division_prefix` the caller may see, optionally of one status.
pub async fn list(
    state: &AppState,
    staff: &Staff,
    division_prefix: Option<&str>,
    status: Option<HeritageStatus>,
) -> Result<Vec<StoredHeritage>, NamingError> {
    let all = state.store.heritage_list(division_prefix, status).await?;
    Ok(all
        .into_iter()
        .filter(|h| visible_to(&staff.actor, h))
        .collect())
}

/// Puts nomination `id` on the list, if it is still at version `expected`.
pub async fn put_on_list(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    input: ListingInput,
) -> Result<StoredHeritage, NamingError> {
    may_take(&staff.actor, Step::Decide)?;
    let current = nomination(state, &staff.actor, id).await?;
    crate::store::expect_version(expected, current.version)?;
    let status = current.status.after(HeritageMove::List)?;
    let mut errors = FieldErrors::default();
    not_future(
        input.listed_on,
        state.settings.naming.clock.today(),
        "listed_on",
        &mut errors,
    );
    let list_batch = optional_text(input.list_batch.as_deref(), "list_batch", 50, &mut errors);
    let note = optional_text(input.note.as_deref(), "note", MAX_STORY, &mut errors);
    let protection = measures(&input.protection, &mut errors);
    errors.into_result(())?;
    let change = HeritageChange {
        status,
        review_note: note,
        listed_on: Some(input.listed_on),
        list_batch,
        protection: Some(protection),
        delisted_on: None,
        delisting_reason: None,
    };
    decide(state, staff, &current, expected, &change).await
}

/// Rejects nomination `id` with the review's reason.
pub async fn reject(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    reason: &str,
) -> Result<StoredHeritage, NamingError> {
    may_take(&staff.actor, Step::Decide)?;
    let current = nomination(state, &staff.actor, id).await?;
    crate::store::expect_version(expected, current.version)?;
    let status = current.status.after(HeritageMove::Reject)?;
    let mut errors = FieldErrors::default();
    let reason = required_text(reason, "reason", MAX_STORY, &mut errors);
    errors.into_result(())?;
    let change = HeritageChange {
        status,
        review_note: Some(reason),
        listed_on: None,
        list_batch: None,
        protection: None,
        delisted_on: None,
        delisting_reason: None,
    };
    decide(state, staff, &current, expected, &change).await
}

/// Takes listed name `id` off the list on `delisted_on` (today when not given), with a reason.
pub async fn delist(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    reason: &str,
    delisted_on: Option<NaiveDate>,
) -> Result<StoredHeritage, NamingError> {
    may_take(&staff.actor, Step::Decide)?;
    let current = nomination(state, &staff.actor, id).await?;
    crate::store::expect_version(expected, current.version)?;
    let status = current.status.after(HeritageMove::Delist)?;
    let today = state.settings.naming.clock.today();
    let day = delisted_on.unwrap_or(today);
    let mut errors = FieldErrors::default();
    let reason = required_text(reason, "reason", MAX_STORY, &mut errors);
    not_future(day, today, "delisted_on", &mut errors);
    if let Some(listed_on) = current.listed_on
        && day < listed_on
    {
        errors.push(
            "delisted_on",
            format!("{day} is before the listing ({listed_on})"),
        );
    }
    errors.into_result(())?;
    let change = HeritageChange {
        status,
        review_note: None,
        listed_on: None,
        list_batch: None,
        protection: None,
        delisted_on: Some(day),
        delisting_reason: Some(reason),
    };
    decide(state, staff, &current, expected, &change).await
}

/// The public page of listed name `id`: only a listed name of a public record exists here.
pub async fn public_page(state: &AppState, id: i64) -> Result<String, NamingError> {
    let entry = listed(state, id).await?;
    Ok(naming_pages::heritage_page(&entry))
}

/// The public page listing every listed name under `division_prefix`.
pub async fn public_list_page(
    state: &AppState,
    division_prefix: Option<&str>,
) -> Result<String, NamingError> {
    let mut entries = Vec::new();
    for stored in state
        .store
        .heritage_list(division_prefix, Some(HeritageStatus::Listed))
        .await?
    {
        if let Some(entry) = page_of(state, stored).await? {
            entries.push(entry);
        }
    }
    Ok(naming_pages::heritage_list_page(&entries))
}

/// The listed name `id` as the public sees it.
async fn listed(state: &AppState, id: i64) -> Result<HeritagePage, NamingError> {
    let missing = || NamingError::NotFound(format!("no listed heritage name has number {id}"));
    let stored = state.store.heritage(id).await?.ok_or_else(missing)?;
    if stored.status != HeritageStatus::Listed {
        return Err(missing());
    }
    page_of(state, stored).await?.ok_or_else(missing)
}

/// A listed entry as its public page shows it; `None` when its record is not public.
async fn page_of(
    state: &AppState,
    stored: StoredHeritage,
) -> Result<Option<HeritagePage>, NamingError> {
    let Some(record) = state
        .store
        .place(stored.place_id, VersionSelector::Current, true)
        .await?
    else {
        return Ok(None);
    };
    let chain = state.division_chain(Some(&stored.division_code)).await?;
    let properties = record.properties;
    Ok(Some(HeritagePage {
        id: stored.id,
        name: stored.name,
        romanization: properties.romanization,
        division_name: chain.iter().map(|d| d.name.as_str()).collect(),
        attested_since: stored.evidence.attested_since,
        age_years: stored.evidence.age_years,
        story: stored.evidence.story,
        documents: stored
            .evidence
            .documents
            .into_iter()
            .map(|d| match d.reference {
                Some(reference) => format!("{}（{reference}）", d.title),
                None => d.title,
            })
            .collect(),
        listed_on: stored.listed_on,
        list_batch: stored.list_batch,
        protection: stored.protection,
        meaning: properties.meaning,
        history: properties.history,
    }))
}

/// The public page's address of the listed name of `place_id`, if it has one (the public sign
/// page links to it).
pub async fn page_of_place(state: &AppState, place_id: i64) -> Result<Option<String>, StoreError> {
    Ok(state
        .store
        .listed_heritage_of(place_id)
        .await?
        .map(|id| format!("/public/naming/heritage/{id}")))
}

/// Writes a review step, then stales the public pages of the signs showing the name (they link
/// to the heritage page, or stop linking).
async fn decide(
    state: &AppState,
    staff: &Staff,
    current: &StoredHeritage,
    expected: i64,
    change: &HeritageChange,
) -> Result<StoredHeritage, NamingError> {
    state
        .store
        .change_heritage(current.id, expected, change, &staff.author())
        .await?;
    let (signs, _) = state
        .store
        .list_signs(&SignFilter {
            place_id: Some(current.place_id),
            limit: i64::MAX,
            ..SignFilter::default()
        })
        .await?;
    for sign in signs {
        state.freshness.sign_written(&sign.public_code);
    }
    nomination(state, &staff.actor, current.id).await
}

async fn nomination(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<StoredHeritage, NamingError> {
    let missing = || NamingError::NotFound(format!("there is no heritage nomination {id}"));
    let stored = state.store.heritage(id).await?.ok_or_else(missing)?;
    if !visible_to(actor, &stored) {
        return Err(missing());
    }
    Ok(stored)
}

fn visible_to(actor: &Actor, stored: &StoredHeritage) -> bool {
    DivisionCode::parse(&stored.division_code).is_ok_and(|code| sees(actor, &code))
}

/// The current record `place_id` if the caller works in every division it lies in (404
/// otherwise, as for a record that does not exist).
async fn visible_record(
    state: &AppState,
    actor: &Actor,
    place_id: i64,
) -> Result<StoredPlace, NamingError> {
    let missing = || NamingError::NotFound(format!("there is no place {place_id}"));
    let record = state
        .store
        .place(place_id, VersionSelector::Current, false)
        .await?
        .ok_or_else(missing)?;
    let divisions: Vec<DivisionCode> = record
        .properties
        .division_codes
        .iter()
        .filter_map(|c| DivisionCode::parse(c).ok())
        .collect();
    if divisions.is_empty() || !divisions.iter().all(|d| actor.works_in(d)) {
        return Err(missing());
    }
    Ok(record)
}

/// The evidence trimmed, or the fields at fault.
fn checked_evidence(evidence: Evidence) -> Result<Evidence, FieldErrors> {
    let mut errors = FieldErrors::default();
    let attested_since = required_text(
        &evidence.attested_since,
        "evidence.attested_since",
        100,
        &mut errors,
    );
    if evidence.age_years == 0 || evidence.age_years > MAX_AGE_YEARS {
        errors.push(
            "evidence.age_years",
            format!("the name's age in years, 1 to {MAX_AGE_YEARS}"),
        );
    }
    let story = required_text(&evidence.story, "evidence.story", MAX_STORY, &mut errors);
    if evidence.documents.is_empty() {
        errors.push(
            "evidence.documents",
            "at least one document that attests the name (a gazetteer, a map, an archive file)",
        );
    } else if evidence.documents.len() > MAX_DOCUMENTS {
        errors.push(
            "evidence.documents",
            format!("at most {MAX_DOCUMENTS} documents"),
        );
    }
    let documents = evidence
        .documents
        .into_iter()
        .enumerate()
        .map(|(i, d)| crate::domain::naming_heritage::Document {
            title: required_text(
                &d.title,
                &format!("evidence.documents[{i}].title"),
                200,
                &mut errors,
            ),
            reference: optional_text(
                d.reference.as_deref(),
                &format!("evidence.documents[{i}].reference"),
                500,
                &mut errors,
            ),
        })
        .collect();
    errors.into_result(Evidence {
        attested_since,
        age_years: evidence.age_years,
        documents,
        story,
    })
}

/// The protection measures trimmed: at least one, each 1 to 200 characters.
fn measures(given: &[String], errors: &mut FieldErrors) -> Vec<String> {
    if given.is_empty() {
        errors.push(
            "protection",
            "at least one protection measure (设立标志, 宣传, 新地名沿用 …)",
        );
    } else if given.len() > MAX_MEASURES {
        errors.push("protection", format!("at most {MAX_MEASURES} measures"));
    }
    given
        .iter()
        .enumerate()
        .map(|(i, m)| required_text(m, &format!("protection[{i}]"), 200, errors))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::naming_heritage::Document;

    fn evidence() -> Evidence {
        Evidence {
            attested_since: " 北宋 ".into(),
            age_years: 900,
            documents: vec![Document {
                title: "《嘉善县志》".into(),
                reference: None,
            }],
            story: "因塘得名。".into(),
        }
    }

    #[test]
    fn evidence_is_trimmed_and_needs_a_document_and_a_plausible_age() {
        let checked = checked_evidence(evidence()).unwrap();
        assert_eq!(checked.attested_since, "北宋");
        let mut bad = evidence();
        bad.documents.clear();
        bad.age_years = 0;
        bad.story = "  ".into();
        let errors = checked_evidence(bad).unwrap_err();
        let fields: Vec<_> = errors.as_slice().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["evidence.age_years", "evidence.story", "evidence.documents"]
        );
    }

    #[test]
    fn a_listing_needs_a_protection_measure() {
        let mut errors = FieldErrors::default();
        assert!(measures(&[], &mut errors).is_empty());
        assert!(!errors.is_empty());
        let mut errors = FieldErrors::default();
        let kept = measures(&[" 设立地名标志 ".into()], &mut errors);
        assert_eq!(kept, ["设立地名标志"]);
        assert!(errors.is_empty());
    }
}
