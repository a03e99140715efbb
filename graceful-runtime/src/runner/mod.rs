//! The runner: hooks one at a time, in order, each isolated and each bounded.
//!
//! Hooks run on the thread that claimed the cleanup (normally main's, right after the body
//! returned: no thread hop before the first hook). A hook past its own `timeout` cannot be
//! stopped, so it is *left behind*: the watchdog bumps the run's generation, reports the hook
//! as timed out and starts a fresh thread that carries on from the next hook. The thread left
//! behind sees the new generation when (if ever) its hook returns, and stops. The same happens
//! when the runner is stuck between two hooks (writing the report to a stderr nobody reads):
//! the watchdog calls that a take-over. Claiming the next hook is one uncontended lock, so
//! thousands of hooks cost little.
//!
//! An async hook past its timeout is cancelled instead: its task is woken (by the reporter:
//! wakers are user code) and drops the future, running its destructors, and the run carries on
//! on the same runtime. An async hook that blocks its thread cannot be cancelled; a moment
//! later it is left behind like a sync one.
//!
//! The watchdog's calls here (`view`, `time_out`, `take_over_between`, `still_running`) only
//! try the lock.
//!
//! Layer 3: it imports the conclusion and the body (4), the report (5), the model types (6),
//! `stopping` (7), the platform (8), the state machine (9) and the leaves.

pub(crate) mod exec;

use std::{
    cell::Cell,
    future::Future,
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    sync::{Mutex, MutexGuard, PoisonError, TryLockError},
    task::{Context, Poll},
};

use crate::{
    Reason, Shutdown, clock, conclude,
    event::AfterTimeout,
    hooks::{self, HookFn, HookFuture, HookInfo, HookResult, Job, Planned, SendHookFuture},
    report::{self, Event, HookOutcome},
    state::STATE,
    stopping::{forget_waker, keep_waker, request_wakes, wake_dog_by},
    sys,
    unwind::{ExitPayload, contained, drop_payload, panic_message},
};

thread_local! {
    /// The hook this thread runs right now, as (generation, index) of the run.
    static RUNNING: Cell<Option<(u64, usize)>> = const { Cell::new(None) };
}

/// `true` on a thread that is running a hook right now.
pub(crate) fn in_hook() -> bool {
    RUNNING.with(Cell::get).is_some()
}

/// The name of the hook this thread runs, if it runs one (the run's lock only tried: for a
/// panic hook).
pub(crate) fn current_hook_name() -> Option<String> {
    let (_, index) = RUNNING.with(Cell::get)?;
    let run = try_run()?;
    run.plan.get(index).map(|p| p.info.name().to_owned())
}

/// `true` on a thread running a hook that was left behind (past its timeout, or its runner
/// taken over): nothing it does counts any more. Takes the run's lock: not for the watchdog.
pub(crate) fn in_hook_left_behind() -> bool {
    RUNNING
        .with(Cell::get)
        .is_some_and(|(generation, _)| run().generation != generation)
}

/// The hook being run.
struct Current {
    index: usize,
    started: u64,
    deadline: Option<u64>,
    is_async: bool,
    /// An async hook the watchdog cancelled, and when.
    cancelled_at: Option<u64>,
}

/// One run of the hooks.
pub(crate) struct Run {
    plan: Vec<Planned>,
    next: usize,
    /// Bumped when the hooks go on on a fresh thread; a runner of an older one stops.
    generation: u64,
    current: Option<Current>,
    /// Since when the runner is between hooks (before the first, after each), while it is.
    between_since: Option<u64>,
    /// Hooks past their timeout whose thread has not come back: (generation, description).
    left_behind: Vec<(u64, String)>,
}

static RUN: Mutex<Run> = Mutex::new(Run::new());

fn run() -> MutexGuard<'static, Run> {
    RUN.lock().unwrap_or_else(PoisonError::into_inner)
}

