//! The install [`Guard`]: graceful for binaries that cannot take the attribute.

use std::marker::PhantomData;

use super::finish;
use crate::{body, conclude, exit_code::Decision, main_end::MainEnd, state::STATE};

/// Runs the shutdown sequence when dropped at the end of `main`. See
/// [`install`](crate::install).
#[must_use = "the hooks run when the guard is dropped: bind it, as `let _graceful = install();`"]
#[derive(Debug)]
pub struct Guard {
    /// This guard installed graceful (a second installation gives one that does nothing).
    installed: bool,
    /// The guard belongs to main's thread.
    _main_thread: PhantomData<*const ()>,
}

impl Guard {
    pub(super) fn new(installed: bool) -> Guard {
        Guard {
            installed,
            _main_thread: PhantomData,
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.installed || STATE.forked() {
            // A forked child: the hooks are the parent's.
            return;
        }
        body::leave();
        let end = match body::take_exit_unwind() {
            Some(code) => MainEnd::Exited(code),
            None if std::thread::panicking() => MainEnd::Panicked,
            None => MainEnd::Unknown,
        };
        let decision = finish::finish_off_the_unwind(end);
        if decision != Decision::MainDecides {
            conclude::end_process(decision);
        }
        STATE.hand_back();
    }
}
