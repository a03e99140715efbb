//! The plan: every hook in its stage, its edges resolved, in the order the stop runs them. The
//! static hooks' part is arranged once, ahead of need (at install when they have edges, so a
//! cycle exits 78 before the body runs; else by the watchdog at start-up); the stop adds the
//! closures. [`hooks()`] shows the same plan without stopping.

use std::{
    borrow::Cow,
    collections::HashMap,
    fmt,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
};

use super::{
    Edges, HOOKS, HookId, HookInfo, HookRef, Planned, closures,
    graph::{self, Graph, GraphError, Stage},
};

/// Hooks in run order, with the graph the runner walks.
pub(crate) struct Arranged {
    pub(crate) planned: Vec<Planned>,
    pub(crate) graph: Graph,
    /// Why the edges were dropped, when they admit no order (closures' only: the static
    /// hooks' are checked at install).
    pub(crate) problem: Option<GraphError>,
}

/// Arrange `planned` (any order): the base order, then the edges. Edges that admit no order
/// are dropped, the closures' whole (the static hooks' still hold, unless they too admit none),
/// and the hooks run in the base order otherwise: each still runs once.
pub(crate) fn arrange(planned: Vec<Planned>) -> Arranged {
    let mut planned = in_base_order(planned);
    let stages: Vec<Stage> = planned.iter().map(|p| p.info.stage()).collect();
    let (edges, statics) = if planned.iter().all(|p| p.edges.is_empty()) {
        (Vec::new(), 0)
    } else {
        resolve(&planned)
    };
    let describe = |planned: &[Planned], i: usize| planned[i].info.to_string();
    let problem = match graph::order(&stages, &edges, &|i| describe(&planned, i)) {
        Ok((run, graph)) => {
            name_edges(&mut planned, &edges);
            return Arranged {
                planned: permute(planned, &run),
                graph,
                problem: None,
            };
        }
        Err(problem) => problem,
    };
    // The closures' edges are dropped; the static hooks' (checked at install) still hold.
    let edges = &edges[..statics];
    match graph::order(&stages, edges, &|i| describe(&planned, i)) {
        Ok((run, graph)) => {
            name_edges(&mut planned, edges);
            Arranged {
                planned: permute(planned, &run),
                graph,
                problem: Some(problem),
            }
        }
        Err(_) => Arranged {
            graph: Graph::unordered(&stages),
            planned,
            problem: Some(problem),
        },
    }
}

/// The edges `(earlier, later)`, in base positions: a static hook's by identity, a closure's by
/// name (every hook of that name). An edge to a hook not in the plan (a closure cancelled)
/// orders nothing. The static hooks' come first; how many they are is the second value.
fn resolve(planned: &[Planned]) -> (Vec<(usize, usize)>, usize) {
    let at: HashMap<*const HookId, usize> = planned
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p.edges {
            Edges::Static(h) => Some((h.id as *const HookId, i)),
            Edges::Named { .. } => None,
        })
        .collect();
    let named = planned
        .iter()
        .any(|p| matches!(&p.edges, Edges::Named { .. }) && !p.edges.is_empty());
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    if named {
        for (i, p) in planned.iter().enumerate() {
            by_name.entry(p.info.name()).or_default().push(i);
        }
    }
    let mut edges = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        if let Edges::Static(h) = &p.edges {
            let find = |r: &HookRef| at.get(&(*r as *const HookId)).copied();
            edges.extend(h.after.iter().filter_map(find).map(|a| (a, i)));
            edges.extend(h.before.iter().filter_map(find).map(|b| (i, b)));
        }
    }
    let statics = edges.len();
    for (i, p) in planned.iter().enumerate() {
        if let Edges::Named { after, before } = &p.edges {
            let find = |n: &Cow<'static, str>| by_name.get(n.as_ref()).into_iter().flatten();
            edges.extend(after.iter().flat_map(find).map(|&a| (a, i)));
            edges.extend(before.iter().flat_map(find).map(|&b| (i, b)));
        }
    }
    (edges, statics)
}

/// Each hook's `after`, by name, for the plan as it is shown.
fn name_edges(planned: &mut [Planned], edges: &[(usize, usize)]) {
    for &(a, b) in edges {
        if a != b {
            let name = planned[a].info.name.clone();
            if !planned[b].info.after.contains(&name) {
                planned[b].info.after.push(name);
            }
        }
    }
}

/// `planned` in the base order, sorted by index and then moved once: a hook's description is
/// large, and a sort moves its elements many times over.
pub(crate) fn in_base_order(planned: Vec<Planned>) -> Vec<Planned> {
    let mut base: Vec<usize> = (0..planned.len()).collect();
    base.sort_by(|&a, &b| Planned::run_order(&planned[a], &planned[b]));
    permute(planned, &base)
}

