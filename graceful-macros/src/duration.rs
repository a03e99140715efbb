//! Durations as attributes spell them: `"250ms"`, `"5s"`, `"2m"`, `"1h"`.
//!
//! The grammar is `<whole number><unit>` with no space, the unit one of `ms`, `s`, `m`, `h`,
//! and the result at most `u64::MAX` milliseconds. It matches what the
//! runtime accepts in `GRACEFUL_TIMEOUT`, so one spelling works everywhere.

use syn::LitStr;

/// How every duration error ends: the fix, shown by example.
const EXAMPLES: &str = "write it like 250ms, 5s or 2m";

/// Whether a duration may be zero: a budget may not (it would cut everything short); a drain
/// may, and then means none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Zero {
    Refused,
    MeansNone,
}

/// Parses a duration literal into milliseconds.
///
/// # Errors
/// The literal is not a valid duration; the error is spanned on it and says why.
pub(crate) fn parse(lit: &LitStr, zero: Zero) -> syn::Result<u64> {
    let text = lit.value();
    parse_str(&text)
        .and_then(|ms| match (ms, zero) {
            (0, Zero::Refused) => Err(format!("it must be more than zero ({EXAMPLES})")),
            _ => Ok(ms),
        })
        .map_err(|why| syn::Error::new(lit.span(), format!("invalid duration {text:?}: {why}")))
}

/// The grammar itself, apart from spans so it can be unit-tested; the error says what is wrong.
fn parse_str(text: &str) -> Result<u64, String> {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, rest) = text.split_at(digits_end);
    let unit = rest.trim();
    let factor = match unit {
        "ms" => Some(1),
        "s" => Some(1_000),
        "m" => Some(60_000),
        "h" => Some(3_600_000),
        _ => None,
    };
    if text.is_empty() {
        return Err(format!("it is empty ({EXAMPLES})"));
    }
    if digits.is_empty() {
        return Err(format!("it must start with a whole number ({EXAMPLES})"));
    }
    if unit.starts_with('.') {
        return Err(format!(
            "it must be a whole number: use a smaller unit instead of a fraction, \
             like 1500ms for 1.5s ({EXAMPLES})"
        ));
    }
    let Some(factor) = factor else {
        return Err(if unit.is_empty() {
            format!("it needs a unit, ms, s, m or h (write it like {digits}s)")
        } else {
            format!("the unit must be ms, s, m or h ({EXAMPLES})")
        });
    };
    if unit.len() != rest.len() {
        return Err(format!("remove the spaces: write it like {digits}{unit}"));
    }
    // Digits only, so the parse fails only on overflow, as the multiplication may.
    let millis = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| "it is too long to count in milliseconds".to_owned())?;
    Ok(millis)
}

#[cfg(test)]
mod tests {
    use super::{Zero, parse, parse_str};

    #[test]
    fn every_unit_converts_to_milliseconds() {
        assert_eq!(parse_str("250ms"), Ok(250));
        assert_eq!(parse_str("5s"), Ok(5_000));
        assert_eq!(parse_str("2m"), Ok(120_000));
        assert_eq!(parse_str("1h"), Ok(3_600_000));
        assert_eq!(parse_str("007s"), Ok(7_000));
    }

    #[test]
    fn an_unknown_unit_lists_the_valid_ones() {
        assert_eq!(
            parse_str("5 parsecs").unwrap_err(),
            "the unit must be ms, s, m or h (write it like 250ms, 5s or 2m)"
        );
        assert!(parse_str("5S").unwrap_err().starts_with("the unit must be"));
        assert!(
            parse_str("5sec")
                .unwrap_err()
                .starts_with("the unit must be")
        );
    }

    #[test]
    fn a_missing_unit_suggests_seconds() {
        assert_eq!(
            parse_str("30").unwrap_err(),
            "it needs a unit, ms, s, m or h (write it like 30s)"
        );
    }

    #[test]
    fn a_space_before_the_unit_is_rejected() {
        assert_eq!(
            parse_str("5 s").unwrap_err(),
            "remove the spaces: write it like 5s"
        );
    }

    #[test]
    fn fractions_negatives_and_zero_are_rejected() {
        assert!(parse_str("1.5s").unwrap_err().contains("1500ms"));
        assert!(
            parse_str("-5s")
                .unwrap_err()
                .starts_with("it must start with a whole number")
        );
        assert!(
            parse_str(" 5s")
                .unwrap_err()
                .starts_with("it must start with a whole number")
        );
        let zero = syn::LitStr::new("0ms", proc_macro2::Span::call_site());
        let refused = parse(&zero, Zero::Refused).unwrap_err().to_string();
        assert!(refused.contains("it must be more than zero"), "{refused}");
        assert_eq!(parse(&zero, Zero::MeansNone).unwrap(), 0);
        assert!(parse_str("").unwrap_err().starts_with("it is empty"));
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert_eq!(parse_str("18446744073709551615ms"), Ok(u64::MAX));
        assert!(
            parse_str("18446744073709551616ms")
                .unwrap_err()
                .contains("too long")
        );
        assert!(
            parse_str("18446744073709551615s")
                .unwrap_err()
                .contains("too long")
        );
    }
}
