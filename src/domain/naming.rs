//! The naming and renaming procedure (《地名管理条例》2022 arts. 11–14): the stages of an
//! application, the moves each stage allows (a forbidden move is a typed error), the public
//! notice and the 15-day deadlines of filing and announcement, and who on staff takes each step.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::account::{Actor, Role};
use super::division_code::DivisionCode;

/// Days after approval within which the name is filed (备案, art. 13).
pub const FILING_DAYS: u64 = 15;
/// Days after approval within which the name is announced (公告, art. 14).
pub const ANNOUNCEMENT_DAYS: u64 = 15;
/// The public notice period where local rules say nothing else (a setting).
pub const DEFAULT_NOTICE_DAYS: u32 = 7;

/// What an application says (art. 11): the naming or renaming plan and its reasons, the name's
/// meaning and origin, and the feature's location, extent and nature, with attachments.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationContent {
    /// The naming or renaming plan (命名、更名方案).
    pub plan: String,
    /// Why the name is given or changed (理由).
    pub reasons: String,
    /// What the name means (含义).
    #[serde(default)]
    pub meaning: Option<String>,
    /// Where the name comes from (来历).
    #[serde(default)]
    pub origin: Option<String>,
    /// Where the feature is (位置), in words: this is the announcement's location.
    pub location: String,
    /// Its extent (范围): from where to where, its area or length.
    #[serde(default)]
    pub extent: Option<String>,
    /// Its nature (性质): what kind of feature, what it serves.
    #[serde(default)]
    pub nature: Option<String>,
    /// Supporting documents (plans, maps, minutes).
    #[serde(default)]
    pub attachments: Vec<super::naming_heritage::Document>,
}

/// Whether an application gives a new feature its name or changes an existing record's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    /// 命名: a feature without a record gets one with the approved name.
    Naming,
    /// 更名: an existing record's name changes; the old one is kept as historical.
    Renaming,
}

impl ApplicationKind {
    /// The kind as stored (`naming`, `renaming`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Naming => "naming",
            Self::Renaming => "renaming",
        }
    }

    /// Reads a stored kind.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "naming" => Some(Self::Naming),
            "renaming" => Some(Self::Renaming),
            _ => None,
        }
    }
}

/// Where an application stands.
///
/// ```
/// use diming::domain::naming::Stage;
/// assert_eq!(Stage::parse("on_notice"), Some(Stage::OnNotice));
/// assert_eq!(Stage::OnNotice.name_zh(), "公示中");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Filed; the intake checks are done (受理).
    Received,
    /// At least one of the three reports is written (论证).
    InReview,
    /// Under public notice (公示).
    OnNotice,
    /// Approved: the record is named or renamed; filing and announcement are due (批准).
    Approved,
    /// Rejected with reasons (不予批准).
    Rejected,
    /// Approved, filed and announced (办结).
    Completed,
}

impl Stage {
    /// The stage as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::InReview => "in_review",
            Self::OnNotice => "on_notice",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Completed => "completed",
        }
    }

    /// Reads a stored stage.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Received,
            Self::InReview,
            Self::OnNotice,
            Self::Approved,
            Self::Rejected,
            Self::Completed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// The stage in Chinese, for pages.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Received => "已受理",
            Self::InReview => "论证中",
            Self::OnNotice => "公示中",
            Self::Approved => "已批准",
            Self::Rejected => "不予批准",
            Self::Completed => "已办结",
        }
    }
}

/// The three reports of art. 11.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 综合评估.
    Assessment,
    /// 专家论证.
    ExpertReview,
    /// 征求意见.
    Consultation,
}

impl ReportKind {
    /// All three, in the order the office usually writes them.
    pub const ALL: [ReportKind; 3] = [Self::Assessment, Self::ExpertReview, Self::Consultation];

    /// The kind as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assessment => "assessment",
            Self::ExpertReview => "expert_review",
            Self::Consultation => "consultation",
        }
    }

    /// Reads a stored kind.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The report's name in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Assessment => "综合评估报告",
            Self::ExpertReview => "专家论证报告",
            Self::Consultation => "征求意见报告",
        }
    }
}

