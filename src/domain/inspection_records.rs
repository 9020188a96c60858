//! The records of one inspection round as plain data — its basis (the line, its markers and
//! segment leads, and what carried over from the previous round, as they stood when the round
//! opened), its members, both sides' current findings, acceptances, disputes, tasks, photos and
//! signatures — and what follows from them alone: the items to inspect, their reconciliation
//! and the report content whose hash both signers sign. Verifying a signed round is running
//! [`RoundRecords::report`] again on what is stored.
#![warn(missing_docs)]

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::boundary_line::Agreement;
use super::inspection::{
    DisputeStatus, Participation, RoundState, Subject, TaskAction, claim_colour,
};
use super::inspection_finding::{Finding, FoundCondition};
use super::inspection_reconcile::{Acceptance, ItemInput, Reconciliation, SideFinding, reconcile};
use super::inspection_report::{
    Claim, DisputeRow, DisputeStep, MarkerRow, PhotoRow, ReportAgreement, ReportContent,
    ReportLine, ReportReference, ReportRound, ReportSide, StretchRow, TaskRow, count, sort_keys,
};
use super::marker::ReferenceObject;

/// One side of the line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasisSide {
    /// The division code.
    pub code: String,
    /// Its name (the code when the register has none).
    pub name: String,
}

/// The line as recorded when the round opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasisLine {
    /// The line code (the two division codes, smaller first).
    pub code: String,
    /// Both sides, smaller code first.
    pub sides: [BasisSide; 2],
    /// The recorded version inspected; none for a line derived from the polygons.
    pub recorded_version: Option<i64>,
    /// The agreement (协议书).
    pub agreement: Option<Agreement>,
    /// Who approved the line.
    pub approved_by: Option<String>,
    /// Its geodesic length, metres.
    pub length_m: f64,
    /// Its geometry (GeoJSON MultiLineString, CGCS2000): art. 7, the line stays as agreed.
    pub geometry: Value,
}

/// A marker as the register held it when the round opened (界桩登记表).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasisMarker {
    /// Its GB/T 17796 number.
    pub number: String,
    /// Q, A, B, C, D or E.
    pub marker_type: String,
    /// Registered CGCS2000 longitude.
    pub lon: f64,
    /// Registered CGCS2000 latitude.
    pub lat: f64,
    /// The system it was surveyed in.
    pub surveyed_crs: String,
    /// As surveyed: east or longitude.
    pub surveyed_x: f64,
    /// As surveyed: north or latitude.
    pub surveyed_y: f64,
    /// Material.
    pub material: Option<String>,
    /// The day it was set.
    pub installed_on: Option<String>,
    /// Its reference objects (方位物).
    pub references: Vec<ReferenceObject>,
    /// Its latest recorded condition.
    pub condition: Option<String>,
    /// The version of its registered position.
    pub position_version: i64,
}

impl BasisMarker {
    /// The marker's stop on the line: its number without the type letter (a pair or triple
    /// stands under one number).
    pub fn stop(&self) -> &str {
        self.number
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
    }
}

/// A segment of the line between two marker stops, with the side leading it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasisSegment {
    /// Its number along the line, from 1.
    pub number: u32,
    /// The stop where it starts (`None` at an end of the line).
    pub from_marker: Option<String>,
    /// The stop where it ends.
    pub to_marker: Option<String>,
    /// The side that leads it (界线分段负责方), as the agreement assigns it.
    pub lead: Option<String>,
    /// Its geodesic length, metres.
    pub length_m: f64,
}

/// A task of the previous round still open when this round opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarriedTask {
    /// Its id in the previous round.
    pub id: i64,
    /// The marker.
    pub marker_number: String,
    /// What was to be done.
    pub action: TaskAction,
    /// The side to do it.
    pub side: String,
}

/// A dispute of the previous round not resolved when this round opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarriedDispute {
    /// Its id in the previous round.
    pub id: i64,
    /// `segment-N` or `line`.
    pub subject: String,
    /// What is disputed.
    pub description: String,
    /// Its status then.
    pub status: String,
}

/// The open items of the previous round of the line, which this round carries over.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Carried {
    /// The previous signed round of the line.
    pub previous_round: Option<i64>,
    /// Markers its report left damaged, missing or moved without a completed repair.
    pub unrepaired_markers: Vec<String>,
    /// Its open tasks.
    pub tasks: Vec<CarriedTask>,
    /// Its unresolved disputes.
    pub disputes: Vec<CarriedDispute>,
}

/// What a round inspects, as it stood when the round opened: the agreement, the register, the
/// segment leads and the earlier round's open items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    /// The line.
    pub line: BasisLine,
    /// Its markers, in sequence.
    pub markers: Vec<BasisMarker>,
    /// Its segments between the marker stops.
    pub segments: Vec<BasisSegment>,
    /// What carried over.
    pub carried: Carried,
}

