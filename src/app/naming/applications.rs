//! Naming and renaming applications: filing with the intake checks (duplicates and homophones
//! in the art. 9 scope, words of the non-standard lists, the rules' romanization), the three
//! reports, the public notice, approval (which creates or renames the record in the same
//! transaction, the old name kept as historical) or rejection, filing and announcement with
//! their deadlines, and the overdue list.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use serde_json::{Value, json};

use super::{NamingError, not_future, optional_text, required_text};
use crate::app::romanize;
use crate::app::{AppState, Staff};
use crate::domain::account::{AccessError, Actor};
use crate::domain::division_code::DivisionCode;
use crate::domain::field_error::FieldErrors;
use crate::domain::naming::Announcement;
use crate::domain::naming::{
    ApplicationContent, ApplicationKind, Move, Outcome, Progress, ReportKind, Stage, Step,
    may_take, notice_period, sees,
};
use crate::domain::naming_detect::{Finding, findings};
use crate::domain::naming_heritage::Document;
use crate::domain::naming_scope::{Clash, Scope, clash, scope_of, sound_of};
use crate::domain::place::{
    AlternateName, AlternateNameKind, Approval, PlaceProperties, PlaceStatus, ValidPlace,
};
use crate::domain::romanize::{FeatureClass, Request, Romanizer, is_han};
use crate::domain::text::normalised_name;
use crate::domain::version::ChangeAction;
use crate::spatial::consistency::check_place_geometry;
use crate::store::naming::{
    ApplicationFilter, Comment, NamingApproval, NewApplication, PlaceWrite, Report, StepRecord,
    StoredApplication, Transition,
};
use crate::store::places::{Change, StoredPlace, VersionSelector};

const MAX_TEXT: usize = 5000;
const MAX_ATTACHMENTS: usize = 50;

/// An application as staff file it.
#[derive(Debug, Clone)]
pub struct ApplicationInput {
    /// Naming a new feature or renaming a record.
    pub kind: ApplicationKind,
    /// The record renamed (renaming only).
    pub place_id: Option<i64>,
    /// The name proposed.
    pub proposed_name: String,
    /// The feature's category (naming only: a renaming keeps the record's).
    pub category: Option<String>,
    /// The divisions the feature lies in, the main one first (naming only).
    pub division_codes: Option<Vec<String>>,
    /// The feature's geometry as GeoJSON (naming only, optional).
    pub geometry: Option<Value>,
    /// What art. 11 asks of the application.
    pub content: ApplicationContent,
}

/// One name of the scope that clashes with the proposed one.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeClash {
    /// The clashing record.
    pub place_id: i64,
    /// Its standard name.
    pub name: String,
    /// Its main division.
    pub division_code: String,
    /// How it clashes.
    pub clash: Clash,
    /// The clash in Chinese.
    pub description: String,
}

/// What the intake checks found.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeChecks {
    /// The art. 9 scope the name was compared in.
    pub scope: Scope,
    /// The scope's rule in Chinese.
    pub scope_rule: &'static str,
    /// Names of the scope with the same characters or sound.
    pub clashes: Vec<ScopeClash>,
    /// Words of the non-standard lists, characters outside the standard list.
    pub words: Vec<Finding>,
    /// The romanization the rules give (`standard` with tone marks, `sign` without), or why
    /// the rules cannot give one.
    pub romanization: Value,
}

/// An application with everything said about it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    /// The application and its reports.
    #[serde(flatten)]
    pub application: StoredApplication,
    /// Its steps, oldest first.
    pub steps: Vec<StepRecord>,
    /// The public's comments.
    pub comments: Vec<Comment>,
    /// Its announcement, once published.
    pub announcement: Option<Announcement>,
}

/// A report as staff record it.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// Which of the three.
    pub kind: ReportKind,
    /// Who wrote it (a person or a body).
    pub author: String,
    /// When.
    pub written_on: NaiveDate,
    /// What it concludes.
    pub outcome: Outcome,
    /// The conclusion in words.
    pub conclusion: String,
    /// Its files.
    pub files: Vec<Document>,
}