/// What a report concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The name is suitable.
    Favourable,
    /// Suitable on conditions the conclusion states.
    Conditional,
    /// Not suitable.
    Unfavourable,
}

impl Outcome {
    /// The outcome as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Favourable => "favourable",
            Self::Conditional => "conditional",
            Self::Unfavourable => "unfavourable",
        }
    }

    /// Reads a stored outcome.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Favourable, Self::Conditional, Self::Unfavourable]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// A step someone asks of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Record one of the three reports.
    AddReport(ReportKind),
    /// Put the name under public notice.
    StartNotice,
    /// A comment of the public.
    Comment,
    /// Approve the name.
    Approve,
    /// Reject it.
    Reject,
    /// Record the filing (备案).
    File,
    /// Publish the announcement (公告).
    Announce,
}

impl Move {
    fn describe(self) -> &'static str {
        match self {
            Self::AddReport(_) => "record a report",
            Self::StartNotice => "start the public notice",
            Self::Comment => "take a comment",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::File => "record the filing",
            Self::Announce => "announce",
        }
    }
}

/// Why a step cannot be taken now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    /// The stage does not allow the step at all.
    #[error("an application that is {stage} cannot {action}", stage = .stage.as_str(), action = .action)]
    NotInThisStage {
        /// Where the application stands.
        stage: Stage,
        /// What was asked.
        action: &'static str,
    },
    /// That report is already recorded.
    #[error("the {} is already recorded", .0.as_str())]
    ReportRecorded(ReportKind),
    /// The notice starts only once the three reports are in.
    #[error("the public notice starts after the three reports; missing: {}", .0.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "))]
    ReportsMissing(Vec<ReportKind>),
    /// The notice period is not over: no decision before its end.
    #[error("the public notice runs until {0}: the name can be decided from the day after")]
    NoticeRunning(NaiveDate),
    /// The notice period is over: comments are no longer taken.
    #[error("the public notice ended on {0}")]
    NoticeOver(NaiveDate),
    /// Filing or announcement already recorded.
    #[error("the {0} is already recorded")]
    AlreadyDone(&'static str),
}

/// What the rules need to know of an application to judge a step.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Where it stands (`None` reads as received).
    pub stage: Option<Stage>,
    /// Which reports are recorded.
    pub reports: Vec<ReportKind>,
    /// The notice period, first and last day.
    pub notice: Option<(NaiveDate, NaiveDate)>,
    /// Whether the filing is recorded.
    pub filed: bool,
    /// Whether the announcement is published.
    pub announced: bool,
}

impl Progress {
    /// The stage an application reaches by `step` on `today`, or why it cannot take it.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use diming::domain::naming::{Move, MoveError, Progress, ReportKind, Stage};
    ///
    /// let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    /// let mut progress = Progress { stage: Some(Stage::Received), ..Default::default() };
    /// assert_eq!(progress.after(Move::StartNotice, day(1)),
    ///     Err(MoveError::ReportsMissing(ReportKind::ALL.to_vec())));
    /// progress.stage = Some(Stage::OnNotice);
    /// progress.notice = Some((day(2), day(8)));
    /// assert_eq!(progress.after(Move::Comment, day(8)), Ok(Stage::OnNotice));
    /// assert_eq!(progress.after(Move::Approve, day(8)), Err(MoveError::NoticeRunning(day(8))));
    /// assert_eq!(progress.after(Move::Approve, day(9)), Ok(Stage::Approved));
    /// assert_eq!(progress.after(Move::Comment, day(9)), Err(MoveError::NoticeOver(day(8))));
    /// ```
    pub fn after(&self, step: Move, today: NaiveDate) -> Result<Stage, MoveError> {
        let stage = self.stage.unwrap_or(Stage::Received);
        let refused = || MoveError::NotInThisStage {
            stage,
            action: step.describe(),
        };
        match (step, stage) {
            (Move::AddReport(kind), Stage::Received | Stage::InReview) => {
                if self.reports.contains(&kind) {
                    Err(MoveError::ReportRecorded(kind))
                } else {
                    Ok(Stage::InReview)
                }
            }
            (Move::StartNotice, Stage::Received | Stage::InReview) => {
                let missing: Vec<ReportKind> = ReportKind::ALL
                    .into_iter()
                    .filter(|k| !self.reports.contains(k))
                    .collect();
                if missing.is_empty() {
                    Ok(Stage::OnNotice)
                } else {
                    Err(MoveError::ReportsMissing(missing))
                }
            }
            (Move::Comment, Stage::OnNotice) => match self.notice {
                Some((start, end)) if (start..=end).contains(&today) => Ok(Stage::OnNotice),
                Some((start, _)) if today < start => Err(refused()),
                Some((_, end)) => Err(MoveError::NoticeOver(end)),
                None => Err(refused()),
            },
            (Move::Approve, Stage::OnNotice) => match self.notice {
                Some((_, end)) if today <= end => Err(MoveError::NoticeRunning(end)),
                Some(_) => Ok(Stage::Approved),
                None => Err(refused()),
            },
            (Move::Reject, Stage::Received | Stage::InReview | Stage::OnNotice) => {
                Ok(Stage::Rejected)
            }
            (Move::File, Stage::Approved) if self.filed => Err(MoveError::AlreadyDone("filing")),
            (Move::File, Stage::Approved) => Ok(if self.announced {
                Stage::Completed
            } else {
                Stage::Approved
            }),
            (Move::Announce, Stage::Approved) if self.announced => {
                Err(MoveError::AlreadyDone("announcement"))
            }
            (Move::Announce, Stage::Approved) => Ok(if self.filed {
                Stage::Completed
            } else {
                Stage::Approved
            }),
            (Move::File, Stage::Completed) => Err(MoveError::AlreadyDone("filing")),
            (Move::Announce, Stage::Completed) => Err(MoveError::AlreadyDone("announcement")),
            _ => Err(refused()),
        }
    }
}