impl Basis {
    /// Every item of the round: the markers in sequence, the segments, the line.
    pub fn subjects(&self) -> Vec<Subject> {
        self.markers
            .iter()
            .map(|m| Subject::Marker(m.number.clone()))
            .chain(self.segments.iter().map(|s| Subject::Segment(s.number)))
            .chain(std::iter::once(Subject::Line))
            .collect()
    }

    /// Whether the round inspects `subject`.
    pub fn has(&self, subject: &Subject) -> bool {
        match subject {
            Subject::Marker(number) => self.marker(number).is_some(),
            Subject::Segment(n) => self.segments.iter().any(|s| s.number == *n),
            Subject::Line => true,
        }
    }

    /// The marker of a number.
    pub fn marker(&self, number: &str) -> Option<&BasisMarker> {
        self.markers.iter().find(|m| m.number == number)
    }

    /// The side leading the segment a marker stop begins (or, at the line's end, ends).
    pub fn lead_of_stop(&self, stop: &str) -> Option<&str> {
        let starting = self
            .segments
            .iter()
            .find(|s| s.from_marker.as_deref() == Some(stop));
        let ending = || {
            self.segments
                .iter()
                .find(|s| s.to_marker.as_deref() == Some(stop))
        };
        starting.or_else(ending).and_then(|s| s.lead.as_deref())
    }

    /// The lead of every stop at once, as `lead_of_stop` gives it one by one: a report of
    /// thousands of markers looks each up in this map instead of scanning the segments per
    /// marker.
    pub fn stop_leads(&self) -> HashMap<&str, Option<&str>> {
        let mut leads = HashMap::with_capacity(self.segments.len() + 1);
        // Ending segments first, so that a segment starting at the stop takes its place.
        for segment in self.segments.iter().rev() {
            if let Some(stop) = segment.to_marker.as_deref() {
                leads.insert(stop, segment.lead.as_deref());
            }
        }
        for segment in self.segments.iter().rev() {
            if let Some(stop) = segment.from_marker.as_deref() {
                leads.insert(stop, segment.lead.as_deref());
            }
        }
        leads
    }

    /// The name of a side by its code (the code when unknown).
    pub fn side_name(&self, code: &str) -> String {
        self.line
            .sides
            .iter()
            .find(|s| s.code == code)
            .map_or_else(|| code.to_string(), |s| s.name.clone())
    }
}

/// The round itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundRecord {
    /// Its id (random).
    pub id: i64,
    /// The line.
    pub line_code: String,
    /// The lead side (牵头方).
    pub lead_side: String,
    /// The cooperating side (配合方).
    pub cooperating_side: String,
    /// 第N轮 of the line.
    pub number: Option<i64>,
    /// The cause of an ad-hoc inspection.
    pub adhoc_cause: Option<String>,
    /// Planned start.
    pub planned_start: NaiveDate,
    /// Planned end.
    pub planned_end: NaiveDate,
    /// How far a measured position may lie from the registered one, metres.
    pub tolerance_m: f64,
    /// Where it stands.
    pub state: RoundState,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Counts changes of the round (its ETag).
    pub version: i64,
    /// Counts changes of what the report is made of.
    pub content_version: i64,
    /// The basis.
    #[serde(skip)]
    pub basis: Basis,
    /// The previous signed round of the line.
    pub previous_round_id: Option<i64>,
    /// The hash both signers signed.
    pub signed_hash: Option<String>,
    /// When opened.
    pub created_at: DateTime<Utc>,
    /// By whom.
    pub created_by: String,
}

impl RoundRecord {
    /// Both sides, lead first.
    pub fn sides(&self) -> [&str; 2] {
        [&self.lead_side, &self.cooperating_side]
    }

    /// 0 for the lead side, 1 for the cooperating side.
    pub fn side_index(&self, code: &str) -> Option<usize> {
        self.sides().iter().position(|s| *s == code)
    }

    /// The other side.
    pub fn other_side(&self, code: &str) -> &str {
        if code == self.lead_side {
            &self.cooperating_side
        } else {
            &self.lead_side
        }
    }

    /// 第七轮 or 专项（cause）.
    pub fn label_zh(&self) -> String {
        match (self.number, &self.adhoc_cause) {
            (Some(n), _) => format!("第{}轮", chinese_number(n)),
            (None, Some(cause)) => format!("专项（{cause}）"),
            (None, None) => String::new(),
        }
    }
}

/// What a member does in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// On the side's team: records its findings.
    Inspector,
    /// Signs the report for the side.
    Signer,
}

