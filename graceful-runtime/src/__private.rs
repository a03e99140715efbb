//! What the attributes' expansions name, as `::graceful::__private::*`. Not public API: used by
//! generated code, and free to change between versions.

pub use core::time::Duration;

pub use linkme;

pub use crate::{
    Builder, ExitPolicy, Report, Shutdown, Signal,
    hooks::{HOOKS, HookResult, StaticHook, hook_result},
    lifecycle::run,
    outcome::{Outcome, probe},
};
