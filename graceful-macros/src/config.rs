//! What the arguments mean: each attribute's settings, typed and kept with the tokens they came
//! from, so a later rule can still point at the value that breaks it.
//!
//! The order of work: every key is checked on its own (unknown, duplicate, wrong value) and
//! all such errors are reported together; the rules between keys run once at the end, and only
//! when every key was valid, so they never report on a value already reported as wrong.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, LitInt, LitStr, Path};

use crate::{
    args::{Arg, Value},
    duration::{self, Zero},
    errors::Errors,
    hook_graph::{self, Graph},
};

/// A setting's value, and how and where it was written.
pub(crate) struct Setting<T> {
    pub(crate) value: T,
    pub(crate) written: String,
    pub(crate) span: Span,
}

/// The settings of `#[graceful::main(...)]`.
#[derive(Default)]
pub(crate) struct MainConfig {
    /// `timeout = "30s"`, in milliseconds.
    pub(crate) timeout: Option<Setting<u64>>,
    /// `body_timeout = "5s"`, in milliseconds.
    pub(crate) body_timeout: Option<Setting<u64>>,
    /// `drain = "5s"`, in milliseconds.
    pub(crate) drain: Option<Setting<u64>>,
    /// `signals = [SIGTERM, SIGINT]`: the names as written, each a valid, distinct signal.
    pub(crate) signals: Option<Vec<Ident>>,
    /// `exit_code = "signal"` or `exit_code = 3`.
    pub(crate) exit_code: Option<ExitCode>,
    /// `quiet` or `quiet = true`.
    pub(crate) quiet: bool,
    /// `report = "always"` (or `"text"`, `"json"`, `"off"`): the report's variant, as written.
    pub(crate) report: Option<Setting<&'static str>>,
    /// `probe = "127.0.0.1:9000"`.
    pub(crate) probe: Option<std::net::SocketAddr>,
    /// `second_signal = "ignore"` (`"force"` is the default, and writes nothing).
    pub(crate) ignore_second_signal: bool,
    /// `concurrent_hooks` or `concurrent_hooks = true`.
    pub(crate) concurrent_hooks: bool,
    /// `crate = gr`: where graceful is, for a renamed or re-exported dependency.
    pub(crate) krate: Krate,
}

/// The path the expansion names graceful by: `::graceful` unless `crate = path` says otherwise.
#[derive(Default)]
pub(crate) struct Krate(Option<Path>);

impl Krate {
    /// `<crate>::__private`, everything the expansions call.
    pub(crate) fn private(&self) -> TokenStream {
        match &self.0 {
            Some(path) => quote!(#path::__private),
            None => quote!(::graceful::__private),
        }
    }
}

/// The exit status of a clean stop after a signal.
pub(crate) enum ExitCode {
    /// `"signal"`: die of the signal.
    Signal,
    /// A number in `0..=255`.
    Code(u8),
}

/// The settings of `#[graceful::on_shutdown(...)]`.
#[derive(Default)]
pub(crate) struct HookConfig {
    /// `order = -5`, and where its key is.
    pub(crate) order: Option<(i32, Span)>,
    /// `name = "flush"`, not blank.
    pub(crate) name: Option<LitStr>,
    /// `timeout = "2s"`, in milliseconds.
    pub(crate) timeout: Option<u64>,
    /// `after`, `before`, `final`.
    pub(crate) graph: Graph,
    /// `crate = gr`.
    pub(crate) krate: Krate,
}

const MAIN_KEYS: &[&str] = &[
    "timeout",
    "body_timeout",
    "drain",
    "signals",
    "exit_code",
    "quiet",
    "report",
    "probe",
    "second_signal",
    "concurrent_hooks",
    "crate",
];
const HOOK_KEYS: &[&str] = &[
    "order", "name", "timeout", "after", "before", "final", "crate",
];

/// The signals a process can catch and graceful can handle.
pub(crate) const SIGNALS: &[&str] = &["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"];

impl MainConfig {
    /// Reads the arguments of `#[graceful::main]`.
    ///
    /// # Errors
    /// Every unknown, duplicate or invalid argument, then the rules between keys.
    pub(crate) fn from_args(args: Vec<Arg>) -> syn::Result<Self> {
        let mut config = MainConfig::default();
        let mut errors = Errors::default();
        for Arg { key, value } in without_duplicates(args, &mut errors) {
            let result = match key.to_string().as_str() {
                "timeout" => duration(&key, value, Zero::Refused).map(|d| config.timeout = Some(d)),
                "body_timeout" => {
                    duration(&key, value, Zero::Refused).map(|d| config.body_timeout = Some(d))
                }
                "drain" => duration(&key, value, Zero::MeansNone).map(|d| config.drain = Some(d)),
                "signals" => signals(&key, value).map(|s| config.signals = Some(s)),
                "exit_code" => exit_code(&key, value).map(|c| config.exit_code = Some(c)),
                "quiet" => flag(&key, value).map(|q| config.quiet = q),
                "report" => report(&key, value).map(|r| config.report = Some(r)),
                "probe" => probe(&key, value).map(|p| config.probe = Some(p)),
                "second_signal" => {
                    second_signal(&key, value).map(|i| config.ignore_second_signal = i)
                }
                "concurrent_hooks" => flag(&key, value).map(|c| config.concurrent_hooks = c),
                "crate" => krate(&key, value).map(|k| config.krate = k),
                _ => Err(unknown_key(&key, "#[graceful::main]", MAIN_KEYS)),
            };
            errors.take(result);
        }
        errors.finish()?;
        config.check_rules()?;
        Ok(config)
    }

