//! `Shutdown`: the value every waiter receives, and why we are stopping; the names of work that
//! failed, which a [`Reason`] refers to. A leaf, but for `Signal`.

use std::{
    borrow::Cow,
    error::Error,
    fmt, io,
    panic::Location,
    sync::{Mutex, PoisonError},
};

use crate::Signal;

/// Why the program is stopping.
///
/// The first cause wins: a signal that arrives after `main` returned does not change it.
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::{Reason, Signal};
/// assert_eq!(Reason::Signal(Signal::SIGTERM).to_string(), "SIGTERM");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// One of the configured signals arrived.
    Signal(Signal),
    /// [`trigger()`](crate::trigger) was called.
    Trigger,
    /// [`exit(code)`](crate::exit) was called.
    Exit(i32),
    /// `main` panicked.
    Panic,
    /// `main` returned (or the install guard was dropped) before anything else happened.
    MainReturned,
    /// Work started with [`thread::spawn`](crate::thread::spawn) (or, with the `tokio`
    /// feature, `spawn`) panicked or returned an `Err`.
    Failed(Work),
}

/// Work graceful ran that failed, as a [`Reason`] names it.
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::{Reason, Work};
/// fn why(reason: Reason) -> String {
///     match reason {
///         Reason::Failed(work) => format!("{} ({})", work.name(), work.at()),
///         other => other.to_string(),
///     }
/// }
/// # let _ = why;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Work {
    /// Its index among the failures, then whether it panicked (the low bit).
    raw: u32,
}

/// How work ended badly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Failure {
    Err,
    Panic,
}

/// Work that failed: its kind (`thread`, `task`), name and where it was started. Appended to,
/// never changed, so a [`Work`] is an index into it.
struct Failed {
    kind: &'static str,
    name: Cow<'static, str>,
    at: &'static Location<'static>,
}

static FAILED: Mutex<Vec<Failed>> = Mutex::new(Vec::new());

impl Work {
    /// Keep the name of work that failed; the value to put in a [`Reason`].
    pub(crate) fn failed(
        kind: &'static str,
        name: Cow<'static, str>,
        at: &'static Location<'static>,
        how: Failure,
    ) -> Work {
        let mut all = FAILED.lock().unwrap_or_else(PoisonError::into_inner);
        let index = all.len() as u32;
        all.push(Failed { kind, name, at });
        Work {
            raw: index << 1 | u32::from(how == Failure::Panic),
        }
    }

    pub(crate) const fn from_raw(raw: u32) -> Work {
        Work { raw }
    }

    pub(crate) const fn raw(self) -> u32 {
        self.raw
    }

    /// `true` when it panicked, `false` when it returned an `Err`.
    pub const fn panicked(&self) -> bool {
        self.raw & 1 == 1
    }

    /// Its name, as given to `spawn`.
    pub fn name(&self) -> String {
        self.with(|f| f.name.to_string()).unwrap_or_default()
    }

    /// Where it was started, as `file:line`.
    pub fn at(&self) -> String {
        self.with(|f| format!("{}:{}", f.at.file(), f.at.line()))
            .unwrap_or_default()
    }

    /// [`name`](Self::name) without waiting: for the report, which the watchdog may write.
    pub(crate) fn name_now(&self) -> String {
        self.try_with(|f| f.name.to_string())
            .unwrap_or_else(|| format!("work #{}", self.raw >> 1))
    }

    /// [`at`](Self::at) without waiting.
    pub(crate) fn at_now(&self) -> String {
        self.try_with(|f| format!("{}:{}", f.at.file(), f.at.line()))
            .unwrap_or_default()
    }

    /// Read its entry. The list is locked only to append to it (no user code runs under the
    /// lock), so waiting for it is brief.
    fn with<T>(&self, read: impl FnOnce(&Failed) -> T) -> Option<T> {
        let all = FAILED.lock().unwrap_or_else(PoisonError::into_inner);
        all.get((self.raw >> 1) as usize).map(read)
    }

    /// [`with`](Self::with) without waiting more than a few tries: for `Display`, which the
    /// watchdog's last words may call.
    fn try_with<T>(&self, read: impl FnOnce(&Failed) -> T) -> Option<T> {
        for _ in 0..100 {
            match FAILED.try_lock() {
                Ok(all) => return all.get((self.raw >> 1) as usize).map(read),
                Err(std::sync::TryLockError::Poisoned(p)) => {
                    return p.into_inner().get((self.raw >> 1) as usize).map(read);
                }
                Err(std::sync::TryLockError::WouldBlock) => std::thread::yield_now(),
            }
        }
        None
    }
}

