//! Closures registered at run time, for cleanups that hold state (a pool, an open file).

use std::{
    borrow::Cow,
    panic::Location,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use super::{HookInfo, HookResult, HookReturn, Job, Planned, SendHookFuture};

pub(crate) type ClosureFn = Box<dyn FnOnce() -> HookResult + Send>;

/// What a registered hook runs: a closure, or a future (an async hook).
pub(crate) enum ClosureJob {
    Sync(ClosureFn),
    Async(SendHookFuture),
}

struct Registered {
    info: HookInfo,
    f: ClosureJob,
}

/// What [`on_shutdown`] accepts: a closure returning `()` or `Result<(), E: Display>`; a
/// future with such an output (`async move { pool.close().await }`); or a closure returning
/// such a future (`async move || ..`, `|| async move { .. }`). Futures and closures are `Send`
/// and `'static`: the hook may run on another thread than the one that registered it.
///
/// The `Marker` tells the three apart; it is inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a shutdown hook",
    label = "a closure returning () or Result<(), E: Display>, or a future with that output",
    note = "an async hook is written `async move {{ .. }}` (a future) or `async move || {{ .. }}`; \
            it must be Send + 'static, and so must what it captures; one that ends by diverging \
            (`exit(..)`, `panic!(..)`) has the type `!`: end it with `()` instead, as in \
            `if true {{ panic!(..) }}`"
)]
pub trait IntoHook<Marker> {
    /// Not public API.
    #[doc(hidden)]
    fn into_job(self) -> HookJob;
}

/// A registered hook's job. Not public API.
#[doc(hidden)]
pub struct HookJob(ClosureJob);

/// Markers for [`IntoHook`]. Not public API.
#[doc(hidden)]
pub mod marker {
    /// A closure.
    pub struct Closure<R>(std::marker::PhantomData<R>);
    /// A closure returning a future.
    pub struct AsyncClosure<F>(std::marker::PhantomData<F>);
    /// A future.
    pub struct Future;
}

impl<F, R> IntoHook<marker::Closure<R>> for F
where
    F: FnOnce() -> R + Send + 'static,
    R: HookReturn,
{
    fn into_job(self) -> HookJob {
        HookJob(ClosureJob::Sync(Box::new(move || {
            self().into_hook_result()
        })))
    }
}

impl<F, Fut> IntoHook<marker::AsyncClosure<Fut>> for F
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: HookReturn,
{
    fn into_job(self) -> HookJob {
        HookJob(ClosureJob::Async(Box::pin(async move {
            self().await.into_hook_result()
        })))
    }
}

impl<Fut> IntoHook<marker::Future> for Fut
where
    Fut: std::future::Future + Send + 'static,
    Fut::Output: HookReturn,
{
    fn into_job(self) -> HookJob {
        HookJob(ClosureJob::Async(Box::pin(async move {
            self.await.into_hook_result()
        })))
    }
}

/// The closures: those waiting for the stop, and the ones the run has taken but not yet
/// started (so that `cancel` still reaches them). Both are in sequence order (a closure's
/// number is taken under the lock), so a handle finds its closure by binary search; a
/// cancelled one leaves a tombstone, swept when half are.
struct Registry {
    waiting: Vec<(u64, Option<Registered>)>,
    dead: usize,
    /// Closures taken for the run, by sequence number, and whether each is still to start.
    planned: Vec<(u64, bool)>,
}

impl Registry {
    fn find(&mut self, seq: u64) -> Option<&mut Registered> {
        let at = self.waiting.binary_search_by_key(&seq, |(s, _)| *s).ok()?;
        self.waiting[at].1.as_mut()
    }

    /// Take the waiting closure `seq` out, leaving a tombstone.
    fn remove(&mut self, seq: u64) -> Option<Registered> {
        let at = self.waiting.binary_search_by_key(&seq, |(s, _)| *s).ok()?;
        let removed = self.waiting[at].1.take()?;
        self.dead += 1;
        if self.dead * 2 > self.waiting.len() {
            self.waiting.retain(|(_, r)| r.is_some());
            self.dead = 0;
        }
        Some(removed)
    }

    /// The planned closure `seq`, if it is still to start: it will not (started, or cancelled).
    fn unplan(&mut self, seq: u64) -> bool {
        match self.planned.binary_search_by_key(&seq, |(s, _)| *s) {
            Ok(at) => std::mem::replace(&mut self.planned[at].1, false),
            Err(_) => false,
        }
    }
}

