//! Joint boundary inspection rounds (界线联检, 《行政区域界线管理条例》 art. 12): a round of one
//! line — "第N轮" of that line at its level, or an ad-hoc inspection with its cause — its states
//! from planning to the signed report, who may move each state, and which records each state
//! takes. A forbidden move is a typed error, never a comment.
#![warn(missing_docs)]

use std::fmt;

use serde::Serialize;

/// Where a round stands.
///
/// ```
/// use diming::domain::inspection::RoundState;
///
/// assert_eq!(RoundState::parse("field_work"), Some(RoundState::FieldWork));
/// assert_eq!(RoundState::Reconciliation.label_zh(), "对比核对");
/// assert_eq!(RoundState::Planned.next(), Some(RoundState::OfficeReview));
/// assert_eq!(RoundState::Signing.next(), Some(RoundState::Signed));
/// assert_eq!(RoundState::Signed.next(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoundState {
    /// Opened, teams named, not started.
    Planned,
    /// 内业: the agreement, its map, the marker register and earlier reports are reviewed.
    OfficeReview,
    /// 外业: both teams check the markers and the line on the ground.
    FieldWork,
    /// Both sides' findings are compared; differences are discussed, disputes recorded.
    Reconciliation,
    /// The report is assembled and waits for both signatures.
    Signing,
    /// Both sides signed: the round's records are locked.
    Signed,
    /// Called off, with a reason.
    Cancelled,
}

impl RoundState {
    /// Every state, in order.
    pub const ALL: [RoundState; 7] = [
        Self::Planned,
        Self::OfficeReview,
        Self::FieldWork,
        Self::Reconciliation,
        Self::Signing,
        Self::Signed,
        Self::Cancelled,
    ];

    /// The state as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::OfficeReview => "office_review",
            Self::FieldWork => "field_work",
            Self::Reconciliation => "reconciliation",
            Self::Signing => "signing",
            Self::Signed => "signed",
            Self::Cancelled => "cancelled",
        }
    }

    /// The state's name on forms and reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Planned => "计划",
            Self::OfficeReview => "内业",
            Self::FieldWork => "外业",
            Self::Reconciliation => "对比核对",
            Self::Signing => "会签",
            Self::Signed => "已签署",
            Self::Cancelled => "已取消",
        }
    }

    /// Reads a state from its name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// The state that follows in the ordinary course (none after the signed report or a
    /// cancellation).
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Planned => Some(Self::OfficeReview),
            Self::OfficeReview => Some(Self::FieldWork),
            Self::FieldWork => Some(Self::Reconciliation),
            Self::Reconciliation => Some(Self::Signing),
            Self::Signing => Some(Self::Signed),
            Self::Signed | Self::Cancelled => None,
        }
    }

    /// Whether the round is over: nothing of it changes any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Signed | Self::Cancelled)
    }

    /// Whether records of `kind` may be written in this state.
    pub fn takes(self, kind: RecordKind) -> bool {
        use RecordKind::*;
        use RoundState::*;
        match kind {
            Finding => matches!(self, FieldWork | Reconciliation | Signing),
            Discussion => matches!(self, Reconciliation | Signing),
            Dispute | Task => matches!(self, FieldWork | Reconciliation | Signing),
            Signature => self == Signing,
            Photo => matches!(self, OfficeReview | FieldWork | Reconciliation | Signing),
        }
    }

    /// The states that take records of `kind`.
    pub fn taking(kind: RecordKind) -> Vec<RoundState> {
        Self::ALL.into_iter().filter(|s| s.takes(kind)).collect()
    }
}

impl fmt::Display for RoundState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of records a round holds, for the states that take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A side's finding at a marker, a segment or the whole line.
    Finding,
    /// A comment on a differing item, or a side's acceptance of one finding.
    Discussion,
    /// A dispute (争议) with both sides' claimed lines.
    Dispute,
    /// A marker to repair, rebuild, move or add, and its completion.
    Task,
    /// A signer's signature of the report.
    Signature,
    /// A photo, attached to findings, comments and tasks.
    Photo,
}

