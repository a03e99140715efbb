//! Work in flight: [`hold`] and the one list of what holds the stop. Stopping waits, after main
//! returns, until no hold remains (bounded by `body_timeout`, which the watchdog enforces);
//! once the hooks may begin the list is closed and new holds are refused.
//!
//! One lock (a [`SpinLock`]), held for a push or a removal: taking and releasing a hold are a
//! lock and an unlock each, no allocation for a `&'static str` name, no clock read. The
//! watchdog reads the list only by trying the lock.
//!
//! Layer 7: it imports `stopping` (its word and the futures' wakers), the state machine and
//! the leaves.

use std::{
    borrow::Cow,
    fmt,
    future::Future,
    panic::Location,
    pin::Pin,
    sync::atomic::{AtomicBool, Ordering},
    task::{Context, Poll},
};

use crate::{
    Reason, Shutdown,
    spin::{SpinGuard, SpinLock},
    state::{Body, STATE},
    stopping::{self, HOLDS},
};

/// What holds the stop, as [`tasks()`](crate::tasks) lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskKind {
    /// A [`hold`].
    Hold,
    /// A thread started with [`thread::spawn`](crate::thread::spawn).
    Thread,
    /// A tokio task started with `spawn` (the `tokio` feature).
    Task,
    /// A signal's action ([`on_signal`](crate::on_signal)) that was running when Stopping
    /// began.
    Action,
    /// A child process handed to graceful ([`child`](crate::child)), until it is reaped.
    Child,
}

impl TaskKind {
    pub(crate) fn word(self) -> &'static str {
        match self {
            TaskKind::Hold => "hold",
            TaskKind::Thread => "thread",
            TaskKind::Task => "task",
            TaskKind::Action => "action",
            TaskKind::Child => "child",
        }
    }
}

/// One piece of work in flight: what [`tasks()`](crate::tasks) returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    kind: TaskKind,
    pub(crate) name: Cow<'static, str>,
    pub(crate) at: &'static Location<'static>,
}

impl Task {
    /// A hold, a thread or a task.
    pub fn kind(&self) -> TaskKind {
        self.kind
    }

    /// The name it was given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where it was taken or started: file and line.
    pub fn location(&self) -> (&'static str, u32) {
        (self.at.file(), self.at.line())
    }
}

impl fmt::Display for Task {
    /// `hold "upload" (src/main.rs:12)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:?} ({}:{})",
            self.kind.word(),
            self.name,
            self.at.file(),
            self.at.line()
        )
    }
}

/// The open holds: slots, reused through `free`.
struct List {
    slots: Vec<Option<Task>>,
    free: Vec<usize>,
    open: usize,
    /// The hooks may begin: no new hold.
    closed: bool,
}

static LIST: SpinLock<List> = SpinLock::new(List {
    slots: Vec::new(),
    free: Vec::new(),
    open: 0,
    closed: false,
});

/// A hold was ever taken: until then the stop's path need not look at the list for the report
/// (the code it would touch is cold in a fresh process).
static EVER: AtomicBool = AtomicBool::new(false);

fn list() -> SpinGuard<'static, List> {
    LIST.lock()
}

/// A hold on the shutdown: while it lives, the hooks wait (up to `body_timeout` after Stopping
/// began). Dropping it releases it. See [`hold`].
#[must_use = "the hold is released when dropped: bind it, as `let _hold = graceful::hold(..)?;`"]
#[derive(Debug)]
pub struct Hold {
    slot: usize,
}

/// Hold the shutdown while work is in flight: a request, an upload, a batch.
///
/// After `main` returns (and after the drain), Stopping waits until no hold remains, bounded
/// by `body_timeout`; holds still open then are named in the report with where they were
/// taken, the hooks run without them, and the exit is 124. Any thread or task may hold, with no
/// runtime. A hold is granted until the hooks begin, so work in flight can start sub-work
/// while stopping; after that it is refused with `Err(Shutdown)`. Taken before graceful is
/// installed, a hold counts once it is; where graceful is never installed, it holds nothing.
///
/// It costs a lock and an unlock to take and the same to release (see `BENCHMARKS.md`).
///
/// ```
/// # use graceful_runtime as graceful;
/// fn handle(request: &str) -> Result<(), graceful::Shutdown> {
///     let _hold = graceful::hold("request")?; // released when `handle` returns
///     let _ = request; // ... serve it: the hooks wait for the hold ...
///     Ok(())
/// }
/// handle("GET /").unwrap();
/// ```
#[track_caller]
pub fn hold(name: impl Into<Cow<'static, str>>) -> Result<Hold, Shutdown> {
    take(TaskKind::Hold, name.into(), Location::caller())
}

/// Take a hold of `kind`.
pub(crate) fn take(
    kind: TaskKind,
    name: Cow<'static, str>,
    at: &'static Location<'static>,
) -> Result<Hold, Shutdown> {
    let task = Task { kind, name, at };
    if !EVER.load(Ordering::Relaxed) {
        EVER.store(true, Ordering::Relaxed);
    }
    let mut list = list();
    if list.closed || STATE.cleanup_claimed() {
        drop(list);
        return Err(Shutdown::new(
            STATE.reason().unwrap_or(Reason::MainReturned),
        ));
    }
    list.open += 1;
    let slot = match list.free.pop() {
        Some(slot) => {
            list.slots[slot] = Some(task);
            slot
        }
        None => {
            list.slots.push(Some(task));
            list.slots.len() - 1
        }
    };
    Ok(Hold { slot })
}

