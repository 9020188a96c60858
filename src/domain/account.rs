//! Staff accounts: roles, usernames and passwords as typed values, and the rule deciding who
//! may change which record (role and jurisdiction).

use std::fmt;

use serde::Serialize;

use super::division_code::{DivisionCode, Jurisdiction};

/// The role of a staff account: what a signed-in user does. The anonymous public has no role
/// and writes nothing.
///
/// ```
/// use diming::domain::account::Role;
///
/// assert_eq!(Role::parse(" editor ").unwrap(), Role::Editor);
/// assert_eq!(Role::Reviewer.as_str(), "reviewer");
/// assert_eq!(Role::Admin.to_string(), "admin");
/// assert!(Role::parse("superuser").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Users, jurisdictions, audit; edits anywhere in their jurisdiction (all of China without one).
    Admin,
    /// Mapping staff: edits records inside their jurisdiction.
    Editor,
    /// Reviews and approves naming applications and division adjustments.
    Reviewer,
    /// Records joint boundary inspections.
    Inspector,
}

impl Role {
    /// The role's name as stored and sent (`admin`, `editor`, `reviewer`, `inspector`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Reviewer => "reviewer",
            Self::Inspector => "inspector",
        }
    }

    /// Reads a role from its name (surrounding spaces ignored); an unknown name is refused.
    pub fn parse(input: &str) -> Result<Self, AccountError> {
        match input.trim() {
            "admin" => Ok(Self::Admin),
            "editor" => Ok(Self::Editor),
            "reviewer" => Ok(Self::Reviewer),
            "inspector" => Ok(Self::Inspector),
            other => Err(AccountError::UnknownRole(other.to_string())),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an account's role, username or password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The text names no role.
    #[error("{0:?} is not a role: use admin, editor, reviewer or inspector")]
    UnknownRole(String),
    /// The username is too short, too long or has a character outside a-z, 0-9, `.`, `_`, `-`.
    #[error("a username has 3 to 32 characters: lower-case letters, digits, '.', '_' or '-'")]
    BadUsername,
    /// The password has fewer than 10 characters.
    #[error("a password has at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    /// The password has more than 1024 characters.
    #[error("a password has at most 1024 characters")]
    PasswordTooLong,
    /// An editor account was given no jurisdiction to edit in.
    #[error("an editor needs at least one jurisdiction")]
    EditorWithoutJurisdiction,
}

const MIN_PASSWORD_CHARS: usize = 10;

/// A username that meets the rule: 3 to 32 lower-case letters, digits, `.`, `_` or `-`.
///
/// ```
/// use diming::domain::account::{AccountError, Username};
///
/// // Input is trimmed and lower-cased before it is checked.
/// assert_eq!(Username::parse(" Editor.Jiashan ").unwrap().as_str(), "editor.jiashan");
/// assert_eq!(Username::parse("a b"), Err(AccountError::BadUsername));
/// assert_eq!(Username::parse("ab"), Err(AccountError::BadUsername));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Normalises a username (trimmed, lower case) and checks it.
    pub fn parse(input: &str) -> Result<Self, AccountError> {
        let name = input.trim().to_lowercase();
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        if (3..=32).contains(&name.len()) && name.chars().all(allowed) {
            Ok(Self(name))
        } else {
            Err(AccountError::BadUsername)
        }
    }

    /// The normalised username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that meets the length rule (10 to 1024 characters); never printed.
///
/// ```
/// use diming::domain::account::{AccountError, NewPassword};
///
/// let password = NewPassword::parse("correct horse battery").unwrap();
/// assert_eq!(password.expose(), "correct horse battery");
/// assert_eq!(format!("{password:?}"), "NewPassword(..)");
/// assert_eq!(NewPassword::parse("short").unwrap_err(), AccountError::PasswordTooShort);
/// ```
pub struct NewPassword(String);

impl NewPassword {
    /// Checks the length of a new password (in characters, not bytes); the text is kept as
    /// given.
    pub fn parse(input: &str) -> Result<Self, AccountError> {
        let length = input.chars().count();
        if length < MIN_PASSWORD_CHARS {
            Err(AccountError::PasswordTooShort)
        } else if length > 1024 {
            Err(AccountError::PasswordTooLong)
        } else {
            Ok(Self(input.to_string()))
        }
    }

    /// The password itself, for hashing: the only way to read it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// The signed-in user a request acts for: who they are, their role and where they may act.
///
/// ```
/// use diming::domain::account::{AccessError, Actor, Role};
/// use diming::domain::division_code::{DivisionCode, Jurisdiction};
///
/// // An editor for Jiashan county (嘉善县, 330421).
/// let editor = Actor {
///     user_id: 7,
///     username: "editor.jiashan".into(),
///     role: Role::Editor,
///     jurisdictions: vec![Jurisdiction::parse("330421").unwrap()],
/// };
/// let xitang = DivisionCode::parse("330421101").unwrap(); // 西塘镇, inside the county
/// let haining = DivisionCode::parse("330481").unwrap(); // 海宁市, a neighbour
///
/// assert!(editor.may_edit_places_in(&[xitang.clone()]).is_ok());
/// assert_eq!(
///     editor.may_edit_places_in(&[xitang.clone(), haining.clone()]),
///     Err(AccessError::OutsideJurisdiction(haining.clone())),
/// );
/// // A line both counties share is changed only by an admin covering both sides.
/// assert!(editor.may_change_shared_line(&xitang, &haining).is_err());
/// assert!(editor.on_either_side(&xitang, &haining));
/// assert_eq!(editor.must_be_admin(), Err(AccessError::AdminOnly));
///
/// // An admin without jurisdictions covers the whole country.
/// let admin = Actor { role: Role::Admin, jurisdictions: vec![], ..editor };
/// assert!(admin.may_edit_places_in(&[haining.clone()]).is_ok());
/// assert!(admin.may_change_shared_line(&xitang, &haining).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Actor {
    /// The account's id in the store.
    pub user_id: i64,
    /// The account's username.
    pub username: String,
    /// What the account does.
    pub role: Role,
    /// Where the account may act; empty for an admin means everywhere, for anyone else nowhere.
    #[schema(value_type = Vec<String>)]
    pub jurisdictions: Vec<Jurisdiction>,
}

/// Why an actor may not do what a request asks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Only admins and editors change place-name records.
    #[error("the {0} role may not change place-name records")]
    RoleMayNotEditPlaces(Role),
    /// The record lies (also) in this division, which no jurisdiction of the actor covers.
    #[error("division {0} is outside your jurisdiction")]
    OutsideJurisdiction(DivisionCode),
    /// The action is for administrators.
    #[error("only an administrator may do this")]
    AdminOnly,
    /// The line between the two divisions is shared, and the actor does not cover both sides.
    #[error(
        "the line between {0} and {1} is shared: the editors of one side cannot change it alone; an administrator whose jurisdiction covers both sides records it"
    )]
    SharedLine(DivisionCode, DivisionCode),
    /// Only administrators and reviewers decide on proposed changes.
    #[error("the {0} role may not approve or reject changes")]
    RoleMayNotDecide(Role),
    /// The numbering rule of the jurisdiction names other roles as the ones assigning house
    /// numbers (the public security bureau assigns them in some cities, civil affairs in others).
    #[error(
        "the {0} role does not assign house numbers in {1}: the jurisdiction's numbering rule names the roles that do"
    )]
    RoleMayNotAssignNumbers(Role, String),
    /// An administrator manages only accounts whose every jurisdiction lies inside their own;
    /// an account working everywhere only an administrator who works everywhere.
    #[error(
        "the account's jurisdiction {0} is not inside yours: an administrator manages accounts within their own jurisdiction"
    )]
    AccountOutsideJurisdiction(String),
}

