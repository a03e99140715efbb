//! Signal actions and child processes under faults found by a review of issue 13, on the
//! `signals_faults` fixture. Each test states what an operator expects; each failed before its fix.

use std::{
    os::fd::{FromRawFd, OwnedFd},
    os::unix::net::UnixDatagram,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use graceful_e2e::{Proc, SIGTERM};

const BIN: &str = env!("CARGO_BIN_EXE_signals_faults");

fn start(scenario: &str, env: &[(&str, &str)]) -> Proc {
    let mut all = vec![("SIGNALS_FAULTS", scenario)];
    all.extend_from_slice(env);
    let p = Proc::start(BIN, &[], &all);
    p.wait_for("ready");
    p
}

/// The `child PID` the fixture printed.
fn child_pid(p: &Proc) -> i32 {
    let lines = p.lines();
    let got = lines.0.lock().unwrap();
    got.iter()
        .find_map(|l| l.strip_prefix("child "))
        .expect("a child line")
        .parse()
        .unwrap()
}

/// Whether `pid` is a live process (not a zombie).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// The live members of process group `pgid`.
fn group_members(pgid: i32) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(2) == Some(&pgid.to_string().as_str()) && fields[0] != "Z" {
            found.push(head.split_whitespace().next().unwrap().parse().unwrap());
        }
    }
    found
}

/// Kill what a test left behind (so a failing test does not leak processes).
fn sweep(pid: i32, group: bool) {
    let target = if group { -pid } else { pid };
    // SAFETY: kill(2) with plain integers, on a process this test started (via the fixture).
    unsafe { libc::kill(target, libc::SIGKILL) };
}

/// `.process_group()` on a child that was not started as a group leader: `kill(-pid)` finds no
/// such group (ESRCH), so neither SIGTERM nor SIGKILL reaches it. The child outlives the
/// service, while the report says it was "killed with SIGKILL".
#[test]
fn a_process_group_child_that_leads_no_group_is_still_stopped() {
    let p = start("child_not_leader", &[]);
    let pid = child_pid(&p);
    p.kill(SIGTERM);
    let end = p.wait();
    std::thread::sleep(Duration::from_millis(300));
    let survived = alive(pid);
    sweep(pid, false);
    assert!(
        !survived,
        "child {pid} runs on after the service exited {:?}; the report said:\n{}",
        end.status, end.stderr
    );
}

/// A budget longer than body_timeout: the hooks run without the child, the process exits at
/// 124, and the child (which ignores SIGTERM) is never SIGKILLed: an orphan, the very thing
/// `graceful::child` is for.
#[test]
fn a_child_whose_budget_outlasts_body_timeout_is_killed_before_the_exit() {
    let p = start(
        "child_long_budget",
        &[("SF_BODY_TIMEOUT_MS", "1000"), ("SF_TIMEOUT_MS", "2000")],
    );
    let pid = child_pid(&p);
    p.kill(SIGTERM);
    let end = p.wait();
    std::thread::sleep(Duration::from_millis(300));
    let survived = alive(pid);
    sweep(pid, false);
    assert!(
        !survived,
        "child {pid} runs on after the service exited {:?}:\n{}",
        end.status, end.stderr
    );
}

/// `.process_group()`: "Signal its whole process group, and kill the group at the budget".
/// The leader exits at SIGTERM; a member of its group that ignores SIGTERM is never killed,
/// since the group is forgotten once the leader is reaped.
#[test]
fn a_process_group_is_killed_at_the_budget_even_when_its_leader_exited() {
    let p = start("child_group_grandchildren", &[]);
    let pgid = child_pid(&p);
    assert_eq!(group_members(pgid).len(), 2, "the leader and its `sleep`");
    p.kill(SIGTERM);
    let end = p.wait();
    // Past the budget (300 ms).
    std::thread::sleep(Duration::from_millis(600));
    let left = group_members(pgid);
    sweep(pgid, true);
    assert!(
        left.is_empty(),
        "group {pgid} still has {left:?} after the service exited {:?}:\n{}",
        end.status,
        end.stderr
    );
}

