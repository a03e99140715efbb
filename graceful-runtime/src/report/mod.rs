//! The report: events recorded with their times, and written out as text lines on stderr, one
//! JSON object at exit, and `log`/`tracing` events.
//!
//! Recording is a push under a short lock that only graceful's own code takes, and never
//! around I/O or user code: any thread may record (the watchdog with a try-lock). Writing is
//! apart from recording, and goes through the pen (`stderr.rs`): one graceful thread at a time
//! writes, under std's stderr lock, everything due, in the order it was recorded; another that
//! has lines leaves them to it. So no line of graceful's splits a line of the program's, none
//! goes out of order, and no thread blocks on stderr but the one holding the pen.
//! - **Who writes**: the runner after each hook (so a hook's line sits between its own output
//!   and the next hook's), the exit, and the reporter thread for what nobody else writes (the
//!   watchdog's events, a batch of quick hooks).
//! - **The first line** ("SIGTERM received: stopping") is rendered at start-up; before the
//!   first hook the runner writes those bytes (one `write(2)`, nothing formatted), unless the
//!   reporter already did: it precedes every hook's own output. Nothing is written before the
//!   runner opens the report, for a stop that main began: main's own `Error: ...` line is a
//!   record too, and comes first.
//! - **Sinks** (`log`, `tracing`) are called by the reporter only (`sinks.rs`).
//! - **At the deadline** the watchdog records its last words and gives the reporter a moment
//!   to write them under std's lock, then writes what is left itself, bounded, without it: the
//!   one write that may go around the lock, as the process ends.
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
    sync::{
        Mutex, MutexGuard, PoisonError, TryLockError,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

mod fields;
mod json;
pub(crate) mod parse;
pub(crate) mod reporter;
mod sinks;
pub(crate) mod stderr;
mod text;
pub(crate) mod value;

use crate::event::ChildEnd;
pub(crate) use crate::event::{Event, HookOutcome};
use crate::{
    Reason, Report, Signal, clock, config::Config, exit_code::Decision, state::STATE,
    unwind::contained,
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
    /// Records handed to a writer, and to the sinks.
    printed: usize,
    observed: usize,
    json_written: bool,
    /// When text was last written.
    last_print: u64,
    hooks: usize,
    /// A `MainError` record not yet written (outside text mode, the only lines there are).
    main_error_due: bool,
    /// The exit is recorded.
    exit_recorded: bool,
    /// Something happened that the report speaks of, whatever began the stop (a failed hook,
    /// failed work, a signal, `body_timeout`, the deadline).
    noteworthy: bool,
    /// main's own error line is out (in a quiet run it goes out alone).
    main_error_written: bool,
    /// The buffer lines are rendered into, kept between writes (a fresh one would fault in a
    /// heap page on the way to the first hook).
    out: String,
}

static LOG: Mutex<Log> = Mutex::new(Log::new(Report::Text, text::Notes::NONE));

impl Log {
    const fn new(mode: Report, notes: text::Notes) -> Log {
        Log {
            mode,
            notes,
            records: Vec::new(),
            cause_recorded: false,
            printed: 0,
            observed: 0,
            json_written: false,
            last_print: 0,
            hooks: 0,
            main_error_due: false,
            exit_recorded: false,
            noteworthy: false,
            main_error_written: false,
            out: String::new(),
        }
    }
}

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

/// Records may be written: the runner opened the report before the first hook, or the stop's
/// cause is one the reporter may announce (see `may_open`).
static OPEN: AtomicBool = AtomicBool::new(false);
/// Records written so far (their write completed), for the first hook and the last words.
static WRITTEN_UPTO: AtomicUsize = AtomicUsize::new(0);
/// The text report is on (readable without the lock).
static TEXT: AtomicBool = AtomicBool::new(true);
/// A quick hook's line waits (see the module's docs).
static DEFERRED: AtomicBool = AtomicBool::new(false);

/// Every run is reported, in any mode: for `graceful::test`'s child, whose parent reads the
/// JSON report of a quiet run too.
static EVERY_RUN: AtomicBool = AtomicBool::new(false);

/// For `graceful::test`'s child: the line written just before the JSON object, on a line of its
/// own, so that its parent finds this report and no other line that looks like one.
static OBJECT_MARK: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Report every run, a quiet one too, whatever the mode (see `EVERY_RUN`), the JSON object
/// after the line `mark`.
pub(crate) fn report_every_run(mark: String) {
    let _ = OBJECT_MARK.set(mark);
    EVERY_RUN.store(true, Ordering::Release);
}

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
    let mut notes = text::Notes::new(
        config.timeout,
        config.body_timeout,
        config.drain,
        &config.signals,
    );
    notes.second_ignored = config.second_signal == crate::SecondSignal::Ignore;
    notes.concurrent = config.concurrent_hooks;
    TIMEOUT_NS.store(clock::ns(config.timeout), Ordering::Release);
    TEXT.store(config.report.writes_lines(), Ordering::Release);
    let mut log = log();
    log.mode = config.report;
    log.notes = notes;
    // The buffers the stop's first records and lines go to, written through once: their pages
    // then exist before the stop, which would otherwise fault them in on the way to the first
    // hook.
    log.records.reserve(32);
    while log.records.len() < log.records.capacity() {
        log.records.push(Record {
            at: 0,
            event: Event::Forced(Signal::SIGTERM),
        });
    }
    log.records.clear();
    log.out.reserve(1024);
    let room = log.out.capacity();
    log.out.extend(std::iter::repeat_n(' ', room));
    log.out.clear();
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
        // main's error line goes before the cause when main's end is what began the stop.
        let main_began = matches!(STATE.reason(), Some(Reason::MainReturned | Reason::Panic));
        if !(main_began && matches!(event, Event::MainError(_))) {
            self.ensure_cause();
        }
        match &event {
            Event::Hook { outcome, .. } => {
                self.hooks += 1;
                self.noteworthy |=
                    outcome.is_failure() || matches!(outcome, HookOutcome::Exit(c) if *c != 0);
            }
            Event::MainError(_) => self.main_error_due = true,
            Event::Exit(_) => {
                self.exit_recorded = true;
                // A non-zero `exit()`, from anywhere, after main returned.
                self.noteworthy |= STATE.exit_request().is_some_and(|c| c != 0);
            }
            Event::PlanDropped(_) => self.noteworthy = true,
            Event::Stopping(_) | Event::MainEnded(_) | Event::Waiting(_) => {}
            // Said in a stop that began meanwhile: worth the report only if it went wrong.
            Event::Action { outcome, .. } => self.noteworthy |= outcome.is_failure(),
            Event::Child { end, .. } => {
                self.noteworthy |= matches!(end, ChildEnd::Killed { .. } | ChildEnd::Lost(_));
            }
            _ => self.noteworthy = true,
        }
        self.records.push(Record { at, event });
    }

    /// Whether the report speaks of this run: something asked for a stop (a signal,
    /// `trigger()`, a non-zero `exit()`, failed work, a panic) or went wrong, or the report is
    /// `Always`. A program that ended on its own with every hook fine is not spoken of.
    fn speaks(&self) -> bool {
        if self.mode == Report::Always || self.noteworthy || EVERY_RUN.load(Ordering::Acquire) {
            return true;
        }
        let asked = self.records.iter().find_map(|r| match r.event {
            Event::Stopping(reason) => Some(reason),
            _ => None,
        });
        !matches!(asked, None | Some(Reason::MainReturned | Reason::Exit(0)))
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

    /// Whether anything is due to be written (the cause of stopping too, once known).
    fn has_pending(&mut self) -> bool {
        self.ensure_cause();
        let speaks = self.speaks();
        match self.mode {
            _ if self.main_error_due => true,
            Report::Text | Report::Always => speaks && self.printed < self.records.len(),
            Report::Json => speaks && !self.json_written && self.exit_recorded,
            Report::Off => false,
        }
    }

    /// The first line, if it is due: a stop by a signal, in text mode, nothing printed yet.
    fn first_line_due(&mut self) -> Option<&[u8]> {
        self.ensure_cause();
        if !self.mode.writes_lines() || self.printed != 0 {
            return None;
        }
        let Some(Event::Stopping(Reason::Signal(s))) = self.records.first().map(|r| &r.event)
        else {
            return None;
        };
        self.notes.first_line(*s)
    }

    /// The first line, rendered at start-up, copied out (so the lock is not held while it is
    /// written) and marked as handed out: for a stop by a signal whose line nobody wrote yet,
    /// in text mode.
    fn take_first_line(&mut self) -> Option<([u8; 256], usize)> {
        let line = self.first_line_due()?;
        let len = line.len();
        let mut bytes = [0u8; 256];
        bytes.get_mut(..len)?.copy_from_slice(line);
        self.printed = 1;
        Some((bytes, len))
    }

    /// What is due to be written, marked as handed out, in the buffer `out` (taken from the
    /// log, to be given back): text lines (the first rendered at start-up), main's error line in
    /// every mode, and the JSON object once the exit is recorded.
    fn take_pending(&mut self) -> Option<(String, usize)> {
        self.ensure_cause();
        if !self.has_pending() {
            return None;
        }
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        let start = self.start();
        let lines = self.mode.writes_lines() && self.speaks();
        // Without the report's lines, only main's error line is written: scan for it alone.
        let from = match (lines, self.main_error_due) {
            (true, _) => self.printed,
            (false, true) => 0,
            (false, false) => self.records.len(),
        };
        self.main_error_due = false;
        for r in self.records.iter().skip(from) {
            let ours = !matches!(r.event, Event::MainError(_));
            if ours && !lines {
                continue;
            }
            if !ours && std::mem::replace(&mut self.main_error_written, true) {
                continue;
            }
            if ours {
                out.push_str("graceful: ");
            }
            let from = out.len();
            text::write_line(&mut out, &r.event, r.at.saturating_sub(start), &self.notes);
            if ours && out[from..].contains('\n') {
                // A message of several lines: each is marked as the report's.
                let tail = out.split_off(from).replace('\n', "\ngraceful:   ");
                out.push_str(&tail);
            }
            out.push('\n');
        }
        if lines {
            self.printed = self.records.len();
        }
        if self.mode == Report::Json && !self.json_written && self.exit_recorded && self.speaks() {
            self.json_written = true;
            if let Some(mark) = OBJECT_MARK.get() {
                // Found at the end of a line, even one the program left unfinished.
                out.push_str(mark);
                out.push('\n');
            }
            out.push_str(&json::object(&self.records, start, STATE.reason()));
        }
        Some((out, self.printed))
    }
}