/// The first and last day of a notice starting on `start` and lasting `days` days (the first
/// day counted).
///
/// ```
/// use chrono::NaiveDate;
/// let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
/// let (_, last) = diming::domain::naming::notice_period(start, 7);
/// assert_eq!(last.to_string(), "2026-03-08");
/// ```
pub fn notice_period(start: NaiveDate, days: u32) -> (NaiveDate, NaiveDate) {
    let last = start + Days::new(u64::from(days.max(1)) - 1);
    (start, last)
}

/// The last days for filing and announcement of a name approved on `approved_on`.
///
/// ```
/// use chrono::NaiveDate;
/// let approved = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
/// let (filing, announcement) = diming::domain::naming::deadlines(approved);
/// assert_eq!(filing.to_string(), "2026-03-25");
/// assert_eq!(announcement.to_string(), "2026-03-25");
/// ```
pub fn deadlines(approved_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    (
        approved_on + Days::new(FILING_DAYS),
        approved_on + Days::new(ANNOUNCEMENT_DAYS),
    )
}

/// Why a staff member may not take a step of the procedure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamingAccessError {
    /// The role does not take this step.
    #[error("the {role} role may not {action}: {who}", role = .0, action = .1, who = .2)]
    Role(Role, &'static str, &'static str),
}

/// Who may take which step: anyone on staff working in the division files an application or a
/// nomination; reviewers and administrators write reports, put names under notice, decide and
/// review heritage; editors, reviewers and administrators record filings, announcements and
/// campaign decisions. Outside the jurisdiction the application does not exist for them (404).
///
/// ```
/// use diming::domain::account::{Actor, Role};
/// use diming::domain::division_code::{DivisionCode, Jurisdiction};
/// use diming::domain::naming::{Step, may_take};
///
/// let editor = Actor { user_id: 2, username: "jiashan".into(), role: Role::Editor,
///     jurisdictions: vec![Jurisdiction::parse("330421").unwrap()] };
/// assert!(may_take(&editor, Step::File).is_ok());
/// assert!(may_take(&editor, Step::Decide).is_err());
/// let xitang = DivisionCode::parse("330421103").unwrap();
/// assert!(editor.works_in(&xitang));
/// ```
pub fn may_take(actor: &Actor, step: Step) -> Result<(), NamingAccessError> {
    let allowed: &[Role] = match step {
        Step::File => &[Role::Admin, Role::Editor, Role::Reviewer, Role::Inspector],
        Step::Decide => &[Role::Admin, Role::Reviewer],
        Step::Record => &[Role::Admin, Role::Editor, Role::Reviewer],
    };
    if allowed.contains(&actor.role) {
        Ok(())
    } else {
        Err(NamingAccessError::Role(
            actor.role,
            step.describe(),
            step.who(),
        ))
    }
}