/// The lock is never held while user code runs: a closure is dropped (its captures' `Drop`s
/// run) only after the lock is let go.
static CLOSURES: Mutex<Registry> = Mutex::new(Registry {
    waiting: Vec::new(),
    dead: 0,
    planned: Vec::new(),
});
static NEXT_SEQ: AtomicU64 = AtomicU64::new(1);

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    CLOSURES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Register a closure (or a future: an async hook) to run at shutdown, with `order` 0.
///
/// Closures run before static hooks of the same `order`, last-registered first. A closure
/// registered while the hooks are already running runs after the ones already listed. The
/// closure may run on another thread than the one that registered it (when `main` was
/// abandoned or a hook overran its timeout), hence `Send`.
///
/// Dropping the returned [`HookHandle`] keeps the hook; [`HookHandle::cancel`] removes it.
///
/// ```
/// # use graceful_runtime as graceful;
/// use std::io::Write;
/// let path = std::env::temp_dir().join("graceful-doc-on-shutdown.log");
/// let mut file = std::fs::File::create(&path)?;
/// let hook = graceful::on_shutdown("flush log", move || file.flush())
///     .order(10)
///     .timeout(std::time::Duration::from_secs(2));
/// # hook.cancel();
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// An async hook is a future, awaited on the program's runtime when `main` is async (else as
/// `#[graceful::on_shutdown] async fn` hooks are); past its `timeout` it is cancelled:
///
/// ```
/// # use graceful_runtime as graceful;
/// # async fn close(_: ()) -> Result<(), std::io::Error> { Ok(()) }
/// let pool = ();
/// let hook = graceful::on_shutdown("close pool", async move { close(pool).await });
/// # hook.cancel();
/// ```
#[track_caller]
pub fn on_shutdown<H, Marker>(name: impl Into<Cow<'static, str>>, hook: H) -> HookHandle
where
    H: IntoHook<Marker>,
{
    let at = Location::caller();
    let HookJob(f) = hook.into_job();
    let name = name.into();
    let mut registry = registry();
    // Numbered under the lock: the registry stays in sequence order.
    let seq = NEXT_SEQ.fetch_add(1, Ordering::Relaxed);
    let info = HookInfo {
        name,
        order: 0,
        timeout: None,
        module: None,
        file: at.file(),
        line: at.line(),
        seq: Some(seq),
    };
    registry.waiting.push((seq, Some(Registered { info, f })));
    HookHandle { seq }
}

/// A closure registered with [`on_shutdown`]. Dropping it keeps the hook.
#[derive(Debug)]
pub struct HookHandle {
    seq: u64,
}

impl HookHandle {
    fn edit(&self, f: impl FnOnce(&mut HookInfo)) {
        if let Some(r) = registry().find(self.seq) {
            f(&mut r.info);
        }
    }

    /// Set the hook's `order` (default 0); lower runs earlier.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let h = graceful::on_shutdown("late", || ()).order(100);
    /// # h.cancel();
    /// ```
    pub fn order(self, order: i32) -> Self {
        self.edit(|i| i.order = order);
        self
    }

    /// Give the hook its own time limit: past it, it is reported as failed and left behind,
    /// and the next hook runs.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let h = graceful::on_shutdown("bounded", || ())
    ///     .timeout(std::time::Duration::from_millis(500));
    /// # h.cancel();
    /// ```
    pub fn timeout(self, timeout: Duration) -> Self {
        self.edit(|i| i.timeout = Some(timeout));
        self
    }

    /// Remove the hook; `false` if it already ran or is running. During the stop, a hook that
    /// has not started yet is removed too (the closure itself is dropped when the run reaches
    /// it).
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let h = graceful::on_shutdown("not needed after all", || ());
    /// assert!(h.cancel());
    /// ```
    pub fn cancel(self) -> bool {
        let mut registry = registry();
        if let Some(removed) = registry.remove(self.seq) {
            drop(registry);
            // The closure's captures are dropped here, with no lock held.
            drop(removed);
            return true;
        }
        registry.unplan(self.seq)
    }
}

/// The registered closures' descriptions.
pub(super) fn list() -> Vec<HookInfo> {
    registry()
        .waiting
        .iter()
        .filter_map(|(_, r)| Some(r.as_ref()?.info.clone()))
        .collect()
}

/// Take every registered closure out of the registry, to run it. They stay cancellable until
/// the run starts each (`start_closure`).
pub(crate) fn take_closures() -> Vec<Planned> {
    let mut registry = registry();
    let taken = std::mem::take(&mut registry.waiting);
    registry.dead = 0;
    registry.planned.extend(
        taken
            .iter()
            .filter(|(_, r)| r.is_some())
            .map(|(seq, _)| (*seq, true)),
    );
    drop(registry);
    taken
        .into_iter()
        .filter_map(|(_, r)| r)
        .map(|r| Planned {
            info: r.info,
            job: Some(match r.f {
                ClosureJob::Sync(f) => Job::Closure(f),
                ClosureJob::Async(f) => Job::AsyncClosure(f),
            }),
        })
        .collect()
}

/// The run is about to start the closure `seq`: `false` if it was cancelled meanwhile.
pub(crate) fn start_closure(seq: u64) -> bool {
    registry().unplan(seq)
}
