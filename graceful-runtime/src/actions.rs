//! Signals that mean something else: actions for `SIGHUP`, `SIGUSR1` and `SIGUSR2` (reload the
//! configuration, reopen the logs), run while the program runs.
//!
//! - Actions run on a thread of their own, the actions' thread, one at a time, in the order they
//!   were registered: never on the watchdog, never concurrently with themselves.
//! - The handler only raises the signal's flag and wakes that thread. A signal that arrives
//!   while its actions run raises the flag again, and they run once more when they are done: a
//!   burst of signals is one more run, not one per signal.
//! - None starts once Stopping has begun. One still running then holds the stop, as a
//!   [`hold`](crate::hold) does: the hooks wait for it, up to `body_timeout`.
//! - Each run is isolated: a panic or an `Err` is reported and the program keeps running
//!   (under `panic = "abort"` a panic ends the process, as everywhere, with a line saying so).
//! - With the `systemd` feature, `SIGHUP`'s actions are a reload: `RELOADING=1` with
//!   `MONOTONIC_USEC=` before them, `READY=1` after, and `STATUS=` naming a failure.
//!
//! Layer 2: it imports the runner's executor, the report, the model types, the holds, the
//! words, the intake, the platform, the state and the leaves.

use std::{
    borrow::Cow,
    fmt,
    future::Future,
    io,
    panic::{AssertUnwindSafe, Location, catch_unwind},
    sync::{
        Arc, Mutex, MutexGuard, OnceLock, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
};

use crate::{
    HookReturn, Signal, clock,
    event::{Event, HookOutcome},
    holds::{self, TaskKind},
    hooks::{HookFuture, HookResult},
    intake, report,
    runner::{exec, with_a_runtime_hint},
    state::STATE,
    stopping::{ACTION_DUE, ACTIONS},
    sys,
    unwind::{ExitPayload, drop_payload, panic_message},
};

/// What an action runs each time: a closure, or a closure that makes a future.
enum Job {
    Sync(Box<dyn FnMut() -> HookResult + Send>),
    Async(Box<dyn FnMut() -> HookFuture + Send>),
}

/// What [`on_signal`] accepts: a closure returning `()` or `Result<(), E: Display>`, or a
/// closure returning a future with such an output (`|| async { .. }`). It runs each time the
/// signal arrives, so it is `FnMut`, and `Send + 'static`: it runs on the actions' thread.
///
/// The `Marker` tells the two apart; it is inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a signal's action",
    label = "a closure returning () or Result<(), E: Display>, or a future with that output",
    note = "an action runs each time its signal arrives: a `FnMut` closure, Send + 'static; an \
            async one is written `|| async {{ .. }}`"
)]
pub trait IntoAction<Marker> {
    /// Not public API.
    #[doc(hidden)]
    fn into_action(self) -> ActionJob;
}

/// A registered action's job. Not public API.
#[doc(hidden)]
pub struct ActionJob(Job);

/// Markers for [`IntoAction`]. Not public API.
#[doc(hidden)]
pub mod marker {
    /// A closure.
    pub struct Closure<R>(std::marker::PhantomData<R>);
    /// A closure returning a future.
    pub struct AsyncClosure<F>(std::marker::PhantomData<F>);
}

impl<F, R> IntoAction<marker::Closure<R>> for F
where
    F: FnMut() -> R + Send + 'static,
    R: HookReturn,
{
    fn into_action(mut self) -> ActionJob {
        ActionJob(Job::Sync(Box::new(move || self().into_hook_result())))
    }
}

impl<F, Fut> IntoAction<marker::AsyncClosure<Fut>> for F
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future + 'static,
    Fut::Output: HookReturn,
{
    fn into_action(mut self) -> ActionJob {
        ActionJob(Job::Async(Box::new(move || {
            let fut = self();
            Box::pin(async move { fut.await.into_hook_result() })
        })))
    }
}

/// How an action written with `#[graceful::on_signal]` runs. Not public API.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum ActionFn {
    /// A plain `fn`.
    Sync(fn() -> HookResult),
    /// An `async fn`, driven on the actions' thread.
    Async(fn() -> HookFuture),
}

