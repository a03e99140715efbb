//! Child processes stopped within the deadline: [`child`] hands graceful a spawned process,
//! with a name and a budget. When Stopping begins graceful sends it the stop signal (to its
//! process group, if asked), waits up to its budget, SIGKILLs it if it is still there, reaps
//! it, and reports how it ended. Until then each child holds the stop, as a
//! [`hold`](crate::hold) does, so the hooks run once the children are gone, and all of it is
//! inside `body_timeout`.
//!
//! - A budget past `body_timeout` is cut short: 100 ms before it, every child still there is
//!   killed, so none outlives the process.
//! - With `process_group()`, the group is waited for until it is empty, its leader's exit
//!   included, and killed whole at the budget. A child that leads no group is signalled alone.
//! - A child that ends before the stop is reaped and said at once, in a line of its own.
//! - Hand a child to graceful or wait for it yourself, not both: one the program reaps itself is
//!   reported as lost, and should its pid be given to another child of the program meanwhile,
//!   graceful cannot tell that one from it.
//!
//! As PID 1 it can also reap the orphans the kernel hands it ([`reap_orphans`]).
//!
//! One thread, started with the first child, does all of it: while the program runs it reaps
//! a child that exits by itself (once a second), and from Stopping on it polls the children
//! every 5 ms. Unix only.
//!
//! Layer 2: it imports the report, the model types, the holds, the words, the state and the
//! leaves.

use std::{
    borrow::Cow,
    io,
    os::unix::process::ExitStatusExt,
    panic::Location,
    process::ExitStatus,
    sync::{Mutex, MutexGuard, OnceLock, PoisonError},
    time::Duration,
};

use crate::{
    Shutdown, Signal, clock, config,
    event::{ChildEnd, Event},
    holds::{self, Hold, TaskKind},
    report,
    state::STATE,
    stopping::wait_for_stop,
};

/// A process graceful can stop and reap: `std::process::Child`, and `tokio::process::Child`
/// with the `tokio-process` feature.
pub trait IntoChild {
    /// Not public API.
    #[doc(hidden)]
    fn into_child(self) -> Box<dyn Reap>;
}

/// What graceful does with a child. Not public API.
#[doc(hidden)]
pub trait Reap: Send {
    /// Its pid; `None` once reaped.
    fn pid(&self) -> Option<u32>;
    /// Reap it if it has ended.
    fn try_wait(&mut self) -> io::Result<Option<ExitStatus>>;
}

impl IntoChild for std::process::Child {
    fn into_child(self) -> Box<dyn Reap> {
        Box::new(self)
    }
}

impl Reap for std::process::Child {
    fn pid(&self) -> Option<u32> {
        Some(self.id())
    }
    fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        std::process::Child::try_wait(self)
    }
}

#[cfg(feature = "tokio-process")]
impl IntoChild for tokio::process::Child {
    fn into_child(self) -> Box<dyn Reap> {
        Box::new(self)
    }
}

#[cfg(feature = "tokio-process")]
impl Reap for tokio::process::Child {
    fn pid(&self) -> Option<u32> {
        self.id()
    }
    fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        tokio::process::Child::try_wait(self)
    }
}

/// A child to hand to graceful: set its budget, its signal and whether its process group is
/// signalled, then [`supervise`](ChildStop::supervise) it. See [`child`].
#[must_use = "the child is supervised only once `.supervise()` is called"]
pub struct ChildStop {
    name: Cow<'static, str>,
    at: &'static Location<'static>,
    child: Box<dyn Reap>,
    budget: Duration,
    signal: Signal,
    group: bool,
}

/// Hand graceful a spawned process, named `name`, to stop when Stopping begins: the stop
/// signal (`SIGTERM`), up to its budget (2 s unless set) to exit, then `SIGKILL`; reaped and
/// reported either way. The hooks wait for it, up to `body_timeout`: keep each budget below.
///
/// ```
/// # use graceful_runtime as graceful;
/// use std::time::Duration;
///
/// let worker = std::process::Command::new("sleep").arg("60").spawn()?;
/// let pid = graceful::child("worker", worker)
///     .budget(Duration::from_secs(1))
///     .supervise()?;
/// # let _ = pid;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[track_caller]
pub fn child(name: impl Into<Cow<'static, str>>, child: impl IntoChild) -> ChildStop {
    ChildStop {
        name: name.into(),
        at: Location::caller(),
        child: child.into_child(),
        budget: Duration::from_secs(2),
        signal: Signal::SIGTERM,
        group: false,
    }
}

