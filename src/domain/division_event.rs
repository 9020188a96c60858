//! Division change events (区划变更): the kinds of change, the per-division changes an event is
//! made of, who may see an event, and the checks that a proposal fits the divisions in force.
//!
//! Every kind is expressed with one mechanism: a list of changes, each taking a division in
//! force (`code`) to a new state (`becomes`), or establishing one (no `code`), or abolishing one
//! (no `becomes`). The kind names what the approval document calls the change and is checked
//! against the shape of the list.

pub mod plan;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::account::{Actor, Role};
use super::division_code::{DivisionCode, DivisionLevel};
use super::field_error::FieldErrors;

const MAX_NAME_CHARS: usize = 50;
const MAX_TEXT_CHARS: usize = 500;

/// What the approval document calls a change (checked against the shape of its changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 设立
    Establish,
    /// 撤销
    Abolish,
    /// 更名
    Rename,
    /// 合并
    Merge,
    /// 拆分
    Split,
    /// 隶属变更
    Reparent,
    /// 驻地迁移
    SeatMove,
    /// 撤县设市、撤县设区、撤乡设镇 …
    ChangeKind,
}

impl EventKind {
    /// The kind as the API spells it (`seat_move`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Establish => "establish",
            Self::Abolish => "abolish",
            Self::Rename => "rename",
            Self::Merge => "merge",
            Self::Split => "split",
            Self::Reparent => "reparent",
            Self::SeatMove => "seat_move",
            Self::ChangeKind => "change_kind",
        }
    }

    /// The kind spelt `text`, if any.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(Value::String(text.to_string())).ok()
    }
}

/// Where an event stands between its proposal and its effective date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Proposed, not yet approved: confidential.
    Pending,
    /// Approved, waiting for its effective date.
    Approved,
    /// In force: the divisions show it.
    Applied,
    /// Refused by an administrator: as confidential as a pending one.
    Rejected,
}

impl EventStatus {
    /// The status as the API spells it (`pending`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Applied => "applied",
            Self::Rejected => "rejected",
        }
    }

    /// The status spelt `text`, if any.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(Value::String(text.to_string())).ok()
    }
}

/// A division's state as an event leaves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DivisionState {
    /// Its code after the event (the same one, unless the event re-codes it).
    pub code: String,
    /// Its name after the event.
    pub name: String,
    /// 县, 县级市, 市辖区, 镇, 乡, 街道 … (kept when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// 驻地: the seat of the government (kept when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
}

/// One division's part in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposedChange {
    /// The division in force that changes; absent for one the event establishes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What it becomes; absent (or null) when the event abolishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub becomes: Option<DivisionState>,
    /// For an abolished division: the one taking its area (合并).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// The division's new polygon (GeoJSON geometry), when the event moves its boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometry: Option<Value>,
}

/// An event as an administrator proposes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// What the approval document calls the change.
    pub kind: EventKind,
    /// The day the change takes effect.
    pub effective_on: NaiveDate,
    /// One line naming the change, e.g. 嘉善县撤县设市.
    pub summary: String,
    /// Usernames of the reviewers who may see the event while it is pending.
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// Each division's part in the event.
    pub changes: Vec<ProposedChange>,
}

/// The approval that makes an event take effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventApproval {
    /// 批准机关, e.g. 国务院, 浙江省人民政府.
    pub authority: String,
    /// 批准时间: the day of the approval document.
    pub approved_on: NaiveDate,
    /// 批准文号, e.g. 国函〔2026〕12号.
    pub document_number: String,
}

impl EventApproval {
    /// Checks the approval of an event taking effect on `effective_on`: authority and document
    /// number given, and dated no later than the effective date.
    pub fn check(&self, effective_on: NaiveDate) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        check_text(&self.authority, "authority", &mut errors);
        check_text(&self.document_number, "document_number", &mut errors);
        if self.approved_on > effective_on {
            // A change takes effect on or after the day it is approved.
            errors.push(
                "approved_on",
                format!("the approval is dated after the effective date {effective_on}"),
            );
        }
        errors.into_result(())
    }
}

