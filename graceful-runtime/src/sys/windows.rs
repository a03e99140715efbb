//! Windows: a console control handler registered with `SetConsoleCtrlHandler`, and Event
//! objects for words.
//!
//! - A **word** is a sequence number and an Event: auto-reset for a word one thread waits on
//!   (a successful wait consumes every wake before it), manual-reset and never reset for the
//!   broadcast word (the stop latch, bumped once), which every thread in `sleep`/`wait` waits on.
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
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering};

use windows_sys::Win32::Foundation::{FALSE, HANDLE, STATUS_CONTROL_C_EXIT, TRUE, WAIT_OBJECT_0};
use windows_sys::Win32::System::Console::{
    CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
    SetConsoleCtrlHandler,
};
use windows_sys::Win32::System::RemoteDesktop::ProcessIdToSessionId;
use windows_sys::Win32::System::Threading::{
    CreateEventW, GetCurrentProcess, GetCurrentProcessId, INFINITE, SetEvent, TerminateProcess,
    WaitForSingleObject,
};
use windows_sys::core::BOOL;

use super::Waited;
use crate::{Signal, clock};

/// Which console events are ours: set by `install` before the handler is registered.
static ON_INT: AtomicBool = AtomicBool::new(false);
static ON_TERM: AtomicBool = AtomicBool::new(false);
static ON_LOGOFF: AtomicBool = AtomicBool::new(false);
/// What to call for an event that is ours.
static ON_SIGNAL: OnceLock<fn(Signal, i32)> = OnceLock::new();

/// What Windows runs, on a fresh thread, for each console control event.
extern "system" fn on_control(kind: u32) -> BOOL {
    let (signal, ours, blocks) = match kind {
        CTRL_C_EVENT | CTRL_BREAK_EVENT => (Signal::SIGINT, &ON_INT, false),
        CTRL_CLOSE_EVENT | CTRL_SHUTDOWN_EVENT => (Signal::SIGTERM, &ON_TERM, true),
        CTRL_LOGOFF_EVENT => (Signal::SIGTERM, &ON_LOGOFF, true),
        _ => return FALSE,
    };
    let Some(on_signal) = ON_SIGNAL.get() else {
        return FALSE;
    };
    if !ours.load(Ordering::Acquire) {
        return FALSE;
    }
    on_signal(signal, 0);
    if blocks {
        // Returning would let Windows end the process now: see the module's docs.
        loop {
            std::thread::park();
        }
    }
    TRUE
}