impl Actor {
    /// Whether the actor may write a record lying in `divisions` (all of them must be inside
    /// the actor's jurisdiction). An admin without jurisdictions covers the whole country.
    pub fn may_edit_places_in(&self, divisions: &[DivisionCode]) -> Result<(), AccessError> {
        match self.role {
            Role::Admin | Role::Editor => {}
            other => return Err(AccessError::RoleMayNotEditPlaces(other)),
        }
        if self.role == Role::Admin && self.jurisdictions.is_empty() {
            return Ok(());
        }
        match divisions
            .iter()
            .find(|code| !self.jurisdictions.iter().any(|j| j.covers(code)))
        {
            Some(outside) => Err(AccessError::OutsideJurisdiction(outside.clone())),
            None => Ok(()),
        }
    }

    /// Whether the actor may change the line two divisions share: only an admin covering both
    /// sides (a co-reviewed proposal of both sides' editors comes with the joint inspection).
    pub fn may_change_shared_line(
        &self,
        a: &DivisionCode,
        b: &DivisionCode,
    ) -> Result<(), AccessError> {
        let covers = |code: &DivisionCode| {
            self.jurisdictions.is_empty() || self.jurisdictions.iter().any(|j| j.covers(code))
        };
        if self.role == Role::Admin && covers(a) && covers(b) {
            Ok(())
        } else {
            Err(AccessError::SharedLine(a.clone(), b.clone()))
        }
    }