/// An approval as recorded.
#[derive(Debug, Clone)]
pub struct ApprovalInput {
    /// The approving authority (批准机关).
    pub authority: String,
    /// The approval date; not before the notice ended, not after today.
    pub approved_on: NaiveDate,
    /// The document number (文号).
    pub document_number: String,
}

/// A filing as recorded.
#[derive(Debug, Clone)]
pub struct FilingInput {
    /// The day it was filed; today when not given.
    pub filed_on: Option<NaiveDate>,
    /// The body it was filed with (the civil-affairs department above).
    pub authority: String,
    /// The filing's reference number.
    pub reference: Option<String>,
}

/// An overdue application and what is overdue.
#[derive(Debug, Clone, Serialize)]
pub struct Overdue {
    /// The application.
    pub application: StoredApplication,
    /// `filing`, `announcement` or both, with the days past the last day.
    pub overdue: Vec<Value>,
}

/// Files an application after the intake checks; returns it with what the checks found.
pub async fn file(
    state: &AppState,
    staff: &Staff,
    input: ApplicationInput,
) -> Result<StoredApplication, NamingError> {
    may_take(&staff.actor, Step::File)?;
    let today = state.settings.naming.clock.today();
    let mut errors = FieldErrors::default();
    let proposed_name = normalised_name(&input.proposed_name);
    check_proposed_name(&proposed_name, &mut errors);
    let content = checked_content(input.content, &mut errors);
    let (category, divisions, current_name, geometry) = match input.kind {
        ApplicationKind::Renaming => {
            if input.category.is_some() {
                errors.push(
                    "category",
                    "a renaming keeps the record's category: leave it out",
                );
            }
            if input.division_codes.is_some() {
                errors.push(
                    "division_codes",
                    "a renaming keeps the record's divisions: leave them out",
                );
            }
            if input.geometry.is_some() {
                errors.push(
                    "geometry",
                    "a renaming keeps the record's geometry: leave it out",
                );
            }
            let Some(place_id) = input.place_id else {
                errors.push("place_id", "the record to rename");
                return Err(std::mem::take(&mut errors).into());
            };
            let record = visible_record(state, &staff.actor, place_id).await?;
            if record.properties.standard_name == proposed_name {
                errors.push("proposed_name", "the record already has this name");
            }
            std::mem::take(&mut errors).into_result(())?;
            let valid = ValidPlace::parse(record.properties.clone(), None, &state.catalog, today)?;
            (
                record.properties.category.clone(),
                valid.divisions().to_vec(),
                Some(record.properties.standard_name),
                None,
            )
        }
        ApplicationKind::Naming => {
            if input.place_id.is_some() {
                errors.push("place_id", "a naming is for a feature without a record: leave it out (a renaming names the record)");
            }
            let draft = PlaceProperties {
                standard_name: proposed_name.clone(),
                category: input.category.clone().unwrap_or_default(),
                division_codes: input.division_codes.clone().unwrap_or_default(),
                ..Default::default()
            };
            if input.category.is_none() {
                errors.push(
                    "category",
                    "the feature's category (a code or name of the catalogue)",
                );
            }
            if input.division_codes.as_ref().is_none_or(Vec::is_empty) {
                errors.push(
                    "division_codes",
                    "the divisions the feature lies in, the main one first",
                );
            }
            let parsed = ValidPlace::parse(draft, input.geometry.as_ref(), &state.catalog, today);
            let place = match parsed {
                Ok(place) => Some(place),
                Err(found) => {
                    for error in found.into_vec() {
                        let field = error
                            .field
                            .strip_prefix("properties.")
                            .unwrap_or(&error.field)
                            .replace("standard_name", "proposed_name");
                        if !errors.as_slice().iter().any(|e| e.field == field) {
                            errors.push(field, error.message);
                        }
                    }
                    None
                }
            };
            std::mem::take(&mut errors).into_result(())?;
            let place = place.expect("no errors");
            check_divisions_known(state, place.divisions()).await?;
            for code in place.divisions() {
                if !staff.actor.works_in(code) {
                    return Err(AccessError::OutsideJurisdiction(code.clone()).into());
                }
            }
            if let Some(geometry) = place.geometry() {
                let index = state
                    .spatial
                    .read()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                check_place_geometry(&index, geometry, place.divisions(), false)
                    .map_err(NamingError::Inconsistent)?;
            }
            (
                place.properties().category.clone(),
                place.divisions().to_vec(),
                None,
                input.geometry,
            )
        }
    };
    errors.into_result(())?;
    let checks = intake_checks(
        state,
        &staff.actor,
        &proposed_name,
        &category,
        &divisions[0],
        input.place_id,
    )
    .await?;
    let new = NewApplication {
        kind: input.kind,
        place_id: input.place_id,
        proposed_name,
        current_name,
        category_code: category,
        division_codes: divisions.iter().map(|d| d.as_str().to_string()).collect(),
        content,
        geometry,
        intake_checks: serde_json::to_value(&checks).unwrap_or(Value::Null),
        filed_on: today,
    };
    let id = state
        .store
        .create_application(&new, &staff.author())
        .await?;
    application(state, &staff.actor, id).await
}

