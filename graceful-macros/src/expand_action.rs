//! The code `#[graceful::on_signal]` writes: the user's function as it was, then a static
//! `StaticAction` describing it, in the runtime's link-time list of actions. As for a hook, the
//! static sits in a `const _: () = { ... };` block under a name nobody writes, and the
//! function's `#[cfg]`s are carried onto it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{ItemFn, LitStr, ReturnType, ext::IdentExt, spanned::Spanned};

use crate::{action_config::ActionConfig, expand_hook::registration_cfg};

/// Writes the registration that follows the user's function `item`, emitted as written.
pub(crate) fn expand(config: ActionConfig, action: &ItemFn, item: TokenStream) -> TokenStream {
    let private = config.krate.private();
    let ident = &action.sig.ident;
    let name = config
        .name
        .unwrap_or_else(|| LitStr::new(&ident.unraw().to_string(), ident.span()));
    let signal = &config.signal;
    // The location is the function's name, as `graceful::hooks()` gives a hook's.
    let at = quote_spanned!(ident.span()=> ::core::panic::Location::caller());
    let result_span = match &action.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let mut callee = ident.clone();
    callee.set_span(result_span);
    let run = if action.sig.asyncness.is_some() {
        quote_spanned!(result_span=> #private::ActionFn::Async(|| #private::async_hook(#callee())))
    } else {
        quote_spanned!(result_span=> #private::ActionFn::Sync(|| #private::hook_result(#callee())))
    };
    let cfgs = action.attrs.iter().filter_map(registration_cfg);
    quote! {
        #item
        #(#cfgs)*
        const _: () = {
            #[#private::linkme::distributed_slice(#private::SIGNAL_ACTIONS)]
            #[linkme(crate = #private::linkme)]
            static __GRACEFUL_ACTION: #private::StaticAction = #private::StaticAction::new(
                #private::Signal::#signal, #name, #at, #run,
            );
        };
    }
}
