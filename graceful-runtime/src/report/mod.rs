//! The shutdown report: events recorded with their times, printed in order by one writer.
//!
//! Recording pushes onto a vector under a lock. Nothing here runs in signal context: the handler
//! only sets atomics, and the cause of stopping is recorded afterwards from `state`, before any
//! later event. In text mode each event is printed as it is recorded, under the same lock, so
//! lines are never out of order and interleave truthfully with the program's own output. In JSON
//! mode one object is printed at exit. The watcher's last words (deadline, second signal) wait
//! only briefly for the lock: a stderr nobody reads must not hold the process past its deadline.
//!
//! The schema of the JSON object and of the `log`/`tracing` fields is documented, and kept
//! stable, in `docs/REPORT.md`; `fields.rs` holds the names.

use std::{
    fmt::Write as _,
    io::Write as _,
    sync::{
        Mutex, MutexGuard, PoisonError, TryLockError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

mod fields;
#[cfg(any(feature = "log", feature = "tracing"))]
mod observe;
mod text;

use fields::Fields;

use crate::{
    Reason, Report, Signal, clock, config::Config, exit_code::Decision, hooks::HookInfo,
    runner::HookOutcome, signal::latch, state,
};

/// How the body of main ended, once Stopping had begun for another reason.
#[derive(Clone, Debug)]
pub(crate) enum BodyEnd {
    Ok,
    Shutdown,
    Failed,
    Code,
    Exit(i32),
    Panicked,
}

#[derive(Clone, Debug)]
pub(crate) enum Event {
    Draining(Signal, Duration),
    Stopping(Reason),
    Absorbed(Signal),
    /// The first signal again, from the same sender, at once: one request delivered twice.
    Duplicate(Signal),
    BodyEnded(BodyEnd),
    /// `true` when the body was a future, dropped rather than left running.
    BodyAbandoned(Duration, bool),
    Hook {
        info: HookInfo,
        outcome: HookOutcome,
        took_ns: u64,
    },
    Deadline(Duration, Vec<String>),
    Forced(Signal),
    Exit(Decision),
}

struct Record {
    at: u64,
    event: Event,
}

struct Log {
    mode: Report,
    /// The configuration's part of the "stopping" line.
    notes: text::Notes,
    records: Vec<Record>,
    printed: usize,
    cause_recorded: bool,
    /// When text was last written (see `push`).
    last_print: u64,
    /// Records already sent to `log` / `tracing`.
    #[cfg_attr(not(any(feature = "log", feature = "tracing")), allow(dead_code))]
    observed: usize,
    /// The text being printed, kept between prints: growing a fresh buffer on the way to the
    /// first hook would fault in a new heap page, which costs tens of microseconds in a VM.
    out: String,
}

static LOG: Mutex<Log> = Mutex::new(Log {
    mode: Report::Text,
    notes: text::Notes::NONE,
    records: Vec::new(),
    printed: 0,
    cause_recorded: false,
    last_print: 0,
    observed: 0,
    out: String::new(),
});

fn log() -> MutexGuard<'static, Log> {
    LOG.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether lines wait to be printed (see `Log::push`). Written under the lock; read without
/// it by the watcher.
static DEFERRED: AtomicBool = AtomicBool::new(false);

/// Set when `log_soon` gave up, as the lock's holder is stuck writing; later calls try once
/// until one gets the lock.
static STUCK: AtomicBool = AtomicBool::new(false);

/// The lock, if it comes free within a moment (at once, while it is stuck).
fn log_soon() -> Option<MutexGuard<'static, Log>> {
    let tries = if STUCK.load(Ordering::Relaxed) {
        1
    } else {
        200
    };
    for _ in 0..tries {
        let log = match LOG.try_lock() {
            Ok(log) => log,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
        };
        STUCK.store(false, Ordering::Relaxed);
        return Some(log);
    }
    STUCK.store(true, Ordering::Relaxed);
    None
}

pub(crate) fn configure(config: &Config) {
    let mut log = log();
    log.mode = config.report;
    log.notes = text::Notes::new(config.timeout, config.body_timeout);
    log.records.reserve(32);
    if log.mode == Report::Text {
        log.warm_up();
    }
}

thread_local! {
    /// Set on the watcher's thread and on threads that take the hooks over: they write with
    /// `stderr_bounded` and wait only briefly for the report's lock, never blocking for long.
    static BOUNDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Called once by the watcher thread, and by each thread that takes the hooks over.
pub(crate) fn write_bounded_on_this_thread() {
    BOUNDED.with(|b| b.set(true));
}

fn write_stderr(bytes: &[u8]) {
    if BOUNDED.with(std::cell::Cell::get) {
        crate::signal::stderr_bounded(bytes);
    } else {
        write_blocking(bytes);
    }
}

/// While a blocking write to stderr is under way: when it last made progress (clock ns, never
/// 0); 0 when none is. Such writes happen under the report's lock, one at a time.
static WRITE_PROGRESS: AtomicU64 = AtomicU64::new(0);

/// Write all of `bytes` under std's stderr lock, in pieces, noting the progress, so that the
/// watcher can tell a stderr that is slow from one that is stuck.
fn write_blocking(bytes: &[u8]) {
    let note = || WRITE_PROGRESS.store(clock::now_ns().max(1), Ordering::Relaxed);
    note();
    let mut stderr = std::io::stderr().lock();
    for piece in bytes.chunks(4096) {
        if stderr.write_all(piece).is_err() {
            break;
        }
        note();
    }
    WRITE_PROGRESS.store(0, Ordering::Relaxed);
}

/// How long the blocking write under way has gone without progress; 0 when none is under way.
pub(crate) fn write_stalled_for(now: u64) -> u64 {
    match WRITE_PROGRESS.load(Ordering::Relaxed) {
        0 => 0,
        at => now.saturating_sub(at),
    }
}

/// Record an event now (and print it, in text mode). On a thread with bounded writes (the
/// watcher, or one that took the hooks over) only if the report is not stuck.
pub(crate) fn record(event: Event) {
    if BOUNDED.with(std::cell::Cell::get) {
        record_soon(event);
    } else {
        log().push(event);
    }
}

/// Print std's line for an `Err` returned by main, `Error: {message}`, whole: under the
/// report's lock, so no report line lands inside it.
pub(crate) fn main_error(message: &str) {
    let _log = log();
    write_blocking(format!("Error: {message}\n").as_bytes());
}

/// For the watcher: record an event unless the report is stuck (say, on a stderr pipe nobody
/// reads); the watcher must stay free to enforce the deadline.
pub(crate) fn record_soon(event: Event) {
    if let Some(mut log) = log_soon() {
        log.push(event);
    }
}

/// The watcher's call: print the lines that wait, if any (see `Log::push`).
pub(crate) fn flush_deferred() {
    // Checked first without the lock: the watcher looks often, and the lock may be busy with
    // a slow write.
    if !DEFERRED.load(Ordering::Acquire) {
        return;
    }
    if let Some(mut log) = log_soon() {
        if DEFERRED.load(Ordering::Acquire) {
            log.print_pending();
        }
    }
}

/// Record the cause of stopping if nobody has yet: the handler cannot.
pub(crate) fn note_cause() {
    if let Some(mut log) = log_soon() {
        log.ensure_cause();
        log.print_pending();
    }
}

/// Record the exit and print what is left (the JSON object in JSON mode), unless the report is
/// stuck: the exit must not wait on it.
pub(crate) fn finish(decision: &Decision) {
    if let Some(mut log) = log_soon() {
        log.finish(decision);
    }
}

/// The watcher's last words: `event`, then the exit, unless the report is stuck (say, on a
/// stderr pipe nobody reads), in which case the exit goes ahead without them.
pub(crate) fn last_words(event: Event, decision: &Decision) {
    if let Some(mut log) = log_soon() {
        log.push(event);
        log.finish(decision);
    }
}

impl Log {
    /// Record an event and, in text mode, print it. Past the first `BATCH_AFTER` hooks, a
    /// hook that ended well within a millisecond of the last print waits, so thousands of
    /// quick hooks share a few writes instead of one each; the watcher prints it a millisecond
    /// later at the latest (or the next event does), so a hook that hangs next is never hidden
    /// behind unprinted lines. Up to `BATCH_AFTER` hooks, each line comes out as its hook ends,
    /// between the hooks' own output.
    fn push(&mut self, event: Event) {
        const BATCH_AFTER: usize = 64;
        self.ensure_cause();
        let at = clock::now_ns();
        let quick = matches!(
            event,
            Event::Hook {
                outcome: HookOutcome::Ok,
                ..
            }
        ) && self.records.len() > BATCH_AFTER;
        self.records.push(Record { at, event });
        #[cfg(any(feature = "log", feature = "tracing"))]
        self.observe_pending();
        if self.mode == Report::Text && quick && at.saturating_sub(self.last_print) < 1_000_000 {
            if !DEFERRED.swap(true, Ordering::AcqRel) {
                latch::nudge_soon();
            }
            return;
        }
        self.print_pending();
    }

    /// Send the records not yet sent to `log` / `tracing`.
    #[cfg(any(feature = "log", feature = "tracing"))]
    fn observe_pending(&mut self) {
        let start = self.start();
        for r in &self.records[self.observed..] {
            observe::emit(&Fields::of(&r.event), &self.line(r, start));
        }
        self.observed = self.records.len();
    }

    fn finish(&mut self, decision: &Decision) {
        self.push(Event::Exit(decision.clone()));
        if self.mode == Report::Json {
            let mut json = self.json();
            json.push('\n');
            write_stderr(json.as_bytes());
        }
    }

    fn ensure_cause(&mut self) {
        if self.cause_recorded {
            return;
        }
        if let (Some(reason), Some(at)) = (state::reason(), state::stop_at()) {
            self.cause_recorded = true;
            self.records.push(Record {
                at,
                event: Event::Stopping(reason),
            });
        }
    }

    fn start(&self) -> u64 {
        state::deadline_base().unwrap_or_else(|| self.records.first().map_or(0, |r| r.at))
    }

    /// Prepare, at start-up, what printing the first lines needs, so that the path from the
    /// signal to the first hook takes no page fault for it: the print buffer, written through
    /// once (a fresh heap page costs tens of microseconds in a VM), and stderr's lock.
    fn warm_up(&mut self) {
        self.out.reserve(2048);
        let samples = [
            Event::Stopping(Reason::Signal(Signal::SIGTERM)),
            Event::BodyEnded(BodyEnd::Shutdown),
        ];
        for event in samples {
            text::write_line(&mut self.out, &event, 1_234_567, &self.notes);
        }
        let capacity = self.out.capacity();
        self.out
            .extend(std::iter::repeat_n(' ', capacity - self.out.len()));
        self.out.clear();
        drop(std::io::stderr().lock());
    }

    /// Print the text lines not yet printed (text mode only).
    fn print_pending(&mut self) {
        if self.mode != Report::Text || self.printed == self.records.len() {
            return;
        }
        let start = self.start();
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        for r in &self.records[self.printed..] {
            out.push_str("graceful: ");
            text::write_line(&mut out, &r.event, r.at.saturating_sub(start), &self.notes);
            out.push('\n');
        }
        self.printed = self.records.len();
        write_stderr(out.as_bytes());
        self.out = out;
        self.last_print = clock::now_ns();
        DEFERRED.store(false, Ordering::Release);
    }

    #[cfg(any(feature = "log", feature = "tracing"))]
    fn line(&self, r: &Record, start: u64) -> String {
        let mut line = String::new();
        text::write_line(&mut line, &r.event, r.at.saturating_sub(start), &self.notes);
        line
    }

    fn json(&self) -> String {
        let start = self.start();
        let mut out = String::from("{\"reason\":");
        match state::reason() {
            Some(r) => json_str(&mut out, &r.to_string()),
            None => out.push_str("null"),
        }
        out.push_str(",\"events\":[");
        let mut exit = String::from("null");
        let mut first = true;
        for r in &self.records {
            if let Event::Exit(d) = &r.event {
                exit = d.json();
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(
                out,
                "{{\"t_ms\":{:.3}",
                r.at.saturating_sub(start) as f64 / 1e6
            );
            event_json(&mut out, &r.event);
            out.push('}');
        }
        let _ = write!(out, "],\"exit\":{exit}}}");
        out
    }
}

fn event_json(out: &mut String, event: &Event) {
    let f = Fields::of(event);
    let field = |out: &mut String, k: &str, v: &str| {
        let _ = write!(out, ",\"{k}\":");
        json_str(out, v);
    };
    field(out, "event", f.event);
    for (k, v) in [("signal", f.signal), ("outcome", f.outcome)] {
        if let Some(v) = v {
            field(out, k, v);
        }
    }
    for (k, v) in [("cause", &f.cause), ("how", &f.how), ("name", &f.name)] {
        if let Some(v) = v {
            field(out, k, v);
        }
    }
    if let Some(order) = f.order {
        let _ = write!(out, ",\"order\":{order}");
    }
    if let Some(at) = &f.at {
        field(out, "at", at);
    }
    if let Some(ms) = f.took_ms {
        let _ = write!(out, ",\"took_ms\":{ms:.3}");
    }
    if let Some(m) = &f.error {
        field(out, "error", m);
    }
    if let Some(running) = &f.still_running {
        out.push_str(",\"still_running\":[");
        for (i, r) in running.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_str(out, r);
        }
        out.push(']');
    }
}

pub(crate) fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        let mut s = String::new();
        json_str(&mut s, "a\"b\\c\nd\u{1}");
        assert_eq!(s, r#""a\"b\\c\nd\u0001""#);
    }
}
