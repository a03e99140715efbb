//! The parent's side: run the test binary again for exactly this test, as the child, send it
//! the plan's signals (to its pid alone, never to the runner), wait for it within the plan's
//! bound (killing it past it), and read its report.

use std::{
    fmt,
    io::{self, BufRead, BufReader, Read},
    process::{Child, Command, Stdio},
    sync::mpsc,
    thread::JoinHandle,
    time::{Duration, Instant},
};

use super::{CHILD_ENV, READY_MARKER, Report, STARTED_MARKER, plan::Plan, plan::When};
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
    /// graceful).
    NoReport {
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
                stdout,
                stderr,
            } => write!(
                f,
                "the child ended ({status}) without graceful's report\n--- stdout\n{stdout}\
                 --- stderr\n{stderr}---"
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
    let mut command = Command::new(exe);
    command
        .args([
            name,
            "--exact",
            "--nocapture",
            "--quiet",
            "--test-threads=1",
            "--include-ignored",
        ])
        .env(CHILD_ENV, name)
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
    let outputs = Outputs::read(&mut child);
    let status = match supervise(&mut child, plan, &outputs.markers) {
        Ok(status) => status,
        Err(Stuck::Signal(s, e)) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ChildError::Signal(s, e));
        }
        Err(Stuck::Hung(waiting)) => {
            let _ = child.kill();
            let _ = child.wait();
            let (stdout, stderr) = outputs.join();
            return Err(ChildError::Hung {
                after: plan.kill_after,
                waiting,
                stdout,
                stderr,
            });
        }
    };
    let (stdout, mut stderr) = outputs.join();
    let Some((start, line)) = report_line(&stderr) else {
        return Err(ChildError::NoReport {
            status: status.to_string(),
            stdout,
            stderr,
        });
    };
    let parsed = parse::report(line).map_err(|e| ChildError::BadReport(e, line.to_owned()))?;
    stderr.replace_range(start..start + line.len(), "");
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    Ok(Report::new(parsed, status.code(), signal, stdout, stderr))
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
) -> Result<std::process::ExitStatus, Stuck> {
    let spawned = Instant::now();
    let mut body_started: Option<Instant> = None;
    let mut readies = 0_usize;
    // When the first signal went, and how many `ready()` calls had come by then.
    let mut first: Option<(Instant, usize)> = None;
    let mut second_sent = false;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Ok(status);
        }
        let now = Instant::now();
        let due = |when: When, since: Instant, readies_before: usize| match when {
            When::Ready => readies > readies_before,
            When::After(delay) => now >= since + delay,
        };
        if let (Some((signal, when)), None, Some(body)) = (plan.first, first, body_started) {
            if due(when, body, 0) {
                sys::signal_process(child.id(), signal).map_err(|e| Stuck::Signal(signal, e))?;
                first = Some((now, readies));
            }
        }
        if let (Some((signal, when)), Some((at, readies_then)), false) =
            (plan.second, first, second_sent)
        {
            if due(when, at, readies_then) {
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
                    "it never called graceful::test::ready() again, which the second signal \
                     waits for"
                }
                (Some(_), Some(_), ..) => "it did not end after its signal",
                _ => "its body did not end",
            };
            return Err(Stuck::Hung(waiting));
        }
        match markers.recv_timeout(Duration::from_millis(5)) {
            Ok(Marker::Started) => body_started = Some(Instant::now()),
            Ok(Marker::Ready) => readies += 1,
            Err(_) => {}
        }
    }
}

/// What the child tells the parent, on a line of stderr of its own.
enum Marker {
    /// Its body starts, graceful installed.
    Started,
    /// It called `ready()`.
    Ready,
}

/// The child's stdout and stderr, read on two threads; the markers are taken out of stderr and
/// sent on `markers`.
struct Outputs {
    markers: mpsc::Receiver<Marker>,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
}

impl Outputs {
    fn read(child: &mut Child) -> Outputs {
        let (tx, markers) = mpsc::channel();
        let stdout = child.stdout.take().map(|mut out| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = out.read_to_end(&mut bytes);
                without_harness_line(&String::from_utf8_lossy(&bytes)).to_owned()
            })
        });
        let stderr = child.stderr.take().map(|err| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let mut reader = BufReader::new(err);
                let mut line = Vec::new();
                while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                    let s = String::from_utf8_lossy(&line);
                    let bare = s.trim_end_matches('\n');
                    let marked = [
                        (READY_MARKER, Marker::Ready),
                        (STARTED_MARKER, Marker::Started),
                    ]
                    .into_iter()
                    .find_map(|(m, marker)| Some((bare.strip_suffix(m)?, marker)));
                    match marked {
                        Some((before, marker)) => {
                            text.push_str(before);
                            let _ = tx.send(marker);
                        }
                        None => text.push_str(&s),
                    }
                    line.clear();
                }
                text
            })
        });
        Outputs {
            markers,
            stdout,
            stderr,
        }
    }

    fn join(mut self) -> (String, String) {
        let take =
            |h: Option<JoinHandle<String>>| h.and_then(|h| h.join().ok()).unwrap_or_default();
        (take(self.stdout.take()), take(self.stderr.take()))
    }
}

/// The harness's first words in the child (`running 1 test`) are not the test's.
fn without_harness_line(stdout: &str) -> &str {
    let rest = stdout.strip_prefix('\n').unwrap_or(stdout);
    rest.strip_prefix("running 1 test\n").unwrap_or(stdout)
}

/// Where graceful's JSON report is in `stderr`, and the line with its newline: the last line
/// that is one.
fn report_line(stderr: &str) -> Option<(usize, &str)> {
    let start = stderr
        .rmatch_indices("{\"reason\":")
        .map(|(i, _)| i)
        .find(|&i| i == 0 || stderr.as_bytes()[i - 1] == b'\n')?;
    let end = stderr[start..]
        .find('\n')
        .map_or(stderr.len(), |e| start + e + 1);
    Some((start, &stderr[start..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_is_the_last_line_that_is_one() {
        let stderr = "a\n{\"reason\":null}\nb {\"reason\":1}\n{\"reason\":\"SIGTERM\"}\n";
        let (start, line) = report_line(stderr).unwrap();
        assert_eq!(line, "{\"reason\":\"SIGTERM\"}\n");
        assert_eq!(&stderr[..start], "a\n{\"reason\":null}\nb {\"reason\":1}\n");
        assert!(report_line("no report\n").is_none());
    }

    #[test]
    fn the_harness_line_is_left_out() {
        assert_eq!(without_harness_line("\nrunning 1 test\nhello\n"), "hello\n");
        assert_eq!(without_harness_line("hello\n"), "hello\n");
    }
}