/// The kinds of step, as far as who may take them goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// File an application or nominate a heritage name.
    File,
    /// Write a report, start the notice, approve or reject, review a nomination.
    Decide,
    /// Record filing and announcement; decide campaign items; run a campaign.
    Record,
}

impl Step {
    fn describe(self) -> &'static str {
        match self {
            Self::File => "file naming applications",
            Self::Decide => "review or decide naming applications",
            Self::Record => "record filings, announcements or clean-up decisions",
        }
    }

    fn who(self) -> &'static str {
        match self {
            Self::File => "any staff role may",
            Self::Decide => "reviewers and administrators do",
            Self::Record => "editors, reviewers and administrators do",
        }
    }
}

/// Whether `actor` sees things of `division` at all (others get 404, as for an unknown id).
pub fn sees(actor: &Actor, division: &DivisionCode) -> bool {
    actor.works_in(division)
}

/// An announcement (公告) as published: the six fields art. 14 requires (standard name,
/// romanization, division, location, approving authority, date) and the record it names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Announcement {
    /// Its number.
    pub id: i64,
    /// The application that led to it.
    pub application_id: i64,
    /// The record it names (its page in the register's API).
    pub place_id: i64,
    /// 标准名称.
    pub standard_name: String,
    /// The former name of a renamed feature.
    pub former_name: Option<String>,
    /// 罗马字母拼写.
    pub romanization: String,
    /// 所属行政区划 (code).
    pub division_code: String,
    /// 所属行政区划 (names, province down).
    pub division_name: String,
    /// 地理位置描述.
    pub location: String,
    /// 批准机关.
    pub approving_authority: String,
    /// 批准时间.
    pub approved_on: NaiveDate,
    /// 批准文号.
    pub document_number: Option<String>,
    /// The day it was announced.
    pub announced_on: NaiveDate,
    /// When it was published here.
    pub published_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn reports_come_once_each_and_before_the_notice() {
        let mut p = Progress::default();
        assert_eq!(
            p.after(Move::AddReport(ReportKind::Assessment), day(1)),
            Ok(Stage::InReview)
        );
        p.stage = Some(Stage::InReview);
        p.reports = vec![ReportKind::Assessment];
        assert_eq!(
            p.after(Move::AddReport(ReportKind::Assessment), day(1)),
            Err(MoveError::ReportRecorded(ReportKind::Assessment))
        );
        assert!(matches!(
            p.after(Move::StartNotice, day(1)),
            Err(MoveError::ReportsMissing(m)) if m == [ReportKind::ExpertReview, ReportKind::Consultation]
        ));
        p.reports = ReportKind::ALL.to_vec();
        assert_eq!(p.after(Move::StartNotice, day(1)), Ok(Stage::OnNotice));
        assert!(matches!(
            p.after(Move::Approve, day(1)),
            Err(MoveError::NotInThisStage { .. })
        ));
    }

    #[test]
    fn filing_and_announcement_complete_an_approved_application_in_either_order() {
        let mut p = Progress {
            stage: Some(Stage::Approved),
            ..Default::default()
        };
        assert_eq!(p.after(Move::Announce, day(3)), Ok(Stage::Approved));
        p.announced = true;
        assert_eq!(p.after(Move::File, day(3)), Ok(Stage::Completed));
        assert_eq!(
            p.after(Move::Announce, day(3)),
            Err(MoveError::AlreadyDone("announcement"))
        );
        p.stage = Some(Stage::Rejected);
        assert!(p.after(Move::File, day(3)).is_err());
        assert!(p.after(Move::Reject, day(3)).is_err());
    }

    #[test]
    fn a_notice_of_n_days_counts_its_first_day() {
        assert_eq!(notice_period(day(2), 1), (day(2), day(2)));
        assert_eq!(notice_period(day(2), 7).1, day(8));
        assert_eq!(deadlines(day(1)).0, day(16));
    }
}