impl RecordKind {
    /// The kind's name in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Finding => "findings",
            Self::Discussion => "comments and acceptances",
            Self::Dispute => "disputes",
            Self::Task => "tasks",
            Self::Signature => "signatures",
            Self::Photo => "photos",
        }
    }
}

/// What a caller is in a round: the parts that decide what they may do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Participation {
    /// An administrator whose jurisdiction covers both sides (or the superior level): opens,
    /// moves and cancels the round.
    pub coordinator: bool,
    /// The side whose team the caller is on (division code), if any.
    pub team_side: Option<String>,
    /// The sides the caller signs for (division codes).
    pub signs_for: Vec<String>,
    /// Whether the caller is staff of either side (reads the round).
    pub reader: bool,
}

impl Participation {
    /// Whether the caller may read the round at all (others get the answer of an unknown id).
    pub fn may_read(&self) -> bool {
        self.reader || self.coordinator || self.team_side.is_some() || !self.signs_for.is_empty()
    }

    /// The side the caller records for, if a team member.
    pub fn side(&self) -> Option<&str> {
        self.team_side.as_deref()
    }

    /// The caller's side as team member or signer: whose comments and acceptances they give.
    pub fn speaks_for(&self) -> Option<&str> {
        self.team_side
            .as_deref()
            .or_else(|| self.signs_for.first().map(String::as_str))
    }
}

/// Why a state move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The move skips or reverses the order (from, to).
    #[error(
        "a round in {0} cannot move to {1}: the order is planned → office_review → field_work → reconciliation → signing → signed (or cancelled)"
    )]
    OutOfOrder(RoundState, RoundState),
    /// The round is over.
    #[error("the round is {0}: it does not move any more")]
    Final(RoundState),
    /// Only the two signatures make a round signed.
    #[error("a round becomes signed only when both sides' signers have signed the report")]
    OnlyBySignatures,
    /// The caller may not make this move (what they would need).
    #[error("{0}")]
    NotYours(&'static str),
}

/// Checks a state move. The coordinator (an administrator covering both sides) and the lead
/// side's team move a round on along its course and back from signing to reconciliation; only
/// the coordinator cancels; only both signatures make it signed.
///
/// ```
/// use diming::domain::inspection::{check_move, Participation, RoundState, TransitionError};
///
/// let lead = Participation { team_side: Some("330421".into()), ..Default::default() };
/// let other = Participation { team_side: Some("330482".into()), ..Default::default() };
/// assert!(check_move(RoundState::FieldWork, RoundState::Reconciliation, &lead, "330421").is_ok());
/// assert!(matches!(
///     check_move(RoundState::FieldWork, RoundState::Reconciliation, &other, "330421"),
///     Err(TransitionError::NotYours(_))
/// ));
/// assert_eq!(
///     check_move(RoundState::Planned, RoundState::FieldWork, &lead, "330421"),
///     Err(TransitionError::OutOfOrder(RoundState::Planned, RoundState::FieldWork))
/// );
/// ```
pub fn check_move(
    from: RoundState,
    to: RoundState,
    who: &Participation,
    lead_side: &str,
) -> Result<(), TransitionError> {
    if from.is_final() {
        return Err(TransitionError::Final(from));
    }
    if to == RoundState::Signed {
        return Err(TransitionError::OnlyBySignatures);
    }
    let leads = who.coordinator || who.side() == Some(lead_side);
    if to == RoundState::Cancelled {
        return if who.coordinator {
            Ok(())
        } else {
            Err(TransitionError::NotYours(
                "only an administrator covering both sides cancels a round",
            ))
        };
    }
    let along = from.next() == Some(to);
    let back_to_reconciliation = from == RoundState::Signing && to == RoundState::Reconciliation;
    if !(along || back_to_reconciliation) {
        return Err(TransitionError::OutOfOrder(from, to));
    }
    if leads {
        Ok(())
    } else {
        Err(TransitionError::NotYours(
            "the lead side's team (牵头方) or an administrator covering both sides moves a round on",
        ))
    }
}

