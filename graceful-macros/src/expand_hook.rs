//! The code `#[graceful::on_shutdown]` writes: the user's function as it was, then a static
//! `StaticHook` describing it, added to the runtime's link-time list. The static sits in a
//! `const _: () = { ... };` block, and is named `__GRACEFUL_HOOK`: the call to the user's
//! function is written inside that block, where a static named like the function would
//! capture it. Only options given are written (`.order(-5)`, `.timeout_ms(2000)`); defaults
//! are the runtime's.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{
    Attribute, LitStr, Meta, ReturnType, Token, ext::IdentExt, punctuated::Punctuated,
    spanned::Spanned,
};

use crate::{config::HookConfig, validate_hook::Hook};

/// Writes the registration that follows the user's function `item`, which is emitted as the
/// user wrote it.
pub(crate) fn expand(config: HookConfig, hook: &Hook, item: TokenStream) -> TokenStream {
    let private = config.krate.private();
    let ident = &hook.item.sig.ident;
    let name = config
        .name
        .unwrap_or_else(|| LitStr::new(&ident.unraw().to_string(), ident.span()));
    let mut options = TokenStream::new();
    if let Some(order) = config.order {
        let order = Literal::i32_unsuffixed(order);
        options.extend(quote!(.order(#order)));
    }
    if let Some(ms) = config.timeout {
        let ms = Literal::u64_unsuffixed(ms);
        options.extend(quote!(.timeout_ms(#ms)));
    }
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
    // The closure's parameter is invisible to the user's names (a hook called `shutdown`
    // is still the function it names, not the parameter).
    let param = Ident::new("shutdown", Span::mixed_site());
    let run = match (hook.item.sig.asyncness.is_some(), hook.takes_shutdown) {
        (false, true) => quote_spanned!(result_span=>
            #private::HookFn::Sync(|#param| #private::hook_result(#callee(#param)))),
        (false, false) => quote_spanned!(result_span=>
            #private::HookFn::Sync(|_| #private::hook_result(#callee()))),
        (true, true) => quote_spanned!(result_span=>
        #private::HookFn::Async(|#param| #private::async_hook(async move {
            #callee(&#param).await
        }))),
        (true, false) => quote_spanned!(result_span=>
            #private::HookFn::Async(|_| #private::async_hook(#callee()))),
    };
    // A hook compiled out by `#[cfg]` (or a `#[cfg_attr]` that comes to one) must take its
    // registration with it.
    let cfgs = hook.item.attrs.iter().filter_map(registration_cfg);
    quote! {
        #item
        #(#cfgs)*
        const _: () = {
            #[#private::linkme::distributed_slice(#private::HOOKS)]
            #[linkme(crate = #private::linkme)]
            static __GRACEFUL_HOOK: #private::StaticHook = #private::StaticHook::new(
                #name, (::core::module_path!(), ::core::file!(), #line), #run,
            )#options;
        };
    }
}

/// The part of a function's attribute that must be on its registration too: `#[cfg(..)]`
/// whole, and of `#[cfg_attr(pred, ..)]` the `cfg(..)` it may come to (other attributes, say
/// `inline`, do not belong on a static).
pub(crate) fn registration_cfg(attr: &Attribute) -> Option<TokenStream> {
    if attr.path().is_ident("cfg") {
        return Some(quote!(#attr));
    }
    let meta = cfg_meta(&attr.meta)?;
    Some(quote!(#[#meta]))
}

/// `cfg(..)` as it is; `cfg_attr(pred, ..)` with only what comes to a `cfg`; else `None`.
fn cfg_meta(meta: &Meta) -> Option<TokenStream> {
    if meta.path().is_ident("cfg") {
        return Some(quote!(#meta));
    }
    let Meta::List(list) = meta else {
        return None;
    };
    if !list.path.is_ident("cfg_attr") {
        return None;
    }
    let parts = list
        .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        .ok()?;
    let mut parts = parts.iter();
    let predicate = parts.next()?;
    let kept: Vec<TokenStream> = parts.filter_map(cfg_meta).collect();
    (!kept.is_empty()).then(|| quote!(cfg_attr(#predicate, #(#kept),*)))
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
    fn defaults_name_the_hook_after_the_function_and_are_not_written() {
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
                static __GRACEFUL_HOOK: ::graceful::__private::StaticHook = ::graceful::__private::StaticHook::new(
                    "flush", (::core::module_path!(), ::core::file!(), ::core::line!()),
                    ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(flush())),
                );
            };
        };
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn options_and_the_shutdown_parameter_are_passed_on() {
        let out = expand_str(
            quote!(
                order = -5,
                name = "flush journal",
                timeout = "2s",
                crate = gr
            ),
            quote!(
                #[cfg(unix)]
                fn r#flush(s: &Shutdown) {}
            ),
        );
        for part in [
            "# [cfg (unix)] const _",
            "(\"flush journal\"",
            ") . order (- 5) . timeout_ms (2000) ;",
            "gr :: __private :: HookFn :: Sync (| shutdown | gr :: __private :: hook_result (r#flush (shutdown)))",
        ] {
            assert!(out.contains(part), "{part} not in {out}");
        }
        assert!(!out.contains(":: graceful"), "{out}");
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
        assert!(out.contains("(\"type\""), "{out}");
    }

    #[test]
    fn cfg_attr_carries_only_the_cfg_it_comes_to() {
        let out = expand_str(
            quote!(),
            quote!(
                #[cfg_attr(feature = "x", cfg(unix), inline)]
                #[cfg_attr(test, allow(dead_code))]
                #[cfg_attr(a, cfg_attr(b, cfg(c)))]
                fn flush() {}
            ),
        );
        let registration = &out[out.find("fn flush").unwrap()..];
        assert!(
            registration.contains(
                "# [cfg_attr (feature = \"x\" , cfg (unix))] \
                 # [cfg_attr (a , cfg_attr (b , cfg (c)))] const _"
            ),
            "{registration}"
        );
    }
}