impl fmt::Display for Work {
    /// `thread "fetch" panicked`, `task "sync" failed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = if self.panicked() {
            "panicked"
        } else {
            "failed"
        };
        match self.try_with(|w| format!("{} {:?} {how}", w.kind, w.name)) {
            Some(text) => f.write_str(&text),
            None => write!(f, "work #{} {how}", self.raw >> 1),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Signal(s) => write!(f, "{s}"),
            Reason::Trigger => f.write_str("trigger()"),
            Reason::Exit(code) => write!(f, "exit({code})"),
            Reason::Panic => f.write_str("main panicked"),
            Reason::MainReturned => f.write_str("main returned"),
            Reason::Failed(work) => write!(f, "{work}"),
        }
    }
}

/// The program is shutting down.
///
/// Returned by [`check`](crate::check), [`sleep`](crate::sleep) and [`wait`](crate::wait), it is
/// an ordinary error: `?` carries it up to `main`, whose `Drop`s then run, and `main` returning
/// `Err(Shutdown)` (or an error wrapping one) counts as a clean stop.
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::{Reason, Shutdown, Signal};
/// let s = Shutdown::new(Reason::Signal(Signal::SIGTERM));
/// assert_eq!(s.reason(), Reason::Signal(Signal::SIGTERM));
/// assert_eq!(s.to_string(), "shutting down: SIGTERM");
/// // It converts into io::Error, so `?` works in functions returning io::Result.
/// let e: std::io::Error = s.into();
/// assert_eq!(e.kind(), std::io::ErrorKind::Interrupted);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shutdown {
    reason: Reason,
}

impl Shutdown {
    /// A shutdown for this reason. The runtime makes these; tests of your own code may too.
    pub const fn new(reason: Reason) -> Self {
        Shutdown { reason }
    }

    /// Why the program is stopping.
    pub const fn reason(&self) -> Reason {
        self.reason
    }

    /// The signal that started the shutdown, if a signal did.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// use graceful::{Reason, Shutdown, Signal};
    /// assert_eq!(Shutdown::new(Reason::Trigger).signal(), None);
    /// ```
    pub const fn signal(&self) -> Option<Signal> {
        match self.reason {
            Reason::Signal(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "shutting down: {}", self.reason)
    }
}

impl Error for Shutdown {}

impl From<Shutdown> for io::Error {
    fn from(s: Shutdown) -> io::Error {
        io::Error::new(io::ErrorKind::Interrupted, s)
    }
}

/// How many links of a `source()` chain are followed before giving up: a chain that long is
/// a cycle (an error whose `source()` returns itself) or a bug, and neither is a shutdown.
const MAX_CHAIN: usize = 256;

/// Whether this error is, or wraps, a [`Shutdown`]: the error itself, its `source()` chain, and
/// the payload of an `io::Error` (whose `source()` skips it). At most `MAX_CHAIN` links.
pub(crate) fn reaches_shutdown(mut e: &(dyn Error + 'static)) -> bool {
    for _ in 0..MAX_CHAIN {
        if e.is::<Shutdown>() {
            return true;
        }
        if let Some(inner) = e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            e = inner;
            continue;
        }
        match e.source() {
            Some(next) => e = next,
            None => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Cyclic;
    impl fmt::Display for Cyclic {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cyclic")
        }
    }
    impl Error for Cyclic {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(self)
        }
    }

    #[test]
    fn a_cyclic_source_chain_ends_and_is_no_shutdown() {
        assert!(!reaches_shutdown(&Cyclic));
    }

    #[test]
    fn the_name_of_failed_work_is_there_while_others_fail_too() {
        // Found by review: the getters gave up on a busy list and returned "".
        let first = Work::failed("thread", "first".into(), Location::caller(), Failure::Err);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..20_000 {
                        Work::failed("task", "other".into(), Location::caller(), Failure::Panic);
                    }
                });
            }
            s.spawn(|| {
                for _ in 0..50_000 {
                    assert_eq!(first.name(), "first");
                }
            });
        });
        assert!(!first.panicked());
        assert!(first.to_string().starts_with("thread \"first\" failed"));
    }

    #[test]
    fn a_shutdown_inside_an_io_error_is_found() {
        let e: io::Error = Shutdown::new(Reason::Trigger).into();
        assert!(reaches_shutdown(&e));
    }
}
