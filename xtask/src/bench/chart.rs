//! The chart: one horizontal bar per erldrv/C pair, and one per typed command row (the
//! generated client over erldrv's hand-written call, named `... (cmd/ref)`), written as
//! plain SVG.
//!
//! Each bar starts at 1.0 (as fast as C) and ends at the case's ratio, so that a bar to
//! the right is erldrv being slower and one to the left faster; a whisker spans the
//! fastest to the slowest round's own ratio. Vertical lines mark 1.0 and the target.
//! A bar is green when its case meets its own target (the async round trip's is 1.00, see
//! [`report::case_target`]), red when not.
//! The context rows are left out: they have no erldrv side, and their ratios (a NIF far
//! below 1, a port program far above) would squash the scale; so is the throughput test,
//! whose ratios (rates, higher is better) are another scale.

use std::fmt::Write as _;

use super::report;
use super::results::{Kind, Run};
use super::{MAX_ASYNC_RATIO, MAX_COMMAND_RATIO, MAX_RATIO};

const WIDTH: f64 = 820.0;
/// The case names, right-aligned against the plot.
const LABEL_RIGHT: f64 = 250.0;
const PLOT_LEFT: f64 = 260.0;
const PLOT_RIGHT: f64 = 720.0;
/// The ratios, in a column right of the plot.
const VALUE_LEFT: f64 = 732.0;
const TOP: f64 = 96.0;
const ROW: f64 = 26.0;
const BAR: f64 = 14.0;
const BOTTOM: f64 = 70.0;

const WITHIN_TARGET: &str = "#3b7d3b";
const OVER_TARGET: &str = "#c0392b";

/// The SVG text. `machine` names where the numbers come from; `rounds` is how many rounds
/// each ratio is the median of.
pub fn svg(run: &Run, machine: &str, rounds: u32) -> String {
    let bars: Vec<Bar> = run
        .cases
        .iter()
        .filter(|case| matches!(case.kind, Kind::Pair | Kind::Versus))
        .map(|case| {
            let spread = case.ratio_summary();
            Bar {
                name: match case.kind {
                    Kind::Versus => format!("{} (cmd/ref)", case.name),
                    _ => case.name.clone(),
                },
                ratio: case.ratio(),
                meets: report::meets_target(case, &run.idle) == Some(true),
                min: spread.min,
                max: spread.max,
            }
        })
        .collect();
    let scale = Scale::fit(&bars);
    let height = TOP + ROW * bars.len() as f64 + BOTTOM;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(
        out,
        "<rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    text(
        &mut out,
        (12.0, 22.0),
        "start",
        "font-size=\"15\" font-weight=\"bold\"",
        "erldrv time / hand-written C time, per case (lower is better)",
    );
    text(
        &mut out,
        (12.0, 40.0),
        "start",
        "fill=\"#444444\"",
        &format!(
            "Median of {rounds} rounds' own ratios; whiskers: the lowest to the highest round. \
             Targets: {MAX_RATIO:.2}; async pairs {MAX_ASYNC_RATIO:.2}; \
             commands (cmd/ref) {MAX_COMMAND_RATIO:.2}."
        ),
    );
    text(&mut out, (12.0, 57.0), "start", "fill=\"#444444\"", machine);

    // The grid and its labels, under the bars.
    let plot_bottom = TOP + ROW * bars.len() as f64;
    for tick in scale.ticks() {
        let x = scale.x(tick);
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{plot_bottom:.1}\" \
             stroke=\"#e4e4e4\"/>",
            TOP - 6.0
        );
        text(
            &mut out,
            (x, plot_bottom + 16.0),
            "middle",
            "fill=\"#444444\"",
            &format!("{tick:.2}"),
        );
    }

    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let middle = y + ROW / 2.0;
        text(&mut out, (LABEL_RIGHT, middle + 4.0), "end", "", &bar.name);
        if !bar.ratio.is_finite() {
            text(
                &mut out,
                (VALUE_LEFT, middle + 4.0),
                "start",
                "",
                "no ratio",
            );
            continue;
        }
        let (from, to) = (scale.x(1.0), scale.x(bar.ratio));
        let color = if bar.meets {
            WITHIN_TARGET
        } else {
            OVER_TARGET
        };
        let _ = writeln!(
            out,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{BAR}\" \
             fill=\"{color}\" fill-opacity=\"0.8\"/>",
            from.min(to),
            middle - BAR / 2.0,
            (to - from).abs().max(1.0)
        );
        if bar.min.is_finite() && bar.max.is_finite() {
            let (lo, hi) = (scale.x(bar.min), scale.x(bar.max));
            let _ = writeln!(
                out,
                "<path class=\"whisker\" d=\"M{lo:.1} {middle:.1}H{hi:.1}M{lo:.1} {:.1}V{:.1}\
                 M{hi:.1} {:.1}V{:.1}\" stroke=\"#222222\" fill=\"none\"/>",
                middle - 4.0,
                middle + 4.0,
                middle - 4.0,
                middle + 4.0
            );
        }
        text(
            &mut out,
            (VALUE_LEFT, middle + 4.0),
            "start",
            &format!("fill=\"{color}\""),
            &format!("{:.2}", bar.ratio),
        );
    }

    // The reference lines, over the bars.
    for (value, dash, label) in [
        (1.0, "", "1.00 = C".to_owned()),
        (
            MAX_RATIO,
            " stroke-dasharray=\"5 3\"",
            format!("{MAX_RATIO:.2} target"),
        ),
    ] {
        let x = scale.x(value);
        let _ = writeln!(
            out,
            "<line class=\"reference\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" \
             y2=\"{plot_bottom:.1}\" stroke=\"#000000\"{dash}/>",
            TOP - 12.0
        );
        let anchor = if value == 1.0 { "end" } else { "start" };
        let nudge = if value == 1.0 { -3.0 } else { 3.0 };
        text(&mut out, (x + nudge, TOP - 14.0), anchor, "", &label);
    }
    text(
        &mut out,
        (12.0, height - 14.0),
        "start",
        "fill=\"#444444\"",
        "Context rows (NIFs, a port program, a gen_server) and the throughput test are in the \
         table only.",
    );
    out.push_str("</svg>\n");
    out
}