fn check_proposed_name(name: &str, errors: &mut FieldErrors) {
    if name.is_empty() {
        errors.push("proposed_name", "the name proposed, in Chinese characters");
    } else if name.chars().count() > 100 {
        errors.push("proposed_name", "at most 100 characters");
    } else if let Some(bad) = name.chars().find(|c| !is_han(*c) && !c.is_ascii_digit()) {
        errors.push(
            "proposed_name",
            format!("{bad:?} is not a Chinese character or digit: a standard name is written in Chinese characters"),
        );
    }
}

fn checked_content(content: ApplicationContent, errors: &mut FieldErrors) -> ApplicationContent {
    if content.attachments.len() > MAX_ATTACHMENTS {
        errors.push("content.attachments", format!("at most {MAX_ATTACHMENTS}"));
    }
    for (i, document) in content.attachments.iter().enumerate() {
        required_text(
            &document.title,
            &format!("content.attachments[{i}].title"),
            200,
            errors,
        );
    }
    ApplicationContent {
        plan: required_text(&content.plan, "content.plan", MAX_TEXT, errors),
        reasons: required_text(&content.reasons, "content.reasons", MAX_TEXT, errors),
        meaning: optional_text(
            content.meaning.as_deref(),
            "content.meaning",
            MAX_TEXT,
            errors,
        ),
        origin: optional_text(
            content.origin.as_deref(),
            "content.origin",
            MAX_TEXT,
            errors,
        ),
        location: required_text(&content.location, "content.location", 2000, errors),
        extent: optional_text(content.extent.as_deref(), "content.extent", 2000, errors),
        nature: optional_text(content.nature.as_deref(), "content.nature", 2000, errors),
        attachments: content.attachments,
    }
}

async fn check_divisions_known(
    state: &AppState,
    divisions: &[DivisionCode],
) -> Result<(), NamingError> {
    let ends = state.store.division_ends(divisions).await?;
    let mut errors = FieldErrors::default();
    for (i, code) in divisions.iter().enumerate() {
        match ends.get(code.as_str()) {
            None => errors.push(
                format!("division_codes[{i}]"),
                format!("{code} is not a division known to the register"),
            ),
            Some(Some(day)) => errors.push(
                format!("division_codes[{i}]"),
                format!("division {code} ended on {day}: a new name lies in divisions in force"),
            ),
            Some(None) => {}
        }
    }
    Ok(errors.into_result(())?)
}

/// The current record `place_id` if the actor works where it lies (404 otherwise, as for a
/// record that does not exist).
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
    if record.properties.status == PlaceStatus::Historical {
        return Err(FieldErrors::one(
            "place_id",
            format!("place {place_id} is historical: a name no longer in use is not renamed"),
        )
        .into());
    }
    Ok(record)
}

