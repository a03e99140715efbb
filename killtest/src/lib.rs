//! Kill-tests for graceful: a `journal` daemon shaped like a real log shipper, stopped with
//! real signals, and checked for lost or corrupt data.
//!
//! # Map
//! | item | what it is |
//! | --- | --- |
//! | [`journal`] | the daemon's storage: an in-memory batch group-committed to SQLite and to an append-only buffered file, and the lock file it holds while it runs |
//! | [`source`] | where records come from: a seeded, bursty generator |
//! | [`Options`] | the daemon's command line (`--dir`, `--seed`) |
//! | `src/bin/journal.rs` | the daemon with graceful: `#[graceful::main]` and three ordered hooks |
//! | `src/bin/journal_baseline.rs` | the same daemon without graceful, as most programs are written |
//! | `src/bin/fixture.rs` | small graceful programs for the race, storm and start-up tests |
//! | `src/main.rs`, `src/harness/` | the harness, `killtest`: starts them, signals them with `kill(2)`, checks what they left |
//!
//! The daemon acknowledges a record (`ack N` on stdout) once it is in the in-memory batch, as
//! a log shipper acknowledges to its sender. From then on, losing it is a bug: with graceful,
//! the hooks commit the open batch, flush and fsync the file and remove the lock file on
//! SIGTERM; without it, SIGTERM's default action ends the process with the batch and the file
//! buffer still in memory.

pub mod args;
pub mod journal;
pub mod source;

use std::{path::PathBuf, time::Duration};

pub use args::{ArgError, Args};

/// The daemon's command line: `--dir DIR [--seed N] [--pace-us N]`.
///
/// ```
/// let args = ["--dir", "/tmp/j", "--seed", "7"].map(String::from);
/// let o = killtest::Options::parse(killtest::Args::new(args)).unwrap();
/// assert_eq!(o.seed, 7);
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    /// Where the database, the file and the lock file live.
    pub dir: PathBuf,
    /// Seeds the record generator, so a trial can be replayed.
    pub seed: u64,
    /// The mean gap between bursts of records.
    pub pace: Duration,
}

impl Options {
    /// Parse the daemon's arguments.
    ///
    /// # Errors
    /// An unknown flag, a missing value or a number that does not parse.
    pub fn parse(mut args: Args) -> Result<Options, ArgError> {
        let mut dir = None;
        let mut seed = 1;
        let mut pace = Duration::from_millis(5);
        while let Some(flag) = args.next_flag() {
            match flag.as_str() {
                "--dir" => dir = Some(PathBuf::from(args.value(&flag)?)),
                "--seed" => seed = args.number(&flag)?,
                "--pace-us" => pace = Duration::from_micros(args.number(&flag)?),
                _ => return Err(ArgError::Unknown(flag)),
            }
        }
        let dir = dir.ok_or(ArgError::Missing("--dir DIR"))?;
        Ok(Options { dir, seed, pace })
    }

    /// Parse `std::env::args()`.
    ///
    /// # Errors
    /// As [`Options::parse`].
    pub fn from_env() -> Result<Options, ArgError> {
        Options::parse(Args::from_env())
    }
}