impl ChildStop {
    /// How long it has to exit after its signal before it is killed (default 2 s).
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The signal that asks it to stop (default `SIGTERM`).
    pub fn signal(mut self, signal: Signal) -> Self {
        self.signal = signal;
        self
    }

    /// Signal its whole process group (`kill(-pid)`), and kill the group at the budget: for a
    /// child started as the leader of a group of its own
    /// (`std::os::unix::process::CommandExt::process_group(0)`), with children of its own.
    pub fn process_group(mut self) -> Self {
        self.group = true;
        self
    }

    /// Supervise it from now on; returns its pid.
    ///
    /// # Errors
    /// `Err(Shutdown)` once the hooks have begun: the child is left as it is, unsupervised (it
    /// was handed in, so it is dropped: std does not kill a dropped child).
    pub fn supervise(mut self) -> Result<u32, Shutdown> {
        let pid = self.child.pid().unwrap_or(0);
        // `kill(-pid)` reaches a group only if the child leads one: one that does not is
        // signalled alone.
        self.group &= leads_its_group(pid);
        let hold = holds::take(TaskKind::Child, self.name.clone(), self.at)?;
        let supervised = Supervised {
            stop: self,
            pid,
            hold: Some(hold),
            signalled_at: None,
            leader_ended: None,
        };
        children().push(supervised);
        start_thread();
        Ok(pid)
    }
}

struct Supervised {
    stop: ChildStop,
    pid: u32,
    hold: Option<Hold>,
    /// When its signal was sent (clock ns).
    signalled_at: Option<u64>,
    /// A group's leader ended (its status), while members of its group remain.
    leader_ended: Option<String>,
}

static CHILDREN: Mutex<Vec<Supervised>> = Mutex::new(Vec::new());

fn children() -> MutexGuard<'static, Vec<Supervised>> {
    CHILDREN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// When this process is PID 1 (the first process of a container or a PID namespace), reap the
/// orphans that the kernel hands it, as tini and dumb-init do: every child of ours that ended
/// and is not supervised with [`child`] is reaped within a second. Returns whether it is on:
/// `false` when this is not PID 1, or not Linux (the children are read from `/proc`).
///
/// It reaps every ended child that graceful does not supervise, so a program that waits for
/// children of its own (`Child::wait`) must not turn it on: their status would be gone.
///
/// ```
/// # use graceful_runtime as graceful;
/// if graceful::reap_orphans() {
///     println!("PID 1: reaping orphans");
/// }
/// ```
pub fn reap_orphans() -> bool {
    if !cfg!(target_os = "linux") || std::process::id() != 1 {
        return false;
    }
    REAP_ORPHANS.store(true, std::sync::atomic::Ordering::Release);
    start_thread();
    true
}

static REAP_ORPHANS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Reap the ended children that are not supervised (Linux: `/proc/self/task/*/children`).
fn reap_unsupervised() {
    if !REAP_ORPHANS.load(std::sync::atomic::Ordering::Acquire) {
        return;
    }
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return;
    };
    let mut pids = Vec::new();
    for task in tasks.flatten() {
        if let Ok(list) = std::fs::read_to_string(task.path().join("children")) {
            pids.extend(
                list.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            );
        }
    }
    let list = children();
    for pid in pids {
        if list.iter().any(|c| i32::try_from(c.pid) == Ok(pid)) {
            continue;
        }
        let mut status = 0;
        // SAFETY: waitpid(2) on a child of ours with WNOHANG: it reaps it if it ended, and
        // returns at once otherwise; `status` is a valid int to write.
        unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    }
}

fn start_thread() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        // Without the thread nobody stops them: they are reaped and reported at the next
        // supervise, or never; the hooks then wait for their holds up to body_timeout.
        let _ = std::thread::Builder::new()
            .name("graceful-children".into())
            .spawn(watch);
    });
}

/// The children's thread: reap those that exit by themselves while the program runs; from
/// Stopping on, signal each (those handed in later too), and reap or kill them.
fn watch() {
    while !wait_for_stop(Some(Duration::from_secs(1))) {
        reap(|_, _| false);
        reap_unsupervised();
    }
    // Past this every child is killed, whatever its budget: the hooks wait for the children up
    // to body_timeout, and none must outlive the process.
    let last_call = STATE
        .stop_at()
        .zip(config::in_force())
        .map_or(u64::MAX, |(at, c)| {
            at.saturating_add(clock::ns(c.body_timeout))
                .saturating_sub(KILL_MARGIN_NS)
        });
    loop {
        // Those that ended (or were reaped by the program) first: a pid no longer ours is
        // never signalled.
        reap(|_, _| false);
        let now = clock::now_ns();
        for c in children().iter_mut().filter(|c| c.signalled_at.is_none()) {
            signal(c, c.stop.signal.as_raw());
            c.signalled_at = Some(now);
        }
        let left = reap(|c, now| {
            let since = now.saturating_sub(c.signalled_at.unwrap_or(now));
            since >= clock::ns(c.stop.budget) || now >= last_call
        });
        reap_unsupervised();
        std::thread::sleep(Duration::from_millis(if left == 0 { 50 } else { 5 }));
    }
}