impl Hold {
    /// What this hold is: its kind, name and where it was taken.
    pub(crate) fn task(&self) -> Option<Task> {
        list().slots[self.slot].clone()
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        let (task, released) = {
            let mut list = list();
            let task = list.slots[self.slot].take();
            list.free.push(self.slot);
            list.open -= 1;
            // The last hold of a main that returned ends the wait here, under the lock: work
            // that takes its next hold a moment later is refused, and main is not left to
            // find the list empty in a gap it may never see.
            (task, release_if_done(&mut list))
        };
        drop(task);
        if released {
            // main's thread, or its future (through the reporter, which calls wakers).
            HOLDS.wake();
            stopping::request_wakes();
        }
    }
}

/// Every open hold, in the order taken (a slot reused takes the place it had).
pub(crate) fn open() -> Vec<Task> {
    list().slots.iter().flatten().cloned().collect()
}

/// The first `n` open holds, described for the report, and "and K more" for the rest.
pub(crate) fn describe(first: &[Task], open: usize) -> Vec<String> {
    let mut named: Vec<String> = first.iter().map(ToString::to_string).collect();
    if open > named.len() {
        named.push(format!("and {} more", open - named.len()));
    }
    named
}

/// How many open holds the report names; the rest are counted.
pub(crate) const NAMED: usize = 16;

/// The first [`NAMED`] open holds, described, if any is open (waiting for the lock).
pub(crate) fn held_now() -> Option<Vec<String>> {
    if !EVER.load(Ordering::Relaxed) {
        return None;
    }
    let list = list();
    let first: Vec<Task> = list.slots.iter().flatten().take(NAMED).cloned().collect();
    (list.open > 0).then(|| describe(&first, list.open))
}

/// At most `n` of the open holds, in order, and how many are open; `None` if the lock is busy
/// this instant. The watchdog's: bounded work, never a wait.
pub(crate) fn try_first(n: usize) -> Option<(Vec<Task>, usize)> {
    let list = LIST.try_lock()?;
    let first = list.slots.iter().flatten().take(n).cloned().collect();
    Some((first, list.open))
}

/// Under the lock: nothing holds the stop and main has returned, so close the list and end
/// the body (Returned → Ended) in one step; the watchdog can then no longer abandon a body
/// whose work is done. `true` if this call did.
fn release_if_done(list: &mut List) -> bool {
    // A plain load first: the compare-and-swap is a locked instruction even when it fails, and
    // while main runs every last hold released would pay for it.
    if list.open == 0 && !list.closed && STATE.body() == Body::Returned && STATE.body_released() {
        list.closed = true;
        return true;
    }
    false
}

/// Whether the wait is over now: `Some(true)` when nothing holds the stop (the body ended),
/// `Some(false)` when the watchdog abandoned it, `None` while work is still held.
pub(crate) fn try_release() -> Option<bool> {
    match STATE.body() {
        Body::Ended => return Some(true),
        Body::Abandoned => return Some(false),
        _ => {}
    }
    if release_if_done(&mut list()) {
        return Some(true);
    }
    // The last hold may have gone, or the watchdog struck, since the first look.
    match STATE.body() {
        Body::Ended => Some(true),
        Body::Abandoned => Some(false),
        _ => None,
    }
}

/// main returned on this thread: wait until nothing holds the stop (`true`: the body ended
/// and no hold is granted any more) or the watchdog abandons the wait at `body_timeout`
/// (`false`).
pub(crate) fn wait_released() -> bool {
    loop {
        let seen = HOLDS.seq();
        if let Some(done) = try_release() {
            return done;
        }
        HOLDS.wait(seen, None);
    }
}

/// [`wait_released`] for an async main, on its runtime: the tasks it waits for may need that
/// very thread. The reporter wakes it (the last hold released, or the body abandoned): it must
/// be running.
pub(crate) struct Released {
    waker: u64,
}

impl Released {
    pub(crate) fn new() -> Released {
        Released { waker: 0 }
    }
}

impl Future for Released {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        // Kept before looking, so a release (or the abandonment) after the look wakes it.
        stopping::keep_waker(&mut self.waker, cx.waker());
        match try_release() {
            Some(done) => Poll::Ready(done),
            None => Poll::Pending,
        }
    }
}

impl Drop for Released {
    fn drop(&mut self) {
        stopping::forget_waker(self.waker);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_are_listed_in_order_and_slots_reused() {
        let a = hold("a").unwrap();
        let b = hold(String::from("b")).unwrap();
        let names = |v: Vec<Task>| v.iter().map(|t| t.name().to_owned()).collect::<Vec<_>>();
        assert!(names(open()).ends_with(&["a".to_owned(), "b".to_owned()]));
        drop(a);
        let c = hold("c").unwrap();
        let listed = names(try_first(usize::MAX).unwrap().0);
        assert!(!listed.contains(&"a".to_owned()), "{listed:?}");
        assert!(listed.contains(&"c".to_owned()) && listed.contains(&"b".to_owned()));
        let task = open().into_iter().find(|t| t.name() == "c").unwrap();
        assert_eq!(task.kind(), TaskKind::Hold);
        assert_eq!(task.location().0, file!());
        assert!(task.to_string().starts_with("hold \"c\" ("), "{task}");
        assert!(task.to_string().contains("src/holds.rs:"), "{task}");
        drop((b, c));
    }
}
