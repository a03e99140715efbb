//! Child processes under test: start one, read its stdout lines as they come (with the time
//! each arrived), signal it with `kill(2)`, and wait for its exit with a grace period, past
//! which it gets SIGKILL, as Kubernetes does.

use std::{
    io::{self, BufRead, BufReader, Read},
    os::unix::process::ExitStatusExt,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Condvar, Mutex, PoisonError},
    thread::JoinHandle,
    time::{Duration, Instant},
};

/// Stdout lines so far, each with when the harness read it.
type Lines = Arc<(Mutex<Vec<(Instant, String)>>, Condvar)>;

pub(crate) struct Proc {
    child: Child,
    lines: Lines,
    stdout: Option<JoinHandle<()>>,
    stderr: Option<JoinHandle<String>>,
    /// Just after `spawn` returned (the child has exec'd).
    pub(crate) spawned: Instant,
}

/// What a finished process left behind.
#[derive(Debug)]
pub(crate) struct Ended {
    pub(crate) status: ExitStatus,
    /// When the harness saw it gone.
    pub(crate) at: Instant,
    /// It was still running at the end of the grace period and got SIGKILL.
    pub(crate) killed: bool,
    pub(crate) stdout: Vec<String>,
    pub(crate) stderr: String,
}

impl Ended {
    /// `exit 0`, `SIGTERM`, ... for the figures.
    pub(crate) fn how(&self) -> String {
        status_name(self.status)
    }

    /// Lines equal to `line`.
    pub(crate) fn count(&self, line: &str) -> usize {
        self.stdout.iter().filter(|l| *l == line).count()
    }
}

pub(crate) fn status_name(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(s)) => format!("killed by {}", signal_name(s)),
        _ => format!("{status}"),
    }
}

pub(crate) fn signal_name(s: i32) -> String {
    match s {
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGINT => "SIGINT".into(),
        libc::SIGKILL => "SIGKILL".into(),
        _ => format!("signal {s}"),
    }
}

impl Proc {
    /// Start `cmd` with stdin closed and stdout, stderr piped.
    pub(crate) fn spawn(mut cmd: Command) -> io::Result<Proc> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("GRACEFUL_TIMEOUT")
            .env_remove("GRACEFUL_REPORT");
        let mut child = cmd.spawn()?;
        let spawned = Instant::now();
        let lines: Lines = Arc::default();
        let out = child.stdout.take().expect("piped stdout");
        let sink = lines.clone();
        let stdout = std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let (all, cv) = &*sink;
                all.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((Instant::now(), line));
                cv.notify_all();
            }
        });
        let mut err = child.stderr.take().expect("piped stderr");
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        Ok(Proc {
            child,
            lines,
            stdout: Some(stdout),
            stderr: Some(stderr),
            spawned,
        })
    }

    pub(crate) fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).expect("pids fit in i32")
    }

    /// The process has exited (it may not be reaped yet: its pid is still ours).
    pub(crate) fn exited(&self) -> bool {
        // SAFETY: siginfo_t is plain data that waitid fills; WNOWAIT leaves the child
        // unreaped, so its pid cannot be reused while we hold it.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let id = libc::id_t::try_from(self.pid()).unwrap_or(0);
        // SAFETY: a valid siginfo_t to fill, for our own child.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                id,
                &mut info,
                libc::WEXITED | libc::WNOWAIT | libc::WNOHANG,
            )
        };
        // SAFETY: waitid filled `info`; si_pid is 0 when the child has not exited yet.
        rc == 0 && unsafe { info.si_pid() } != 0
    }

    /// Wait until stdout has a line starting with `prefix`; the line and when it came, or
    /// `None` if the process closed stdout or `patience` passed first.
    pub(crate) fn wait_line(&self, prefix: &str, patience: Duration) -> Option<(Instant, String)> {
        let (all, cv) = &*self.lines;
        let deadline = Instant::now() + patience;
        let mut got = all.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(hit) = got.iter().find(|(_, l)| l.starts_with(prefix)) {
                return Some(hit.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || self.stdout.as_ref().is_none_or(JoinHandle::is_finished) {
                return None;
            }
            let wait = left.min(Duration::from_millis(20));
            got = cv
                .wait_timeout(got, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Wait for the exit; past `grace`, send SIGKILL to `kill_pid` (the process that stands
    /// for the container: our child, or PID 1 of its namespace) and wait on.
    pub(crate) fn wait(mut self, grace: Duration, kill_pid: i32) -> Ended {
        let deadline = Instant::now() + grace;
        let mut killed = false;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {}
                Err(e) => panic!("waitpid failed: {e}"),
            }
            if !killed && Instant::now() >= deadline {
                killed = true;
                signal(kill_pid, libc::SIGKILL);
                if kill_pid != self.pid() {
                    // The container's PID 1 went; give our child (unshare) a moment, then
                    // make sure.
                    std::thread::sleep(Duration::from_millis(200));
                    signal(self.pid(), libc::SIGKILL);
                }
            }
            std::thread::sleep(Duration::from_micros(200));
        };
        let at = Instant::now();
        self.finish(status, at, killed)
    }

    fn finish(&mut self, status: ExitStatus, at: Instant, killed: bool) -> Ended {
        if let Some(h) = self.stdout.take() {
            let _ = h.join();
        }
        let stderr = self
            .stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        let lines =
            std::mem::take(&mut *self.lines.0.lock().unwrap_or_else(PoisonError::into_inner));
        Ended {
            status,
            at,
            killed,
            stdout: lines.into_iter().map(|(_, l)| l).collect(),
            stderr,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.stdout.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// kill(2); `false` if it failed (the process is gone).
pub(crate) fn signal(pid: i32, sig: i32) -> bool {
    // SAFETY: kill(2) takes plain integers. The pids we signal are our own children, not yet
    // reaped (so not reused), or PID 1 of a namespace whose unshare we have not reaped.
    unsafe { libc::kill(pid, sig) == 0 }
}

/// CLOCK_MONOTONIC in nanoseconds: the clock the fixtures print, comparable across processes.
pub(crate) fn mono_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for clock_gettime to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    u64::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(ts.tv_nsec).unwrap_or(0)
}

/// Sleep until [`mono_ns`] reaches `target`: a coarse sleep, then a spin for the last stretch.
pub(crate) fn sleep_until_mono(target: u64) {
    loop {
        let now = mono_ns();
        if now >= target {
            return;
        }
        let left = target - now;
        if left > 200_000 {
            std::thread::sleep(Duration::from_nanos(left - 150_000));
        } else {
            std::hint::spin_loop();
        }
    }
}

/// The pid (as this host sees it) of the first child of `pid`: with `unshare --fork`, PID 1 of
/// the new namespace. Waits for it to appear, up to `patience`.
pub(crate) fn child_of(pid: i32, patience: Duration) -> Option<i32> {
    let deadline = Instant::now() + patience;
    loop {
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for task in tasks.flatten() {
                let children =
                    std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
                if let Some(c) = children
                    .split_whitespace()
                    .next()
                    .and_then(|c| c.parse().ok())
                {
                    return Some(c);
                }
            }
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The process's pid inside its own namespace (the last `NSpid` field), if it can be read.
pub(crate) fn ns_pid(pid: i32) -> Option<i32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("NSpid:"))?;
    line.split_whitespace().last()?.parse().ok()
}