/// A division as it stands (in force), as the checks need to know it.
#[derive(Debug, Clone, PartialEq)]
pub struct DivisionInForce {
    /// Its code.
    pub code: DivisionCode,
    /// Its name.
    pub name: String,
    /// Its kind (县, 街道 …), when known.
    pub kind: Option<String>,
    /// Its seat, when known.
    pub seat: Option<String>,
    /// The day its current state began (None: before the register).
    pub valid_from: Option<NaiveDate>,
}

/// What the checks ask of the register.
pub trait DivisionLookup {
    /// The division with this code in force, if any.
    fn in_force(&self, code: &DivisionCode) -> Option<DivisionInForce>;
    /// Whether any division, in force or not, ever had this code.
    fn code_ever_used(&self, code: &DivisionCode) -> bool;
    /// The divisions in force directly below this one.
    fn children_in_force(&self, code: &DivisionCode) -> Vec<DivisionCode>;
}

/// A change whose codes and names have been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedChange {
    /// The division in force that changes; None for one the event establishes.
    pub from: Option<DivisionCode>,
    /// What it becomes; None when the event abolishes it.
    pub to: Option<CheckedState>,
    /// For an abolished division: the one taking its area.
    pub merged_into: Option<DivisionCode>,
    /// The division's new polygon (GeoJSON geometry), when the event moves its boundary.
    pub geometry: Option<Value>,
}

/// A division's state after an event, its code parsed and its texts trimmed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedState {
    /// Its code after the event.
    pub code: DivisionCode,
    /// Its name after the event.
    pub name: String,
    /// Its new kind, if the event gives one (else the old one is kept).
    pub kind: Option<String>,
    /// Its new seat, if the event gives one (else the old one is kept).
    pub seat: Option<String>,
}

/// A proposal whose shape fits its kind.
///
/// ```
/// use chrono::NaiveDate;
/// use diming::domain::division_event::{CheckedEvent, EventKind, ProposedChange};
///
/// let changes: Vec<ProposedChange> = serde_json::from_value(serde_json::json!([
///     {"code": "330421", "becomes": {"code": "330483", "name": "嘉善市", "kind": "县级市"}}
/// ]))
/// .unwrap();
/// let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
/// let event = CheckedEvent::parse(EventKind::ChangeKind, day, "嘉善县撤县设市", &changes).unwrap();
/// assert_eq!(event.codes().len(), 2);
///
/// // A rename keeps the code: a new one is refused with the field at fault.
/// let errors = CheckedEvent::parse(EventKind::Rename, day, "更名", &changes).unwrap_err();
/// assert_eq!(errors.as_slice()[0].field, "changes");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedEvent {
    /// What the approval document calls the change.
    pub kind: EventKind,
    /// The day it takes effect.
    pub effective_on: NaiveDate,
    /// One line naming the change, trimmed.
    pub summary: String,
    /// Each division's part, checked.
    pub changes: Vec<CheckedChange>,
}

impl CheckedEvent {
    /// Checks the proposal's own shape: codes, names, and that the changes are what its kind
    /// says. Field paths name the part at fault (`changes[1].becomes.code`).
    pub fn parse(
        kind: EventKind,
        effective_on: NaiveDate,
        summary: &str,
        changes: &[ProposedChange],
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        check_text(summary, "summary", &mut errors);
        if changes.is_empty() {
            errors.push("changes", "an event changes at least one division");
        }
        let mut checked = Vec::with_capacity(changes.len());
        for (i, change) in changes.iter().enumerate() {
            let field = |part: &str| format!("changes[{i}].{part}");
            let from = change
                .code
                .as_deref()
                .and_then(|c| parse_code(c, &field("code"), &mut errors));
            let merged_into = change
                .merged_into
                .as_deref()
                .and_then(|c| parse_code(c, &field("merged_into"), &mut errors));
            let to = change.becomes.as_ref().and_then(|state| {
                let new_code = parse_code(&state.code, &field("becomes.code"), &mut errors);
                let name = super::text::normalised_name(&state.name);
                check_name(&name, &field("becomes.name"), &mut errors);
                let kind = trimmed(&state.kind);
                let seat = trimmed(&state.seat);
                for (value, part) in [(&kind, "becomes.kind"), (&seat, "becomes.seat")] {
                    if let Some(value) = value {
                        check_name(value, &field(part), &mut errors);
                    }
                }
                Some(CheckedState {
                    code: new_code?,
                    name,
                    kind,
                    seat,
                })
            });
            if change.code.is_none() && change.becomes.is_none() {
                errors.push(
                    field("becomes"),
                    "a change names the division it changes (code), what it becomes, or both",
                );
            }
            if change.becomes.is_some() && change.merged_into.is_some() {
                errors.push(
                    field("merged_into"),
                    "only an abolished division (becomes: null) is merged into another",
                );
            }
            if let (Some(from), Some(to)) = (&from, &to)
                && from.level() != to.code.level()
            {
                errors.push(
                    field("becomes.code"),
                    format!(
                        "{} is a {} code but {from} is a {}; a division keeps its level",
                        to.code,
                        to.code.level().as_str(),
                        from.level().as_str()
                    ),
                );
            }
            if change.geometry.is_some() && change.becomes.is_none() {
                errors.push(
                    field("geometry"),
                    "an abolished division has no new polygon",
                );
            }
            checked.push(CheckedChange {
                from,
                to,
                merged_into,
                geometry: change.geometry.clone(),
            });
        }
        if errors.is_empty() {
            check_kind(kind, &checked, &mut errors);
            check_no_repeats(&checked, &mut errors);
        }
        errors.into_result(Self {
            kind,
            effective_on,
            summary: summary.trim().to_string(),
            changes: checked,
        })
    }

