//! The joint inspection report (联合检查报告) as content: line, round, dates, teams, counts, the
//! per-marker table in the layout of the 界桩登记表, segment and line findings, disputes with
//! both claims, actions and the photo index — and its canonical serialisation and SHA-256, which
//! both sides' signers sign.
//!
//! **Canonical form.** The content is turned into a JSON value (`serde_json`), then written
//! with every object's keys sorted by their UTF-8 bytes, no whitespace, strings escaped as
//! `serde_json` escapes them (only `"`, `\` and control characters; other characters as UTF-8)
//! and numbers as `serde_json` writes them (integers as digits, floats in their shortest form
//! that reads back to the same `f64`). The hash is the SHA-256 of those UTF-8 bytes, in lower-case
//! hex. Computed floats (offsets) are rounded to the millimetre before they enter the content,
//! so the same records give the same bytes on every machine.
#![warn(missing_docs)]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::boundary_line::Agreement;
use super::inspection_finding::{Finding, FoundCondition};
use super::inspection_reconcile::Verdict;
use super::marker::ReferenceObject;

/// One side of the line, with its team and signer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSide {
    /// The division code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// `lead` (牵头方) or `cooperating` (配合方).
    pub part: String,
    /// The team's accounts.
    pub inspectors: Vec<String>,
    /// The signer's account.
    pub signer: String,
}

/// The line as the basis recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportLine {
    /// The line code.
    pub code: String,
    /// The agreement (协议书).
    pub agreement: Option<Agreement>,
    /// Who approved the line.
    pub approved_by: Option<String>,
    /// The recorded version inspected (none for a line derived from the polygons).
    pub version: Option<i64>,
    /// Its geodesic length in metres.
    pub length_m: f64,
}

/// The round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRound {
    /// The round's id.
    pub id: i64,
    /// 第N轮, or none for an ad-hoc inspection.
    pub number: Option<i64>,
    /// The cause of an ad-hoc inspection.
    pub adhoc_cause: Option<String>,
    /// Planned start.
    pub planned_start: NaiveDate,
    /// Planned end.
    pub planned_end: NaiveDate,
    /// The first and last day a finding was observed.
    pub observed: Option<(NaiveDate, NaiveDate)>,
    /// The position tolerance, metres.
    pub tolerance_m: f64,
}

/// The counts of the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReportCounts {
    /// Markers in the basis.
    pub markers_registered: usize,
    /// Markers with at least one side's finding.
    pub markers_checked: usize,
    /// Held findings: intact.
    pub intact: usize,
    /// Held findings: tilted, damaged or buried.
    pub damaged: usize,
    /// Held findings: missing or destroyed.
    pub missing: usize,
    /// Held findings: moved.
    pub moved: usize,
    /// Repair and rebuild tasks completed.
    pub repaired: usize,
    /// Markers whose held measured position exceeds the tolerance.
    pub beyond_tolerance: usize,
    /// Items still differing.
    pub differing: usize,
    /// Disputes not resolved.
    pub open_disputes: usize,
}

/// One marker's row: the register's entry and what each side found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkerRow {
    /// The number.
    pub number: String,
    /// Q, A, B, C, D or E.
    pub marker_type: String,
    /// Registered CGCS2000 longitude.
    pub lon: f64,
    /// Registered CGCS2000 latitude.
    pub lat: f64,
    /// As originally surveyed: system, x, y.
    pub surveyed: (String, f64, f64),
    /// Material.
    pub material: Option<String>,
    /// Day set.
    pub installed_on: Option<String>,
    /// The registered reference objects.
    pub references: Vec<ReferenceObject>,
    /// The segment's lead side, where assigned.
    pub lead: Option<String>,
    /// Each side's finding (division code → finding).
    pub findings: BTreeMap<String, Finding>,
    /// How the item stands.
    pub verdict: Verdict,
    /// The side whose finding holds.
    pub holding_side: Option<String>,
}

impl MarkerRow {
    /// The finding that holds, if any.
    pub fn held(&self) -> Option<&Finding> {
        self.holding_side
            .as_ref()
            .and_then(|side| self.findings.get(side))
    }
}

/// A segment's or the line's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StretchRow {
    /// `segment-N` or `line`.
    pub subject: String,
    /// The marker numbers at its ends.
    pub from_marker: Option<String>,
    /// The marker numbers at its ends.
    pub to_marker: Option<String>,
    /// Its lead side.
    pub lead: Option<String>,
    /// Its length, metres.
    pub length_m: f64,
    /// Each side's finding.
    pub findings: BTreeMap<String, Finding>,
    /// How it stands.
    pub verdict: Verdict,
}

/// One side's claimed line of a dispute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    /// The side claiming.
    pub side: String,
    /// `red` or `blue`.
    pub colour: String,
    /// The claimed line (GeoJSON, CGCS2000), once given.
    pub line: Option<Value>,
}

/// A step in a dispute's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisputeStep {
    /// The status it moved to.
    pub status: String,
    /// Who.
    pub by: String,
    /// Notes.
    pub note: Option<String>,
    /// The resolving document, for `resolved`.
    pub document: Option<String>,
}