/// How long before `body_timeout` the children still there are killed.
const KILL_MARGIN_NS: u64 = 100_000_000;

/// Whether `pid` leads a process group of its own.
fn leads_its_group(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: getpgid(2) takes a plain integer and only reads.
    pid > 0 && unsafe { libc::getpgid(pid) } == pid
}

/// Whether a process of group `pgid` is still there (zombies count until reaped).
fn group_alive(pgid: u32) -> bool {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return false;
    };
    // SAFETY: kill(2) with signal 0 only asks whether the group exists.
    pgid > 0 && unsafe { libc::kill(-pgid, 0) } == 0
}

/// Reap what has ended, report it and let its hold go; kill a child `overdue` says is past its
/// budget. Returns how many are left.
fn reap(overdue: impl Fn(&Supervised, u64) -> bool) -> usize {
    let now = clock::now_ns();
    let mut ended = Vec::new();
    let mut list = children();
    list.retain_mut(|c| {
        let end = match c.stop.child.try_wait() {
            // A group's leader ended, and members of its group remain: wait for them too (the
            // group's id is not reused while it has members), and kill them at the budget.
            Ok(Some(status)) if c.stop.group && c.signalled_at.is_some() && group_alive(c.pid) => {
                c.leader_ended.get_or_insert_with(|| status_of(status));
                if overdue(c, now) {
                    signal(c, libc::SIGKILL);
                    Some(ChildEnd::Killed {
                        budget: c.stop.budget,
                        status: c.leader_ended.take(),
                    })
                } else {
                    None
                }
            }
            Ok(Some(status)) => Some(match c.signalled_at {
                None => ChildEnd::Before(status_of(status)),
                Some(at) => ChildEnd::Stopped {
                    status: status_of(status),
                    after_ns: now.saturating_sub(at),
                },
            }),
            Ok(None) if overdue(c, now) => {
                signal(c, libc::SIGKILL);
                // SIGKILL cannot be caught: the kernel ends it at once; reap it.
                let status = wait_killed(c);
                Some(ChildEnd::Killed {
                    budget: c.stop.budget,
                    status,
                })
            }
            Ok(None) => None,
            Err(e) => Some(ChildEnd::Lost(e.to_string())),
        };
        match end {
            Some(end) => {
                ended.push((c.stop.name.clone(), c.pid, end, c.hold.take()));
                false
            }
            None => true,
        }
    });
    let left = list.len();
    drop(list);
    for (name, pid, end, hold) in ended {
        let event = Event::Child { name, pid, end };
        drop(hold);
        if matches!(
            event,
            Event::Child {
                end: ChildEnd::Before(_),
                ..
            }
        ) {
            // Not part of a stop: said at once, not kept for the stop's report.
            report::at_once(event);
        } else {
            report::record(event);
        }
    }
    left
}

/// Wait for a killed child, for at most a second (a process in uninterruptible sleep takes
/// its SIGKILL late).
fn wait_killed(c: &mut Supervised) -> Option<String> {
    let until = clock::now_ns().saturating_add(1_000_000_000);
    while clock::now_ns() < until {
        if let Ok(Some(status)) = c.stop.child.try_wait() {
            return Some(status_of(status));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}

/// `exit 0`, `signal 15 (SIGTERM)`.
fn status_of(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => match Signal::from_raw(sig) {
            Some(known) => format!("signal {sig} ({known})"),
            None if sig == libc::SIGKILL => format!("signal {sig} (SIGKILL)"),
            None => format!("signal {sig}"),
        },
        _ => status.to_string(),
    }
}

/// Send `raw` to the child, or to its group.
fn signal(c: &Supervised, raw: i32) {
    let Ok(pid) = i32::try_from(c.pid) else {
        return;
    };
    if pid <= 0 {
        return;
    }
    let target = if c.stop.group { -pid } else { pid };
    // SAFETY: kill(2) with plain integers; the pid is a child of ours not yet reaped (reaping
    // removes it from the list under the same lock, and each round reaps before it signals),
    // so it names no other process; a group's id is not reused while the group has members.
    unsafe { libc::kill(target, raw) };
}