/// One `#[graceful::on_signal]`, as its expansion describes it. Not public API.
#[doc(hidden)]
pub struct StaticAction {
    signal: Signal,
    name: &'static str,
    at: &'static Location<'static>,
    run: ActionFn,
}

impl StaticAction {
    /// Not public API: used by generated code.
    pub const fn new(
        signal: Signal,
        name: &'static str,
        at: &'static Location<'static>,
        run: ActionFn,
    ) -> StaticAction {
        StaticAction {
            signal,
            name,
            at,
            run,
        }
    }
}

/// Every `#[graceful::on_signal]` in the binary, gathered at link time. Not public API.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static SIGNAL_ACTIONS: [StaticAction];

/// Why [`on_signal`] refused an action.
#[derive(Debug)]
#[non_exhaustive]
pub enum ActionError {
    /// Only `SIGHUP`, `SIGUSR1` and `SIGUSR2` take actions; `SIGTERM`, `SIGINT` and `SIGQUIT`
    /// stop the program.
    NotAnActionSignal(Signal),
    /// The signal is one of the stop signals graceful was installed with.
    StopSignal(Signal),
    /// Stopping has begun: no action starts now.
    Stopping,
    /// The operating system refused the signal handler or the actions' thread.
    Os(io::Error),
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionError::NotAnActionSignal(s) => write!(
                f,
                "{s} cannot take an action: only SIGHUP, SIGUSR1 and SIGUSR2 can (SIGTERM, \
                 SIGINT and SIGQUIT stop the program)"
            ),
            ActionError::StopSignal(s) => write!(
                f,
                "{s} is one of graceful's stop signals here (signals = [..]): a signal means \
                 one thing; take it out of signals, or give the action another signal"
            ),
            ActionError::Stopping => f.write_str("stopping has begun: no action starts now"),
            ActionError::Os(e) => write!(f, "could not set up the action's signal: {e}"),
        }
    }
}

impl std::error::Error for ActionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ActionError::Os(e) => Some(e),
            _ => None,
        }
    }
}

/// One registered action.
struct Action {
    signal: Signal,
    name: Cow<'static, str>,
    at: &'static Location<'static>,
    job: Mutex<Job>,
}

/// The actions, in registration order, and the stop signals once graceful is installed: one
/// lock, so an action and the installation cannot miss each other's signal.
struct Registry {
    actions: Vec<Arc<Action>>,
    stop_signals: Option<Vec<Signal>>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    actions: Vec::new(),
    stop_signals: None,
});

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Run `action` each time `signal` arrives while the program runs: reload the configuration on
/// `SIGHUP`, reopen the log files on `SIGUSR1`. See the module's docs for what is guaranteed:
/// its own thread, one run at a time, repeats coalesced, none once Stopping has begun.
///
/// The action returns `()` or `Result<(), E: Display>` (an `Err` or a panic is reported, and
/// the program keeps running), or is `|| async { .. }` (run on the actions' thread, with a
/// current-thread tokio runtime under the `tokio` feature).
///
/// # Errors
/// [`ActionError`]: a signal that cannot take an action, one of the stop signals graceful was
/// installed with (installing graceful later with such a signal in `signals` exits 78), a stop
/// already under way, or the OS refusing the handler.
///
/// ```
/// # use graceful_runtime as graceful;
/// use std::sync::{Arc, RwLock};
///
/// let settings = Arc::new(RwLock::new(std::fs::read_to_string("Cargo.toml")?));
/// let reloaded = settings.clone();
/// graceful::on_signal(graceful::Signal::SIGHUP, "reload settings", move || {
///     let fresh = std::fs::read_to_string("Cargo.toml")?;
///     *reloaded.write().unwrap() = fresh;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[track_caller]
pub fn on_signal<M>(
    signal: Signal,
    name: impl Into<Cow<'static, str>>,
    action: impl IntoAction<M>,
) -> Result<(), ActionError> {
    register(
        signal,
        name.into(),
        Location::caller(),
        action.into_action().0,
    )
}

