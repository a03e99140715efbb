//! graceful's pen: the one right to write the report's lines to stderr.
//!
//! A line of graceful's is written under std's stderr lock, so it never lands inside a line
//! the program writes with `eprintln!` (which holds that lock for the whole line). Taking that
//! lock, and writing, can block for ever: a logger stuck while holding it, a pipe nobody reads,
//! a line the program writes slowly. So a graceful thread that has lines to write and finds
//! another already waiting for that lock, or writing, leaves its lines to that one, which
//! writes everything due before it lets go (`report::write_pending`); only the exit and the
//! first line wait their turn (an insistent `take`). The writers' progress is stamped, piece by
//! piece: the watchdog reads `stalled_for` and, past its patience, sends the hooks on without
//! the runner (if it was the one waiting), or ends the process with the exit code already
//! decided (if the exit was). graceful never writes around the
//! lock to get its lines out, save the watchdog's last words at the deadline: lines that cannot
//! be written in order are lost instead.
//!
//! A stderr that is only slow keeps making progress, so nothing is stepped over and nothing is
//! lost.

use std::{
    io::{StderrLock, Write as _},
    sync::atomic::{AtomicU32, AtomicU64, Ordering},
};

use crate::clock;

/// graceful threads waiting for std's lock to write the report, or writing.
static ACTIVE: AtomicU32 = AtomicU32::new(0);
/// When they last made progress (clock ns); 0 while none is active.
static PROGRESS: AtomicU64 = AtomicU64::new(0);

fn progress() {
    PROGRESS.store(clock::now_ns().max(1), Ordering::Release);
}

/// The pen: std's stderr lock, taken to write the report.
pub(crate) struct Pen {
    stderr: Option<StderrLock<'static>>,
}

impl Pen {
    /// Take std's stderr lock to write the report, waiting for it (the wait counts as no
    /// progress). Unless `insistent` (the exit, the first line), `None` when another graceful
    /// thread already waits for it or writes: that one writes what is due before it lets go.
    /// An insistent taker waits; on a thread that holds std's lock itself (a program that
    /// locked stderr in `main`), it has it at once.
    pub(crate) fn take(insistent: bool) -> Option<Pen> {
        loop {
            let before = ACTIVE.fetch_add(1, Ordering::AcqRel);
            if before == 0 || insistent {
                if before == 0 {
                    progress();
                }
                break;
            }
            ACTIVE.fetch_sub(1, Ordering::AcqRel);
            if ACTIVE.load(Ordering::Acquire) != 0 {
                return None;
            }
            // The other let go meanwhile: try again.
        }
        let stderr = std::io::stderr().lock();
        progress();
        Some(Pen {
            stderr: Some(stderr),
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
        if ACTIVE.fetch_sub(1, Ordering::AcqRel) == 1 {
            PROGRESS.store(0, Ordering::Release);
        } else {
            // The next one gets the lock now.
            progress();
        }
    }
}

/// No graceful writer holds or waits for the pen: whatever was handed out has been written.
pub(crate) fn idle() -> bool {
    ACTIVE.load(Ordering::Acquire) == 0
}

/// How long graceful's writers have gone without progress; 0 when none is active.
pub(crate) fn stalled_for(now: u64) -> u64 {
    match PROGRESS.load(Ordering::Acquire) {
        0 => 0,
        at => now.saturating_sub(at),
    }
}