fn try_run() -> Option<MutexGuard<'static, Run>> {
    match RUN.try_lock() {
        Ok(run) => Some(run),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

pub(crate) enum Finish {
    /// Every hook ran: the caller concludes.
    Done,
    /// Another thread took over: the caller must not conclude.
    Superseded,
}

/// A hook this runner is about to run.
struct Claimed {
    index: usize,
    job: Option<Job>,
    info: HookInfo,
    started: u64,
}

/// What the watchdog sees of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RunnerView {
    pub(crate) between_since: Option<u64>,
    pub(crate) hook: Option<HookView>,
}

/// The hook under way, as the watchdog sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HookView {
    pub(crate) deadline: Option<u64>,
    pub(crate) is_async: bool,
    pub(crate) cancelled_at: Option<u64>,
}

/// What the watchdog's look at an overdue hook led to.
pub(crate) enum Overdue {
    /// An async hook to cancel: its task is to be woken.
    Cancel,
    /// Left behind: its event, and the generation a fresh runner carries on with.
    LeftBehind(Event, u64),
}

impl Run {
    const fn new() -> Run {
        Run {
            plan: Vec::new(),
            next: 0,
            generation: 0,
            current: None,
            between_since: None,
            left_behind: Vec::new(),
        }
    }

    fn start(&mut self, plan: Vec<Planned>, now: u64) {
        self.plan = plan;
        self.between_since = Some(now);
    }

    /// Take the next hook, unless another runner took over or none is left. Closures
    /// cancelled since the plan was made are skipped; their jobs go to `discarded`, for the
    /// caller to drop once the lock is let go (a closure's captures are user code).
    fn claim(
        &mut self,
        generation: u64,
        now: u64,
        discarded: &mut Vec<Job>,
    ) -> Result<Claimed, Finish> {
        if self.generation != generation {
            return Err(Finish::Superseded);
        }
        loop {
            if self.next == self.plan.len() {
                let mut late = hooks::take_closures();
                if late.is_empty() {
                    return Err(Finish::Done);
                }
                late.sort_by(Planned::run_order);
                self.plan.extend(late);
            }
            let planned = &mut self.plan[self.next];
            match planned.info.seq {
                Some(seq) if !hooks::start_closure(seq) => {
                    discarded.extend(planned.job.take());
                    self.next += 1;
                }
                _ => break,
            }
        }
        let index = self.next;
        self.next += 1;
        let info = self.plan[index].info.clone();
        let job = self.plan[index].job.take();
        self.current = Some(Current {
            index,
            started: now,
            deadline: info.timeout.map(|t| now.saturating_add(clock::ns(t))),
            is_async: matches!(
                job,
                Some(Job::Static(HookFn::Async(_)) | Job::AsyncClosure(_))
            ),
            cancelled_at: None,
        });
        self.between_since = None;
        Ok(Claimed {
            index,
            job,
            info,
            started: now,
        })
    }

    /// A hook ended (`None`: an async hook that went when cancelled). `Err` when this runner
    /// was left behind meanwhile. A hook the watchdog cancelled is reported as such, whatever
    /// it returned as it went.
    fn complete(
        &mut self,
        generation: u64,
        index: usize,
        outcome: Option<HookOutcome>,
        now: u64,
    ) -> Result<HookOutcome, Finish> {
        if self.generation != generation {
            self.left_behind.retain(|(g, _)| *g != generation);
            return Err(Finish::Superseded);
        }
        let cancelled = self
            .current
            .as_ref()
            .is_some_and(|c| c.index == index && c.cancelled_at.is_some());
        self.current = None;
        self.between_since = Some(now);
        Ok(match outcome {
            Some(outcome) if !cancelled => outcome,
            _ => HookOutcome::TimedOut {
                after: self.plan[index].info.timeout.unwrap_or_default(),
                then: AfterTimeout::Cancelled,
            },
        })
    }

    fn view(&self) -> RunnerView {
        RunnerView {
            between_since: self.between_since,
            hook: self.current.as_ref().map(|c| HookView {
                deadline: c.deadline,
                is_async: c.is_async,
                cancelled_at: c.cancelled_at,
            }),
        }
    }

