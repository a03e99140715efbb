//! One run of the hooks, as state: which hooks are ready, which run where, which were left
//! behind. No thread and no clock here: the runner's threads and the watchdog call in with the
//! time, under the run's lock.
//!
//! Hooks run on *lanes*: a lane is a thread running hooks one after another, named by a number
//! never reused. A sequential run has one lane; a concurrent one opens a lane for each hook that
//! is ready while another runs (up to `MAX_LANES`). A lane claims the ready hook that comes
//! first in the plan; with nothing ready while others run, it retires. A hook that ends makes
//! ready the hooks that ran after it alone; a stage whose hooks have all ended opens the next.
//! The lane that finds every hook ended gets `Done`, once. A hook past its timeout is *left
//! behind*: it counts as ended, its lane is dropped (its thread, if its hook ever returns, finds
//! it so and stops) and a fresh lane carries on.
//!
//! The final stage is held back until the report is out: the run is `Done` before it, and
//! `open_final` then starts it on the concluding thread.

use std::{cmp::Reverse, collections::BinaryHeap};

use crate::{
    clock,
    event::AfterTimeout,
    exit_code::Decision,
    hooks::{self, HookFn, HookInfo, Job, Planned, graph::Graph},
    report::{Event, HookOutcome},
    state::STATE,
};

/// Nanoseconds from the start of the stop (as the report counts) to `t`.
pub(super) fn since_stop(t: u64) -> u64 {
    t.saturating_sub(STATE.deadline_base().unwrap_or(t))
}

/// At most this many lanes at once: hooks beyond wait for one to come free.
pub(crate) const MAX_LANES: usize = 256;

/// The hook a lane runs.
pub(super) struct Current {
    pub(super) index: usize,
    pub(super) started: u64,
    pub(super) deadline: Option<u64>,
    pub(super) is_async: bool,
    /// An async hook the watchdog cancelled, and when.
    pub(super) cancelled_at: Option<u64>,
}

struct Lane {
    id: u64,
    /// The thread that will conclude (the one that claimed the cleanup; in the final stage,
    /// the concluding thread): with nothing to claim while others run, it waits rather than
    /// retire, and the run is `Done` on it, so that what follows (the exit, or main's own code
    /// after the install guard) happens on its thread.
    anchor: bool,
    current: Option<Current>,
    /// Since when the lane is between hooks (before its first, after each), while it is.
    between_since: Option<u64>,
}

/// How a lane's run ended.
pub(crate) enum Finish {
    /// Every hook ended: the caller concludes (or, in the final stage, ends the process).
    Done,
    /// The lane was dropped (taken over, left behind) or retired: the caller must not
    /// conclude.
    Superseded,
}

/// Why a lane got no hook.
pub(super) enum Unclaimed {
    /// The run, or this lane's part in it, is over.
    Finish(Finish),
    /// An anchor lane, with nothing ready while others run: it waits for one to end.
    Wait,
}

impl From<Finish> for Unclaimed {
    fn from(finish: Finish) -> Unclaimed {
        Unclaimed::Finish(finish)
    }
}

/// A hook a lane is about to run.
pub(super) struct Claimed {
    pub(super) index: usize,
    pub(super) job: Option<Job>,
    pub(super) info: HookInfo,
    pub(super) started: u64,
    /// Lanes to start now, for other hooks that are ready.
    pub(super) open: Vec<u64>,
}

/// What the watchdog sees of the run: each lane.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RunnerView {
    pub(crate) lanes: Vec<LaneView>,
}

/// One lane, as the watchdog sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LaneView {
    pub(crate) lane: u64,
    pub(crate) between_since: Option<u64>,
    pub(crate) hook: Option<HookView>,
}

/// The hook under way on a lane, as the watchdog sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HookView {
    pub(crate) deadline: Option<u64>,
    pub(crate) is_async: bool,
    pub(crate) cancelled_at: Option<u64>,
}

/// What the watchdog's look at an overdue hook led to.
pub(super) enum Overdue {
    /// An async hook to cancel: its task is to be woken.
    Cancel,
    /// Left behind: its event, and the lane that carries on.
    LeftBehind(Event, u64),
}

