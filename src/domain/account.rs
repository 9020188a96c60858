//! Staff accounts: roles, usernames and passwords as typed values, and the rule deciding who
//! may change which record (role and jurisdiction).

use std::fmt;

use serde::Serialize;

use super::division_code::{DivisionCode, Jurisdiction};

/// What a signed-in user does. The anonymous public has no role and writes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Reviewer => "reviewer",
            Self::Inspector => "inspector",
        }
    }

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("{0:?} is not a role: use admin, editor, reviewer or inspector")]
    UnknownRole(String),
    #[error("a username has 3 to 32 characters: lower-case letters, digits, '.', '_' or '-'")]
    BadUsername,
    #[error("a password has at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("a password has at most 1024 characters")]
    PasswordTooLong,
    #[error("an editor needs at least one jurisdiction")]
    EditorWithoutJurisdiction,
}

const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
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

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that meets the length rule; never printed.
pub struct NewPassword(String);

impl NewPassword {
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

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// The signed-in user a request acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub jurisdictions: Vec<Jurisdiction>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("the {0} role may not change place-name records")]
    RoleMayNotEditPlaces(Role),
    #[error("division {0} is outside your jurisdiction")]
    OutsideJurisdiction(DivisionCode),
    #[error("only an administrator may do this")]
    AdminOnly,
    #[error(
        "the line between {0} and {1} is shared: the editors of one side cannot change it alone; an administrator whose jurisdiction covers both sides records it"
    )]
    SharedLine(DivisionCode, DivisionCode),
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
        (self.role == Role::Admin && self.jurisdictions.is_empty())
            || self
                .jurisdictions
                .iter()
                .any(|j| j.covers(a) || j.covers(b))
    }

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
}
