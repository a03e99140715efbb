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

use super::{Edges, HOOKS, HookInfo, HookResult, HookReturn, Job, Planned, SendHookFuture};

pub(crate) type ClosureFn = Box<dyn FnOnce() -> HookResult + Send>;

/// What a registered hook runs: a closure, or a future (an async hook).
pub(crate) enum ClosureJob {
    Sync(ClosureFn),
    Async(SendHookFuture),
}

struct Registered {
    info: HookInfo,
    f: ClosureJob,
    after: Vec<Cow<'static, str>>,
    before: Vec<Cow<'static, str>>,
}

impl Registered {
    fn edges(&self) -> Edges {
        Edges::Named {
            after: self.after.clone(),
            before: self.before.clone(),
        }
    }
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
        last: false,
        after: Vec::new(),
    };
    registry.waiting.push((
        seq,
        Some(Registered {
            info,
            f,
            after: Vec::new(),
            before: Vec::new(),
        }),
    ));
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

    /// Run this hook after every hook named `name` (static or closure) in its stage. The name
    /// is checked now: a hook of that name must be registered already, else
    /// [`OrderError::NoSuchHook`] (the handle is in the error). Edges that form a cycle are
    /// found when the stop is planned: they are then dropped, reported, and the exit is 1.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let pool = graceful::on_shutdown("close pool", || ());
    /// let flush = graceful::on_shutdown("flush cache", || ()).after("close pool")?;
    /// let plan = graceful::hooks();
    /// let pos = |n: &str| plan.iter().position(|h| h.name() == n).unwrap();
    /// assert!(pos("close pool") < pos("flush cache"));
    /// # pool.cancel(); flush.cancel();
    /// # Ok::<(), graceful::OrderError>(())
    /// ```
    pub fn after(self, name: impl Into<Cow<'static, str>>) -> Result<Self, OrderError> {
        self.edge(name.into(), |r, n| r.after.push(n))
    }

    /// Run this hook before every hook named `name` in its stage; checked as
    /// [`after`](Self::after) is.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let pool = graceful::on_shutdown("close pool", || ());
    /// let drain = graceful::on_shutdown("drain queue", || ()).before("close pool")?;
    /// # pool.cancel(); drain.cancel();
    /// # Ok::<(), graceful::OrderError>(())
    /// ```
    pub fn before(self, name: impl Into<Cow<'static, str>>) -> Result<Self, OrderError> {
        self.edge(name.into(), |r, n| r.before.push(n))
    }

    fn edge(
        self,
        name: Cow<'static, str>,
        add: impl FnOnce(&mut Registered, Cow<'static, str>),
    ) -> Result<Self, OrderError> {
        let mut registry = registry();
        let own = registry.find(self.seq).map(|r| r.info.name.clone());
        if own.as_deref() == Some(name.as_ref()) {
            drop(registry);
            return Err(OrderError::Itself { handle: self });
        }
        // Newest first: an edge most often names a hook registered just before.
        let known = registry
            .waiting
            .iter()
            .rev()
            .any(|(_, r)| r.as_ref().is_some_and(|r| r.info.name == name))
            || HOOKS.iter().any(|h| h.name == name);
        if !known {
            drop(registry);
            return Err(OrderError::NoSuchHook {
                name: name.into_owned(),
                handle: self,
            });
        }
        if let Some(r) = registry.find(self.seq) {
            add(r, name);
        }
        drop(registry);
        Ok(self)
    }

    /// Run this hook in the final stage: after graceful's report has gone to its sinks (text,
    /// JSON, `log`, `tracing`), within what is left of the deadline; the place to flush
    /// telemetry. Its outcome cannot change the exit, which the report gave.
    ///
    /// ```
    /// # use graceful_runtime as graceful;
    /// let h = graceful::on_shutdown("flush traces", || ()).final_stage();
    /// # h.cancel();
    /// ```
    pub fn final_stage(self) -> Self {
        self.edit(|i| i.last = true);
        self
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

/// The registered closures, described (no job), for [`hooks()`](super::hooks).
pub(super) fn list() -> Vec<Planned> {
    registry()
        .waiting
        .iter()
        .filter_map(|(_, r)| {
            let r = r.as_ref()?;
            Some(Planned {
                info: r.info.clone(),
                job: None,
                edges: r.edges(),
            })
        })
        .collect()
}

/// An edge [`HookHandle::after`] or [`HookHandle::before`] could not add. The handle is kept
/// in it: the hook itself stays registered either way.
#[derive(Debug)]
#[non_exhaustive]
pub enum OrderError {
    /// No hook of that name is registered (yet): static hooks are named by their `name` (the
    /// function's, unless `name = ".."`), closures by the name given to `on_shutdown`.
    NoSuchHook {
        /// The name asked for.
        name: String,
        /// The hook's handle.
        handle: HookHandle,
    },
    /// The name is the hook's own.
    Itself {
        /// The hook's handle.
        handle: HookHandle,
    },
}

impl OrderError {
    /// The handle of the hook the edge was for.
    pub fn into_handle(self) -> HookHandle {
        match self {
            OrderError::NoSuchHook { handle, .. } | OrderError::Itself { handle } => handle,
        }
    }
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrderError::NoSuchHook { name, .. } => write!(
                f,
                "no hook named {name:?} is registered: name a #[graceful::on_shutdown] hook (its \
                 name = \"..\", else its function's name) or a closure registered before this call"
            ),
            OrderError::Itself { .. } => f.write_str("a hook cannot run after or before itself"),
        }
    }
}

impl std::error::Error for OrderError {}

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
            edges: r.edges(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_to_no_hook_or_to_itself_is_refused_and_the_hook_stays() {
        let hook = on_shutdown("graceful-unit-edge", || ());
        let refused = hook.after("graceful-unit-no-such-hook").unwrap_err();
        let message = refused.to_string();
        assert!(
            message.contains("no hook named \"graceful-unit-no-such-hook\" is registered")
                && message.contains("(its name = \"..\", else its function's name)")
                && !message.contains("  "),
            "{message}"
        );
        let hook = refused.into_handle();
        let refused = hook.before("graceful-unit-edge").unwrap_err();
        assert!(matches!(refused, OrderError::Itself { .. }));
        assert!(refused.into_handle().cancel(), "still registered");
    }
}
