//! The runner: hooks one at a time, in order, each isolated and each bounded.
//!
//! Hooks run on the thread that claimed the cleanup (normally main's, right after the body
//! returned: no thread hop before the first hook). A hook past its own `timeout` cannot be
//! stopped, so it is *left behind*: the watcher bumps the run's generation, reports the hook as
//! timed out and starts a fresh thread that carries on from the next hook. The thread left
//! behind sees the new generation when (if ever) its hook returns, and stops. Claiming the next
//! hook is one uncontended lock, so thousands of hooks cost little.

use std::{
    any::Any,
    cell::Cell,
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{
        Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use crate::{
    Reason, Shutdown, clock,
    exit::ExitPayload,
    hooks::{self, Job, Planned},
    lifecycle,
    report::{self, Event},
    signal::latch,
    state,
};

thread_local! {
    static IN_HOOK: Cell<bool> = const { Cell::new(false) };
}

/// `true` on a thread that is running a hook right now.
pub(crate) fn in_hook() -> bool {
    IN_HOOK.with(Cell::get)
}

/// How one hook ended.
#[derive(Clone, Debug)]
pub(crate) enum HookOutcome {
    Ok,
    Failed(String),
    Panicked(String),
    Exit(i32),
    TimedOut(Duration),
}

static HOOK_FAILED: AtomicBool = AtomicBool::new(false);

/// Whether any hook failed (`Err`, panic, past its timeout).
pub(crate) fn hook_failed() -> bool {
    HOOK_FAILED.load(Ordering::Acquire)
}

struct Current {
    index: usize,
    started: u64,
    deadline: Option<u64>,
}

struct Run {
    plan: Vec<Planned>,
    next: usize,
    generation: u64,
    current: Option<Current>,
    /// Hooks past their timeout whose thread has not come back: (generation, description).
    left_behind: Vec<(u64, String)>,
}

static RUN: Mutex<Run> = Mutex::new(Run {
    plan: Vec::new(),
    next: 0,
    generation: 0,
    current: None,
    left_behind: Vec::new(),
});

fn run() -> MutexGuard<'static, Run> {
    RUN.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) enum Finish {
    /// Every hook ran: the caller concludes.
    Done,
    /// Another thread took over: the caller must not conclude.
    Superseded,
}

/// Gather the hooks. Called once, by whoever claimed the cleanup.
pub(crate) fn start() {
    let plan = hooks::plan();
    run().plan = plan;
}

/// Run hooks until none is left or another thread takes over.
pub(crate) fn run_hooks(generation: u64) -> Finish {
    loop {
        let (job, info, started) = {
            let mut run = run();
            if run.generation != generation {
                return Finish::Superseded;
            }
            if run.next == run.plan.len() {
                let mut late = hooks::take_closures();
                if late.is_empty() {
                    return Finish::Done;
                }
                late.sort_by(|a, b| a.info.run_order(&b.info));
                run.plan.extend(late);
            }
            let index = run.next;
            run.next += 1;
            let started = clock::now_ns();
            let info = run.plan[index].info.clone();
            let deadline = info.timeout.map(|t| started.saturating_add(clock::ns(t)));
            run.current = Some(Current {
                index,
                started,
                deadline,
            });
            (run.plan[index].job.take(), info, started)
        };
        if info.timeout.is_some() {
            latch::nudge(); // the watcher times this hook
        }
        let outcome = isolate(job);
        let took_ns = clock::now_ns().saturating_sub(started);
        let mut run = run();
        if run.generation != generation {
            run.left_behind.retain(|(g, _)| *g != generation);
            return Finish::Superseded;
        }
        run.current = None;
        drop(run);
        if matches!(
            outcome,
            HookOutcome::Failed(_) | HookOutcome::Panicked(_) | HookOutcome::TimedOut(_)
        ) {
            HOOK_FAILED.store(true, Ordering::Release);
        }
        report::record(Event::Hook {
            info,
            outcome,
            took_ns,
        });
    }
}

fn isolate(job: Option<Job>) -> HookOutcome {
    let Some(job) = job else {
        return HookOutcome::Ok;
    };
    let shutdown = Shutdown::new(state::reason().unwrap_or(Reason::MainReturned));
    IN_HOOK.with(|h| h.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| match job {
        Job::Static(f) => f(&shutdown),
        Job::Closure(f) => f(),
    }));
    IN_HOOK.with(|h| h.set(false));
    match result {
        Ok(Ok(())) => HookOutcome::Ok,
        Ok(Err(message)) => HookOutcome::Failed(message),
        Err(payload) => match payload.downcast::<ExitPayload>() {
            Ok(exit) => HookOutcome::Exit(exit.0),
            Err(payload) => HookOutcome::Panicked(panic_message(&*payload)),
        },
    }
}

pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// The watcher's check: leave behind a hook past its timeout. Returns when to check again.
pub(crate) fn check_timeout(now: u64) -> Option<u64> {
    let mut run = run();
    let current = run.current.as_ref()?;
    let deadline = current.deadline?;
    if now < deadline {
        return Some(deadline);
    }
    let (index, started) = (current.index, current.started);
    let info = run.plan[index].info.clone();
    let old = run.generation;
    run.generation += 1;
    run.current = None;
    run.left_behind.push((old, format!("hook {info}")));
    let generation = run.generation;
    drop(run);
    HOOK_FAILED.store(true, Ordering::Release);
    report::record_soon(Event::Hook {
        outcome: HookOutcome::TimedOut(info.timeout.unwrap_or_default()),
        info,
        took_ns: now.saturating_sub(started),
    });
    spawn(generation);
    None
}

/// Carry on with the hooks on a fresh thread, which exits the process when they are done.
pub(crate) fn spawn(generation: u64) {
    let spawned = std::thread::Builder::new()
        .name("graceful-hooks".into())
        .spawn(move || {
            if let Finish::Done = run_hooks(generation) {
                lifecycle::conclude_and_exit();
            }
        });
    // Without a thread the remaining hooks cannot run; the deadline still ends the process.
    drop(spawned);
}

/// What is still running, for the deadline's report.
pub(crate) fn still_running() -> Vec<String> {
    let run = run();
    let mut names: Vec<String> = run.left_behind.iter().map(|(_, n)| n.clone()).collect();
    if let Some(c) = &run.current {
        names.insert(0, format!("hook {}", run.plan[c.index].info));
    }
    names
}
