//! What a hook may return: `()` or `Result<(), E: Display>`.

use std::{fmt::Display, future::Future};

use super::{HookFuture, HookResult};

/// A hook's return type: `()` or `Result<(), E>` where `E: Display`. An `Err` is reported with
/// its `Display` text and makes the process exit 1; the next hook still runs.
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::HookReturn;
/// assert_eq!(().into_hook_result(), Ok(()));
/// let failed: Result<(), &str> = Err("disk full");
/// assert_eq!(failed.into_hook_result(), Err("disk full".to_owned()));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a shutdown hook or a signal's action",
    label = "a hook or an action returns () or Result<(), E> where E: Display",
    note = "turn other values into () or an error the report can print"
)]
pub trait HookReturn {
    /// Normalise to `Ok(())` or the error's message.
    fn into_hook_result(self) -> HookResult;
}

impl HookReturn for () {
    fn into_hook_result(self) -> HookResult {
        Ok(())
    }
}

impl<E: Display> HookReturn for Result<(), E> {
    fn into_hook_result(self) -> HookResult {
        self.map_err(|e| e.to_string())
    }
}

/// Normalise a hook's return value. Not public API: used by generated code.
#[doc(hidden)]
pub fn hook_result<R: HookReturn>(r: R) -> HookResult {
    r.into_hook_result()
}

/// Box an async hook's future, normalising its output. Not public API: used by generated code.
#[doc(hidden)]
pub fn async_hook<F>(hook: F) -> HookFuture
where
    F: Future + 'static,
    F::Output: HookReturn,
{
    Box::pin(async move { hook.await.into_hook_result() })
}
