//! Unix intake: a handler registered through `signal_hook_registry` (so graceful coexists with
//! tokio and other signal-hook users), a latch and a pipe.
//!
//! - The **latch** is opened once, when Stopping begins, and never closed: every thread blocked
//!   in `sleep`/`wait` waits on it directly, so one system call from the handler wakes all of
//!   them at once, with no thread in between (the fast path from signal to first hook). On Linux
//!   it is a futex word (`FUTEX_WAKE`); elsewhere a pipe that is written once and never drained,
//!   which waiters poll.
//! - The **events** pipe nudges the watcher thread (signals, hook timeouts, report lines); the
//!   watcher drains it.
//!
//! The handler only touches atomics, `clock_gettime`, `futex(2)`, `timerfd_settime(2)` and
//! `write(2)`: all async-signal-safe. The registry saves and restores `errno` around it.

use std::io;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use crate::{Signal, clock, state};

/// Linux: the latch, 0 until Stopping begins, then 1 for good; waiters sleep on it in `futex(2)`.
#[cfg(any(target_os = "linux", target_os = "android"))]
static LATCH: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
/// Elsewhere: the latch pipe.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
static LATCH_R: AtomicI32 = AtomicI32::new(-1);
#[cfg(not(any(target_os = "linux", target_os = "android")))]
static LATCH_W: AtomicI32 = AtomicI32::new(-1);
static EVENTS_R: AtomicI32 = AtomicI32::new(-1);
static EVENTS_W: AtomicI32 = AtomicI32::new(-1);
/// Linux: a timerfd the watcher also polls, so the handler can wake it a moment later.
static TIMER: AtomicI32 = AtomicI32::new(-1);

/// What runs in signal context. Keep it this small.
fn on_signal(raw: libc::c_int, info: &libc::siginfo_t) {
    if let Some(signal) = Signal::from_raw(raw) {
        super::received(signal, sender(info));
    }
}

/// Who sent the signal: a pid, or 0 for the kernel (a terminal's Ctrl-C).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn sender(info: &libc::siginfo_t) -> i32 {
    // SAFETY: reading si_pid of the siginfo the kernel handed to this SA_SIGINFO handler; it
    // is plain data, readable for every signal (0 where no process sent it).
    unsafe { info.si_pid() }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn sender(info: &libc::siginfo_t) -> i32 {
    info.si_pid
}

/// Register the handler for `signals`, then unblock them on this thread. `install` runs once
/// per process.
///
/// The signals stay blocked on this thread while the handlers are registered: the registry
/// installs its `sigaction` a moment before it knows what to call, and a signal in that gap
/// would be dropped. Blocked, it waits, and arrives when `unblock` runs. (A thread started
/// before `install` that does not block them could still take one in the gap: install first.)
pub(crate) fn install(signals: &[Signal]) -> io::Result<()> {
    latch::init()?;
    mask(libc::SIG_BLOCK, signals);
    for &signal in signals {
        let raw = signal.as_raw();
        // SAFETY: `on_signal` is async-signal-safe: it only uses lock-free atomics,
        // `clock_gettime`, `futex(2)`, `timerfd_settime(2)` and `write(2)` on descriptors
        // opened before registration, and it neither
        // allocates nor locks nor panics. `raw` is never SIGKILL, SIGSTOP or another forbidden
        // signal (Signal has no such variant), so the registry's assertion cannot fire.
        let registered = unsafe {
            signal_hook_registry::register_sigaction(raw, move |info| on_signal(raw, info))
        };
        if let Err(e) = registered {
            mask(libc::SIG_UNBLOCK, signals);
            return Err(e);
        }
    }
    // A supervisor may also start us with them blocked (the mask is inherited): unblock them
    // either way. Threads spawned from here on inherit the new mask.
    mask(libc::SIG_UNBLOCK, signals);
    Ok(())
}