impl MemberRole {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inspector => "inspector",
            Self::Signer => "signer",
        }
    }

    /// Reads a role.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "inspector" => Some(Self::Inspector),
            "signer" => Some(Self::Signer),
            _ => None,
        }
    }
}

/// A named account on one side of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The account.
    pub user_id: i64,
    /// Its username.
    pub username: String,
    /// The side.
    pub side: String,
    /// Team member or signer.
    pub role: MemberRole,
}

/// What `user_id` is in a round with `members`; `coordinator` and `reader` come from the
/// caller's role and jurisdiction (an administrator covering both sides; staff of either side).
pub fn participation(
    user_id: i64,
    members: &[Member],
    coordinator: bool,
    reader: bool,
) -> Participation {
    let mine = members.iter().filter(|m| m.user_id == user_id);
    Participation {
        coordinator,
        team_side: mine
            .clone()
            .find(|m| m.role == MemberRole::Inspector)
            .map(|m| m.side.clone()),
        signs_for: mine
            .filter(|m| m.role == MemberRole::Signer)
            .map(|m| m.side.clone())
            .collect(),
        reader,
    }
}

/// One version of a side's finding.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FindingRecord {
    /// The side.
    pub side: String,
    /// The subject (`330421330482001A`, `segment-3`, `line`).
    pub subject: String,
    /// Its version, from 1.
    pub version: i64,
    /// The finding.
    pub finding: Finding,
    /// The device's id of the capture, for findings sent in a batch.
    pub client_id: Option<String>,
    /// When the device captured it.
    pub captured_at: Option<DateTime<Utc>>,
    /// When the service stored it.
    pub recorded_at: DateTime<Utc>,
    /// Who sent it.
    pub author: String,
}

/// A side's acceptance of one side's finding of a differing item.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AcceptanceRecord {
    /// The item.
    pub subject: String,
    /// The accepting side.
    pub side: String,
    /// Whose finding it accepts.
    pub accepted_side: String,
    /// Which version of it.
    pub accepted_version: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub author: String,
}

/// A comment in the discussion of an item.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CommentRecord {
    /// Its id.
    pub id: i64,
    /// The item.
    pub subject: String,
    /// The side commenting.
    pub side: String,
    /// The text.
    pub body: String,
    /// Photos attached.
    pub photo_ids: Vec<i64>,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub author: String,
}

/// A side's claimed line in a dispute.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ClaimRecord {
    /// The side claiming.
    pub side: String,
    /// The claimed line (GeoJSON, CGCS2000).
    pub line: Value,
    /// Notes.
    pub note: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub author: String,
}

/// A step of a dispute's status.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DisputeStepRecord {
    /// The status it moved to.
    pub status: DisputeStatus,
    /// Notes.
    pub note: Option<String>,
    /// The resolving document.
    pub document: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub author: String,
}

/// A dispute (争议) with both claims and its history.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DisputeRecord {
    /// Its id.
    pub id: i64,
    /// `segment-N` or `line`.
    pub subject: String,
    /// What is disputed.
    pub description: String,
    /// Its status.
    pub status: DisputeStatus,
    /// The document that resolved it.
    pub resolving_document: Option<String>,
    /// The dispute of the previous round it carries over.
    pub carried_from: Option<i64>,
    /// The claims, by side.
    pub claims: Vec<ClaimRecord>,
    /// Its history, oldest first.
    pub steps: Vec<DisputeStepRecord>,
    /// Counts its changes.
    pub version: i64,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// By whom.
    pub created_by: String,
}

/// Whether a task is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// To do.
    Open,
    /// Done.
    Done,
}

impl TaskStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
        }
    }
}

/// The position a moved or new marker is set at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewPosition {
    /// CGCS2000 longitude.
    pub lon: f64,
    /// CGCS2000 latitude.
    pub lat: f64,
    /// The system surveyed in.
    pub crs: String,
    /// As surveyed: east or longitude.
    pub x: f64,
    /// As surveyed: north or latitude.
    pub y: f64,
}

/// A task for the side leading a marker's segment.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TaskRecord {
    /// Its id.
    pub id: i64,
    /// The marker.
    pub marker_number: String,
    /// What to do.
    pub action: TaskAction,
    /// The side to do it.
    pub side: String,
    /// Why.
    pub reason: Option<String>,
    /// For a move or a new marker.
    pub new_position: Option<NewPosition>,
    /// Open or done.
    pub status: TaskStatus,
    /// The day done.
    pub completed_on: Option<NaiveDate>,
    /// Who of each side was present at the work.
    pub present: BTreeMap<String, Vec<String>>,
    /// Photos of the work.
    pub photo_ids: Vec<i64>,
    /// Notes on the work.
    pub notes: Option<String>,
    /// The task of the previous round it carries over.
    pub carried_from: Option<i64>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// By whom.
    pub created_by: String,
    /// Who recorded the completion.
    pub completed_by: Option<String>,
    /// Counts its changes.
    pub version: i64,
}