    /// Checks the event against the divisions in force: what it changes exists and has not
    /// changed since the effective date, new codes are free, parents exist, abolished divisions
    /// leave no subdivision behind, and a rename or seat move really changes the name or seat.
    pub fn check_against(&self, register: &impl DivisionLookup) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let changed: HashSet<&DivisionCode> = self
            .changes
            .iter()
            .filter_map(|c| c.from.as_ref())
            .collect();
        let abolished: HashSet<&DivisionCode> = self
            .changes
            .iter()
            .filter(|c| c.to.is_none())
            .filter_map(|c| c.from.as_ref())
            .collect();
        let re_coded: HashSet<&DivisionCode> = self
            .changes
            .iter()
            .filter_map(|c| match (&c.from, &c.to) {
                (Some(from), Some(to)) if *from != to.code => Some(from),
                _ => None,
            })
            .collect();
        let new_codes: HashMap<&DivisionCode, usize> = self
            .changes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.to.as_ref().map(|to| (&to.code, i)))
            .collect();
        let after_event = |code: &DivisionCode| {
            new_codes.contains_key(code)
                || (!changed.contains(code) && register.in_force(code).is_some())
        };
        for (i, change) in self.changes.iter().enumerate() {
            let field = |part: &str| format!("changes[{i}].{part}");
            let current = match &change.from {
                Some(from) => match register.in_force(from) {
                    Some(current) => Some(current),
                    None => {
                        errors.push(field("code"), format!("no division {from} is in force"));
                        continue;
                    }
                },
                None => None,
            };
            if let Some(current) = &current
                && let Some(since) = current.valid_from
                && self.effective_on < since
            {
                errors.push(
                    "effective_on",
                    format!(
                        "{} ({}) last changed on {since}; a later change cannot take effect before it",
                        current.name, current.code
                    ),
                );
            }
            if let Some(to) = &change.to {
                let keeps_code = change.from.as_ref() == Some(&to.code);
                if !keeps_code && register.code_ever_used(&to.code) {
                    errors.push(
                        field("becomes.code"),
                        format!(
                            "{} is or was the code of another division; codes are not reused",
                            to.code
                        ),
                    );
                }
                if let Some(parent) = to.code.parent()
                    && !after_event(&parent)
                {
                    errors.push(
                        field("becomes.code"),
                        format!(
                            "{} would belong to {parent}, which is not in force after this event",
                            to.code
                        ),
                    );
                }
                if let Some(current) = &current {
                    check_state_change(self.kind, current, to, &field, &mut errors);
                }
            }
            if let Some(target) = &change.merged_into
                && !after_event(target)
            {
                errors.push(
                    field("merged_into"),
                    format!("{target} is not in force after this event"),
                );
            }
            if let Some(from) = &change.from
                && abolished.contains(from)
            {
                let left: Vec<DivisionCode> = register
                    .children_in_force(from)
                    .into_iter()
                    .filter(|child| !changed.contains(child))
                    .collect();
                if let Some(first) = left.first() {
                    errors.push(
                        field("code"),
                        format!(
                            "{from} still has {} subdivision(s) in force (such as {first}); change or abolish them in this event",
                            left.len()
                        ),
                    );
                }
            }
            // A division changing code takes its subdivisions along (re-coded under it), so
            // none of their new codes may be taken either.
            if let (Some(from), Some(to)) = (&change.from, &change.to)
                && re_coded.contains(from)
            {
                for child in descendants(register, from) {
                    if let Some(new_child) = recode(&child, from, &to.code)
                        && register.code_ever_used(&new_child)
                    {
                        errors.push(
                            field("becomes.code"),
                            format!(
                                "re-coding {child} under {} gives {new_child}, which is taken",
                                to.code
                            ),
                        );
                        break;
                    }
                }
            }
        }
        errors.into_result(())
    }

    /// Every code the event touches, old and new.
    pub fn codes(&self) -> Vec<DivisionCode> {
        let mut codes: Vec<DivisionCode> = self
            .changes
            .iter()
            .flat_map(|c| {
                c.from
                    .iter()
                    .cloned()
                    .chain(c.to.iter().map(|t| t.code.clone()))
            })
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }
}

