//! What `#[graceful::on_signal]` accepts: a free, safe, non-generic function (`async` or not)
//! with no parameters, returning `()` or a named type such as `Result<(), E>`.

use quote::ToTokens;
use syn::{FnArg, Item, ItemFn};

use crate::{
    errors::Errors,
    signature::{self, Target},
};

const TARGET: Target = Target {
    attribute: "#[graceful::on_signal]",
    subject: "a signal's action",
    returns: "() or Result<(), E>",
    goes_on: "a free function",
};

/// Checks that `item` is a function the attribute can register.
///
/// # Errors
/// Every mistake found, each spanned on the tokens to change.
pub(crate) fn check(item: Item) -> syn::Result<ItemFn> {
    let Item::Fn(item) = item else {
        return Err(signature::not_a_function(&item, &TARGET));
    };
    let sig = &item.sig;
    let mut errors = Errors::default();
    match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) => errors.push(syn::Error::new_spanned(
            receiver,
            "#[graceful::on_signal] goes on a free function, not inside an impl block: move \
             the function out (for an action that needs state, register a closure with \
             graceful::on_signal(signal, name, closure))",
        )),
        Some(_) => errors.push(syn::Error::new_spanned(
            sig.inputs.to_token_stream(),
            "a signal's action takes no parameters: remove them (for an action that needs \
             values, register a closure with graceful::on_signal(signal, name, closure))",
        )),
        None => {}
    }
    signature::check_common(sig, &TARGET, &mut errors);
    signature::check_not_twice(
        &item.attrs,
        "on_signal",
        ", which would run the action twice",
        &mut errors,
    );
    errors.finish()?;
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::check;
    use quote::quote;

    #[test]
    fn accepts_plain_and_async_actions() {
        for item in [
            quote! { fn reload() {} },
            quote! { pub fn reload() -> std::io::Result<()> { Ok(()) } },
            quote! { async fn reload() {} },
        ] {
            assert!(check(syn::parse2(item).unwrap()).is_ok());
        }
    }

    #[test]
    fn rejects_parameters_methods_and_the_rest() {
        for (item, expected) in [
            (quote! { fn f(path: &str) {} }, "takes no parameters"),
            (quote! { fn f(&self) {} }, "not inside an impl block"),
            (quote! { unsafe fn f() {} }, "remove `unsafe`"),
            (quote! { fn f<T>() {} }, "cannot be generic"),
            (quote! { static F: u8 = 0; }, "not on a static"),
            (
                quote! { #[graceful::on_signal(SIGHUP)] fn f() {} },
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
