//! Durations as people write them in attributes and environment variables: `250ms`, `5s`, `2m`.

use std::{fmt, time::Duration};

/// Why a duration string was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DurationError {
    /// It does not start with a whole number.
    NoNumber,
    /// The number has no unit after it.
    NoUnit,
    /// The unit is not `ms`, `s`, `m` or `h`.
    UnknownUnit,
    /// It is zero: a zero budget would cut everything short.
    Zero,
    /// It does not fit in 64-bit milliseconds.
    TooLarge,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DurationError::NoNumber => "a duration starts with a whole number",
            DurationError::NoUnit => "the number needs a unit: ms, s, m or h",
            DurationError::UnknownUnit => "the unit must be ms, s, m or h",
            DurationError::Zero => "the duration must be more than zero",
            DurationError::TooLarge => "the duration is too large",
        })?;
        f.write_str(" (write it like 250ms, 5s or 2m)")
    }
}

impl std::error::Error for DurationError {}

/// Parse `<whole number><unit>` with unit `ms`, `s`, `m` or `h`; no spaces, more than zero.
pub(crate) fn parse(s: &str) -> Result<Duration, DurationError> {
    match parse_allowing_zero(s)? {
        Duration::ZERO => Err(DurationError::Zero),
        d => Ok(d),
    }
}

/// [`parse`], where zero means "none" (a drain of `0s` is no drain).
pub(crate) fn parse_allowing_zero(s: &str) -> Result<Duration, DurationError> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = s.split_at(digits);
    if number.is_empty() {
        return Err(DurationError::NoNumber);
    }
    let ms_per_unit = match unit {
        "" => return Err(DurationError::NoUnit),
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(DurationError::UnknownUnit),
    };
    let n: u64 = number.parse().map_err(|_| DurationError::TooLarge)?;
    let ms = n.checked_mul(ms_per_unit).ok_or(DurationError::TooLarge)?;
    Ok(Duration::from_millis(ms))
}

/// Format a duration the way `parse` reads it, for the report.
pub(crate) fn show(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 60_000 == 0 && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms % 1_000 == 0 && ms > 0 {
        format!("{}s", ms / 1_000)
    } else if ms > 0 {
        format!("{ms}ms")
    } else {
        format!("{}us", d.as_micros())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_forms() {
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn refuses_what_people_get_wrong() {
        assert_eq!(parse(""), Err(DurationError::NoNumber));
        assert_eq!(parse("s"), Err(DurationError::NoNumber));
        assert_eq!(parse("5"), Err(DurationError::NoUnit));
        assert_eq!(parse("5 parsecs"), Err(DurationError::UnknownUnit));
        assert_eq!(parse("5 s"), Err(DurationError::UnknownUnit));
        assert_eq!(parse("1.5s"), Err(DurationError::UnknownUnit));
        assert_eq!(parse("0s"), Err(DurationError::Zero));
        assert_eq!(parse_allowing_zero("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_allowing_zero("0ms"), Ok(Duration::ZERO));
        assert_eq!(parse_allowing_zero("5"), Err(DurationError::NoUnit));
        assert_eq!(parse("99999999999999999999s"), Err(DurationError::TooLarge));
        assert_eq!(parse("18446744073709551615h"), Err(DurationError::TooLarge));
    }

    #[test]
    fn shows_round_trip() {
        for s in ["250ms", "5s", "2m"] {
            assert_eq!(show(parse(s).unwrap()), s);
        }
    }
}
