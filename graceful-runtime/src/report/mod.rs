//! The report: events recorded with their times, and written out as text lines on stderr, one
//! JSON object at exit, and `log`/`tracing` events.
//!
//! Recording is a push under a short lock that only graceful's own code takes, and never
//! around I/O or user code: any thread may record (the watchdog with a try-lock). Writing is
//! apart from recording:
//! - **Text lines** are written by whoever is due: the runner after each hook (so a hook's line
//!   sits between its own output and the next hook's), the exit, and the reporter thread for
//!   events nobody else writes (the watchdog's). Every write holds std's stderr lock
//!   (`stderr.rs`), so no line of graceful's splits a line of the program's, and lines go out
//!   in the order they were recorded.
//! - **The first line** ("SIGTERM received: stopping") is rendered at start-up; before the
//!   first hook the runner writes those bytes, unless the reporter already did. It precedes
//!   every hook's own output. For a stop that main began, only the body's thread writes it,
//!   after main's own error line.
//! - **Sinks** (`log`, `tracing`) are called by the reporter only (`sinks.rs`).
//! - **At the deadline** the watchdog records its last words and gives the reporter a moment
//!   to write them under std's lock, then writes what is left itself, bounded, without it.
//!
//! Past the first `BATCH_AFTER` hooks, a quick hook's line waits up to a millisecond for the
//! next, so thousands of hooks share a few writes; the reporter writes what waits.
//!
//! The JSON schema and the `log`/`tracing` fields are documented in `docs/REPORT.md`;
//! `fields.rs` holds the names.
//!
//! Layer 5: it imports the model types (6), `stopping`'s words (7), the platform (8), the state
//! machine (9) and the leaves.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{
        Mutex, MutexGuard, PoisonError, TryLockError,
        atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

mod fields;
mod json;
pub(crate) mod reporter;
mod sinks;
pub(crate) mod stderr;
mod text;

pub(crate) use crate::event::{Event, HookOutcome};
use crate::{
    Reason, Report, Signal, clock, config::Config, exit_code::Decision, state::STATE, sys::Word,
};
use stderr::Pen;

pub(crate) struct Record {
    pub(crate) at: u64,
    pub(crate) event: Event,
}

struct Log {
    mode: Report,
    notes: text::Notes,
    records: Vec<Record>,
    cause_recorded: bool,
    /// Records handed to a writer (text), and to the sinks.
    printed: usize,
    observed: usize,
    json_written: bool,
    /// When text was last written.
    last_print: u64,
    hooks: usize,
}

static LOG: Mutex<Log> = Mutex::new(Log {
    mode: Report::Text,
    notes: text::Notes::NONE,
    records: Vec::new(),
    cause_recorded: false,
    printed: 0,
    observed: 0,
    json_written: false,
    last_print: 0,
    hooks: 0,
});

fn log() -> MutexGuard<'static, Log> {
    LOG.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The lock, if it comes free before `until` (clock ns): for the watchdog.
fn log_until(until: u64) -> Option<MutexGuard<'static, Log>> {
    loop {
        match LOG.try_lock() {
            Ok(log) => return Some(log),
            Err(TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(TryLockError::WouldBlock) if clock::now_ns() < until => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(TryLockError::WouldBlock) => return None,
        }
    }
}

/// Where the first line is: nobody took it yet, somebody is writing it, it is out.
const UNCLAIMED: u8 = 0;
const WRITING: u8 = 1;
const WRITTEN: u8 = 2;
static FIRST: AtomicU8 = AtomicU8::new(UNCLAIMED);
/// Bumped when the first line is out, for a runner waiting on the reporter's write of it.
static FIRST_OUT: Word = Word::new();

/// Records written so far (after their write completed), for the watchdog's last words.
static WRITTEN_UPTO: AtomicUsize = AtomicUsize::new(0);
/// A quick hook's line waits (see the module's docs).
static DEFERRED: AtomicBool = AtomicBool::new(false);

/// The configured timeout, for the reporter's systemd extensions.
static TIMEOUT_NS: AtomicU64 = AtomicU64::new(0);