pub(crate) struct Run {
    pub(super) plan: Vec<Planned>,
    graph: Graph,
    /// For each hook: how many of those it runs after have not ended.
    left: Vec<u32>,
    ready: BinaryHeap<Reverse<usize>>,
    /// Where the stage under way ends (the next begins), and its hooks not yet ended.
    stage_end: usize,
    stage_left: usize,
    /// Where the final stage begins, held back until `open_final`.
    final_at: usize,
    final_open: bool,
    /// The exit the report gave, once the final stage is open.
    pub(super) decision: Option<Decision>,
    lanes: Vec<Lane>,
    next_lane: u64,
    width: usize,
    done: bool,
    /// Hooks past their timeout whose thread has not come back: (lane, description).
    left_behind: Vec<(u64, String)>,
    /// Final hooks' outcomes that fresh lanes are still to say (after the report): an anchor
    /// waits for them, so that the process does not end before they are said.
    pub(super) owed: usize,
    /// Anchor lanes waiting on the run's condition variable.
    pub(super) waiting: usize,
}

impl Run {
    pub(super) const fn new() -> Run {
        Run {
            plan: Vec::new(),
            graph: Graph::new(),
            left: Vec::new(),
            ready: BinaryHeap::new(),
            stage_end: 0,
            stage_left: 0,
            final_at: 0,
            final_open: false,
            decision: None,
            lanes: Vec::new(),
            next_lane: 0,
            width: 1,
            done: false,
            left_behind: Vec::new(),
            owed: 0,
            waiting: 0,
        }
    }

    /// Start with the arranged `plan` and its graph; returns the first lane's number.
    pub(super) fn start(
        &mut self,
        plan: Vec<Planned>,
        graph: Graph,
        concurrent: bool,
        now: u64,
    ) -> u64 {
        self.final_at = plan
            .iter()
            .position(|p| p.info.stage() == hooks::Stage::Final)
            .unwrap_or(plan.len());
        self.left = graph.preds.clone();
        self.plan = plan;
        self.graph = graph;
        self.width = if concurrent { MAX_LANES } else { 1 };
        // The first claim opens the first stage.
        self.stage_end = 0;
        self.stage_left = 0;
        self.add_anchor(now)
    }

    fn add_anchor(&mut self, now: u64) -> u64 {
        let id = self.add_lane(now);
        self.lanes.last_mut().expect("just added").anchor = true;
        id
    }

    fn add_lane(&mut self, now: u64) -> u64 {
        let id = self.next_lane;
        self.next_lane += 1;
        self.lanes.push(Lane {
            id,
            anchor: false,
            current: None,
            between_since: Some(now),
        });
        id
    }

    fn lane(&mut self, id: u64) -> Option<&mut Lane> {
        self.lanes.iter_mut().find(|l| l.id == id)
    }

    fn drop_lane(&mut self, id: u64) {
        self.lanes.retain(|l| l.id != id);
    }

    /// Open the stage that starts at `begin`: its hooks that run after none are ready.
    fn open_stage(&mut self, begin: usize) {
        let end = self.graph.stage_end(begin);
        self.stage_end = end;
        self.stage_left = end - begin;
        for i in begin..end {
            if self.left[i] == 0 {
                self.ready.push(Reverse(i));
            }
        }
    }

    /// The stage under way has ended: open the next, unless it is the final stage held back.
    /// `false` when there is none to open.
    fn next_stage(&mut self) -> bool {
        let begin = self.stage_end;
        if begin >= self.plan.len() || (begin == self.final_at && !self.final_open) {
            return false;
        }
        self.open_stage(begin);
        true
    }

    /// Closures registered while the hooks ran: a stage of their own for each of their
    /// `order`s, before the final stage, and those for the final stage at its end. `false` if
    /// none is to run now (or the final stage is under way: they come too late).
    fn take_late(&mut self) -> bool {
        let begin = self.stage_end;
        if self.final_open || begin != self.final_at {
            return false;
        }
        let late = hooks::take_closures();
        if late.is_empty() {
            return false;
        }
        let mut late = hooks::in_base_order(late);
        let split = late
            .iter()
            .position(|p| p.info.stage() == hooks::Stage::Final)
            .unwrap_or(late.len());
        let finals = late.split_off(split);
        if !finals.is_empty() {
            let (at, count) = (self.plan.len(), finals.len());
            match self.final_at < at {
                true => self.graph.extend_last_stage(at, count),
                false => self.graph.insert_unordered(at, count),
            }
            self.plan.extend(finals);
            self.left.extend(std::iter::repeat_n(0, count));
        }
        if late.is_empty() {
            return false;
        }
        let count = late.len();
        let mut at = begin;
        for group in late.chunk_by(|a, b| a.info.stage() == b.info.stage()) {
            self.graph.insert_unordered(at, group.len());
            at += group.len();
        }
        // Before the final stage: the final hooks move up by `count`.
        let finals = self.plan.split_off(begin);
        self.plan.extend(late);
        self.plan.extend(finals);
        self.left
            .splice(begin..begin, std::iter::repeat_n(0, count));
        self.final_at += count;
        self.open_stage(begin);
        true
    }

