//! How `main` ended: [`MainEnd`], the one type for it (the runner, the report and the
//! exit-code table all read it), and how a return value is classified into it.
//!
//! An `Err` counts as a clean stop when it is, or wraps, a [`Shutdown`]. For a concrete error
//! type the attribute's expansion picks the best check at compile time by autoref
//! specialization (`probe`): any `E: Error` has its `source()` chain walked; anything that is
//! `AsRef<dyn Error + Send + Sync>` (`anyhow::Error`, `Box<dyn Error + Send + Sync>`) too; any
//! other `E: Debug` falls back to [`MainReturn`], which recognises `Shutdown`, `io::Error` and
//! boxed errors by their type.

use std::{any::Any, error::Error, fmt::Debug, io, process::ExitCode};

use crate::{Reason, Shutdown, shutdown::reaches_shutdown};

/// How the body of `main` ended. Not public API: the attribute's expansion returns the first
/// four (a return value, classified); the runtime knows the rest.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq)]
pub enum MainEnd {
    /// `()`, `Ok(())` or `ExitCode::SUCCESS`.
    Ok,
    /// `Err` that is or wraps a `Shutdown`: a clean stop.
    Shutdown,
    /// Another `Err`, formatted with `Debug` as std prints it.
    Failed(String),
    /// A failing `ExitCode`.
    Code(ExitCode),
    /// `exit(code)` unwound it.
    Exited(i32),
    /// It panicked.
    Panicked,
    /// It panicked after `exit(code)` unwound another thread: the panic is that unwind coming
    /// back (`join().unwrap()`, `thread::scope`, an awaited task), so it counts as the exit.
    PanickedAfterExit(i32),
    /// Still running at `body_timeout`: the hooks went on without it.
    Abandoned,
    /// Not known: the install guard cannot see main's return value.
    Unknown,
}

impl MainEnd {
    /// The cause of stopping when this end is what began it.
    pub(crate) fn cause(&self) -> Reason {
        match self {
            MainEnd::Panicked => Reason::Panic,
            MainEnd::Exited(code) | MainEnd::PanickedAfterExit(code) => Reason::Exit(*code),
            _ => Reason::MainReturned,
        }
    }
}

/// A return type `main` may have under graceful: `()`, `ExitCode` or `Result<(), E: Debug>`.
///
/// ```
/// # use graceful_runtime as graceful;
/// use graceful::{MainReturn, Reason, Shutdown};
/// let clean: Result<(), Shutdown> = Err(Shutdown::new(Reason::Trigger));
/// let _ = clean.outcome(); // a clean stop, not a failure
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by main under graceful",
    label = "main returns (), ExitCode or Result<(), E> where E: Debug",
    note = "std's `main` accepts the same types"
)]
pub trait MainReturn {
    /// Classify the value. Not public API.
    #[doc(hidden)]
    fn outcome(&self) -> MainEnd;
}

impl MainReturn for () {
    fn outcome(&self) -> MainEnd {
        MainEnd::Ok
    }
}

impl MainReturn for ExitCode {
    fn outcome(&self) -> MainEnd {
        if *self == ExitCode::SUCCESS {
            MainEnd::Ok
        } else {
            MainEnd::Code(*self)
        }
    }
}

impl<E: Debug + 'static> MainReturn for Result<(), E> {
    fn outcome(&self) -> MainEnd {
        match self {
            Ok(()) => MainEnd::Ok,
            Err(e) if known_shutdown(e) => MainEnd::Shutdown,
            Err(e) => MainEnd::Failed(format!("{e:?}")),
        }
    }
}

/// Recognise a shutdown inside an error whose type we only know as `Any`.
fn known_shutdown(e: &dyn Any) -> bool {
    if let Some(e) = e.downcast_ref::<Shutdown>() {
        return reaches_shutdown(e);
    }
    if let Some(e) = e.downcast_ref::<io::Error>() {
        return reaches_shutdown(e);
    }
    if let Some(e) = e.downcast_ref::<Box<dyn Error>>() {
        return reaches_shutdown(e.as_ref());
    }
    if let Some(e) = e.downcast_ref::<Box<dyn Error + Send + Sync>>() {
        return reaches_shutdown(e.as_ref());
    }
    false
}

