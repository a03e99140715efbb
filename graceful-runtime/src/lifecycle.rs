//! The sequence around `main`: start (configuration, handlers, watcher), the body, the
//! cleanup, the exit. [`Builder::run`] and [`install`] are its two entry points.

use std::{
    cell::Cell,
    future::Future,
    marker::PhantomData,
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    process::ExitCode,
    sync::{
        Mutex, OnceLock, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, Waker},
};

use crate::{
    Builder, ConfigError, MainReturn, Reason,
    config::Config,
    exit::ExitPayload,
    exit_code::{Decision, Facts, MainEnd, decide},
    outcome::Outcome,
    report::{self, BodyEnd, Event},
    runner::{self, Finish},
    signal::{self, latch},
    state::{self, Body},
    wait, watcher,
};

static INSTALLED: AtomicBool = AtomicBool::new(false);
/// The body of main is a future: at `body_timeout` it is dropped, not abandoned.
static BODY_IS_ASYNC: AtomicBool = AtomicBool::new(false);
static BODY_WAKER: Mutex<Option<Waker>> = Mutex::new(None);
static CONFIG: OnceLock<Config> = OnceLock::new();
static MAIN_END: Mutex<Option<MainEnd>> = Mutex::new(None);

thread_local! {
    static IS_BODY: Cell<bool> = const { Cell::new(false) };
    static EXIT_UNWIND: Cell<Option<i32>> = const { Cell::new(None) };
}

pub(crate) fn installed() -> bool {
    INSTALLED.load(Ordering::Acquire)
}

pub(crate) fn body_is_async() -> bool {
    BODY_IS_ASYNC.load(Ordering::Acquire)
}

/// The watcher's call at `body_timeout` for an async body: wake it, so it drops itself.
pub(crate) fn wake_body() {
    // Taken out first: waking with the lock held would deadlock an executor that polls inside
    // `wake`.
    let waker = BODY_WAKER
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// `true` on the thread running the body of main.
pub(crate) fn is_body_thread() -> bool {
    IS_BODY.with(Cell::get)
}

/// `exit(code)` is unwinding the body's thread (so the guard can tell it from a panic).
pub(crate) fn note_exit_unwind(code: i32) {
    EXIT_UNWIND.with(|c| c.set(Some(code)));
}

pub(crate) fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

/// Enter Stopping from ordinary code; `true` if this call did. Wakes every waiter.
pub(crate) fn stop(reason: Reason) -> bool {
    latch::prepare();
    let won = state::begin(reason);
    if won {
        latch::open();
        wait::wake_all();
        latch::nudge();
    }
    won
}

fn start(builder: &Builder) -> Result<(), ConfigError> {
    let config =
        builder.resolve(|var| std::env::var_os(var).map(|v| v.to_string_lossy().into_owned()))?;
    if INSTALLED.swap(true, Ordering::AcqRel) {
        return Err(ConfigError::AlreadyInstalled);
    }
    report::configure(&config);
    state::set_drain(crate::clock::ns(config.drain));
    signal::install(&config.signals).map_err(ConfigError::Os)?;
    watcher::spawn(config.clone()).map_err(ConfigError::Os)?;
    let _ = CONFIG.set(config);
    state::body_started();
    IS_BODY.with(|b| b.set(true));
    Ok(())
}

/// A configuration error ends the process before the body runs: exit 78, `EX_CONFIG`.
fn start_or_exit(builder: &Builder) {
    if let Err(e) = start(builder) {
        eprintln!("graceful: {e}");
        std::process::exit(78);
    }
}

/// Run `body` as the body of main under graceful. Not public API: the attribute's expansion
/// calls it with the body's outcome already classified; users call [`Builder::run`].
#[doc(hidden)]
pub fn run(builder: Builder, body: impl FnOnce() -> Outcome) -> ExitCode {
    start_or_exit(&builder);
    let end = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(outcome) => MainEnd::Returned(outcome),
        Err(payload) => match payload.downcast::<ExitPayload>() {
            Ok(exit) => MainEnd::Exited(exit.0),
            Err(_) => MainEnd::Panicked,
        },
    };
    IS_BODY.with(|b| b.set(false));
    match finish_body(end) {
        Decision::Code(code) => match u8::try_from(code) {
            Ok(code) => ExitCode::from(code),
            Err(_) => std::process::exit(code),
        },
        Decision::Main(code) => code,
        Decision::Die(signal) => {
            use std::io::Write;
            let _ = std::io::stdout().flush();
            signal::die_of(signal)
        }
        Decision::MainDecides => ExitCode::SUCCESS,
    }
}