/// Whether the report writes text lines (readable without the lock).
pub(crate) fn writes_lines() -> bool {
    TEXT.load(Ordering::Acquire)
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

/// Make room for the records of `hooks` hooks at once, rather than growing the buffer as they
/// come.
pub(crate) fn expect_hooks(hooks: usize) {
    log().records.reserve(hooks.saturating_add(8));
}

/// Write everything due, once the report is open, or leave it to the graceful thread already
/// at it (which writes everything due before it lets go); `insistent` (the exit) waits its
/// turn instead.
fn write_pending(insistent: bool) {
    loop {
        if !OPEN.load(Ordering::Acquire) || !log().has_pending() {
            return;
        }
        let Some(mut pen) = Pen::take(insistent) else {
            return;
        };
        let mut pending = log().take_pending();
        while let Some((out, upto)) = pending {
            pen.write(out.as_bytes());
            WRITTEN_UPTO.fetch_max(upto, Ordering::AcqRel);
            // One lock: the buffer back, the time of this write, and whatever came meanwhile.
            let mut log = log();
            log.last_print = clock::now_ns();
            log.out = out;
            pending = log.take_pending();
        }
        DEFERRED.store(false, Ordering::Release);
        drop(pen);
        // Lines recorded after the last look may have been left to us: look again.
    }
}

/// Write the first line alone, if it is a signal's, rendered at start-up, and nobody wrote it:
/// `true` if it is out. Lines another thread left meanwhile go out with the next write.
fn write_first_line(insistent: bool) -> bool {
    if !TEXT.load(Ordering::Acquire) {
        return false;
    }
    if WRITTEN_UPTO.load(Ordering::Acquire) != 0 {
        return true;
    }
    // Nothing to write (a quiet run, a stop that is not a signal's): std's lock is not needed.
    if log().first_line_due().is_none() {
        return false;
    }
    let Some(mut pen) = Pen::take(insistent) else {
        return false;
    };
    let first = log().take_first_line();
    let Some((bytes, len)) = first else {
        drop(pen);
        return WRITTEN_UPTO.load(Ordering::Acquire) != 0;
    };
    pen.write(&bytes[..len]);
    WRITTEN_UPTO.fetch_max(1, Ordering::AcqRel);
    true
}

/// Whether the reporter may open the report: for a drain, or a stop it may announce (one that
/// main began is announced by the body's thread, after main's own error line).
fn may_open(reason: Option<Reason>) -> bool {
    match reason {
        Some(Reason::Signal(_) | Reason::Trigger | Reason::Exit(_) | Reason::Failed(_)) => true,
        None => STATE.draining().is_some(),
        _ => false,
    }
}

/// Before the first hook: open the report and get the first line out, so it precedes the hook's
/// own output, waiting for std's lock if another thread has it (the reporter writing that same
/// line, say; a runner stuck here is sent on by the watchdog). For a signal's stop only that
/// line is written now, the one rendered at start-up, in one `write(2)`: what else is due
/// follows after the hook. A runner that took over from one stuck on stderr does not wait
/// (`insistent` false): its lines go out when stderr takes them again.
pub(crate) fn before_first_hook(insistent: bool) {
    OPEN.store(true, Ordering::Release);
    if !write_first_line(insistent) {
        write_pending(insistent);
    }
}

/// Write what is due, now (or leave it to the graceful thread already at it).
pub(crate) fn write_now() {
    write_pending(false);
}

/// main returned an `Err`: std's line for it, `Error: {message}`, comes before the report's
/// lines about the stop.
pub(crate) fn main_error(message: &str) {
    let now = clock::now_ns();
    log().push(Event::MainError(message.to_owned()), now);
}

/// An event outside any stop (an action ended, a child ended by itself): its line now (text
/// or JSON, as the report is set), and its event to the sinks, on the caller's thread. Not
/// recorded: a program that reloads for months keeps no list of its reloads.
pub(crate) fn at_once(event: Event) {
    let mode = log().mode;
    // The pen first: once this thread has it, an exit waits for this line to be out.
    let pen = (mode != Report::Off).then(|| Pen::take(true)).flatten();
    if STATE.stopping() {
        // The stop's report has begun and the exit may come at any moment: the line goes with
        // the stop's, in order, and cannot be lost to the exit.
        drop(pen);
        record(event);
        write_now();
        return;
    }
    let line = match mode {
        Report::Text | Report::Always => {
            let mut line = String::from("graceful: ");
            text::write_line(&mut line, &event, 0, &log().notes);
            line.push('\n');
            line
        }
        Report::Json => json::line(&event),
        Report::Off => String::new(),
    };
    if let Some(mut pen) = pen {
        pen.write(line.as_bytes());
    }
    if sinks::ANY {
        let fields = fields::Fields::of(&event);
        let mut text = String::new();
        text::write_line(&mut text, &event, 0, &log().notes);
        let _ = contained(|| sinks::emit(&fields, &text));
    }
}

/// A hook ended at `now`: record it, and write its line now, or (past the first `BATCH_AFTER`
/// hooks, a quick one within a millisecond of the last write) let the reporter write it
/// shortly.
/// A hook ended: record it (no I/O: the runner calls this under its lock, so that the exit is
/// decided only with the outcome in). `true`: its line may wait for the batch.
pub(crate) fn record_hook(event: Event, now: u64) -> bool {
    let quick = matches!(
        event,
        Event::Hook {
            outcome: HookOutcome::Ok,
            ..
        }
    );
    let mut log = log();
    log.push(event, now);
    log.mode.writes_lines()
        && quick
        && log.hooks > BATCH_AFTER
        && now.saturating_sub(log.last_print) < BATCH_NS
}

/// The write that follows `record_hook` (`defer`: its answer), with no lock held.
pub(crate) fn write_hook(defer: bool) {
    if !defer {
        write_now();
    } else if !DEFERRED.swap(true, Ordering::AcqRel) {
        reporter::nudge();
    }
    if sinks::ANY {
        reporter::nudge();
    }
}

/// A hook of the final stage ended, after the report: in the text report, its line follows the
/// report's (if the report spoke, or the hook went wrong). It is not recorded, and not given
/// to the sinks: the report (its JSON object too) is out, and the sinks may be what the final
/// stage flushes.
pub(crate) fn after_the_report(event: &Event) {
    let failed = matches!(event, Event::Hook { outcome, .. } if outcome.is_failure());
    let line = {
        let log = log();
        if !log.mode.writes_lines() || !(failed || log.speaks()) {
            return;
        }
        let mut line = String::from("graceful: ");
        let t = clock::now_ns().saturating_sub(log.start());
        text::write_line(&mut line, event, t, &log.notes);
        line.push('\n');
        line
    };
    if let Some(mut pen) = Pen::take(true) {
        pen.write(line.as_bytes());
    }
}

/// The exit: record it, write everything that is left (the JSON object in JSON mode), waiting
/// for std's lock, and let the sinks have the last events, for at most `sinks_until`. Should
/// the wait or the write get stuck, the watchdog ends the process with the exit's code.
pub(crate) fn finish(decision: &Decision, sinks_until: u64) {
    record(Event::Exit(decision.clone()));
    OPEN.store(true, Ordering::Release);
    write_pending(true);
    if sinks::ANY {
        reporter::flush(sinks_until);
    }
}

/// The reporter's share: whatever is due (a waiting batch once its millisecond is up), opening
/// the report for a cause it may announce. Returns when to look again for a batch not yet due.
pub(crate) fn write_for_reporter(urgent: bool) -> Option<u64> {
    if may_open(STATE.reason()) {
        OPEN.store(true, Ordering::Release);
    }
    if DEFERRED.load(Ordering::Acquire) && !urgent {
        let due = log().last_print.saturating_add(BATCH_NS);
        if clock::now_ns() < due {
            return Some(due);
        }
    }
    write_pending(false);
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
            let next = (!matches!(r.event, Event::MainError(_)))
                .then(|| (fields::Fields::of(&r.event), log.line(r)));
            log.observed += 1;
            next
        };
        if let Some((fields, line)) = next {
            contained(|| sinks::emit(&fields, &line));
        }
    }
}

