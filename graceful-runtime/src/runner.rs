//! The runner: hooks one at a time, in order, each isolated and each bounded.
//!
//! Hooks run on the thread that claimed the cleanup (normally main's, right after the body
//! returned: no thread hop before the first hook). A hook past its own `timeout` cannot be
//! stopped, so it is *left behind*: the watcher bumps the run's generation, reports the hook as
//! timed out and starts a fresh thread that carries on from the next hook. The thread left
//! behind sees the new generation when (if ever) its hook returns, and stops. Claiming the next
//! hook is one uncontended lock, so thousands of hooks cost little.
//!
//! An async hook past its timeout is cancelled instead: the watcher wakes its task, which drops
//! the future (running its destructors) and carries on with the next hook on the same runtime.
//! An async hook that blocks its thread cannot be cancelled; the deadline still ends the process.

use std::{
    any::Any,
    cell::Cell,
    future::Future,
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    sync::{
        Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, Waker},
    time::Duration,
};

use crate::{
    Reason, Shutdown, clock, exec,
    exit::ExitPayload,
    hooks::{self, HookFn, HookFuture, HookInfo, HookResult, Job, Planned},
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
    /// Past its own timeout: left running (sync) or cancelled (async, `true`).
    TimedOut(Duration, bool),
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
    /// Async hooks only: the waker of the task awaiting it, and whether the watcher cancelled
    /// it (an async hook past its timeout is dropped, not left behind).
    is_async: bool,
    waker: Option<Waker>,
    cancelled: bool,
}

struct Run {
    plan: Vec<Planned>,
    next: usize,
    generation: u64,
    current: Option<Current>,
    /// The runner finished a hook and has not claimed the next: it is reporting the last.
    between: bool,
    /// Hooks past their timeout whose thread has not come back: (generation, description).
    left_behind: Vec<(u64, String)>,
}

