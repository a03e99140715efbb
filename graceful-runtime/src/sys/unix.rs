//! Unix: signals through `signal_hook_registry` (so graceful coexists with tokio and other
//! signal-hook users), words to sleep on, bounded writes to stderr, and ending the process.
//!
//! - A **word** is a futex on Linux: waking it is one atomic increment, plus one `FUTEX_WAKE`
//!   only when a thread other than the caller sleeps on it. So the handler of the first
//!   signal, which runs on the body's thread (the kernel gives a process-directed signal to
//!   the main thread first), makes no system call at all when the body is the only sleeper:
//!   the body's interrupted `FUTEX_WAIT` sees the word changed and returns. Graceful opens no
//!   file descriptor on Linux, so a program that closes every descriptor above stderr (as
//!   daemonising code does) cannot break it. Elsewhere a word is a pipe, checked with
//!   `fstat` before every write so that a descriptor closed and reused by the program is never
//!   written to.
//! - **Bounded writes** to stderr bypass std's lock (a stuck writer may hold it for ever), wait
//!   for room with `poll(2)` and write at most `PIPE_BUF` bytes at a time, which a pipe with
//!   room takes without blocking.
//!
//! What runs in signal context here: `Word::wake` (atomics, `futex(2)` or `fstat(2)` and
//! `write(2)`), `die_of` (`signal`, `sigprocmask`, `raise`, `_exit`), and `sender`: all
//! async-signal-safe.

use std::{
    io,
    sync::atomic::{AtomicI32, Ordering},
};

use super::Waited;
use crate::{Signal, clock, state::STATE};

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) use futex::Word;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) use pipe::Word;

#[cfg(any(target_os = "linux", target_os = "android"))]
mod futex {
    use std::{cell::Cell, io, sync::atomic::AtomicU32};

    use super::*;

    thread_local! {
        /// The word this thread sleeps on right now (its address), so that a signal handler
        /// interrupting the sleep knows not to count this thread as one to wake.
        static ASLEEP_ON: Cell<usize> = const { Cell::new(0) };
    }

    /// A futex word: a sequence number bumped by `wake`, and a count of the threads asleep on
    /// it, so `wake` makes a system call only when somebody else needs it.
    pub(crate) struct Word {
        seq: AtomicU32,
        sleepers: AtomicU32,
    }

    impl Word {
        pub(crate) const fn new() -> Word {
            Word {
                seq: AtomicU32::new(0),
                sleepers: AtomicU32::new(0),
            }
        }

        /// A word many threads sleep on, bumped rarely (the stop latch): a futex serves both.
        pub(crate) const fn broadcast() -> Word {
            Word::new()
        }

        /// Nothing to open on Linux.
        pub(crate) fn init(&self) -> io::Result<()> {
            Ok(())
        }

        fn addr(&self) -> usize {
            self as *const Word as usize
        }

        /// The current sequence number: pass it to `wait` after looking at what it guards.
        pub(crate) fn seq(&self) -> u32 {
            self.seq.load(Ordering::SeqCst)
        }

        /// Bump the word and wake every thread asleep on it. Async-signal-safe.
        pub(crate) fn wake(&self) {
            self.seq.fetch_add(1, Ordering::SeqCst);
            // A handler that interrupted this thread's own sleep on the word: that sleep ends
            // by itself when the handler returns (the kernel restarts FUTEX_WAIT, which sees
            // the new value), so it does not count.
            let me = u32::from(ASLEEP_ON.get() == self.addr());
            if self.sleepers.load(Ordering::SeqCst) > me {
                // SAFETY: FUTEX_WAKE on a word that lives as long as the process (every Word
                // is a static); it reads nothing but the word's address and takes no lock.
                unsafe {
                    libc::syscall(
                        libc::SYS_futex,
                        self.seq.as_ptr(),
                        libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                        i32::MAX,
                    )
                };
            }
        }

