//! Reconciliation (对比核对) as a pure function: both sides' findings compared item by item —
//! conditions and inscriptions equal, measured positions within the round's tolerance of each
//! other, reference objects agreeing — giving agreed, differing and one-sided items, and the
//! differing items both sides settled by accepting one finding.
#![warn(missing_docs)]

use std::collections::HashMap;

use geo::{Distance, Geodesic, Point};
use serde::Serialize;

use super::inspection_finding::{Finding, FoundCondition};

/// Two re-measured bearings of one reference object agree within this (degrees).
pub const REFERENCE_BEARING_TOLERANCE_DEG: f64 = 1.0;
/// Two re-measured distances to one reference object agree within this (metres).
pub const REFERENCE_DISTANCE_TOLERANCE_M: f64 = 0.5;

/// One side's current finding of an item.
#[derive(Debug, Clone, Copy)]
pub struct SideFinding<'a> {
    /// Its version (acceptances name the version they accepted).
    pub version: i64,
    /// The finding.
    pub finding: &'a Finding,
}

/// A side's acceptance of one side's finding of an item: `side` index (0 lead, 1 cooperating)
/// and the version accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acceptance {
    /// Whose finding: 0 the lead side's, 1 the cooperating side's.
    pub side: usize,
    /// The version accepted; a later version of that finding lapses the acceptance.
    pub version: i64,
}

/// Everything known of one item: both sides' findings and both sides' acceptances.
#[derive(Debug, Clone, Default)]
pub struct ItemInput<'a> {
    /// The item: a marker number, `segment-N` or `line`.
    pub subject: String,
    /// The lead side's finding and the cooperating side's.
    pub findings: [Option<SideFinding<'a>>; 2],
    /// The lead side's acceptance and the cooperating side's.
    pub acceptances: [Option<Acceptance>; 2],
}

/// How an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Both sides found the same.
    Agreed,
    /// The findings differ and are not settled.
    Differing,
    /// The findings differed; both sides accepted one of them.
    Settled,
    /// Only one side recorded it.
    OneSided,
    /// Neither side recorded it yet.
    Unrecorded,
}

impl Verdict {
    /// The verdict on reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Agreed => "一致",
            Self::Differing => "不一致",
            Self::Settled => "协商一致",
            Self::OneSided => "单方记录",
            Self::Unrecorded => "未检查",
        }
    }
}

/// One way two findings differ.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Difference {
    /// The field (`condition`, `position`, `references[电杆]` …).
    pub field: String,
    /// What each side found, in words.
    pub detail: String,
}

/// An item as reconciled.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Item {
    /// The item.
    pub subject: String,
    /// How it stands.
    pub verdict: Verdict,
    /// How the findings differ (empty unless differing or settled).
    pub differences: Vec<Difference>,
    /// Whose finding holds: 0 lead, 1 cooperating (agreed: the lead side's, equal to the
    /// other's; one-sided: the one; settled: the one both accepted; none while differing).
    pub holding: Option<usize>,
}

/// The comparison of a whole round, in the order of its items, with counts by verdict.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reconciliation {
    /// Every item.
    pub items: Vec<Item>,
    /// How many items have each verdict.
    pub counts: HashMap<Verdict, usize>,
}

