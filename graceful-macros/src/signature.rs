//! The checks both attributes make on the function they are given: no modifiers, no generics,
//! a return type the runtime can inspect. Each attribute adds its own rules on top
//! ([`validate_main`](crate::validate_main), [`validate_hook`](crate::validate_hook)).

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::{Item, ReturnType, Safety, Signature, Type};

use crate::errors::Errors;

/// How the messages of one attribute name things.
pub(crate) struct Target {
    /// `#[graceful::main]`.
    pub(crate) attribute: &'static str,
    /// What the function is called in messages: "`fn main`", "a shutdown hook".
    pub(crate) subject: &'static str,
    /// What the function may return, in words.
    pub(crate) returns: &'static str,
    /// Where the attribute belongs: "`fn main`", "a free function".
    pub(crate) goes_on: &'static str,
}

/// Checks what the two attributes reject alike, recording one error per mistake.
pub(crate) fn check_common(sig: &Signature, target: &Target, errors: &mut Errors) {
    let subject = target.subject;
    if let Some(token) = &sig.constness {
        errors.push(syn::Error::new(
            token.span,
            format!("{subject} cannot be a `const fn`: remove `const`"),
        ));
    }
    if let Safety::Unsafe(token) = &sig.safety {
        errors.push(syn::Error::new(
            token.span,
            format!("{subject} must be safe to call: remove `unsafe`"),
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            format!(
                "{subject} must be a plain Rust function: remove `{}`",
                abi.to_token_stream()
            ),
        ));
    }
    if sig.generics.lt_token.is_some() {
        let (lt, params, gt) = (
            &sig.generics.lt_token,
            &sig.generics.params,
            &sig.generics.gt_token,
        );
        errors.push(syn::Error::new_spanned(
            quote!(#lt #params #gt),
            format!("{subject} cannot be generic: remove the generic parameters"),
        ));
    }
    if let Some(clause) = &sig.generics.where_clause {
        errors.push(syn::Error::new_spanned(
            clause,
            format!("{subject} cannot have a `where` clause: remove it"),
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            format!("{subject} cannot be variadic: remove `...`"),
        ));
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        errors.take(check_return_type(ty, target));
    }
}

/// Accepts `()` and any named type (`Result<(), E>`, `ExitCode`, an alias, a macro): the
/// runtime's traits decide whether it fits, with an error on the type if not. Rejects the
/// forms that can never fit.
fn check_return_type(ty: &Type, target: &Target) -> syn::Result<()> {
    let (what, why) = match ty {
        Type::Path(_) | Type::Macro(_) | Type::Verbatim(_) => return Ok(()),
        Type::Tuple(tuple) if tuple.elems.is_empty() => return Ok(()),
        Type::Paren(inner) => return check_return_type(&inner.elem, target),
        Type::Group(inner) => return check_return_type(&inner.elem, target),
        Type::ImplTrait(_) => ("`impl Trait`", ""),
        Type::Reference(_) => ("a reference", ""),
        Type::Never(_) => ("`!`", "it must return for the shutdown to go on, so "),
        _ => ("this type", ""),
    };
    Err(syn::Error::new_spanned(
        ty,
        format!(
            "{} cannot return {what}: {why}return {}",
            target.subject, target.returns
        ),
    ))
}

/// The error for an attribute put on something that is not a function, spanned on the
/// item's keyword and name.
pub(crate) fn not_a_function(item: &Item, target: &Target) -> syn::Error {
    let (what, head) = match item {
        Item::Const(i) => ("a const", pair(&i.const_token, &i.ident)),
        Item::Enum(i) => ("an enum", pair(&i.enum_token, &i.ident)),
        Item::ExternCrate(i) => ("an extern crate", pair(&i.extern_token, &i.crate_token)),
        Item::ForeignMod(i) => ("an extern block", i.abi.to_token_stream()),
        Item::Impl(i) => ("an impl block", i.impl_token.to_token_stream()),
        Item::Macro(i) => ("a macro", i.mac.path.to_token_stream()),
        Item::Mod(i) => ("a module", pair(&i.mod_token, &i.ident)),
        Item::Static(i) => ("a static", pair(&i.static_token, &i.ident)),
        Item::Struct(i) => ("a struct", pair(&i.struct_token, &i.ident)),
        Item::Trait(i) => ("a trait", pair(&i.trait_token, &i.ident)),
        Item::TraitAlias(i) => ("a trait alias", pair(&i.trait_token, &i.ident)),
        Item::Type(i) => ("a type alias", pair(&i.type_token, &i.ident)),
        Item::Union(i) => ("a union", pair(&i.union_token, &i.ident)),
        Item::Use(i) => ("a use declaration", i.use_token.to_token_stream()),
        _ => ("this item", item.to_token_stream()),
    };
    syn::Error::new_spanned(
        head,
        format!(
            "{} goes on {}, not on {what}",
            target.attribute, target.goes_on
        ),
    )
}

fn pair(first: &impl ToTokens, second: &impl ToTokens) -> TokenStream {
    quote!(#first #second)
}

/// Whether `attr` is `#[graceful::<name>]` or `#[::graceful::<name>]`, with or without
/// arguments: the same attribute applied a second time.
pub(crate) fn is_graceful_attribute(attr: &syn::Attribute, name: &str) -> bool {
    let segments = &attr.path().segments;
    segments.len() == 2
        && segments.first().is_some_and(|s| s.ident == "graceful")
        && segments.last().is_some_and(|s| s.ident == name)
}

/// The attribute `#[graceful::NAME]` found again on the item it expands: an error on each,
/// saying what a second one would do (`consequence`: ", which would run the hook twice").
pub(crate) fn check_not_twice(
    attrs: &[syn::Attribute],
    name: &str,
    consequence: &str,
    errors: &mut Errors,
) {
    for attr in attrs.iter().filter(|a| is_graceful_attribute(a, name)) {
        errors.push(syn::Error::new_spanned(
            attr.to_token_stream(),
            format!("#[graceful::{name}] is applied twice{consequence}: remove this one"),
        ));
    }
}

/// A runtime's entry attribute such as `#[tokio::main]` or `#[async_std::main]`: a path of
/// two or more segments ending in `main`, other than graceful's own.
pub(crate) fn is_runtime_attribute(attr: &syn::Attribute) -> bool {
    let segments = &attr.path().segments;
    segments.len() >= 2
        && segments.last().is_some_and(|s| s.ident == "main")
        && !is_graceful_attribute(attr, "main")
}

/// The first `Self` in `tokens`, searching inside groups too.
pub(crate) fn find_self_type(tokens: TokenStream) -> Option<proc_macro2::Ident> {
    tokens.into_iter().find_map(|tree| match tree {
        TokenTree::Ident(ident) if ident == "Self" => Some(ident),
        TokenTree::Group(group) => find_self_type(group.stream()),
        _ => None,
    })
}