/// The divisions in force below `code`, at every level.
pub fn descendants(register: &impl DivisionLookup, code: &DivisionCode) -> Vec<DivisionCode> {
    let mut found = Vec::new();
    let mut queue = vec![code.clone()];
    while let Some(next) = queue.pop() {
        for child in register.children_in_force(&next) {
            queue.push(child.clone());
            found.push(child);
        }
    }
    found
}

/// `code`, a subdivision of `old_parent`, re-coded under `new_parent` (the same digits below
/// the parent's): 330421001 under 330421 → 330483001 under 330483.
pub fn recode(
    code: &DivisionCode,
    old_parent: &DivisionCode,
    new_parent: &DivisionCode,
) -> Option<DivisionCode> {
    let old_prefix = old_parent.significant_prefix();
    let new_prefix = new_parent.significant_prefix();
    if old_prefix.len() != new_prefix.len() {
        return None;
    }
    let rest = code.as_str().strip_prefix(old_prefix)?;
    DivisionCode::parse(&format!("{new_prefix}{rest}")).ok()
}

/// Whether `actor` may see an event in `status` on which `reviewers` are named. A pending or
/// rejected event is confidential: admins and its named reviewers only. An approved event is
/// staff-only until it takes effect; an applied one is public history.
pub fn may_see(status: EventStatus, actor: Option<&Actor>, reviewers: &[i64]) -> bool {
    match (status, actor) {
        (EventStatus::Applied, _) => true,
        (_, None) => false,
        (EventStatus::Approved, Some(_)) => true,
        (EventStatus::Pending | EventStatus::Rejected, Some(actor)) => {
            actor.role == Role::Admin || reviewers.contains(&actor.user_id)
        }
    }
}

/// The place-name category of a division's own record (行政区域 by level; villages are
/// 村民委员会, or 社区居民委员会 when the name says so).
pub fn category_of(level: DivisionLevel, name: &str) -> &'static str {
    match level {
        DivisionLevel::Province => "211",
        DivisionLevel::Prefecture => "212",
        DivisionLevel::County => "213",
        DivisionLevel::Township => "214",
        DivisionLevel::Village if name.ends_with("社区") || name.ends_with("居委会") => "221",
        DivisionLevel::Village => "222",
    }
}