/// A stderr pipe nobody reads (journald stuck, a full pipe to a log shipper): with no action
/// the stop ends at once with 0; with an action that ran, its report line, written while the
/// action still holds the stop, blocks the stop until body_timeout and the exit is 124.
#[test]
fn an_action_line_stuck_on_a_full_stderr_does_not_hold_the_stop() {
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills the two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both are fresh descriptors we own.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // Fill it.
    // SAFETY: fcntl(2) and write(2) on our own descriptor and buffer.
    unsafe {
        let fl = libc::fcntl(fds[1], libc::F_GETFL);
        libc::fcntl(fds[1], libc::F_SETFL, fl | libc::O_NONBLOCK);
        let buf = [b'x'; 4096];
        while libc::write(fds[1], buf.as_ptr().cast(), buf.len()) > 0 {}
        libc::fcntl(fds[1], libc::F_SETFL, fl);
    }
    let mut child = Command::new(BIN)
        .env("SIGNALS_FAULTS", "action_slow")
        .env("SF_ACTION_MS", "10")
        .env("SF_BODY_TIMEOUT_MS", "3000")
        .env("SF_TIMEOUT_MS", "6000")
        .env_remove("GRACEFUL_REPORT")
        .env_remove("GRACEFUL_TIMEOUT")
        .env_remove("NOTIFY_SOCKET")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(write_end))
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    graceful_e2e::kill(child.id() as i32, libc::SIGHUP);
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert!(line.ends_with("done:1\n"), "{line:?}");
    std::thread::sleep(Duration::from_millis(200));
    let t0 = Instant::now();
    graceful_e2e::kill(child.id() as i32, SIGTERM);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    drop(read_end);
    let took = t0.elapsed();
    // The same run without the action's line exits 0 within a second (the control, by hand:
    // `SIGNALS_FAULTS=none`).
    assert_eq!(
        status.code(),
        Some(0),
        "exit {status:?} after {took:?}: the action was over, only its report line was stuck"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

/// Children that ended long before the stop (a child per job) were all kept, for the life of
/// the process, and written at the stop ahead of its cause line; now each is said when it ends,
/// as an action is, and nothing is kept.
#[test]
fn children_that_ended_long_before_the_stop_are_not_kept_for_the_stops_report() {
    let p = start("child_churn", &[("SF_N", "200")]);
    std::thread::sleep(Duration::from_millis(1500));
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    // Each is said once, when it is reaped (within a second of its end), outside the stop; one
    // the stop found ended but not yet reaped is said within the stop's report. None is said
    // twice.
    let (before, stop) = end
        .stderr
        .split_once("graceful: SIGTERM received: stopping")
        .unwrap_or_else(|| panic!("no stop line: {}", end.stderr));
    let said_before = before.matches("had ended before the stop").count();
    let said_in_stop = stop.matches("had ended before the stop").count();
    assert_eq!(said_before + said_in_stop, 200, "{}", end.stderr);
    assert!(said_before > 0, "{}", end.stderr);
}

/// The datagrams of a failed reload then a successful one: (the failure's, the success's).
fn reload_fail_then_ok(tag: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!(
        "graceful-signals-faults-{}-{tag}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let sock_path = dir.join("notify.sock");
    let _ = std::fs::remove_file(&sock_path);
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let p = start(
        "action_fails_once",
        &[("NOTIFY_SOCKET", sock_path.to_str().unwrap())],
    );
    let recv = || {
        let mut buf = [0u8; 512];
        let n = sock.recv(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    p.kill(libc::SIGHUP);
    assert!(recv().starts_with("RELOADING=1"));
    let failed = recv();
    p.wait_for("run:1");
    p.kill(libc::SIGHUP);
    assert!(recv().starts_with("RELOADING=1"));
    let ok = recv();
    p.kill(SIGTERM);
    let _ = p.wait();
    let _ = std::fs::remove_dir_all(&dir);
    (failed, ok)
}

/// systemd keeps `STATUS=` until it is sent again: after a failed reload, a successful one
/// sends only `READY=1`, so `systemctl status` shows "reload failed: ..." for good.
#[test]
fn a_successful_reload_clears_the_status_of_a_failed_one() {
    let (_, ok) = reload_fail_then_ok("clears");
    assert!(
        ok.lines().any(|l| l.starts_with("STATUS=")),
        "the successful reload leaves the failure's STATUS in place: {ok:?}"
    );
}

/// The error's own newlines go into the datagram raw: STATUS= is cut at the first one and the
/// rest are read as assignments of their own (a line of the error that looks like `X=Y` is
/// one). And the action's name is said twice: "reload failed: reload failed: ...".
#[test]
fn a_failed_reloads_status_is_one_line_naming_the_failure_once() {
    let (failed, _) = reload_fail_then_ok("one-line");
    let lines: Vec<&str> = failed.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "STATUS= and READY=1, a line each: {failed:?}"
    );
    assert_eq!(failed.matches("failed").count(), 1, "{failed:?}");
}

/// Under panic = "abort", exit(3) from an action parks the actions' thread with the action's
/// hold still taken: the stop waits the whole body_timeout (2.5 s) and the report says the
/// action is "still at work". A `graceful::thread::spawn` worker's hold is let go when it
/// parks; the action's should be too.
#[test]
fn under_panic_abort_exit_from_an_action_exits_at_once() {
    let bin = graceful_e2e::abort_bin();
    let p = Proc::start(&bin, &["action_exit"], &[]);
    p.wait_for("ready");
    let t0 = Instant::now();
    p.kill(libc::SIGHUP);
    let end = p.wait();
    let took = t0.elapsed();
    assert_eq!(end.code(), Some(3), "{end:#?}");
    assert!(
        took < Duration::from_secs(1),
        "took {took:?}:\n{}",
        end.stderr
    );
}

/// Under panic = "abort" a panicking action ends the service (the docs: "a panic or an Err is
/// reported and the program keeps running"), and graceful, which says so for a hook or main,
/// says nothing of the action.
#[test]
fn under_panic_abort_the_report_says_a_panicking_action_ends_the_process() {
    let bin = graceful_e2e::abort_bin();
    let p = Proc::start(&bin, &["action_panics"], &[]);
    p.wait_for("ready");
    p.kill(libc::SIGHUP);
    let end = p.wait();
    assert!(
        end.stderr.lines().any(|l| l.starts_with("graceful:")
            && l.contains("\"explodes\"")
            && l.contains("abort")),
        "{end:#?}"
    );
}

/// A stop that begins during a reload: the reload's `READY=1` still goes out, after
/// `STOPPING=1`, telling systemd (which takes the last state it hears) the service is ready
/// again while it stops.
#[test]
fn no_ready_after_stopping_when_a_stop_begins_during_a_reload() {
    let dir = std::env::temp_dir().join(format!(
        "graceful-signals-faults-{}-stop",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let sock_path = dir.join("notify.sock");
    let _ = std::fs::remove_file(&sock_path);
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    let p = start(
        "action_slow",
        &[
            ("SF_ACTION_MS", "800"),
            ("NOTIFY_SOCKET", sock_path.to_str().unwrap()),
        ],
    );
    p.kill(libc::SIGHUP);
    p.wait_for("run:1");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    sock.set_nonblocking(true).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while let Ok(n) = sock.recv(&mut buf) {
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    let _ = std::fs::remove_dir_all(&dir);
    let stopping = got
        .iter()
        .position(|m| m == "STOPPING=1")
        .expect("STOPPING=1");
    assert!(
        !got[stopping..]
            .iter()
            .any(|m| m.lines().any(|l| l == "READY=1")),
        "{got:?}"
    );
}