/// What a round inspects: a marker (by number), a segment of the line between markers, or the
/// line as a whole.
///
/// ```
/// use diming::domain::inspection::Subject;
///
/// assert_eq!(Subject::parse("330421330482001a").unwrap(), Subject::Marker("330421330482001A".into()));
/// assert_eq!(Subject::parse("segment-3").unwrap().to_string(), "segment-3");
/// assert_eq!(Subject::parse("line").unwrap(), Subject::Line);
/// assert!(Subject::parse("segment-0").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A marker, by its GB/T 17796 number.
    Marker(String),
    /// A segment of the line, by its number along the line (from 1).
    Segment(u32),
    /// The line as a whole.
    Line,
}

impl Subject {
    /// Reads `330421330482001A`, `segment-3` or `line`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text == "line" {
            return Ok(Self::Line);
        }
        if let Some(number) = text.strip_prefix("segment-") {
            return match number.parse::<u32>() {
                Ok(n) if n > 0 => Ok(Self::Segment(n)),
                _ => Err(format!(
                    "{text:?}: a segment is segment-N with N from 1, as the line's segments are numbered"
                )),
            };
        }
        text.parse::<super::marker::MarkerId>()
            .map(|id| Self::Marker(id.to_string()))
            .map_err(|e| format!("{text:?} is no marker number, segment-N or line: {e}"))
    }

    /// Whether this is a marker.
    pub fn is_marker(&self) -> bool {
        matches!(self, Self::Marker(_))
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Marker(number) => f.write_str(number),
            Self::Segment(n) => write!(f, "segment-{n}"),
            Self::Line => f.write_str("line"),
        }
    }
}

/// The colour a side's claimed line is drawn in on the 边界主张线图: red for the side with the
/// smaller division code, blue for the other.
///
/// ```
/// use diming::domain::inspection::claim_colour;
/// assert_eq!(claim_colour("330421", ["330421", "330482"]), Some("red"));
/// assert_eq!(claim_colour("330482", ["330421", "330482"]), Some("blue"));
/// assert_eq!(claim_colour("330481", ["330421", "330482"]), None);
/// ```
pub fn claim_colour(side: &str, sides: [&str; 2]) -> Option<&'static str> {
    let (smaller, larger) = if sides[0] < sides[1] {
        (sides[0], sides[1])
    } else {
        (sides[1], sides[0])
    };
    if side == smaller {
        Some("red")
    } else if side == larger {
        Some("blue")
    } else {
        None
    }
}

/// A dispute's status: open → negotiated → escalated to the superior authority → resolved with
/// the resolving document (negotiation may also resolve it directly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisputeStatus {
    /// Recorded, not yet negotiated.
    Open,
    /// Discussed in a joint meeting without agreement.
    Negotiated,
    /// Referred to the authority above both sides.
    Escalated,
    /// Settled, by the document named.
    Resolved,
}

impl DisputeStatus {
    /// The status as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Negotiated => "negotiated",
            Self::Escalated => "escalated",
            Self::Resolved => "resolved",
        }
    }

    /// The status on reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "未解决",
            Self::Negotiated => "已协商",
            Self::Escalated => "已上报",
            Self::Resolved => "已解决",
        }
    }

    /// Reads a status from its name.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Open,
            Self::Negotiated,
            Self::Escalated,
            Self::Resolved,
        ]
        .into_iter()
        .find(|s| s.as_str() == text.trim())
    }

    /// Whether a dispute may move from this status to `to`.
    ///
    /// ```
    /// use diming::domain::inspection::DisputeStatus::*;
    /// assert!(Open.may_become(Negotiated) && Negotiated.may_become(Escalated));
    /// assert!(Negotiated.may_become(Resolved) && Escalated.may_become(Resolved));
    /// assert!(!Open.may_become(Resolved) && !Resolved.may_become(Open));
    /// ```
    pub fn may_become(self, to: DisputeStatus) -> bool {
        use DisputeStatus::*;
        matches!(
            (self, to),
            (Open, Negotiated)
                | (Negotiated, Escalated)
                | (Negotiated, Resolved)
                | (Escalated, Resolved)
        )
    }
}

