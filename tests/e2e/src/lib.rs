//! Helpers for the end-to-end tests: start a fixture binary, read its markers as they come,
//! signal it with `kill(2)`, and wait for its exit with a generous bound.
#![allow(missing_docs)]

use std::{
    io::{BufRead, BufReader, Read},
    os::unix::process::ExitStatusExt,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Condvar, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

/// Bounds in these tests are loose on purpose: the machines are shared and noisy.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Proc {
    child: Child,
    lines: Arc<(Mutex<Vec<String>>, Condvar)>,
    stdout: Option<JoinHandle<()>>,
    stderr: Option<JoinHandle<String>>,
}

/// What a finished process left behind.
#[derive(Debug)]
pub struct Ended {
    pub status: ExitStatus,
    pub stdout: Vec<String>,
    pub stderr: String,
}

impl Ended {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }
    pub fn signal(&self) -> Option<i32> {
        self.status.signal()
    }
    /// The `hook:NAME` markers in order.
    pub fn hooks(&self) -> Vec<&str> {
        self.stdout
            .iter()
            .filter_map(|l| l.strip_prefix("hook:"))
            .collect()
    }
    pub fn position(&self, line: &str) -> usize {
        self.stdout
            .iter()
            .position(|l| l == line)
            .unwrap_or_else(|| {
                panic!(
                    "no line {line:?} in {:#?}\nstderr:\n{}",
                    self.stdout, self.stderr
                )
            })
    }
}

impl Proc {
    pub fn start(bin: &str, args: &[&str], env: &[(&str, &str)]) -> Proc {
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("GRACEFUL_TIMEOUT")
            .env_remove("GRACEFUL_REPORT")
            .env_remove("GRACEFUL_DRAIN")
            .env_remove("NOTIFY_SOCKET");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
        let lines: Arc<(Mutex<Vec<String>>, Condvar)> = Arc::default();
        let out = child.stdout.take().expect("piped stdout");
        let sink = lines.clone();
        let stdout = std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let (lock, cv) = &*sink;
                lock.lock().unwrap().push(line);
                cv.notify_all();
            }
        });
        let mut err = child.stderr.take().expect("piped stderr");
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        Proc {
            child,
            lines,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Block until stdout has printed `line`.
    pub fn wait_for(&self, line: &str) {
        self.wait_for_count(line, 1);
    }

    /// Block until stdout has printed `line` `count` times.
    pub fn wait_for_count(&self, line: &str, count: usize) {
        let (lock, cv) = &*self.lines;
        let deadline = Instant::now() + PATIENCE;
        let mut got = lock.lock().unwrap();
        while got.iter().filter(|l| *l == line).count() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "not {count} x {line:?} within {PATIENCE:?}; got {got:?}"
            );
            got = cv.wait_timeout(got, left).unwrap().0;
        }
    }

    /// The stdout lines so far, and the condition variable signalled on each new one.
    pub fn lines(&self) -> Arc<(Mutex<Vec<String>>, Condvar)> {
        self.lines.clone()
    }

    /// Send `signal` with kill(2).
    pub fn kill(&self, signal: i32) {
        kill(self.pid(), signal);
    }

    /// Wait for exit (SIGKILL past `PATIENCE`, which fails the test).
    pub fn wait(mut self) -> Ended {
        self.wait_within(PATIENCE)
    }

    pub fn wait_within(&mut self, patience: Duration) -> Ended {
        let deadline = Instant::now() + patience;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("process still running after {patience:?}");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        self.stdout.take().unwrap().join().unwrap();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        let stdout = std::mem::take(&mut *self.lines.0.lock().unwrap());
        Ended {
            status,
            stdout,
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

/// kill(2).
pub fn kill(pid: i32, signal: i32) {
    // SAFETY: kill(2) takes plain integers; the pid is our own child's.
    let rc = unsafe { libc::kill(pid, signal) };
    assert_eq!(rc, 0, "kill({pid}, {signal}) failed");
}

pub use libc::{SIGINT, SIGKILL, SIGTERM};

/// For the fixtures: a hook closure that prints the marker `hook:NAME`.
pub fn mark(hook: &'static str) -> impl FnOnce() + Send + 'static {
    move || println!("hook:{hook}")
}

/// For the fixtures: three closures, which run last-registered first.
pub fn three_hooks() {
    graceful::on_shutdown("first", mark("first"));
    graceful::on_shutdown("second", mark("second"));
    graceful::on_shutdown("third", mark("third"));
}

/// For the fixtures: say `ready` on stdout.
pub fn ready() {
    println!("ready");
}

/// For the fixtures: say `ready`, then sleep in `graceful::sleep` until stopping.
pub fn sleep_forever() -> Result<(), graceful::Shutdown> {
    ready();
    loop {
        graceful::sleep(Duration::from_secs(1))?;
    }
}

/// An example of the root package, built by `cargo test --workspace` next to this test.
pub fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap(); // target/<profile>/deps/.. -> target/<profile>
    let bin = dir.join("examples").join(name);
    assert!(
        bin.exists(),
        "{} is missing: run `cargo test --workspace` (or `cargo build --example {name}`) first",
        bin.display()
    );
    bin
}

/// Start an example server; returns it with the address it prints (`listening on ADDR`).
pub fn start_server(name: &str, env: &[(&str, &str)]) -> (Proc, std::net::SocketAddr) {
    let p = Proc::start(example(name).to_str().unwrap(), &[], env);
    let addr = {
        let lines = p.lines();
        let (lock, cv) = &*lines;
        let mut lines = lock.lock().unwrap();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(a) = lines.iter().find_map(|l| l.strip_prefix("listening on ")) {
                break a.parse().unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "the server never said where it listens"
            );
            lines = cv
                .wait_timeout(lines, Duration::from_millis(100))
                .unwrap()
                .0;
        }
    };
    (p, addr)
}

/// Assert that less than `limit` has passed since `t0` (bounds are loose: seconds, not
/// microseconds).
#[track_caller]
pub fn within(t0: Instant, limit: Duration) {
    assert!(t0.elapsed() < limit, "took {:?}", t0.elapsed());
}

/// `tests/abort`, a program outside the workspace built with `panic = "abort"`, built (once
/// per change; cargo keeps it up to date) into `target/abort`: its binary's path.
pub fn abort_bin() -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let target = format!("{root}/target/abort");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(format!("{root}/tests/abort/Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "cannot build tests/abort");
    format!("{target}/debug/graceful-abort-check")
}

/// A `tracing` subscriber that keeps the `event` field of every event it receives: what a
/// final hook checks graceful's own events reached the sinks before it ran.
pub mod seen {
    use std::{fmt::Write as _, sync::Mutex};

    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

    /// Make it the global subscriber.
    pub fn install() {
        tracing::subscriber::set_global_default(Capture).expect("a subscriber was already set");
    }

    /// The events' names so far, in order.
    pub fn names() -> Vec<String> {
        SEEN.lock().unwrap().clone()
    }

    struct Capture;
    struct EventName(String);

    impl tracing::field::Visit for EventName {
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            if field.name() == "event" {
                self.0 = value.to_owned();
            }
        }
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            if field.name() == "event" {
                let _ = write!(self.0, "{value:?}");
            }
        }
    }

    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut name = EventName(String::new());
            event.record(&mut name);
            SEEN.lock().unwrap().push(name.0);
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
}
