//! Owners' applications for a house number: staff enter them with the documents received (the
//! building permit, the site plan), the decision is due within the jurisdiction's working days
//! (`decision_working_days`), and an approval assigns the address — the number proposed by the
//! rule unless staff give one — whose certificate can then be printed. Overdue applications are
//! listed for the office.

use serde::Serialize;

use super::addresses::{self, AddressError, AddressInput, numbering_context};
use super::{AppState, Staff, today};
use crate::domain::account::AccessError;
use crate::domain::address::{AddressPath, AddressStatus, HouseNumber};
use crate::domain::address_application::{
    ApplicationDocument, ApplicationState, MAX_DOCUMENT_BYTES, decision_due, document_media_type,
};
use crate::domain::division_code::{DivisionCode, Jurisdiction};
use crate::domain::field_error::FieldErrors;
use crate::domain::version::{ChangeAction, ChangeNote};
use crate::store::StoreError;
use crate::store::address_applications::{Decision, NewApplication, StoredApplication};
use crate::store::places::Change;

/// An application as staff enter it.
#[derive(Debug, Clone)]
pub struct ApplicationInput {
    /// The road the door opens on.
    pub road_id: i64,
    /// Who applies (the owner or the developer).
    pub applicant: String,
    /// The door's point.
    pub point: [f64; 2],
    /// The documents received.
    pub documents: Vec<String>,
}

/// A decision as staff take it.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    /// Approve (assign) or reject.
    pub approve: bool,
    /// The number to assign; the rule's proposal when not given.
    pub number: Option<HouseNumber>,
    /// Why (required for a rejection).
    pub note: Option<String>,
}

/// An application with whether it is overdue today.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    /// The application.
    #[serde(flatten)]
    pub application: StoredApplication,
    /// Undecided past its due day.
    pub overdue: bool,
}

fn view(application: StoredApplication) -> ApplicationView {
    ApplicationView {
        overdue: application.state == ApplicationState::Filed && application.decision_due < today(),
        application,
    }
}

/// Files an application.
pub async fn file(
    state: &AppState,
    staff: &Staff,
    input: ApplicationInput,
) -> Result<ApplicationView, AddressError> {
    let mut errors = FieldErrors::default();
    let applicant = input.applicant.trim().to_string();
    if applicant.is_empty() || applicant.chars().count() > 100 {
        errors.push("applicant", "the applicant's name, 1 to 100 characters");
    }
    let documents: Vec<String> = input
        .documents
        .iter()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    if documents.is_empty()
        || documents.len() > 20
        || documents.iter().any(|d| d.chars().count() > 200)
    {
        errors.push(
            "documents",
            "the documents received (建设工程规划许可证, 总平面图 …), 1 to 20 of at most 200 characters",
        );
    }
    errors.into_result(())?;
    let context = numbering_context(state, staff, input.road_id).await?;
    let placement = context.line.place(input.point[0], input.point[1]);
    context
        .line
        .check_side(placement)
        .map_err(|e| AddressError::Inconsistent(FieldErrors::one("point", e.to_string())))?;
    if placement.offset_m > context.rules.max_offset_m {
        return Err(AddressError::Inconsistent(FieldErrors::one(
            "point",
            format!(
                "the door stands {:.0} m from the road, farther than the {:.0} m a door may stand off it",
                placement.offset_m, context.rules.max_offset_m
            ),
        )));
    }
    let filed_on = today();
    let new = NewApplication {
        road_id: input.road_id,
        division_code: context.division.to_string(),
        applicant,
        point: input.point,
        documents,
        filed_on,
        decision_due: decision_due(filed_on, context.rules.decision_working_days),
    };
    Ok(view(
        state
            .store
            .file_address_application(&new, &staff.author())
            .await?,
    ))
}

