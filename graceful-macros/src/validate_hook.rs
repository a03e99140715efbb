//! What `#[graceful::on_shutdown]` accepts: a free, safe, non-generic function (`async` or not)
//! with no parameters or one `&Shutdown`, returning `()` or a named type such as
//! `Result<(), E>`.

use quote::ToTokens;
use syn::{FnArg, Item, ItemFn, Type, punctuated::Punctuated};

use crate::{
    errors::Errors,
    signature::{self, Target},
};

const TARGET: Target = Target {
    attribute: "#[graceful::on_shutdown]",
    subject: "a shutdown hook",
    returns: "() or Result<(), E>",
    goes_on: "a free function",
};

/// What a method gets instead of the attribute: where to go, and the way to keep state.
const NOT_A_METHOD: &str = "#[graceful::on_shutdown] goes on a free function, not inside an \
                            impl block: move the function out (for a hook that needs state, \
                            register a closure with graceful::on_shutdown(name, closure))";

/// A function that can be registered as a hook.
pub(crate) struct Hook {
    pub(crate) item: ItemFn,
    /// Whether it takes the `&Shutdown` parameter.
    pub(crate) takes_shutdown: bool,
}

/// Checks that `item` is a function the attribute can register.
///
/// # Errors
/// Every mistake found, each spanned on the tokens to change.
pub(crate) fn check(item: Item) -> syn::Result<Hook> {
    let Item::Fn(item) = item else {
        return Err(signature::not_a_function(&item, &TARGET));
    };
    let sig = &item.sig;
    let mut errors = Errors::default();
    let is_method = matches!(sig.inputs.first(), Some(FnArg::Receiver(_)));
    if let Some(FnArg::Receiver(receiver)) = sig.inputs.first() {
        errors.push(syn::Error::new_spanned(receiver, NOT_A_METHOD));
    } else if let Some(self_type) = signature::find_self_type(sig.to_token_stream()) {
        errors.push(syn::Error::new(self_type.span(), NOT_A_METHOD));
    }
    if !is_method {
        errors.take(check_parameters(&sig.inputs));
    }
    signature::check_common(sig, &TARGET, &mut errors);
    signature::check_not_twice(
        &item.attrs,
        "on_shutdown",
        ", which would run the hook twice",
        &mut errors,
    );
    errors.finish()?;
    let takes_shutdown = !item.sig.inputs.is_empty();
    Ok(Hook {
        item,
        takes_shutdown,
    })
}

/// None, or one `&Shutdown` (any path ending in `Shutdown`, a shared reference, no lifetime
/// but `'_`).
fn check_parameters(inputs: &Punctuated<FnArg, syn::Token![,]>) -> syn::Result<()> {
    let mut params = inputs.iter();
    let Some(first) = params.next() else {
        return Ok(());
    };
    let extra: Vec<_> = params.collect();
    if !extra.is_empty() {
        return Err(syn::Error::new_spanned(
            quote::quote!(#(#extra),*),
            "a shutdown hook takes at most one parameter, `&graceful::Shutdown`: remove the others",
        ));
    }
    let FnArg::Typed(param) = first else {
        return Ok(()); // a receiver, reported by the caller
    };
    let wrong = |tokens: &dyn ToTokens, fix: &str| {
        Err(syn::Error::new_spanned(
            tokens.to_token_stream(),
            format!("a shutdown hook's parameter must be `&graceful::Shutdown`: {fix}"),
        ))
    };
    match &*param.ty {
        Type::Reference(reference) if is_shutdown(&reference.elem) => {
            if let Some(token) = &reference.mutability {
                wrong(token, "remove `mut`, hooks get a shared reference")
            } else if reference.lifetime.as_ref().is_some_and(|l| l.ident != "_") {
                wrong(&reference.lifetime, "remove the lifetime")
            } else {
                Ok(())
            }
        }
        ty if is_shutdown(ty) => wrong(ty, "take it by reference, `&Shutdown`"),
        ty => Err(syn::Error::new_spanned(
            ty,
            "a shutdown hook takes no parameters or one `&graceful::Shutdown`; for a hook that \
             needs other values, register a closure with graceful::on_shutdown(name, closure)",
        )),
    }
}

fn is_shutdown(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|last| last.ident == "Shutdown" && last.arguments.is_none())
        }
        Type::Paren(inner) => is_shutdown(&inner.elem),
        Type::Group(inner) => is_shutdown(&inner.elem),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use quote::quote;

    #[test]
    fn accepts_the_usual_hooks() {
        for (item, takes_shutdown) in [
            (quote! { fn flush() {} }, false),
            (
                quote! { pub(crate) fn flush() -> std::io::Result<()> { Ok(()) } },
                false,
            ),
            (quote! { fn flush(s: &Shutdown) {} }, true),
            (
                quote! { fn flush(_: &'_ graceful::Shutdown) -> Result<(), String> { Ok(()) } },
                true,
            ),
        ] {
            let hook = check(syn::parse2(item).unwrap()).unwrap();
            assert_eq!(hook.takes_shutdown, takes_shutdown);
        }
    }

    #[test]
    fn rejects_each_wrong_signature_with_one_error() {
        for (item, expected) in [
            (quote! { unsafe fn f() {} }, "remove `unsafe`"),
            (quote! { const fn f() {} }, "remove `const`"),
            (quote! { extern "C" fn f() {} }, "remove `extern \"C\"`"),
            (quote! { fn f<T>() {} }, "cannot be generic"),
            (quote! { fn f(&self) {} }, "not inside an impl block"),
            (quote! { fn f() -> Self {} }, "not inside an impl block"),
            (
                quote! { fn f(a: &Shutdown, b: u8) {} },
                "at most one parameter",
            ),
            (quote! { fn f(a: &mut Shutdown) {} }, "remove `mut`"),
            (quote! { fn f(a: Shutdown) {} }, "by reference"),
            (
                quote! { fn f(a: &'static Shutdown) {} },
                "remove the lifetime",
            ),
            (
                quote! { fn f(a: u8) {} },
                "no parameters or one `&graceful::Shutdown`",
            ),
            (
                quote! { fn f() -> impl Sized {} },
                "cannot return `impl Trait`",
            ),
            (
                quote! { fn f() -> &'static str {} },
                "cannot return a reference",
            ),
            (quote! { static F: u8 = 0; }, "not on a static"),
            (
                quote! { #[graceful::on_shutdown] fn f() {} },
                "applied twice",
            ),
        ] {
            let errors: Vec<_> = check(syn::parse2(item).unwrap())
                .err()
                .unwrap()
                .into_iter()
                .collect();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].to_string().contains(expected), "{}", errors[0]);
        }
    }
}
