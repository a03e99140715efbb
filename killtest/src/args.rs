//! Hand-rolled argument parsing, shared by the daemon and the harness: flags with values, no
//! CLI crate.

use std::{fmt, str::FromStr};

/// A command line that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgError {
    /// An argument nobody expects.
    Unknown(String),
    /// A flag at the end of the line, without its value.
    MissingValue(String),
    /// A required flag that was not given.
    Missing(&'static str),
    /// A value that is not a number of the right kind.
    BadNumber {
        /// The flag.
        flag: String,
        /// What it was given.
        value: String,
    },
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::Unknown(a) => write!(f, "unknown argument {a:?}"),
            ArgError::MissingValue(flag) => write!(f, "{flag} needs a value"),
            ArgError::Missing(flag) => write!(f, "{flag} is required"),
            ArgError::BadNumber { flag, value } => write!(f, "{flag}: {value:?} is not a number"),
        }
    }
}

impl std::error::Error for ArgError {}

/// The arguments still to read.
///
/// ```
/// let mut a = killtest::Args::new(["--trials", "5"].map(String::from));
/// let flag = a.next_flag().unwrap();
/// assert_eq!(a.number::<u32>(&flag), Ok(5));
/// ```
#[derive(Debug)]
pub struct Args {
    rest: std::vec::IntoIter<String>,
}

impl Args {
    /// Read from these arguments (without the program name).
    pub fn new(args: impl IntoIterator<Item = String>) -> Args {
        Args {
            rest: args.into_iter().collect::<Vec<_>>().into_iter(),
        }
    }

    /// `std::env::args()` after the program name.
    pub fn from_env() -> Args {
        Args::new(std::env::args().skip(1))
    }

    /// The next argument, normally a flag.
    pub fn next_flag(&mut self) -> Option<String> {
        self.rest.next()
    }

    /// The value after `flag`.
    ///
    /// # Errors
    /// [`ArgError::MissingValue`] at the end of the line.
    pub fn value(&mut self, flag: &str) -> Result<String, ArgError> {
        self.rest
            .next()
            .ok_or_else(|| ArgError::MissingValue(flag.to_owned()))
    }

    /// The value after `flag`, as a number.
    ///
    /// # Errors
    /// [`ArgError::MissingValue`] or [`ArgError::BadNumber`].
    pub fn number<T: FromStr>(&mut self, flag: &str) -> Result<T, ArgError> {
        let value = self.value(flag)?;
        value.parse().map_err(|_| ArgError::BadNumber {
            flag: flag.to_owned(),
            value,
        })
    }
}
