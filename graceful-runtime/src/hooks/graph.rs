//! The order of a stop, as a graph: stages (`order`, then the final stage) are barriers, and
//! within a stage `after`/`before` edges sequence hooks. One pure function turns hooks in their
//! base order and their edges into the run order, or says why there is none (a cycle, an edge
//! against the stages). The runner walks what it returns: a hook is ready when its stage has
//! begun and every hook it runs after has ended.

use std::{cmp::Reverse, collections::BinaryHeap, fmt};

/// A hook's stage: `order`, or the final stage after the report, which comes after all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// The stage of this `order`: every hook of a lower one has ended before it starts.
    Order(i32),
    /// The final stage: after graceful's report has gone to its sinks (`final`).
    Final,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stage::Order(order) => write!(f, "order {order}"),
            Stage::Final => f.write_str("the final stage"),
        }
    }
}

/// Why the hooks have no order to run in. Described with the hooks' own descriptions (name,
/// stage, where declared).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphError {
    /// These hooks each run after the one before them, and the first after the last.
    Cycle(Vec<String>),
    /// `later` is to run after `earlier`, whose stage comes after its own.
    AgainstStages {
        /// The hook that is to run after the other.
        later: String,
        /// The hook it names, in a later stage.
        earlier: String,
    },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::Cycle(hooks) => {
                f.write_str("the hooks' after/before form a cycle: ")?;
                for hook in hooks {
                    write!(f, "{hook} runs after ")?;
                }
                write!(
                    f,
                    "{}; take one of these edges out",
                    hooks.first().map_or("", String::as_str)
                )
            }
            GraphError::AgainstStages { later, earlier } => write!(
                f,
                "{later} is to run after {earlier}, whose stage comes later: stages (order, \
                 then final) run one after another; give them one stage, or drop the edge"
            ),
        }
    }
}

impl std::error::Error for GraphError {}

/// The run order, and what the runner needs to walk it: positions are in run order.
#[derive(Debug)]
pub(crate) struct Graph {
    /// For each position: how many hooks of its stage it runs after.
    pub(crate) preds: Vec<u32>,
    /// The positions each position's successors start at in `succ` (one more than hooks).
    succ_start: Vec<u32>,
    succ: Vec<u32>,
    /// Where each stage ends (exclusive), in run order; the last is the number of hooks.
    pub(crate) stage_ends: Vec<usize>,
}

impl Graph {
    /// No hook.
    pub(crate) const fn new() -> Graph {
        Graph {
            preds: Vec::new(),
            succ_start: Vec::new(),
            succ: Vec::new(),
            stage_ends: Vec::new(),
        }
    }

    /// The hooks that run after the hook at `at`, within its stage.
    pub(crate) fn successors(&self, at: usize) -> &[u32] {
        match (self.succ_start.get(at), self.succ_start.get(at + 1)) {
            (Some(&a), Some(&b)) => &self.succ[a as usize..b as usize],
            _ => &[],
        }
    }

    /// A graph with no edge, for hooks already in run order in these `stages`.
    pub(crate) fn unordered(stages: &[Stage]) -> Graph {
        let mut graph = Graph {
            preds: vec![0; stages.len()],
            ..Graph::new()
        };
        graph.stage_ends = stage_ends(stages);
        graph
    }

    /// Insert `count` hooks at position `at` (registered during the run, put before the final
    /// stage), as a stage of their own, unordered.
    pub(crate) fn insert_unordered(&mut self, at: usize, count: usize) {
        self.preds.splice(at..at, std::iter::repeat_n(0, count));
        if !self.succ_start.is_empty() {
            let from = self.succ_start[at];
            self.succ_start
                .splice(at..at, std::iter::repeat_n(from, count));
            for next in &mut self.succ {
                if *next as usize >= at {
                    *next += count as u32;
                }
            }
        }
        let mut ends: Vec<usize> = self
            .stage_ends
            .iter()
            .copied()
            .filter(|&e| e <= at)
            .collect();
        ends.push(at + count);
        ends.extend(
            self.stage_ends
                .iter()
                .filter(|&&e| e > at)
                .map(|e| e + count),
        );
        self.stage_ends = ends;
    }

    /// Insert `count` hooks at `at`, the end of the last stage, into that stage, unordered
    /// (final closures registered during the run, after the final hooks already listed).
    pub(crate) fn extend_last_stage(&mut self, at: usize, count: usize) {
        self.preds.splice(at..at, std::iter::repeat_n(0, count));
        if !self.succ_start.is_empty() {
            let from = self.succ_start[at];
            self.succ_start
                .splice(at..at, std::iter::repeat_n(from, count));
        }
        if let Some(last) = self.stage_ends.last_mut() {
            *last += count;
        }
    }

    /// Where the stage that begins at `begin` ends.
    pub(crate) fn stage_end(&self, begin: usize) -> usize {
        self.stage_ends
            .iter()
            .copied()
            .find(|&e| e > begin)
            .unwrap_or(begin)
    }
}