#[cfg_attr(not(all(unix, feature = "systemd")), allow(dead_code))]
fn timeout() -> Duration {
    Duration::from_nanos(TIMEOUT_NS.load(Ordering::Acquire))
}

const BATCH_AFTER: usize = 64;
const BATCH_NS: u64 = 1_000_000;

/// Set the mode and render what the lines need from the configuration.
pub(crate) fn configure(config: &Config) {
    let notes = text::Notes::new(
        config.timeout,
        config.body_timeout,
        config.drain,
        &config.signals,
    );
    TIMEOUT_NS.store(clock::ns(config.timeout), Ordering::Release);
    let mut log = log();
    log.mode = config.report;
    log.notes = notes;
    // The buffer the stop's first records go to, written through once: its pages then exist
    // before the stop, which would otherwise fault them in on the way to the first hook.
    log.records.reserve(32);
    while log.records.len() < log.records.capacity() {
        log.records.push(Record {
            at: 0,
            event: Event::Forced(Signal::SIGTERM),
        });
    }
    log.records.clear();
    drop(log);
    drop(std::io::stderr().lock());
}

impl Log {
    /// Record the cause of stopping, if it is known and not yet recorded: the signal handler
    /// cannot record.
    fn ensure_cause(&mut self) {
        if self.cause_recorded {
            return;
        }
        if let (Some(reason), Some(at)) = (STATE.reason(), STATE.stop_at()) {
            self.cause_recorded = true;
            self.records.push(Record {
                at,
                event: Event::Stopping(reason),
            });
        }
    }

    fn push(&mut self, event: Event, at: u64) {
        self.ensure_cause();
        if matches!(event, Event::Hook { .. }) {
            self.hooks += 1;
        }
        self.records.push(Record { at, event });
    }

    fn start(&self) -> u64 {
        STATE
            .deadline_base()
            .unwrap_or_else(|| self.records.first().map_or(0, |r| r.at))
    }

    fn line(&self, r: &Record) -> String {
        let mut line = String::new();
        text::write_line(
            &mut line,
            &r.event,
            r.at.saturating_sub(self.start()),
            &self.notes,
        );
        line
    }

    /// What is due to be written, marked as handed out: text lines, or the JSON object once
    /// the exit is recorded.
    fn take_pending(&mut self) -> Option<(String, usize)> {
        self.ensure_cause();
        match self.mode {
            Report::Text if self.printed < self.records.len() => {
                let mut out = String::new();
                for r in &self.records[self.printed..] {
                    out.push_str("graceful: ");
                    out.push_str(&self.line(r));
                    out.push('\n');
                }
                self.printed = self.records.len();
                Some((out, self.printed))
            }
            Report::Json
                if !self.json_written
                    && self
                        .records
                        .iter()
                        .any(|r| matches!(r.event, Event::Exit(_))) =>
            {
                self.json_written = true;
                self.printed = self.records.len();
                let start = self.start();
                Some((
                    json::object(&self.records, start, STATE.reason()),
                    self.printed,
                ))
            }
            _ => None,
        }
    }
}

/// Make room for the records of `hooks` hooks at once, rather than growing the buffer as they
/// come.
pub(crate) fn expect_hooks(hooks: usize) {
    log().records.reserve(hooks.saturating_add(8));
}

/// Record `event` now (and the cause of stopping before it, if not yet). It writes nothing:
/// the next writer does.
pub(crate) fn record(event: Event) {
    let now = clock::now_ns();
    log().push(event, now);
}

/// Record `event` if the lock comes free before `until`: for the watchdog.
pub(crate) fn try_record(event: Event, until: u64) -> bool {
    let now = clock::now_ns();
    match log_until(until) {
        Some(mut log) => {
            log.push(event, now);
            true
        }
        None => false,
    }
}

/// Write what is due with `pen`, in order.
fn write_pending(pen: &mut Pen) {
    let pending = log().take_pending();
    if let Some((out, upto)) = pending {
        pen.write(out.as_bytes());
        WRITTEN_UPTO.fetch_max(upto, Ordering::AcqRel);
        log().last_print = clock::now_ns();
    }
    DEFERRED.store(false, Ordering::Release);
}

