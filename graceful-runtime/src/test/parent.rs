//! The parent's side: run the test binary again for exactly this test, as the child, send it
//! the plan's signals (to its pid alone, never to the runner), wait for it within the plan's
//! bound (killing it past it), and read its report.

use std::{
    fmt,
    io::{self, BufRead, BufReader, Read},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, PoisonError, mpsc},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use super::{CHILD_ENV, Marker, Report, plan::Plan, plan::When};
use crate::{
    Signal,
    config::{ENV_DRAIN, ENV_PROBE, ENV_REPORT, ENV_SECOND_SIGNAL, ENV_TIMEOUT},
    report::{parse, value::ParseError},
    sys,
};

/// How the child of a `#[graceful::test]` failed to give a report.
#[derive(Debug)]
pub(crate) enum ChildError {
    /// The test binary could not be started again.
    Spawn(io::Error),
    /// A signal could not be sent to the child.
    Signal(Signal, io::Error),
    /// The child still ran at the plan's bound; it was killed.
    Hung {
        after: Duration,
        waiting: &'static str,
        stdout: String,
        stderr: String,
    },
    /// The child ended without graceful's report (killed, or its body never ran under
    /// graceful, or ended the process itself).
    NoReport {
        status: String,
        /// Its body had started, under graceful.
        started: bool,
        stdout: String,
        stderr: String,
    },
    /// The child ended before the plan's signal was sent: the test tested no stop.
    EndedBeforeSignal {
        signal: Signal,
        status: String,
        stdout: String,
        stderr: String,
    },
    /// The report is not one this version writes.
    BadReport(ParseError, String),
}

impl fmt::Display for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("graceful::test: ")?;
        match self {
            ChildError::Spawn(e) => write!(f, "could not run the test binary again: {e}"),
            ChildError::Signal(s, e) => write!(f, "could not send {s} to the child: {e}"),
            ChildError::Hung {
                after,
                waiting,
                stdout,
                stderr,
            } => write!(
                f,
                "the child still ran {after:?} after it started ({waiting}): killed it \
                 (raise `kill_after` if it needs longer)\n--- stdout\n{stdout}--- stderr\n{stderr}---"
            ),
            ChildError::NoReport {
                status,
                started,
                stdout,
                stderr,
            } => write!(
                f,
                "the child ended ({status}) without graceful's report{}\n--- stdout\n{stdout}\
                 --- stderr\n{stderr}---",
                if *started {
                    " (its body ran: std::process::exit, or anything else that ends the process \
                     on the spot, bypasses graceful; use graceful::exit)"
                } else {
                    ""
                }
            ),
            ChildError::EndedBeforeSignal {
                signal,
                status,
                stdout,
                stderr,
            } => write!(
                f,
                "the child ended ({status}) before its {signal} was sent, so no stop was tested: \
                 call graceful::test::ready() before the body ends, or shorten `after`\n\
                 --- stdout\n{stdout}--- stderr\n{stderr}---"
            ),
            ChildError::BadReport(e, line) => write!(f, "{e}: {line}"),
        }
    }
}

impl std::error::Error for ChildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ChildError::Spawn(e) | ChildError::Signal(_, e) => Some(e),
            ChildError::BadReport(e, _) => Some(e),
            _ => None,
        }
    }
}