    /// Whether the actor is staff of one side of a line (or above both): who may read it and
    /// record what an inspection of its markers found.
    pub fn on_either_side(&self, a: &DivisionCode, b: &DivisionCode) -> bool {
        self.works_in(a) || self.works_in(b)
    }

    /// Whether division `code` lies in the actor's jurisdiction (an administrator without one
    /// works everywhere), whatever their role: who may read what belongs to the division, such
    /// as the photos of its signs and of the public's reports about them.
    pub fn works_in(&self, code: &DivisionCode) -> bool {
        (self.role == Role::Admin && self.jurisdictions.is_empty())
            || self.jurisdictions.iter().any(|j| j.covers(code))
    }

    /// Whether the actor may approve or reject a proposed change touching `divisions`: an
    /// administrator or a reviewer whose jurisdiction covers them all (an administrator without
    /// one covers the whole country).
    pub fn may_decide_changes_in(&self, divisions: &[DivisionCode]) -> Result<(), AccessError> {
        match self.role {
            Role::Admin | Role::Reviewer => {}
            other => return Err(AccessError::RoleMayNotDecide(other)),
        }
        if self.role == Role::Admin && self.jurisdictions.is_empty() {
            return Ok(());
        }
        match divisions
            .iter()
            .find(|code| !self.jurisdictions.iter().any(|j| j.covers(code)))
        {
            Some(outside) => Err(AccessError::OutsideJurisdiction(outside.clone())),
            None => Ok(()),
        }
    }

    /// Whether the actor may manage an account working in `jurisdictions` (empty: everywhere):
    /// an administrator whose jurisdiction holds each of them.
    pub fn may_manage_account(&self, jurisdictions: &[Jurisdiction]) -> Result<(), AccessError> {
        self.must_be_admin()?;
        if self.jurisdictions.is_empty() {
            return Ok(());
        }
        if jurisdictions.is_empty() {
            return Err(AccessError::AccountOutsideJurisdiction(
                "(everywhere)".to_string(),
            ));
        }
        match jurisdictions.iter().find(|theirs| {
            !self
                .jurisdictions
                .iter()
                .any(|mine| theirs.as_str().starts_with(mine.as_str()))
        }) {
            Some(outside) => Err(AccessError::AccountOutsideJurisdiction(
                outside.as_str().to_string(),
            )),
            None => Ok(()),
        }
    }