/// The intake checks of `name` for a feature of `category` in `division`: clashes in its
/// art. 9 scope (leaving out the record renamed), words of the non-standard lists, the rules'
/// romanization. Names the actor may not see (not public, outside their jurisdiction) are
/// compared but shown without name.
pub async fn intake_checks(
    state: &AppState,
    actor: &Actor,
    name: &str,
    category: &str,
    division: &DivisionCode,
    renamed: Option<i64>,
) -> Result<IntakeChecks, NamingError> {
    let scope = scope_of(category, division);
    let class = FeatureClass::of_category(&state.catalog, category);
    let sound = sound_of(name, class, Some(division.as_str()));
    let candidates = state
        .store
        .names_in_scope(&scope.prefix, &scope.categories)
        .await?;
    let mut clashes = Vec::new();
    for candidate in candidates {
        if Some(candidate.place_id) == renamed {
            continue;
        }
        let candidate_class = FeatureClass::of_category(&state.catalog, &candidate.category_code);
        // Characters first: most names share none with the proposal and need no reading.
        let same = candidate.name == name;
        let other_sound = if same {
            None
        } else {
            sound_of(
                &candidate.name,
                candidate_class,
                Some(&candidate.division_code),
            )
        };
        let Some(found) = clash(name, sound.as_ref(), &candidate.name, other_sound.as_ref()) else {
            continue;
        };
        let visible = candidate.public
            || DivisionCode::parse(&candidate.division_code).is_ok_and(|d| actor.works_in(&d));
        clashes.push(ScopeClash {
            place_id: if visible { candidate.place_id } else { 0 },
            name: if visible {
                candidate.name
            } else {
                "（不公开的地名）".into()
            },
            division_code: candidate.division_code,
            clash: found,
            description: found.describe_zh().to_string(),
        });
    }
    clashes.sort_by(|a, b| a.clash.cmp(&b.clash).then(a.place_id.cmp(&b.place_id)));
    let proper = proper_name(name, class);
    let romanization = match Romanizer::default().romanize(&Request {
        name,
        class,
        division: Some(division.as_str()),
        split: None,
    }) {
        Ok(r) => json!({ "standard": r.standard, "sign": r.sign, "readings": r.readings }),
        Err(error) => json!({ "error": error.to_string() }),
    };
    Ok(IntakeChecks {
        scope_rule: scope.rule.describe_zh(),
        scope,
        clashes,
        words: findings(name, &proper, category, &state.settings.naming.words),
        romanization,
    })
}

/// The proper name (专名) of `name` by the romanization rules' split (the whole name when
/// they cannot split it).
pub fn proper_name(name: &str, class: Option<FeatureClass>) -> String {
    Romanizer::default()
        .romanize(&Request {
            name,
            class,
            division: None,
            split: None,
        })
        .map(|r| r.proper.chinese)
        .unwrap_or_else(|_| name.to_string())
}