    fn check_rules(&self) -> syn::Result<()> {
        if let (true, Some(report)) = (self.quiet, &self.report) {
            return Err(syn::Error::new(
                report.span,
                format!(
                    "`quiet` and `report = \"{}\"` say two things: keep one (`quiet` is \
                     `report = \"off\"`)",
                    report.written
                ),
            ));
        }
        if let (Some(timeout), Some(drain)) = (&self.timeout, &self.drain) {
            if drain.value >= timeout.value {
                return Err(syn::Error::new(
                    drain.span,
                    format!(
                        "drain ({}) is not shorter than timeout ({}): the drain counts toward \
                         the timeout, so make it shorter and leave time for main and the hooks",
                        drain.written, timeout.written
                    ),
                ));
            }
        }
        if let (Some(timeout), Some(drain), Some(body)) =
            (&self.timeout, &self.drain, &self.body_timeout)
        {
            // Checked: two durations near u64::MAX milliseconds must not overflow in here.
            let both = drain.value.checked_add(body.value);
            if both.is_none_or(|both| both > timeout.value) {
                return Err(syn::Error::new(
                    body.span,
                    format!(
                        "drain ({}) plus body_timeout ({}) is longer than timeout ({}): both \
                         count toward the timeout, so shorten one of them",
                        drain.written, body.written, timeout.written
                    ),
                ));
            }
        }
        if let (Some(timeout), Some(body)) = (&self.timeout, &self.body_timeout) {
            if body.value > timeout.value {
                return Err(syn::Error::new(
                    body.span,
                    format!(
                        "body_timeout ({}) is longer than timeout ({}): the time main gets to \
                         return counts toward the whole shutdown's timeout, so make \
                         body_timeout at most timeout",
                        body.written, timeout.written
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl HookConfig {
    /// Reads the arguments of `#[graceful::on_shutdown]`.
    ///
    /// # Errors
    /// Every unknown, duplicate or invalid argument, then the rules between keys.
    pub(crate) fn from_args(args: Vec<Arg>) -> syn::Result<Self> {
        let mut config = HookConfig::default();
        let mut errors = Errors::default();
        for Arg { key, value } in without_duplicates(args, &mut errors) {
            let graph = &mut config.graph;
            let result = match key.to_string().as_str() {
                "order" => order(&key, value).map(|o| config.order = Some((o, key.span()))),
                "after" => hook_graph::hooks(&key, value).map(|a| graph.after = a),
                "before" => hook_graph::hooks(&key, value).map(|b| graph.before = b),
                "final" => flag(&key, value).map(|f| graph.last = f),
                "name" => name(&key, value).map(|n| config.name = Some(n)),
                "timeout" => {
                    duration(&key, value, Zero::Refused).map(|d| config.timeout = Some(d.value))
                }
                "crate" => krate(&key, value).map(|k| config.krate = k),
                _ => Err(unknown_key(&key, "#[graceful::on_shutdown]", HOOK_KEYS)),
            };
            errors.take(result);
        }
        errors.finish()?;
        if let (true, Some((_, order))) = (config.graph.last, config.order) {
            return Err(syn::Error::new(
                order,
                "a final hook runs in the final stage: `order` does not apply; order final \
                 hooks with `after`/`before`",
            ));
        }
        config.graph.check_rules()?;
        Ok(config)
    }
}

/// Drops every repeat of a key, recording an error spanned on the repeat.
pub(crate) fn without_duplicates(args: Vec<Arg>, errors: &mut Errors) -> Vec<Arg> {
    let mut kept: Vec<Arg> = Vec::with_capacity(args.len());
    for arg in args {
        if kept.iter().any(|earlier| earlier.key == arg.key) {
            errors.push(syn::Error::new(
                arg.key.span(),
                format!("`{}` is set twice: keep only one", arg.key),
            ));
        } else {
            kept.push(arg);
        }
    }
    kept
}

pub(crate) fn unknown_key(key: &Ident, attribute: &str, valid: &[&str]) -> syn::Error {
    syn::Error::new(
        key.span(),
        format!(
            "unknown option `{key}` for {attribute}: the options are {}",
            valid.join(", ")
        ),
    )
}

/// The error for a value of the wrong kind, spanned on the value (or the key, for a bare flag).
pub(crate) fn expected(key: &Ident, value: &Value, what: &str) -> syn::Error {
    match value {
        Value::Flag => syn::Error::new(key.span(), format!("`{key}` needs a value, {what}")),
        _ => syn::Error::new_spanned(value, format!("`{key}` takes {what}, not {}", value.kind())),
    }
}

pub(crate) fn duration(key: &Ident, value: Value, zero: Zero) -> syn::Result<Setting<u64>> {
    match value {
        Value::Str(lit) => Ok(Setting {
            value: duration::parse(&lit, zero)?,
            written: lit.value(),
            span: lit.span(),
        }),
        Value::Int(_, lit) => Err(syn::Error::new(
            lit.span(),
            format!(
                "`{key}` takes a duration string with a unit: write {key} = \"{}s\"",
                lit.base10_digits()
            ),
        )),
        other => Err(expected(key, &other, "a duration such as \"30s\"")),
    }
}

/// `crate = gr` or `crate = ::some::reexport`.
pub(crate) fn krate(key: &Ident, value: Value) -> syn::Result<Krate> {
    match value {
        Value::Ident(ident) => Ok(Krate(Some(Path::from(ident)))),
        Value::Path(path) => Ok(Krate(Some(path))),
        other => Err(expected(
            key,
            &other,
            "a path to graceful, such as `gr` or `::my_crate::graceful`, without quotes",
        )),
    }
}

fn signals(key: &Ident, value: Value) -> syn::Result<Vec<Ident>> {
    let (bracket, items) = match value {
        Value::List(bracket, items) => (bracket, items),
        Value::Ident(name) => {
            return Err(syn::Error::new(
                name.span(),
                format!("`{key}` takes a list: write {key} = [{name}]"),
            ));
        }
        other => return Err(expected(key, &other, "a list such as [SIGTERM, SIGINT]")),
    };
    if items.is_empty() {
        return Err(syn::Error::new(
            bracket.span.join(),
            "the list of signals is empty: name at least one, such as [SIGTERM], or leave \
             `signals` out for the default [SIGTERM, SIGINT]",
        ));
    }
    let mut errors = Errors::default();
    let mut kept: Vec<Ident> = Vec::with_capacity(items.len());
    for item in items {
        let name = match item {
            Value::Ident(name) => name,
            other => {
                errors.push(syn::Error::new_spanned(
                    &other,
                    format!(
                        "expected a signal's name such as SIGTERM, without quotes, not {}",
                        other.kind()
                    ),
                ));
                continue;
            }
        };
        let text = name.to_string();
        let uncatchable = match text.as_str() {
            "SIGKILL" => Some("ends the process without telling it, so no program can clean up"),
            "SIGSTOP" => Some("pauses the process without telling it"),
            _ => None,
        };
        if let Some(what_it_does) = uncatchable {
            errors.push(syn::Error::new(
                name.span(),
                format!(
                    "{name} cannot be caught: the kernel {what_it_does}; remove {name} (SIGTERM \
                     is the signal that asks a process to stop cleanly)"
                ),
            ));
        } else if !SIGNALS.contains(&text.as_str()) {
            errors.push(syn::Error::new(
                name.span(),
                format!(
                    "unknown signal `{name}`: the signals are {}",
                    SIGNALS.join(", ")
                ),
            ));
        } else if kept.contains(&name) {
            errors.push(syn::Error::new(
                name.span(),
                format!("{name} is listed twice: keep only one"),
            ));
        } else {
            kept.push(name);
        }
    }
    errors.finish()?;
    Ok(kept)
}

fn exit_code(key: &Ident, value: Value) -> syn::Result<ExitCode> {
    const WHAT: &str = "\"signal\" or an exit code from 0 to 255";
    match value {
        Value::Str(lit) if lit.value() == "signal" => Ok(ExitCode::Signal),
        Value::Str(lit) => Err(syn::Error::new(
            lit.span(),
            format!("`{key}` takes {WHAT}, not {:?}", lit.value()),
        )),
        Value::Int(minus, lit) => match (minus, int::<u8>(&lit)) {
            (None, Some(code)) => Ok(ExitCode::Code(code)),
            (minus, _) => Err(syn::Error::new_spanned(
                quote::quote!(#minus #lit),
                format!(
                    "exit code {}{} is out of range: an exit code is from 0 to 255",
                    if minus.is_some() { "-" } else { "" },
                    lit.base10_digits()
                ),
            )),
        },
        other => Err(expected(key, &other, WHAT)),
    }
}

fn probe(key: &Ident, value: Value) -> syn::Result<std::net::SocketAddr> {
    const WHAT: &str = "an address and port such as \"127.0.0.1:9000\" or \"[::]:9000\"";
    match value {
        Value::Str(lit) => match lit.value().parse::<std::net::SocketAddr>() {
            Ok(addr) if addr.port() == 0 => Err(syn::Error::new(
                lit.span(),
                format!(
                    "`{key}` needs a port: port 0 would pick one nobody knows to probe, \
                     so write one, as in \"{}:9000\"",
                    match addr.ip() {
                        std::net::IpAddr::V4(ip) => ip.to_string(),
                        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
                    }
                ),
            )),
            Ok(addr) => Ok(addr),
            Err(_) => Err(syn::Error::new(
                lit.span(),
                format!("`{key}` takes {WHAT}, not {:?}", lit.value()),
            )),
        },
        other => Err(expected(key, &other, WHAT)),
    }
}

/// `"text"`, `"json"`, `"off"` or `"always"`: the name of the `Report` variant.
fn report(key: &Ident, value: Value) -> syn::Result<Setting<&'static str>> {
    const WHAT: &str = "\"text\", \"json\", \"off\" or \"always\"";
    match value {
        Value::Str(lit) => {
            let variant = match lit.value().as_str() {
                "text" => "Text",
                "json" => "Json",
                "off" => "Off",
                "always" => "Always",
                other => {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!("`{key}` takes {WHAT}, not {other:?}"),
                    ));
                }
            };
            Ok(Setting {
                value: variant,
                written: lit.value(),
                span: lit.span(),
            })
        }
        other => Err(expected(key, &other, WHAT)),
    }
}

/// `"ignore"` (`true`) or `"force"`.
fn second_signal(key: &Ident, value: Value) -> syn::Result<bool> {
    const WHAT: &str = "\"force\" (the default) or \"ignore\"";
    match value {
        Value::Str(lit) if lit.value() == "ignore" => Ok(true),
        Value::Str(lit) if lit.value() == "force" => Ok(false),
        Value::Str(lit) => Err(syn::Error::new(
            lit.span(),
            format!("`{key}` takes {WHAT}, not {:?}", lit.value()),
        )),
        other => Err(expected(key, &other, WHAT)),
    }
}

fn flag(key: &Ident, value: Value) -> syn::Result<bool> {
    match value {
        Value::Flag => Ok(true),
        Value::Bool(lit) => Ok(lit.value),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{key}` is a flag: write just `{key}` (or `{key} = true`)"),
        )),
    }
}

fn order(key: &Ident, value: Value) -> syn::Result<i32> {
    let Value::Int(minus, lit) = value else {
        return Err(expected(key, &value, "an integer such as -5 or 10"));
    };
    // Parsed as a magnitude first, so `i32::MIN` itself is in range.
    let order = int::<i64>(&lit)
        .map(|n| if minus.is_some() { -n } else { n })
        .and_then(|n| i32::try_from(n).ok());
    order.ok_or_else(|| {
        syn::Error::new_spanned(
            quote::quote!(#minus #lit),
            format!(
                "order {}{} does not fit in an i32: use a number from {} to {}",
                if minus.is_some() { "-" } else { "" },
                lit.base10_digits(),
                i32::MIN,
                i32::MAX
            ),
        )
    })
}

pub(crate) fn name(key: &Ident, value: Value) -> syn::Result<LitStr> {
    match value {
        Value::Str(lit) if lit.value().trim().is_empty() => Err(syn::Error::new(
            lit.span(),
            "the hook's name is empty: give it a name such as \"flush journal\", or leave \
             `name` out to use the function's name",
        )),
        Value::Str(lit) => Ok(lit),
        other => Err(expected(key, &other, "a string such as \"flush journal\"")),
    }
}

/// The value of an integer literal, its suffix ignored; `None` when it does not fit in `N`.
fn int<N: std::str::FromStr>(lit: &LitInt) -> Option<N> {
    lit.base10_digits().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use quote::quote;

    fn main_error(tokens: proc_macro2::TokenStream) -> String {
        let args = args::parse(tokens).unwrap();
        MainConfig::from_args(args).err().unwrap().to_string()
    }

    fn hook_error(tokens: proc_macro2::TokenStream) -> String {
        let args = args::parse(tokens).unwrap();
        HookConfig::from_args(args).err().unwrap().to_string()
    }

    #[test]
    fn every_main_option_is_read() {
        let args = args::parse(quote!(
            timeout = "30s",
            body_timeout = "5s",
            signals = [SIGTERM, SIGHUP],
            exit_code = "signal",
            quiet
        ))
        .unwrap();
        let config = MainConfig::from_args(args).unwrap();
        assert_eq!(config.timeout.unwrap().value, 30_000);
        assert_eq!(config.body_timeout.unwrap().value, 5_000);
        assert_eq!(config.signals.unwrap().len(), 2);
        assert!(matches!(config.exit_code, Some(ExitCode::Signal)));
        assert!(config.quiet);
    }

    #[test]
    fn quiet_accepts_a_boolean() {
        let args = args::parse(quote!(quiet = false)).unwrap();
        assert!(!MainConfig::from_args(args).unwrap().quiet);
    }

    #[test]
    fn an_unknown_key_lists_the_valid_ones() {
        assert_eq!(
            main_error(quote!(grace = "5s")),
            "unknown option `grace` for #[graceful::main]: the options are timeout, \
             body_timeout, drain, signals, exit_code, quiet, report, probe, second_signal, \
             concurrent_hooks, crate"
        );
    }

    #[test]
    fn a_duplicate_key_is_reported_once() {
        assert_eq!(
            main_error(quote!(timeout = "1s", timeout = "2s")),
            "`timeout` is set twice: keep only one"
        );
    }

    #[test]
    fn drain_leaves_time_for_main_and_the_hooks() {
        assert!(
            main_error(quote!(timeout = "5s", drain = "5s"))
                .starts_with("drain (5s) is not shorter than timeout (5s)")
        );
        assert!(
            main_error(quote!(timeout = "10s", drain = "5s", body_timeout = "6s"))
                .starts_with("drain (5s) plus body_timeout (6s) is longer than timeout (10s)")
        );
        let args = args::parse(quote!(timeout = "10s", drain = "5s", body_timeout = "5s")).unwrap();
        assert_eq!(
            MainConfig::from_args(args).unwrap().drain.unwrap().value,
            5_000
        );
    }

    #[test]
    fn drain_plus_body_timeout_near_the_limit_is_an_error_not_an_overflow() {
        assert!(
            main_error(quote!(
                timeout = "18446744073709551615ms",
                drain = "18446744073709551614ms",
                body_timeout = "2ms"
            ))
            .starts_with("drain (18446744073709551614ms) plus body_timeout (2ms) is longer")
        );
    }

    #[test]
    fn crate_takes_a_path() {
        let args = args::parse(quote!(crate = gr)).unwrap();
        assert!(MainConfig::from_args(args).unwrap().krate.0.is_some());
        let args = args::parse(quote!(crate = ::re::export)).unwrap();
        let krate = HookConfig::from_args(args).unwrap().krate;
        assert_eq!(krate.private().to_string(), ":: re :: export :: __private");
        assert!(main_error(quote!(crate = "gr")).contains("without quotes"));
    }

    #[test]
    fn body_timeout_may_not_exceed_timeout() {
        assert!(
            main_error(quote!(timeout = "1s", body_timeout = "2s"))
                .starts_with("body_timeout (2s) is longer than timeout (1s)")
        );
        let args = args::parse(quote!(timeout = "2s", body_timeout = "2s")).unwrap();
        assert!(MainConfig::from_args(args).is_ok());
    }

    #[test]
    fn uncatchable_unknown_and_repeated_signals_are_errors() {
        assert!(main_error(quote!(signals = [SIGKILL])).starts_with("SIGKILL cannot be caught"));
        assert!(main_error(quote!(signals = [SIGSTOP])).starts_with("SIGSTOP cannot be caught"));
        assert!(main_error(quote!(signals = [SIGUSR1])).starts_with("unknown signal `SIGUSR1`"));
        assert!(main_error(quote!(signals = [SIGINT, SIGINT])).contains("listed twice"));
        assert!(main_error(quote!(signals = [])).contains("empty"));
        assert!(main_error(quote!(signals = SIGTERM)).contains("signals = [SIGTERM]"));
        assert!(main_error(quote!(signals = ["SIGTERM"])).contains("without quotes"));
    }

    #[test]
    fn exit_code_is_signal_or_a_byte() {
        assert!(main_error(quote!(exit_code = 256)).contains("out of range"));
        assert!(main_error(quote!(exit_code = -1)).contains("out of range"));
        assert!(main_error(quote!(exit_code = "die")).contains("\"signal\""));
        let args = args::parse(quote!(exit_code = 255)).unwrap();
        let config = MainConfig::from_args(args).unwrap();
        assert!(matches!(config.exit_code, Some(ExitCode::Code(255))));
    }

    #[test]
    fn a_bare_integer_timeout_suggests_a_unit() {
        assert_eq!(
            main_error(quote!(timeout = 30)),
            "`timeout` takes a duration string with a unit: write timeout = \"30s\""
        );
    }

    #[test]
    fn order_covers_all_of_i32() {
        let args = args::parse(quote!(order = -2147483648, name = "x", timeout = "2s")).unwrap();
        let config = HookConfig::from_args(args).unwrap();
        assert_eq!(config.order.unwrap().0, i32::MIN);
        assert_eq!(config.timeout, Some(2_000));
        assert!(hook_error(quote!(order = 2147483648)).contains("does not fit in an i32"));
        assert!(hook_error(quote!(order = -2147483649)).contains("does not fit in an i32"));
    }

    #[test]
    fn concurrent_hooks_is_a_flag() {
        let args = args::parse(quote!(concurrent_hooks)).unwrap();
        assert!(MainConfig::from_args(args).unwrap().concurrent_hooks);
        let args = args::parse(quote!(concurrent_hooks = false)).unwrap();
        assert!(!MainConfig::from_args(args).unwrap().concurrent_hooks);
        assert!(main_error(quote!(concurrent_hooks = "yes")).contains("is a flag"));
    }

    #[test]
    fn final_is_a_flag_and_order_does_not_apply_to_it() {
        let args = args::parse(quote!(final, after = a)).unwrap();
        assert!(HookConfig::from_args(args).unwrap().graph.last);
        let args = args::parse(quote!(final = false, order = 3)).unwrap();
        assert!(!HookConfig::from_args(args).unwrap().graph.last);
        assert!(
            hook_error(quote!(order = -1, final))
                .starts_with("a final hook runs in the final stage: `order` does not apply")
        );
        assert!(hook_error(quote!(final = "yes")).contains("is a flag"));
    }

    #[test]
    fn a_blank_name_is_an_error() {
        assert!(hook_error(quote!(name = "  ")).starts_with("the hook's name is empty"));
    }

    #[test]
    fn several_mistakes_are_reported_together() {
        let args = args::parse(quote!(order = "x", colour = 1)).unwrap();
        let error = HookConfig::from_args(args).err().unwrap();
        assert_eq!(error.into_iter().count(), 2);
    }
}
