//! The joint inspection report (联合检查报告): its content assembled from the stored records,
//! its canonical hash, the two signatures (each side's signer signs the hash they read; a
//! change of the content before the second signature voids the first), the lock once both
//! have signed — when the markers the report moves or adds enter the marker register — and
//! verification, which assembles the content again from what is stored and compares hashes.
#![warn(missing_docs)]

use serde::Serialize;

use super::{InspectionError, access, gated};
use crate::app::{AppState, Identity, Staff};
use crate::domain::field_error::FieldErrors;
use crate::domain::inspection::{RecordKind, RoundState, TaskAction};
use crate::domain::inspection_records::{RoundRecords, SignatureRecord, TaskStatus};
use crate::domain::inspection_report::ReportContent;
use crate::domain::marker::MarkerId;
use crate::store::StoreError;
use crate::store::inspections::RegisterChange;

/// A signature as shown with the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignatureView {
    /// The signature.
    #[serde(flatten)]
    pub signature: SignatureRecord,
    /// Whether it stands (not voided by a later change of the content).
    pub valid: bool,
}

/// The report with its hash and signatures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    /// The content both signers sign.
    pub content: ReportContent,
    /// SHA-256 of its canonical serialisation.
    pub hash: String,
    /// The round's content version the report was assembled at.
    pub content_version: i64,
    /// The round's state.
    pub state: RoundState,
    /// The signatures given.
    pub signatures: Vec<SignatureView>,
}

/// What verification found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// Whether both sides signed.
    pub signed: bool,
    /// The hash both signed.
    pub signed_hash: Option<String>,
    /// The hash of the content assembled again from the stored records now.
    pub recomputed_hash: String,
    /// Whether they match (none before the round is signed).
    pub matches: Option<bool>,
    /// The signatures given.
    pub signatures: Vec<SignatureView>,
}

/// The round's records, for whoever reads the round.
pub async fn records(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<RoundRecords, InspectionError> {
    access(state, identity.actor.as_ref(), id).await?;
    state
        .store
        .inspection_records(id)
        .await?
        .ok_or_else(|| super::not_found(id))
}

async fn signatures(state: &AppState, id: i64) -> Result<Vec<SignatureView>, InspectionError> {
    Ok(state
        .store
        .inspection_signatures(id)
        .await?
        .into_iter()
        .map(|signature| SignatureView {
            valid: signature.voided_at.is_none(),
            signature,
        })
        .collect())
}

/// The report as it stands, with its hash and signatures.
pub async fn report(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<ReportView, InspectionError> {
    let records = records(state, identity, id).await?;
    let content = records.report();
    Ok(ReportView {
        hash: content.hash(),
        content,
        content_version: records.round.content_version,
        state: records.round.state,
        signatures: signatures(state, id).await?,
    })
}

/// Signs the report for `side` with the `hash` the signer read: only the side's signer, only
/// while the round is in signing, only the hash of the content as it stands. The second
/// signature of the same content locks the round.
pub async fn sign(
    state: &AppState,
    staff: &Staff,
    id: i64,
    side: &str,
    hash: &str,
) -> Result<ReportView, InspectionError> {
    let access = access(state, Some(&staff.actor), id).await?;
    access.expect_takes(RecordKind::Signature)?;
    if !access.who.signs_for.iter().any(|s| s == side) {
        let detail = match access.who.signs_for.as_slice() {
            [] => format!("you sign for no side of round {id}: each side's named signer signs"),
            mine => format!(
                "you sign for {}, not for {side}: each side's own signer signs for it",
                mine.join(", ")
            ),
        };
        return Err(InspectionError::Forbidden(detail));
    }
    let hash = hash.trim().to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FieldErrors::one(
            "hash",
            "the report's SHA-256 as GET …/report gives it: 64 hexadecimal digits",
        )
        .into());
    }
    let records = state
        .store
        .inspection_records(id)
        .await?
        .ok_or_else(|| super::not_found(id))?;
    let current = records.report().hash();
    if hash != current {
        return Err(changed(&current));
    }
    let register = register_changes(&records)?;
    let outcome = state
        .store
        .sign_inspection_report(
            id,
            side,
            staff.actor.user_id,
            &current,
            records.round.content_version,
            &register,
            &staff.author(),
        )
        .await
        .map_err(|e| match e {
            StoreError::StaleVersion { .. } => changed("(reload the report)"),
            StoreError::AlreadyExists(what) => {
                InspectionError::Conflict(format!("{what} stands already"))
            }
            other => other.into(),
        })?;
    gated(outcome, RecordKind::Signature)?;
    let identity = Identity {
        actor: Some(staff.actor.clone()),
        token: None,
        remote_addr: None,
    };
    report(state, &identity, id).await
}

