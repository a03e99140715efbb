//! The syntax of an attribute's arguments: a comma-separated list of `key = value` pairs and
//! bare flags, such as `timeout = "30s", signals = [SIGTERM, SIGINT], quiet`.
//!
//! This stage knows the shapes a value can take, not what any key means: that is
//! [`config`](crate::config)'s job.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{
    Ident, LitBool, LitInt, LitStr, Path, Token,
    ext::IdentExt,
    parse::{ParseStream, Parser},
    punctuated::Punctuated,
    token,
};

/// One argument: `key = value`, or a bare `key`.
pub(crate) struct Arg {
    pub(crate) key: Ident,
    pub(crate) value: Value,
}

/// The value after `=`, kept as the tokens the user wrote so errors can point at them.
pub(crate) enum Value {
    /// No `= value`: a bare flag such as `quiet`.
    Flag,
    /// `"30s"`.
    Str(LitStr),
    /// `3` or `-5`.
    Int(Option<Token![-]>, LitInt),
    /// `true` or `false`.
    Bool(LitBool),
    /// A bare name, `SIGTERM`.
    Ident(Ident),
    /// A path of more than one segment, or with a leading `::`: `::my::graceful`.
    Path(Path),
    /// `[SIGTERM, SIGINT]` or `[db::close_pool, flush]`: each item a value of its own, judged
    /// by the key (a quoted signal and a quoted hook path get different advice).
    List(token::Bracket, Punctuated<Value, Token![,]>),
}

impl Value {
    /// What kind of value this is, for messages such as "expected a string, found an integer".
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Flag => "no value",
            Value::Str(_) => "a string",
            Value::Int(..) => "an integer",
            Value::Bool(_) => "a boolean",
            Value::Ident(_) => "a name",
            Value::Path(_) => "a path",
            Value::List(..) => "a list",
        }
    }
}

impl ToTokens for Value {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Value::Flag => {}
            Value::Str(lit) => lit.to_tokens(tokens),
            Value::Int(minus, lit) => {
                minus.to_tokens(tokens);
                lit.to_tokens(tokens);
            }
            Value::Bool(lit) => lit.to_tokens(tokens),
            Value::Ident(ident) => ident.to_tokens(tokens),
            Value::Path(path) => path.to_tokens(tokens),
            Value::List(bracket, items) => {
                bracket.surround(tokens, |tokens| items.to_tokens(tokens))
            }
        }
    }
}

/// Parses an attribute's arguments.
///
/// # Errors
/// A syntax error, spanned on the first token that does not fit.
pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Vec<Arg>> {
    let list = |input: ParseStream| Punctuated::<Arg, Token![,]>::parse_terminated_with(input, arg);
    Ok(list.parse2(tokens)?.into_iter().collect())
}

fn arg(input: ParseStream) -> syn::Result<Arg> {
    // `crate` is a keyword, and a key all the same (`crate = gr`).
    let key = Ident::parse_any(input)?;
    let value = if input.parse::<Option<Token![=]>>()?.is_some() {
        value(input)?
    } else if input.is_empty() || input.peek(Token![,]) {
        Value::Flag
    } else {
        return Err(input.error(format!(
            "expected `=` between `{key}` and its value, as in `{key} = ...` (or a comma, if \
             `{key}` is a flag)"
        )));
    };
    Ok(Arg { key, value })
}

fn value(input: ParseStream) -> syn::Result<Value> {
    if input.peek(LitStr) {
        Ok(Value::Str(input.parse()?))
    } else if input.peek(LitInt) {
        Ok(Value::Int(None, input.parse()?))
    } else if input.peek(Token![-]) && input.peek2(LitInt) {
        Ok(Value::Int(Some(input.parse()?), input.parse()?))
    } else if input.peek(LitBool) {
        Ok(Value::Bool(input.parse()?))
    } else if input.peek(token::Bracket) {
        let content;
        let bracket = syn::bracketed!(content in input);
        let items = content.parse_terminated(value, Token![,])?;
        Ok(Value::List(bracket, items))
    } else if input.peek(Ident::peek_any) || input.peek(Token![::]) {
        let path = Path::parse_mod_style(input)?;
        Ok(match path.get_ident() {
            Some(ident) if path.leading_colon.is_none() => Value::Ident(ident.clone()),
            _ => Value::Path(path),
        })
    } else {
        Err(input.error(
            "expected a value: a string such as \"30s\", an integer, true or false, \
             or a list such as [SIGTERM, SIGINT]",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn parses_every_value_shape() {
        let args = parse(quote!(
            a = "5s",
            b = -5,
            c = 3,
            d = true,
            e = X,
            f = [A, B,],
            g = ::a::b,
            h = [a::b, "c", 1],
            crate = gr,
            quiet,
        ))
        .unwrap();
        let kinds: Vec<_> = args
            .iter()
            .map(|a| (a.key.to_string(), a.value.kind()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a".into(), "a string"),
                ("b".into(), "an integer"),
                ("c".into(), "an integer"),
                ("d".into(), "a boolean"),
                ("e".into(), "a name"),
                ("f".into(), "a list"),
                ("g".into(), "a path"),
                ("h".into(), "a list"),
                ("crate".into(), "a name"),
                ("quiet".into(), "no value"),
            ]
        );
    }

    #[test]
    fn empty_arguments_are_no_arguments() {
        assert!(parse(TokenStream::new()).unwrap().is_empty());
    }

    #[test]
    fn list_items_keep_their_own_kind() {
        let args = parse(quote!(after = [db::close, flush, "x"])).unwrap();
        let Value::List(_, items) = &args[0].value else {
            panic!("not a list");
        };
        let kinds: Vec<_> = items.iter().map(Value::kind).collect();
        assert_eq!(kinds, ["a path", "a name", "a string"]);
    }

    #[test]
    fn a_missing_equals_sign_is_named() {
        let error = parse(quote!(after db::close)).err().unwrap();
        assert!(
            error
                .to_string()
                .starts_with("expected `=` between `after` and its value"),
            "{error}"
        );
    }

    #[test]
    fn a_float_is_not_a_value() {
        let error = parse(quote!(timeout = 1.5)).err().unwrap();
        assert!(error.to_string().starts_with("expected a value"), "{error}");
    }
}