        /// Sleep until the word moves past `seen` or `deadline` (clock ns) passes. It may
        /// return early (an interruption): callers look at what the word guards, and wait again.
        pub(crate) fn wait(&self, seen: u32, deadline: Option<u64>) -> Waited {
            let ts = match deadline {
                None => None,
                Some(d) => match d.saturating_sub(clock::now_ns()) {
                    0 => return Waited::TimedOut,
                    left => Some(timespec(left)),
                },
            };
            let ts_ptr = ts.as_ref().map_or(std::ptr::null(), |t| t as *const _);
            // Counted before the value is checked, and `wake` bumps before it counts: one of
            // the two always sees the other, so no wake is lost.
            self.sleepers.fetch_add(1, Ordering::SeqCst);
            ASLEEP_ON.set(self.addr());
            let ret = if self.seq.load(Ordering::SeqCst) != seen {
                0
            } else {
                // SAFETY: FUTEX_WAIT on a static word, expecting `seen` (if it moved since the
                // check above the call returns at once), with a valid relative timeout or none.
                unsafe {
                    libc::syscall(
                        libc::SYS_futex,
                        self.seq.as_ptr(),
                        libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                        seen,
                        ts_ptr,
                    )
                }
            };
            ASLEEP_ON.set(0);
            self.sleepers.fetch_sub(1, Ordering::SeqCst);
            if ret == 0 {
                return Waited::Woken;
            }
            match io::Error::last_os_error().raw_os_error() {
                Some(libc::ETIMEDOUT) => Waited::TimedOut,
                Some(libc::EINTR | libc::EAGAIN) => Waited::Woken,
                // The futex is refused (a seccomp filter, say): callers poll rather than spin.
                _ => {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    Waited::Woken
                }
            }
        }
    }