/// A photo of the round (its bytes apart).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotoRecord {
    /// Its id (random).
    pub id: i64,
    /// The side that uploaded it.
    pub side: String,
    /// `image/jpeg`.
    pub media_type: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// When.
    pub uploaded_at: DateTime<Utc>,
    /// Who.
    pub uploaded_by: String,
}

/// A signer's signature of the report's hash.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SignatureRecord {
    /// The side signed for.
    pub side: String,
    /// The signer.
    pub signer: String,
    /// The hash signed.
    pub hash: String,
    /// When.
    pub signed_at: DateTime<Utc>,
    /// When a later change of the content voided it.
    pub voided_at: Option<DateTime<Utc>>,
}

/// Everything a round's report is made of.
#[derive(Debug, Clone)]
pub struct RoundRecords {
    /// The round with its basis.
    pub round: RoundRecord,
    /// Its members.
    pub members: Vec<Member>,
    /// Each side's current finding of each item.
    pub findings: Vec<FindingRecord>,
    /// Each side's latest acceptance of each item.
    pub acceptances: Vec<AcceptanceRecord>,
    /// Its disputes, by id.
    pub disputes: Vec<DisputeRecord>,
    /// Its tasks, by id.
    pub tasks: Vec<TaskRecord>,
    /// Its photos, by id.
    pub photos: Vec<PhotoRecord>,
}

impl RoundRecords {
    /// Each side's current finding by (side index, subject).
    fn findings_by_item(&self) -> HashMap<(usize, &str), &FindingRecord> {
        self.findings
            .iter()
            .filter_map(|f| {
                self.round
                    .side_index(&f.side)
                    .map(|i| ((i, f.subject.as_str()), f))
            })
            .collect()
    }

    /// The current finding of `side` for `subject`.
    pub fn current(&self, side: &str, subject: &str) -> Option<&FindingRecord> {
        self.findings
            .iter()
            .find(|f| f.side == side && f.subject == subject)
    }

    /// Both sides' findings compared item by item, in the order of the basis.
    pub fn reconcile(&self) -> Reconciliation {
        let by_item = self.findings_by_item();
        let accepted: HashMap<(usize, &str), Acceptance> = self
            .acceptances
            .iter()
            .filter_map(|a| {
                let by = self.round.side_index(&a.side)?;
                let whose = self.round.side_index(&a.accepted_side)?;
                Some((
                    (by, a.subject.as_str()),
                    Acceptance {
                        side: whose,
                        version: a.accepted_version,
                    },
                ))
            })
            .collect();
        let subjects: Vec<String> = self
            .round
            .basis
            .subjects()
            .iter()
            .map(Subject::to_string)
            .collect();
        let inputs: Vec<ItemInput<'_>> = subjects
            .iter()
            .map(|subject| {
                let side = |i: usize| {
                    by_item.get(&(i, subject.as_str())).map(|f| SideFinding {
                        version: f.version,
                        finding: &f.finding,
                    })
                };
                ItemInput {
                    subject: subject.clone(),
                    findings: [side(0), side(1)],
                    acceptances: [
                        accepted.get(&(0, subject.as_str())).copied(),
                        accepted.get(&(1, subject.as_str())).copied(),
                    ],
                }
            })
            .collect();
        reconcile(&inputs, self.round.tolerance_m)
    }

    /// The report's content (联合检查报告), assembled from the records alone.
    pub fn report(&self) -> ReportContent {
        self.report_with(&self.reconcile())
    }