    /// The hook under way is past its deadline: cancel it (async, first time) or leave it
    /// behind.
    fn time_out(&mut self, now: u64, leave: bool) -> Option<Overdue> {
        let c = self.current.as_mut()?;
        if c.deadline.is_none_or(|d| now < d) {
            return None;
        }
        let info = self.plan[c.index].info.clone();
        let timed_out = |then| Event::Hook {
            outcome: HookOutcome::TimedOut {
                after: info.timeout.unwrap_or_default(),
                then,
            },
            took_ns: now.saturating_sub(c.started),
            info: info.clone(),
        };
        if c.is_async && !leave {
            if c.cancelled_at.is_some() {
                return None;
            }
            // Reported when it goes (by the runner), or when it does not (left behind).
            c.cancelled_at = Some(now);
            return Some(Overdue::Cancel);
        }
        let event = timed_out(AfterTimeout::LeftRunning);
        let old = self.generation;
        self.generation += 1;
        self.current = None;
        self.between_since = Some(now);
        self.left_behind.push((old, format!("hook {info}")));
        Some(Overdue::LeftBehind(event, self.generation))
    }

    /// The runner is stuck between hooks: a fresh runner carries on, with the generation
    /// returned.
    fn take_over_between(&mut self, now: u64, patience: u64) -> Option<u64> {
        let since = self.between_since?;
        if now.saturating_sub(since) < patience {
            return None;
        }
        self.generation += 1;
        self.between_since = Some(now);
        Some(self.generation)
    }

    fn still_running(&self) -> Vec<String> {
        let mut names: Vec<String> = self.left_behind.iter().map(|(_, n)| n.clone()).collect();
        if let Some(c) = &self.current {
            names.insert(0, format!("hook {}", self.plan[c.index].info));
        }
        names
    }
}

/// Gather the hooks. Called once, by whoever claimed the cleanup.
pub(crate) fn start() {
    let plan = hooks::plan();
    report::expect_hooks(plan.len());
    run().start(plan, clock::now_ns());
}

fn shutdown() -> Shutdown {
    Shutdown::new(STATE.reason().unwrap_or(Reason::MainReturned))
}

fn claim(generation: u64) -> Result<Claimed, Finish> {
    let mut discarded = Vec::new();
    let claimed = run().claim(generation, clock::now_ns(), &mut discarded);
    dispose(discarded);
    let claimed = claimed?;
    RUNNING.with(|r| r.set(Some((generation, claimed.index))));
    if let Some(t) = claimed.info.timeout {
        // The watchdog times this hook.
        wake_dog_by(claimed.started.saturating_add(clock::ns(t)));
    }
    Ok(claimed)
}

/// Drop closures cancelled during the stop: their captures' `Drop`s are user code, which may
/// panic, call `exit()` or block, so they run on a thread of their own, contained, and cost no
/// hook: the runner waits for it at most `DISPOSE_WAIT` (so that a quick `Drop`'s `exit()`
/// counts before the next hook), then goes on. Here, only where no thread can be had.
fn dispose(jobs: Vec<Job>) {
    const DISPOSE_WAIT: std::time::Duration = std::time::Duration::from_millis(100);
    if jobs.is_empty() {
        return;
    }
    // Shared, so that a thread that cannot be spawned leaves the jobs here (a failed spawn
    // drops its closure on this thread, uncontained).
    let jobs = std::sync::Arc::new(Mutex::new(Some(jobs)));
    let take =
        |jobs: &Mutex<Option<Vec<Job>>>| jobs.lock().unwrap_or_else(PoisonError::into_inner).take();
    let theirs = jobs.clone();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (flag, runner) = (done.clone(), std::thread::current());
    let spawned = sys::spawn(
        "graceful-drop",
        Box::new(move || {
            contained(|| drop(take(&theirs)));
            flag.store(true, std::sync::atomic::Ordering::Release);
            runner.unpark();
        }),
    );
    if spawned.is_err() {
        contained(|| drop(take(&jobs)));
        return;
    }
    let until = clock::now_ns().saturating_add(clock::ns(DISPOSE_WAIT));
    while !done.load(std::sync::atomic::Ordering::Acquire) {
        match until.checked_sub(clock::now_ns()) {
            Some(left) if left > 0 => {
                std::thread::park_timeout(std::time::Duration::from_nanos(left))
            }
            _ => break,
        }
    }
}