struct Bar {
    name: String,
    ratio: f64,
    meets: bool,
    min: f64,
    max: f64,
}

/// Ratios to x coordinates: at least 0.90 to 1.10, widened to every finite ratio and
/// whisker, in steps of 0.05.
struct Scale {
    lo: f64,
    hi: f64,
}

impl Scale {
    const STEP: f64 = 0.05;

    fn fit(bars: &[Bar]) -> Scale {
        let values = bars
            .iter()
            .flat_map(|b| [b.ratio, b.min, b.max])
            .filter(|v| v.is_finite());
        let (lo, hi) = values.fold((0.9_f64, 1.1_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        // Slightly inside the steps, so that a value on a step does not widen the scale.
        Scale {
            lo: (((lo - 0.01) / Self::STEP).floor() * Self::STEP).max(0.0),
            hi: ((hi + 0.01) / Self::STEP).ceil() * Self::STEP,
        }
    }

    fn x(&self, ratio: f64) -> f64 {
        PLOT_LEFT + (ratio - self.lo) / (self.hi - self.lo) * (PLOT_RIGHT - PLOT_LEFT)
    }

    /// Tick values: every step, or a multiple of it when that would be too many.
    fn ticks(&self) -> Vec<f64> {
        let steps = ((self.hi - self.lo) / Self::STEP).round() as u64;
        let every = steps.div_ceil(10).max(1);
        (0..=steps)
            .filter(|i| i % every == 0)
            .map(|i| self.lo + i as f64 * Self::STEP)
            .collect()
    }
}

/// Appends a `<text>` element; `attributes` go in as they are, `content` is escaped.
fn text(out: &mut String, (x, y): (f64, f64), anchor: &str, attributes: &str, content: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" {attributes}>{}</text>",
        escape(content)
    );
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::report::tests::run;
    use super::*;

    #[test]
    fn one_bar_per_pair_and_the_reference_lines() {
        let svg = svg(&run(), "Some <CPU> & co", 9);
        assert!(
            svg.starts_with("<svg ") && svg.ends_with("</svg>\n"),
            "{svg}"
        );
        // `small` has a ratio; `big` has none (C took no time): no bar, but its name.
        // `roundtrip`, the async pair, has one too, green: 0.95 meets its 1.00.
        assert_eq!(svg.matches("class=\"bar\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("class=\"whisker\"").count(), 2, "{svg}");
        assert!(
            svg.contains(&format!("fill=\"{WITHIN_TARGET}\">0.95</text>")),
            "{svg}"
        );
        assert!(svg.contains(">small</text>") && svg.contains(">big</text>"));
        assert!(svg.contains(">no ratio</text>"), "{svg}");
        // The context rows are not drawn.
        assert!(
            !svg.contains(">nif</text>") && !svg.contains(">server</text>"),
            "{svg}"
        );
        assert_eq!(svg.matches("class=\"reference\"").count(), 2, "{svg}");
        assert!(svg.contains(">1.00 = C</text>") && svg.contains(">1.02 target</text>"));
        // `small` is 1.05: over the target.
        assert!(
            svg.contains(&format!("fill=\"{OVER_TARGET}\">1.05</text>")),
            "{svg}"
        );
        assert!(svg.contains("Some &lt;CPU&gt; &amp; co"), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn typed_command_rows_are_drawn_against_their_reference() {
        let mut run = run();
        run.cases.push(super::super::report::tests::versus());
        let svg = svg(&run, "m", 3);
        assert_eq!(svg.matches("class=\"bar\"").count(), 3, "{svg}");
        assert!(
            svg.contains(">command_add_vs_call_typed (cmd/ref)</text>"),
            "{svg}"
        );
        assert!(
            svg.contains(&format!("fill=\"{WITHIN_TARGET}\">1.02</text>")),
            "{svg}"
        );
        assert!(svg.contains("commands (cmd/ref) 1.03"), "{svg}");
    }

    #[test]
    fn every_opened_element_is_closed() {
        let svg = svg(&run(), "m", 3);
        for element in ["svg", "text"] {
            let opened = svg.matches(&format!("<{element} ")).count();
            let closed = svg.matches(&format!("</{element}>")).count();
            assert_eq!(opened, closed, "<{element}> in {svg}");
        }
        for element in ["rect", "line", "path"] {
            let opened = svg.matches(&format!("<{element} ")).count();
            let empty = svg
                .lines()
                .filter(|l| l.starts_with(&format!("<{element} ")) && l.ends_with("/>"))
                .count();
            assert_eq!(opened, empty, "<{element}> in {svg}");
        }
    }

    #[test]
    fn the_scale_holds_every_ratio_and_the_target() {
        let bar = |ratio: f64, min: f64, max: f64| Bar {
            name: "b".to_owned(),
            ratio,
            meets: true,
            min,
            max,
        };
        let scale = Scale::fit(&[bar(1.0, 0.99, 1.01)]);
        assert!((scale.lo - 0.85).abs() < 1e-9 && (scale.hi - 1.15).abs() < 1e-9);
        let scale = Scale::fit(&[bar(1.3, 1.2, 1.62), bar(f64::INFINITY, 0.5, f64::NAN)]);
        assert!(
            scale.lo <= 0.5 && scale.hi >= 1.62,
            "{} {}",
            scale.lo,
            scale.hi
        );
        for v in [0.5, 1.0, MAX_RATIO, 1.62] {
            let x = scale.x(v);
            assert!((PLOT_LEFT..=PLOT_RIGHT).contains(&x), "{v} at {x}");
        }
        let ticks = scale.ticks();
        assert!(ticks.len() <= 11 && ticks.len() >= 3, "{ticks:?}");
        assert!((ticks[0] - scale.lo).abs() < 1e-9);
    }
}
