//! The runner: hooks run in their plan's order, each isolated and each bounded, on one lane
//! (sequential, the default) or on as many as there are hooks ready at once
//! (`concurrent_hooks`). The state of a run, and its lanes, are in `run.rs`.
//!
//! The first lane is the thread that claimed the cleanup (normally main's, right after the body
//! returned: no thread hop before the first hook); other lanes are threads of their own. A hook
//! past its own `timeout` cannot be stopped, so it is *left behind*: the watchdog drops its
//! lane, reports the hook as timed out and starts a fresh lane that carries on. The thread left
//! behind finds its lane gone when (if ever) its hook returns, and stops. The same happens when
//! a lane is stuck between two hooks (writing the report to a stderr nobody reads): the
//! watchdog calls that a take-over. Claiming the next hook is one uncontended lock, so
//! thousands of hooks cost little.
//!
//! An async hook past its timeout is cancelled instead: its task is woken (by the reporter:
//! wakers are user code) and drops the future, running its destructors, and the run carries on
//! on the same runtime. An async hook that blocks its thread cannot be cancelled; a moment
//! later it is left behind like a sync one.
//!
//! The final stage runs after the report has gone to its sinks (`conclude`), on the concluding
//! thread; its lines come after the report's, and it cannot change the exit.
//!
//! The watchdog's calls here (`view`, `time_out`, `take_over_between`, `still_running`) only
//! try the lock.
//!
//! Layer 3: it imports the conclusion and the body (4), the report (5), the model types (6),
//! `stopping` (7), the platform (8), the state machine (9) and the leaves.

pub(crate) mod exec;
mod run;

use std::{
    cell::Cell,
    future::Future,
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    sync::{Condvar, Mutex, MutexGuard, PoisonError, TryLockError},
    task::{Context, Poll},
};

use crate::{
    Reason, Shutdown, clock, conclude,
    conclude::park_forever,
    config,
    exit_code::Decision,
    hooks::{self, HookFn, HookFuture, HookResult, Job, SendHookFuture},
    report::{self, Event, HookOutcome},
    state::STATE,
    stopping::{forget_waker, keep_waker, request_wakes, wake_dog_by},
    sys,
    unwind::{ExitPayload, contained, drop_payload, panic_message},
};

#[cfg(test)]
pub(crate) use run::HookView;
use run::{Claimed, Overdue, Run, Unclaimed};
pub(crate) use run::{Finish, LaneView, RunnerView};