/// Whether the cause is one that only the runner's thread may announce: a stop that main
/// began, whose first line follows main's own error line.
fn runner_announces(reason: Option<Reason>) -> bool {
    matches!(reason, Some(Reason::MainReturned | Reason::Panic) | None)
}

/// Write the first line if nobody has: `true` once it is out (here or elsewhere). The reporter
/// (`by_runner` false) leaves a stop that main began to the runner.
fn first_line(by_runner: bool) -> bool {
    match FIRST.load(Ordering::Acquire) {
        WRITTEN => return true,
        WRITING => return false,
        _ => {}
    }
    if !by_runner && runner_announces(STATE.reason()) {
        return false;
    }
    if FIRST
        .compare_exchange(UNCLAIMED, WRITING, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return FIRST.load(Ordering::Acquire) == WRITTEN;
    }
    let mut pen = Pen::take();
    // The line rendered at start-up, when the stop is a signal's and nothing else waits.
    let prepared = match STATE.reason() {
        Some(Reason::Signal(s)) => prepared_first_line(s),
        _ => None,
    };
    match prepared {
        Some((bytes, len)) => {
            pen.write(&bytes[..len]);
            WRITTEN_UPTO.fetch_max(1, Ordering::AcqRel);
        }
        None => write_pending(&mut pen),
    }
    drop(pen);
    FIRST.store(WRITTEN, Ordering::Release);
    FIRST_OUT.wake();
    true
}

/// The line rendered at start-up for a stop by `signal` (copied out, so the lock is not held
/// while it is written), marked as written; `None` unless the text report is on and nothing
/// was written yet.
fn prepared_first_line(signal: Signal) -> Option<([u8; 256], usize)> {
    let mut log = log();
    log.ensure_cause();
    if log.mode != Report::Text || log.printed != 0 {
        return None;
    }
    let line = log.notes.first_line(signal)?;
    let mut bytes = [0u8; 256];
    let len = line.len();
    bytes.get_mut(..len)?.copy_from_slice(line);
    log.printed = 1;
    Some((bytes, len))
}

/// Before the first hook: the first line must be out, so it precedes the hook's own output.
/// Written here, unless the reporter is writing it; then waited for, at most 100 ms.
pub(crate) fn before_first_hook() {
    let until = clock::now_ns().saturating_add(100_000_000);
    loop {
        let seen = FIRST_OUT.seq();
        if first_line(true) || clock::now_ns() >= until {
            return;
        }
        FIRST_OUT.wait(seen, Some(until));
    }
}

/// Write what is due, now, on this thread (which may block on stderr: the watchdog sees it
/// and sends the hooks on elsewhere). Nothing before the first line.
pub(crate) fn write_now() {
    if first_line(true) {
        write_pending(&mut Pen::take());
    }
}

/// Print std's line for an `Err` returned by main, `Error: {message}`, whole.
pub(crate) fn main_error(message: &str) {
    Pen::take().write(format!("Error: {message}\n").as_bytes());
}

/// A hook ended: record it, and write its line now, or (past the first `BATCH_AFTER` hooks, a
/// quick one within a millisecond of the last write) let the reporter write it shortly.
pub(crate) fn hook_ended(event: Event) {
    let quick = matches!(
        event,
        Event::Hook {
            outcome: HookOutcome::Ok,
            ..
        }
    );
    let now = clock::now_ns();
    let defer = {
        let mut log = log();
        log.push(event, now);
        log.mode == Report::Text
            && quick
            && log.hooks > BATCH_AFTER
            && now.saturating_sub(log.last_print) < BATCH_NS
    };
    if !defer {
        write_now();
    } else if !DEFERRED.swap(true, Ordering::AcqRel) {
        reporter::nudge();
    }
    if sinks::ANY {
        reporter::nudge();
    }
}

/// The exit: record it, write everything that is left (the JSON object in JSON mode), and let
/// the sinks have the last events, for at most `sinks_until`.
pub(crate) fn finish(decision: &Decision, sinks_until: u64) {
    record(Event::Exit(decision.clone()));
    write_now();
    if sinks::ANY {
        reporter::flush(sinks_until);
    }
}