/// Report a hook's outcome, unless this runner was left behind meanwhile.
fn complete(generation: u64, claimed: Claimed, outcome: Option<HookOutcome>) -> Result<(), Finish> {
    RUNNING.with(|r| r.set(None));
    let now = clock::now_ns();
    let outcome = run().complete(generation, claimed.index, outcome, now)?;
    if outcome.is_failure() {
        STATE.note_hook_failed();
    }
    report::hook_ended(
        Event::Hook {
            info: claimed.info,
            outcome,
            took_ns: now.saturating_sub(claimed.started),
        },
        now,
    );
    Ok(())
}

/// Run hooks on this thread until none is left or another thread takes over. Async hooks are
/// driven by `exec::block_on`.
pub(crate) fn run_hooks(generation: u64) -> Finish {
    // A runner that took over (a later generation) found stderr stuck: it does not wait on it.
    report::before_first_hook(generation == 0);
    let finish = loop {
        let mut claimed = match claim(generation) {
            Ok(c) => c,
            Err(finish) => break finish,
        };
        let outcome = match AsyncJob::take(&mut claimed.job) {
            Some(job) => drive(generation, claimed.index, job),
            None => Some(isolate(claimed.job.take())),
        };
        if let Err(finish) = complete(generation, claimed, outcome) {
            break finish;
        }
    };
    exec::shutdown();
    finish
}

/// Run hooks inside the program's async runtime (an async `main`): async hooks are awaited
/// here, so tokio types work inside them.
pub(crate) async fn run_hooks_async(generation: u64) -> Finish {
    // A runner that took over (a later generation) found stderr stuck: it does not wait on it.
    report::before_first_hook(generation == 0);
    loop {
        let mut claimed = match claim(generation) {
            Ok(c) => c,
            Err(finish) => return finish,
        };
        let outcome = match AsyncJob::take(&mut claimed.job) {
            Some(job) => Guarded::new(claimed.index, job).await,
            None => Some(isolate(claimed.job.take())),
        };
        if let Err(finish) = complete(generation, claimed, outcome) {
            return finish;
        }
    }
}

/// An async hook, driven here, or on a thread of its own where this thread cannot drive it
/// (see `exec::needs_a_thread_of_its_own`).
fn drive(generation: u64, index: usize, job: AsyncJob) -> Option<HookOutcome> {
    if !exec::needs_a_thread_of_its_own() {
        return exec::block_on(Guarded::new(index, job));
    }
    let on_its_own = move || {
        RUNNING.with(|r| r.set(Some((generation, index))));
        let outcome = exec::block_on(Guarded::new(index, job));
        exec::shutdown();
        outcome
    };
    std::thread::scope(|s| s.spawn(on_its_own).join()).unwrap_or_else(|payload| {
        drop_payload(payload);
        Some(HookOutcome::Panicked(
            "the hook's thread panicked".to_owned(),
        ))
    })
}

fn outcome_of(result: std::thread::Result<HookResult>) -> HookOutcome {
    match result {
        Ok(Ok(())) => HookOutcome::Ok,
        Ok(Err(message)) => HookOutcome::Failed(message),
        Err(payload) => match payload.downcast::<ExitPayload>() {
            Ok(exit) => HookOutcome::Exit(exit.0),
            Err(payload) => {
                let message = panic_message(&*payload);
                drop_payload(payload);
                HookOutcome::Panicked(with_a_runtime_hint(message))
            }
        },
    }
}

/// tokio's panic for an async hook that uses tokio (a timer, a socket) where no tokio runtime
/// runs, with what to do about it: a sync `main` without graceful's `tokio` feature awaits async
/// hooks on a plain executor.
pub(crate) fn with_a_runtime_hint(message: String) -> String {
    let tokio_missing = message.contains("there is no reactor running")
        || message.contains("must be called from the context of a Tokio");
    if tokio_missing && cfg!(not(feature = "tokio")) {
        return format!(
            "{message} (this async hook uses tokio, and no tokio runtime runs it: enable \
             graceful's `tokio` feature, or make main async under #[tokio::main])"
        );
    }
    message
}