static RUN: Mutex<Run> = Mutex::new(Run {
    plan: Vec::new(),
    next: 0,
    generation: 0,
    current: None,
    between: false,
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

/// A hook this runner is about to run.
struct Claimed {
    index: usize,
    job: Option<Job>,
    info: HookInfo,
    started: u64,
}

/// Take the next hook, unless another runner took over or none is left.
fn claim(generation: u64) -> Result<Claimed, Finish> {
    let mut run = run();
    if run.generation != generation {
        return Err(Finish::Superseded);
    }
    run.between = false;
    if run.next == run.plan.len() {
        let mut late = hooks::take_closures();
        if late.is_empty() {
            return Err(Finish::Done);
        }
        late.sort_by(|a, b| a.info.run_order(&b.info));
        run.plan.extend(late);
    }
    let index = run.next;
    run.next += 1;
    let started = clock::now_ns();
    let info = run.plan[index].info.clone();
    let deadline = info.timeout.map(|t| started.saturating_add(clock::ns(t)));
    let job = run.plan[index].job.take();
    run.current = Some(Current {
        index,
        started,
        deadline,
        is_async: matches!(job, Some(Job::Static(HookFn::Async(_)))),
        waker: None,
        cancelled: false,
    });
    drop(run);
    if deadline.is_some() {
        latch::nudge(); // the watcher times this hook
    }
    Ok(Claimed {
        index,
        job,
        info,
        started,
    })
}

/// Report a hook's outcome, unless this runner was left behind meanwhile.
fn complete(generation: u64, claimed: Claimed, outcome: Option<HookOutcome>) -> Result<(), Finish> {
    let took_ns = clock::now_ns().saturating_sub(claimed.started);
    let mut run = run();
    if run.generation != generation {
        run.left_behind.retain(|(g, _)| *g != generation);
        return Err(Finish::Superseded);
    }
    // Cancelled by the watcher as it finished: the watcher reported it already.
    let outcome = outcome.filter(|_| !run.current.as_ref().is_some_and(|c| c.cancelled));
    // Before `between`: a runner that takes over from here concludes from it.
    if let Some(HookOutcome::Failed(_) | HookOutcome::Panicked(_)) = outcome {
        HOOK_FAILED.store(true, Ordering::Release);
    }
    run.current = None;
    run.between = true;
    drop(run);
    // `None`: the watcher already reported it (a cancelled async hook).
    if let Some(outcome) = outcome {
        report::record(Event::Hook {
            info: claimed.info,
            outcome,
            took_ns,
        });
    }
    Ok(())
}

fn shutdown() -> Shutdown {
    Shutdown::new(state::reason().unwrap_or(Reason::MainReturned))
}

/// Run hooks on this thread until none is left or another thread takes over. Async hooks are
/// driven by `exec::block_on`.
pub(crate) fn run_hooks(generation: u64) -> Finish {
    loop {
        let mut claimed = match claim(generation) {
            Ok(c) => c,
            Err(finish) => return finish,
        };
        let outcome = match claimed.job.take() {
            Some(Job::Static(HookFn::Async(f))) => exec::block_on(Guarded::new(claimed.index, f)),
            job => Some(isolate(job)),
        };
        if let Err(finish) = complete(generation, claimed, outcome) {
            return finish;
        }
    }
}

/// Run hooks inside the program's async runtime (an async `main`): async hooks are awaited
/// here, so tokio types work inside them.
pub(crate) async fn run_hooks_async(generation: u64) -> Finish {
    loop {
        let mut claimed = match claim(generation) {
            Ok(c) => c,
            Err(finish) => return finish,
        };
        let outcome = match claimed.job.take() {
            Some(Job::Static(HookFn::Async(f))) => Guarded::new(claimed.index, f).await,
            job => Some(isolate(job)),
        };
        if let Err(finish) = complete(generation, claimed, outcome) {
            return finish;
        }
    }
}

fn outcome_of(result: std::thread::Result<HookResult>) -> HookOutcome {
    match result {
        Ok(Ok(())) => HookOutcome::Ok,
        Ok(Err(message)) => HookOutcome::Failed(message),
        Err(payload) => match payload.downcast::<ExitPayload>() {
            Ok(exit) => HookOutcome::Exit(exit.0),
            Err(payload) => HookOutcome::Panicked(panic_message(&*payload)),
        },
    }
}

fn in_hook_scope<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    IN_HOOK.with(|h| h.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_HOOK.with(|h| h.set(false));
    result
}

fn isolate(job: Option<Job>) -> HookOutcome {
    let shutdown = shutdown();
    outcome_of(in_hook_scope(|| match job {
        Some(Job::Static(HookFn::Sync(f))) => f(&shutdown),
        Some(Job::Closure(f)) => f(),
        Some(Job::Static(HookFn::Async(f))) => exec::block_on(f(shutdown)),
        None => Ok(()),
    }))
}

/// An async hook, isolated like a sync one (a panic in `poll` is caught) and cancellable by
/// the watcher when it overruns its timeout. Resolves to `None` when cancelled: the watcher
/// reported it.
struct Guarded {
    index: usize,
    hook: HookFuture,
}

impl Guarded {
    fn new(index: usize, f: fn(Shutdown) -> HookFuture) -> Guarded {
        Guarded {
            index,
            hook: f(shutdown()),
        }
    }
}

impl Future for Guarded {
    type Output = Option<HookOutcome>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        {
            let mut run = run();
            if let Some(c) = run.current.as_mut().filter(|c| c.index == self.index) {
                if c.cancelled {
                    return Poll::Ready(None);
                }
                c.waker = Some(cx.waker().clone());
            }
        }
        let hook = &mut self.hook;
        match in_hook_scope(|| hook.as_mut().poll(cx)) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready(Some(outcome_of(Ok(result)))),
            Err(payload) => Poll::Ready(Some(outcome_of(Err(payload)))),
        }
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

/// The watcher's check of the running hook's own timeout. A sync hook past it is left behind
/// and a fresh thread carries on; an async one is cancelled. Returns when to check again.
pub(crate) fn check_timeout(now: u64) -> Option<u64> {
    let mut run = run();
    let (index, started, deadline, is_async, cancelled) = {
        let c = run.current.as_ref()?;
        (c.index, c.started, c.deadline?, c.is_async, c.cancelled)
    };
    if now < deadline {
        return Some(deadline);
    }
    if cancelled {
        return None;
    }
    let info = run.plan[index].info.clone();
    let timed_out = Event::Hook {
        outcome: HookOutcome::TimedOut(info.timeout.unwrap_or_default(), is_async),
        took_ns: now.saturating_sub(started),
        info: info.clone(),
    };
    HOOK_FAILED.store(true, Ordering::Release);
    if is_async {
        let current = run.current.as_mut()?;
        current.cancelled = true;
        let waker = current.waker.take();
        drop(run);
        report::record_soon(timed_out);
        if let Some(w) = waker {
            w.wake();
        }
        return None;
    }
    let old = run.generation;
    run.generation += 1;
    run.current = None;
    run.left_behind.push((old, format!("hook {info}")));
    let generation = run.generation;
    drop(run);
    report::record_soon(timed_out);
    spawn(generation);
    None
}

/// The watcher's call when a write of the report is stuck: if the runner is between hooks, it
/// is the one stuck reporting the last; a fresh thread carries on with the next hook.
pub(crate) fn take_over_between_hooks() {
    let mut run = run();
    if !run.between {
        return;
    }
    run.between = false;
    run.generation += 1;
    let generation = run.generation;
    drop(run);
    spawn(generation);
}

/// Carry on with the hooks on a fresh thread, which exits the process when they are done.
pub(crate) fn spawn(generation: u64) {
    let spawned = std::thread::Builder::new()
        .name("graceful-hooks".into())
        .spawn(move || {
            // The body (or a hook left behind) may be stuck holding stderr: this thread's
            // report lines must not wait for it.
            report::write_bounded_on_this_thread();
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