/// Application `id` as the actor may see it (404 outside their jurisdiction).
pub async fn application(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<StoredApplication, NamingError> {
    let missing = || NamingError::NotFound(format!("there is no naming application {id}"));
    let application = state.store.application(id).await?.ok_or_else(missing)?;
    let division = DivisionCode::parse(&application.division_code).map_err(|_| missing())?;
    if !sees(actor, &division) {
        return Err(missing());
    }
    Ok(application)
}

/// Application `id` with its steps, comments and announcement.
pub async fn read(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<ApplicationView, NamingError> {
    let application = application(state, &staff.actor, id).await?;
    Ok(ApplicationView {
        steps: state.store.application_steps(id).await?,
        comments: state.store.comments(id).await?,
        announcement: state.store.announcement_of(id).await?,
        application,
    })
}

/// The applications the actor may see, newest first, optionally of some stages.
pub async fn list(
    state: &AppState,
    staff: &Staff,
    stages: Vec<Stage>,
    division_prefix: Option<String>,
) -> Result<Vec<StoredApplication>, NamingError> {
    let all = state
        .store
        .applications(&ApplicationFilter {
            stages,
            division_prefix,
        })
        .await?;
    Ok(all
        .into_iter()
        .filter(|a| DivisionCode::parse(&a.division_code).is_ok_and(|d| sees(&staff.actor, &d)))
        .collect())
}

fn progress(application: &StoredApplication) -> Progress {
    Progress {
        stage: Some(application.stage),
        reports: application.reports.iter().map(|r| r.report.kind).collect(),
        notice: application.notice_starts_on.zip(application.notice_ends_on),
        filed: application.filed_on.is_some(),
        announced: application.announced_on.is_some(),
    }
}

/// An application the actor may take `step` on, checked to be at `expected` (412 before
/// anything else is judged).
async fn for_step(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    step: Step,
) -> Result<StoredApplication, NamingError> {
    let application = application(state, &staff.actor, id).await?;
    may_take(&staff.actor, step)?;
    crate::store::expect_version(expected, application.version)?;
    Ok(application)
}

/// Records one of the three reports.
pub async fn add_report(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    input: ReportInput,
) -> Result<StoredApplication, NamingError> {
    let application = for_step(state, staff, id, expected, Step::Decide).await?;
    let today = state.settings.naming.clock.today();
    let mut errors = FieldErrors::default();
    let report = Report {
        kind: input.kind,
        author: required_text(&input.author, "author", 200, &mut errors),
        written_on: input.written_on,
        outcome: input.outcome,
        conclusion: required_text(&input.conclusion, "conclusion", MAX_TEXT, &mut errors),
        files: input.files,
    };
    not_future(report.written_on, today, "written_on", &mut errors);
    for (i, file) in report.files.iter().enumerate() {
        required_text(&file.title, &format!("files[{i}].title"), 200, &mut errors);
    }
    errors.into_result(())?;
    let stage = progress(&application).after(Move::AddReport(input.kind), today)?;
    state
        .store
        .add_report(id, expected, &report, stage, today, &staff.author())
        .await?;
    self::application(state, &staff.actor, id).await
}

/// Puts the name under public notice for the configured number of days, from today.
pub async fn start_notice(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
) -> Result<StoredApplication, NamingError> {
    let application = for_step(state, staff, id, expected, Step::Decide).await?;
    let today = state.settings.naming.clock.today();
    progress(&application).after(Move::StartNotice, today)?;
    let (starts_on, ends_on) = notice_period(today, state.settings.naming.notice_days);
    state
        .store
        .move_application(
            id,
            expected,
            &Transition::StartNotice { starts_on, ends_on },
            today,
            &staff.author(),
        )
        .await?;
    self::application(state, &staff.actor, id).await
}

/// Rejects the application with its reasons.
pub async fn reject(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    reason: &str,
) -> Result<StoredApplication, NamingError> {
    let application = for_step(state, staff, id, expected, Step::Decide).await?;
    let today = state.settings.naming.clock.today();
    let mut errors = FieldErrors::default();
    let reason = required_text(reason, "reason", 2000, &mut errors);
    errors.into_result(())?;
    progress(&application).after(Move::Reject, today)?;
    state
        .store
        .move_application(
            id,
            expected,
            &Transition::Reject { on: today, reason },
            today,
            &staff.author(),
        )
        .await?;
    self::application(state, &staff.actor, id).await
}

/// Approves the name after its notice: creates the record (naming) or renames it, keeping the
/// old name as historical, in the same transaction; the approval is on the new version.
pub async fn approve(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    input: ApprovalInput,
) -> Result<StoredApplication, NamingError> {
    let application = for_step(state, staff, id, expected, Step::Decide).await?;
    let today = state.settings.naming.clock.today();
    let mut errors = FieldErrors::default();
    let approval = NamingApproval {
        authority: required_text(&input.authority, "authority", 200, &mut errors),
        approved_on: input.approved_on,
        document_number: required_text(&input.document_number, "document_number", 100, &mut errors),
    };
    not_future(approval.approved_on, today, "approved_on", &mut errors);
    if let Some(end) = application.notice_ends_on
        && approval.approved_on <= end
    {
        errors.push(
            "approved_on",
            format!("the public notice ran until {end}: a name is approved after it"),
        );
    }
    progress(&application).after(Move::Approve, today)?;
    errors.into_result(())?;
    let comment = format!(
        "经{}批准（{}）{}：{}",
        approval.authority,
        approval.document_number,
        match application.kind {
            ApplicationKind::Naming => "命名",
            ApplicationKind::Renaming => "更名",
        },
        match &application.current_name {
            Some(old) => format!("{old} → {}", application.proposed_name),
            None => application.proposed_name.clone(),
        }
    );
    let record_approval = Approval {
        authority: Some(approval.authority.clone()),
        approved_on: Some(approval.approved_on),
        document_number: Some(approval.document_number.clone()),
    };
    let (place, previous) = match application.kind {
        ApplicationKind::Naming => {
            let content = &application.content;
            let properties = PlaceProperties {
                standard_name: application.proposed_name.clone(),
                category: application.category_code.clone(),
                division_codes: application.division_codes.clone(),
                meaning: content.meaning.clone(),
                history: content.origin.clone(),
                description: Some(describe_feature(content)),
                named_on: Some(approval.approved_on),
                approval: Some(record_approval),
                source: Some(format!("地名命名申请第{id}号")),
                registered_on: Some(today),
                registered_by: Some(staff.actor.username.clone()),
                ..Default::default()
            };
            let place = ValidPlace::parse(
                properties,
                application.geometry.as_ref(),
                &state.catalog,
                today,
            )?;
            (place, None)
        }
        ApplicationKind::Renaming => {
            let place_id = application
                .place_id
                .ok_or_else(|| NamingError::NotFound("the renamed record is missing".into()))?;
            let record = visible_record(state, &staff.actor, place_id).await?;
            let properties = renamed(&record.properties, &application, &approval, record_approval);
            let place =
                ValidPlace::parse(properties, record.geometry.as_ref(), &state.catalog, today)?;
            (place, Some(record))
        }
    };
    let (place, correction) = romanize::settle(
        state,
        place,
        previous.as_ref().map(|r| &r.properties),
        Some(&comment),
    )
    .await?;
    let author = staff.author();
    let change = Change {
        action: if previous.is_some() {
            ChangeAction::Updated
        } else {
            ChangeAction::Created
        },
        effective_on: approval.approved_on,
        comment: Some(&comment),
        author: &author,
        correction: correction.as_ref(),
    };
    let write = match &previous {
        None => PlaceWrite::Create(place),
        Some(record) => PlaceWrite::Rename {
            place_id: record.id,
            expected_version: record.current_version,
            place,
        },
    };
    let (place_id, _) = state
        .store
        .approve_application(id, expected, &approval, &write, &change, today)
        .await?;
    if let Some(stored) = state
        .store
        .place(place_id, VersionSelector::Current, false)
        .await?
    {
        state.place_changed(&stored);
    }
    self::application(state, &staff.actor, id).await
}

/// The record's properties renamed: the new standard name (romanized again by the rules), the
/// old one a historical name until the approval day, the approval on the version.
fn renamed(
    current: &PlaceProperties,
    application: &StoredApplication,
    approval: &NamingApproval,
    record_approval: Approval,
) -> PlaceProperties {
    let mut properties = current.clone();
    let old = current.standard_name.clone();
    properties.alternate_names.push(AlternateName {
        name: old.clone(),
        kind: AlternateNameKind::Historical,
        language: None,
        valid_from: current.named_on,
        valid_to: Some(approval.approved_on),
        note: Some(format!(
            "{}经{}批准（{}）更名为{}",
            approval.approved_on,
            approval.authority,
            approval.document_number,
            application.proposed_name
        )),
    });
    properties.standard_name = application.proposed_name.clone();
    properties.romanization = None;
    properties.generic_romanization = None;
    properties.named_on = Some(approval.approved_on);
    properties.approval = Some(record_approval);
    if let Some(meaning) = &application.content.meaning {
        properties.meaning = Some(meaning.clone());
    }
    let entry = format!(
        "{}更名：原名{}，经{}批准（{}）更名为{}。",
        approval.approved_on,
        old,
        approval.authority,
        approval.document_number,
        application.proposed_name
    );
    properties.history = Some(match &current.history {
        Some(history) => format!("{history}\n{entry}"),
        None => entry,
    });
    properties
}

fn describe_feature(content: &ApplicationContent) -> String {
    let mut parts = vec![format!("位置：{}", content.location)];
    if let Some(extent) = &content.extent {
        parts.push(format!("范围：{extent}"));
    }
    if let Some(nature) = &content.nature {
        parts.push(format!("性质：{nature}"));
    }
    parts.join("；")
}

/// Records the filing (备案) of an approved name.
pub async fn record_filing(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    input: FilingInput,
) -> Result<StoredApplication, NamingError> {
    let application = for_step(state, staff, id, expected, Step::Record).await?;
    let today = state.settings.naming.clock.today();
    let on = input.filed_on.unwrap_or(today);
    let mut errors = FieldErrors::default();
    let authority = required_text(&input.authority, "authority", 200, &mut errors);
    let reference = optional_text(input.reference.as_deref(), "reference", 100, &mut errors);
    not_future(on, today, "filed_on", &mut errors);
    check_after_approval(&application, on, "filed_on", &mut errors);
    let stage = progress(&application).after(Move::File, today)?;
    errors.into_result(())?;
    state
        .store
        .move_application(
            id,
            expected,
            &Transition::File {
                on,
                authority,
                reference,
                stage,
            },
            today,
            &staff.author(),
        )
        .await?;
    self::application(state, &staff.actor, id).await
}

fn check_after_approval(
    application: &StoredApplication,
    day: NaiveDate,
    field: &str,
    errors: &mut FieldErrors,
) {
    if let Some(approval) = &application.approval
        && day < approval.approved_on
    {
        errors.push(
            field,
            format!(
                "the name was approved on {}: this comes after",
                approval.approved_on
            ),
        );
    }
}

/// Publishes the announcement (公告) of an approved name with the six fields of art. 14.
pub async fn announce(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    announced_on: Option<NaiveDate>,
) -> Result<StoredApplication, NamingError> {
    let application = for_step(state, staff, id, expected, Step::Record).await?;
    let today = state.settings.naming.clock.today();
    let on = announced_on.unwrap_or(today);
    let mut errors = FieldErrors::default();
    not_future(on, today, "announced_on", &mut errors);
    check_after_approval(&application, on, "announced_on", &mut errors);
    let stage = progress(&application).after(Move::Announce, today)?;
    errors.into_result(())?;
    let (Some(approval), Some(place_id)) = (&application.approval, application.place_id) else {
        return Err(NamingError::NotFound(
            "the approved record is missing".into(),
        ));
    };
    let record = state
        .store
        .place(place_id, VersionSelector::Current, false)
        .await?
        .ok_or_else(|| NamingError::NotFound(format!("there is no place {place_id}")))?;
    let chain = state
        .division_chain(Some(&application.division_code))
        .await?;
    let division_name: String = chain.iter().map(|d| d.name.as_str()).collect();
    let announcement = Announcement {
        id: 0,
        application_id: id,
        place_id,
        standard_name: record.properties.standard_name.clone(),
        former_name: application.current_name.clone(),
        romanization: record.properties.romanization.clone().unwrap_or_default(),
        division_code: application.division_code.clone(),
        division_name,
        location: application.content.location.clone(),
        approving_authority: approval.authority.clone(),
        approved_on: approval.approved_on,
        document_number: Some(approval.document_number.clone()),
        announced_on: on,
        published_at: chrono::Utc::now(),
    };
    state
        .store
        .move_application(
            id,
            expected,
            &Transition::Announce {
                announcement: Box::new(announcement),
                stage,
            },
            today,
            &staff.author(),
        )
        .await?;
    state.content_changed();
    self::application(state, &staff.actor, id).await
}

/// Approved applications whose filing or announcement is past its 15 days, that the actor
/// may see.
pub async fn overdue(state: &AppState, staff: &Staff) -> Result<Vec<Overdue>, NamingError> {
    let today = state.settings.naming.clock.today();
    let late = |due: Option<NaiveDate>, done: Option<NaiveDate>, what: &str| -> Option<Value> {
        let due = due?;
        (done.is_none() && due < today)
            .then(|| json!({ "what": what, "due_on": due, "days_late": (today - due).num_days() }))
    };
    Ok(state
        .store
        .overdue_applications(today)
        .await?
        .into_iter()
        .filter(|a| DivisionCode::parse(&a.division_code).is_ok_and(|d| sees(&staff.actor, &d)))
        .map(|application| Overdue {
            overdue: [
                late(application.filing_due_on, application.filed_on, "filing"),
                late(
                    application.announcement_due_on,
                    application.announced_on,
                    "announcement",
                ),
            ]
            .into_iter()
            .flatten()
            .collect(),
            application,
        })
        .collect())
}

/// The day after `day` (the first day a decision may come after a notice).
pub fn day_after(day: NaiveDate) -> NaiveDate {
    day + Days::new(1)
}
