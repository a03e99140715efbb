//! The code `#[graceful::main]` writes: the user's block moves, untouched, into an inner
//! `fn __graceful_body`, and the outer `fn main` hands it to the runtime with the configured
//! builder.
//!
//! ```text
//! fn main() -> ::std::process::ExitCode {
//!     fn __graceful_body() -> Result<(), MyError> { /* the user's block */ }
//!     ::graceful::__private::run(::graceful::__private::Builder::new().timeout(/* ... */), || {
//!         use ::graceful::__private::probe::*;
//!         (&&&Probe(__graceful_body())).outcome()
//!     })
//! }
//! ```
//!
//! An `async fn main` with `#[tokio::main]` below ours keeps the runtime's attribute on an
//! inner `async fn __graceful_run`, which awaits the body through `run_async`.
//!
//! No name the expansion adds can capture one of the user's: the user's block sees the items
//! declared around it, so the inner functions have names no one writes (`__graceful_*`), and
//! there is no local variable (the builder is an argument).

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{ItemFn, ReturnType, spanned::Spanned};

use crate::{
    config::{ExitCode, MainConfig},
    signature,
};

/// Writes the new `fn main`.
pub(crate) fn expand(config: &MainConfig, main: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = main;
    let private = config.krate.private();
    let (fn_token, ident, output) = (sig.fn_token, sig.ident, sig.output);
    // The inner function takes the span of the user's `fn main`, so a lint or error about the
    // body as a function (say clippy's `unnecessary_wraps`) points there, not at the attribute.
    let body = Ident::new("__graceful_body", ident.span());
    // The probe picks how to read main's result from its type; if the type does not fit,
    // the error should point at the type the user wrote.
    let probe_span = match &output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let builder = builder(config, &private);
    if sig.asyncness.is_some() {
        // The runtime's attribute moves to an inner function, which installs graceful inside
        // the runtime and awaits the body there, so the body can be dropped at body_timeout
        // and async hooks run on the same runtime.
        let (runtime, attrs): (Vec<_>, Vec<_>) =
            attrs.into_iter().partition(signature::is_runtime_attribute);
        let probe = quote_spanned!(probe_span=> (&&&Probe(#body().await)).outcome());
        return quote! {
            #(#attrs)*
            #vis #fn_token #ident() -> ::std::process::ExitCode {
                async #fn_token #body() #output #block
                #(#runtime)*
                async #fn_token __graceful_run() -> ::std::process::ExitCode {
                    #private::run_async(#builder, async {
                        use #private::probe::*;
                        #probe
                    })
                    .await
                }
                __graceful_run()
            }
        };
    }
    let probe = quote_spanned!(probe_span=> (&&&Probe(#body())).outcome());
    quote! {
        #(#attrs)*
        #vis #fn_token #ident() -> ::std::process::ExitCode {
            #fn_token #body() #output #block
            #private::run(#builder, || {
                use #private::probe::*;
                #probe
            })
        }
    }
}

/// What to write instead when a check failed, before the errors: the item unchanged, so the
/// names it defines still resolve and the user sees only the attribute's errors.
///
/// A `fn main` is nested inside a stub `fn main() {}`: left where it was, an `async`,
/// generic or parameterised main would be reported a second time by the compiler, as an
/// invalid entry point, and a stub alone would drop the body and report every import unused.
pub(crate) fn rejected(item: TokenStream) -> TokenStream {
    match syn::parse2::<ItemFn>(item.clone()) {
        Ok(mut main) if main.sig.ident == "main" => {
            // A runtime's attribute would add its own complaint about the same mistake.
            main.attrs.retain(|a| !signature::is_runtime_attribute(a));
            quote! {
                fn main() {
                    #[allow(dead_code)]
                    #main
                }
            }
        }
        _ => item,
    }
}