/// The kind of division a name's ending says (used when the table gives no kind).
pub fn kind_from_name(level: DivisionLevel, name: &str) -> Option<&'static str> {
    let endings: &[(&str, &str)] = match level {
        DivisionLevel::Province => &[
            ("特别行政区", "特别行政区"),
            ("自治区", "自治区"),
            ("省", "省"),
            ("市", "直辖市"),
        ],
        DivisionLevel::Prefecture => &[
            ("自治州", "自治州"),
            ("地区", "地区"),
            ("盟", "盟"),
            ("市", "地级市"),
        ],
        DivisionLevel::County => &[
            ("自治县", "自治县"),
            ("自治旗", "自治旗"),
            ("旗", "旗"),
            ("林区", "林区"),
            ("特区", "特区"),
            ("县", "县"),
            ("市", "县级市"),
            ("区", "市辖区"),
        ],
        DivisionLevel::Township => &[
            ("民族乡", "民族乡"),
            ("民族苏木", "民族苏木"),
            ("街道", "街道"),
            ("苏木", "苏木"),
            ("镇", "镇"),
            ("乡", "乡"),
        ],
        DivisionLevel::Village => &[
            ("社区", "社区居民委员会"),
            ("居委会", "社区居民委员会"),
            ("村", "村民委员会"),
            ("村委会", "村民委员会"),
        ],
    };
    endings
        .iter()
        .find(|(ending, _)| name.ends_with(ending))
        .map(|(_, kind)| *kind)
}

fn check_state_change(
    kind: EventKind,
    current: &DivisionInForce,
    to: &CheckedState,
    field: &dyn Fn(&str) -> String,
    errors: &mut FieldErrors,
) {
    let kind_after = to.kind.as_ref().or(current.kind.as_ref());
    let seat_after = to.seat.as_ref().or(current.seat.as_ref());
    match kind {
        EventKind::Rename if to.name == current.name => errors.push(
            field("becomes.name"),
            format!("{} is already the name of {}", to.name, current.code),
        ),
        EventKind::SeatMove => {
            if seat_after == current.seat.as_ref() {
                errors.push(field("becomes.seat"), "a seat move names the new seat");
            }
            if to.name != current.name {
                errors.push(
                    field("becomes.name"),
                    "a seat move keeps the name; a rename is an event of its own",
                );
            }
        }
        EventKind::ChangeKind if kind_after == current.kind.as_ref() => errors.push(
            field("becomes.kind"),
            format!(
                "{} is already a {}; a change of kind names the new kind",
                current.name,
                current
                    .kind
                    .as_deref()
                    .unwrap_or("division of unknown kind")
            ),
        ),
        _ => {}
    }
}

fn check_kind(kind: EventKind, changes: &[CheckedChange], errors: &mut FieldErrors) {
    let established = changes.iter().filter(|c| c.from.is_none()).count();
    let abolished = changes.iter().filter(|c| c.to.is_none()).count();
    let existing = changes.iter().filter(|c| c.from.is_some()).count();
    let continuing: Vec<&CheckedChange> = changes
        .iter()
        .filter(|c| c.from.is_some() && c.to.is_some())
        .collect();
    let keeps_code = |c: &CheckedChange| c.from.as_ref() == c.to.as_ref().map(|t| &t.code);
    let problem = match kind {
        EventKind::Establish if established == 0 || established != changes.len() => {
            Some("an establishment lists only new divisions (no code, with becomes)")
        }
        EventKind::Abolish if abolished != changes.len() => {
            Some("an abolition lists only divisions in force with becomes: null")
        }
        EventKind::Rename | EventKind::SeatMove | EventKind::ChangeKind
            if changes.len() != 1 || continuing.len() != 1 =>
        {
            Some("this kind of event changes exactly one division in force (code and becomes)")
        }
        EventKind::Rename | EventKind::SeatMove if !keeps_code(continuing[0]) => Some(
            "a rename or seat move keeps the division's code; a new code is a change of kind or of parent",
        ),
        EventKind::Reparent
            if continuing.len() != changes.len()
                || continuing.iter().any(|c| {
                    c.from.as_ref().and_then(DivisionCode::parent)
                        == c.to.as_ref().and_then(|t| t.code.parent())
                }) =>
        {
            Some("a change of parent gives each division listed a code under its new parent")
        }
        EventKind::Merge if existing < 2 || abolished == 0 || changes.len() == abolished => Some(
            "a merger joins two or more divisions in force into one that remains or is established",
        ),
        EventKind::Split
            if existing != 1 || established == 0 || (established + existing - abolished) < 2 =>
        {
            Some("a split divides one division in force into two or more (new ones without code)")
        }
        _ => None,
    };
    if let Some(problem) = problem {
        errors.push("changes", format!("{}: {problem}", kind.as_str()));
    }
}

