//! The hook registry: static hooks gathered across crates by linkme, closures registered at run
//! time, and the one order both run in.
//!
//! # Order
//! Stages run one after another: ascending `order`, then the final stage. Within a stage the
//! base order is: closures first, last-registered first (like nested `finally` blocks); static
//! hooks follow, sorted by module path and then name, so the order is stable from build to
//! build. `after`/`before` edges reorder a stage where they must (`graph.rs`); what they leave
//! free keeps the base order, or, with `concurrent_hooks`, runs at the same time.

mod closures;
pub(crate) mod graph;
mod plan;
mod result;

use std::{borrow::Cow, cmp::Ordering, fmt, future::Future, pin::Pin, time::Duration};

pub(crate) use closures::{ClosureFn, start_closure, take_closures};
pub use closures::{HookHandle, HookJob, IntoHook, OrderError, marker, on_shutdown};
pub use graph::{GraphError, Stage};
pub use plan::{Plan, hooks};
pub(crate) use plan::{check_statics, in_base_order, plan, prepare};
pub use result::{HookReturn, async_hook, hook_result};

use crate::Shutdown;

/// What a hook returns once its own return type is normalised: `Err` holds its message.
pub type HookResult = Result<(), String>;

/// An async hook's future, boxed.
pub type HookFuture = Pin<Box<dyn Future<Output = HookResult>>>;

/// An async closure hook's future, boxed: made at registration, so it may cross threads.
pub(crate) type SendHookFuture = Pin<Box<dyn Future<Output = HookResult> + Send>>;

/// A hook declared with `#[graceful::on_shutdown]`. Not public API: used by generated code.
#[doc(hidden)]
pub struct StaticHook {
    /// What `after = path` on other hooks names: `<path as Hook>::HOOK`.
    pub id: HookRef,
    pub name: &'static str,
    pub order: i32,
    pub timeout: Option<Duration>,
    pub module: &'static str,
    pub file: &'static str,
    pub line: u32,
    pub run: HookFn,
    /// `after = [..]`: the hooks this one runs after.
    pub after: &'static [HookRef],
    /// `before = [..]`: the hooks this one runs before.
    pub before: &'static [HookRef],
    /// `final`: runs in the final stage, after the report has gone to its sinks.
    pub last: bool,
}

/// The hook a `#[graceful::on_shutdown]` function registered, reached through the type the
/// attribute declares beside it (same name, type namespace). `after = path` names
/// `<path as Hook>::HOOK`, so a path that is no hook is a compile error. Not public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a #[graceful::on_shutdown] hook",
    label = "`after` and `before` name functions marked #[graceful::on_shutdown]",
    note = "a closure hook is ordered by name at run time: HookHandle::after(\"name\")"
)]
pub trait Hook {
    /// Its identity.
    const HOOK: HookRef;
}

/// A static hook's identity: the address of a static of its own, beside its registration.
/// Not the registration itself, so that hooks that name each other (a cycle, to be reported)
/// do not make their registrations' initializers depend on each other, and not a function,
/// which each edge would make the compiler generate. Not public API.
#[doc(hidden)]
pub type HookRef = &'static HookId;

/// What a [`HookRef`] points at: one byte, so that two are never at one address. Not public
/// API.
#[doc(hidden)]
#[derive(Debug)]
pub struct HookId(#[allow(dead_code)] u8);

impl HookId {
    /// A hook's identity, for its own static.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> HookId {
        HookId(0)
    }
}

impl StaticHook {
    /// A hook with order 0 and no timeout of its own, declared `at` (module, file, line): the
    /// attribute writes only the options given, on top of this.
    pub const fn new(
        id: HookRef,
        name: &'static str,
        at: (&'static str, &'static str, u32),
        run: HookFn,
    ) -> Self {
        let (module, file, line) = at;
        StaticHook {
            id,
            name,
            order: 0,
            timeout: None,
            module,
            file,
            line,
            run,
            after: &[],
            before: &[],
            last: false,
        }
    }

    /// `after = [..]`.
    pub const fn after(mut self, hooks: &'static [HookRef]) -> Self {
        self.after = hooks;
        self
    }

    /// `before = [..]`.
    pub const fn before(mut self, hooks: &'static [HookRef]) -> Self {
        self.before = hooks;
        self
    }

    /// `final`.
    pub const fn final_stage(mut self) -> Self {
        self.last = true;
        self
    }

    /// `order = N`.
    pub const fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }

    /// `timeout = ".."`, in milliseconds.
    pub const fn timeout_ms(mut self, ms: u64) -> Self {
        self.timeout = Some(Duration::from_millis(ms));
        self
    }
}

impl fmt::Debug for StaticHook {
    /// The edges by count: a hook's identity says nothing more.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |hooks: &[HookRef]| hooks.len();
        f.debug_struct("StaticHook")
            .field("name", &self.name)
            .field("order", &self.order)
            .field("timeout", &self.timeout)
            .field("module", &self.module)
            .field("at", &(self.file, self.line))
            .field("after", &names(self.after))
            .field("before", &names(self.before))
            .field("final", &self.last)
            .finish_non_exhaustive()
    }
}