thread_local! {
    /// The hook this thread runs right now, as (lane, index) of the run.
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

/// `true` on a thread running a hook that was left behind (past its timeout, or its lane
/// taken over): nothing it does counts any more. Takes the run's lock: not for the watchdog.
pub(crate) fn in_hook_left_behind() -> bool {
    RUNNING
        .with(Cell::get)
        .is_some_and(|(lane, index)| !run().runs(lane, index))
}

/// `true` on a thread running a hook of the final stage (one that still counts): its `exit()`
/// ends that hook alone, as an `Err` would, since the report gave the exit already. Takes the
/// run's lock: not for the watchdog.
pub(crate) fn in_final_hook() -> bool {
    RUNNING.with(Cell::get).is_some_and(|(lane, index)| {
        let run = run();
        run.in_final() && run.runs(lane, index)
    })
}

static RUN: Mutex<Run> = Mutex::new(Run::new());
/// Notified when a hook ends or a lane goes: an anchor lane waiting for the others looks again.
static RUN_CHANGED: Condvar = Condvar::new();

/// Let the run's lock go after a change, waking an anchor lane that waits for one (only then:
/// a notification is a system call, and a sequential run of thousands of hooks has no waiter).
fn let_go(run: MutexGuard<'static, Run>) {
    let waiting = run.waiting > 0;
    drop(run);
    if waiting {
        RUN_CHANGED.notify_all();
    }
}

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

/// Gather the hooks. Called once, by whoever claimed the cleanup. Edges among closures that
/// admit no order are dropped, reported, and make the exit 1; the hooks run in their base
/// order.
pub(crate) fn start() {
    let arranged = hooks::plan();
    if let Some(problem) = arranged.problem {
        STATE.note_hook_failed();
        report::record(Event::PlanDropped(problem));
    }
    report::expect_hooks(arranged.planned.len());
    let concurrent = config::in_force().is_some_and(|c| c.concurrent_hooks);
    run().start(
        arranged.planned,
        arranged.graph,
        concurrent,
        clock::now_ns(),
    );
}

fn shutdown() -> Shutdown {
    Shutdown::new(STATE.reason().unwrap_or(Reason::MainReturned))
}

/// The next hook for `lane`; an anchor lane on a thread that `may_wait` waits here for the
/// other lanes (an async lane may not: it would starve its runtime).
fn claim(lane: u64, may_wait: bool) -> Result<Claimed, Finish> {
    let mut discarded = Vec::new();
    let mut run = run();
    let claimed = loop {
        match run.claim(lane, clock::now_ns(), may_wait, &mut discarded) {
            Ok(claimed) => break Ok(claimed),
            Err(Unclaimed::Finish(finish)) => break Err(finish),
            Err(Unclaimed::Wait) => {
                run.waiting += 1;
                run = RUN_CHANGED
                    .wait(run)
                    .unwrap_or_else(PoisonError::into_inner);
                run.waiting -= 1;
            }
        }
    };
    drop(run);
    dispose(discarded);
    let mut claimed = claimed?;
    for fresh in std::mem::take(&mut claimed.open) {
        spawn(fresh, None);
    }
    RUNNING.with(|r| r.set(Some((lane, claimed.index))));
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

/// Report a hook's outcome, unless this lane was left behind meanwhile. A final hook's line
/// comes after the report's, and its outcome cannot change the exit.
fn complete(lane: u64, claimed: Claimed, outcome: Option<HookOutcome>) -> Result<(), Finish> {
    RUNNING.with(|r| r.set(None));
    let now = clock::now_ns();
    let mut run = run();
    let outcome = match run.complete(lane, claimed.index, outcome, now) {
        Ok(outcome) => outcome,
        Err(finish) => {
            let_go(run);
            return Err(finish);
        }
    };
    let event = Event::Hook {
        info: claimed.info,
        took_ns: now.saturating_sub(claimed.started),
        started_ns: run::since_stop(claimed.started),
        outcome,
    };
    if run.in_final() {
        let_go(run);
        report::after_the_report(&event);
        return Ok(());
    }
    // Recorded (no I/O) before the lock is let go: a waiting anchor that finds the run over
    // decides the exit and finishes the report only with this hook's outcome in it.
    if matches!(&event, Event::Hook { outcome, .. } if outcome.is_failure()) {
        STATE.note_hook_failed();
    }
    let write = report::record_hook(event, now);
    let_go(run);
    report::write_hook(write);
    Ok(())
}

/// Run hooks on this lane until none is left, or the lane is dropped or retires. Async hooks
/// are driven by `exec::block_on`.
pub(crate) fn run_hooks(lane: u64) -> Finish {
    // Only the first lane waits for stderr before its first hook: a lane that took over found
    // it stuck, and other lanes start when the report is open.
    report::before_first_hook(lane == 0);
    let finish = loop {
        let mut claimed = match claim(lane, true) {
            Ok(c) => c,
            Err(finish) => break finish,
        };
        let outcome = match AsyncJob::take(&mut claimed.job) {
            Some(job) => drive(lane, claimed.index, job),
            None => Some(isolate(claimed.job.take())),
        };
        if let Err(finish) = complete(lane, claimed, outcome) {
            break finish;
        }
    };
    exec::shutdown();
    finish
}

/// Run hooks inside the program's async runtime (an async `main`): async hooks are awaited
/// here, so tokio types work inside them.
pub(crate) async fn run_hooks_async(lane: u64) -> Finish {
    report::before_first_hook(lane == 0);
    loop {
        let mut claimed = match claim(lane, false) {
            Ok(c) => c,
            Err(finish) => return finish,
        };
        let outcome = match AsyncJob::take(&mut claimed.job) {
            Some(job) => Guarded::new(lane, claimed.index, job).await,
            None => Some(isolate(claimed.job.take())),
        };
        if let Err(finish) = complete(lane, claimed, outcome) {
            return finish;
        }
    }
}

/// The hooks before the final stage are done: decide and finish the report (`conclude`), then
/// run the final stage here. Returns the exit the report gave; parks when the final stage
/// ended on another lane (this one's hook was left behind), which ends the process.
pub(crate) fn conclude() -> Decision {
    let (decision, lane) = open_final();
    if let Some(lane) = lane {
        if let Finish::Superseded = run_hooks(lane) {
            park_forever();
        }
    }
    decision
}

/// `conclude`, inside the program's async runtime (an async `main`): the final stage's async
/// hooks are awaited here, so they can use the runtime (its timers, the connections main
/// made). When another lane ends the final stage, this one keeps the runtime going for it.
pub(crate) async fn conclude_async() -> Decision {
    let (decision, lane) = open_final();
    if let Some(lane) = lane {
        if let Finish::Superseded = run_hooks_async(lane).await {
            std::future::pending::<()>().await;
        }
    }
    decision
}

fn open_final() -> (Decision, Option<u64>) {
    let decision = conclude::conclude();
    let lane = run().open_final(decision.clone(), clock::now_ns());
    (decision, lane)
}

/// An async hook, driven here, or on a thread of its own where this thread cannot drive it
/// (see `exec::needs_a_thread_of_its_own`).
fn drive(lane: u64, index: usize, job: AsyncJob) -> Option<HookOutcome> {
    if !exec::needs_a_thread_of_its_own() {
        return exec::block_on(Guarded::new(lane, index, job));
    }
    let on_its_own = move || {
        RUNNING.with(|r| r.set(Some((lane, index))));
        let outcome = exec::block_on(Guarded::new(lane, index, job));
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
    lane: u64,
    index: usize,
    /// `None` once it is dropped: on a cancellation, inside the hook's catch, so a `Drop` that
    /// panics or calls `exit()` costs that hook alone.
    hook: Option<HookFuture>,
    /// Its task's waker, kept for the reporter to call on a cancellation.
    waker: u64,
}

impl Guarded {
    fn new(lane: u64, index: usize, job: AsyncJob) -> Guarded {
        Guarded {
            lane,
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
            .current(self.lane, self.index)
            .is_some_and(|c| c.cancelled_at.is_some());
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

/// The watchdog's call for the hook on `lane` past its deadline: cancel it (async, first) or
/// leave it behind (`leave`: an async hook that did not go when cancelled) and carry on on a
/// fresh lane. Records the event (a final hook's is said by the fresh lane, after the report).
/// `false` when the lock is busy this moment.
pub(crate) fn time_out(now: u64, lane: u64, leave: bool, record: impl FnOnce(Event)) -> bool {
    let Some(mut run) = try_run() else {
        return false;
    };
    let overdue = run.time_out(lane, now, leave);
    let in_final = run.in_final();
    // The failure and the event are noted before the lock is let go: a waiting anchor that
    // finds the run over decides the exit with them.
    let (cancel, fresh) = match overdue {
        Some(Overdue::Cancel) => {
            STATE.note_hook_failed();
            (true, None)
        }
        Some(Overdue::LeftBehind(event, fresh)) if in_final => {
            run.owed += 1;
            (false, Some((fresh, Some(event))))
        }
        Some(Overdue::LeftBehind(event, fresh)) => {
            STATE.note_hook_failed();
            record(event);
            (false, Some((fresh, None)))
        }
        None => (false, None),
    };
    let_go(run);
    if cancel {
        request_wakes();
        report::reporter::nudge();
    }
    if let Some((fresh, first)) = fresh {
        spawn(fresh, first);
    }
    true
}

/// The watchdog's call when lanes are stuck between hooks for `patience`: fresh lanes carry
/// on. `false` when the lock is busy this moment.
pub(crate) fn take_over_between(now: u64, patience: u64) -> bool {
    let Some(mut run) = try_run() else {
        return false;
    };
    let fresh = run.take_over_between(now, patience);
    let_go(run);
    for lane in fresh {
        spawn(lane, None);
    }
    true
}

/// Run the hooks on a fresh thread, unless someone already claimed them. The watchdog's call:
/// everything that takes a lock (the plan, the registry) happens on the fresh thread.
pub(crate) fn run_elsewhere() {
    if STATE.claim_cleanup() {
        let spawned = sys::spawn(
            "graceful-hooks",
            Box::new(|| {
                start();
                lane_thread(0);
            }),
        );
        // Without a thread the hooks cannot run; the deadline still ends the process.
        drop(spawned);
    }
}

/// Start `lane` on a thread of its own (saying `first` there: a final hook left behind). In a
/// multi-thread tokio runtime the lane enters it, so async hooks there have its timers and
/// sockets. A lane that cannot have a thread is dropped: the others, or the deadline, see to
/// its share.
fn spawn(lane: u64, first: Option<Event>) {
    let owes = first.is_some();
    #[cfg(feature = "tokio")]
    let runtime = tokio::runtime::Handle::try_current()
        .ok()
        .filter(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let spawned = sys::spawn(
        "graceful-hooks",
        Box::new(move || {
            #[cfg(feature = "tokio")]
            let _entered = runtime.as_ref().map(tokio::runtime::Handle::enter);
            if let Some(event) = first {
                report::after_the_report(&event);
                let mut run = run();
                run.owed -= 1;
                let_go(run);
            }
            lane_thread(lane);
        }),
    );
    if spawned.is_err() {
        let mut run = run();
        run.unopened(lane);
        if owes {
            // Unsaid: no thread to say it.
            run.owed -= 1;
        }
        let_go(run);
    }
}

/// A lane on a thread of its own: the one that ends the run ends the process.
fn lane_thread(lane: u64) {
    if let Finish::Done = run_hooks(lane) {
        let in_final = run().in_final();
        let decision = match in_final {
            true => run().decision.clone().unwrap_or(Decision::Code(0)),
            false => conclude(),
        };
        conclude::end_process(decision);
    }
}

/// What is still running, for the deadline's report; empty when the lock is busy.
pub(crate) fn still_running() -> Vec<String> {
    try_run().map(|run| run.still_running()).unwrap_or_default()
}

/// `exit()` in a hook whose thread is already unwinding (a `Drop` run by the hook's panic):
/// it cannot unwind again, so the hook ends here, reported as calling `exit`, and a fresh
/// lane carries on. The caller parks. Nothing happens for a hook left behind (the run went on
/// without it).
pub(crate) fn end_hook_here(code: i32) {
    let now = clock::now_ns();
    let Some((lane, index)) = RUNNING.with(Cell::get) else {
        return;
    };
    let mut run = run();
    let Some((event, fresh)) = run.end_here(lane, index, HookOutcome::Exit(code), now) else {
        return;
    };
    if run.in_final() {
        run.owed += 1;
        let_go(run);
        // Said by the fresh lane, after the report, as any final hook's outcome.
        spawn(fresh, Some(event));
        return;
    }
    // Recorded before the lock is let go, as `complete` does.
    let write = report::record_hook(event, now);
    let_go(run);
    report::write_hook(write);
    spawn(fresh, None);
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