    /// Whether the actor is an administrator (of any jurisdiction).
    pub fn must_be_admin(&self) -> Result<(), AccessError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(AccessError::AdminOnly)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, jurisdictions: &[&str]) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            jurisdictions: jurisdictions
                .iter()
                .map(|j| Jurisdiction::parse(j).unwrap())
                .collect(),
        }
    }

    fn codes(codes: &[&str]) -> Vec<DivisionCode> {
        codes
            .iter()
            .map(|c| DivisionCode::parse(c).unwrap())
            .collect()
    }

    #[test]
    fn an_editor_edits_only_inside_the_jurisdiction() {
        let editor = actor(Role::Editor, &["330421"]);
        assert!(editor.may_edit_places_in(&codes(&["330421101"])).is_ok());
        assert_eq!(
            editor.may_edit_places_in(&codes(&["330421101", "330482"])),
            Err(AccessError::OutsideJurisdiction(
                DivisionCode::parse("330482").unwrap()
            ))
        );
    }

    #[test]
    fn an_editor_without_jurisdiction_edits_nothing() {
        assert!(
            actor(Role::Editor, &[])
                .may_edit_places_in(&codes(&["330421"]))
                .is_err()
        );
    }

    #[test]
    fn an_admin_without_jurisdiction_edits_everywhere() {
        assert!(
            actor(Role::Admin, &[])
                .may_edit_places_in(&codes(&["110101"]))
                .is_ok()
        );
        assert!(
            actor(Role::Admin, &["3304"])
                .may_edit_places_in(&codes(&["110101"]))
                .is_err()
        );
    }

    #[test]
    fn only_an_admin_covering_both_sides_changes_a_shared_line() {
        let (a, b) = (
            DivisionCode::parse("330421").unwrap(),
            DivisionCode::parse("330482").unwrap(),
        );
        assert!(
            actor(Role::Editor, &["330421"])
                .may_change_shared_line(&a, &b)
                .is_err()
        );
        assert!(
            actor(Role::Editor, &["3304"])
                .may_change_shared_line(&a, &b)
                .is_err()
        );
        assert!(
            actor(Role::Admin, &["330421"])
                .may_change_shared_line(&a, &b)
                .is_err()
        );
        assert!(
            actor(Role::Admin, &["3304"])
                .may_change_shared_line(&a, &b)
                .is_ok()
        );
        assert!(
            actor(Role::Admin, &[])
                .may_change_shared_line(&a, &b)
                .is_ok()
        );
        assert!(actor(Role::Editor, &["330482"]).on_either_side(&a, &b));
        assert!(!actor(Role::Editor, &["330402"]).on_either_side(&a, &b));
    }

    #[test]
    fn reviewers_and_inspectors_do_not_edit_records() {
        assert_eq!(
            actor(Role::Reviewer, &["33"]).may_edit_places_in(&codes(&["330421"])),
            Err(AccessError::RoleMayNotEditPlaces(Role::Reviewer))
        );
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(
            Username::parse(" Editor.Jiashan ").unwrap().as_str(),
            "editor.jiashan"
        );
        assert!(Username::parse("a b").is_err());
        assert!(NewPassword::parse("short").is_err());
    }

    #[test]
    fn an_administrator_manages_accounts_inside_their_jurisdiction_only() {
        let jiaxing = actor(Role::Admin, &["3304"]);
        let j = |text: &str| Jurisdiction::parse(text).unwrap();
        assert_eq!(jiaxing.may_manage_account(&[j("330421")]), Ok(()));
        assert_eq!(jiaxing.may_manage_account(&[j("3304")]), Ok(()));
        assert!(
            jiaxing
                .may_manage_account(&[j("330421"), j("3305")])
                .is_err()
        );
        assert!(
            jiaxing.may_manage_account(&[]).is_err(),
            "everywhere is outside"
        );
        assert_eq!(actor(Role::Admin, &[]).may_manage_account(&[]), Ok(()));
        assert_eq!(
            actor(Role::Editor, &["3304"]).may_manage_account(&[j("330421")]),
            Err(AccessError::AdminOnly)
        );
    }

    #[test]
    fn reviewers_and_administrators_decide_changes_in_their_jurisdiction() {
        let code = |c: &str| DivisionCode::parse(c).unwrap();
        let jiashan = [code("330421102")];
        assert_eq!(
            actor(Role::Reviewer, &["3304"]).may_decide_changes_in(&jiashan),
            Ok(())
        );
        assert_eq!(
            actor(Role::Admin, &[]).may_decide_changes_in(&jiashan),
            Ok(())
        );
        assert_eq!(
            actor(Role::Reviewer, &["3305"]).may_decide_changes_in(&jiashan),
            Err(AccessError::OutsideJurisdiction(code("330421102")))
        );
        assert!(
            actor(Role::Reviewer, &[])
                .may_decide_changes_in(&jiashan)
                .is_err()
        );
        assert_eq!(
            actor(Role::Editor, &["330421"]).may_decide_changes_in(&jiashan),
            Err(AccessError::RoleMayNotDecide(Role::Editor))
        );
    }
}