    /// Take the next ready hook for lane `id`. Closures cancelled since the plan was made are
    /// skipped; their jobs go to `discarded`, for the caller to drop once the lock is let go (a
    /// closure's captures are user code). An anchor lane that `may_wait` (a thread that can
    /// block) waits rather than retire.
    pub(super) fn claim(
        &mut self,
        id: u64,
        now: u64,
        may_wait: bool,
        discarded: &mut Vec<Job>,
    ) -> Result<Claimed, Unclaimed> {
        let Some(anchor) = self.lane(id).map(|l| l.anchor && may_wait) else {
            return Err(Finish::Superseded.into());
        };
        let index = loop {
            if let Some(Reverse(index)) = self.ready.pop() {
                match self.plan[index].info.seq {
                    Some(seq) if !hooks::start_closure(seq) => {
                        discarded.extend(self.plan[index].job.take());
                        self.ended(index);
                        continue;
                    }
                    _ => break index,
                }
            }
            if self.lanes.iter().any(|l| l.current.is_some()) || (anchor && self.owed > 0) {
                if anchor {
                    if let Some(lane) = self.lane(id) {
                        // Waiting, not stuck between hooks.
                        lane.between_since = None;
                    }
                    return Err(Unclaimed::Wait);
                }
                // Others run: one of them carries on when its hook ends.
                self.drop_lane(id);
                return Err(Finish::Superseded.into());
            }
            if self.stage_left == 0 && (self.next_stage() || self.take_late()) {
                continue;
            }
            if !anchor && self.lanes.iter().any(|l| l.anchor && l.id != id) {
                // The waiting anchor ends the run.
                self.drop_lane(id);
                return Err(Finish::Superseded.into());
            }
            // Lanes opened for hooks that others ran meanwhile have nothing left to do.
            self.lanes.clear();
            if std::mem::replace(&mut self.done, true) {
                return Err(Finish::Superseded.into());
            }
            return Err(Finish::Done.into());
        };
        let info = self.plan[index].info.clone();
        let job = self.plan[index].job.take();
        let is_async = matches!(
            job,
            Some(Job::Static(HookFn::Async(_)) | Job::AsyncClosure(_))
        );
        let lane = self.lane(id).expect("checked above");
        lane.current = Some(Current {
            index,
            started: now,
            deadline: info.timeout.map(|t| now.saturating_add(clock::ns(t))),
            is_async,
            cancelled_at: None,
        });
        lane.between_since = None;
        let idle = self.lanes.iter().filter(|l| l.current.is_none()).count();
        let wanted = self
            .ready
            .len()
            .saturating_sub(idle)
            .min(self.width.saturating_sub(self.lanes.len()));
        let open = (0..wanted).map(|_| self.add_lane(now)).collect();
        Ok(Claimed {
            index,
            job,
            info,
            started: now,
            open,
        })
    }

    /// A lane that was to start could not (no thread): its share falls to the others.
    pub(super) fn unopened(&mut self, id: u64) {
        self.drop_lane(id);
    }

    /// The hook at `index` ended (ran, left behind, or skipped): those that wait on it alone
    /// are ready.
    fn ended(&mut self, index: usize) {
        for &next in self.graph.successors(index) {
            let next = next as usize;
            self.left[next] -= 1;
            if self.left[next] == 0 {
                self.ready.push(Reverse(next));
            }
        }
        self.stage_left = self.stage_left.saturating_sub(1);
    }

