//! A hand-written SVG chart of latency distributions (no plotting crate: this one is built in
//! CI, and compile time matters). Each series is drawn as its empirical cumulative distribution
//! on a logarithmic time axis: the curve's height at x is the share of samples at or below x,
//! so the median is where it crosses 50 %, and a curve further left is faster.

use std::fmt::Write as _;

use super::stats;

/// One distribution to draw: sorted samples in ns.
pub(crate) struct Series<'a> {
    pub(crate) label: &'a str,
    pub(crate) color: &'a str,
    pub(crate) sorted_ns: &'a [u64],
}

const W: f64 = 960.0;
const H: f64 = 540.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 330.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 60.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "")
}

/// The chart, as an SVG document. The x axis spans from the fastest sample to the slowest p99
/// (rounded out to 1-2-5 steps); slower samples are drawn at the right edge.
pub(crate) fn ecdf(title: &str, subtitle: &str, series: &[Series<'_>]) -> String {
    let drawn: Vec<&Series<'_>> = series.iter().filter(|s| !s.sorted_ns.is_empty()).collect();
    let lo_ns = drawn
        .iter()
        .map(|s| s.sorted_ns[0])
        .min()
        .unwrap_or(1_000)
        .max(1) as f64;
    let hi_ns = drawn
        .iter()
        .map(|s| stats::percentile(s.sorted_ns, 99.0))
        .fold(lo_ns * 2.0, f64::max);
    let lo = step_down(lo_ns / 1_000.0);
    let hi = step_up(hi_ns / 1_000.0);
    let (plot_w, plot_h) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let x = |us: f64| LEFT + (us.max(lo).min(hi) / lo).log10() / (hi / lo).log10() * plot_w;
    let y = |share: f64| TOP + (1.0 - share) * plot_h;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="22" font-size="16" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let _ = writeln!(
        svg,
        r##"<text x="{LEFT}" y="40" fill="#555">{}</text>"##,
        esc(subtitle)
    );
    // Grid: shares every 10 %, times at 1-2-5 steps.
    for i in 0..=10 {
        let share = i as f64 / 10.0;
        let yy = y(share);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="{}" stroke-width="1"/>"##,
            LEFT + plot_w,
            if i == 5 { "#999" } else { "#e5e5e5" }
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}%</text>"#,
            LEFT - 6.0,
            yy + 4.0,
            i * 10
        );
    }
    for us in ticks(lo, hi) {
        let xx = x(us);
        let _ = writeln!(
            svg,
            r##"<line x1="{xx:.1}" y1="{TOP}" x2="{xx:.1}" y2="{:.1}" stroke="#e5e5e5" stroke-width="1"/>"##,
            TOP + plot_h
        );
        let _ = writeln!(
            svg,
            r#"<text x="{xx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            TOP + plot_h + 16.0,
            fmt_tick(us)
        );
    }
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w:.1}" height="{plot_h:.1}" fill="none" stroke="#333"/>"##
    );
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">microseconds (log scale)</text>"#,
        LEFT + plot_w / 2.0,
        H - 18.0
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(18 {:.1}) rotate(-90)" text-anchor="middle">share of samples at or below</text>"#,
        TOP + plot_h / 2.0
    );
    // The curves: a step up at each sample.
    for s in &drawn {
        let n = s.sorted_ns.len() as f64;
        let mut points = String::new();
        let _ = write!(
            points,
            "{:.1},{:.1}",
            x(s.sorted_ns[0] as f64 / 1_000.0),
            y(0.0)
        );
        for (i, &v) in s.sorted_ns.iter().enumerate() {
            let xx = x(v as f64 / 1_000.0);
            let _ = write!(
                points,
                " {xx:.1},{:.1} {xx:.1},{:.1}",
                y(i as f64 / n),
                y((i + 1) as f64 / n)
            );
        }
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round" points="{points}"/>"#,
            s.color
        );
    }
    // Legend with each median.
    let lx = LEFT + plot_w + 20.0;
    let _ = writeln!(
        svg,
        r#"<text x="{lx:.1}" y="{:.1}" font-weight="bold">median (p50), p99</text>"#,
        TOP + 4.0
    );
    for (i, s) in drawn.iter().enumerate() {
        let ly = TOP + 28.0 + i as f64 * 36.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{}" stroke-width="3"/>"#,
            lx + 22.0,
            s.color
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            lx + 28.0,
            ly + 4.0,
            esc(s.label),
        );
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" fill="#555">{} µs, {} µs</text>"##,
            lx + 28.0,
            ly + 19.0,
            stats::us(stats::percentile(s.sorted_ns, 50.0)),
            stats::us(stats::percentile(s.sorted_ns, 99.0)),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The largest 1-2-5 step at or below `v`.
fn step_down(v: f64) -> f64 {
    let p = 10f64.powf(v.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s <= v)
        .unwrap_or(p)
}

/// The smallest 1-2-5 step at or above `v`.
fn step_up(v: f64) -> f64 {
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= v)
        .unwrap_or(10.0 * p)
}

/// 1-2-5 ticks from `lo` to `hi`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut p = 10f64.powf(lo.log10().floor());
    while p <= hi * 1.0001 {
        for m in [1.0, 2.0, 5.0] {
            let t = m * p;
            if t >= lo * 0.9999 && t <= hi * 1.0001 {
                out.push(t);
            }
        }
        p *= 10.0;
    }
    out
}

fn fmt_tick(us: f64) -> String {
    if us >= 1_000.0 {
        format!("{} ms", us / 1_000.0)
    } else if us >= 1.0 {
        format!("{us}")
    } else {
        format!("{us:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_rounds_out_to_one_two_five() {
        assert_eq!(step_down(7.3), 5.0);
        assert_eq!(step_down(1.0), 1.0);
        assert_eq!(step_up(7.3), 10.0);
        assert_eq!(step_up(130.0), 200.0);
        assert_eq!(ticks(5.0, 200.0), vec![5.0, 10.0, 20.0, 50.0, 100.0, 200.0]);
    }

    #[test]
    fn chart_is_one_svg_document_with_a_curve_per_series() {
        let a = [1_000, 2_000, 3_000];
        let b = [5_000, 8_000];
        let svg = ecdf(
            "t",
            "s",
            &[
                Series {
                    label: "a",
                    color: "red",
                    sorted_ns: &a,
                },
                Series {
                    label: "b <x>",
                    color: "blue",
                    sorted_ns: &b,
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("b &lt;x&gt;"));
    }
}
