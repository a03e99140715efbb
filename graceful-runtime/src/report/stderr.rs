//! graceful's writes to stderr, and how they stay out of the safety net's way.
//!
//! A [`Pen`] holds std's stderr lock, so a line of graceful's never lands inside a line the
//! program is writing with `eprintln!` (which holds the same lock for the whole line). Waiting
//! for that lock, and writing, can block for ever: a logger stuck on a full pipe holds it, or
//! nobody reads the pipe. So every write is counted and stamped with its progress, piece by
//! piece; the watchdog reads `stalled_for` and, past its patience, declares stderr stuck. From
//! then on a pen does not take std's lock: it writes with the platform's bounded write, which
//! drops what finds no room, until a blocking write of graceful's completes again.
//!
//! A stderr that is only slow keeps making progress, so nothing is declared stuck and nothing
//! is lost.

use std::{
    io::{StderrLock, Write as _},
    sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering},
};

use crate::{clock, sys};

/// graceful threads in a blocking write (waiting for std's lock, or writing).
static WRITERS: AtomicU32 = AtomicU32::new(0);
/// When graceful's blocking writes last made progress (clock ns).
static PROGRESS: AtomicU64 = AtomicU64::new(0);
/// Declared by the watchdog: the blocking writes made no progress for its patience.
static STUCK: AtomicBool = AtomicBool::new(false);

/// How long a bounded write may wait for room, in all; none once one found no room, until one
/// goes through again (so a stderr that stays full costs each later line nothing).
const BOUNDED_NS: u64 = 100_000_000;
static STARVED: AtomicBool = AtomicBool::new(false);

/// How a pen writes.
enum Ink {
    /// Under std's stderr lock, blocking.
    Locked(StderrLock<'static>),
    /// Without the lock, bounded (stderr was declared stuck).
    Bounded,
}

/// The right to write lines to stderr: std's lock, unless stderr is stuck.
pub(crate) struct Pen {
    ink: Ink,
}

fn progress() {
    PROGRESS.store(clock::now_ns().max(1), Ordering::Release);
}

impl Pen {
    /// Take std's stderr lock (waiting for it), unless stderr was declared stuck.
    pub(crate) fn take() -> Pen {
        if STUCK.load(Ordering::Acquire) {
            return Pen { ink: Ink::Bounded };
        }
        if WRITERS.fetch_add(1, Ordering::AcqRel) == 0 {
            progress();
        }
        Pen {
            ink: Ink::Locked(std::io::stderr().lock()),
        }
    }

    /// Write all of `bytes`, or in bounded mode what finds room within a moment.
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        match &mut self.ink {
            Ink::Locked(stderr) => {
                progress();
                for piece in bytes.chunks(4096) {
                    if stderr.write_all(piece).is_err() {
                        break;
                    }
                    progress();
                }
            }
            Ink::Bounded => {
                let patience = if STARVED.load(Ordering::Acquire) {
                    0
                } else {
                    BOUNDED_NS
                };
                let all = sys::stderr_bounded(bytes, clock::now_ns().saturating_add(patience));
                STARVED.store(!all, Ordering::Release);
            }
        }
    }
}

impl Drop for Pen {
    fn drop(&mut self) {
        if let Ink::Locked(_) = self.ink {
            // A blocking write went through: stderr takes output again.
            STUCK.store(false, Ordering::Release);
            WRITERS.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// How long graceful's blocking writes have gone without progress; 0 when none is under way.
pub(crate) fn stalled_for(now: u64) -> u64 {
    if WRITERS.load(Ordering::Acquire) == 0 {
        return 0;
    }
    now.saturating_sub(PROGRESS.load(Ordering::Acquire))
}

/// The watchdog's verdict: stderr takes nothing; write bounded from now on.
pub(crate) fn declare_stuck() {
    STUCK.store(true, Ordering::Release);
}