    /// A hook ended (`None`: an async hook that went when cancelled). `Err` when this lane
    /// was left behind meanwhile. A hook the watchdog cancelled is reported as such, whatever
    /// it returned as it went.
    pub(super) fn complete(
        &mut self,
        id: u64,
        index: usize,
        outcome: Option<HookOutcome>,
        now: u64,
    ) -> Result<HookOutcome, Finish> {
        let Some(lane) = self
            .lane(id)
            .filter(|l| l.current.as_ref().is_some_and(|c| c.index == index))
        else {
            self.left_behind.retain(|(l, _)| *l != id);
            return Err(Finish::Superseded);
        };
        let cancelled = lane
            .current
            .take()
            .is_some_and(|c| c.cancelled_at.is_some());
        lane.between_since = Some(now);
        self.ended(index);
        Ok(match outcome {
            Some(outcome) if !cancelled => outcome,
            _ => HookOutcome::TimedOut {
                after: self.plan[index].info.timeout.unwrap_or_default(),
                then: AfterTimeout::Cancelled,
            },
        })
    }

    /// The hook lane `id` runs, if it still runs it.
    pub(super) fn current(&mut self, id: u64, index: usize) -> Option<&mut Current> {
        self.lane(id)?.current.as_mut().filter(|c| c.index == index)
    }

    /// Whether lane `id` still runs the hook at `index`.
    pub(super) fn runs(&self, id: u64, index: usize) -> bool {
        self.lanes
            .iter()
            .any(|l| l.id == id && l.current.as_ref().is_some_and(|c| c.index == index))
    }

    pub(super) fn view(&self) -> RunnerView {
        RunnerView {
            lanes: self
                .lanes
                .iter()
                .map(|l| LaneView {
                    lane: l.id,
                    between_since: l.between_since,
                    hook: l.current.as_ref().map(|c| HookView {
                        deadline: c.deadline,
                        is_async: c.is_async,
                        cancelled_at: c.cancelled_at,
                    }),
                })
                .collect(),
        }
    }

    /// The hook under way on lane `id` is past its deadline: cancel it (async, first time) or
    /// leave it behind.
    pub(super) fn time_out(&mut self, id: u64, now: u64, leave: bool) -> Option<Overdue> {
        let lane = self.lane(id)?;
        let c = lane.current.as_mut()?;
        if c.deadline.is_none_or(|d| now < d) {
            return None;
        }
        if c.is_async && !leave {
            if c.cancelled_at.is_some() {
                return None;
            }
            // Reported when it goes (by the runner), or when it does not (left behind).
            c.cancelled_at = Some(now);
            return Some(Overdue::Cancel);
        }
        let (index, started) = (c.index, c.started);
        let info = self.plan[index].info.clone();
        let event = Event::Hook {
            outcome: HookOutcome::TimedOut {
                after: info.timeout.unwrap_or_default(),
                then: AfterTimeout::LeftRunning,
            },
            took_ns: now.saturating_sub(started),
            started_ns: since_stop(started),
            info: info.clone(),
        };
        self.drop_lane(id);
        self.left_behind.push((id, format!("hook {info}")));
        self.ended(index);
        Some(Overdue::LeftBehind(event, self.add_lane(now)))
    }

    /// The hook lane `id` runs ends here, with `outcome`, and a fresh lane carries on (its
    /// thread cannot: it is unwinding). The event, and the fresh lane; `None` if the lane no
    /// longer runs that hook.
    pub(super) fn end_here(
        &mut self,
        id: u64,
        index: usize,
        outcome: HookOutcome,
        now: u64,
    ) -> Option<(Event, u64)> {
        let c = self.lane(id)?.current.take_if(|c| c.index == index)?;
        self.drop_lane(id);
        self.ended(index);
        let event = Event::Hook {
            info: self.plan[index].info.clone(),
            outcome,
            took_ns: now.saturating_sub(c.started),
            started_ns: since_stop(c.started),
        };
        Some((event, self.add_lane(now)))
    }

    /// Lanes stuck between hooks for `patience`: each is replaced by a fresh one. The fresh
    /// lanes' numbers.
    pub(super) fn take_over_between(&mut self, now: u64, patience: u64) -> Vec<u64> {
        let stuck: Vec<u64> = self
            .lanes
            .iter()
            .filter(|l| {
                l.current.is_none()
                    && l.between_since
                        .is_some_and(|since| now.saturating_sub(since) >= patience)
            })
            .map(|l| l.id)
            .collect();
        stuck
            .into_iter()
            .map(|id| {
                self.drop_lane(id);
                self.add_lane(now)
            })
            .collect()
    }