/// Run the child for the test `name` under `plan` and read its report.
pub(crate) fn run(plan: &Plan, name: &str) -> Result<Report, ChildError> {
    let exe = std::env::current_exe().map_err(ChildError::Spawn)?;
    let token = token();
    let mut command = Command::new(exe);
    // A group of its own: what the child starts is killed with it if it hangs.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
        .args([
            name,
            "--exact",
            "--nocapture",
            "--quiet",
            "--test-threads=1",
            "--include-ignored",
        ])
        .env(
            CHILD_ENV,
            format!("{name}\n{}\n{token}", std::process::id()),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // The child's settings are the attribute's alone; nor should it talk to a service manager.
    for var in [
        ENV_TIMEOUT,
        ENV_REPORT,
        ENV_DRAIN,
        ENV_PROBE,
        ENV_SECOND_SIGNAL,
    ] {
        command.env_remove(var);
    }
    command.env_remove("NOTIFY_SOCKET");
    let mut child = command.spawn().map_err(ChildError::Spawn)?;
    let outputs = Outputs::read(&mut child, token);
    let ended = match supervise(&mut child, plan, &outputs.markers) {
        Ok(ended) => ended,
        Err(stuck) => {
            sys::kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            return Err(match stuck {
                Stuck::Signal(s, e) => ChildError::Signal(s, e),
                Stuck::Hung(waiting) => {
                    let (stdout, stderr, _) = outputs.join();
                    ChildError::Hung {
                        after: plan.kill_after,
                        waiting,
                        stdout,
                        stderr,
                    }
                }
            });
        }
    };
    let (stdout, stderr, report) = outputs.join();
    let status = ended.status;
    // Shown by the harness as any test's output: on failure, or with --show-output.
    print!("{stdout}");
    eprint!("{stderr}");
    let unsent = match (plan.first, ended.first_sent, plan.second, ended.second_sent) {
        (Some((signal, _)), false, ..) | (_, _, Some((signal, _)), false) => Some(signal),
        _ => None,
    };
    if let Some(signal) = unsent {
        return Err(ChildError::EndedBeforeSignal {
            signal,
            status: status.to_string(),
            stdout,
            stderr,
        });
    }
    let Some(line) = report else {
        return Err(ChildError::NoReport {
            status: status.to_string(),
            started: ended.started,
            stdout,
            stderr,
        });
    };
    let parsed = parse::report(&line).map_err(|e| ChildError::BadReport(e, line.clone()))?;
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    Ok(Report::new(parsed, status.code(), signal, stdout, stderr))
}

/// A token for this run of one test: the child's markers end with it.
fn token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos:x}", std::process::id())
}

/// How the child ended, and which of the plan's signals it got.
struct Ended {
    status: std::process::ExitStatus,
    started: bool,
    first_sent: bool,
    second_sent: bool,
}

/// Why supervision stopped before the child ended.
enum Stuck {
    Signal(Signal, io::Error),
    Hung(&'static str),
}

/// Send the plan's signals when they are due and wait for the child's exit, up to the plan's
/// bound. Signals go to the child's pid while it is unreaped, so the pid is still its own. A
/// delay counts from the moment the child's body starts, graceful installed: a signal sent
/// before would meet the default action, not graceful.
fn supervise(
    child: &mut Child,
    plan: &Plan,
    markers: &mpsc::Receiver<Marker>,
) -> Result<Ended, Stuck> {
    let spawned = Instant::now();
    let mut body_started: Option<Instant> = None;
    let mut readies = 0_usize;
    // `ready()` calls made once the child was stopping: what `second_after = ready` waits for.
    let mut readies_stopping = 0_usize;
    // When the first signal went, and how many such calls had come by then.
    let mut first: Option<(Instant, usize)> = None;
    let mut second_sent = false;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Ok(Ended {
                status,
                started: body_started.is_some(),
                first_sent: first.is_some(),
                second_sent,
            });
        }
        let now = Instant::now();
        if let (Some((signal, when)), None, Some(body)) = (plan.first, first, body_started) {
            let due = match when {
                When::Ready => readies > 0,
                When::After(delay) => now >= body + delay,
            };
            if due {
                sys::signal_process(child.id(), signal).map_err(|e| Stuck::Signal(signal, e))?;
                first = Some((now, readies_stopping));
            }
        }
        if let (Some((signal, when)), Some((at, readies_then)), false) =
            (plan.second, first, second_sent)
        {
            // Never within 100 ms of the first: the kernel would deliver the lower-numbered of
            // two pending signals first, and graceful takes a repeat that close as one.
            let due = now >= at + SECOND_GAP
                && match when {
                    When::Ready => readies_stopping > readies_then,
                    When::After(delay) => now >= at + delay,
                };
            if due {
                sys::signal_process(child.id(), signal).map_err(|e| Stuck::Signal(signal, e))?;
                second_sent = true;
            }
        }
        if now.duration_since(spawned) > plan.kill_after {
            let waiting = match (plan.first, first, plan.second, second_sent) {
                _ if body_started.is_none() => "its body never started",
                (Some((_, When::Ready)), None, ..) => {
                    "it never called graceful::test::ready(), which the signal waits for"
                }
                (_, _, Some((_, When::Ready)), false) if first.is_some() => {
                    "it never called graceful::test::ready() again while stopping, which the \
                     second signal waits for"
                }
                (Some(_), Some(_), ..) => "it did not end after its signal",
                _ => "its body did not end",
            };
            return Err(Stuck::Hung(waiting));
        }
        match markers.recv_timeout(Duration::from_millis(5)) {
            Ok(Marker::Started) => body_started = Some(Instant::now()),
            Ok(Marker::Ready { stopping }) => {
                readies += 1;
                readies_stopping += usize::from(stopping);
            }
            Ok(Marker::Report) | Err(_) => {}
        }
    }
}