fn in_hook_scope<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    catch_unwind(AssertUnwindSafe(f))
}

fn isolate(job: Option<Job>) -> HookOutcome {
    let shutdown = shutdown();
    outcome_of(in_hook_scope(|| match job {
        Some(Job::Static(HookFn::Sync(f))) => f(&shutdown),
        Some(Job::Closure(f)) => f(),
        Some(Job::Static(HookFn::Async(f))) => exec::block_on(f(shutdown)),
        Some(Job::AsyncClosure(f)) => exec::block_on(f),
        None => Ok(()),
    }))
}

/// An async hook's job: a static `async fn`, whose future is made where it is driven, or an
/// async closure's future, made at registration. Either crosses to a thread of its own.
enum AsyncJob {
    Static(fn(Shutdown) -> HookFuture),
    Closure(SendHookFuture),
}

impl AsyncJob {
    /// Take `job` out if it is async.
    fn take(job: &mut Option<Job>) -> Option<AsyncJob> {
        match job.take() {
            Some(Job::Static(HookFn::Async(f))) => Some(AsyncJob::Static(f)),
            Some(Job::AsyncClosure(f)) => Some(AsyncJob::Closure(f)),
            other => {
                *job = other;
                None
            }
        }
    }

    fn start(self) -> HookFuture {
        match self {
            AsyncJob::Static(f) => f(shutdown()),
            AsyncJob::Closure(f) => f,
        }
    }
}

/// An async hook, isolated like a sync one (a panic in `poll` is caught) and cancellable by
/// the watchdog when it overruns its timeout. Resolves to `None` when cancelled: the watchdog
/// reported it.
struct Guarded {
    index: usize,
    /// `None` once it is dropped: on a cancellation, inside the hook's catch, so a `Drop` that
    /// panics or calls `exit()` costs that hook alone.
    hook: Option<HookFuture>,
    /// Its task's waker, kept for the reporter to call on a cancellation.
    waker: u64,
}

impl Guarded {
    fn new(index: usize, job: AsyncJob) -> Guarded {
        Guarded {
            index,
            hook: Some(job.start()),
            waker: 0,
        }
    }
}

impl Future for Guarded {
    type Output = Option<HookOutcome>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let cancelled = run()
            .current
            .as_ref()
            .is_some_and(|c| c.index == self.index && c.cancelled_at.is_some());
        if cancelled {
            // Reported as timed out by the watchdog: what its `Drop`s do changes nothing more
            // (an `exit(code)` there has already asked for its code).
            let hook = self.hook.take();
            if let Err(payload) = in_hook_scope(|| drop(hook)) {
                drop_payload(payload);
            }
            return Poll::Ready(None);
        }
        keep_waker(&mut self.waker, cx.waker());
        let Some(hook) = self.hook.as_mut() else {
            return Poll::Ready(None);
        };
        match in_hook_scope(|| hook.as_mut().poll(cx)) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready(Some(outcome_of(Ok(result)))),
            Err(payload) => Poll::Ready(Some(outcome_of(Err(payload)))),
        }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        forget_waker(self.waker);
        // Dropped before it finished (its runtime shut down, say): its `Drop`s are user code.
        let hook = self.hook.take();
        if let Err(payload) = in_hook_scope(|| drop(hook)) {
            drop_payload(payload);
        }
    }
}

/// What the watchdog sees; `None` when the lock is busy this moment.
pub(crate) fn view() -> Option<RunnerView> {
    try_run().map(|run| run.view())
}