/// Run the future `body` as the body of an async `main`, inside the program's runtime. Not
/// public API: `#[graceful::main]` above `#[tokio::main]` expands to it.
///
/// At `body_timeout` the body future is dropped, which runs its destructors; then the hooks
/// are awaited here, on the program's runtime, so tokio types work inside async hooks. The
/// process exits from here, after the report, without waiting for the runtime's teardown
/// (whose blocking threads could outlive the deadline).
#[doc(hidden)]
pub async fn run_async(builder: Builder, body: impl Future<Output = Outcome>) -> ExitCode {
    BODY_IS_ASYNC.store(true, Ordering::Release);
    start_or_exit(&builder);
    let mut body = Some(Box::pin(body));
    let end = BodyRace { body: &mut body }.await;
    // Dropping an abandoned body runs its destructors: a panic or `exit()` there must not
    // escape past the hooks. (Still the body's thread, so `exit()` unwinds to here.)
    let _ = catch_unwind(AssertUnwindSafe(|| drop(body.take())));
    IS_BODY.with(|b| b.set(false));
    let abandoned = !state::body_ended();
    let end = if abandoned { MainEnd::Abandoned } else { end };
    record_body_end(&end, abandoned);
    if !state::claim_cleanup() {
        // The watcher gave up on this runtime and runs the hooks on a thread of its own.
        park_forever();
    }
    runner::start();
    let decision = match runner::run_hooks_async(0).await {
        Finish::Done => conclude(),
        Finish::Superseded => park_forever(),
    };
    exit_process(decision)
}

/// The async body, raced against its abandonment at `body_timeout`; a panic or `exit()` inside
/// it is caught like the sync body's.
struct BodyRace<'a, F> {
    body: &'a mut Option<Pin<Box<F>>>,
}

impl<F: Future<Output = Outcome>> Future for BodyRace<'_, F> {
    type Output = MainEnd;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MainEnd> {
        if state::body() == Body::Abandoned {
            return Poll::Ready(MainEnd::Abandoned);
        }
        *BODY_WAKER.lock().unwrap_or_else(PoisonError::into_inner) = Some(cx.waker().clone());
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(MainEnd::Abandoned);
        };
        let body = body.as_mut();
        match catch_unwind(AssertUnwindSafe(|| body.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(outcome)) => Poll::Ready(MainEnd::Returned(outcome)),
            Err(payload) => Poll::Ready(match payload.downcast::<ExitPayload>() {
                Ok(exit) => MainEnd::Exited(exit.0),
                Err(_) => MainEnd::Panicked,
            }),
        }
    }
}

impl Builder {
    /// Run `body` as the body of `main`: install the handlers, run it, then the hooks, and
    /// return the exit code of the design's table. This is what `#[graceful::main]` does.
    ///
    /// `body` may return `()`, `ExitCode` or `Result<(), E: Debug>`; an `Err` that is or wraps
    /// a [`Shutdown`](crate::Shutdown) is a clean stop. (For an error type of your own that
    /// wraps a `Shutdown` in its `source()`, the attribute sees through it; here the type must be
    /// `Shutdown`, `io::Error` or a boxed error.)
    ///
    /// A bad environment value (say `GRACEFUL_TIMEOUT=soon`) is printed, naming the variable,
    /// and the process exits with 78 before `body` runs.
    ///
    /// ```no_run
    /// use std::{process::ExitCode, time::Duration};
    /// fn main() -> ExitCode {
    ///     graceful_runtime::Builder::new()
    ///         .timeout(Duration::from_secs(30))
    ///         .run(|| -> Result<(), graceful_runtime::Shutdown> {
    ///             loop {
    ///                 graceful_runtime::sleep(Duration::from_secs(1))?;
    ///             }
    ///         })
    /// }
    /// ```
    pub fn run<R: MainReturn>(self, body: impl FnOnce() -> R) -> ExitCode {
        run(self, || body().outcome())
    }

    /// Install graceful for the rest of `main`; see [`install`].
    ///
    /// A bad environment value is printed, naming the variable, and the process exits with 78.
    pub fn install(self) -> Guard {
        start_or_exit(&self);
        Guard {
            _main_thread: PhantomData,
        }
    }

    /// Like [`Builder::install`], but return a configuration error instead of exiting.
    ///
    /// # Errors
    /// A bad environment value, a second installation, or the OS refusing a pipe, a thread or
    /// a signal handler.
    pub fn try_install(self) -> Result<Guard, ConfigError> {
        start(&self)?;
        Ok(Guard {
            _main_thread: PhantomData,
        })
    }
}

/// Install graceful with the default settings; the returned [`Guard`] runs the hooks when it
/// is dropped at the end of `main`. For binaries that cannot take `#[graceful::main]`.
///
/// The guard cannot see `main`'s return value, so it applies the exit-code table without it:
/// after a signal, a failed hook, a deadline or `exit(code)` it exits the process itself;
/// otherwise it returns and `main`'s own return value decides, as usual. Use
/// [`Builder::run`] (or the attribute) for the full table.
///
/// A bad environment value is printed, naming the variable, and the process exits with 78.
///
/// ```no_run
/// fn main() -> std::io::Result<()> {
///     let _graceful = graceful_runtime::install();
///     while !graceful_runtime::is_shutting_down() {
///         // ... work ...
///         # break;
///     }
///     Ok(())
/// } // the guard drops here: the hooks run
/// ```
pub fn install() -> Guard {
    Builder::new().install()
}