/// `planned` in the order `run` gives (positions into it), in place: each cycle of the
/// permutation is followed once, with swaps, so no second list of hooks is allocated.
fn permute(mut planned: Vec<Planned>, run: &[usize]) -> Vec<Planned> {
    let mut from: Vec<usize> = run.to_vec();
    for start in 0..from.len() {
        let mut at = start;
        // `planned[at]` is to become the hook now at `from[at]`; the one carried along the
        // cycle (the start's) lands where the cycle closes.
        while from[at] != usize::MAX {
            let next = from[at];
            from[at] = usize::MAX;
            if next == start {
                break;
            }
            planned.swap(at, next);
            at = next;
        }
    }
    planned
}

/// The static hooks, arranged ahead of need.
static PREPARED: Mutex<Option<Arranged>> = Mutex::new(None);
/// The stop took the plan (set under `PREPARED`'s lock): arranging them ahead is too late.
static TAKEN: AtomicBool = AtomicBool::new(false);

fn statics() -> Arranged {
    arrange(HOOKS.iter().map(Planned::of_static).collect())
}

/// Arrange the static hooks now, off the path from a signal to the first hook (the watchdog
/// calls this at start-up): in a process that slept since, that path would otherwise take the
/// page faults of reading the hooks' section and allocating the plan.
pub(crate) fn prepare() {
    // The lock is held while arranging: a stop that comes meanwhile waits for this rather than
    // doing it a second time beside it.
    let mut prepared = PREPARED.lock().unwrap_or_else(PoisonError::into_inner);
    if prepared.is_none() && !TAKEN.load(Ordering::Relaxed) {
        *prepared = Some(statics());
    }
}

/// At install: the static hooks' edges admit an order, or why not (exit 78). Only hooks with
/// edges cost anything here; the arrangement is kept for the stop.
pub(crate) fn check_statics() -> Result<(), GraphError> {
    if HOOKS
        .iter()
        .all(|h| h.after.is_empty() && h.before.is_empty())
    {
        return Ok(());
    }
    let mut prepared = PREPARED.lock().unwrap_or_else(PoisonError::into_inner);
    let arranged = prepared.get_or_insert_with(statics);
    match &arranged.problem {
        Some(problem) => Err(problem.clone()),
        None => Ok(()),
    }
}

/// Every static hook and every closure, arranged. The closures are taken out of the registry:
/// each runs at most once.
pub(crate) fn plan() -> Arranged {
    let prepared = {
        let mut prepared = PREPARED.lock().unwrap_or_else(PoisonError::into_inner);
        TAKEN.store(true, Ordering::Relaxed);
        prepared.take()
    };
    let closures = closures::take_closures();
    match prepared {
        Some(prepared) if closures.is_empty() => prepared,
        Some(prepared) => {
            let mut all = prepared.planned;
            all.extend(closures);
            arrange(all)
        }
        None => {
            let mut all: Vec<Planned> = HOOKS.iter().map(Planned::of_static).collect();
            all.extend(closures);
            arrange(all)
        }
    }
}

/// The stop's plan, as [`hooks()`] shows it: the hooks in the order they will run, each with
/// its stage and the hooks it runs after. It derefs to the list; its `Display` is the plan for
/// a reader:
///
/// ```text
/// the stop's plan: 3 hooks in 2 stages, sequential
/// order 0:
///   1. "close_pool" (order 0, src/db.rs:10)
///   2. "flush" (order 0, src/main.rs:5), after "close_pool"
/// the final stage (after the report):
///   3. "flush_telemetry" (final, src/otel.rs:3)
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    hooks: Vec<HookInfo>,
    concurrent: bool,
    problem: Option<GraphError>,
}

impl Plan {
    /// Why the edges give no order (a cycle, an edge against the stages), if they do not; the
    /// hooks then run in their base order. The static hooks' edges are checked at install
    /// (exit 78), so this concerns closures.
    pub fn problem(&self) -> Option<&GraphError> {
        self.problem.as_ref()
    }

    /// Whether hooks that nothing orders run at the same time (`concurrent_hooks`).
    pub fn is_concurrent(&self) -> bool {
        self.concurrent
    }
}

impl std::ops::Deref for Plan {
    type Target = [HookInfo];
    fn deref(&self) -> &[HookInfo] {
        &self.hooks
    }
}

impl IntoIterator for Plan {
    type Item = HookInfo;
    type IntoIter = std::vec::IntoIter<HookInfo>;
    fn into_iter(self) -> Self::IntoIter {
        self.hooks.into_iter()
    }
}