/// Block or unblock `signals` on this thread.
fn mask(how: libc::c_int, signals: &[Signal]) {
    // SAFETY: sigset_t is plain data that sigemptyset initialises; the pointers are valid for
    // the calls, and pthread_sigmask only changes this thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in signals {
            libc::sigaddset(&mut set, s.as_raw());
        }
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
}

/// Write to stderr without ever blocking long: for the watcher, which must stay free to enforce
/// the deadline even when stderr is a pipe nobody reads. Bypasses std's stderr lock (a stuck
/// writer may hold it); waits at most 100 ms for room, and writes at most `PIPE_BUF` bytes at a
/// time, which a pipe with that much room takes without blocking. What does not fit is dropped.
pub(crate) fn stderr_bounded(bytes: &[u8]) {
    for chunk in bytes.chunks(libc::PIPE_BUF) {
        let mut pfd = libc::pollfd {
            fd: 2,
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one valid pollfd; fd 2 may be closed, which poll reports (POLLNVAL).
        if unsafe { libc::poll(&mut pfd, 1, 100) } != 1 || pfd.revents & libc::POLLOUT == 0 {
            return;
        }
        // SAFETY: writing initialised bytes from a valid slice to fd 2.
        unsafe { libc::write(2, chunk.as_ptr().cast(), chunk.len()) };
    }
}

/// End the process at once, without running anything else: the last resort.
pub(crate) fn exit_now(code: i32) -> ! {
    // SAFETY: _exit takes a plain integer and never returns.
    unsafe { libc::_exit(code) }
}

/// Die of `signal` as if we had never caught it, so shells, systemd and Docker see 128+signo.
/// Where the default action cannot kill (PID 1 in a namespace), exit with 128+signo.
///
/// It does not flush stdout: the watcher calls it on a second signal, and stdout's lock may be
/// held by a thread stuck writing; the clean path flushes before calling it.
pub(crate) fn die_of(signal: Signal) -> ! {
    let raw = signal.as_raw();
    // SAFETY: resetting a signal to SIG_DFL and raising it are plain libc calls with valid
    // arguments; no Rust state depends on the handler staying installed, as the process ends.
    unsafe {
        libc::signal(raw, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, raw);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(raw);
    }
    std::process::exit(128 + raw)
}

pub(crate) mod latch {
    use super::*;

    static INIT: OnceLock<Result<(), i32>> = OnceLock::new();

    /// Open the pipes and the timer, once. Non-blocking and close-on-exec, so children never
    /// inherit them.
    pub(crate) fn init() -> io::Result<()> {
        let done = INIT.get_or_init(|| {
            #[cfg(not(any(target_os = "linux", target_os = "android")))]
            {
                let (lr, lw) = pipe()?;
                LATCH_R.store(lr, Ordering::Release);
                LATCH_W.store(lw, Ordering::Release);
            }
            let (er, ew) = pipe()?;
            EVENTS_R.store(er, Ordering::Release);
            EVENTS_W.store(ew, Ordering::Release);
            TIMER.store(timer(), Ordering::Release);
            Ok(())
        });
        done.map_err(io::Error::from_raw_os_error)
    }

    /// A non-blocking, close-on-exec pipe: one `pipe2` call on Linux, `pipe` and `fcntl`s
    /// elsewhere.
    fn pipe() -> Result<(i32, i32), i32> {
        let mut fds = [-1; 2];
        #[cfg(any(target_os = "linux", target_os = "android"))]
        // SAFETY: `fds` has room for the two descriptors pipe2(2) writes; the flags are valid.
        let failed =
            unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0;
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
        let failed = unsafe { libc::pipe(fds.as_mut_ptr()) } != 0;
        if failed {
            return Err(io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO));
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        for fd in fds {
            // SAFETY: fcntl on descriptors we just opened, with valid flag values.
            unsafe {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                let flags = libc::fcntl(fd, libc::F_GETFL);
                libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
        Ok((fds[0], fds[1]))
    }

    /// A non-blocking timerfd, or -1 where there is none (then `nudge_soon` nudges at once).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn timer() -> i32 {
        // SAFETY: timerfd_create with a valid clock and flags; it returns a new fd or -1.
        unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn timer() -> i32 {
        -1
    }

    fn poke(fd: &AtomicI32) {
        let fd = fd.load(Ordering::Acquire);
        if fd >= 0 {
            // SAFETY: writing one byte from a valid buffer to a pipe we own; write(2) is
            // async-signal-safe. A full pipe (EAGAIN) is fine: the reader is already due to wake.
            unsafe { libc::write(fd, b"!".as_ptr().cast(), 1) };
        }
    }

    /// Make sure `open` will have a latch to open, before Stopping begins: a waiter that saw
    /// "running" may be about to wait on it. The futex word always exists; the pipe is opened
    /// here if `install` did not.
    pub(crate) fn prepare() {
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let _ = init();
    }

    /// Wake every thread waiting on the latch, now and forever. Async-signal-safe.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(crate) fn open() {
        if LATCH.swap(1, Ordering::AcqRel) == 0 {
            // SAFETY: FUTEX_WAKE on a static word that lives for the whole process; it reads no
            // user memory beyond the word's address, and is async-signal-safe (no lock, no
            // allocation).
            unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    LATCH.as_ptr(),
                    libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                    i32::MAX,
                )
            };
        }
    }

    /// Wake every thread waiting on the latch, now and forever. Async-signal-safe.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub(crate) fn open() {
        poke(&LATCH_W);
    }

    /// Wake the watcher. Async-signal-safe.
    pub(crate) fn nudge() {
        poke(&EVENTS_W);
    }

    /// Wake the watcher in a millisecond. On the first signal nothing needs it sooner (unless
    /// a `shutdown()` future waits), and waking it at once would have it compete with the body's
    /// thread, on the path from signal to first hook, for a CPU and the report's lock.
    /// Async-signal-safe: `timerfd_settime` is one system call, no lock, no allocation.
    pub(crate) fn nudge_soon() {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let fd = TIMER.load(Ordering::Acquire);
            if fd >= 0 {
                let soon = libc::itimerspec {
                    it_interval: libc::timespec {
                        tv_sec: 0,
                        tv_nsec: 0,
                    },
                    it_value: libc::timespec {
                        tv_sec: 0,
                        tv_nsec: 1_000_000,
                    },
                };
                // SAFETY: arming our own timerfd with a valid itimerspec; no old value wanted.
                let armed = unsafe { libc::timerfd_settime(fd, 0, &soon, std::ptr::null_mut()) };
                if armed == 0 {
                    return;
                }
            }
        }
        nudge();
    }

    /// Block until Stopping begins or `timeout` passes; `true` once stopping.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(crate) fn wait(timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| clock::now_ns().saturating_add(clock::ns(t)));
        loop {
            if state::stopping() || LATCH.load(Ordering::Acquire) != 0 {
                return true;
            }
            let left = match deadline {
                None => None,
                Some(d) => match d.saturating_sub(clock::now_ns()) {
                    0 => return false,
                    left => Some(timespec(left)),
                },
            };
            let ts_ptr = left.as_ref().map_or(std::ptr::null(), |t| t as *const _);
            // SAFETY: FUTEX_WAIT on a static word, expecting 0 (if the latch opened since the
            // check above, it returns at once), with a valid relative timeout or none. Wakes,
            // timeouts and interruptions all loop back to the checks above.
            let ret = unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    LATCH.as_ptr(),
                    libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                    0u32,
                    ts_ptr,
                )
            };
            if ret != 0 {
                let errno = io::Error::last_os_error().raw_os_error();
                if !matches!(errno, Some(libc::EINTR | libc::EAGAIN | libc::ETIMEDOUT)) {
                    // The futex is refused (a seccomp filter, say): poll rather than spin.
                    let left =
                        deadline.map(|d| Duration::from_nanos(d.saturating_sub(clock::now_ns())));
                    return poll_state(left);
                }
            }
        }
    }

    /// Block until Stopping begins or `timeout` passes; `true` once stopping.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub(crate) fn wait(timeout: Option<Duration>) -> bool {
        if state::stopping() {
            return true;
        }
        if init().is_err() {
            // Without a pipe there is nothing to wake us: degrade to polling the state.
            return poll_state(timeout);
        }
        let deadline = timeout.map(|t| clock::now_ns().saturating_add(clock::ns(t)));
        loop {
            let readable = poll_fd(&LATCH_R, deadline);
            if readable || state::stopping() {
                return true;
            }
            if deadline.is_some_and(|d| clock::now_ns() >= d) {
                return false;
            }
        }
    }

    fn poll_state(timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| clock::now_ns().saturating_add(clock::ns(t)));
        while !state::stopping() {
            if deadline.is_some_and(|d| clock::now_ns() >= d) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// The watcher's wait: until nudged or `deadline` (clock ns) passes. Drains the nudges.
    pub(crate) fn wait_events(deadline: Option<u64>) {
        let mut fds = [pollfd(&EVENTS_R), pollfd(&TIMER)];
        if poll_until(&mut fds, deadline) {
            for fd in fds.iter().filter(|p| p.revents != 0) {
                let mut buf = [0u8; 256];
                // SAFETY: reading into a valid buffer of the stated length from a non-blocking
                // pipe or timerfd (which yields its 8-byte expiry count).
                while unsafe { libc::read(fd.fd, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
            }
        }
    }

    /// A pollfd for readability; a negative fd (none) is ignored by poll(2).
    fn pollfd(fd: &AtomicI32) -> libc::pollfd {
        libc::pollfd {
            fd: fd.load(Ordering::Acquire),
            events: libc::POLLIN,
            revents: 0,
        }
    }

    /// One poll(2) for readability until `deadline`; `false` on timeout or interruption.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn poll_fd(fd: &AtomicI32, deadline: Option<u64>) -> bool {
        poll_until(&mut [pollfd(fd)], deadline)
    }

    fn poll_until(fds: &mut [libc::pollfd], deadline: Option<u64>) -> bool {
        let ret = match deadline {
            None => poll(fds, None),
            Some(d) => {
                let left = d.saturating_sub(clock::now_ns());
                if left == 0 {
                    return false;
                }
                poll(fds, Some(left))
            }
        };
        ret > 0
    }

    /// A relative timeout of `ns`, its seconds clamped to what `time_t` holds.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn timespec(ns: u64) -> libc::timespec {
        libc::timespec {
            tv_sec: libc::time_t::try_from(ns / 1_000_000_000).unwrap_or(libc::time_t::MAX),
            tv_nsec: (ns % 1_000_000_000) as libc::c_long,
        }
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn poll(fds: &mut [libc::pollfd], left_ns: Option<u64>) -> libc::c_int {
        let ts = left_ns.map(timespec);
        let ts_ptr = ts.as_ref().map_or(std::ptr::null(), |t| t as *const _);
        // SAFETY: valid pollfds of the stated count, a valid or null timespec, a null mask.
        unsafe {
            libc::ppoll(
                fds.as_mut_ptr(),
                fds.len() as libc::nfds_t,
                ts_ptr,
                std::ptr::null(),
            )
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn poll(fds: &mut [libc::pollfd], left_ns: Option<u64>) -> libc::c_int {
        // poll(2) counts milliseconds: round up so we never wake early.
        let ms = left_ns.map_or(-1, |ns| ns.div_ceil(1_000_000).min(i32::MAX as u64) as i32);
        // SAFETY: valid pollfds of the stated count.
        unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) }
    }
}