fn check_no_repeats(changes: &[CheckedChange], errors: &mut FieldErrors) {
    let mut from_seen = HashSet::new();
    let mut to_seen = HashSet::new();
    for (i, change) in changes.iter().enumerate() {
        if let Some(from) = &change.from
            && !from_seen.insert(from.clone())
        {
            errors.push(
                format!("changes[{i}].code"),
                format!("{from} is listed twice"),
            );
        }
        if let Some(to) = &change.to
            && !to_seen.insert(to.code.clone())
        {
            errors.push(
                format!("changes[{i}].becomes.code"),
                format!("two changes end in {}", to.code),
            );
        }
    }
}

fn parse_code(text: &str, field: &str, errors: &mut FieldErrors) -> Option<DivisionCode> {
    match DivisionCode::parse(text) {
        Ok(code) => Some(code),
        Err(e) => {
            errors.push(field, format!("{text}: {e}"));
            None
        }
    }
}

fn check_name(name: &str, field: &str, errors: &mut FieldErrors) {
    if name.is_empty() {
        errors.push(field, "empty");
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(field, format!("at most {MAX_NAME_CHARS} characters"));
    } else if name.chars().any(char::is_control) {
        errors.push(field, "no control characters (line breaks, tabs)");
    }
}

fn check_text(text: &str, field: &str, errors: &mut FieldErrors) {
    if text.trim().is_empty() {
        errors.push(field, "empty");
    } else if text.chars().count() > MAX_TEXT_CHARS {
        errors.push(field, format!("at most {MAX_TEXT_CHARS} characters"));
    }
}

