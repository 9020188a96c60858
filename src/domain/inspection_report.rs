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
//!
//! **Written directly.** Every type of the content declares its fields in that sorted order,
//! its maps are `BTreeMap`s of strings and the GeoJSON values it carries have their keys sorted
//! ([`sort_keys`]) before they enter it, so serialising the content as it is gives the
//! canonical bytes without building the JSON value first (a tenth of the time on a line of
//! 2,000 markers); a test checks that both ways give the same bytes. A field added out of order
//! fails that test.
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

/// The agreement (协议书) as the report carries it (fields in canonical order).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportAgreement {
    /// The document number.
    pub number: String,
    /// The day both sides signed.
    pub signed_on: NaiveDate,
    /// Its title.
    pub title: String,
}

impl From<&Agreement> for ReportAgreement {
    fn from(agreement: &Agreement) -> Self {
        Self {
            number: agreement.number.clone(),
            signed_on: agreement.signed_on,
            title: agreement.title.clone(),
        }
    }
}

/// A registered reference object (方位物) as the report carries it (fields in canonical order).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportReference {
    /// Grid bearing from the marker, degrees.
    pub bearing_deg: f64,
    /// Distance from the marker, metres.
    pub distance_m: f64,
    /// What it is.
    pub name: String,
}

impl From<&ReferenceObject> for ReportReference {
    fn from(reference: &ReferenceObject) -> Self {
        Self {
            bearing_deg: reference.bearing_deg,
            distance_m: reference.distance_m,
            name: reference.name.clone(),
        }
    }
}

/// One side of the line, with its team and signer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportSide {
    /// The division code.
    pub code: String,
    /// The team's accounts.
    pub inspectors: Vec<String>,
    /// Its name.
    pub name: String,
    /// `lead` (牵头方) or `cooperating` (配合方).
    pub part: String,
    /// The signer's account.
    pub signer: String,
}

/// The line as the basis recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportLine {
    /// The agreement (协议书).
    pub agreement: Option<ReportAgreement>,
    /// Who approved the line.
    pub approved_by: Option<String>,
    /// The line code.
    pub code: String,
    /// Its geodesic length in metres.
    pub length_m: f64,
    /// The recorded version inspected (none for a line derived from the polygons).
    pub version: Option<i64>,
}

/// The round.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportRound {
    /// The cause of an ad-hoc inspection.
    pub adhoc_cause: Option<String>,
    /// The round's id.
    pub id: i64,
    /// 第N轮, or none for an ad-hoc inspection.
    pub number: Option<i64>,
    /// The first and last day a finding was observed.
    pub observed: Option<(NaiveDate, NaiveDate)>,
    /// Planned end.
    pub planned_end: NaiveDate,
    /// Planned start.
    pub planned_start: NaiveDate,
    /// The position tolerance, metres.
    pub tolerance_m: f64,
}

/// The counts of the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportCounts {
    /// Markers whose held measured position exceeds the tolerance.
    pub beyond_tolerance: usize,
    /// Held findings: tilted, damaged or buried.
    pub damaged: usize,
    /// Items still differing.
    pub differing: usize,
    /// Held findings: intact.
    pub intact: usize,
    /// Markers with at least one side's finding.
    pub markers_checked: usize,
    /// Markers in the basis.
    pub markers_registered: usize,
    /// Held findings: missing or destroyed.
    pub missing: usize,
    /// Held findings: moved.
    pub moved: usize,
    /// Disputes not resolved.
    pub open_disputes: usize,
    /// Repair and rebuild tasks completed.
    pub repaired: usize,
}

/// One marker's row: the register's entry and what each side found.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MarkerRow {
    /// Each side's finding (division code → finding).
    pub findings: BTreeMap<String, Finding>,
    /// The side whose finding holds.
    pub holding_side: Option<String>,
    /// Day set.
    pub installed_on: Option<String>,
    /// Registered CGCS2000 latitude.
    pub lat: f64,
    /// The segment's lead side, where assigned.
    pub lead: Option<String>,
    /// Registered CGCS2000 longitude.
    pub lon: f64,
    /// Q, A, B, C, D or E.
    pub marker_type: String,
    /// Material.
    pub material: Option<String>,
    /// The number.
    pub number: String,
    /// The registered reference objects.
    pub references: Vec<ReportReference>,
    /// As originally surveyed: system, x, y.
    pub surveyed: (String, f64, f64),
    /// How the item stands.
    pub verdict: Verdict,
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
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StretchRow {
    /// Each side's finding.
    pub findings: BTreeMap<String, Finding>,
    /// The marker numbers at its ends.
    pub from_marker: Option<String>,
    /// Its lead side.
    pub lead: Option<String>,
    /// Its length, metres.
    pub length_m: f64,
    /// `segment-N` or `line`.
    pub subject: String,
    /// The marker numbers at its ends.
    pub to_marker: Option<String>,
    /// How it stands.
    pub verdict: Verdict,
}