fn stage_ends(stages: &[Stage]) -> Vec<usize> {
    let mut ends: Vec<usize> = (1..stages.len())
        .filter(|&i| stages[i] != stages[i - 1])
        .collect();
    if !stages.is_empty() {
        ends.push(stages.len());
    }
    ends
}

/// The run order of hooks given in base order with their `stages` (ascending), and `edges`
/// `(earlier, later)` between base positions: within each stage, the topological order that
/// keeps to the base order wherever the edges leave a choice. Returns the base position of each
/// run position, and the graph in run positions. `describe` names a hook for an error.
pub(crate) fn order(
    stages: &[Stage],
    edges: &[(usize, usize)],
    describe: &dyn Fn(usize) -> String,
) -> Result<(Vec<usize>, Graph), GraphError> {
    let n = stages.len();
    if edges.is_empty() {
        return Ok(((0..n).collect(), Graph::unordered(stages)));
    }
    // Edges within a stage only; one against the stages is an error, one along them is kept
    // by the stages already.
    let mut within: Vec<(u32, u32)> = Vec::with_capacity(edges.len());
    for &(a, b) in edges {
        if a == b {
            return Err(GraphError::Cycle(vec![describe(a)]));
        }
        match stages[a].cmp(&stages[b]) {
            std::cmp::Ordering::Equal => within.push((a as u32, b as u32)),
            std::cmp::Ordering::Greater => {
                return Err(GraphError::AgainstStages {
                    later: describe(b),
                    earlier: describe(a),
                });
            }
            std::cmp::Ordering::Less => {}
        }
    }
    within.sort_unstable();
    within.dedup();
    let (start, succ) = csr(n, &within);
    let mut preds = vec![0u32; n];
    for &(_, b) in &within {
        preds[b as usize] += 1;
    }
    // Kahn's algorithm, stage by stage, taking the lowest base position that is ready.
    let mut run = Vec::with_capacity(n);
    let mut left = preds.clone();
    let mut ready = BinaryHeap::new();
    let ends = stage_ends(stages);
    let mut begin = 0;
    for &end in &ends {
        ready.extend((begin..end).filter(|&i| left[i] == 0).map(Reverse));
        while let Some(Reverse(at)) = ready.pop() {
            run.push(at);
            for &next in &succ[start[at] as usize..start[at + 1] as usize] {
                let next = next as usize;
                left[next] -= 1;
                if left[next] == 0 {
                    ready.push(Reverse(next));
                }
            }
        }
        if run.len() < end {
            return Err(GraphError::Cycle(
                cycle_among(begin..end, &left, &within)
                    .into_iter()
                    .map(describe)
                    .collect(),
            ));
        }
        begin = end;
    }
    // Renumber into run positions.
    let mut position = vec![0u32; n];
    for (p, &b) in run.iter().enumerate() {
        position[b] = p as u32;
    }
    let renumbered: Vec<(u32, u32)> = {
        let mut e: Vec<(u32, u32)> = within
            .iter()
            .map(|&(a, b)| (position[a as usize], position[b as usize]))
            .collect();
        e.sort_unstable();
        e
    };
    let (succ_start, succ) = csr(n, &renumbered);
    let graph = Graph {
        preds: run.iter().map(|&b| preds[b]).collect(),
        succ_start,
        succ,
        stage_ends: ends,
    };
    Ok((run, graph))
}

