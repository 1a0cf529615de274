//! Errors the domain raises when a value or a state change is not allowed.

use std::borrow::Cow;
use std::fmt;

/// Most characters of one id, name or path an error message quotes.
pub const QUOTE_MAX_CHARS: usize = 64;

/// `s`, cut to `max` characters and `…` when it is longer: error messages never
/// echo long input.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((end, _)) => Cow::Owned(format!("{}…", &s[..end])),
    }
}

/// `s` in backquotes, cut to [`QUOTE_MAX_CHARS`] characters.
pub fn quote(s: &str) -> String {
    format!("`{}`", clip(s, QUOTE_MAX_CHARS))
}

/// Path of the offending input field, dotted (`definition.pipeline.batch_size`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field(pub String);

impl Field {
    pub fn new(path: impl Into<String>) -> Self {
        Field(path.into())
    }
    /// `parent.child`, or `child` when the parent is empty.
    pub fn join(&self, child: impl fmt::Display) -> Field {
        if self.0.is_empty() {
            Field(child.to_string())
        } else {
            Field(format!("{}.{}", self.0, child))
        }
    }
    pub fn index(&self, i: usize) -> Field {
        Field(format!("{}[{}]", self.0, i))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    /// The input breaks a rule; `field` names where.
    #[error("{field}: {reason}")]
    Validation { field: Field, reason: String },
    /// The entity's current state does not allow the change.
    #[error("{0}")]
    Conflict(String),
    /// Something the input refers to does not exist in this project.
    #[error("{what} not found")]
    NotFound { what: String },
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DomainError::Validation {
            field: Field(field.into()),
            reason: reason.into(),
        }
    }
    /// What is wrong, without the field it is wrong in.
    pub fn reason(&self) -> String {
        match self {
            DomainError::Validation { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }
    pub fn invalid_at(field: &Field, reason: impl Into<String>) -> Self {
        DomainError::Validation {
            field: field.clone(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod quote_tests {
    use super::*;

    #[test]
    fn quotes_are_bounded() {
        let long = "x".repeat(10_000);
        assert!(quote(&long).chars().count() < 70);
        assert_eq!(quote("abc"), "`abc`");
        assert_eq!(clip("abcdef", 3), "abc…");
    }
}
