//! Signals that mean something else (`graceful::on_signal`), on a real service: SIGHUP reloads
//! its setting from a file while it keeps serving, repeats during a reload make one more run,
//! a failed reload is reported and the service goes on, SIGTERM during a reload waits for it,
//! systemd hears the reload protocol, and a stop signal that an action took is refused.

use std::{
    io::Read,
    net::{SocketAddr, TcpStream},
    os::unix::net::UnixDatagram,
    path::{Path, PathBuf},
    time::Duration,
};

use graceful_e2e::{Proc, SIGTERM, kill};

const BIN: &str = env!("CARGO_BIN_EXE_actions");

/// A config file of its own for each test, holding `value`.
fn config(test: &str, value: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("graceful-actions-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("setting");
    std::fs::write(&path, value).unwrap();
    path
}

/// Replace the file whole (a rename), so that a reload never reads it half written.
fn set(path: &Path, value: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, value).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn start(path: &Path, env: &[(&str, &str)]) -> (Proc, SocketAddr) {
    let mut all = vec![("ACTIONS_CONFIG", path.to_str().unwrap())];
    all.extend_from_slice(env);
    let p = Proc::start(BIN, &[], &all);
    let addr = wait_addr(&p);
    (p, addr)
}

fn wait_addr(p: &Proc) -> SocketAddr {
    let lines = p.lines();
    let (lock, cv) = &*lines;
    let mut got = lock.lock().unwrap();
    loop {
        if let Some(a) = got.iter().find_map(|l| l.strip_prefix("listening on ")) {
            return a.parse().unwrap();
        }
        got = cv.wait_timeout(got, Duration::from_secs(20)).unwrap().0;
    }
}

/// What the service serves now.
fn served(addr: SocketAddr) -> String {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.trim().to_owned()
}

fn count(p: &Proc, line: &str) -> usize {
    p.lines()
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|l| *l == line)
        .count()
}

#[test]
fn sighup_reloads_the_setting_without_a_restart() {
    let path = config("reload", "one");
    let (p, addr) = start(&path, &[]);
    assert_eq!(served(addr), "one");
    set(&path, "two");
    p.kill(libc::SIGHUP);
    p.wait_for("reload:end:two");
    assert_eq!(served(addr), "two");
    // SIGUSR1's action is its own.
    p.kill(libc::SIGUSR1);
    p.wait_for("reopen");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        end.stderr
            .contains("graceful: SIGHUP: action \"reload\" (tests/e2e/src/bin/actions.rs:"),
        "{}",
        end.stderr
    );
    assert!(
        end.stderr.contains("SIGUSR1: action \"reopen logs\""),
        "{}",
        end.stderr
    );
    assert_eq!(end.hooks(), ["close"]);
}

#[test]
fn in_json_an_action_is_a_line_of_its_own_before_the_stops_object() {
    let path = config("json", "one");
    let (p, _addr) = start(&path, &[("GRACEFUL_REPORT", "json")]);
    p.kill(libc::SIGHUP);
    p.wait_for("reload:end:one");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    let lines: Vec<&str> = end.stderr.lines().collect();
    let action =
        "{\"event\":\"action\",\"signal\":\"SIGHUP\",\"outcome\":\"ok\",\"name\":\"reload\"";
    let object = lines.last().unwrap();
    assert!(object.starts_with("{\"reason\":\"SIGTERM\""), "{object}");
    match lines.len() {
        // Its own line, written before the stop began.
        2 => assert!(lines[0].starts_with(action), "{}", lines[0]),
        // Or, when the stop had begun by the time the action's line was due (found by CI: a
        // SIGTERM sent as the action ended), one of the stop's events, so the exit cannot lose
        // it.
        1 => assert!(
            object.contains(&action.replace("{\"event\"", ",\"event\"")),
            "{object}"
        ),
        _ => panic!("{}", end.stderr),
    }
}

#[test]
fn signals_during_a_reload_make_one_more_run_not_one_each() {
    let path = config("coalesce", "one");
    let (p, _addr) = start(&path, &[("ACTIONS_RELOAD_MS", "800")]);
    p.kill(libc::SIGHUP);
    p.wait_for("reload:start");
    for _ in 0..5 {
        p.kill(libc::SIGHUP);
        std::thread::sleep(Duration::from_millis(20));
    }
    p.wait_for_count("reload:end:one", 2);
    // Time for a third run to show, were there one.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(count(&p, "reload:start"), 2);
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
}