/// Autoref specialization for the attribute's expansion. Not public API.
#[doc(hidden)]
pub mod probe {
    use super::*;

    /// Wraps main's return value; call `(&&&Probe(value)).outcome()` with this module's traits
    /// in scope.
    pub struct Probe<T>(pub T);

    /// Most specific: any `E: Error`, whose source chain is walked.
    pub trait ViaError {
        /// Classify.
        fn outcome(&self) -> MainEnd;
    }
    impl<E: Error + 'static> ViaError for &&Probe<Result<(), E>> {
        fn outcome(&self) -> MainEnd {
            match &self.0 {
                Ok(()) => MainEnd::Ok,
                Err(e) if reaches_shutdown(e) => MainEnd::Shutdown,
                Err(e) => MainEnd::Failed(format!("{e:?}")),
            }
        }
    }

    /// Errors that are not `Error` but hold one: `anyhow::Error`, `Box<dyn Error + Send + Sync>`.
    pub trait ViaAsRef {
        /// Classify.
        fn outcome(&self) -> MainEnd;
    }
    impl<E: AsRef<dyn Error + Send + Sync> + Debug> ViaAsRef for &Probe<Result<(), E>> {
        fn outcome(&self) -> MainEnd {
            match &self.0 {
                Ok(()) => MainEnd::Ok,
                Err(e) if reaches_shutdown(e.as_ref()) => MainEnd::Shutdown,
                Err(e) => MainEnd::Failed(format!("{e:?}")),
            }
        }
    }

    /// Everything else `main` may return.
    pub trait ViaMainReturn {
        /// Classify.
        fn outcome(&self) -> MainEnd;
    }
    impl<R: MainReturn> ViaMainReturn for Probe<R> {
        fn outcome(&self) -> MainEnd {
            self.0.outcome()
        }
    }
}

#[cfg(test)]
#[allow(clippy::needless_borrow)] // autoref specialization needs exactly these borrows
mod tests {
    use super::probe::*;
    use super::*;
    use std::fmt;

    #[derive(Debug)]
    struct Wrapper(Shutdown);
    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("wrapper")
        }
    }
    impl Error for Wrapper {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    const S: Shutdown = Shutdown::new(Reason::Trigger);

    #[test]
    fn shutdown_and_its_wrappers_are_clean() {
        let direct: Result<(), Shutdown> = Err(S);
        assert_eq!((&&&Probe(direct)).outcome(), MainEnd::Shutdown);
        let wrapped: Result<(), Wrapper> = Err(Wrapper(S));
        assert_eq!((&&&Probe(wrapped)).outcome(), MainEnd::Shutdown);
        let io: io::Result<()> = Err(S.into());
        assert_eq!((&&&Probe(io)).outcome(), MainEnd::Shutdown);
        let boxed: Result<(), Box<dyn Error>> = Err(Box::new(Wrapper(S)));
        assert_eq!((&&&Probe(boxed)).outcome(), MainEnd::Shutdown);
        let boxed: Result<(), Box<dyn Error + Send + Sync>> = Err(Box::new(S));
        assert_eq!((&&&Probe(boxed)).outcome(), MainEnd::Shutdown);
    }

    #[test]
    fn other_errors_fail_as_std_prints_them() {
        let r: Result<(), String> = Err("boom".into());
        assert_eq!((&&&Probe(r)).outcome(), MainEnd::Failed("\"boom\"".into()));
        let code = ExitCode::from(3);
        assert_eq!((&&&Probe(code)).outcome(), MainEnd::Code(code));
        assert_eq!((&&&Probe(())).outcome(), MainEnd::Ok);
    }
}
