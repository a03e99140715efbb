//! The code `#[graceful::on_shutdown]` writes: the user's function as it was, then a static
//! `StaticHook` describing it, added to the runtime's link-time list. The static sits in a
//! `const _: () = { ... };` block so its name can never collide with the user's.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{LitStr, ReturnType, ext::IdentExt, spanned::Spanned};

use crate::{config::HookConfig, validate_hook::Hook};

/// Writes the registration that follows the user's function `item`, which is emitted as the
/// user wrote it.
pub(crate) fn expand(config: HookConfig, hook: &Hook, item: TokenStream) -> TokenStream {
    let private = quote!(::graceful::__private);
    let ident = &hook.item.sig.ident;
    let name = config
        .name
        .unwrap_or_else(|| LitStr::new(&ident.unraw().to_string(), ident.span()));
    let order = Literal::i32_unsuffixed(config.order.unwrap_or(0));
    let timeout = match config.timeout {
        Some(ms) => {
            let ms = Literal::u64_unsuffixed(ms);
            quote!(::core::option::Option::Some(#private::Duration::from_millis(#ms)))
        }
        None => quote!(::core::option::Option::None),
    };
    // `line!()` reports the line of its own tokens' span: give it the function's name, so
    // `graceful::hooks()` points at the function and not at the attribute above it.
    let line = quote_spanned!(ident.span()=> ::core::line!());
    // If the return type does not fit, the error should point at it, not at the attribute.
    let result_span = match &hook.item.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let mut callee = ident.clone();
    callee.set_span(result_span);
    let run = match (hook.item.sig.asyncness.is_some(), hook.takes_shutdown) {
        (false, true) => quote_spanned!(result_span=>
            #private::HookFn::Sync(|shutdown| #private::hook_result(#callee(shutdown)))),
        (false, false) => quote_spanned!(result_span=>
            #private::HookFn::Sync(|_| #private::hook_result(#callee()))),
        (true, true) => quote_spanned!(result_span=>
        #private::HookFn::Async(|shutdown| #private::async_hook(async move {
            #callee(&shutdown).await
        }))),
        (true, false) => quote_spanned!(result_span=>
            #private::HookFn::Async(|_| #private::async_hook(#callee()))),
    };
    // A hook compiled out by `#[cfg]` must take its registration with it.
    let cfgs = hook
        .item
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"));
    quote! {
        #item
        #(#cfgs)*
        const _: () = {
            #[#private::linkme::distributed_slice(#private::HOOKS)]
            #[linkme(crate = #private::linkme)]
            static HOOK: #private::StaticHook = #private::StaticHook {
                name: #name,
                order: #order,
                timeout: #timeout,
                module: ::core::module_path!(),
                file: ::core::file!(),
                line: #line,
                run: #run,
            };
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{args, validate_hook};

    fn expand_str(args: TokenStream, item: TokenStream) -> String {
        let config = HookConfig::from_args(args::parse(args).unwrap()).unwrap();
        let hook = validate_hook::check(syn::parse2(item.clone()).unwrap()).unwrap();
        expand(config, &hook, item).to_string()
    }

    #[test]
    fn defaults_name_the_hook_after_the_function() {
        let out = expand_str(
            quote!(),
            quote!(
                fn flush() {}
            ),
        );
        let expected = quote! {
            fn flush() {}
            const _: () = {
                #[::graceful::__private::linkme::distributed_slice(::graceful::__private::HOOKS)]
                #[linkme(crate = ::graceful::__private::linkme)]
                static HOOK: ::graceful::__private::StaticHook = ::graceful::__private::StaticHook {
                    name: "flush",
                    order: 0,
                    timeout: ::core::option::Option::None,
                    module: ::core::module_path!(),
                    file: ::core::file!(),
                    line: ::core::line!(),
                    run: ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(flush())),
                };
            };
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn options_and_the_shutdown_parameter_are_passed_on() {
        let out = expand_str(
            quote!(order = -5, name = "flush journal", timeout = "2s"),
            quote!(
                #[cfg(unix)]
                fn r#flush(s: &Shutdown) {}
            ),
        );
        for part in [
            "# [cfg (unix)] const _",
            "name : \"flush journal\"",
            "order : - 5",
            "Some (:: graceful :: __private :: Duration :: from_millis (2000))",
            "run : :: graceful :: __private :: HookFn :: Sync (| shutdown | :: graceful :: __private :: hook_result (r#flush (shutdown)))",
        ] {
            assert!(out.contains(part), "{part} not in {out}");
        }
    }

    #[test]
    fn async_hooks_are_boxed_futures() {
        let out = expand_str(
            quote!(),
            quote!(
                async fn flush() {}
            ),
        );
        assert!(
            out.contains(
                "HookFn :: Async (| _ | :: graceful :: __private :: async_hook (flush ()))"
            ),
            "{out}"
        );
        let out = expand_str(
            quote!(),
            quote!(
                async fn flush(s: &Shutdown) {}
            ),
        );
        assert!(
            out.contains("async move { flush (& shutdown) . await }"),
            "{out}"
        );
    }

    #[test]
    fn a_raw_identifier_names_the_hook_without_its_prefix() {
        let out = expand_str(
            quote!(),
            quote!(
                fn r#type() {}
            ),
        );
        assert!(out.contains("name : \"type\""), "{out}");
    }
}