#[test]
fn a_failed_reload_is_reported_and_the_service_goes_on_with_the_old_setting() {
    let path = config("fails", "one");
    let (p, addr) = start(&path, &[]);
    set(&path, "bad");
    p.kill(libc::SIGHUP);
    p.wait_for("reload:start");
    p.wait_for("reload:failed");
    assert_eq!(served(addr), "one");
    // The next SIGHUP runs it again: the first one ended (failed) and the thread carries on.
    set(&path, "three");
    p.kill(libc::SIGHUP);
    p.wait_for("reload:end:three");
    assert_eq!(served(addr), "three");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(
        end.code(),
        Some(0),
        "a failed action does not fail the run: {end:#?}"
    );
    assert!(end.stderr.contains("failed in"), "{}", end.stderr);
    assert!(end.stderr.contains("says bad"), "{}", end.stderr);
}

#[test]
fn sigterm_during_a_reload_waits_for_it_then_runs_the_hooks() {
    let path = config("stop", "one");
    let (p, _addr) = start(&path, &[("ACTIONS_RELOAD_MS", "1000")]);
    set(&path, "two");
    p.kill(libc::SIGHUP);
    p.wait_for("reload:start");
    p.kill(SIGTERM);
    // No action starts once stopping: this one is dropped.
    kill(p.pid(), libc::SIGHUP);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        end.position("reload:end:two") < end.position("hook:close"),
        "{end:#?}"
    );
    assert_eq!(
        end.stdout.iter().filter(|l| *l == "reload:start").count(),
        1
    );
}

#[test]
fn systemd_hears_reloading_then_ready_and_the_status_of_a_failure() {
    let path = config("systemd", "one");
    let sock_path = path.with_file_name("notify.sock");
    let _ = std::fs::remove_file(&sock_path);
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (p, _addr) = start(&path, &[("NOTIFY_SOCKET", sock_path.to_str().unwrap())]);
    let recv = || {
        let mut buf = [0u8; 512];
        let n = sock.recv(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    set(&path, "two");
    p.kill(libc::SIGHUP);
    let reloading = recv();
    let (first, usec) = reloading.split_once('\n').unwrap();
    assert_eq!(first, "RELOADING=1");
    let usec: u64 = usec
        .strip_prefix("MONOTONIC_USEC=")
        .unwrap()
        .parse()
        .unwrap();
    // CLOCK_MONOTONIC, in µs, as systemd compares it with its own.
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec for clock_gettime to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    let now = ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000;
    assert!(usec <= now && now - usec < 10_000_000, "{usec} vs {now}");
    assert_eq!(recv(), "READY=1");
    set(&path, "bad");
    p.kill(libc::SIGHUP);
    assert!(recv().starts_with("RELOADING=1\nMONOTONIC_USEC="));
    let failed = recv();
    assert!(
        failed.starts_with("STATUS=reload failed: reload: ") && failed.ends_with("\nREADY=1"),
        "{failed:?}"
    );
    p.kill(SIGTERM);
    assert_eq!(p.wait().code(), Some(0));
}

/// Run the fixture's `scenario` to its end.
fn run_scenario(test: &str, scenario: &str) -> graceful_e2e::Ended {
    let path = config(test, "one");
    let env = [
        ("ACTIONS_CONFIG", path.to_str().unwrap()),
        ("ACTIONS_SCENARIO", scenario),
    ];
    Proc::start(BIN, &[], &env).wait()
}

#[test]
fn a_stop_signal_with_an_action_is_refused_at_start_up_with_78() {
    let end = run_scenario("refused", "stop_signal");
    assert_eq!(end.code(), Some(78), "{end:#?}");
    assert!(
        end.stderr.contains(
            "SIGHUP is a stop signal (in signals) and the signal of the action \"reload\""
        ),
        "{}",
        end.stderr
    );
    assert!(
        !end.stdout.iter().any(|l| l.starts_with("listening")),
        "{end:#?}"
    );
}

#[test]
fn an_action_on_a_stop_signal_after_installing_is_refused() {
    let end = run_scenario("late", "late_stop_signal");
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        end.stdout
            .iter()
            .any(|l| l.starts_with("refused: SIGHUP is one of graceful's stop signals")),
        "{end:#?}"
    );
}