/// `Builder::new()` followed by one call per option the user gave.
pub(crate) fn builder(config: &MainConfig, private: &TokenStream) -> TokenStream {
    let mut builder = quote!(#private::Builder::new());
    let millis = |ms: u64| Literal::u64_unsuffixed(ms);
    if let Some(timeout) = &config.timeout {
        let ms = millis(timeout.value);
        builder.extend(quote!(.timeout(#private::Duration::from_millis(#ms))));
    }
    if let Some(timeout) = &config.body_timeout {
        let ms = millis(timeout.value);
        builder.extend(quote!(.body_timeout(#private::Duration::from_millis(#ms))));
    }
    if let Some(drain) = &config.drain {
        let ms = millis(drain.value);
        builder.extend(quote!(.drain(#private::Duration::from_millis(#ms))));
    }
    if let Some(signals) = &config.signals {
        builder.extend(quote!(.signals([#(#private::Signal::#signals),*])));
    }
    match config.exit_code {
        Some(ExitCode::Signal) => {
            builder.extend(quote!(.exit_code(#private::ExitPolicy::Signal)));
        }
        Some(ExitCode::Code(code)) => {
            let code = Literal::u8_unsuffixed(code);
            builder.extend(quote!(.exit_code(#private::ExitPolicy::Code(#code))));
        }
        None => {}
    }
    if config.quiet {
        builder.extend(quote!(.quiet()));
    }
    if let Some(report) = &config.report {
        let variant = Ident::new(report.value, Span::call_site());
        builder.extend(quote!(.report(#private::Report::#variant)));
    }
    if config.ignore_second_signal {
        builder.extend(quote!(.second_signal(#private::SecondSignal::Ignore)));
    }
    if config.concurrent_hooks {
        builder.extend(quote!(.concurrent_hooks(true)));
    }
    if let Some(addr) = config.probe {
        let port = Literal::u16_unsuffixed(addr.port());
        let ip = match addr.ip() {
            std::net::IpAddr::V4(ip) => {
                let octets = ip.octets().map(Literal::u8_unsuffixed);
                quote!([#(#octets),*])
            }
            std::net::IpAddr::V6(ip) => {
                let segments = ip.segments().map(Literal::u16_unsuffixed);
                quote!([#(#segments),*])
            }
        };
        builder.extend(quote!(.probe(#private::SocketAddr::from((#ip, #port)))));
    }
    builder
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;

    fn expand_str(args: TokenStream, item: TokenStream) -> String {
        let config = MainConfig::from_args(args::parse(args).unwrap()).unwrap();
        expand(&config, syn::parse2(item).unwrap()).to_string()
    }

    #[test]
    fn without_options_the_builder_is_bare() {
        let out = expand_str(
            quote!(),
            quote!(
                fn main() {
                    work();
                }
            ),
        );
        let expected = quote! {
            fn main() -> ::std::process::ExitCode {
                fn __graceful_body() { work(); }
                ::graceful::__private::run(::graceful::__private::Builder::new(), || {
                    use ::graceful::__private::probe::*;
                    (&&&Probe(__graceful_body())).outcome()
                })
            }
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn every_option_becomes_one_builder_call() {
        let out = expand_str(
            quote!(
                timeout = "30s",
                body_timeout = "5s",
                signals = [SIGTERM, SIGHUP],
                exit_code = 3,
                quiet
            ),
            quote!(
                #[doc = "d"]
                pub fn main() -> Result<(), E> {
                    Ok(())
                }
            ),
        );
        let expected = quote! {
            #[doc = "d"]
            pub fn main() -> ::std::process::ExitCode {
                fn __graceful_body() -> Result<(), E> { Ok(()) }
                ::graceful::__private::run(
                    ::graceful::__private::Builder::new()
                        .timeout(::graceful::__private::Duration::from_millis(30000))
                        .body_timeout(::graceful::__private::Duration::from_millis(5000))
                        .signals([
                            ::graceful::__private::Signal::SIGTERM,
                            ::graceful::__private::Signal::SIGHUP
                        ])
                        .exit_code(::graceful::__private::ExitPolicy::Code(3))
                        .quiet(),
                    || {
                        use ::graceful::__private::probe::*;
                        (&&&Probe(__graceful_body())).outcome()
                    }
                )
            }
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn crate_names_the_path_to_graceful() {
        let out = expand_str(
            quote!(crate = gr),
            quote!(
                fn main() {}
            ),
        );
        assert!(out.contains("gr :: __private :: run (gr :: __private :: Builder"));
        assert!(!out.contains(":: graceful"), "{out}");
    }

    #[test]
    fn no_generated_name_is_one_a_user_writes() {
        let out = expand_str(
            quote!(),
            quote!(
                #[tokio::main]
                async fn main() {}
            ),
        );
        for name in ["run", "body", "config"] {
            assert!(!out.contains(&format!(" {name} ")), "{name} in {out}");
        }
        assert!(out.contains("async fn __graceful_run ()"), "{out}");
    }
}