async fn existing(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<StoredApplication, AddressError> {
    let application = state
        .store
        .address_application(id)
        .await?
        .ok_or_else(|| AddressError::NotFound(format!("there is no application {id}")))?;
    let division = DivisionCode::parse(&application.division_code)
        .map_err(|e| AddressError::Store(StoreError::Corrupt(e.to_string())))?;
    if !staff.actor.works_in(&division) {
        // Outside the jurisdiction an application is not even known.
        return Err(AddressError::NotFound(format!(
            "there is no application {id}"
        )));
    }
    Ok(application)
}

/// Application `id`.
pub async fn read(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<ApplicationView, AddressError> {
    Ok(view(existing(state, staff, id).await?))
}

/// The applications of a division, or only the overdue ones.
pub async fn list(
    state: &AppState,
    staff: &Staff,
    division: &str,
    overdue: bool,
) -> Result<Vec<ApplicationView>, AddressError> {
    let jurisdiction =
        Jurisdiction::parse(division).map_err(|e| FieldErrors::one("division", e.to_string()))?;
    let code = DivisionCode::parse(&format!("{:0<6}", jurisdiction.as_str()))
        .map_err(|e| FieldErrors::one("division", e.to_string()))?;
    if !staff.actor.works_in(&code) {
        return Err(AccessError::OutsideJurisdiction(code).into());
    }
    let found = state
        .store
        .list_address_applications(jurisdiction.as_str(), overdue.then(today))
        .await?;
    Ok(found.into_iter().map(view).collect())
}

/// Decides application `id` (still at version `expected`): an approval assigns the address.
pub async fn decide(
    state: &AppState,
    staff: &Staff,
    id: i64,
    expected: i64,
    input: DecisionInput,
) -> Result<ApplicationView, AddressError> {
    let application = existing(state, staff, id).await?;
    crate::store::expect_version(expected, application.version)?;
    let next = application
        .state
        .decide(input.approve)
        .map_err(|e| AddressError::Conflict(e.to_string()))?;
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if !input.approve && note.is_none() {
        return Err(FieldErrors::one("note", "say why the application is rejected").into());
    }
    let author = staff.author();
    let comment = format!("门牌编号申请 {id}（{}）", application.applicant);
    let change = Change {
        action: ChangeAction::Created,
        effective_on: today(),
        comment: Some(&comment),
        author: &author,
        correction: None,
    };
    let record = if input.approve {
        let number = match input.number {
            Some(number) => number,
            None => {
                addresses::propose(state, staff, application.road_id, Some(application.point))
                    .await?
                    .proposal
                    .number
            }
        };
        let input = AddressInput {
            road_id: application.road_id,
            division_code: Some(application.division_code.clone()),
            path: AddressPath {
                number: Some(number),
                ..Default::default()
            },
            point: Some(application.point),
            status: Some(AddressStatus::Assigned),
            change: ChangeNote::default(),
        };
        Some(addresses::checked_new(state, staff, &input).await?)
    } else {
        None
    };
    let decision = Decision {
        state: next,
        decided_on: today(),
        note,
        assigns: record.as_ref().map(|r| (r, &change)),
    };
    let decided = state
        .store
        .decide_address_application(id, expected, &decision, &author)
        .await?;
    if record.is_some() {
        state.addresses_changed();
    }
    Ok(view(decided))
}

/// Keeps a document received with application `id` (PDF, JPEG or PNG, by its content, at
/// most 10 MiB); `title` says what it is. Outside the caller's jurisdiction the application is
/// not known.
pub async fn add_document(
    state: &AppState,
    staff: &Staff,
    id: i64,
    title: &str,
    bytes: &[u8],
) -> Result<ApplicationDocument, AddressError> {
    let application = existing(state, staff, id).await?;
    let division = DivisionCode::parse(&application.division_code)
        .map_err(|e| AddressError::Store(StoreError::Corrupt(e.to_string())))?;
    staff
        .actor
        .may_edit_places_in(std::slice::from_ref(&division))?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(FieldErrors::one(
            "title",
            "say what the document is in 1 to 100 characters: 建设工程规划许可证, 总平面图",
        )
        .into());
    }
    if bytes.is_empty() || bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(FieldErrors::one(
            "document",
            format!("a document of 1 byte to {} MiB", MAX_DOCUMENT_BYTES >> 20),
        )
        .into());
    }
    let media_type = document_media_type(bytes).ok_or_else(|| {
        FieldErrors::one(
            "document",
            "a scan or file as PDF, JPEG or PNG (its content is none of them)",
        )
    })?;
    Ok(state
        .store
        .add_application_document(id, title, media_type, bytes, &staff.author())
        .await?)
}

/// The documents of application `id`.
pub async fn documents(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<Vec<ApplicationDocument>, AddressError> {
    existing(state, staff, id).await?;
    Ok(state.store.application_documents(id).await?)
}

/// One document's media type and content.
pub async fn document(
    state: &AppState,
    staff: &Staff,
    id: i64,
    document_id: i64,
) -> Result<(String, Vec<u8>), AddressError> {
    existing(state, staff, id).await?;
    state
        .store
        .application_document_bytes(id, document_id)
        .await?
        .ok_or_else(|| {
            AddressError::NotFound(format!("application {id} has no document {document_id}"))
        })
}