/// What a task asks of the side that leads the marker's segment (art. 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    /// Mend a damaged or tilted marker in place.
    Repair,
    /// Set up a destroyed or missing marker again where it stood.
    Rebuild,
    /// Set a marker at a new position (both sides' agreement, a joint survey).
    Move,
    /// Set a new marker.
    Add,
}

impl TaskAction {
    /// The action as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Repair => "repair",
            Self::Rebuild => "rebuild",
            Self::Move => "move",
            Self::Add => "add",
        }
    }

    /// The action on reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Repair => "维修",
            Self::Rebuild => "重建",
            Self::Move => "移设",
            Self::Add => "增设",
        }
    }

    /// Reads an action from its name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Repair, Self::Rebuild, Self::Move, Self::Add]
            .into_iter()
            .find(|a| a.as_str() == text.trim())
    }

    /// Whether the action sets a marker at a new position: it reaches the marker register only
    /// through a signed report.
    pub fn changes_the_register(self) -> bool {
        matches!(self, Self::Move | Self::Add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(side: &str) -> Participation {
        Participation {
            team_side: Some(side.into()),
            reader: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_round_moves_along_its_course_by_the_lead_side_or_the_coordinator() {
        let coordinator = Participation {
            coordinator: true,
            ..Default::default()
        };
        let mut state = RoundState::Planned;
        while let Some(next) = state.next().filter(|n| *n != RoundState::Signed) {
            assert!(check_move(state, next, &coordinator, "330421").is_ok());
            assert!(check_move(state, next, &team("330421"), "330421").is_ok());
            assert!(check_move(state, next, &team("330482"), "330421").is_err());
            state = next;
        }
        assert_eq!(state, RoundState::Signing);
        assert_eq!(
            check_move(state, RoundState::Signed, &coordinator, "330421"),
            Err(TransitionError::OnlyBySignatures)
        );
        assert!(check_move(state, RoundState::Reconciliation, &team("330421"), "330421").is_ok());
    }

    #[test]
    fn only_the_coordinator_cancels_and_a_final_round_stays() {
        let coordinator = Participation {
            coordinator: true,
            ..Default::default()
        };
        assert!(
            check_move(
                RoundState::FieldWork,
                RoundState::Cancelled,
                &coordinator,
                "x"
            )
            .is_ok()
        );
        assert!(matches!(
            check_move(
                RoundState::FieldWork,
                RoundState::Cancelled,
                &team("x"),
                "x"
            ),
            Err(TransitionError::NotYours(_))
        ));
        assert_eq!(
            check_move(RoundState::Signed, RoundState::Cancelled, &coordinator, "x"),
            Err(TransitionError::Final(RoundState::Signed))
        );
        assert_eq!(
            check_move(
                RoundState::Cancelled,
                RoundState::Planned,
                &coordinator,
                "x"
            ),
            Err(TransitionError::Final(RoundState::Cancelled))
        );
    }

    #[test]
    fn each_state_takes_its_records() {
        assert!(!RoundState::Planned.takes(RecordKind::Finding));
        assert!(RoundState::FieldWork.takes(RecordKind::Finding));
        assert!(!RoundState::FieldWork.takes(RecordKind::Discussion));
        assert!(RoundState::Signing.takes(RecordKind::Signature));
        assert!(!RoundState::Signed.takes(RecordKind::Finding));
        assert_eq!(
            RoundState::taking(RecordKind::Signature),
            [RoundState::Signing]
        );
    }

    #[test]
    fn subjects_print_as_they_parse() {
        for text in ["330421330482007B", "segment-12", "line"] {
            assert_eq!(Subject::parse(text).unwrap().to_string(), text);
        }
        assert!(Subject::parse("segment-x").is_err());
        assert!(Subject::parse("330421330482007X").is_err());
    }
}
