//! Running one child binary: start it, read its lines with a time limit, signal it, reap it. A child that misbehaves is killed and reported, never waited on forever.

use std::{
    io,
    os::fd::AsRawFd,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use graceful_bench::now_ns;

/// How long any one step may take before the sample is given up.
pub(crate) const STEP: Duration = Duration::from_secs(10);

/// The directory holding the benchmark's binaries: the runner's own.
pub(crate) fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the runner's own path");
    exe.parent().expect("a directory").join(name)
}

pub(crate) struct Child {
    pid: libc::pid_t,
    process: std::process::Child,
    buf: Vec<u8>,
    reaped: bool,
    /// How long one step may take: [`STEP`] unless [`patient`](Child::patient) said more.
    limit: Duration,
}

/// What `reap` learns.
pub(crate) struct Reaped {
    /// The raw wait status.
    pub(crate) status: i32,
}

impl Child {
    /// Start `path` with `args`, stdout piped to us, stderr to /dev/null, and `env` on top of an
    /// environment without any `GRACEFUL_*` setting of ours.
    pub(crate) fn start(path: &Path, args: &[&str], env: &[(&str, &str)]) -> io::Result<Child> {
        let mut cmd = Command::new(path);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("GRACEFUL_") {
                cmd.env_remove(key);
            }
        }
        cmd.envs(env.iter().copied());
        let process = cmd.spawn()?;
        Ok(Child {
            pid: process.id() as libc::pid_t,
            process,
            buf: Vec::new(),
            reaped: false,
            limit: STEP,
        })
    }

    /// Let each step take up to `limit` instead of [`STEP`] (a child whose stop is long).
    pub(crate) fn patient(mut self, limit: Duration) -> Child {
        self.limit = limit;
        self
    }

    /// The next line of the child's stdout, without its newline.
    pub(crate) fn line(&mut self) -> Result<String, String> {
        let fd = self.process.stdout.as_ref().ok_or("no stdout")?.as_raw_fd();
        let deadline = now_ns() + self.limit.as_nanos() as u64;
        loop {
            if let Some(at) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=at).collect();
                return Ok(String::from_utf8_lossy(&line[..at]).into_owned());
            }
            let left = deadline.saturating_sub(now_ns());
            if left == 0 || !wait_readable(fd, left) {
                return Err("no line from the child in time".into());
            }
            let mut chunk = [0u8; 512];
            // SAFETY: reading into a valid stack buffer of the stated length.
            let n = unsafe { libc::read(fd, chunk.as_mut_ptr().cast(), chunk.len()) };
            match n {
                0 => return Err("the child closed stdout".into()),
                n if n < 0 => {
                    let e = io::Error::last_os_error();
                    if e.kind() != io::ErrorKind::Interrupted {
                        return Err(format!("reading the child: {e}"));
                    }
                }
                n => self.buf.extend_from_slice(&chunk[..n as usize]),
            }
        }
    }

    /// The next line, parsed as a number (the last word of the line).
    pub(crate) fn number(&mut self) -> Result<u64, String> {
        let line = self.line()?;
        let word = line.rsplit(' ').next().unwrap_or_default();
        word.parse()
            .map_err(|_| format!("expected a number from the child, got {line:?}"))
    }

    /// The next line, as `label value`.
    pub(crate) fn labelled(&mut self, label: &str) -> Result<u64, String> {
        let line = self.line()?;
        match line.split_once(' ') {
            Some((l, v)) if l == label => v.parse().map_err(|_| format!("bad value in {line:?}")),
            _ => Err(format!(
                "expected `{label} <n>` from the child, got {line:?}"
            )),
        }
    }

    /// Wait for the `ready` line.
    pub(crate) fn ready(&mut self) -> Result<(), String> {
        match self.line()?.as_str() {
            "ready" => Ok(()),
            other => Err(format!("expected `ready`, got {other:?}")),
        }
    }

    /// Send `signal`; returns the time (`now_ns`) taken just before `kill(2)`.
    pub(crate) fn signal(&self, signal: libc::c_int) -> u64 {
        let at = now_ns();
        // SAFETY: kill(2) on our own child, which is not reaped yet, so the pid is still its.
        unsafe { libc::kill(self.pid, signal) };
        at
    }

    /// Wait for the child to exit (killing it past the time limit), with its peak RSS.
    pub(crate) fn reap(mut self) -> Result<Reaped, String> {
        let reaped = wait_exit(self.pid, self.limit);
        self.reaped = true;
        let status = match reaped {
            Some(done) => done,
            None => {
                self.signal(libc::SIGKILL);
                let _ = waitpid(self.pid, 0);
                return Err("the child did not exit in time".into());
            }
        };
        Ok(Reaped { status })
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if !self.reaped {
            self.signal(libc::SIGKILL);
            let _ = self.process.wait();
        }
    }
}

/// poll(2) for readability for up to `ns`.
fn wait_readable(fd: i32, ns: u64) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = ns.div_ceil(1_000_000).min(i32::MAX as u64) as i32;
    loop {
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return r > 0;
        }
    }
}

/// `waitpid(2)` for our child `pid`: its status once it has exited; `None` while it runs
/// (with `WNOHANG`) or on error.
fn waitpid(pid: libc::pid_t, flags: libc::c_int) -> Option<i32> {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child with a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, flags) };
        if r == pid {
            return Some(status);
        }
        if r < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        return None;
    }
}

/// Reap `pid` once it exits, up to `limit`: a pidfd tells the exit at once on Linux;
/// elsewhere, poll for it.
fn wait_exit(pid: libc::pid_t, limit: Duration) -> Option<i32> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: pidfd_open(2) with the pid of our own unreaped child and no flags.
        let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
        if pidfd >= 0 {
            let exited = wait_readable(pidfd, limit.as_nanos() as u64);
            // SAFETY: closing the descriptor we just opened.
            unsafe { libc::close(pidfd) };
            return if exited { waitpid(pid, 0) } else { None };
        }
    }
    let deadline = now_ns() + limit.as_nanos() as u64;
    while now_ns() < deadline {
        if let Some(done) = waitpid(pid, libc::WNOHANG) {
            return Some(done);
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    None
}
