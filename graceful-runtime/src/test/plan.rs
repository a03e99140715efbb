//! What `#[graceful::test(...)]` asks of the child: which signals, when, how long it may run,
//! and the check on its report. Not public API: the attribute writes the calls.

use std::time::Duration;

use super::Report;
use crate::Signal;

/// When a signal goes to the child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum When {
    /// When the child calls [`ready`](super::ready) (for a second signal: calls it again, after
    /// the first signal).
    Ready,
    /// This long after the child's body started (for a second signal: after the first).
    After(Duration),
}

/// A test's plan for its child. Not public API: used by generated code.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct Plan {
    pub(crate) module: &'static str,
    pub(crate) function: &'static str,
    pub(crate) first: Option<(Signal, When)>,
    pub(crate) second: Option<(Signal, When)>,
    pub(crate) kill_after: Duration,
    pub(crate) check: fn(Report),
}

impl Plan {
    /// The test `function` in `module` (as `module_path!()` gives it); no signal (the body ends
    /// on its own), 30 s before the child is killed, and the check that it ended cleanly.
    pub fn new(module: &'static str, function: &'static str) -> Plan {
        Plan {
            module,
            function,
            first: None,
            second: None,
            kill_after: Duration::from_secs(30),
            check: |report| report.assert_clean(),
        }
    }

    /// `signal = SIGTERM`: sent when the body calls `ready()`, unless `after` says otherwise.
    pub fn signal(mut self, signal: Signal) -> Plan {
        self.first = Some((signal, When::Ready));
        self
    }

    /// `after = "200ms"`: the first signal goes this long after the child's body starts.
    pub fn after_ms(mut self, ms: u64) -> Plan {
        if let Some((_, when)) = &mut self.first {
            *when = When::After(Duration::from_millis(ms));
        }
        self
    }

    /// `second = SIGINT`: sent 300 ms after the first (more than the 100 ms within which a
    /// repeat from the same sender counts as the same request), unless `second_after` says.
    pub fn second(mut self, signal: Signal) -> Plan {
        self.second = Some((signal, When::After(Duration::from_millis(300))));
        self
    }

    /// `second_after = "500ms"`: this long after the first signal.
    pub fn second_after_ms(mut self, ms: u64) -> Plan {
        if let Some((_, when)) = &mut self.second {
            *when = When::After(Duration::from_millis(ms));
        }
        self
    }

    /// `second_after = ready`: when the child calls `ready()` once it is stopping.
    pub fn second_after_ready(mut self) -> Plan {
        if let Some((_, when)) = &mut self.second {
            *when = When::Ready;
        }
        self
    }

    /// `kill_after = "5s"`: past this the child is killed and the test fails.
    pub fn kill_after_ms(mut self, ms: u64) -> Plan {
        self.kill_after = Duration::from_millis(ms);
        self
    }

    /// `check = path`: what the parent asserts on the report, in place of a clean end.
    pub fn check(mut self, check: fn(Report)) -> Plan {
        self.check = check;
        self
    }

    /// The name libtest knows the test by: the module path without the crate, then the
    /// function (`tests::stops_cleanly`), as `--exact` wants it.
    pub(crate) fn test_name(&self) -> String {
        match self.module.split_once("::") {
            Some((_, path)) => format!("{path}::{}", self.function),
            None => self.function.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_name_drops_the_crate() {
        assert_eq!(Plan::new("krate", "f").test_name(), "f");
        assert_eq!(Plan::new("krate::a::b", "f").test_name(), "a::b::f");
    }

    #[test]
    fn timing_applies_to_the_signal_it_follows() {
        let plan = Plan::new("k", "f")
            .signal(Signal::SIGTERM)
            .after_ms(5)
            .second(Signal::SIGINT)
            .second_after_ready();
        assert_eq!(
            plan.first,
            Some((Signal::SIGTERM, When::After(Duration::from_millis(5))))
        );
        assert_eq!(plan.second, Some((Signal::SIGINT, When::Ready)));
    }
}