fn changed(current: &str) -> InspectionError {
    InspectionError::Conflict(format!(
        "the report has changed since you read it (its hash is now {current}): read it again before you sign"
    ))
}

/// The markers a report moves or adds: its completed move and add tasks.
fn register_changes(records: &RoundRecords) -> Result<Vec<RegisterChange>, InspectionError> {
    let mut changes = Vec::new();
    for task in &records.tasks {
        let (TaskStatus::Done, Some(position)) = (task.status, &task.new_position) else {
            continue;
        };
        match task.action {
            TaskAction::Move => changes.push(RegisterChange::Move {
                number: task.marker_number.clone(),
                position: position.clone(),
            }),
            TaskAction::Add => changes.push(RegisterChange::Add {
                number: task
                    .marker_number
                    .parse::<MarkerId>()
                    .map_err(|e| StoreError::Corrupt(format!("task {}: {e}", task.id)))?,
                position: position.clone(),
            }),
            TaskAction::Repair | TaskAction::Rebuild => {}
        }
    }
    Ok(changes)
}

/// Assembles the report again from the stored records and compares its hash with the one both
/// sides signed.
pub async fn verify(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Verification, InspectionError> {
    let records = records(state, identity, id).await?;
    let recomputed_hash = records.report().hash();
    let signed_hash = records.round.signed_hash.clone();
    Ok(Verification {
        signed: records.round.state == RoundState::Signed,
        matches: signed_hash.as_ref().map(|h| *h == recomputed_hash),
        signed_hash,
        recomputed_hash,
        signatures: signatures(state, id).await?,
    })
}

/// An output of the report, drawn from the stored records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The report page (HTML).
    ReportHtml,
    /// The updated 界桩登记表 (HTML).
    Register,
    /// The findings (CSV, UTF-8 with BOM).
    FindingsCsv,
    /// The map of the line (SVG).
    Map,
}

/// The report as a typeset PDF (the same parts as the report page, the Chinese font embedded),
/// for whoever reads the round.
pub async fn report_pdf(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Vec<u8>, InspectionError> {
    use crate::render::inspection::map_svg;
    use crate::render::inspection_pdf::report_document;
    // A missing font is said before the records are read.
    state.pdf.check()?;
    let records = records(state, identity, id).await?;
    let content = records.report();
    let signatures = signature_lines(state, id).await?;
    let map = map_svg(&content, &records.round.basis.line.geometry);
    let document = report_document(&content, &content.hash(), &signatures, &map);
    Ok(crate::app::pdf::render(state, document).await?)
}

async fn signature_lines(
    state: &AppState,
    id: i64,
) -> Result<Vec<crate::render::inspection::SignatureLine>, InspectionError> {
    Ok(state
        .store
        .inspection_signatures(id)
        .await?
        .into_iter()
        .map(|s| crate::render::inspection::SignatureLine {
            valid: s.voided_at.is_none(),
            side: s.side,
            signer: s.signer,
            signed_at: s.signed_at,
        })
        .collect())
}

/// Draws an output of the report for whoever reads the round: (media type, text).
pub async fn output(
    state: &AppState,
    identity: &Identity,
    id: i64,
    output: Output,
) -> Result<(&'static str, String), InspectionError> {
    use crate::render::inspection::{findings_csv, map_svg, register_html, report_html};
    let records = records(state, identity, id).await?;
    let content = records.report();
    let line = &records.round.basis.line.geometry;
    Ok(match output {
        Output::ReportHtml => {
            let signatures = signature_lines(state, id).await?;
            let map = map_svg(&content, line);
            (
                "text/html; charset=utf-8",
                report_html(&content, &content.hash(), &signatures, &map),
            )
        }
        Output::Register => ("text/html; charset=utf-8", register_html(&content)),
        Output::FindingsCsv => ("text/csv; charset=utf-8", findings_csv(&content)),
        Output::Map => ("image/svg+xml", map_svg(&content, line)),
    })
}