    /// The report's content with the reconciliation already computed.
    pub fn report_with(&self, reconciliation: &Reconciliation) -> ReportContent {
        let round = &self.round;
        let basis = &round.basis;
        let sides = round.sides();
        let by_item = self.findings_by_item();
        let leads = basis.stop_leads();
        let verdicts: HashMap<&str, (_, Option<usize>)> = reconciliation
            .items
            .iter()
            .map(|i| (i.subject.as_str(), (i.verdict, i.holding)))
            .collect();
        let findings_of = |subject: &str| -> BTreeMap<String, Finding> {
            (0..2)
                .filter_map(|i| {
                    by_item
                        .get(&(i, subject))
                        .map(|f| (sides[i].to_string(), canonical_finding(&f.finding)))
                })
                .collect()
        };
        let verdict_of = |subject: &str| {
            verdicts
                .get(subject)
                .copied()
                .unwrap_or((super::inspection_reconcile::Verdict::Unrecorded, None))
        };
        let markers: Vec<MarkerRow> = basis
            .markers
            .iter()
            .map(|m| {
                let (verdict, holding) = verdict_of(&m.number);
                MarkerRow {
                    number: m.number.clone(),
                    marker_type: m.marker_type.clone(),
                    lon: m.lon,
                    lat: m.lat,
                    surveyed: (m.surveyed_crs.clone(), m.surveyed_x, m.surveyed_y),
                    material: m.material.clone(),
                    installed_on: m.installed_on.clone(),
                    references: m.references.iter().map(ReportReference::from).collect(),
                    lead: leads.get(m.stop()).copied().flatten().map(str::to_string),
                    findings: findings_of(&m.number),
                    verdict,
                    holding_side: holding.map(|i| sides[i].to_string()),
                }
            })
            .collect();
        let mut stretches: Vec<StretchRow> = basis
            .segments
            .iter()
            .map(|s| {
                let subject = Subject::Segment(s.number).to_string();
                StretchRow {
                    from_marker: s.from_marker.clone(),
                    to_marker: s.to_marker.clone(),
                    lead: s.lead.clone(),
                    length_m: s.length_m,
                    findings: findings_of(&subject),
                    verdict: verdict_of(&subject).0,
                    subject,
                }
            })
            .collect();
        stretches.push(StretchRow {
            subject: "line".into(),
            from_marker: None,
            to_marker: None,
            lead: Some(round.lead_side.clone()),
            length_m: basis.line.length_m,
            findings: findings_of("line"),
            verdict: verdict_of("line").0,
        });
        let line_sides = [
            basis.line.sides[0].code.as_str(),
            basis.line.sides[1].code.as_str(),
        ];
        let disputes: Vec<DisputeRow> = self
            .disputes
            .iter()
            .map(|d| {
                let claim = |side: &str| Claim {
                    side: side.to_string(),
                    colour: claim_colour(side, line_sides).unwrap_or("grey").to_string(),
                    line: d
                        .claims
                        .iter()
                        .find(|c| c.side == side)
                        .map(|c| sort_keys(&c.line)),
                };
                // Red first: the side with the smaller code.
                let mut ordered = line_sides;
                ordered.sort_unstable();
                DisputeRow {
                    id: d.id,
                    subject: d.subject.clone(),
                    description: d.description.clone(),
                    status: d.status.as_str().to_string(),
                    claims: [claim(ordered[0]), claim(ordered[1])],
                    resolving_document: d.resolving_document.clone(),
                    history: d
                        .steps
                        .iter()
                        .map(|s| DisputeStep {
                            status: s.status.as_str().to_string(),
                            by: s.author.clone(),
                            note: s.note.clone(),
                            document: s.document.clone(),
                        })
                        .collect(),
                    carried_from: d.carried_from,
                }
            })
            .collect();
        let tasks: Vec<TaskRow> = self
            .tasks
            .iter()
            .map(|t| TaskRow {
                id: t.id,
                marker_number: t.marker_number.clone(),
                action: t.action.as_str().to_string(),
                side: t.side.clone(),
                reason: t.reason.clone(),
                new_position: t.new_position.as_ref().map(|p| (p.lon, p.lat)),
                status: t.status.as_str().to_string(),
                completed_on: t.completed_on,
                present: t.present.clone(),
                photo_ids: t.photo_ids.clone(),
                carried_from: t.carried_from,
            })
            .collect();
        let photos = self
            .photos
            .iter()
            .map(|p| PhotoRow {
                id: p.id,
                sha256: p.sha256.clone(),
                size: (p.width, p.height),
                uploaded_by: p.uploaded_by.clone(),
            })
            .collect();
        let observed = self.findings.iter().map(|f| f.finding.observed_on).fold(
            None,
            |span: Option<(NaiveDate, NaiveDate)>, day| {
                Some(span.map_or((day, day), |(a, b)| (a.min(day), b.max(day))))
            },
        );
        let side = |i: usize| {
            let code = sides[i];
            let mut inspectors: Vec<String> = self
                .members
                .iter()
                .filter(|m| m.side == code && m.role == MemberRole::Inspector)
                .map(|m| m.username.clone())
                .collect();
            inspectors.sort();
            ReportSide {
                code: code.to_string(),
                name: basis.side_name(code),
                part: if i == 0 { "lead" } else { "cooperating" }.to_string(),
                inspectors,
                signer: self
                    .members
                    .iter()
                    .find(|m| m.side == code && m.role == MemberRole::Signer)
                    .map(|m| m.username.clone())
                    .unwrap_or_default(),
            }
        };
        let counts = count(&markers, &stretches, &disputes, &tasks);
        ReportContent {
            title: format!(
                "{}与{}行政区域界线{}联合检查报告",
                basis.line.sides[0].name,
                basis.line.sides[1].name,
                round.label_zh()
            ),
            line: ReportLine {
                code: basis.line.code.clone(),
                agreement: basis.line.agreement.as_ref().map(ReportAgreement::from),
                approved_by: basis.line.approved_by.clone(),
                version: basis.line.recorded_version,
                length_m: basis.line.length_m,
            },
            round: ReportRound {
                id: round.id,
                number: round.number,
                adhoc_cause: round.adhoc_cause.clone(),
                planned_start: round.planned_start,
                planned_end: round.planned_end,
                observed,
                tolerance_m: round.tolerance_m,
            },
            sides: [side(0), side(1)],
            counts,
            markers,
            stretches,
            disputes,
            tasks,
            photos,
        }
    }
}

