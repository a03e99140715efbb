//! The settings of `#[graceful::on_signal(SIGHUP, name = "reload", crate = gr)]`: the signal
//! first, as a bare name, then the options.

use proc_macro2::Span;
use syn::{Ident, LitStr};

use crate::{
    args::{Arg, Value},
    config::{Krate, krate, name, unknown_key, without_duplicates},
    errors::Errors,
};

/// The signals an action may take.
const ACTION_SIGNALS: &[&str] = &["SIGHUP", "SIGUSR1", "SIGUSR2"];
const ACTION_KEYS: &[&str] = &["name", "crate"];

/// What `#[graceful::on_signal(...)]` says.
pub(crate) struct ActionConfig {
    /// `SIGHUP`, `SIGUSR1` or `SIGUSR2`.
    pub(crate) signal: Ident,
    /// `name = "reload"`, not blank.
    pub(crate) name: Option<LitStr>,
    /// `crate = gr`.
    pub(crate) krate: Krate,
}

impl ActionConfig {
    /// Reads the arguments: the signal, then `name` and `crate`.
    ///
    /// # Errors
    /// A missing, unknown or stop signal; an unknown, duplicate or invalid option.
    pub(crate) fn from_args(args: Vec<Arg>) -> syn::Result<Self> {
        let mut args = args.into_iter();
        let signal = match args.next() {
            Some(Arg {
                key,
                value: Value::Flag,
            }) => check_signal(key)?,
            Some(Arg { key, .. }) => return Err(missing_signal(key.span())),
            None => return Err(missing_signal(Span::call_site())),
        };
        let mut config = ActionConfig {
            signal,
            name: None,
            krate: Krate::default(),
        };
        let mut errors = Errors::default();
        for Arg { key, value } in without_duplicates(args.collect(), &mut errors) {
            let result = match key.to_string().as_str() {
                "name" => match value {
                    Value::Str(lit) if lit.value().trim().is_empty() => Err(syn::Error::new(
                        lit.span(),
                        "the action's name is empty: give it a name such as \"reload\", or \
                         leave `name` out to use the function's name",
                    )),
                    value => name(&key, value).map(|n| config.name = Some(n)),
                },
                "crate" => krate(&key, value).map(|k| config.krate = k),
                _ if is_signal_like(&key) => Err(syn::Error::new(
                    key.span(),
                    format!(
                        "an action has one signal: write a second #[graceful::on_signal({key})] \
                         function, or remove {key}"
                    ),
                )),
                _ => Err(unknown_key(&key, "#[graceful::on_signal]", ACTION_KEYS)),
            };
            errors.take(result);
        }
        errors.finish()?;
        Ok(config)
    }
}

fn missing_signal(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "name the signal first: #[graceful::on_signal(SIGHUP)] (or SIGUSR1, SIGUSR2)",
    )
}

fn is_signal_like(key: &Ident) -> bool {
    key.to_string().starts_with("SIG")
}

/// SIGHUP, SIGUSR1 or SIGUSR2; each other signal refused with why.
fn check_signal(signal: Ident) -> syn::Result<Ident> {
    let text = signal.to_string();
    let why = match text.as_str() {
        s if ACTION_SIGNALS.contains(&s) => return Ok(signal),
        "SIGTERM" | "SIGINT" | "SIGQUIT" => format!(
            "{text} stops the program, so it cannot run an action: an action takes SIGHUP, \
             SIGUSR1 or SIGUSR2 (to stop on {text}, list it in #[graceful::main(signals = [..])])"
        ),
        "SIGKILL" | "SIGSTOP" => format!(
            "{text} cannot be caught by any process, so no action can run on it: an action \
             takes SIGHUP, SIGUSR1 or SIGUSR2"
        ),
        _ => format!("unknown signal `{text}`: an action takes SIGHUP, SIGUSR1 or SIGUSR2"),
    };
    Err(syn::Error::new(signal.span(), why))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use quote::quote;

    fn error(tokens: proc_macro2::TokenStream) -> String {
        ActionConfig::from_args(args::parse(tokens).unwrap())
            .err()
            .unwrap()
            .to_string()
    }

    #[test]
    fn reads_the_signal_and_the_options() {
        let c = ActionConfig::from_args(args::parse(quote!(SIGUSR1, name = "reopen")).unwrap())
            .unwrap();
        assert_eq!(c.signal, "SIGUSR1");
        assert_eq!(c.name.unwrap().value(), "reopen");
    }

    #[test]
    fn refuses_what_cannot_be_an_action() {
        for (args, expected) in [
            (quote!(), "name the signal first"),
            (quote!(name = "x"), "name the signal first"),
            (quote!(SIGTERM), "SIGTERM stops the program"),
            (quote!(SIGKILL), "cannot be caught by any process"),
            (quote!(SIGWINCH), "unknown signal `SIGWINCH`"),
            (quote!(SIGHUP, SIGUSR1), "an action has one signal"),
            (quote!(SIGHUP, order = 1), "unknown option `order`"),
            (quote!(SIGHUP, name = ""), "name is empty"),
        ] {
            let e = error(args);
            assert!(e.contains(expected), "{e}");
        }
    }
}
