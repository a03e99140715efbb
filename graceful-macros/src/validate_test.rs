//! What `#[graceful::test]` accepts: a safe, synchronous, non-generic function without
//! parameters, returning what `fn main` may (`()`, `Result<(), E>`, `ExitCode`), and not marked
//! `#[test]` already.

use quote::ToTokens;
use syn::{Item, ItemFn};

use crate::{
    errors::Errors,
    signature::{self, Target},
};

const TARGET: Target = Target {
    attribute: "#[graceful::test]",
    subject: "a graceful test",
    returns: "(), Result<(), E> or ExitCode",
    goes_on: "a function",
};

/// Checks that `item` is a function the attribute can run in a child.
///
/// # Errors
/// Every mistake found, each spanned on the tokens to change.
pub(crate) fn check(item: Item) -> syn::Result<ItemFn> {
    let Item::Fn(test) = item else {
        return Err(signature::not_a_function(&item, &TARGET));
    };
    let sig = &test.sig;
    let mut errors = Errors::default();
    if !sig.inputs.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            "a graceful test takes no parameters: its report goes to `check = path`, a \
             fn(graceful::test::Report) run in the parent",
        ));
    }
    if let Some(token) = &sig.asyncness {
        errors.push(syn::Error::new(
            token.span,
            "a graceful test's body is synchronous, as a sync `fn main`'s: remove `async` and \
             start a runtime inside if the body needs one",
        ));
    }
    signature::check_common(sig, &TARGET, &mut errors);
    for attr in &test.attrs {
        if attr.path().is_ident("test") || signature::is_graceful_attribute(attr, "test") {
            errors.push(syn::Error::new_spanned(
                attr.to_token_stream(),
                "#[graceful::test] makes the function a test already: remove this attribute",
            ));
        }
    }
    errors.finish()?;
    Ok(test)
}
