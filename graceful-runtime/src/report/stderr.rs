//! graceful's pen: the one right to write the report's lines to stderr.
//!
//! A line of graceful's is written under std's stderr lock, so it never lands inside a line
//! the program writes with `eprintln!` (which holds that lock for the whole line). Taking that
//! lock, and writing, can block for ever: a logger stuck while holding it, a pipe nobody reads,
//! a line the program writes slowly. So one graceful thread at a time holds the pen; another
//! that has lines to write leaves them to the holder, which writes everything due before it
//! lets go (`report::write_pending`). No thread blocks on stderr but the holder, and the
//! holder's progress is stamped, piece by piece: the watchdog reads `stalled_for` and, past its
//! patience, sends the hooks on without the holder (if it was the runner), or ends the process
//! with the exit code already decided (if it was the exit). graceful never writes around the
//! lock to get its lines out, save the watchdog's last words at the deadline: lines that cannot
//! be written in order are lost instead.
//!
//! A stderr that is only slow keeps making progress, so nothing is stepped over and nothing is
//! lost.

use std::{
    io::{StderrLock, Write as _},
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
};

use crate::{clock, sys::Word};

/// A graceful thread holds the pen.
static HELD: AtomicBool = AtomicBool::new(false);
/// When the holder last made progress (clock ns); 0 while nobody holds the pen (or the holder
/// has only just taken it).
static PROGRESS: AtomicU64 = AtomicU64::new(0);
/// Bumped when the pen is let go: for a thread waiting for its lines to be out.
pub(crate) static LET_GO: Word = Word::new();

fn progress() {
    PROGRESS.store(clock::now_ns().max(1), Ordering::Release);
}

/// The pen: std's stderr lock, held by one graceful thread at a time.
pub(crate) struct Pen {
    stderr: Option<StderrLock<'static>>,
}

impl Pen {
    /// The pen, unless another graceful thread holds it. Waits for std's lock (the wait counts
    /// as no progress).
    pub(crate) fn try_hold() -> Option<Pen> {
        if HELD.swap(true, Ordering::AcqRel) {
            return None;
        }
        progress();
        Some(Pen {
            stderr: Some(std::io::stderr().lock()),
        })
    }

    /// Write all of `bytes`, in pieces, stamping the progress.
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        let Some(stderr) = self.stderr.as_mut() else {
            return;
        };
        progress();
        for piece in bytes.chunks(4096) {
            if stderr.write_all(piece).is_err() {
                break;
            }
            progress();
        }
    }
}

impl Drop for Pen {
    fn drop(&mut self) {
        drop(self.stderr.take());
        PROGRESS.store(0, Ordering::Release);
        HELD.store(false, Ordering::Release);
        LET_GO.wake();
    }
}

/// Whether a graceful thread holds the pen.
pub(crate) fn held() -> bool {
    HELD.load(Ordering::Acquire)
}

/// How long the pen's holder has gone without progress; 0 when nobody holds it.
pub(crate) fn stalled_for(now: u64) -> u64 {
    match PROGRESS.load(Ordering::Acquire) {
        0 => 0,
        at => now.saturating_sub(at),
    }
}