/// The reporter's share: the first line if it may, then whatever is due (a waiting batch once
/// its millisecond is up). Returns when to look again for a batch not yet due.
pub(crate) fn write_for_reporter(urgent: bool) -> Option<u64> {
    if !first_line(false) {
        return None;
    }
    if DEFERRED.load(Ordering::Acquire) && !urgent {
        let due = log().last_print.saturating_add(BATCH_NS);
        if clock::now_ns() < due {
            return Some(due);
        }
    }
    write_pending(&mut Pen::take());
    None
}

/// Hand the records not yet observed to the sinks, one at a time, with no lock held while a
/// sink runs; a panicking sink loses its event.
pub(crate) fn observe_pending() {
    if !sinks::ANY {
        return;
    }
    loop {
        let next = {
            let mut log = log();
            if log.observed >= log.records.len() {
                return;
            }
            let r = &log.records[log.observed];
            let fields = fields::Fields::of(&r.event);
            let line = log.line(r);
            log.observed += 1;
            (fields, line)
        };
        let _ = catch_unwind(AssertUnwindSafe(|| sinks::emit(&next.0, &next.1)));
    }
}

/// Whether every record reached the sinks.
pub(crate) fn observed_all() -> bool {
    let log = log();
    log.observed >= log.records.len()
}

/// The watchdog's last words before it ends the process: record `event` and the exit, give
/// the reporter a moment to write them under std's lock, then write what is left without it.
/// Bounded by `until` (clock ns) in all; what does not fit is lost.
pub(crate) fn last_words(event: Event, decision: &Decision, until: u64) {
    let now = clock::now_ns();
    let third = until.saturating_sub(now) / 3;
    let Some(mut log) = log_until(now.saturating_add(third)) else {
        return;
    };
    log.push(event, now);
    log.push(Event::Exit(decision.clone()), now);
    let total = log.records.len();
    drop(log);
    reporter::write_urgently();
    let reporter_until = now.saturating_add(2 * third);
    while WRITTEN_UPTO.load(Ordering::Acquire) < total && clock::now_ns() < reporter_until {
        std::thread::sleep(Duration::from_millis(1));
    }
    if WRITTEN_UPTO.load(Ordering::Acquire) >= total {
        return;
    }
    // The reporter is stuck (or stderr is): write what nobody took, without std's lock.
    if FIRST.load(Ordering::Acquire) != WRITTEN {
        FIRST.store(WRITTEN, Ordering::Release);
    }
    let pending = log_until(reporter_until).and_then(|mut log| log.take_pending());
    if let Some((out, _)) = pending {
        crate::sys::stderr_bounded(out.as_bytes(), until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Signal, exit_code::Decision};

    fn log_with(mode: Report) -> Log {
        Log {
            mode,
            notes: text::Notes::new(
                Duration::from_secs(10),
                Duration::from_secs(5),
                Duration::ZERO,
                &[Signal::SIGTERM],
            ),
            records: Vec::new(),
            cause_recorded: true,
            printed: 0,
            observed: 0,
            json_written: false,
            last_print: 0,
            hooks: 0,
        }
    }

    #[test]
    fn pending_text_is_handed_out_once_in_order() {
        let mut log = log_with(Report::Text);
        log.push(Event::Stopping(Reason::Trigger), 0);
        log.push(Event::Exit(Decision::Code(0)), 2_000_000);
        let (out, upto) = log.take_pending().unwrap();
        assert_eq!(upto, 2);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "graceful: trigger() called: stopping (main gets 5s, all 10s)"
        );
        assert!(lines[1].ends_with("exit 0"), "{out}");
        assert!(log.take_pending().is_none());
    }

    #[test]
    fn json_waits_for_the_exit_and_is_written_once() {
        let mut log = log_with(Report::Json);
        log.push(Event::Stopping(Reason::Trigger), 0);
        assert!(log.take_pending().is_none());
        log.push(Event::Exit(Decision::Code(0)), 1);
        let (out, _) = log.take_pending().unwrap();
        assert!(out.starts_with('{') && out.ends_with("}\n"), "{out}");
        assert!(log.take_pending().is_none());
    }

    #[test]
    fn off_writes_nothing() {
        let mut log = log_with(Report::Off);
        log.push(Event::Exit(Decision::Code(0)), 1);
        assert!(log.take_pending().is_none());
    }
}
