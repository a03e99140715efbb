//! The settings that place a `#[graceful::on_shutdown]` hook among the others: `after = path`
//! or `after = [a, b]`, the same for `before`, and the bare flag `final`.
//!
//! Only what can be seen in one attribute is checked here: the shape of each list, a path
//! named twice, a path in both lists, and the hook naming itself (`self`, its own name,
//! `self::` its own name). Whether a path names a hook at all is the compiler's to say: the
//! expansion names `<path as Hook>::HOOK`, so a typo, a plain function or a type that is no
//! hook is an error on the path as written. A cycle through other hooks is the runtime's to
//! report, at start-up.

use quote::ToTokens;
use syn::{Ident, Path, ext::IdentExt};

use crate::{args::Value, config::expected, errors::Errors};

/// `after`, `before` and `final`, as given.
#[derive(Default)]
pub(crate) struct Graph {
    /// `after = [..]`: the hooks this one runs after, each once.
    pub(crate) after: Vec<Path>,
    /// `before = [..]`.
    pub(crate) before: Vec<Path>,
    /// `final` (or `final = true`).
    pub(crate) last: bool,
}

impl Graph {
    /// The rule between the two lists: no hook in both.
    ///
    /// # Errors
    /// A path of `before` that `after` names too, spanned on it in `before`.
    pub(crate) fn check_rules(&self) -> syn::Result<()> {
        let mut errors = Errors::default();
        for path in &self.before {
            if self.after.iter().any(|a| text(a) == text(path)) {
                errors.push(syn::Error::new_spanned(
                    path,
                    format!(
                        "`{}` is named in both `after` and `before`: a hook cannot be both",
                        text(path)
                    ),
                ));
            }
        }
        errors.finish()
    }

    /// A hook that names itself, by its own name or as `self::` its name.
    ///
    /// # Errors
    /// Each such path, spanned on it.
    pub(crate) fn not_itself(&self, own: &Ident) -> syn::Result<()> {
        let own = own.unraw();
        let is_own = |path: &Path| {
            let segments: Vec<_> = path.segments.iter().map(|s| s.ident.unraw()).collect();
            path.leading_colon.is_none()
                && match segments.as_slice() {
                    [name] => *name == own,
                    [first, name] => first == "self" && *name == own,
                    _ => false,
                }
        };
        let mut errors = Errors::default();
        for (key, paths) in [("after", &self.after), ("before", &self.before)] {
            for path in paths.iter().filter(|p| is_own(p)) {
                errors.push(itself(key, path));
            }
        }
        errors.finish()
    }
}

/// The value of `after` or `before`: one path, or a list of at least one, none twice.
///
/// # Errors
/// An empty list, an item that is not a path, `self`, a path listed twice: every one found.
pub(crate) fn hooks(key: &Ident, value: Value) -> syn::Result<Vec<Path>> {
    let items: Vec<Value> = match value {
        Value::List(bracket, items) if items.is_empty() => {
            return Err(syn::Error::new(
                bracket.span.join(),
                format!(
                    "`{key} = []` names no hook: name at least one, as in \
                     {key} = [db::close_pool], or leave `{key}` out"
                ),
            ));
        }
        Value::List(_, items) => items.into_iter().collect(),
        Value::Flag => {
            return Err(expected(
                key,
                &Value::Flag,
                "a hook's path such as db::close_pool, or a list of them",
            ));
        }
        one => vec![one],
    };
    let mut errors = Errors::default();
    let mut kept: Vec<Path> = Vec::with_capacity(items.len());
    for item in items {
        let Some(path) = errors.take(one_path(key, item)) else {
            continue;
        };
        if kept.iter().any(|k| text(k) == text(&path)) {
            errors.push(syn::Error::new_spanned(
                &path,
                format!("`{}` is named twice in `{key}`: keep only one", text(&path)),
            ));
        } else {
            kept.push(path);
        }
    }
    errors.finish()?;
    Ok(kept)
}