/// The least time between the first signal and the second.
const SECOND_GAP: Duration = Duration::from_millis(150);

/// What the child's stderr gave: its text, markers taken out, and the report's line.
#[derive(Default)]
struct Stderr {
    text: String,
    report: Option<String>,
}

/// The child's stdout and stderr, read on two threads into buffers the parent can take even
/// if a reader never ends (a grandchild that keeps the pipes open); the markers are taken out
/// of stderr and sent on `markers`.
struct Outputs {
    markers: mpsc::Receiver<Marker>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Stderr>>,
    readers: Vec<JoinHandle<()>>,
}

/// How long the readers get, once the child is reaped, to reach the end of its output.
const DRAIN: Duration = Duration::from_secs(1);

impl Outputs {
    fn read(child: &mut Child, token: String) -> Outputs {
        let (tx, markers) = mpsc::channel();
        let stdout: Arc<Mutex<Vec<u8>>> = Arc::default();
        let stderr: Arc<Mutex<Stderr>> = Arc::default();
        let mut readers = Vec::new();
        if let Some(mut out) = child.stdout.take() {
            let sink = stdout.clone();
            readers.push(std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n @ 1..) = out.read(&mut buf) {
                    lock(&sink).extend_from_slice(&buf[..n]);
                }
            }));
        }
        if let Some(err) = child.stderr.take() {
            let sink = stderr.clone();
            readers.push(std::thread::spawn(move || {
                let mut reader = BufReader::new(err);
                let mut line = Vec::new();
                let mut report_next = false;
                while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                    let s = String::from_utf8_lossy(&line).into_owned();
                    line.clear();
                    let mut out = lock(&sink);
                    if std::mem::take(&mut report_next) {
                        out.report = Some(s);
                        continue;
                    }
                    let bare = s.trim_end_matches('\n');
                    match Marker::find(bare, &token) {
                        Some((marker, at)) => {
                            out.text.push_str(&bare[..at]);
                            report_next = marker == Marker::Report;
                            let _ = tx.send(marker);
                        }
                        None => out.text.push_str(&s),
                    }
                }
            }));
        }
        Outputs {
            markers,
            stdout,
            stderr,
            readers,
        }
    }

    /// The output so far, once the readers are done or `DRAIN` has passed: stdout, stderr and
    /// the report's line.
    fn join(self) -> (String, String, Option<String>) {
        let until = Instant::now() + DRAIN;
        while self.readers.iter().any(|r| !r.is_finished()) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        let stdout = String::from_utf8_lossy(&lock(&self.stdout)).into_owned();
        let stderr = std::mem::take(&mut *lock(&self.stderr));
        (
            without_harness_line(&stdout).to_owned(),
            stderr.text,
            stderr.report,
        )
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The harness's first words in the child (`running 1 test`) are not the test's.
fn without_harness_line(stdout: &str) -> &str {
    let rest = stdout.strip_prefix('\n').unwrap_or(stdout);
    rest.strip_prefix("running 1 test\n").unwrap_or(stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_marker_with_the_runs_token_counts() {
        assert_eq!(
            Marker::find("progress: 100%graceful::test::ready 7-ab", "7-ab"),
            Some((Marker::Ready { stopping: false }, 14))
        );
        assert_eq!(
            Marker::find("graceful::test::ready-stopping 7-ab", "7-ab"),
            Some((Marker::Ready { stopping: true }, 0))
        );
        assert_eq!(
            Marker::find("next step: graceful::test::ready", "7-ab"),
            None
        );
        assert_eq!(Marker::find("graceful::test::report 8-cd", "7-ab"), None);
    }

    #[test]
    fn the_harness_line_is_left_out() {
        assert_eq!(without_harness_line("\nrunning 1 test\nhello\n"), "hello\n");
        assert_eq!(without_harness_line("hello\n"), "hello\n");
    }
}
