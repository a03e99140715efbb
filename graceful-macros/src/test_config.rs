//! The settings of `#[graceful::test(...)]`: what the child gets (signals and when), how long it
//! may run, the check on its report; and the `#[graceful::main]` options the child runs under
//! (`timeout`, `body_timeout`, `drain`, `signals`, `exit_code`, `second_signal`,
//! `concurrent_hooks`, `crate`), read by [`MainConfig`] itself.

use syn::{Ident, Path};

use crate::{
    args::{Arg, Value},
    config::{MainConfig, SIGNALS, Setting, duration, expected, unknown_key, without_duplicates},
    duration::Zero,
    errors::Errors,
};

/// When a signal goes.
pub(crate) enum When {
    /// `ready`: when the body calls `graceful::test::ready()`.
    Ready,
    /// `"200ms"`.
    After(u64),
}

/// The settings of `#[graceful::test(...)]`.
pub(crate) struct TestConfig {
    /// `signal = SIGTERM`.
    pub(crate) signal: Option<Ident>,
    /// `after = "200ms"` or `after = ready`.
    pub(crate) after: Option<When>,
    /// `second = SIGINT`.
    pub(crate) second: Option<Ident>,
    /// `second_after = "1s"` or `second_after = ready`.
    pub(crate) second_after: Option<When>,
    /// `kill_after = "5s"`, in milliseconds.
    pub(crate) kill_after: Option<u64>,
    /// `check = path::to::fn`.
    pub(crate) check: Option<Path>,
    /// The options of `#[graceful::main]` the child runs under.
    pub(crate) main: MainConfig,
}

const TEST_KEYS: &[&str] = &[
    "signal",
    "after",
    "second",
    "second_after",
    "kill_after",
    "check",
];
/// The options of `#[graceful::main]` that make sense for a test's child (its report is the
/// parent's to read, and it listens for no probe).
const MAIN_KEYS: &[&str] = &[
    "timeout",
    "body_timeout",
    "drain",
    "signals",
    "exit_code",
    "second_signal",
    "concurrent_hooks",
    "crate",
];

impl TestConfig {
    /// Reads the arguments of `#[graceful::test]`.
    ///
    /// # Errors
    /// Every unknown, duplicate or invalid argument, then the rules between keys.
    pub(crate) fn from_args(args: Vec<Arg>) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let mut main_args = Vec::new();
        let (mut signal, mut after, mut second, mut second_after) = (None, None, None, None);
        let (mut kill_after, mut check) = (None, None);
        let mut keys = Vec::new();
        for Arg { key, value } in without_duplicates(args, &mut errors) {
            let result = match key.to_string().as_str() {
                "signal" => one_signal(&key, value).map(|s| signal = Some(s)),
                "after" => when(&key, value).map(|w| after = Some(w)),
                "second" => one_signal(&key, value).map(|s| second = Some(s)),
                "second_after" => when(&key, value).map(|w| second_after = Some(w)),
                "kill_after" => duration(&key, value, Zero::Refused)
                    .map(|d: Setting<u64>| kill_after = Some(d.value)),
                "check" => path(&key, value).map(|p| check = Some(p)),
                name if MAIN_KEYS.contains(&name) => {
                    main_args.push(Arg {
                        key: key.clone(),
                        value,
                    });
                    Ok(())
                }
                _ => {
                    let valid: Vec<&str> = TEST_KEYS.iter().chain(MAIN_KEYS).copied().collect();
                    Err(unknown_key(&key, "#[graceful::test]", &valid))
                }
            };
            keys.push(key);
            errors.take(result);
        }
        let main = errors.take(MainConfig::from_args(main_args));
        errors.finish()?;
        let key = |name: &str| keys.iter().find(|k| *k == name);
        let needs = |dependent: &str, on: &str, why: &str| match (key(dependent), key(on)) {
            (Some(k), None) => Err(syn::Error::new(
                k.span(),
                format!("`{dependent}` needs `{on}`: {why}"),
            )),
            _ => Ok(()),
        };
        needs(
            "after",
            "signal",
            "say which signal to send, as in signal = SIGTERM",
        )?;
        needs(
            "second",
            "signal",
            "a second signal follows a first, as in signal = SIGTERM",
        )?;
        needs(
            "second_after",
            "second",
            "say which second signal to send, as in second = SIGINT",
        )?;
        Ok(TestConfig {
            signal,
            after,
            second,
            second_after,
            kill_after,
            check,
            main: main.unwrap_or_default(),
        })
    }
}

fn one_signal(key: &Ident, value: Value) -> syn::Result<Ident> {
    match value {
        Value::Ident(name) if SIGNALS.contains(&name.to_string().as_str()) => Ok(name),
        Value::Ident(name) => Err(syn::Error::new(
            name.span(),
            format!(
                "unknown signal `{name}`: the signals are {}",
                SIGNALS.join(", ")
            ),
        )),
        other => Err(expected(
            key,
            &other,
            "a signal such as SIGTERM, without quotes",
        )),
    }
}

fn when(key: &Ident, value: Value) -> syn::Result<When> {
    match value {
        Value::Ident(name) if name == "ready" => Ok(When::Ready),
        Value::Str(_) => duration(key, value, Zero::MeansNone).map(|d| When::After(d.value)),
        other => Err(expected(
            key,
            &other,
            "`ready` (when the body calls graceful::test::ready()) or a duration such as \"200ms\"",
        )),
    }
}

fn path(key: &Ident, value: Value) -> syn::Result<Path> {
    match value {
        Value::Ident(ident) => Ok(Path::from(ident)),
        Value::Path(path) => Ok(path),
        other => Err(expected(
            key,
            &other,
            "the path of a fn(graceful::test::Report), without quotes",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use quote::quote;

    fn error(tokens: proc_macro2::TokenStream) -> String {
        TestConfig::from_args(args::parse(tokens).unwrap())
            .err()
            .unwrap()
            .to_string()
    }

    #[test]
    fn every_option_is_read_and_main_options_pass_through() {
        let args = args::parse(quote!(
            signal = SIGTERM,
            after = "100ms",
            second = SIGINT,
            second_after = ready,
            kill_after = "5s",
            check = tests::checked,
            timeout = "2s",
            concurrent_hooks,
            crate = gr
        ))
        .unwrap();
        let config = TestConfig::from_args(args).unwrap();
        assert_eq!(config.signal.unwrap(), "SIGTERM");
        assert!(matches!(config.after, Some(When::After(100))));
        assert!(matches!(config.second_after, Some(When::Ready)));
        assert_eq!(config.kill_after, Some(5_000));
        assert!(config.check.is_some());
        assert_eq!(config.main.timeout.unwrap().value, 2_000);
        assert!(config.main.concurrent_hooks);
    }

    #[test]
    fn keys_that_depend_on_others_say_so() {
        assert!(error(quote!(after = "1s")).starts_with("`after` needs `signal`"));
        assert!(error(quote!(second = SIGINT)).starts_with("`second` needs `signal`"));
        assert!(
            error(quote!(signal = SIGTERM, second_after = ready))
                .starts_with("`second_after` needs `second`")
        );
    }

    #[test]
    fn report_options_and_unknown_signals_are_refused() {
        assert!(error(quote!(quiet)).starts_with("unknown option `quiet` for #[graceful::test]"));
        assert!(error(quote!(signal = SIGKILL)).starts_with("unknown signal `SIGKILL`"));
        assert!(error(quote!(after = soon)).contains("`ready`"));
    }
}
