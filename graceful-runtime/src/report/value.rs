//! A JSON value as the report's parser reads it, and why a text is not the report: the words
//! both the parser (`parse.rs`) and the fields it fills (`fields.rs`) use.

use std::fmt;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Why the text is not a report this crate wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// Not JSON: at byte `at`, `expected` was expected.
    Syntax { at: usize, expected: &'static str },
    /// An event carries a key the schema does not have.
    UnknownKey(String),
    /// A key holds another kind of value than the schema's.
    WrongKind {
        key: &'static str,
        expected: &'static str,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Syntax { at, expected } => {
                write!(f, "not the report's JSON: expected {expected} at byte {at}")
            }
            ParseError::UnknownKey(key) => write!(f, "the report has an unknown key {key:?}"),
            ParseError::WrongKind { key, expected } => {
                write!(f, "the report's {key:?} is not {expected}")
            }
        }
    }
}

impl std::error::Error for ParseError {}

impl Value {
    pub(crate) fn wrong(key: &'static str, expected: &'static str) -> ParseError {
        ParseError::WrongKind { key, expected }
    }
    pub(crate) fn string(self, key: &'static str) -> Result<String, ParseError> {
        match self {
            Value::String(s) => Ok(s),
            _ => Err(Value::wrong(key, "a string")),
        }
    }
    pub(crate) fn float(self, key: &'static str) -> Result<f64, ParseError> {
        match self {
            Value::Number(n) => Ok(n),
            _ => Err(Value::wrong(key, "a number")),
        }
    }
    pub(crate) fn int(self, key: &'static str) -> Result<i64, ParseError> {
        match self {
            Value::Number(n) if n.fract() == 0.0 => Ok(n as i64),
            _ => Err(Value::wrong(key, "an integer")),
        }
    }
    pub(crate) fn strings(self, key: &'static str) -> Result<Vec<String>, ParseError> {
        match self {
            Value::Array(items) => items.into_iter().map(|v| v.string(key)).collect(),
            _ => Err(Value::wrong(key, "a list of strings")),
        }
    }
    pub(crate) fn object(self, key: &'static str) -> Result<Vec<(String, Value)>, ParseError> {
        match self {
            Value::Object(members) => Ok(members),
            _ => Err(Value::wrong(key, "an object")),
        }
    }
}
