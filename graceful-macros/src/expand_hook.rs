//! The code `#[graceful::on_shutdown]` writes: the user's function as it was, then a static
//! `StaticHook` describing it, added to the runtime's link-time list. The static sits in a
//! `const _: () = { ... };` block, and is named `__GRACEFUL_HOOK`: the call to the user's
//! function is written inside that block, where a static named like the function would
//! capture it. Only options given are written (`.order(-5)`, `.timeout_ms(2000)`); defaults
//! are the runtime's.
//!
//! So that other hooks can name it (`after = db::close_pool`), every hook also gets a marker
//! beside the function: a braced struct with the function's name and visibility, which lives
//! in the type namespace only and so coexists with the function, and whose `Hook` impl leads
//! to the static. `after = [a, b]` is written `.after(&[<a as Hook>::HOOK, ..])`, spanned on
//! each path, so the compiler's own errors (no such item, a function that is no hook, a type
//! that is no hook) point at the path the user wrote.

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
    if let Some((order, _)) = config.order {
        let order = Literal::i32_unsuffixed(order);
        options.extend(quote!(.order(#order)));
    }
    if let Some(ms) = config.timeout {
        let ms = Literal::u64_unsuffixed(ms);
        options.extend(quote!(.timeout_ms(#ms)));
    }
    for (method, paths) in [
        ("after", &config.graph.after),
        ("before", &config.graph.before),
    ] {
        if !paths.is_empty() {
            let method = Ident::new(method, Span::call_site());
            let hooks = paths
                .iter()
                .map(|path| quote_spanned!(path.span()=> <#path as #private::Hook>::HOOK));
            options.extend(quote!(.#method(&[#(#hooks),*])));
        }
    }
    if config.graph.last {
        options.extend(quote!(.final_stage()));
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
    let cfgs: Vec<_> = hook
        .item
        .attrs
        .iter()
        .filter_map(registration_cfg)
        .collect();
    let (marker, marker_impl) = marker(hook, &private);
    quote! {
        #item
        #(#cfgs)* #marker
        #(#cfgs)*
        const _: () = {
            #[#private::linkme::distributed_slice(#private::HOOKS)]
            #[linkme(crate = #private::linkme)]
            static __GRACEFUL_HOOK: #private::StaticHook = #private::StaticHook::new(
                &__GRACEFUL_ID, #name, (::core::module_path!(), ::core::file!(), #line), #run,
            )#options;
            static __GRACEFUL_ID: #private::HookId = #private::HookId::new();
            #marker_impl
        };
    }
}

/// The type `after = path` names, and its `Hook` impl (written inside the `const _` block,
/// where the static is in scope). None for a hook named like a primitive type (`fn str()`):
/// a struct `str` would shadow the primitive in the hook's module, so such a hook cannot be
/// named by others.
fn marker(hook: &Hook, private: &TokenStream) -> (TokenStream, TokenStream) {
    let (vis, ident) = (&hook.item.vis, &hook.item.sig.ident);
    if PRIMITIVES.contains(&ident.unraw().to_string().as_str()) {
        return (TokenStream::new(), TokenStream::new());
    }
    // `unreachable_pub`: a `pub` hook in a private module is warned about once, on the fn.
    let marker = quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code, unreachable_pub)]
        #vis struct #ident {}
    };
    // Not offered as a fix when another type is no hook ("the trait is implemented for ..").
    let marker_impl = quote! {
        #[diagnostic::do_not_recommend]
        impl #private::Hook for #ident { const HOOK: #private::HookRef = &__GRACEFUL_ID; }
    };
    (marker, marker_impl)
}

/// The names of the primitive types, which a type of the same name would shadow.
const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f16", "f32", "f64", "f128",
];

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
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code, unreachable_pub)]
            struct flush {}
            const _: () = {
                #[::graceful::__private::linkme::distributed_slice(::graceful::__private::HOOKS)]
                #[linkme(crate = ::graceful::__private::linkme)]
                static __GRACEFUL_HOOK: ::graceful::__private::StaticHook = ::graceful::__private::StaticHook::new(
                    &__GRACEFUL_ID, "flush", (::core::module_path!(), ::core::file!(), ::core::line!()),
                    ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(flush())),
                );
                static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
                #[diagnostic::do_not_recommend]
                impl ::graceful::__private::Hook for flush {
                    const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
                }
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
            "# [cfg (unix)] # [doc (hidden)]",
            "struct r#flush { } # [cfg (unix)] const _",
            "impl gr :: __private :: Hook for r#flush",
            "__GRACEFUL_ID , \"flush journal\" ,",
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
    fn after_before_and_final_name_each_hook_through_its_marker() {
        let out = expand_str(
            quote!(after = db::close_pool, before = [a, ::x::y], final),
            quote!(
                pub(crate) fn flush() {}
            ),
        );
        let private = ":: graceful :: __private";
        let expected = format!(
            ") . after (& [< db :: close_pool as {private} :: Hook > :: HOOK]) \
             . before (& [< a as {private} :: Hook > :: HOOK , < :: x :: y as {private} :: Hook > :: HOOK]) \
             . final_stage () ;"
        );
        assert!(out.contains(&expected), "{out}");
        assert!(out.contains("pub (crate) struct flush { }"), "{out}");
    }

    #[test]
    fn a_hook_named_like_a_primitive_type_gets_no_marker() {
        let out = expand_str(quote!(), quote! { fn r#str() {} });
        assert!(!out.contains("struct"), "{out}");
        assert!(!out.contains("Hook for"), "{out}");
    }

    #[test]
    fn a_raw_identifier_names_the_hook_without_its_prefix() {
        let out = expand_str(
            quote!(),
            quote!(
                fn r#type() {}
            ),
        );
        assert!(out.contains("__GRACEFUL_ID , \"type\" ,"), "{out}");
        assert!(out.contains("struct r#type { }"), "{out}");
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