/// Whether every record reached the sinks.
pub(crate) fn observed_all() -> bool {
    let log = log();
    log.observed >= log.records.len()
}

/// Whether everything the report owes is out: nothing is due (in JSON, `off` or a quiet run
/// that may be nothing at all) and no writer is still at what it took. The lock is only tried.
fn said_all() -> bool {
    match LOG.try_lock() {
        Ok(mut log) => nothing_due(&mut log, stderr::idle()),
        Err(TryLockError::Poisoned(p)) => nothing_due(&mut p.into_inner(), stderr::idle()),
        Err(TryLockError::WouldBlock) => false,
    }
}

/// Nothing is due and every writer let go. Writers take what is due while they hold the pen,
/// so "idle" read after "nothing due" means it was written.
fn nothing_due(log: &mut Log, writers_idle: bool) -> bool {
    !log.has_pending() && writers_idle
}

/// The watchdog's last words before it ends the process: record `event` and the exit, give
/// the reporter a moment to write them under std's lock, then write what is left without it
/// (the one write that goes around the lock: the process ends). Bounded by `until` (clock ns)
/// in all; what does not fit is lost.
pub(crate) fn last_words(event: Event, decision: &Decision, until: u64) {
    let now = clock::now_ns();
    let third = until.saturating_sub(now) / 3;
    let Some(mut log) = log_until(now.saturating_add(third)) else {
        return;
    };
    log.push(event, now);
    log.push(Event::Exit(decision.clone()), now);
    drop(log);
    OPEN.store(true, Ordering::Release);
    reporter::write_urgently();
    let reporter_until = now.saturating_add(2 * third);
    while !said_all() && clock::now_ns() < reporter_until {
        std::thread::sleep(Duration::from_millis(1));
    }
    if said_all() {
        return;
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

    fn hook_named(name: &'static str) -> crate::hooks::HookInfo {
        crate::hooks::HookInfo {
            name: name.into(),
            order: 0,
            timeout: None,
            module: None,
            file: "src/main.rs",
            line: 1,
            seq: None,
            last: false,
            after: Vec::new(),
        }
    }

    fn log_with(mode: Report) -> Log {
        let notes = text::Notes::new(
            Duration::from_secs(10),
            Duration::from_secs(5),
            Duration::ZERO,
            &[Signal::SIGTERM],
        );
        Log {
            cause_recorded: true,
            ..Log::new(mode, notes)
        }
    }

    #[test]
    fn the_last_words_wait_only_for_what_is_due() {
        // Found by review: in JSON and `off` modes, and for a quiet run, the deadline waited its
        // whole budget for lines that are never written.
        let mut off = log_with(Report::Off);
        off.push(Event::Stopping(Reason::Trigger), 0);
        off.push(Event::Exit(Decision::Code(124)), 1);
        assert!(nothing_due(&mut off, true));
        let mut json = log_with(Report::Json);
        json.push(Event::Stopping(Reason::Trigger), 0);
        json.push(Event::Exit(Decision::Code(124)), 1);
        assert!(!nothing_due(&mut json, true), "the object is due");
        assert!(json.take_pending().unwrap().0.starts_with('{'));
        assert!(!nothing_due(&mut json, false), "taken, not yet written");
        assert!(nothing_due(&mut json, true));
        let mut text = log_with(Report::Text);
        text.push(Event::Stopping(Reason::Trigger), 0);
        assert!(!nothing_due(&mut text, true));
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
    fn a_run_that_ended_on_its_own_and_well_is_quiet_unless_always() {
        for mode in [Report::Text, Report::Json] {
            let mut log = log_with(mode);
            log.push(Event::Stopping(Reason::MainReturned), 0);
            log.push(Event::MainError("\"boom\"".into()), 1);
            let (out, _) = log.take_pending().unwrap();
            assert_eq!(out, "Error: \"boom\"\n", "main's own line alone");
            log.push(Event::Exit(Decision::Code(1)), 2);
            assert!(log.take_pending().is_none(), "{mode:?}");
        }
        let mut always = log_with(Report::Always);
        always.push(Event::Stopping(Reason::MainReturned), 0);
        always.push(Event::Exit(Decision::Code(0)), 2);
        let (out, _) = always.take_pending().unwrap();
        assert!(
            out.contains("main returned") && out.contains("exit 0"),
            "{out}"
        );
    }

    #[test]
    fn a_hook_s_non_zero_exit_makes_a_quiet_run_speak() {
        let mut log = log_with(Report::Text);
        log.push(Event::Stopping(Reason::MainReturned), 0);
        let info = hook_named("quits");
        log.push(
            Event::Hook {
                info: info.clone(),
                outcome: HookOutcome::Exit(0),
                took_ns: 1,
                started_ns: 0,
            },
            1,
        );
        assert!(log.take_pending().is_none(), "exit(0) is a quiet end");
        log.push(
            Event::Hook {
                info,
                outcome: HookOutcome::Exit(3),
                took_ns: 1,
                started_ns: 0,
            },
            2,
        );
        let (out, _) = log.take_pending().unwrap();
        assert!(out.contains("exit(3)"), "{out}");
    }

    #[test]
    fn a_quiet_run_speaks_once_a_hook_fails_and_writes_everything_in_order() {
        let mut log = log_with(Report::Text);
        log.push(Event::Stopping(Reason::MainReturned), 0);
        log.push(Event::MainError("\"boom\"".into()), 1);
        let _ = log.take_pending();
        let info = hook_named("flush");
        log.push(
            Event::Hook {
                info,
                outcome: HookOutcome::Failed("disk full".into()),
                took_ns: 1,
                started_ns: 0,
            },
            3,
        );
        let (out, _) = log.take_pending().unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("graceful: main returned"), "{out}");
        assert!(lines[1].contains("disk full"), "{out}");
        assert!(
            !out.contains("Error: "),
            "main's line is not written twice: {out}"
        );
    }

    #[test]
    fn off_writes_nothing() {
        let mut log = log_with(Report::Off);
        log.push(Event::Exit(Decision::Code(0)), 1);
        assert!(log.take_pending().is_none());
    }
}