fn one_path(key: &Ident, value: Value) -> syn::Result<Path> {
    match value {
        Value::Ident(ident) if ident == "self" => Err(itself(&key.to_string(), &ident)),
        Value::Ident(ident) => Ok(Path::from(ident)),
        Value::Path(path) => Ok(path),
        Value::Str(lit) => Err(syn::Error::new(
            lit.span(),
            format!(
                "`{key}` names a hook by its path, without quotes: write {}",
                lit.value()
            ),
        )),
        other => Err(syn::Error::new_spanned(
            &other,
            format!(
                "`{key}` names hooks by their paths, such as db::close_pool, not {}",
                other.kind()
            ),
        )),
    }
}

/// Spanned on the whole path (`new_spanned` reaches its last token on stable too).
fn itself(key: &str, path: &dyn ToTokens) -> syn::Error {
    syn::Error::new_spanned(path, format!("a hook cannot run {key} itself"))
}

/// The path as written, without the spaces tokens print with: `db::close_pool`.
fn text(path: &Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use quote::quote;

    fn graph(tokens: proc_macro2::TokenStream) -> syn::Result<Graph> {
        let mut graph = Graph::default();
        for arg in args::parse(tokens).unwrap() {
            let paths = hooks(&arg.key, arg.value)?;
            match arg.key.to_string().as_str() {
                "after" => graph.after = paths,
                _ => graph.before = paths,
            }
        }
        graph.check_rules().map(|()| graph)
    }

    fn error(tokens: proc_macro2::TokenStream) -> String {
        graph(tokens).err().unwrap().to_string()
    }

    #[test]
    fn one_path_or_a_list_of_paths_is_read() {
        let graph = graph(quote!(
            after = db::close_pool,
            before = [flush, crate::x::y, super::f, ::other::hooks::flush]
        ))
        .unwrap();
        let texts = |paths: &[Path]| paths.iter().map(text).collect::<Vec<_>>();
        assert_eq!(texts(&graph.after), ["db::close_pool"]);
        assert_eq!(
            texts(&graph.before),
            ["flush", "crate::x::y", "super::f", "::other::hooks::flush"]
        );
    }

    #[test]
    fn a_hook_cannot_name_itself() {
        assert_eq!(
            error(quote!(after = self)),
            "a hook cannot run after itself"
        );
        assert_eq!(
            error(quote!(before = [a, self])),
            "a hook cannot run before itself"
        );
        let graph = graph(quote!(
            after = [r#flush, other::flush],
            before = self::flush
        ))
        .unwrap();
        let own = Ident::new("flush", proc_macro2::Span::call_site());
        let errors: Vec<_> = graph
            .not_itself(&own)
            .err()
            .unwrap()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            errors,
            [
                "a hook cannot run after itself",
                "a hook cannot run before itself"
            ]
        );
    }

    #[test]
    fn a_path_named_twice_is_an_error() {
        assert_eq!(
            error(quote!(after = [db::close, flush, db::close])),
            "`db::close` is named twice in `after`: keep only one"
        );
        assert_eq!(
            error(quote!(after = [a, db::close], before = db::close)),
            "`db::close` is named in both `after` and `before`: a hook cannot be both"
        );
    }

    #[test]
    fn a_bad_list_says_what_to_write() {
        assert!(error(quote!(after = [])).starts_with("`after = []` names no hook"));
        assert_eq!(
            error(quote!(after = ["db::close"])),
            "`after` names a hook by its path, without quotes: write db::close"
        );
        assert_eq!(
            error(quote!(before = [1])),
            "`before` names hooks by their paths, such as db::close_pool, not an integer"
        );
        assert!(error(quote!(after)).starts_with("`after` needs a value"));
        let errors = graph(quote!(after = [1, "x", true])).err().unwrap();
        assert_eq!(errors.into_iter().count(), 3);
    }
}