/// At installation: the actions of `#[graceful::on_signal]`, registered in link order, each as
/// [`on_signal`] would; the first one refused is the start-up error.
pub(crate) fn register_static() -> Result<(), crate::ConfigError> {
    for a in SIGNAL_ACTIONS.iter() {
        let job = match a.run {
            ActionFn::Sync(f) => Job::Sync(Box::new(f)),
            ActionFn::Async(f) => Job::Async(Box::new(f)),
        };
        register(a.signal, a.name.into(), a.at, job).map_err(|e| match e {
            ActionError::Os(e) => crate::ConfigError::Os(e),
            _ => unreachable_refusal(a),
        })?;
    }
    Ok(())
}

/// The macro admits only SIGHUP, SIGUSR1 and SIGUSR2, the stop signals are not claimed yet at
/// this point, and Stopping cannot have begun before the body: an OS error is the only refusal.
fn unreachable_refusal(a: &StaticAction) -> crate::ConfigError {
    crate::ConfigError::Os(io::Error::other(format!(
        "the action {:?} for {} was refused",
        a.name, a.signal
    )))
}

/// Register one action (a closure's, or an attribute's).
fn register(
    signal: Signal,
    name: Cow<'static, str>,
    at: &'static Location<'static>,
    job: Job,
) -> Result<(), ActionError> {
    if !Signal::ACTIONS.contains(&signal) {
        return Err(ActionError::NotAnActionSignal(signal));
    }
    if STATE.stopping() {
        return Err(ActionError::Stopping);
    }
    // One lock for the look at the stop signals, the handler and the push: the installation
    // looks at the actions under it too.
    let mut registry = registry();
    if registry
        .stop_signals
        .as_ref()
        .is_some_and(|stop| stop.contains(&signal))
    {
        return Err(ActionError::StopSignal(signal));
    }
    arm(signal).map_err(ActionError::Os)?;
    registry.actions.push(Arc::new(Action {
        signal,
        name,
        at,
        job: Mutex::new(job),
    }));
    Ok(())
}

/// At installation: note the stop signals, and refuse one that an action already took (the
/// first such action is named).
pub(crate) fn claim_stop_signals(signals: &[Signal]) -> Result<(), crate::ConfigError> {
    let mut registry = registry();
    if let Some(taken) = registry
        .actions
        .iter()
        .find(|a| signals.contains(&a.signal))
    {
        return Err(crate::ConfigError::ActionOnStopSignal {
            signal: taken.signal,
            action: taken.name.to_string(),
        });
    }
    registry.stop_signals = Some(signals.to_vec());
    Ok(())
}

/// The handler for `signal` and the actions' thread, the first time each is needed; under the
/// registry's lock.
fn arm(signal: Signal) -> io::Result<()> {
    static THREAD: OnceLock<Result<(), io::ErrorKind>> = OnceLock::new();
    static ARMED: [AtomicBool; 3] = [const { AtomicBool::new(false) }; 3];
    THREAD
        .get_or_init(|| {
            ACTIONS.init().map_err(|e| e.kind())?;
            std::thread::Builder::new()
                .name("graceful-actions".into())
                .spawn(serve)
                .map(drop)
                .map_err(|e| e.kind())
        })
        .map_err(io::Error::from)?;
    let i = index(signal);
    if !ARMED[i].load(Ordering::Acquire) {
        sys::register(&[signal], intake::action_due)?;
        ARMED[i].store(true, Ordering::Release);
    }
    Ok(())
}

/// The signal's place in [`Signal::ACTIONS`] (and in `ACTION_DUE`).
fn index(signal: Signal) -> usize {
    Signal::ACTIONS
        .iter()
        .position(|s| *s == signal)
        .unwrap_or(0)
}

/// The actions' thread: wait for a flag, lower it, run that signal's actions; for ever.
fn serve() {
    loop {
        let seen = ACTIONS.seq();
        let mut ran = false;
        for (i, signal) in Signal::ACTIONS.into_iter().enumerate() {
            if ACTION_DUE[i].swap(false, Ordering::AcqRel) {
                run_all(signal);
                ran = true;
            }
        }
        if !ran {
            ACTIONS.wait(seen, None);
        }
    }
}