/// Register the console control handler for `signals`. Runs once per process. (Windows has no
/// `fork`.)
pub(crate) fn install(signals: &[Signal], on_signal: fn(Signal, i32)) -> io::Result<()> {
    let _ = ON_SIGNAL.set(on_signal);
    for &signal in signals {
        match signal {
            Signal::SIGINT => ON_INT.store(true, Ordering::Release),
            Signal::SIGTERM => {
                ON_TERM.store(true, Ordering::Release);
                ON_LOGOFF.store(!in_session_zero(), Ordering::Release);
            }
            // Accepted so that one configuration serves every platform; never delivered.
            Signal::SIGHUP | Signal::SIGQUIT | Signal::SIGUSR1 | Signal::SIGUSR2 => {}
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

/// An action's signal: none of them is delivered on Windows, so there is nothing to register.
pub(crate) fn register(_signals: &[Signal], _on_signal: fn(Signal, i32)) -> io::Result<()> {
    Ok(())
}

/// Session 0 holds the services; when in doubt, assume an interactive session.
fn in_session_zero() -> bool {
    let mut session = u32::MAX;
    // SAFETY: `session` is a valid, writable u32 for the call to fill in.
    let ok = unsafe { ProcessIdToSessionId(GetCurrentProcessId(), &mut session) };
    ok != FALSE && session == 0
}

/// End the process at once, with `code`: no `atexit` handlers, no DLL detach, no flush.
/// Windows has no `fork()`: nothing to do.
pub(crate) fn not_inherited_by_forks(_listener: &std::net::TcpListener) {}

pub(crate) fn exit_now(code: i32) -> ! {
    // SAFETY: TerminateProcess on the pseudo-handle of this process; it does not return.
    unsafe { TerminateProcess(GetCurrentProcess(), code as u32) };
    std::process::abort()
}

/// End the process as Windows' default handler would have for this event, had graceful not
/// caught it: with `STATUS_CONTROL_C_EXIT` (0xC000013A, or -1073741510 as a signed code), for
/// every signal. Python does the same for an unhandled `KeyboardInterrupt` on Windows; shells
/// and terminals read it as "interrupted".
pub(crate) fn die_of(_signal: Signal) -> ! {
    exit_now(STATUS_CONTROL_C_EXIT)
}

/// Write to stderr through std: a console or a file does not block for long. `until` is not
/// enforced here.
pub(crate) fn stderr_bounded(bytes: &[u8], _until: u64) -> bool {
    use std::io::Write;
    std::io::stderr().write_all(bytes).is_ok()
}

/// A sequence number and an Event.
pub(crate) struct Word {
    seq: AtomicU32,
    event: AtomicPtr<c_void>,
    broadcast: bool,
}

impl Word {
    pub(crate) const fn new() -> Word {
        Word {
            seq: AtomicU32::new(0),
            event: AtomicPtr::new(std::ptr::null_mut()),
            broadcast: false,
        }
    }

    /// A word many threads sleep on, bumped rarely (the stop latch): a manual-reset event.
    pub(crate) const fn broadcast() -> Word {
        Word {
            broadcast: true,
            ..Word::new()
        }
    }

    /// Create the event, once. It is never closed: it lives as long as the process.
    pub(crate) fn init(&self) -> io::Result<()> {
        if !self.event.load(Ordering::Acquire).is_null() {
            return Ok(());
        }
        let manual_reset = if self.broadcast { TRUE } else { FALSE };
        // SAFETY: null security attributes (not inheritable) and a null name are valid
        // arguments; the returned handle is checked before use.
        let handle: HANDLE =
            unsafe { CreateEventW(std::ptr::null(), manual_reset, FALSE, std::ptr::null()) };
        if handle.is_null() {
            return Err(io::Error::last_os_error());
        }
        if self
            .event
            .compare_exchange(
                std::ptr::null_mut(),
                handle,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            // Another thread made one first; ours is simply never used.
        }
        Ok(())
    }

    pub(crate) fn seq(&self) -> u32 {
        self.seq.load(Ordering::SeqCst)
    }

    pub(crate) fn wake(&self) {
        self.seq.fetch_add(1, Ordering::SeqCst);
        let handle = self.event.load(Ordering::Acquire);
        if !handle.is_null() {
            // SAFETY: a valid event handle from `init`, never closed.
            unsafe { SetEvent(handle) };
        }
    }

    pub(crate) fn wait(&self, seen: u32, deadline: Option<u64>) -> Waited {
        if self.seq() != seen {
            return Waited::Woken;
        }
        let ms = match deadline {
            None => INFINITE,
            Some(d) => {
                let left = d.saturating_sub(clock::now_ns());
                if left == 0 {
                    return Waited::TimedOut;
                }
                // Milliseconds, rounded up so we never wake early on our side; INFINITE is
                // reserved for "no deadline".
                u32::try_from(left.div_ceil(1_000_000))
                    .unwrap_or(INFINITE)
                    .min(INFINITE - 1)
            }
        };
        let handle = self.event.load(Ordering::Acquire);
        if handle.is_null() {
            // Not initialised: poll the number instead.
            std::thread::sleep(std::time::Duration::from_millis(u64::from(ms.min(10))));
            return Waited::Woken;
        }
        // SAFETY: a valid event handle from `init`, never closed.
        match unsafe { WaitForSingleObject(handle, ms) } {
            WAIT_OBJECT_0 => Waited::Woken,
            _ => Waited::TimedOut,
        }
    }
}

/// Signals cannot be sent to another process on Windows (console control events reach a
/// whole console group, the sender's too).
pub(crate) fn signal_process(_pid: u32, _signal: Signal) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// No process groups to kill here: `graceful::test` cannot signal on Windows.
pub(crate) fn kill_group(_pgid: u32) {}

/// No parent-death signal on Windows: the child runs on if its parent dies.
pub(crate) fn die_with_parent(_parent: u32) -> bool {
    true
}
