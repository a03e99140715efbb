//! Windows intake: a console control handler registered with `SetConsoleCtrlHandler`, and two
//! Event objects in place of unix's pipes.
//!
//! - The **latch** is a manual-reset event, set once when Stopping begins and never reset: every
//!   thread blocked in `sleep`/`wait` waits on it, so one `SetEvent` wakes all of them at once.
//! - The **events** event is auto-reset and nudges the watcher thread (signals, hook timeouts,
//!   report lines); a successful wait consumes every nudge made before it.
//!
//! Windows runs a control handler on a thread of its own, created in the process for the event:
//! not signal context, so ordinary code (locks, allocation) would be allowed there. It records
//! the event exactly as the unix handler records a signal, so both platforms share one sequence.
//!
//! | console event | as | only if configured | the handler then |
//! | --- | --- | --- | --- |
//! | `CTRL_C_EVENT` | `SIGINT` | `SIGINT` | returns: the process lives on and stops gracefully |
//! | `CTRL_BREAK_EVENT` | `SIGINT` | `SIGINT` | returns, as for Ctrl-C |
//! | `CTRL_CLOSE_EVENT` | `SIGTERM` | `SIGTERM` | blocks until graceful ends the process |
//! | `CTRL_SHUTDOWN_EVENT` | `SIGTERM` | `SIGTERM` | blocks, as for close |
//! | `CTRL_LOGOFF_EVENT` | `SIGTERM` | `SIGTERM`, and not in session 0 | blocks, as for close |
//!
//! An event that is not configured goes on to the next handler, in the end Windows' default,
//! which ends the process at once: as an unhandled signal does on unix.
//!
//! **Why close, logoff and shutdown block.** For these three Windows ends the process as soon as
//! the handler returns, whatever it returns (the cause of ctrlc's issue #122 and Go's #41884).
//! A handler that only records the event, as a unix signal handler does, would let the cleanup
//! begin and then have it killed a moment later. So the handler never returns: it parks, and the
//! process ends when graceful exits (after the hooks and the report, with graceful's exit code)
//! or when the system's budget for the event runs out, whichever comes first. Waiting on a
//! "done" event and returning would be worse: returning hands the exit to Windows, which could
//! end the process before graceful's own exit has written the report, with Windows' exit code.
//!
//! **Why logoff is ignored in session 0.** Services (and everything else in session 0) receive
//! `CTRL_LOGOFF_EVENT` whenever *any* user logs off; Windows' default handler for services
//! ignores it so that they keep running. Stopping then would stop a service because someone
//! logged off, so there the event goes on to the default handler.
//!
//! `SIGHUP` and `SIGQUIT` may be configured but are never delivered: Windows has no such events.

use std::ffi::c_void;
use std::io;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::time::Duration;

use windows_sys::Win32::Foundation::{FALSE, HANDLE, STATUS_CONTROL_C_EXIT, TRUE, WAIT_OBJECT_0};
use windows_sys::Win32::System::Console::{
    CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
    SetConsoleCtrlHandler,
};
use windows_sys::Win32::System::RemoteDesktop::ProcessIdToSessionId;
use windows_sys::Win32::System::Threading::{
    CreateEventW, GetCurrentProcessId, INFINITE, SetEvent, WaitForSingleObject,
};
use windows_sys::core::BOOL;

use crate::{Signal, clock, lifecycle, state};

/// Which console events are ours: set by `install` before the handler is registered.
static ON_INT: AtomicBool = AtomicBool::new(false);
static ON_TERM: AtomicBool = AtomicBool::new(false);
static ON_LOGOFF: AtomicBool = AtomicBool::new(false);

/// What Windows runs, on a fresh thread, for each console control event.
extern "system" fn on_control(kind: u32) -> BOOL {
    let (signal, ours, blocks) = match kind {
        CTRL_C_EVENT | CTRL_BREAK_EVENT => (Signal::SIGINT, &ON_INT, false),
        CTRL_CLOSE_EVENT | CTRL_SHUTDOWN_EVENT => (Signal::SIGTERM, &ON_TERM, true),
        CTRL_LOGOFF_EVENT => (Signal::SIGTERM, &ON_LOGOFF, true),
        _ => return FALSE,
    };
    if !ours.load(Ordering::Acquire) {
        return FALSE;
    }
    super::received(signal, 0);
    if blocks {
        // Returning would let Windows end the process now: see the module's docs.
        lifecycle::park_forever();
    }
    TRUE
}