/// A dispute (争议).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisputeRow {
    /// Its id.
    pub id: i64,
    /// `segment-N` or `line`.
    pub subject: String,
    /// What is disputed.
    pub description: String,
    /// Its status.
    pub status: String,
    /// Both claims, red first.
    pub claims: [Claim; 2],
    /// The resolving document.
    pub resolving_document: Option<String>,
    /// Its history, oldest first.
    pub history: Vec<DisputeStep>,
    /// The dispute of the previous round it carries over.
    pub carried_from: Option<i64>,
}

/// An action (task).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRow {
    /// Its id.
    pub id: i64,
    /// The marker.
    pub marker_number: String,
    /// What to do.
    pub action: String,
    /// The side that does it (the segment's lead).
    pub side: String,
    /// Why.
    pub reason: Option<String>,
    /// The new position, for a move or a new marker: (lon, lat).
    pub new_position: Option<(f64, f64)>,
    /// `open` or `done`.
    pub status: String,
    /// The day done.
    pub completed_on: Option<NaiveDate>,
    /// Who of each side was present at the work.
    pub present: BTreeMap<String, Vec<String>>,
    /// Photos of the work.
    pub photo_ids: Vec<i64>,
    /// The task of the previous round it carries over.
    pub carried_from: Option<i64>,
}

/// A photo in the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotoRow {
    /// Its id.
    pub id: i64,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Size in pixels.
    pub size: (i64, i64),
    /// Who uploaded it.
    pub uploaded_by: String,
}

/// The report's content: everything the signers sign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportContent {
    /// 嘉善县与平湖市行政区域界线第七轮联合检查报告.
    pub title: String,
    /// The line.
    pub line: ReportLine,
    /// The round.
    pub round: ReportRound,
    /// Both sides, lead first.
    pub sides: [ReportSide; 2],
    /// The counts.
    pub counts: ReportCounts,
    /// The per-marker table.
    pub markers: Vec<MarkerRow>,
    /// The segments and the line.
    pub stretches: Vec<StretchRow>,
    /// The disputes.
    pub disputes: Vec<DisputeRow>,
    /// The actions.
    pub tasks: Vec<TaskRow>,
    /// The photo index.
    pub photos: Vec<PhotoRow>,
}

impl ReportContent {
    /// The name of a side by its code (the code itself when unknown).
    pub fn side_name(&self, code: &str) -> String {
        self.sides
            .iter()
            .find(|s| s.code == code)
            .map_or_else(|| code.to_string(), |s| s.name.clone())
    }

    /// The canonical serialisation (see the module).
    pub fn canonical(&self) -> String {
        canonical_json(&serde_json::to_value(self).unwrap_or(Value::Null))
    }

    /// The SHA-256 of the canonical serialisation, lower-case hex.
    pub fn hash(&self) -> String {
        sha256_hex(self.canonical().as_bytes())
    }
}

/// Fills in the counts from the rows and the tasks.
pub fn count(
    markers: &[MarkerRow],
    stretches: &[StretchRow],
    disputes: &[DisputeRow],
    tasks: &[TaskRow],
) -> ReportCounts {
    let mut counts = ReportCounts {
        markers_registered: markers.len(),
        ..Default::default()
    };
    for row in markers {
        if !row.findings.is_empty() {
            counts.markers_checked += 1;
        }
        if row.verdict == Verdict::Differing {
            counts.differing += 1;
        }
        let Some(held) = row.held() else { continue };
        match held.condition {
            Some(FoundCondition::Intact) => counts.intact += 1,
            Some(FoundCondition::Tilted | FoundCondition::Damaged | FoundCondition::Buried) => {
                counts.damaged += 1
            }
            Some(FoundCondition::Missing | FoundCondition::Destroyed) => counts.missing += 1,
            Some(FoundCondition::Moved) => counts.moved += 1,
            None => {}
        }
        if held.position.as_ref().is_some_and(|p| p.exceeds_tolerance) {
            counts.beyond_tolerance += 1;
        }
    }
    counts.differing += stretches
        .iter()
        .filter(|s| s.verdict == Verdict::Differing)
        .count();
    counts.repaired = tasks
        .iter()
        .filter(|t| t.status == "done" && matches!(t.action.as_str(), "repair" | "rebuild"))
        .count();
    counts.open_disputes = disputes.iter().filter(|d| d.status != "resolved").count();
    counts
}

/// Writes a JSON value in canonical form: object keys sorted by their UTF-8 bytes, no
/// whitespace.
///
/// ```
/// use diming::domain::inspection_report::canonical_json;
/// let value = serde_json::json!({ "b": [1, 2.5, "界"], "a": { "d": null, "c": true } });
/// assert_eq!(canonical_json(&value), r#"{"a":{"c":true,"d":null},"b":[1,2.5,"界"]}"#);
/// ```
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// SHA-256 of bytes, lower-case hex.
///
/// ```
/// use diming::domain::inspection_report::sha256_hex;
/// assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_of_the_input_does_not_change_the_canonical_form() {
        let a: Value =
            serde_json::from_str(r#"{"z":1,"a":{"y":[3,{"q":1,"p":2}],"b":"\n"}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"b":"\n","y":[3,{"p":2,"q":1}]},"z":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"b":"\n","y":[3,{"p":2,"q":1}]},"z":1}"#
        );
        assert_eq!(sha256_hex(canonical_json(&a).as_bytes()).len(), 64);
    }
}