/// The watchdog's call for a hook past its deadline: cancel it (async, first) or leave it
/// behind (`leave`: an async hook that did not go when cancelled) and carry on elsewhere.
/// Records the event. `false` when the lock is busy this moment.
pub(crate) fn time_out(now: u64, leave: bool, record: impl FnOnce(Event)) -> bool {
    let Some(mut run) = try_run() else {
        return false;
    };
    let overdue = run.time_out(now, leave);
    drop(run);
    match overdue {
        Some(Overdue::Cancel) => {
            STATE.note_hook_failed();
            request_wakes();
            report::reporter::nudge();
        }
        Some(Overdue::LeftBehind(event, generation)) => {
            STATE.note_hook_failed();
            record(event);
            spawn(Some(generation));
        }
        None => {}
    }
    true
}

/// The watchdog's call when the runner is stuck between hooks for `patience`: a fresh runner
/// carries on. `false` when the lock is busy this moment.
pub(crate) fn take_over_between(now: u64, patience: u64) -> bool {
    let Some(mut run) = try_run() else {
        return false;
    };
    let taken = run.take_over_between(now, patience);
    drop(run);
    if let Some(generation) = taken {
        spawn(Some(generation));
    }
    true
}

/// Run the hooks on a fresh thread, unless someone already claimed them. The watchdog's call:
/// everything that takes a lock (the plan, the registry) happens on the fresh thread.
pub(crate) fn run_elsewhere() {
    if STATE.claim_cleanup() {
        spawn(None);
    }
}

/// Carry on with the hooks on a fresh thread (`Some(generation)`), or start them there
/// (`None`); it ends the process when they are done.
fn spawn(generation: Option<u64>) {
    let spawned = sys::spawn(
        "graceful-hooks",
        Box::new(move || {
            let generation = generation.unwrap_or_else(|| {
                start();
                0
            });
            if let Finish::Done = run_hooks(generation) {
                conclude::end_process(conclude::conclude());
            }
        }),
    );
    // Without a thread the remaining hooks cannot run; the deadline still ends the process.
    drop(spawned);
}

/// What is still running, for the deadline's report; empty when the lock is busy.
pub(crate) fn still_running() -> Vec<String> {
    try_run().map(|run| run.still_running()).unwrap_or_default()
}