fn trimmed(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Register(Vec<DivisionInForce>, Vec<&'static str>);

    impl DivisionLookup for Register {
        fn in_force(&self, code: &DivisionCode) -> Option<DivisionInForce> {
            self.0.iter().find(|d| d.code == *code).cloned()
        }
        fn code_ever_used(&self, code: &DivisionCode) -> bool {
            self.in_force(code).is_some() || self.1.contains(&code.as_str())
        }
        fn children_in_force(&self, code: &DivisionCode) -> Vec<DivisionCode> {
            self.0
                .iter()
                .filter(|d| d.code.parent().as_ref() == Some(code))
                .map(|d| d.code.clone())
                .collect()
        }
    }

    fn division(code: &str, name: &str, kind: Option<&str>) -> DivisionInForce {
        DivisionInForce {
            code: DivisionCode::parse(code).unwrap(),
            name: name.into(),
            kind: kind.map(str::to_string),
            seat: None,
            valid_from: None,
        }
    }

    fn register() -> Register {
        Register(
            vec![
                division("330000", "浙江省", Some("省")),
                division("330400", "嘉兴市", Some("地级市")),
                division("330421", "嘉善县", Some("县")),
                division("330421001", "罗星街道", Some("街道")),
                division("330421101", "西塘镇", Some("镇")),
                division("330482", "平湖市", Some("县级市")),
            ],
            vec!["330422"],
        )
    }

    fn change(json: Value) -> ProposedChange {
        serde_json::from_value(json).unwrap()
    }

    fn event(kind: EventKind, changes: &[Value]) -> Result<CheckedEvent, FieldErrors> {
        let changes: Vec<ProposedChange> = changes.iter().cloned().map(change).collect();
        CheckedEvent::parse(
            kind,
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            "测试",
            &changes,
        )
    }

    fn fields(errors: FieldErrors) -> Vec<String> {
        errors.into_vec().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_change_of_kind_with_a_new_code_fits_the_register() {
        let event = event(
            EventKind::ChangeKind,
            &[serde_json::json!({"code": "330421", "becomes": {"code": "330483", "name": "嘉善市", "kind": "县级市"}})],
        )
        .unwrap();
        event.check_against(&register()).unwrap();
        assert_eq!(event.codes().len(), 2);
    }

    #[test]
    fn a_rename_must_keep_the_code_and_change_the_name() {
        let moved = event(
            EventKind::Rename,
            &[
                serde_json::json!({"code": "330421", "becomes": {"code": "330483", "name": "嘉善市"}}),
            ],
        );
        assert_eq!(fields(moved.unwrap_err()), ["changes"]);
        let same = event(
            EventKind::Rename,
            &[serde_json::json!({"code": "330421", "becomes": {"code": "330421", "name": "嘉善县"}})],
        )
        .unwrap();
        assert_eq!(
            fields(same.check_against(&register()).unwrap_err()),
            ["changes[0].becomes.name"]
        );
    }

    #[test]
    fn codes_are_not_reused_and_parents_must_exist() {
        let reused = event(
            EventKind::Establish,
            &[serde_json::json!({"becomes": {"code": "330422", "name": "新县"}})],
        )
        .unwrap();
        assert_eq!(
            fields(reused.check_against(&register()).unwrap_err()),
            ["changes[0].becomes.code"]
        );
        let orphan = event(
            EventKind::Establish,
            &[serde_json::json!({"becomes": {"code": "330521", "name": "新县"}})],
        )
        .unwrap();
        assert_eq!(
            fields(orphan.check_against(&register()).unwrap_err()),
            ["changes[0].becomes.code"]
        );
    }

    #[test]
    fn abolishing_a_division_with_subdivisions_lists_them() {
        let abolish = event(
            EventKind::Abolish,
            &[serde_json::json!({"code": "330421", "becomes": null})],
        )
        .unwrap();
        let errors = abolish.check_against(&register()).unwrap_err().into_vec();
        assert!(errors[0].message.contains("2 subdivision"), "{errors:?}");
    }

    #[test]
    fn a_merge_keeps_one_and_abolishes_the_others() {
        let merge = event(
            EventKind::Merge,
            &[
                serde_json::json!({"code": "330421001", "becomes": {"code": "330421001", "name": "罗星街道"}}),
                serde_json::json!({"code": "330421101", "becomes": null, "merged_into": "330421001"}),
            ],
        )
        .unwrap();
        merge.check_against(&register()).unwrap();
        let alone = event(
            EventKind::Merge,
            &[serde_json::json!({"code": "330421101", "becomes": null})],
        );
        assert_eq!(fields(alone.unwrap_err()), ["changes"]);
    }

    #[test]
    fn malformed_codes_and_levels_are_named_by_path() {
        let errors = event(
            EventKind::ChangeKind,
            &[serde_json::json!({"code": "33042", "becomes": {"code": "330421001", "name": ""}})],
        )
        .unwrap_err();
        assert_eq!(
            fields(errors),
            ["changes[0].code", "changes[0].becomes.name"]
        );
    }

    #[test]
    fn subdivisions_follow_a_new_code() {
        let from = DivisionCode::parse("330421").unwrap();
        let to = DivisionCode::parse("330483").unwrap();
        let child = DivisionCode::parse("330421101203").unwrap();
        assert_eq!(recode(&child, &from, &to).unwrap().as_str(), "330483101203");
    }

    #[test]
    fn pending_events_are_for_admins_and_named_reviewers() {
        let actor = |role, id| Actor {
            user_id: id,
            username: "u".into(),
            role,
            jurisdictions: vec![],
        };
        let editor = actor(Role::Editor, 7);
        let reviewer = actor(Role::Reviewer, 8);
        assert!(!may_see(EventStatus::Pending, None, &[]));
        assert!(!may_see(EventStatus::Pending, Some(&editor), &[8]));
        assert!(!may_see(
            EventStatus::Pending,
            Some(&actor(Role::Reviewer, 9)),
            &[8]
        ));
        assert!(may_see(EventStatus::Pending, Some(&reviewer), &[8]));
        assert!(may_see(
            EventStatus::Pending,
            Some(&actor(Role::Admin, 1)),
            &[]
        ));
        assert!(!may_see(EventStatus::Approved, None, &[]));
        assert!(may_see(EventStatus::Applied, None, &[]));
    }

    #[test]
    fn kinds_come_from_name_endings() {
        assert_eq!(kind_from_name(DivisionLevel::County, "嘉善县"), Some("县"));
        assert_eq!(
            kind_from_name(DivisionLevel::County, "平湖市"),
            Some("县级市")
        );
        assert_eq!(
            kind_from_name(DivisionLevel::County, "景宁畲族自治县"),
            Some("自治县")
        );
        assert_eq!(
            kind_from_name(DivisionLevel::Township, "罗星街道"),
            Some("街道")
        );
    }
}