/// Run `signal`'s actions, in order, unless Stopping has begun.
fn run_all(signal: Signal) {
    let actions: Vec<Arc<Action>> = registry()
        .actions
        .iter()
        .filter(|a| a.signal == signal)
        .cloned()
        .collect();
    if actions.is_empty() || STATE.stopping() {
        return;
    }
    let reload = signal == Signal::SIGHUP;
    if reload {
        notify::reloading();
    }
    let mut failed = None;
    for action in &actions {
        // The hold first, then the look: a stop that begins in between waits for this run.
        let Ok(hold) = holds::take(TaskKind::Action, action.name.clone(), action.at) else {
            break;
        };
        if STATE.stopping() {
            break;
        }
        RUNNING.with(|r| *r.borrow_mut() = Some((action.name.clone(), hold)));
        let t0 = clock::now_ns();
        let outcome = run_one(action);
        let took_ns = clock::now_ns().saturating_sub(t0);
        // The run is over: the stop need not wait for its report line (stderr may be full).
        drop(RUNNING.with(|r| r.borrow_mut().take()));
        if failed.is_none()
            && let HookOutcome::Failed(m) | HookOutcome::Panicked(m) = &outcome
        {
            failed = Some(format!("{}: {m}", action.name));
        }
        report::at_once(Event::Action {
            signal,
            name: action.name.clone(),
            at: action.at,
            outcome,
            took_ns,
        });
    }
    if reload {
        notify::reloaded(failed.as_deref());
    }
}

thread_local! {
    /// The action this thread runs, with its hold: for `exit()` under `panic = "abort"`, which
    /// parks the thread, and for the panic hook there.
    static RUNNING: std::cell::RefCell<Option<(Cow<'static, str>, holds::Hold)>> =
        const { std::cell::RefCell::new(None) };
}

/// The name of the action this thread runs, if it runs one.
pub(crate) fn current_action_name() -> Option<String> {
    RUNNING
        .try_with(|r| r.borrow().as_ref().map(|(name, _)| name.to_string()))
        .ok()
        .flatten()
}

/// `exit()` parks this thread for good (under `panic = "abort"`): the action's run is over,
/// and its hold goes.
pub(crate) fn parked_by_exit() {
    if let Ok(Some((_, hold))) = RUNNING.try_with(|r| r.borrow_mut().take()) {
        drop(hold);
    }
}

/// One run, isolated: its `Err`, its panic, its `exit()`.
fn run_one(action: &Action) -> HookOutcome {
    let mut job = action.job.lock().unwrap_or_else(PoisonError::into_inner);
    let ran = catch_unwind(AssertUnwindSafe(|| match &mut *job {
        Job::Sync(f) => f(),
        Job::Async(f) => exec::block_on(f()),
    }));
    drop(job);
    match ran {
        Ok(Ok(())) => HookOutcome::Ok,
        Ok(Err(e)) => HookOutcome::Failed(e),
        Err(payload) => {
            let outcome = match payload.downcast_ref::<ExitPayload>() {
                // `exit(code)`: Stopping has begun with that code; the run is over.
                Some(ExitPayload(code)) => HookOutcome::Exit(*code),
                None => HookOutcome::Panicked(with_a_runtime_hint(panic_message(&*payload))),
            };
            drop_payload(payload);
            outcome
        }
    }
}

/// systemd's reload protocol, with the `systemd` feature; nothing without it.
mod notify {
    /// `RELOADING=1` with the monotonic time (in µs), as `sd_notify(3)` asks.
    pub(super) fn reloading() {
        #[cfg(all(unix, feature = "systemd"))]
        crate::systemd::reloading(crate::clock::now_ns() / 1_000);
    }

    /// `READY=1` after the reload, with `STATUS=` naming a failure (still `READY=1`: the
    /// service runs on, with its old configuration), and clearing it at the next success. Not
    /// once the stop has begun: systemd has heard `STOPPING=1`.
    #[cfg_attr(not(all(unix, feature = "systemd")), allow(unused_variables))]
    pub(super) fn reloaded(failed: Option<&str>) {
        #[cfg(all(unix, feature = "systemd"))]
        if !crate::state::STATE.stopping() {
            crate::systemd::reloaded(failed);
        }
    }
}
