//! The safety net and the report, under the faults a second adversarial review of the rebuilt
//! runtime found (the first review's are in `faults.rs`).

use std::{
    io::{BufRead, BufReader},
    os::unix::net::UnixDatagram,
    process::{Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use graceful_e2e::{Ended, Proc, SIGTERM};

const BIN: &str = env!("CARGO_BIN_EXE_faults");

fn stopped(args: &[&str]) -> Ended {
    let p = Proc::start(BIN, args, &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    p.wait()
}

/// Start `args` with stderr read as it comes: each line with when it came, from the start.
fn timed_stderr(args: &[&str], signal_after: Duration) -> (Option<i32>, Vec<(Duration, String)>) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("GRACEFUL_REPORT")
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let err = BufReader::new(child.stderr.take().unwrap());
    let t0 = Instant::now();
    std::thread::spawn(move || {
        for line in err.lines().map_while(Result::ok) {
            let _ = tx.send((t0.elapsed(), line));
        }
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut ready = String::new();
    out.read_line(&mut ready).unwrap();
    std::thread::sleep(signal_after);
    graceful_e2e::kill(child.id() as i32, SIGTERM);
    let status = child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    (status.code(), rx.try_iter().collect())
}

#[test]
fn closures_registered_from_many_threads_at_once_all_run() {
    for trial in 0..3 {
        let end = stopped(&["concurrent_registration"]);
        assert_eq!(end.code(), Some(0), "trial {trial}: {}", end.stderr);
        assert_eq!(end.hooks(), ["ran:1000"], "trial {trial}");
    }
}

#[test]
fn a_closure_cancelled_during_the_stop_whose_drop_fails_costs_no_hook() {
    // Its value's Drop panics, calls exit(9), or blocks for 60 s: the other hooks still run,
    // and the stop is over in time.
    for (how, code) in [("panic", 0), ("exit", 9), ("block", 0)] {
        let t0 = Instant::now();
        let end = stopped(&["cancelled_during_cleanup_drop", how]);
        assert_eq!(end.code(), Some(code), "{how}: {end:#?}");
        assert_eq!(end.hooks(), ["a:Some(true)", "c"], "{how}: {end:#?}");
        assert!(
            t0.elapsed() < Duration::from_secs(2),
            "{how}: took {:?}",
            t0.elapsed()
        );
    }
}

#[test]
fn a_genuine_panic_after_another_thread_called_exit_is_still_a_panic() {
    let end = stopped(&["panic_after_unrelated_exit"]);
    assert_eq!(end.code(), Some(101), "{end:#?}");
    assert_eq!(end.hooks(), ["third", "second", "first"], "{end:#?}");
}

#[test]
fn main_holding_the_stderr_lock_under_the_guard_loses_no_report_line() {
    let p = Proc::start(BIN, &["guard_holding_stderr"], &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    // The same request again at once (as GNU timeout sends it): the reporter has a line.
    std::thread::sleep(Duration::from_millis(20));
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["flush"], "{end:#?}");
    for line in [
        "SIGTERM received",
        "the same request",
        "hook \"flush\"",
        "exit 0",
    ] {
        assert!(end.stderr.contains(line), "no {line:?} in {}", end.stderr);
    }
}

#[test]
fn the_drain_is_reported_when_it_begins_not_when_it_ends() {
    let (code, lines) = timed_stderr(&["drain_timed"], Duration::from_millis(100));
    assert_eq!(code, Some(0), "{lines:?}");
    let at = |text: &str| {
        lines
            .iter()
            .find(|(_, l)| l.contains(text))
            .map(|(t, _)| *t)
            .unwrap_or_else(|| panic!("no {text:?} in {lines:?}"))
    };
    // The drain lasts 1 s; its line comes well before its end.
    assert!(
        at("draining for 1s") + Duration::from_millis(500) < at("drain over"),
        "{lines:?}"
    );
}

#[test]
fn the_first_line_does_not_wait_for_a_slow_body() {
    let (code, lines) = timed_stderr(&["slow_body"], Duration::from_millis(100));
    assert_eq!(code, Some(0), "{lines:?}");
    let first = lines
        .iter()
        .position(|(_, l)| l.contains("SIGTERM received"))
        .unwrap_or_else(|| panic!("{lines:?}"));
    let last_step = lines.iter().position(|(_, l)| l == "body: step 3").unwrap();
    assert!(
        first < last_step,
        "the first line came after the body's end: {lines:?}"
    );
}

#[test]
fn main_s_error_after_a_signal_comes_after_the_signal_s_line() {
    let end = stopped(&["err_after_signal"]);
    assert_eq!(end.code(), Some(1), "{end:#?}");
    let lines: Vec<&str> = end.stderr.lines().collect();
    let signal = lines
        .iter()
        .position(|l| l.contains("SIGTERM received"))
        .unwrap();
    let error = lines
        .iter()
        .position(|l| *l == "Error: \"db gone\"")
        .unwrap();
    assert!(signal < error, "{}", end.stderr);
}

#[test]
fn every_line_of_a_multi_line_error_is_marked_as_the_report_s() {
    let end = Proc::start(BIN, &["multiline_error"], &[]).wait();
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert!(end.stderr.contains("second line"), "{}", end.stderr);
    for line in end.stderr.lines() {
        assert!(line.starts_with("graceful: "), "{line:?} in {}", end.stderr);
    }
}

#[test]
fn stopping_reaches_systemd_at_once() {
    let dir = std::env::temp_dir().join(format!("graceful-sd-once-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("notify.sock");
    let _ = std::fs::remove_file(&path);
    let sock = UnixDatagram::bind(&path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // Five times: the watchdog's idle look (a quarter second) would be late in most.
    for _ in 0..5 {
        let p = Proc::start(
            BIN,
            &["slow_body"],
            &[("NOTIFY_SOCKET", path.to_str().unwrap())],
        );
        p.wait_for("ready");
        let t0 = Instant::now();
        p.kill(SIGTERM);
        let mut buf = [0u8; 64];
        loop {
            let n = sock.recv(&mut buf).unwrap();
            if &buf[..n] == b"STOPPING=1" {
                break;
            }
        }
        let took = t0.elapsed();
        p.wait();
        assert!(
            took < Duration::from_millis(120),
            "STOPPING=1 after {took:?}"
        );
        while sock
            .set_read_timeout(Some(Duration::from_millis(50)))
            .is_ok()
            && sock.recv(&mut buf).is_ok()
        {}
        sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
}