impl<'a> IntoIterator for &'a Plan {
    type Item = &'a HookInfo;
    type IntoIter = std::slice::Iter<'a, HookInfo>;
    fn into_iter(self) -> Self::IntoIter {
        self.hooks.iter()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut stages: Vec<Stage> = self.hooks.iter().map(HookInfo::stage).collect();
        stages.dedup();
        writeln!(
            f,
            "the stop's plan: {} hook{} in {} stage{}, {}",
            self.hooks.len(),
            if self.hooks.len() == 1 { "" } else { "s" },
            stages.len(),
            if stages.len() == 1 { "" } else { "s" },
            if self.concurrent {
                "concurrent (hooks that nothing orders run at the same time)"
            } else {
                "sequential"
            }
        )?;
        if let Some(problem) = &self.problem {
            writeln!(f, "the edges are dropped: {problem}")?;
        }
        let mut stage = None;
        for (i, hook) in self.hooks.iter().enumerate() {
            if stage != Some(hook.stage()) {
                stage = Some(hook.stage());
                match hook.stage() {
                    Stage::Order(order) => writeln!(f, "order {order}:")?,
                    Stage::Final => writeln!(f, "the final stage (after the report):")?,
                }
            }
            write!(f, "  {}. {hook}", i + 1)?;
            for (k, after) in hook.after().enumerate() {
                write!(f, "{}{after:?}", if k == 0 { ", after " } else { ", " })?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// The registered hooks in the order they will run, static and closures alike: the stop's
/// plan, without stopping. Print it to see what a binary will do (`GRACEFUL_PLAN=1` prints
/// it at start-up, before the body runs).
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::{hooks, on_shutdown};
/// let first = on_shutdown("registered first", || ());
/// let second = on_shutdown("registered second", || ());
/// let plan = hooks();
/// let pos = |n: &str| plan.iter().position(|h| h.name() == n).unwrap();
/// assert!(pos("registered second") < pos("registered first")); // last registered first
/// println!("{plan}");
/// # first.cancel(); second.cancel();
/// ```
pub fn hooks() -> Plan {
    let mut all: Vec<Planned> = HOOKS.iter().map(Planned::of_static).collect();
    all.extend(closures::list());
    let arranged = arrange(all);
    Plan {
        hooks: arranged.planned.into_iter().map(|p| p.info).collect(),
        concurrent: crate::config::in_force().is_some_and(|c| c.concurrent_hooks),
        problem: arranged.problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &'static str, seq: u64, after: &[&'static str]) -> Planned {
        Planned {
            info: HookInfo {
                name: Cow::Borrowed(name),
                order: 0,
                timeout: None,
                module: None,
                file: "f.rs",
                line: 1,
                seq: Some(seq),
                last: false,
                after: Vec::new(),
            },
            job: None,
            edges: Edges::Named {
                after: after.iter().map(|n| Cow::Borrowed(*n)).collect(),
                before: Vec::new(),
            },
        }
    }

    fn names(arranged: &Arranged) -> Vec<&str> {
        arranged.planned.iter().map(|p| p.info.name()).collect()
    }

    #[test]
    fn a_permutation_is_applied_in_place_whatever_its_cycles() {
        let hooks = ["a", "b", "c", "d", "e"];
        let planned: Vec<Planned> = hooks.iter().map(|n| named(n, 0, &[])).collect();
        let run = [3, 0, 4, 1, 2];
        let after = permute(planned, &run);
        let names: Vec<&str> = after.iter().map(|p| p.info.name()).collect();
        assert_eq!(names, ["d", "a", "e", "b", "c"]);
    }

    #[test]
    fn named_edges_reorder_the_base_order_and_are_shown_on_the_later_hook() {
        // Base order: newest first (c, b, a); `c` runs after `a`.
        let arranged = arrange(vec![
            named("a", 1, &[]),
            named("b", 2, &[]),
            named("c", 3, &["a", "gone"]),
        ]);
        assert!(arranged.problem.is_none());
        assert_eq!(names(&arranged), ["b", "a", "c"]);
        let c = &arranged.planned[2].info;
        assert_eq!(
            c.after().collect::<Vec<_>>(),
            ["a"],
            "a name of no hook orders nothing"
        );
    }

    #[test]
    fn a_cycle_among_closures_drops_the_edges_and_keeps_every_hook_once() {
        let arranged = arrange(vec![named("a", 1, &["b"]), named("b", 2, &["a"])]);
        assert!(matches!(arranged.problem, Some(GraphError::Cycle(ref on)) if on.len() == 2));
        assert_eq!(names(&arranged), ["b", "a"], "the base order");
        assert!(arranged.graph.successors(0).is_empty());
    }
}
