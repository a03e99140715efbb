//! What the attributes' expansions name, as `::graceful::__private::*`. Not public API: used by
//! generated code, and free to change between versions.

pub use core::time::Duration;
pub use std::net::SocketAddr;

pub use linkme;

pub use crate::{
    Builder, ExitPolicy, Report, SecondSignal, Shutdown, Signal,
    actions::{ActionFn, ActionJob, SIGNAL_ACTIONS, StaticAction, marker as action_marker},
    entry::{run, run_async},
    hooks::{
        HOOKS, Hook, HookFn, HookFuture, HookId, HookJob, HookRef, HookResult, StaticHook,
        async_hook, hook_result, marker,
    },
    main_end::{MainEnd, probe},
    test,
};