/// Runs the shutdown sequence when dropped at the end of `main`. See [`install`].
#[must_use = "the hooks run when the guard is dropped: bind it, as `let _graceful = install();`"]
#[derive(Debug)]
pub struct Guard {
    /// The guard belongs to main's thread.
    _main_thread: PhantomData<*const ()>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        IS_BODY.with(|b| b.set(false));
        let end = match EXIT_UNWIND.with(Cell::take) {
            Some(code) => MainEnd::Exited(code),
            None if std::thread::panicking() => MainEnd::Panicked,
            None => MainEnd::Unknown,
        };
        // While this thread unwinds, a panicking hook would abort the process: run the hooks
        // on a thread of their own then.
        let decision = if std::thread::panicking() {
            std::thread::scope(|s| s.spawn(|| finish_body(end)).join())
                .unwrap_or(Decision::Code(101))
        } else {
            finish_body(end)
        };
        if decision != Decision::MainDecides {
            exit_process(decision);
        }
    }
}

/// The body has ended: enter Stopping (if nothing did yet), run the hooks, decide the exit.
fn finish_body(end: MainEnd) -> Decision {
    if !state::body_ended() {
        // Abandoned at body_timeout: the hooks run (or ran) elsewhere, and that thread exits.
        park_forever();
    }
    record_body_end(&end, false);
    cleanup_here()
}

/// Enter Stopping for the body's end (if nothing did yet), report it, keep it for the table.
fn record_body_end(end: &MainEnd, dropped: bool) {
    let (cause, shown) = match end {
        MainEnd::Panicked => (Reason::Panic, BodyEnd::Panicked),
        MainEnd::Exited(code) => (Reason::Exit(*code), BodyEnd::Exit(*code)),
        MainEnd::Returned(Outcome::Shutdown) => (Reason::MainReturned, BodyEnd::Shutdown),
        MainEnd::Returned(Outcome::Failed(_)) => (Reason::MainReturned, BodyEnd::Failed),
        MainEnd::Returned(Outcome::Code(_)) => (Reason::MainReturned, BodyEnd::Code),
        _ => (Reason::MainReturned, BodyEnd::Ok),
    };
    // Kept first: should this thread get stuck below, the thread that takes over the hooks
    // still decides the exit from it.
    *MAIN_END.lock().unwrap_or_else(PoisonError::into_inner) = Some(end.clone());
    // Stopping begins first, so the deadline runs even if the error line below blocks on a
    // stderr nobody reads (the watcher then hands the hooks to another thread).
    let began = stop(cause);
    if let MainEnd::Returned(Outcome::Failed(message)) = end {
        report::main_error(message);
    }
    if began {
        // The cause of a stop that main began is printed here, after main's error line and
        // before the first hook's own output; the watcher leaves it to this thread.
        report::note_cause();
    } else if !dropped {
        report::record(Event::BodyEnded(shown));
    }
}

/// Claim the cleanup and run the hooks on this thread, then decide the exit. Threads that lose
/// a race (to the watcher, or to a runner that took over) park: the winner ends the process.
pub(crate) fn cleanup_here() -> Decision {
    if !state::claim_cleanup() {
        park_forever();
    }
    runner::start();
    match runner::run_hooks(0) {
        Finish::Done => conclude(),
        Finish::Superseded => park_forever(),
    }
}

/// Every hook ran: apply the exit-code table, claim the exit, print the report.
fn conclude() -> Decision {
    let main = match state::body() {
        Body::Abandoned => MainEnd::Abandoned,
        _ => MAIN_END
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or(MainEnd::Returned(Outcome::Ok)),
    };
    let decision = decide(&Facts {
        reason: state::reason(),
        deadline: false,
        main,
        exit_request: state::exit_request(),
        hook_failed: runner::hook_failed(),
        policy: CONFIG.get().map(|c| c.exit_code).unwrap_or_default(),
    });
    if !state::claim_exit() {
        park_forever();
    }
    report::finish(&decision);
    decision
}

/// For threads other than main's: conclude and end the process.
pub(crate) fn conclude_and_exit() -> ! {
    exit_process(conclude())
}

pub(crate) fn exit_process(decision: Decision) -> ! {
    match decision {
        Decision::Code(code) => std::process::exit(code),
        Decision::Main(code) => std::process::exit(crate::exit_code::number(code).unwrap_or(1)),
        Decision::Die(signal) => {
            // An abandoned body may hold stdout's lock for ever: then do without the flush.
            if state::body() != Body::Abandoned {
                use std::io::Write;
                let _ = std::io::stdout().flush();
            }
            signal::die_of(signal)
        }
        Decision::MainDecides => std::process::exit(0),
    }
}