    /// The run is `Done` up to the final stage, and the report gave `decision`: open the final
    /// stage, on a fresh lane (returned); `None` if there is no final hook.
    pub(super) fn open_final(&mut self, decision: Decision, now: u64) -> Option<u64> {
        self.decision = Some(decision);
        if self.final_open || self.final_at >= self.plan.len() {
            return None;
        }
        self.final_open = true;
        self.done = false;
        if !self.next_stage() {
            return None;
        }
        Some(self.add_anchor(now))
    }

    /// Whether the final stage is under way.
    pub(super) fn in_final(&self) -> bool {
        self.final_open
    }

    pub(super) fn still_running(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .lanes
            .iter()
            .filter_map(|l| l.current.as_ref())
            .map(|c| format!("hook {}", self.plan[c.index].info))
            .collect();
        names.extend(self.left_behind.iter().map(|(_, n)| n.clone()));
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks::{Edges, Stage, graph};
    use std::{borrow::Cow, time::Duration};

    fn planned(name: &'static str, timeout: Option<Duration>) -> Planned {
        Planned {
            info: HookInfo {
                name: Cow::Borrowed(name),
                order: 0,
                timeout,
                module: Some("m"),
                file: "f.rs",
                line: 1,
                seq: None,
                last: false,
                after: Vec::new(),
            },
            job: None,
            edges: Edges::Named {
                after: Vec::new(),
                before: Vec::new(),
            },
        }
    }

    fn staged(name: &'static str, stage: Stage) -> Planned {
        let mut p = planned(name, None);
        match stage {
            Stage::Order(o) => p.info.order = o,
            Stage::Final => p.info.last = true,
        }
        p
    }

    /// A run of `hooks` (in run order) with `edges` between their positions.
    fn run_with(hooks: Vec<Planned>, edges: &[(usize, usize)], concurrent: bool) -> (Run, u64) {
        let stages: Vec<Stage> = hooks.iter().map(|p| p.info.stage()).collect();
        let (order, graph) = graph::order(&stages, edges, &|i: usize| i.to_string()).unwrap();
        assert_eq!(
            order,
            (0..hooks.len()).collect::<Vec<_>>(),
            "give hooks in run order"
        );
        let mut run = Run::new();
        let lane = run.start(hooks, graph, concurrent, 0);
        (run, lane)
    }

    fn run_of(hooks: Vec<Planned>) -> (Run, u64) {
        run_with(hooks, &[], false)
    }

    fn claim(run: &mut Run, lane: u64, now: u64) -> Result<Claimed, Finish> {
        match run.claim(lane, now, false, &mut Vec::new()) {
            Ok(claimed) => Ok(claimed),
            Err(Unclaimed::Finish(finish)) => Err(finish),
            Err(Unclaimed::Wait) => panic!("waits, with may_wait false"),
        }
    }

    fn name(c: &Claimed) -> &str {
        c.info.name()
    }

    #[test]
    fn hooks_are_claimed_in_order_once() {
        let (mut run, lane) = run_of(vec![planned("a", None), planned("b", None)]);
        assert_eq!(run.view().lanes[0].between_since, Some(0));
        let a = claim(&mut run, lane, 10).ok().unwrap();
        assert_eq!(name(&a), "a");
        assert!(a.open.is_empty(), "sequential: one lane");
        let v = run.view().lanes[0];
        assert!(v.hook.is_some() && v.between_since.is_none());
        assert_eq!(
            run.complete(lane, a.index, Some(HookOutcome::Ok), 20).ok(),
            Some(HookOutcome::Ok)
        );
        assert_eq!(run.view().lanes[0].between_since, Some(20));
        let b = claim(&mut run, lane, 30).ok().unwrap();
        assert_eq!(name(&b), "b");
        run.complete(lane, b.index, Some(HookOutcome::Ok), 40).ok();
        assert!(matches!(claim(&mut run, lane, 50), Err(Finish::Done)));
    }

    #[test]
    fn a_sync_hook_past_its_timeout_is_left_behind_and_its_lane_dropped() {
        let (mut run, lane) = run_of(vec![
            planned("slow", Some(Duration::from_nanos(100))),
            planned("next", None),
        ]);
        let slow = claim(&mut run, lane, 0).ok().unwrap();
        assert!(run.time_out(lane, 50, false).is_none(), "not yet due");
        let Some(Overdue::LeftBehind(Event::Hook { outcome, .. }, fresh)) =
            run.time_out(lane, 100, false)
        else {
            panic!("not left behind");
        };
        assert_ne!(fresh, lane);
        assert!(matches!(
            outcome,
            HookOutcome::TimedOut {
                then: AfterTimeout::LeftRunning,
                ..
            }
        ));
        assert_eq!(run.still_running(), ["hook \"slow\" (order 0, f.rs:1)"]);
        // The fresh lane takes the next hook; the old one, when its hook returns, stops.
        assert_eq!(name(&claim(&mut run, fresh, 110).ok().unwrap()), "next");
        assert!(matches!(
            run.complete(lane, slow.index, Some(HookOutcome::Ok), 500),
            Err(Finish::Superseded)
        ));
        assert!(run.still_running().iter().all(|n| !n.contains("slow")));
    }

    #[test]
    fn an_async_hook_is_cancelled_first_then_left_behind_if_it_does_not_go() {
        let (mut run, lane) = run_of(vec![planned("a", Some(Duration::from_nanos(100)))]);
        let a = claim(&mut run, lane, 0).ok().unwrap();
        run.current(lane, a.index).unwrap().is_async = true;
        assert!(matches!(
            run.time_out(lane, 100, false),
            Some(Overdue::Cancel)
        ));
        assert!(run.time_out(lane, 150, false).is_none(), "cancelled once");
        let Some(Overdue::LeftBehind(Event::Hook { outcome, .. }, _)) =
            run.time_out(lane, 400, true)
        else {
            panic!("not left behind");
        };
        assert!(matches!(
            outcome,
            HookOutcome::TimedOut {
                then: AfterTimeout::LeftRunning,
                ..
            }
        ));
        assert!(run.complete(lane, a.index, None, 500).is_err());
    }

    #[test]
    fn a_cancelled_hook_that_goes_is_reported_as_cancelled_whatever_it_returned() {
        let (mut run, lane) = run_of(vec![planned("a", Some(Duration::from_nanos(100)))]);
        let a = claim(&mut run, lane, 0).ok().unwrap();
        run.current(lane, a.index).unwrap().is_async = true;
        run.time_out(lane, 100, false);
        assert!(matches!(
            run.complete(lane, a.index, Some(HookOutcome::Ok), 120),
            Ok(HookOutcome::TimedOut {
                then: AfterTimeout::Cancelled,
                ..
            })
        ));
    }

    #[test]
    fn a_lane_stuck_between_hooks_is_replaced_after_its_patience() {
        let (mut run, lane) = run_of(vec![planned("a", None)]);
        assert!(run.take_over_between(100, 500).is_empty());
        let fresh = run.take_over_between(600, 500);
        assert_eq!(fresh.len(), 1);
        assert!(matches!(
            claim(&mut run, lane, 700),
            Err(Finish::Superseded)
        ));
        let a = claim(&mut run, fresh[0], 700).ok().unwrap();
        assert!(
            run.take_over_between(5_000, 500).is_empty(),
            "not between hooks"
        );
        assert!(run.runs(fresh[0], a.index));
    }

    #[test]
    fn concurrent_lanes_open_for_ready_hooks_and_the_last_to_end_is_done_once() {
        let (mut run, lane) = run_with(
            vec![planned("a", None), planned("b", None), planned("c", None)],
            &[],
            true,
        );
        let a = claim(&mut run, lane, 0).ok().unwrap();
        assert_eq!(a.open.len(), 2, "b and c are ready: two more lanes");
        let b = claim(&mut run, a.open[0], 1).ok().unwrap();
        assert!(b.open.is_empty(), "c has a lane already");
        let c = claim(&mut run, a.open[1], 1).ok().unwrap();
        assert_eq!((name(&b), name(&c)), ("b", "c"));
        run.complete(a.open[0], b.index, Some(HookOutcome::Ok), 5)
            .ok();
        assert!(
            matches!(claim(&mut run, a.open[0], 5), Err(Finish::Superseded)),
            "nothing ready while others run: the lane retires"
        );
        run.complete(lane, a.index, Some(HookOutcome::Ok), 6).ok();
        assert!(
            matches!(claim(&mut run, lane, 6), Err(Finish::Superseded)),
            "an anchor that may not wait (async) retires too"
        );
        run.complete(a.open[1], c.index, Some(HookOutcome::Ok), 7)
            .ok();
        assert!(matches!(claim(&mut run, a.open[1], 8), Err(Finish::Done)));
        assert!(
            matches!(claim(&mut run, a.open[1], 8), Err(Finish::Superseded)),
            "done once"
        );
    }

    #[test]
    fn an_anchor_that_may_wait_waits_for_the_others_and_ends_the_run() {
        let (mut run, anchor) = run_with(vec![planned("a", None), planned("b", None)], &[], true);
        let a = claim(&mut run, anchor, 0).ok().unwrap();
        let other = a.open[0];
        let b = claim(&mut run, other, 1).ok().unwrap();
        run.complete(anchor, a.index, Some(HookOutcome::Ok), 2).ok();
        assert!(matches!(
            run.claim(anchor, 3, true, &mut Vec::new()),
            Err(Unclaimed::Wait)
        ));
        assert_eq!(
            run.view().lanes[0].between_since,
            None,
            "waiting is not stuck"
        );
        run.complete(other, b.index, Some(HookOutcome::Ok), 4).ok();
        assert!(
            matches!(claim(&mut run, other, 5), Err(Finish::Superseded)),
            "the anchor ends the run, not the last lane to finish"
        );
        assert!(matches!(
            run.claim(anchor, 6, true, &mut Vec::new()),
            Err(Unclaimed::Finish(Finish::Done))
        ));
        assert!(run.view().lanes.is_empty(), "no lane is left over");
    }

    #[test]
    fn stages_are_barriers_and_edges_sequence_within_one() {
        // Stage 0: a, b (b after a); stage 1: c.
        let hooks = vec![
            staged("a", Stage::Order(0)),
            staged("b", Stage::Order(0)),
            staged("c", Stage::Order(1)),
        ];
        let (mut run, lane) = run_with(hooks, &[(0, 1)], true);
        let a = claim(&mut run, lane, 0).ok().unwrap();
        assert!(a.open.is_empty(), "b waits on a, c on the stage");
        run.complete(lane, a.index, Some(HookOutcome::Ok), 1).ok();
        let b = claim(&mut run, lane, 1).ok().unwrap();
        assert_eq!(name(&b), "b");
        run.complete(lane, b.index, Some(HookOutcome::Ok), 2).ok();
        assert_eq!(name(&claim(&mut run, lane, 3).ok().unwrap()), "c");
    }

    #[test]
    fn a_left_behind_hook_counts_as_ended_for_those_after_it() {
        let mut slow = staged("slow", Stage::Order(0));
        slow.info.timeout = Some(Duration::from_nanos(10));
        let (mut run, lane) = run_with(
            vec![slow, staged("after", Stage::Order(0))],
            &[(0, 1)],
            true,
        );
        claim(&mut run, lane, 0).ok().unwrap();
        let Some(Overdue::LeftBehind(_, fresh)) = run.time_out(lane, 10, false) else {
            panic!("not left behind");
        };
        assert_eq!(name(&claim(&mut run, fresh, 11).ok().unwrap()), "after");
    }

    #[test]
    fn the_final_stage_waits_for_open_final() {
        let hooks = vec![staged("a", Stage::Order(0)), staged("last", Stage::Final)];
        let (mut run, lane) = run_of(hooks);
        let a = claim(&mut run, lane, 0).ok().unwrap();
        run.complete(lane, a.index, Some(HookOutcome::Ok), 1).ok();
        assert!(matches!(claim(&mut run, lane, 2), Err(Finish::Done)));
        let fin = run.open_final(Decision::Code(0), 3).unwrap();
        let last = claim(&mut run, fin, 3).ok().unwrap();
        assert_eq!(name(&last), "last");
        assert!(run.in_final());
        run.complete(fin, last.index, Some(HookOutcome::Ok), 4).ok();
        assert!(matches!(claim(&mut run, fin, 5), Err(Finish::Done)));
        let (mut none, lane) = run_of(vec![staged("a", Stage::Order(0))]);
        let a = claim(&mut none, lane, 0).ok().unwrap();
        none.complete(lane, a.index, Some(HookOutcome::Ok), 1).ok();
        assert!(matches!(claim(&mut none, lane, 2), Err(Finish::Done)));
        assert!(none.open_final(Decision::Code(0), 3).is_none());
    }
}