/// `exit()` in a hook whose thread is already unwinding (a `Drop` run by the hook's panic):
/// it cannot unwind again, so the hook ends here, reported as calling `exit`, and a fresh
/// runner carries on. The caller parks. Nothing happens for a hook left behind (the run went
/// on without it).
pub(crate) fn end_hook_here(code: i32) {
    let now = clock::now_ns();
    let Some((mine, index)) = RUNNING.with(Cell::get) else {
        return;
    };
    let mut run = run();
    if run.generation != mine || run.current.as_ref().is_none_or(|c| c.index != index) {
        return;
    }
    let Some(c) = run.current.take() else {
        return;
    };
    let info = run.plan[c.index].info.clone();
    run.generation += 1;
    run.between_since = Some(now);
    let generation = run.generation;
    drop(run);
    report::hook_ended(
        Event::Hook {
            info,
            outcome: HookOutcome::Exit(code),
            took_ns: now.saturating_sub(c.started),
        },
        now,
    );
    spawn(Some(generation));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{borrow::Cow, time::Duration};

    fn planned(name: &'static str, timeout: Option<Duration>) -> Planned {
        Planned {
            info: HookInfo {
                name: Cow::Borrowed(name),
                order: 0,
                timeout,
                module: Some("m"),
                file: "f.rs",
                line: 1,
                seq: None,
            },
            job: None,
        }
    }

    fn run_of(hooks: Vec<Planned>) -> Run {
        let mut run = Run::new();
        run.start(hooks, 0);
        run
    }

    #[test]
    fn tokio_s_missing_runtime_panic_says_what_to_do_without_the_feature() {
        let tokio = "there is no reactor running, must be called from the context of a Tokio \
                     1.x runtime";
        let said = with_a_runtime_hint(tokio.to_owned());
        assert_eq!(
            said.contains("enable graceful's `tokio` feature"),
            cfg!(not(feature = "tokio"))
        );
        assert_eq!(with_a_runtime_hint("boom".into()), "boom");
    }

    fn claim(run: &mut Run, generation: u64, now: u64) -> Result<Claimed, Finish> {
        run.claim(generation, now, &mut Vec::new())
    }

    #[test]
    fn hooks_are_claimed_in_order_once() {
        let mut run = run_of(vec![planned("a", None), planned("b", None)]);
        assert_eq!(run.view().between_since, Some(0));
        let a = claim(&mut run, 0, 10).ok().unwrap();
        assert_eq!(a.info.name(), "a");
        assert!(run.view().hook.is_some() && run.view().between_since.is_none());
        assert_eq!(
            run.complete(0, a.index, Some(HookOutcome::Ok), 20).ok(),
            Some(HookOutcome::Ok)
        );
        assert_eq!(run.view().between_since, Some(20));
        let b = claim(&mut run, 0, 30).ok().unwrap();
        assert_eq!(b.info.name(), "b");
    }

    #[test]
    fn a_sync_hook_past_its_timeout_is_left_behind_and_its_runner_superseded() {
        let mut run = run_of(vec![
            planned("slow", Some(Duration::from_nanos(100))),
            planned("next", None),
        ]);
        let slow = claim(&mut run, 0, 0).ok().unwrap();
        assert!(run.time_out(50, false).is_none(), "not yet due");
        let Some(Overdue::LeftBehind(Event::Hook { outcome, .. }, generation)) =
            run.time_out(100, false)
        else {
            panic!("not left behind");
        };
        assert_eq!(generation, 1);
        assert!(matches!(
            outcome,
            HookOutcome::TimedOut {
                then: AfterTimeout::LeftRunning,
                ..
            }
        ));
        assert_eq!(run.still_running(), ["hook \"slow\" (order 0, f.rs:1)"]);
        // The fresh runner takes the next hook; the old one, when its hook returns, stops.
        assert_eq!(claim(&mut run, 1, 110).ok().unwrap().info.name(), "next");
        assert!(matches!(
            run.complete(0, slow.index, Some(HookOutcome::Ok), 500),
            Err(Finish::Superseded)
        ));
        assert!(run.still_running().iter().all(|n| !n.contains("slow")));
    }

    #[test]
    fn an_async_hook_is_cancelled_first_then_left_behind_if_it_does_not_go() {
        let mut run = run_of(vec![planned("a", Some(Duration::from_nanos(100)))]);
        let a = claim(&mut run, 0, 0).ok().unwrap();
        run.current.as_mut().unwrap().is_async = true;
        assert!(matches!(run.time_out(100, false), Some(Overdue::Cancel)));
        assert!(run.time_out(150, false).is_none(), "cancelled once");
        // Its thread is blocked: left behind, and reported as left running.
        let Some(Overdue::LeftBehind(Event::Hook { outcome, .. }, 1)) = run.time_out(400, true)
        else {
            panic!("not left behind");
        };
        assert!(matches!(
            outcome,
            HookOutcome::TimedOut {
                then: AfterTimeout::LeftRunning,
                ..
            }
        ));
        assert!(run.complete(0, a.index, None, 500).is_err());
    }

    #[test]
    fn a_cancelled_hook_that_goes_is_reported_as_cancelled_whatever_it_returned() {
        let mut run = run_of(vec![planned("a", Some(Duration::from_nanos(100)))]);
        let a = claim(&mut run, 0, 0).ok().unwrap();
        run.current.as_mut().unwrap().is_async = true;
        run.time_out(100, false);
        assert!(matches!(
            run.complete(0, a.index, Some(HookOutcome::Ok), 120),
            Ok(HookOutcome::TimedOut {
                then: AfterTimeout::Cancelled,
                ..
            })
        ));
    }

    #[test]
    fn a_runner_stuck_between_hooks_is_taken_over_after_its_patience() {
        let mut run = run_of(vec![planned("a", None)]);
        assert_eq!(run.take_over_between(100, 500), None);
        assert_eq!(run.take_over_between(600, 500), Some(1));
        assert!(matches!(claim(&mut run, 0, 700), Err(Finish::Superseded)));
        assert!(claim(&mut run, 1, 700).is_ok());
        assert_eq!(run.take_over_between(5_000, 500), None, "not between hooks");
    }
}