/// One side's claimed line of a dispute.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Claim {
    /// `red` or `blue`.
    pub colour: String,
    /// The claimed line (GeoJSON, CGCS2000), once given.
    pub line: Option<Value>,
    /// The side claiming.
    pub side: String,
}

/// A step in a dispute's history.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DisputeStep {
    /// Who.
    pub by: String,
    /// The resolving document, for `resolved`.
    pub document: Option<String>,
    /// Notes.
    pub note: Option<String>,
    /// The status it moved to.
    pub status: String,
}

/// A dispute (争议).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DisputeRow {
    /// The dispute of the previous round it carries over.
    pub carried_from: Option<i64>,
    /// Both claims, red first.
    pub claims: [Claim; 2],
    /// What is disputed.
    pub description: String,
    /// Its history, oldest first.
    pub history: Vec<DisputeStep>,
    /// Its id.
    pub id: i64,
    /// The resolving document.
    pub resolving_document: Option<String>,
    /// Its status.
    pub status: String,
    /// `segment-N` or `line`.
    pub subject: String,
}

/// An action (task).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TaskRow {
    /// What to do.
    pub action: String,
    /// The task of the previous round it carries over.
    pub carried_from: Option<i64>,
    /// The day done.
    pub completed_on: Option<NaiveDate>,
    /// Its id.
    pub id: i64,
    /// The marker.
    pub marker_number: String,
    /// The new position, for a move or a new marker: (lon, lat).
    pub new_position: Option<(f64, f64)>,
    /// Photos of the work.
    pub photo_ids: Vec<i64>,
    /// Who of each side was present at the work.
    pub present: BTreeMap<String, Vec<String>>,
    /// Why.
    pub reason: Option<String>,
    /// The side that does it (the segment's lead).
    pub side: String,
    /// `open` or `done`.
    pub status: String,
}

/// A photo in the index.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportContent {
    /// The counts.
    pub counts: ReportCounts,
    /// The disputes.
    pub disputes: Vec<DisputeRow>,
    /// The line.
    pub line: ReportLine,
    /// The per-marker table.
    pub markers: Vec<MarkerRow>,
    /// The photo index.
    pub photos: Vec<PhotoRow>,
    /// The round.
    pub round: ReportRound,
    /// Both sides, lead first.
    pub sides: [ReportSide; 2],
    /// The segments and the line.
    pub stretches: Vec<StretchRow>,
    /// The actions.
    pub tasks: Vec<TaskRow>,
    /// 嘉善县与平湖市行政区域界线第七轮联合检查报告.
    pub title: String,
}

impl ReportContent {
    /// The name of a side by its code (the code itself when unknown).
    pub fn side_name(&self, code: &str) -> String {
        self.sides
            .iter()
            .find(|s| s.code == code)
            .map_or_else(|| code.to_string(), |s| s.name.clone())
    }

    /// The canonical serialisation (see the module: written directly, in sorted order).
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The SHA-256 of the canonical serialisation, lower-case hex, hashed as it is written.
    pub fn hash(&self) -> String {
        let mut hasher = HashWriter(Sha256::new());
        // Serialising plain data into a hasher cannot fail.
        let _ = serde_json::to_writer(&mut hasher, self);
        hex(&hasher.0.finalize())
    }
}

/// Feeds what is written into a SHA-256.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The same JSON value with every object's keys in sorted order (the order `canonical_json`
/// writes them), for GeoJSON a client sent that goes into the report.
///
/// ```
/// use diming::domain::inspection_report::sort_keys;
/// let value = serde_json::json!({ "type": "Point", "coordinates": [1, 2] });
/// assert_eq!(sort_keys(&value).to_string(), r#"{"coordinates":[1,2],"type":"Point"}"#);
/// ```
pub fn sort_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        scalar => scalar.clone(),
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
    let mut out = Vec::with_capacity(1 << 16);
    write_canonical(value, &mut out);
    // serde_json writes strings as UTF-8 and escapes nothing else into bytes.
    String::from_utf8(out).unwrap_or_default()
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                // Written to memory: cannot fail.
                let _ = serde_json::to_writer(&mut *out, key.as_str());
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

/// SHA-256 of bytes, lower-case hex.
///
/// ```
/// use diming::domain::inspection_report::sha256_hex;
/// assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
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