    /// A relative timeout of `ns`, its seconds clamped to what `time_t` holds.
    fn timespec(ns: u64) -> libc::timespec {
        libc::timespec {
            tv_sec: libc::time_t::try_from(ns / 1_000_000_000).unwrap_or(libc::time_t::MAX),
            tv_nsec: (ns % 1_000_000_000) as libc::c_long,
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod pipe {
    use std::{
        io,
        sync::atomic::{AtomicI32, AtomicU32, AtomicU64},
        time::Duration,
    };

    use super::*;

    /// A sequence number and a pipe: `wake` bumps the number and writes a byte; the one thread
    /// that waits on the word polls the pipe and drains it. A broadcast word (the stop latch,
    /// bumped once) is never drained, so that every waiter sees it. The write end's identity
    /// (device and inode) is kept, so that a descriptor the program closed, and maybe reused for
    /// a file of its own, is never written to or polled.
    pub(crate) struct Word {
        seq: AtomicU32,
        read: AtomicI32,
        write: AtomicI32,
        dev: AtomicU64,
        ino: AtomicU64,
        broadcast: bool,
    }

    impl Word {
        pub(crate) const fn new() -> Word {
            Word {
                seq: AtomicU32::new(0),
                read: AtomicI32::new(-1),
                write: AtomicI32::new(-1),
                dev: AtomicU64::new(0),
                ino: AtomicU64::new(0),
                broadcast: false,
            }
        }

        /// A word many threads sleep on, bumped rarely (the stop latch): never drained.
        pub(crate) const fn broadcast() -> Word {
            Word {
                broadcast: true,
                ..Word::new()
            }
        }

        /// Open the pipe, once.
        pub(crate) fn init(&self) -> io::Result<()> {
            if self.write.load(Ordering::Acquire) >= 0 {
                return Ok(());
            }
            let mut fds = [-1; 2];
            // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
            if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
                return Err(io::Error::last_os_error());
            }
            for fd in fds {
                // SAFETY: fcntl on descriptors we just opened, with valid flag values.
                unsafe {
                    libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                    let flags = libc::fcntl(fd, libc::F_GETFL);
                    libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
                }
            }
            let (dev, ino) = identity(fds[1]).unwrap_or((0, 0));
            self.dev.store(dev, Ordering::Release);
            self.ino.store(ino, Ordering::Release);
            self.read.store(fds[0], Ordering::Release);
            self.write.store(fds[1], Ordering::Release);
            Ok(())
        }

        /// Whether `fd` is still this word's pipe. Async-signal-safe (`fstat(2)`).
        fn ours(&self, fd: i32) -> bool {
            fd >= 0
                && identity(fd)
                    == Some((
                        self.dev.load(Ordering::Acquire),
                        self.ino.load(Ordering::Acquire),
                    ))
        }

        pub(crate) fn seq(&self) -> u32 {
            self.seq.load(Ordering::SeqCst)
        }

        /// Bump the word and wake its waiter. Async-signal-safe.
        pub(crate) fn wake(&self) {
            self.seq.fetch_add(1, Ordering::SeqCst);
            let fd = self.write.load(Ordering::Acquire);
            if self.ours(fd) {
                // SAFETY: one byte from a valid buffer to our own pipe; a full pipe (EAGAIN)
                // is fine, the waiter is due to wake anyway.
                unsafe { libc::write(fd, b"!".as_ptr().cast(), 1) };
            }
        }

        pub(crate) fn wait(&self, seen: u32, deadline: Option<u64>) -> Waited {
            let left = match deadline {
                None => None,
                Some(d) => match d.saturating_sub(clock::now_ns()) {
                    0 => return Waited::TimedOut,
                    left => Some(left),
                },
            };
            if self.seq() != seen {
                return Waited::Woken;
            }
            let read = self.read.load(Ordering::Acquire);
            // Both ends were made together; the read end is checked through the write end's
            // pipe being intact (a program that closes descriptors closes both).
            if read < 0 || !self.ours(self.write.load(Ordering::Acquire)) {
                // No pipe (or the program closed it): poll the number instead of sleeping on it.
                let slice = left.map_or(10_000_000, |l| l.min(10_000_000));
                std::thread::sleep(Duration::from_nanos(slice));
                return Waited::Woken;
            }
            let mut pfd = libc::pollfd {
                fd: read,
                events: libc::POLLIN,
                revents: 0,
            };
            // poll(2) counts milliseconds: round up so we never wake early.
            let ms = left.map_or(-1, |ns| ns.div_ceil(1_000_000).min(i32::MAX as u64) as i32);
            // SAFETY: one valid pollfd.
            let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
            if ready == 0 {
                return Waited::TimedOut;
            }
            if self.broadcast {
                return Waited::Woken;
            }
            let mut buf = [0u8; 64];
            // SAFETY: reading into a valid buffer from our own non-blocking pipe.
            while unsafe { libc::read(read, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
            Waited::Woken
        }
    }

    fn identity(fd: i32) -> Option<(u64, u64)> {
        // SAFETY: a zeroed stat is valid plain data for fstat(2) to fill; fstat is
        // async-signal-safe.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: fstat with a valid out-pointer; a bad descriptor is reported, not faulted.
        (unsafe { libc::fstat(fd, &mut st) } == 0).then_some((st.st_dev as u64, st.st_ino as u64))
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

/// Register `on_signal` for `signals`, then unblock them on this thread; and mark a child
/// forked from now on (`pthread_atfork`), so that it is not supervised. Runs once per process.
///
/// The signals stay blocked on this thread while the handlers are registered: the registry
/// installs its `sigaction` a moment before it knows what to call, and a signal in that gap
/// would be dropped. Blocked, it waits, and arrives when they are unblocked. (A thread started
/// before `install` that does not block them could still take one in the gap: install first.)
///
/// `on_signal` runs in signal context: it must be async-signal-safe.
pub(crate) fn install(signals: &[Signal], on_signal: fn(Signal, i32)) -> io::Result<()> {
    register(signals, on_signal)?;
    // SAFETY: registers a child handler that only stores an atomic, which is what a child of
    // a multithreaded fork may do; `pthread_atfork` itself takes plain function pointers.
    unsafe { pthread_atfork(None, None, Some(forked_child)) };
    Ok(())
}

/// Register `on_signal` for `signals`, blocked on this thread meanwhile (see [`install`]), then
/// unblock them: for the stop signals at install, and for an action's signal when its first
/// action is registered.
///
/// `on_signal` runs in signal context: it must be async-signal-safe.
pub(crate) fn register(signals: &[Signal], on_signal: fn(Signal, i32)) -> io::Result<()> {
    mask(libc::SIG_BLOCK, signals);
    for &signal in signals {
        let raw = signal.as_raw();
        // SAFETY: the action only calls `on_signal`, which the caller guarantees is
        // async-signal-safe. `raw` is never SIGKILL, SIGSTOP or another forbidden signal
        // (Signal has no such variant), so the registry's assertion cannot fire.
        let registered = unsafe {
            signal_hook_registry::register_sigaction(raw, move |info| {
                on_signal(signal, sender(info))
            })
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

#[cfg(not(any(target_os = "linux", target_os = "android")))]
unsafe extern "C" {
    fn pthread_atfork(
        prepare: Option<unsafe extern "C" fn()>,
        parent: Option<unsafe extern "C" fn()>,
        child: Option<unsafe extern "C" fn()>,
    ) -> libc::c_int;
}
#[cfg(any(target_os = "linux", target_os = "android"))]
use libc::pthread_atfork;

/// A descriptor a forked child closes at once (graceful's probe listener: the child does not
/// answer on it, and must not keep its port); -1 for none.
static CLOSE_IN_CHILD: AtomicI32 = AtomicI32::new(-1);

/// A forked child is not to inherit `listener`.
pub(crate) fn not_inherited_by_forks(listener: &std::net::TcpListener) {
    use std::os::fd::AsRawFd;
    CLOSE_IN_CHILD.store(listener.as_raw_fd(), Ordering::Release);
}

/// Runs in a child, right after `fork()`: that child is not supervised.
unsafe extern "C" fn forked_child() {
    STATE.mark_forked();
    let fd = CLOSE_IN_CHILD.load(Ordering::Acquire);
    if fd >= 0 {
        // SAFETY: close(2) is async-signal-safe, as a child of a multithreaded fork needs; the
        // descriptor is the probe listener's, which nothing in the child uses.
        unsafe { libc::close(fd) };
    }
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

/// Write `bytes` to stderr without std's lock and without blocking past `until` (clock ns):
/// wait for room with poll(2), then write at most `PIPE_BUF` bytes, which a pipe with room
/// takes without blocking. Returns whether everything was written; what is left is dropped.
pub(crate) fn stderr_bounded(bytes: &[u8], until: u64) -> bool {
    let mut rest = bytes;
    while !rest.is_empty() {
        // A deadline already past still gets one look (poll with no wait) for room.
        let left = until.saturating_sub(clock::now_ns());
        let mut pfd = libc::pollfd {
            fd: 2,
            events: libc::POLLOUT,
            revents: 0,
        };
        let ms = left.div_ceil(1_000_000).min(i32::MAX as u64) as i32;
        // SAFETY: one valid pollfd; fd 2 may be closed, which poll reports (POLLNVAL).
        let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
        if ready < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        if ready != 1 || pfd.revents & libc::POLLOUT == 0 {
            return false;
        }
        let chunk = &rest[..rest.len().min(libc::PIPE_BUF)];
        // SAFETY: writing initialised bytes from a valid slice to fd 2.
        let n = unsafe { libc::write(2, chunk.as_ptr().cast(), chunk.len()) };
        match usize::try_from(n) {
            Ok(n) if n > 0 => rest = &rest[n..],
            _ if io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) => {}
            _ => return false,
        }
    }
    true
}

/// End the process at once, with `code`: no `atexit` handlers, no destructors, no stdio flush.
pub(crate) fn exit_now(code: i32) -> ! {
    // SAFETY: _exit takes a plain integer and never returns; it is async-signal-safe.
    unsafe { libc::_exit(code) }
}

/// Die of `signal` as if we had never caught it, so shells, systemd and Docker see 128+signo.
/// Where the default action cannot kill (PID 1 in a namespace), exit with 128+signo. Runs no
/// `atexit` handler and flushes nothing; async-signal-safe.
pub(crate) fn die_of(signal: Signal) -> ! {
    let raw = signal.as_raw();
    // SAFETY: resetting a signal to SIG_DFL, unblocking and raising it are plain libc calls
    // with valid arguments, all async-signal-safe; no Rust state depends on the handler
    // staying installed, as the process ends.
    unsafe {
        libc::signal(raw, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, raw);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(raw);
    }
    exit_now(128 + raw)
}

/// Send `signal` to the process `pid` (a child of ours, for `graceful::test`), with kill(2).
pub(crate) fn signal_process(pid: u32, signal: Signal) -> io::Result<()> {
    let pid =
        libc::pid_t::try_from(pid).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: kill(2) takes plain integers; the caller names a child it has not reaped, so the
    // pid is still that child's.
    match unsafe { libc::kill(pid, signal.as_raw()) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// `graceful::test`'s: SIGKILL the process group `pgid` (a hung child and what it started).
pub(crate) fn kill_group(pgid: u32) {
    if let Ok(pgid) = libc::pid_t::try_from(pgid)
        && pgid > 0
    {
        // SAFETY: kill(2) with plain integers, on the group of a child not yet reaped (its pid
        // is its group's id, so the group is still its).
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
}

/// `graceful::test`'s child: die with the parent that waits for it (Linux), rather than run on
/// unsupervised; `false` if that parent is gone already.
pub(crate) fn die_with_parent(parent: u32) -> bool {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes plain integers and changes only this process.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
    std::os::unix::process::parent_id() == parent
}