/// Successor lists for `n` nodes from sorted edges.
fn csr(n: usize, edges: &[(u32, u32)]) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n + 1];
    for &(a, _) in edges {
        start[a as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    (start, edges.iter().map(|&(_, b)| b).collect())
}

/// One cycle among the hooks Kahn's algorithm could not place (`left` > 0), each running after
/// the next (and the last after the first): walk back from one to a hook it runs after that is
/// also stuck (each stuck hook has one), until one repeats.
fn cycle_among(range: std::ops::Range<usize>, left: &[u32], edges: &[(u32, u32)]) -> Vec<usize> {
    let stuck = |i: usize| range.contains(&i) && left[i] > 0;
    let Some(first) = range.clone().find(|&i| stuck(i)) else {
        return Vec::new();
    };
    let mut before: Vec<Option<usize>> = vec![None; left.len()];
    for &(a, b) in edges {
        let (a, b) = (a as usize, b as usize);
        if stuck(a) && stuck(b) && before[b].is_none() {
            before[b] = Some(a);
        }
    }
    let mut seen = vec![usize::MAX; left.len()];
    let mut path = Vec::new();
    let mut at = first;
    while seen[at] == usize::MAX {
        seen[at] = path.len();
        path.push(at);
        match before[at] {
            Some(prev) => at = prev,
            None => return path,
        }
    }
    // `path` walks backwards, each runs after the next: the cycle is its tail from `at`.
    path.split_off(seen[at])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(i: usize) -> String {
        format!("h{i}")
    }

    #[test]
    fn without_edges_the_base_order_stands_and_stages_are_found() {
        let stages = [
            Stage::Order(0),
            Stage::Order(0),
            Stage::Order(5),
            Stage::Final,
        ];
        let (run, graph) = order(&stages, &[], &name).unwrap();
        assert_eq!(run, [0, 1, 2, 3]);
        assert_eq!(graph.stage_ends, [2, 3, 4]);
        assert!((0..4).all(|i| graph.successors(i).is_empty()));
    }

    #[test]
    fn edges_reorder_within_a_stage_keeping_the_base_order_otherwise() {
        let stages = [Stage::Order(0); 4];
        // h0 after h3, h1 after h0.
        let (run, graph) = order(&stages, &[(3, 0), (0, 1)], &name).unwrap();
        assert_eq!(run, [2, 3, 0, 1]);
        assert_eq!(graph.preds, [0, 0, 1, 1]);
        assert_eq!(graph.successors(1), [2]);
        assert_eq!(graph.successors(2), [3]);
        assert!(graph.successors(0).is_empty());
    }

    #[test]
    fn an_edge_along_the_stages_is_kept_by_them_one_against_is_refused() {
        let stages = [Stage::Order(0), Stage::Order(1)];
        let (run, graph) = order(&stages, &[(0, 1)], &name).unwrap();
        assert_eq!(run, [0, 1]);
        assert_eq!(graph.preds, [0, 0]);
        assert_eq!(
            order(&stages, &[(1, 0)], &name).unwrap_err(),
            GraphError::AgainstStages {
                later: "h0".into(),
                earlier: "h1".into()
            }
        );
    }

    #[test]
    fn a_cycle_names_every_hook_on_it_in_order() {
        let stages = [Stage::Order(0); 5];
        // h1 -> h2 -> h3 -> h1, and h0 -> h1, h3 -> h4 hang off it.
        let edges = [(1, 2), (2, 3), (3, 1), (0, 1), (3, 4)];
        let Err(GraphError::Cycle(hooks)) = order(&stages, &edges, &name) else {
            panic!("no cycle found");
        };
        let mut sorted = hooks.clone();
        sorted.sort();
        assert_eq!(sorted, ["h1", "h2", "h3"]);
        // Each runs after the next (cyclically): h2 runs after h1.
        let at = |n: &str| hooks.iter().position(|h| h == n).unwrap();
        assert_eq!((at("h1") + hooks.len() - at("h2")) % hooks.len(), 1);
        assert_eq!(
            order(&stages, &[(2, 2)], &name).unwrap_err(),
            GraphError::Cycle(vec!["h2".into()])
        );
        let message = GraphError::Cycle(vec!["a".into(), "b".into()]).to_string();
        assert!(message.contains("a runs after b runs after a"), "{message}");
    }

    #[test]
    fn ten_thousand_hooks_in_a_chain_are_ordered() {
        let n = 10_000;
        let stages = vec![Stage::Order(0); n];
        // Each runs after the next: the run order is the reverse.
        let edges: Vec<(usize, usize)> = (0..n - 1).map(|i| (i + 1, i)).collect();
        let (run, graph) = order(&stages, &edges, &name).unwrap();
        assert_eq!(run[0], n - 1);
        assert_eq!(run[n - 1], 0);
        assert_eq!(graph.preds.iter().filter(|&&p| p == 0).count(), 1);
    }

    #[test]
    fn hooks_added_during_the_run_are_a_stage_of_their_own_before_the_final_one() {
        // Stage 0: h1 then h0; final: f0 then f1 (f1 after f0).
        let stages = [Stage::Order(0), Stage::Order(0), Stage::Final, Stage::Final];
        let (run, mut graph) = order(&stages, &[(1, 0), (2, 3)], &name).unwrap();
        assert_eq!(run, [1, 0, 2, 3]);
        graph.insert_unordered(2, 2);
        assert_eq!(graph.stage_ends, [2, 4, 6]);
        assert_eq!(graph.preds, [0, 1, 0, 0, 0, 1]);
        assert_eq!(graph.successors(0), [1]);
        assert!(graph.successors(2).is_empty() && graph.successors(3).is_empty());
        assert_eq!(
            graph.successors(4),
            [5],
            "the final stage's edge moved along"
        );
        assert_eq!(graph.stage_end(2), 4);
        let mut empty = Graph::new();
        empty.insert_unordered(0, 3);
        assert_eq!(
            (empty.stage_ends.as_slice(), empty.stage_end(0)),
            ([3].as_slice(), 3)
        );
    }

    #[test]
    fn final_closures_registered_during_the_run_join_the_final_stage_at_its_end() {
        // Stage 0: h0; final: f0 then f1 (f1 after f0).
        let stages = [Stage::Order(0), Stage::Final, Stage::Final];
        let (_, mut graph) = order(&stages, &[(1, 2)], &name).unwrap();
        graph.extend_last_stage(3, 2);
        assert_eq!(graph.stage_ends, [1, 5]);
        assert_eq!(graph.preds, [0, 0, 1, 0, 0]);
        assert_eq!(graph.successors(1), [2]);
        assert!(graph.successors(3).is_empty() && graph.successors(4).is_empty());
        assert_eq!(graph.stage_end(1), 5);
    }
}