/// Register the console control handler for `signals`. `install` runs once per process.
pub(crate) fn install(signals: &[Signal]) -> io::Result<()> {
    latch::init()?;
    for &signal in signals {
        match signal {
            Signal::SIGINT => ON_INT.store(true, Ordering::Release),
            Signal::SIGTERM => {
                ON_TERM.store(true, Ordering::Release);
                ON_LOGOFF.store(!in_session_zero(), Ordering::Release);
            }
            // Accepted so that one configuration serves every platform; never delivered.
            Signal::SIGHUP | Signal::SIGQUIT => {}
        }
    }
    if !signals.contains(&Signal::SIGINT) && !signals.contains(&Signal::SIGTERM) {
        return Ok(());
    }
    // SAFETY: `on_control` has the signature Windows calls, never unwinds (it does not panic),
    // and lives for the whole process, as the registration does.
    if unsafe { SetConsoleCtrlHandler(Some(on_control), TRUE) } == FALSE {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Session 0 holds the services; when in doubt, assume an interactive session.
fn in_session_zero() -> bool {
    let mut session = u32::MAX;
    // SAFETY: `session` is a valid, writable u32 for the call to fill in.
    let ok = unsafe { ProcessIdToSessionId(GetCurrentProcessId(), &mut session) };
    ok != FALSE && session == 0
}

/// End the process as Windows' default handler would have for this event, had graceful not
/// caught it: with `STATUS_CONTROL_C_EXIT` (0xC000013A, or -1073741510 as a signed code), for
/// every signal. Python does the same for an unhandled `KeyboardInterrupt` on Windows; shells
/// and terminals read it as "interrupted".
///
/// It does not flush stdout by itself (std's exit flushes only if stdout's lock is free): the
/// watcher calls it on a second signal, when a thread may be stuck holding that lock.
pub(crate) fn die_of(_signal: Signal) -> ! {
    std::process::exit(STATUS_CONTROL_C_EXIT)
}

pub(crate) mod latch {
    use super::*;

    static LATCH: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
    static EVENTS: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
    static INIT: OnceLock<Result<(), i32>> = OnceLock::new();

    /// Create both events, once. They are never closed: they live as long as the process.
    pub(crate) fn init() -> io::Result<()> {
        let done = INIT.get_or_init(|| {
            let latch = event(true)?;
            let events = event(false)?;
            LATCH.store(latch, Ordering::Release);
            EVENTS.store(events, Ordering::Release);
            Ok(())
        });
        done.map_err(io::Error::from_raw_os_error)
    }

    /// An unnamed, unset event that children do not inherit.
    fn event(manual_reset: bool) -> Result<HANDLE, i32> {
        let manual_reset = if manual_reset { TRUE } else { FALSE };
        // SAFETY: null security attributes (not inheritable) and a null name are valid
        // arguments; the returned handle is checked before use.
        let handle =
            unsafe { CreateEventW(std::ptr::null(), manual_reset, FALSE, std::ptr::null()) };
        if handle.is_null() {
            return Err(io::Error::last_os_error().raw_os_error().unwrap_or(-1));
        }
        Ok(handle)
    }

    fn set(event: &AtomicPtr<c_void>) {
        let handle = event.load(Ordering::Acquire);
        if !handle.is_null() {
            // SAFETY: a valid event handle from `init`, never closed.
            unsafe { SetEvent(handle) };
        }
    }

    /// Make sure `open` will have a latch to open, before Stopping begins: a waiter that saw
    /// "running" may be about to wait on it.
    pub(crate) fn prepare() {
        let _ = init();
    }

    /// Wake every thread waiting on the latch, now and forever.
    pub(crate) fn open() {
        set(&LATCH);
    }

    /// Wake the watcher.
    pub(crate) fn nudge() {
        set(&EVENTS);
    }

    /// The same as `nudge` here: the console handler runs on its own thread, not in the way
    /// of the body's.
    pub(crate) fn nudge_soon() {
        nudge();
    }

    /// Block until Stopping begins or `timeout` passes; `true` once stopping.
    pub(crate) fn wait(timeout: Option<Duration>) -> bool {
        if state::stopping() {
            return true;
        }
        let deadline = timeout.map(|t| clock::now_ns().saturating_add(clock::ns(t)));
        if init().is_err() {
            // Without an event there is nothing to wake us: degrade to polling the state.
            return poll_state(deadline);
        }
        loop {
            if wait_on(&LATCH, deadline) || state::stopping() {
                return true;
            }
            // Windows' timers may end a wait a little early: go round until the deadline.
            if deadline.is_some_and(|d| clock::now_ns() >= d) {
                return false;
            }
        }
    }

    fn poll_state(deadline: Option<u64>) -> bool {
        while !state::stopping() {
            if deadline.is_some_and(|d| clock::now_ns() >= d) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// The watcher's wait: until nudged or `deadline` (clock ns) passes. Consumes the nudges.
    pub(crate) fn wait_events(deadline: Option<u64>) {
        if EVENTS.load(Ordering::Acquire).is_null() {
            // Not initialised (the watcher only runs after `init` succeeded): do not spin.
            std::thread::sleep(Duration::from_millis(10));
            return;
        }
        wait_on(&EVENTS, deadline);
    }

    /// One wait until `deadline`; `false` on timeout.
    fn wait_on(event: &AtomicPtr<c_void>, deadline: Option<u64>) -> bool {
        let ms = match deadline {
            None => INFINITE,
            Some(d) => {
                let left = d.saturating_sub(clock::now_ns());
                if left == 0 {
                    return false;
                }
                // Milliseconds, rounded up so we never wake early on our side; INFINITE is
                // reserved for "no deadline".
                u32::try_from(left.div_ceil(1_000_000))
                    .unwrap_or(INFINITE)
                    .min(INFINITE - 1)
            }
        };
        // SAFETY: a valid event handle from `init`, never closed.
        unsafe { WaitForSingleObject(event.load(Ordering::Acquire), ms) == WAIT_OBJECT_0 }
    }
}

/// Write to stderr. (On Windows through std: a console or a file does not block for long.)
pub(crate) fn stderr_bounded(bytes: &[u8]) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(bytes);
}

/// End the process at once: the last resort.
pub(crate) fn exit_now(code: i32) -> ! {
    std::process::exit(code)
}