/// What a static hook runs. Not public API: used by generated code.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum HookFn {
    /// A plain `fn`.
    Sync(fn(&Shutdown) -> HookResult),
    /// An `async fn`: awaited on the program's runtime when `main` is async, else on a small
    /// built-in executor (a current-thread tokio runtime with the `tokio` feature).
    Async(fn(Shutdown) -> HookFuture),
}

/// Every `#[graceful::on_shutdown]` in the binary, gathered at link time. Not public API.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static HOOKS: [StaticHook];

/// A registered hook, as [`hooks()`] lists it.
///
/// ```
/// # use graceful_runtime as graceful;
/// let handle = graceful::on_shutdown("close pool", || ());
/// let listed = graceful::hooks();
/// assert!(listed.iter().any(|h| h.name() == "close pool" && h.order() == 0));
/// handle.cancel();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookInfo {
    pub(crate) name: Cow<'static, str>,
    pub(crate) order: i32,
    pub(crate) timeout: Option<Duration>,
    pub(crate) module: Option<&'static str>,
    pub(crate) file: &'static str,
    pub(crate) line: u32,
    /// Closures only: registration sequence, for last-registered-first.
    pub(crate) seq: Option<u64>,
    /// In the final stage (`final`).
    pub(crate) last: bool,
    /// The hooks it runs after, by name, as the plan resolved its edges (either side's).
    pub(crate) after: Vec<Cow<'static, str>>,
}

impl HookInfo {
    /// The hook's name: the function's name unless `name = "..."` was given.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its `order`: lower runs earlier; closures default to 0.
    pub fn order(&self) -> i32 {
        self.order
    }
    /// Its own time limit, if it has one.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }
    /// The module that declared it (static hooks only).
    pub fn module(&self) -> Option<&'static str> {
        self.module
    }
    /// The source file and line where it was declared or registered.
    pub fn location(&self) -> (&'static str, u32) {
        (self.file, self.line)
    }
    /// `true` for a closure registered with [`on_shutdown`].
    pub fn is_closure(&self) -> bool {
        self.seq.is_some()
    }
    /// Its stage: its `order`, or the final stage.
    pub fn stage(&self) -> Stage {
        if self.last {
            Stage::Final
        } else {
            Stage::Order(self.order)
        }
    }
    /// The hooks of its stage it runs after, by name (its own `after`, and others' `before`).
    /// Filled in by [`hooks()`] and the stop's plan.
    pub fn after(&self) -> impl Iterator<Item = &str> {
        self.after.iter().map(|n| n.as_ref())
    }

    pub(crate) fn of_static(h: &StaticHook) -> HookInfo {
        HookInfo {
            name: Cow::Borrowed(h.name),
            order: h.order,
            timeout: h.timeout,
            module: Some(h.module),
            file: h.file,
            line: h.line,
            seq: None,
            last: h.last,
            after: Vec::new(),
        }
    }

    /// The base order: the stage, then closures (newest first), then statics by module and
    /// name.
    pub(crate) fn run_order(&self, other: &HookInfo) -> Ordering {
        self.stage()
            .cmp(&other.stage())
            .then_with(|| match (self.seq, other.seq) {
                (Some(a), Some(b)) => b.cmp(&a),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => (self.module, &self.name).cmp(&(other.module, &other.name)),
            })
    }
}

impl fmt::Display for HookInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.last {
            false => write!(f, "{:?} (order {}, ", self.name, self.order)?,
            true => write!(f, "{:?} (final, ", self.name)?,
        }
        write!(f, "{}:{})", self.file, self.line)
    }
}

/// What a hook runs.
pub(crate) enum Job {
    Static(HookFn),
    Closure(ClosureFn),
    AsyncClosure(SendHookFuture),
}

/// Where a hook's edges come from: a static hook's `after`/`before` paths, or a closure's
/// names.
pub(crate) enum Edges {
    Static(&'static StaticHook),
    Named {
        after: Vec<Cow<'static, str>>,
        before: Vec<Cow<'static, str>>,
    },
}

impl Edges {
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Edges::Static(h) => h.after.is_empty() && h.before.is_empty(),
            Edges::Named { after, before } => after.is_empty() && before.is_empty(),
        }
    }
}

/// A hook ready to run: its description, its edges and, until it is claimed, its job.
pub(crate) struct Planned {
    pub(crate) info: HookInfo,
    pub(crate) job: Option<Job>,
    pub(crate) edges: Edges,
}

impl Planned {
    /// The base order (one comparator, so the sort is compiled once).
    pub(crate) fn run_order(a: &Planned, b: &Planned) -> Ordering {
        a.info.run_order(&b.info)
    }

    pub(crate) fn of_static(h: &'static StaticHook) -> Planned {
        Planned {
            info: HookInfo::of_static(h),
            job: Some(Job::Static(h.run)),
            edges: Edges::Static(h),
        }
    }
}
