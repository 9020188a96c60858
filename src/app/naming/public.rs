//! The public side of the procedure, no sign-in: the names under public notice and the
//! comments on them (rate-limited per address and per name, as sign reports are), and the
//! announcements with their Atom feed. Only public records ever show here.

use std::net::IpAddr;

use chrono::NaiveDate;

use super::{NamingError, optional_text, required_text};
use crate::app::AppState;
use crate::domain::field_error::FieldErrors;
use crate::domain::naming::Announcement;
use crate::domain::naming::Stage;
use crate::render::naming_pages::{self, Notice};
use crate::store::naming::{ApplicationFilter, NewComment, StoredApplication};
use crate::store::places::VersionSelector;

/// A comment as the public sends it.
#[derive(Debug, Clone, Default)]
pub struct CommentInput {
    /// The comment.
    pub text: String,
    /// Who comments (optional).
    pub name: Option<String>,
    /// How to reach them (optional).
    pub contact: Option<String>,
}

/// The names under notice today (public records only).
pub async fn notices(state: &AppState) -> Result<Vec<Notice>, NamingError> {
    let today = state.settings.naming.clock.today();
    let on_notice = state
        .store
        .applications(&ApplicationFilter {
            stages: vec![Stage::OnNotice],
            division_prefix: None,
        })
        .await?;
    let mut notices = Vec::new();
    for application in on_notice {
        if let Some(notice) = notice_of(state, application, today).await? {
            notices.push(notice);
        }
    }
    notices.sort_by_key(|n| (n.ends_on, n.id));
    Ok(notices)
}

/// Application `id` as a notice, if it is under notice today and shows only public things.
pub async fn notice(state: &AppState, id: i64) -> Result<Notice, NamingError> {
    let missing =
        || NamingError::NotFound(format!("no name is under public notice as number {id}"));
    let today = state.settings.naming.clock.today();
    let application = state.store.application(id).await?.ok_or_else(missing)?;
    notice_of(state, application, today)
        .await?
        .ok_or_else(missing)
}

async fn notice_of(
    state: &AppState,
    application: StoredApplication,
    today: NaiveDate,
) -> Result<Option<Notice>, NamingError> {
    let (Some(starts_on), Some(ends_on)) =
        (application.notice_starts_on, application.notice_ends_on)
    else {
        return Ok(None);
    };
    if application.stage != Stage::OnNotice || !(starts_on..=ends_on).contains(&today) {
        return Ok(None);
    }
    // A renaming of a record the public may not see is not noticed here.
    if let Some(place_id) = application.place_id
        && state
            .store
            .place(place_id, VersionSelector::Current, true)
            .await?
            .is_none()
    {
        return Ok(None);
    }
    let chain = state
        .division_chain(Some(&application.division_code))
        .await?;
    let romanization = application
        .intake_checks
        .pointer("/romanization/sign")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    Ok(Some(Notice {
        id: application.id,
        kind: application.kind.as_str(),
        proposed_name: application.proposed_name,
        current_name: application.current_name,
        division_name: chain.iter().map(|d| d.name.as_str()).collect(),
        location: application.content.location,
        plan: application.content.plan,
        reasons: application.content.reasons,
        meaning: application.content.meaning,
        romanization,
        starts_on,
        ends_on,
    }))
}

/// Takes a comment of the public on a name under notice: 1 to 1000 characters, at most a few
/// per address and hour; nothing is stored when refused.
pub async fn comment(
    state: &AppState,
    id: i64,
    address: Option<IpAddr>,
    input: CommentInput,
) -> Result<(), NamingError> {
    let today = state.settings.naming.clock.today();
    let notice = notice(state, id).await?;
    let mut errors = FieldErrors::default();
    let text = required_text(&input.text, "text", 1000, &mut errors);
    let commenter = optional_text(input.name.as_deref(), "name", 50, &mut errors);
    let contact = optional_text(input.contact.as_deref(), "contact", 100, &mut errors);
    errors.into_result(())?;
    let limits = &state.naming;
    if address.is_some_and(|ip| limits.comments_per_address.check_key(&ip).is_err())
        || limits.comments_per_application.check_key(&id).is_err()
    {
        return Err(NamingError::TooMany);
    }
    let accepted = state
        .store
        .add_comment(
            notice.id,
            &NewComment {
                received_on: today,
                commenter,
                contact,
                text,
                remote_addr: address.map(|a| a.to_string()),
            },
        )
        .await?;
    if accepted {
        Ok(())
    } else {
        Err(NamingError::NotFound(format!(
            "no name is under public notice as number {id}"
        )))
    }
}

/// Announcements of public records under a division prefix, between two days, newest first.
pub async fn announcements(
    state: &AppState,
    division_prefix: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<Announcement>, NamingError> {
    let found = state
        .store
        .announcements(division_prefix, from, to, 500)
        .await?;
    Ok(found)
}

/// The page of names under notice, with `message` on top.
pub async fn notices_page(state: &AppState, message: Option<&str>) -> Result<String, NamingError> {
    let today = state.settings.naming.clock.today();
    Ok(naming_pages::notices_page(
        &notices(state).await?,
        today,
        message,
    ))
}

/// The page of announcements under a division prefix, between two days.
pub async fn announcements_page(
    state: &AppState,
    division_prefix: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<String, NamingError> {
    let entries = announcements(state, division_prefix, from, to).await?;
    let mut filter = Vec::new();
    if let Some(prefix) = division_prefix {
        let chain = state.division_chain(Some(prefix)).await?;
        let name: String = chain.iter().map(|d| d.name.as_str()).collect();
        filter.push(format!("行政区划：{} {prefix}", name));
    }
    if let Some(from) = from {
        filter.push(format!("自 {from}"));
    }
    if let Some(to) = to {
        filter.push(format!("至 {to}"));
    }
    Ok(naming_pages::announcements_page(
        &entries,
        &filter.join("，"),
    ))
}

/// The Atom feed of the latest announcements.
pub async fn announcements_feed(state: &AppState) -> Result<String, NamingError> {
    let entries = announcements(state, None, None, None).await?;
    Ok(naming_pages::announcements_feed(
        &entries,
        &state.settings.public_base_url,
    ))
}