/// Compares both sides' findings of every item with `tolerance_m` for positions.
///
/// ```
/// use diming::domain::inspection_reconcile::{reconcile, ItemInput, SideFinding, Verdict};
/// use diming::domain::inspection_finding::{Finding, FoundCondition};
///
/// let finding = |condition| Finding {
///     observed_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
///     condition: Some(condition), inscription: None, position: None, references: vec![],
///     line_identifiable: None, changes: vec![], photo_ids: vec![], notes: None,
///     present: Default::default(),
/// };
/// fn side(finding: &Finding) -> Option<SideFinding<'_>> {
///     Some(SideFinding { version: 1, finding })
/// }
/// let (intact, tilted) = (finding(FoundCondition::Intact), finding(FoundCondition::Tilted));
/// let item = |findings| ItemInput { subject: "330421330482001Q".into(), findings, acceptances: [None, None] };
/// let result = reconcile(
///     &[item([side(&intact), side(&intact)]), item([side(&intact), side(&tilted)]), item([side(&intact), None])],
///     1.0,
/// );
/// let verdicts: Vec<Verdict> = result.items.iter().map(|i| i.verdict).collect();
/// assert_eq!(verdicts, [Verdict::Agreed, Verdict::Differing, Verdict::OneSided]);
/// ```
pub fn reconcile(items: &[ItemInput<'_>], tolerance_m: f64) -> Reconciliation {
    let mut counts = HashMap::new();
    let items: Vec<Item> = items
        .iter()
        .map(|input| {
            let item = reconcile_item(input, tolerance_m);
            *counts.entry(item.verdict).or_insert(0) += 1;
            item
        })
        .collect();
    Reconciliation { items, counts }
}

fn reconcile_item(input: &ItemInput<'_>, tolerance_m: f64) -> Item {
    let item = |verdict, differences, holding| Item {
        subject: input.subject.clone(),
        verdict,
        differences,
        holding,
    };
    match input.findings {
        [None, None] => item(Verdict::Unrecorded, Vec::new(), None),
        [Some(_), None] => item(Verdict::OneSided, Vec::new(), Some(0)),
        [None, Some(_)] => item(Verdict::OneSided, Vec::new(), Some(1)),
        [Some(lead), Some(other)] => {
            let differences = compare(lead.finding, other.finding, tolerance_m);
            if differences.is_empty() {
                return item(Verdict::Agreed, differences, Some(0));
            }
            let current = |a: Option<Acceptance>| {
                a.filter(|a| {
                    let accepted = if a.side == 0 { lead } else { other };
                    accepted.version == a.version
                })
            };
            match (current(input.acceptances[0]), current(input.acceptances[1])) {
                (Some(a), Some(b)) if a.side == b.side => {
                    item(Verdict::Settled, differences, Some(a.side))
                }
                _ => item(Verdict::Differing, differences, None),
            }
        }
    }
}

/// How two findings of one item differ (empty: they agree).
pub fn compare(a: &Finding, b: &Finding, tolerance_m: f64) -> Vec<Difference> {
    let mut differences = Vec::new();
    let mut differ = |field: &str, detail: String| {
        differences.push(Difference {
            field: field.to_string(),
            detail,
        })
    };
    let name = |c: Option<FoundCondition>| c.map_or("—", FoundCondition::label_zh);
    if a.condition != b.condition {
        differ(
            "condition",
            format!("{} / {}", name(a.condition), name(b.condition)),
        );
    }
    if a.inscription != b.inscription {
        let name =
            |i: Option<super::inspection_finding::Inscription>| i.map_or("—", |i| i.label_zh());
        differ(
            "inscription",
            format!("{} / {}", name(a.inscription), name(b.inscription)),
        );
    }
    match (&a.position, &b.position) {
        (Some(p), Some(q)) => {
            let apart = Geodesic.distance(Point::new(p.lon, p.lat), Point::new(q.lon, q.lat));
            if apart > tolerance_m {
                differ(
                    "position",
                    format!(
                        "the measured positions lie {apart:.3} m apart (tolerance {tolerance_m} m)"
                    ),
                );
            }
        }
        (None, None) => {}
        _ => differ("position", "measured by one side only".into()),
    }
    for reference in &a.references {
        let field = format!("references[{}]", reference.name);
        let Some(other) = b.references.iter().find(|r| r.name == reference.name) else {
            differ(&field, "checked by one side only".into());
            continue;
        };
        if reference.found != other.found {
            differ(&field, "found by one side only".into());
            continue;
        }
        if let (Some(x), Some(y)) = (reference.bearing_deg, other.bearing_deg) {
            let turn = (x - y).rem_euclid(360.0);
            if turn.min(360.0 - turn) > REFERENCE_BEARING_TOLERANCE_DEG {
                differ(&field, format!("bearing {x}° / {y}°"));
            }
        }
        if let (Some(x), Some(y)) = (reference.distance_m, other.distance_m)
            && (x - y).abs() > REFERENCE_DISTANCE_TOLERANCE_M
        {
            differ(&field, format!("distance {x} m / {y} m"));
        }
    }
    for reference in &b.references {
        if !a.references.iter().any(|r| r.name == reference.name) {
            differ(
                &format!("references[{}]", reference.name),
                "checked by one side only".into(),
            );
        }
    }
    if a.line_identifiable != b.line_identifiable {
        let name = |b: Option<bool>| match b {
            Some(true) => "可辨认",
            Some(false) => "难以辨认",
            None => "—",
        };
        differ(
            "line_identifiable",
            format!(
                "{} / {}",
                name(a.line_identifiable),
                name(b.line_identifiable)
            ),
        );
    }
    let kinds = |f: &Finding| {
        let mut kinds: Vec<&str> = f.changes.iter().map(|c| c.kind.label_zh()).collect();
        kinds.sort_unstable();
        kinds
    };
    if kinds(a) != kinds(b) {
        differ("changes", format!("{:?} / {:?}", kinds(a), kinds(b)));
    }
    differences
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inspection_finding::{Inscription, MeasuredPosition, ReferenceCheck};

    fn marker(condition: FoundCondition, lon: f64) -> Finding {
        Finding {
            observed_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            condition: Some(condition),
            inscription: Some(Inscription::Legible),
            position: Some(MeasuredPosition {
                crs: "EPSG:4490".into(),
                x: lon,
                y: 30.8,
                lon,
                lat: 30.8,
                offset_m: 0.0,
                exceeds_tolerance: false,
            }),
            references: vec![ReferenceCheck {
                name: "电杆".into(),
                found: true,
                bearing_deg: Some(359.6),
                distance_m: Some(12.0),
            }],
            line_identifiable: None,
            changes: vec![],
            photo_ids: vec![],
            notes: None,
            present: Default::default(),
        }
    }

    fn both<'a>(a: &'a Finding, b: &'a Finding) -> ItemInput<'a> {
        ItemInput {
            subject: "x".into(),
            findings: [
                Some(SideFinding {
                    version: 1,
                    finding: a,
                }),
                Some(SideFinding {
                    version: 2,
                    finding: b,
                }),
            ],
            acceptances: [None, None],
        }
    }

    #[test]
    fn positions_within_tolerance_and_bearings_across_north_agree() {
        let a = marker(FoundCondition::Intact, 121.0);
        let mut b = marker(FoundCondition::Intact, 121.000005); // about 0.48 m east
        b.references[0].bearing_deg = Some(0.2);
        assert!(compare(&a, &b, 1.0).is_empty());
        let fields: Vec<String> = compare(&a, &b, 0.3).into_iter().map(|d| d.field).collect();
        assert_eq!(fields, ["position"]);
        b.references[0].distance_m = Some(13.0);
        b.condition = Some(FoundCondition::Tilted);
        let fields: Vec<String> = compare(&a, &b, 1.0).into_iter().map(|d| d.field).collect();
        assert_eq!(fields, ["condition", "references[电杆]"]);
    }

    #[test]
    fn both_sides_accepting_one_current_finding_settle_a_difference() {
        let a = marker(FoundCondition::Intact, 121.0);
        let b = marker(FoundCondition::Damaged, 121.0);
        let mut input = both(&a, &b);
        input.acceptances = [
            Some(Acceptance {
                side: 1,
                version: 2,
            }),
            Some(Acceptance {
                side: 1,
                version: 2,
            }),
        ];
        let item = &reconcile(&[input.clone()], 1.0).items[0];
        assert_eq!((item.verdict, item.holding), (Verdict::Settled, Some(1)));
        // An acceptance of an older version lapses.
        input.acceptances[0] = Some(Acceptance {
            side: 1,
            version: 1,
        });
        assert_eq!(
            reconcile(&[input.clone()], 1.0).items[0].verdict,
            Verdict::Differing
        );
        // Each accepting a different finding settles nothing.
        input.acceptances[0] = Some(Acceptance {
            side: 0,
            version: 1,
        });
        assert_eq!(
            reconcile(&[input], 1.0).items[0].verdict,
            Verdict::Differing
        );
    }

    #[test]
    fn counts_follow_the_verdicts() {
        let a = marker(FoundCondition::Intact, 121.0);
        let result = reconcile(
            &[
                both(&a, &a),
                ItemInput {
                    subject: "y".into(),
                    ..Default::default()
                },
            ],
            1.0,
        );
        assert_eq!(result.counts[&Verdict::Agreed], 1);
        assert_eq!(result.counts[&Verdict::Unrecorded], 1);
    }
}
