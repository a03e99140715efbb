//! Percentiles and the way numbers are shown.

/// The percentiles reported for a distribution of durations (ns).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Summary {
    pub(crate) n: usize,
    pub(crate) p50: f64,
    pub(crate) p90: f64,
    pub(crate) p99: f64,
}

/// The `p`-th percentile (0..=100) of sorted values, by linear interpolation between ranks.
pub(crate) fn percentile(sorted: &[u64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0] as f64,
        n => {
            let rank = p / 100.0 * (n - 1) as f64;
            let lo = rank.floor() as usize;
            let hi = rank.ceil() as usize;
            let frac = rank - lo as f64;
            sorted[lo] as f64 + (sorted[hi] as f64 - sorted[lo] as f64) * frac
        }
    }
}

/// Summarise `values` (sorting them in place).
pub(crate) fn summary(values: &mut [u64]) -> Summary {
    values.sort_unstable();
    Summary {
        n: values.len(),
        p50: percentile(values, 50.0),
        p90: percentile(values, 90.0),
        p99: percentile(values, 99.0),
    }
}

/// The median of floats.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Nanoseconds as microseconds, one decimal.
pub(crate) fn us(ns: f64) -> String {
    if ns.is_nan() {
        "–".into()
    } else {
        format!("{:.1}", ns / 1_000.0)
    }
}

/// Nanoseconds as milliseconds, two decimals.
pub(crate) fn ms(ns: f64) -> String {
    if ns.is_nan() {
        "–".into()
    } else {
        format!("{:.2}", ns / 1_000_000.0)
    }
}

/// `a / b` as `1.23×`.
pub(crate) fn ratio(a: f64, b: f64) -> String {
    if a.is_nan() || b.is_nan() || b == 0.0 {
        "–".into()
    } else {
        format!("{:.2}×", a / b)
    }
}

/// "met" or "not met" for a target, with nothing asserted.
pub(crate) fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let v = [10, 20, 30, 40, 50];
        assert_eq!(percentile(&v, 50.0), 30.0);
        assert_eq!(percentile(&v, 0.0), 10.0);
        assert_eq!(percentile(&v, 100.0), 50.0);
        assert_eq!(percentile(&v, 90.0), 46.0);
        assert_eq!(median(&mut [3.0, 1.0, 2.0, 4.0]), 2.5);
    }
}