/// A finding as the report carries it: the GeoJSON of its changes with keys in canonical order.
fn canonical_finding(finding: &Finding) -> Finding {
    let mut finding = finding.clone();
    for change in &mut finding.changes {
        if let Some(geometry) = &change.geometry {
            change.geometry = Some(sort_keys(geometry));
        }
    }
    finding
}

/// The markers a report leaves needing work: held as tilted, damaged, buried, missing,
/// destroyed or moved, without a completed task for them.
pub fn unrepaired_markers(report: &ReportContent) -> Vec<String> {
    report
        .markers
        .iter()
        .filter(|row| {
            row.held()
                .and_then(|f| f.condition)
                .is_some_and(|c| c != FoundCondition::Intact)
        })
        .filter(|row| {
            !report
                .tasks
                .iter()
                .any(|t| t.marker_number == row.number && t.status == "done")
        })
        .map(|row| row.number.clone())
        .collect()
}

/// A number from 1 to 99 in Chinese numerals, as round numbers are written (第七轮, 第十二轮).
///
/// ```
/// use diming::domain::inspection_records::chinese_number;
/// assert_eq!(chinese_number(7), "七");
/// assert_eq!(chinese_number(10), "十");
/// assert_eq!(chinese_number(12), "十二");
/// assert_eq!(chinese_number(20), "二十");
/// assert_eq!(chinese_number(35), "三十五");
/// assert_eq!(chinese_number(120), "120");
/// ```
pub fn chinese_number(n: i64) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n as usize].to_string(),
        10..=99 => {
            let (tens, units) = ((n / 10) as usize, (n % 10) as usize);
            let mut text = String::new();
            if tens > 1 {
                text.push_str(DIGITS[tens]);
            }
            text.push('十');
            if units > 0 {
                text.push_str(DIGITS[units]);
            }
            text
        }
        _ => n.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::inspection_finding::Inscription;
    use crate::domain::inspection_reconcile::Verdict;

    pub(crate) fn sample_round(markers: usize) -> RoundRecord {
        let marker = |i: usize| BasisMarker {
            number: format!("330421330482{:03}Q", i + 1),
            marker_type: "Q".into(),
            lon: 120.9 + i as f64 * 0.001,
            lat: 30.8,
            surveyed_crs: "EPSG:4490".into(),
            surveyed_x: 120.9 + i as f64 * 0.001,
            surveyed_y: 30.8,
            material: None,
            installed_on: None,
            references: vec![],
            condition: None,
            position_version: 1,
        };
        let stops: Vec<String> = (0..markers)
            .map(|i| format!("330421330482{:03}", i + 1))
            .collect();
        let segments = (0..=markers)
            .map(|i| BasisSegment {
                number: i as u32 + 1,
                from_marker: i.checked_sub(1).map(|j| stops[j].clone()),
                to_marker: stops.get(i).cloned(),
                lead: Some(if i % 2 == 0 { "330421" } else { "330482" }.into()),
                length_m: 100.0,
            })
            .collect();
        RoundRecord {
            id: 1 << 40,
            line_code: "330421330482".into(),
            lead_side: "330482".into(),
            cooperating_side: "330421".into(),
            number: Some(7),
            adhoc_cause: None,
            planned_start: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            planned_end: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            tolerance_m: 1.0,
            state: RoundState::Reconciliation,
            cancel_reason: None,
            version: 1,
            content_version: 1,
            basis: Basis {
                line: BasisLine {
                    code: "330421330482".into(),
                    sides: [
                        BasisSide {
                            code: "330421".into(),
                            name: "嘉善县".into(),
                        },
                        BasisSide {
                            code: "330482".into(),
                            name: "平湖市".into(),
                        },
                    ],
                    recorded_version: Some(1),
                    agreement: None,
                    approved_by: None,
                    length_m: 100.0 * (markers as f64 + 1.0),
                    geometry: Value::Null,
                },
                markers: (0..markers).map(marker).collect(),
                segments,
                carried: Carried::default(),
            },
            previous_round_id: None,
            signed_hash: None,
            created_at: DateTime::<Utc>::from_timestamp(1_770_000_000, 0).unwrap(),
            created_by: "admin".into(),
        }
    }

    fn finding(condition: FoundCondition) -> Finding {
        Finding {
            observed_on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            condition: Some(condition),
            inscription: Some(Inscription::Legible),
            position: None,
            references: vec![],
            line_identifiable: None,
            changes: vec![],
            photo_ids: vec![],
            notes: None,
            present: BTreeMap::new(),
        }
    }

    fn record(side: &str, subject: &str, version: i64, finding: Finding) -> FindingRecord {
        FindingRecord {
            side: side.into(),
            subject: subject.into(),
            version,
            finding,
            client_id: None,
            captured_at: None,
            recorded_at: DateTime::<Utc>::from_timestamp(1_770_000_000, 0).unwrap(),
            author: "x".into(),
        }
    }

    fn records(round: RoundRecord, findings: Vec<FindingRecord>) -> RoundRecords {
        RoundRecords {
            round,
            members: vec![],
            findings,
            acceptances: vec![],
            disputes: vec![],
            tasks: vec![],
            photos: vec![],
        }
    }

    #[test]
    fn items_are_the_markers_then_the_segments_then_the_line() {
        let round = sample_round(2);
        let subjects: Vec<String> = round
            .basis
            .subjects()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            subjects,
            [
                "330421330482001Q",
                "330421330482002Q",
                "segment-1",
                "segment-2",
                "segment-3",
                "line"
            ]
        );
        // A stop leads as the segment starting at it; the last as the one ending there.
        assert_eq!(round.basis.lead_of_stop("330421330482001"), Some("330482"));
        assert_eq!(round.basis.lead_of_stop("330421330482002"), Some("330421"));
        let leads = round.basis.stop_leads();
        for marker in &round.basis.markers {
            assert_eq!(
                leads.get(marker.stop()).copied().flatten(),
                round.basis.lead_of_stop(marker.stop()),
                "{}",
                marker.number
            );
        }
    }

    #[test]
    fn the_report_holds_each_sides_finding_and_counts_what_holds() {
        let m1 = "330421330482001Q";
        let m2 = "330421330482002Q";
        let mut all = records(
            sample_round(2),
            vec![
                record("330482", m1, 1, finding(FoundCondition::Intact)),
                record("330421", m1, 1, finding(FoundCondition::Intact)),
                record("330482", m2, 1, finding(FoundCondition::Damaged)),
                record("330421", m2, 2, finding(FoundCondition::Missing)),
            ],
        );
        let report = all.report();
        assert_eq!(report.title, "嘉善县与平湖市行政区域界线第七轮联合检查报告");
        assert_eq!(report.sides[0].code, "330482", "lead first");
        assert_eq!(report.markers[0].verdict, Verdict::Agreed);
        assert_eq!(report.markers[1].verdict, Verdict::Differing);
        assert_eq!((report.counts.intact, report.counts.differing), (1, 1));
        // Both sides accept the cooperating side's finding: settled, held as missing.
        for side in ["330482", "330421"] {
            all.acceptances.push(AcceptanceRecord {
                subject: m2.into(),
                side: side.into(),
                accepted_side: "330421".into(),
                accepted_version: 2,
                at: DateTime::<Utc>::from_timestamp(1_770_000_000, 0).unwrap(),
                author: "x".into(),
            });
        }
        let settled = all.report();
        assert_eq!(settled.markers[1].verdict, Verdict::Settled);
        assert_eq!(settled.markers[1].holding_side.as_deref(), Some("330421"));
        assert_eq!(settled.counts.missing, 1);
        assert_ne!(report.hash(), settled.hash());
        assert_eq!(unrepaired_markers(&settled), [m2]);
    }

    #[test]
    fn the_content_written_directly_is_its_canonical_form() {
        use crate::domain::inspection::{DisputeStatus, TaskAction};
        use crate::domain::inspection_finding::{
            ChangeKind, GroundChange, MeasuredPosition, ReferenceCheck,
        };
        use crate::domain::inspection_report::{canonical_json, sha256_hex};
        let at = DateTime::<Utc>::from_timestamp(1_770_000_000, 0).unwrap();
        let mut round = sample_round(2);
        round.basis.line.agreement = Some(Agreement {
            title: "协议书".into(),
            number: "嘉界〔2002〕3号".into(),
            signed_on: NaiveDate::from_ymd_opt(2002, 9, 18).unwrap(),
        });
        round.basis.line.approved_by = Some("嘉兴市人民政府".into());
        round.basis.markers[0].references = vec![ReferenceObject {
            name: "电杆".into(),
            bearing_deg: 45.5,
            distance_m: 12.25,
        }];
        round.basis.markers[0].material = Some("花岗岩".into());
        round.basis.markers[0].installed_on = Some("2003-05-01".into());
        let mut full = finding(FoundCondition::Moved);
        full.position = Some(MeasuredPosition {
            crs: "EPSG:4549".into(),
            x: 586_045.086,
            y: 3_420_234.53,
            lon: 120.900_012_345,
            lat: 30.8,
            offset_m: 1.234,
            exceeds_tolerance: true,
        });
        full.references = vec![ReferenceCheck {
            name: "电杆\"旧\"".into(),
            found: true,
            bearing_deg: Some(45.0),
            distance_m: Some(12.0),
        }];
        full.photo_ids = vec![1 << 40];
        full.notes = Some("注记\n模糊".into());
        full.present = BTreeMap::from([("330421".into(), vec!["李四".into()])]);
        let mut stretch = finding(FoundCondition::Intact);
        stretch.condition = None;
        stretch.inscription = None;
        stretch.line_identifiable = Some(false);
        stretch.changes = vec![GroundChange {
            kind: ChangeKind::River,
            description: "河道东移".into(),
            geometry: Some(
                serde_json::json!({"type": "LineString", "coordinates": [[120.9, 30.8], [120.91, 30.81]]}),
            ),
            photo_ids: vec![7],
        }];
        let mut all = records(
            round,
            vec![
                record("330482", "330421330482001Q", 1, full.clone()),
                record("330421", "330421330482001Q", 2, full),
                record("330482", "segment-2", 1, stretch),
            ],
        );
        all.members = vec![Member {
            user_id: 1,
            username: "ph.inspector".into(),
            side: "330482".into(),
            role: MemberRole::Inspector,
        }];
        all.acceptances = vec![AcceptanceRecord {
            subject: "330421330482001Q".into(),
            side: "330482".into(),
            accepted_side: "330421".into(),
            accepted_version: 2,
            at,
            author: "x".into(),
        }];
        all.disputes = vec![DisputeRecord {
            id: 3,
            subject: "segment-2".into(),
            description: "走向不一".into(),
            status: DisputeStatus::Negotiated,
            resolving_document: None,
            carried_from: Some(1),
            claims: vec![ClaimRecord {
                side: "330421".into(),
                line: serde_json::json!({"type": "LineString", "coordinates": [[120.9, 30.8], [120.92, 30.81]]}),
                note: None,
                at,
                author: "x".into(),
            }],
            steps: vec![DisputeStepRecord {
                status: DisputeStatus::Negotiated,
                note: Some("会商".into()),
                document: None,
                at,
                author: "x".into(),
            }],
            version: 2,
            created_at: at,
            created_by: "x".into(),
        }];
        all.tasks = vec![TaskRecord {
            id: 4,
            marker_number: "330421330482001Q".into(),
            action: TaskAction::Move,
            side: "330482".into(),
            reason: Some("道路拓宽".into()),
            new_position: Some(NewPosition {
                lon: 120.9,
                lat: 30.8,
                crs: "EPSG:4490".into(),
                x: 120.9,
                y: 30.8,
            }),
            status: TaskStatus::Done,
            completed_on: NaiveDate::from_ymd_opt(2026, 5, 2),
            present: BTreeMap::from([("330421".into(), vec!["李四".into()])]),
            photo_ids: vec![9],
            notes: None,
            carried_from: None,
            created_at: at,
            created_by: "x".into(),
            completed_by: Some("y".into()),
            version: 2,
        }];
        all.photos = vec![PhotoRecord {
            id: 9,
            side: "330482".into(),
            media_type: "image/jpeg".into(),
            width: 40,
            height: 30,
            sha256: "ab".into(),
            uploaded_at: at,
            uploaded_by: "x".into(),
        }];
        let content = all.report();
        let by_value = canonical_json(&serde_json::to_value(&content).unwrap());
        assert_eq!(content.canonical(), by_value);
        assert_eq!(content.hash(), sha256_hex(by_value.as_bytes()));
    }

    #[test]
    fn the_same_records_give_the_same_hash() {
        let m1 = "330421330482001Q";
        let a = records(
            sample_round(3),
            vec![record("330482", m1, 1, finding(FoundCondition::Intact))],
        );
        let b = records(
            sample_round(3),
            vec![record("330482", m1, 1, finding(FoundCondition::Intact))],
        );
        assert_eq!(a.report().hash(), b.report().hash());
        let c = records(
            sample_round(3),
            vec![record("330482", m1, 1, finding(FoundCondition::Tilted))],
        );
        assert_ne!(a.report().hash(), c.report().hash());
    }
}
