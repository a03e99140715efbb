//! The platform: what the runtime needs of the OS. This file only dispatches; `unix.rs` and
//! `windows.rs` expose the same names:
//!
//! | name | what it is |
//! | --- | --- |
//! | `Word` | a word threads sleep on until it is bumped (`seq`, `wake`, `wait`); `wake` is async-signal-safe |
//! | `install(signals, on_signal)` | register `on_signal(signal, sender)` for `signals`, and the fork handler |
//! | `stderr_bounded(bytes, until)` | write to stderr without std's lock, giving up at `until` |
//! | `exit_now(code)` | end the process at once: no `atexit` handlers, no stdio flush |
//! | `die_of(signal)` | end the process as the signal's default action would |
//! | `spawn(name, f)` | start one of graceful's threads |
//! | `not_inherited_by_forks(listener)` | a forked child closes the probe listener at once |
//! | `register(signals, on_signal)` | a handler for an action's signal |
//! | `kill_group(pgid)`, `die_with_parent(pid)` | `graceful::test`: a hung child's group killed; a child that dies with its parent |
//! | `signal_process(pid, signal)` | send a signal to a child (`graceful::test`; unsupported on Windows) |
//!
//! Layer 8: it imports only the state machine and the leaves.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use unix::{
    Word, die_of, die_with_parent, exit_now, install, kill_group, not_inherited_by_forks, register,
    signal_process, stderr_bounded,
};

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::{
    Word, die_of, die_with_parent, exit_now, install, kill_group, not_inherited_by_forks, register,
    signal_process, stderr_bounded,
};

/// Start a thread named `name` running `f`: graceful's one way to start its threads, so std's
/// spawning is compiled once, not once per closure. (Should the OS refuse, `f` is dropped
/// here.)
pub(crate) fn spawn(name: &'static str, f: Box<dyn FnOnce() + Send>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map(drop)
}

/// How a wait on a [`Word`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Waited {
    /// The word was bumped (or the wait was interrupted: callers look again either way).
    Woken,
    /// The deadline passed.
    TimedOut,
}
