//! A problem with one field of some input, named by its path (`properties.standard_name`,
//! `geometry.coordinates[0][3]`), so a person can find and fix it.

use serde::Serialize;

/// A problem with one field of some input: the field's path and what is wrong with it.
///
/// ```
/// use diming::domain::field_error::FieldError;
///
/// let error = FieldError::new("properties.standard_name", "the name is empty");
/// assert_eq!(error.field, "properties.standard_name");
/// assert_eq!(error.message, "the name is empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The path of the field in the input (`geometry.coordinates[0][3]`).
    pub field: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The problems of one input, collected so that all of them are reported at once.
///
/// ```
/// use diming::domain::field_error::FieldErrors;
///
/// let mut errors = FieldErrors::default();
/// assert_eq!(errors.clone().into_result(42), Ok(42));
/// errors.push("limit", "a whole number from 1 to 1000");
/// errors.push("near", "longitude,latitude");
/// assert_eq!(errors.as_slice().len(), 2);
/// assert_eq!(errors.to_string(), "limit: a whole number from 1 to 1000; near: longitude,latitude");
/// assert!(errors.into_result(42).is_err());
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Records a problem with `field`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Adds every problem of `other` (of a part of the input checked on its own).
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in the order they were found.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// The problems, in the order they were found, borrowed.
    pub fn as_slice(&self) -> &[FieldError] {
        &self.0
    }

    /// `Ok(value)` when nothing was collected, the collected errors otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for FieldErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

impl FieldErrors {
    /// One problem with one field.
    ///
    /// ```
    /// use diming::domain::field_error::FieldErrors;
    /// let errors = FieldErrors::one("limit", "a whole number from 1 to 1000");
    /// assert_eq!(errors.to_string(), "limit: a whole number from 1 to 1000");
    /// ```
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, message)])
    }
}
