//! What `#[graceful::main]` accepts: a safe, non-generic `fn main()` without parameters,
//! returning `()` or a named type such as `Result<(), E>` or `ExitCode`; `async` with a
//! runtime's attribute (`#[tokio::main]`) below ours.

use quote::ToTokens;
use syn::{Item, ItemFn};

use crate::{
    errors::Errors,
    signature::{self, Target},
};

const TARGET: Target = Target {
    attribute: "#[graceful::main]",
    subject: "`fn main`",
    returns: "(), Result<(), E> or ExitCode",
    goes_on: "`fn main`",
};

/// Checks that `item` is a `fn main` the attribute can wrap.
///
/// # Errors
/// Every mistake found, each spanned on the tokens to change.
pub(crate) fn check(item: Item) -> syn::Result<ItemFn> {
    let Item::Fn(main) = item else {
        return Err(signature::not_a_function(&item, &TARGET));
    };
    let sig = &main.sig;
    let mut errors = Errors::default();
    if sig.ident != "main" {
        errors.push(syn::Error::new(
            sig.ident.span(),
            format!(
                "#[graceful::main] goes on `fn main`, not on `fn {}`: put it on your `fn main` \
                 (for code that runs at shutdown, use #[graceful::on_shutdown])",
                sig.ident
            ),
        ));
    }
    if !sig.inputs.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            "`fn main` takes no parameters: read command-line arguments with std::env::args()",
        ));
    }
    signature::check_common(sig, &TARGET, &mut errors);
    let runtime = main.attrs.iter().any(signature::is_runtime_attribute);
    match (&sig.asyncness, runtime) {
        (Some(token), false) => errors.push(syn::Error::new(
            token.span,
            "an async main needs a runtime: put #[tokio::main] below #[graceful::main] \
             (graceful goes on top, so it installs first and can drop the body at body_timeout)",
        )),
        (None, true) => {
            let attr = main
                .attrs
                .iter()
                .find(|a| signature::is_runtime_attribute(a));
            errors.push(syn::Error::new_spanned(
                attr.to_token_stream(),
                "a runtime's attribute goes on an `async fn main`: add `async`, or remove this \
                 attribute",
            ));
        }
        _ => {}
    }
    signature::check_not_twice(&main.attrs, "main", "", &mut errors);
    errors.finish()?;
    Ok(main)
}

#[cfg(test)]
mod tests {
    use super::check;
    use quote::quote;

    #[test]
    fn accepts_the_usual_mains() {
        for item in [
            quote! { fn main() {} },
            quote! { fn main() -> () {} },
            quote! { pub fn main() -> Result<(), graceful::Shutdown> { Ok(()) } },
            quote! { #[doc = "x"] fn main() -> anyhow::Result<()> { Ok(()) } },
            quote! { fn main() -> std::process::ExitCode { std::process::ExitCode::SUCCESS } },
            quote! { #[tokio::main] async fn main() {} },
            quote! { #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), E> { Ok(()) } },
        ] {
            assert!(check(syn::parse2(item).unwrap()).is_ok());
        }
    }

    #[test]
    fn rejects_each_wrong_signature_with_one_error() {
        for (item, expected) in [
            (
                quote! { async fn main() {} },
                "an async main needs a runtime",
            ),
            (
                quote! { #[tokio::main] fn main() {} },
                "goes on an `async fn main`",
            ),
            (quote! { unsafe fn main() {} }, "remove `unsafe`"),
            (quote! { const fn main() {} }, "remove `const`"),
            (quote! { extern "C" fn main() {} }, "remove `extern \"C\"`"),
            (quote! { fn main<T>() {} }, "cannot be generic"),
            (quote! { fn main() where u8: Copy {} }, "`where` clause"),
            (quote! { fn main(n: u8) {} }, "takes no parameters"),
            (quote! { fn run() {} }, "not on `fn run`"),
            (
                quote! { fn main() -> impl Sized {} },
                "cannot return `impl Trait`",
            ),
            (
                quote! { fn main() -> &'static str {} },
                "cannot return a reference",
            ),
            (quote! { fn main() -> ! {} }, "cannot return `!`"),
            (quote! { struct Main; }, "not on a struct"),
            (quote! { #[graceful::main] fn main() {} }, "applied twice"),
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

    #[test]
    fn reports_every_mistake_at_once() {
        let item = syn::parse2(quote! { async unsafe fn start(n: u8) {} }).unwrap();
        assert_eq!(check(item).err().unwrap().into_iter().count(), 4); // name, params, unsafe, runtime
    }
}
