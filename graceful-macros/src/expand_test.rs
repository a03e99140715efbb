//! The code `#[graceful::test]` writes: a `#[test]` of the same name whose body, moved into an
//! inner `fn __graceful_body`, the runtime runs in a child process under the plan:
//!
//! ```text
//! #[::core::prelude::v1::test]
//! fn stops_cleanly() {
//!     fn __graceful_body() -> Result<(), Shutdown> { /* the user's block */ }
//!     ::graceful::__private::test::run(
//!         ::graceful::__private::test::Plan::new(::core::module_path!(), "stops_cleanly")
//!             .signal(::graceful::__private::Signal::SIGTERM),
//!         ::graceful::__private::Builder::new(),
//!         || {
//!             use ::graceful::__private::probe::*;
//!             (&&&Probe(__graceful_body())).outcome()
//!         },
//!     )
//! }
//! ```

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{ItemFn, LitStr, ReturnType, spanned::Spanned};

use crate::{
    expand_main::builder,
    test_config::{TestConfig, When},
};

/// Writes the test.
pub(crate) fn expand(config: &TestConfig, test: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = test;
    let private = config.main.krate.private();
    let (fn_token, ident, output) = (sig.fn_token, sig.ident, sig.output);
    let name = LitStr::new(&ident.to_string(), ident.span());
    let body = Ident::new("__graceful_body", ident.span());
    let probe_span = match &output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let probe = quote_spanned!(probe_span=> (&&&Probe(#body())).outcome());
    let plan = plan(config, &private, &name);
    let builder = builder(&config.main, &private);
    quote! {
        #(#attrs)*
        #[::core::prelude::v1::test]
        #vis #fn_token #ident() {
            #fn_token #body() #output #block
            #private::test::run(#plan, #builder, || {
                use #private::probe::*;
                #probe
            })
        }
    }
}

/// `Plan::new(module, name)` and one call per option given.
fn plan(config: &TestConfig, private: &TokenStream, name: &LitStr) -> TokenStream {
    let mut plan = quote!(#private::test::Plan::new(::core::module_path!(), #name));
    let ms = |ms: u64| Literal::u64_unsuffixed(ms);
    if let Some(signal) = &config.signal {
        plan.extend(quote!(.signal(#private::Signal::#signal)));
    }
    if let Some(When::After(delay)) = config.after {
        let delay = ms(delay);
        plan.extend(quote!(.after_ms(#delay)));
    }
    if let Some(signal) = &config.second {
        plan.extend(quote!(.second(#private::Signal::#signal)));
    }
    match config.second_after {
        Some(When::After(delay)) => {
            let delay = ms(delay);
            plan.extend(quote!(.second_after_ms(#delay)));
        }
        Some(When::Ready) => plan.extend(quote!(.second_after_ready())),
        None => {}
    }
    if let Some(limit) = config.kill_after {
        let limit = ms(limit);
        plan.extend(quote!(.kill_after_ms(#limit)));
    }
    if let Some(check) = &config.check {
        plan.extend(quote!(.check(#check)));
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;

    fn expand_str(args: TokenStream, item: TokenStream) -> String {
        let config = TestConfig::from_args(args::parse(args).unwrap()).unwrap();
        expand(&config, syn::parse2(item).unwrap()).to_string()
    }

    #[test]
    fn a_test_without_options_runs_its_body_in_a_child_that_gets_no_signal() {
        let out = expand_str(
            quote!(),
            quote!(
                fn ends() {}
            ),
        );
        let expected = quote! {
            #[::core::prelude::v1::test]
            fn ends() {
                fn __graceful_body() {}
                ::graceful::__private::test::run(
                    ::graceful::__private::test::Plan::new(::core::module_path!(), "ends"),
                    ::graceful::__private::Builder::new(),
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
    fn every_option_becomes_one_call() {
        let out = expand_str(
            quote!(
                signal = SIGTERM,
                after = "5ms",
                second = SIGINT,
                second_after = ready,
                kill_after = "9s",
                check = c,
                crate = gr
            ),
            quote!(
                fn t() {}
            ),
        );
        assert!(
            out.contains(
                ". signal (gr :: __private :: Signal :: SIGTERM) . after_ms (5) \
                 . second (gr :: __private :: Signal :: SIGINT) . second_after_ready () \
                 . kill_after_ms (9000) . check (c)"
            ),
            "{out}"
        );
    }
}
