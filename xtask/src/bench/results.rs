//! What the Erlang bench module reports, and the statistics drawn from it.
//!
//! The module prints one `erldrv-bench <kind> key=value ...` line per fact: `vm` (the
//! runtime), `plan` (the cases it will run), one `case` line per case with each round's
//! total time per side, one `memory` line per side of the memory test, and `done`. Other
//! lines are ignored.

use std::collections::HashMap;

/// The runtime the bench ran in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vm {
    /// The full OTP version, e.g. `25.2.3`.
    pub otp: String,
    /// The ERTS version.
    pub erts: String,
    /// Schedulers online.
    pub schedulers: u32,
    /// `jit` or `emu`.
    pub emu_flavor: String,
}

/// What a case compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The C driver against the erldrv driver with the same logic.
    Pair,
    /// The C driver's control echo against another way into C code (a NIF, an external
    /// port program), for context; there is no erldrv side.
    Context,
}

impl Kind {
    /// The name used in the bench's output and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pair => "pair",
            Kind::Context => "context",
        }
    }

    /// The label of the side compared with C.
    pub fn other_label(self) -> &'static str {
        match self {
            Kind::Pair => "erldrv",
            Kind::Context => "context",
        }
    }
}

/// Where one side's calls go: the operation, its target, and each round's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// How it is called: `port_control:list`, `port_call`, `port_command`, `nif`, ...
    pub op: String,
    /// The driver, NIF module or port program called.
    pub target: String,
    /// The `port_control`/`port_call` command, for operations that take one.
    pub command: Option<u32>,
    /// Each round's total time, in nanoseconds.
    pub round_ns: Vec<u64>,
}

/// One case: the same calls timed against the C driver and another side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The case's name, e.g. `call_typed`.
    pub name: String,
    /// What `other` is.
    pub kind: Kind,
    /// Calls per side and round.
    pub calls: u64,
    /// The hand-written C driver.
    pub c: Side,
    /// The erldrv driver ([`Kind::Pair`]) or the context's C code ([`Kind::Context`]).
    pub other: Side,
}

/// One side of the memory test: many control calls, and the VM's memory around them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemorySide {
    /// How it was called.
    pub op: String,
    /// The driver called.
    pub target: String,
    /// The payload of each call, in bytes.
    pub bytes: u64,
    /// How many calls.
    pub calls: u64,
    /// How long they took, in nanoseconds.
    pub ns: u64,
    /// `erlang:memory(total)` before the calls, in bytes.
    pub total_before: u64,
    /// `erlang:memory(total)` after the calls and a garbage collection of the caller.
    pub total_after: u64,
    /// The VM's resident set size before, in bytes; `None` where the OS does not say.
    pub rss_before: Option<u64>,
    /// The resident set size after.
    pub rss_after: Option<u64>,
}

impl MemorySide {
    /// How much `erlang:memory(total)` grew, in bytes (negative when it shrank).
    pub fn total_growth(&self) -> i64 {
        growth(self.total_before, self.total_after)
    }

    /// How much the resident set grew, in bytes, where known.
    pub fn rss_growth(&self) -> Option<i64> {
        Some(growth(self.rss_before?, self.rss_after?))
    }

    /// Nanoseconds per call.
    pub fn ns_per_call(&self) -> f64 {
        self.ns as f64 / self.calls as f64
    }
}

fn growth(before: u64, after: u64) -> i64 {
    let signed = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    signed(after) - signed(before)
}

/// The memory test: the erldrv driver and the C driver, the same calls on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memory {
    /// The erldrv driver.
    pub erldrv: MemorySide,
    /// The C driver.
    pub c: MemorySide,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The runtime.
    pub vm: Vm,
    /// The cases, in the order they ran.
    pub cases: Vec<Case>,
    /// The memory test.
    pub memory: Memory,
}

/// Median, minimum and maximum of a set of rounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The median round.
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

impl Side {
    /// Each round's time per call.
    pub fn per_call(&self, calls: u64) -> Vec<f64> {
        self.round_ns
            .iter()
            .map(|&ns| ns as f64 / calls as f64)
            .collect()
    }
}

impl Case {
    /// The C side's rounds, in nanoseconds per call.
    pub fn c_summary(&self) -> Summary {
        summarize(&self.c.per_call(self.calls))
    }

    /// The other side's rounds, in nanoseconds per call.
    pub fn other_summary(&self) -> Summary {
        summarize(&self.other.per_call(self.calls))
    }

    /// Each round's own ratio, other side over C.
    pub fn round_ratios(&self) -> Vec<f64> {
        self.other
            .round_ns
            .iter()
            .zip(&self.c.round_ns)
            .map(|(&o, &c)| o as f64 / c as f64)
            .collect()
    }

    /// The spread of [`round_ratios`](Case::round_ratios), with their median.
    pub fn ratio_summary(&self) -> Summary {
        summarize(&self.round_ratios())
    }

    /// How much longer the other side takes than C: the median of the rounds' own ratios.
    /// Each round times both sides back to back, so this cancels drifts in the machine's
    /// speed that last longer than a round (other work on the machine, frequency changes),
    /// which the ratio of the medians does not.
    pub fn ratio(&self) -> f64 {
        median(&self.round_ratios())
    }

    /// The other side's median over C's median.
    pub fn ratio_of_medians(&self) -> f64 {
        self.other_summary().median / self.c_summary().median
    }
}

fn summarize(values: &[f64]) -> Summary {
    Summary {
        median: median(values),
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// The median; the mean of the middle two for an even count; NaN for none.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

const MARK: &str = "erldrv-bench ";

/// Reads the bench module's standard output. Every planned case must have a result with
/// the same number of rounds on both sides, both sides of the memory test must be there,
/// and the run must have finished.
pub fn parse(output: &str) -> Result<Run, String> {
    let mut vm = None;
    let mut plan: Option<Vec<String>> = None;
    let mut cases: Vec<Case> = Vec::new();
    let mut memory_sides: HashMap<String, MemorySide> = HashMap::new();
    let mut done = false;
    for line in output.lines() {
        let Some(rest) = line.strip_prefix(MARK) else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let kind = words.next().unwrap_or("");
        let mut fields = HashMap::new();
        for word in words {
            let (key, value) = word
                .split_once('=')
                .ok_or_else(|| format!("`{word}` is not key=value in: {line}"))?;
            fields.insert(key, value);
        }
        let fields = Fields { line, fields };
        match kind {
            "vm" => {
                vm = Some(Vm {
                    otp: fields.text("otp")?,
                    erts: fields.text("erts")?,
                    schedulers: fields.number("schedulers")?,
                    emu_flavor: fields.text("emu_flavor")?,
                })
            }
            "plan" => plan = Some(fields.list("cases")?),
            "case" => cases.push(fields.case()?),
            "memory" => {
                let side = fields.text("side")?;
                if memory_sides.insert(side, fields.memory()?).is_some() {
                    return Err(format!("a second memory result for the same side: {line}"));
                }
            }
            "done" => done = true,
            _ => return Err(format!("unknown result line: {line}")),
        }
    }
    let vm = vm.ok_or("the bench did not report its VM")?;
    let plan = plan.ok_or("the bench did not report its plan")?;
    if !done {
        return Err("the bench did not finish".into());
    }
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    if names != plan {
        return Err(format!(
            "the bench planned the cases {plan:?} but reported {names:?}"
        ));
    }
    let mut memory_side = |side: &str| {
        memory_sides
            .remove(side)
            .ok_or_else(|| format!("the bench did not report the memory test's `{side}` side"))
    };
    let memory = Memory {
        erldrv: memory_side("erldrv")?,
        c: memory_side("c")?,
    };
    if let Some(side) = memory_sides.keys().next() {
        return Err(format!("a memory result for an unknown side `{side}`"));
    }
    Ok(Run { vm, cases, memory })
}

/// The `key=value` fields of one line.
struct Fields<'a> {
    line: &'a str,
    fields: HashMap<&'a str, &'a str>,
}

impl Fields<'_> {
    fn get(&self, key: &str) -> Result<&str, String> {
        self.fields
            .get(key)
            .copied()
            .ok_or_else(|| format!("no `{key}` in: {}", self.line))
    }

    fn text(&self, key: &str) -> Result<String, String> {
        self.get(key).map(str::to_owned)
    }

    fn number<T: std::str::FromStr>(&self, key: &str) -> Result<T, String> {
        let v = self.get(key)?;
        v.parse()
            .map_err(|_| format!("`{key}={v}` is not a number in: {}", self.line))
    }

    /// A number, or `None` for the word `none_word`.
    fn maybe_number<T: std::str::FromStr>(
        &self,
        key: &str,
        none_word: &str,
    ) -> Result<Option<T>, String> {
        if self.get(key)? == none_word {
            Ok(None)
        } else {
            self.number(key).map(Some)
        }
    }

    fn list(&self, key: &str) -> Result<Vec<String>, String> {
        Ok(self
            .get(key)?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect())
    }

    fn numbers(&self, key: &str) -> Result<Vec<u64>, String> {
        self.list(key)?
            .iter()
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("`{v}` in `{key}` is not a number in: {}", self.line))
            })
            .collect()
    }

    fn side(&self, prefix: &str) -> Result<Side, String> {
        Ok(Side {
            op: self.text(&format!("{prefix}_op"))?,
            target: self.text(&format!("{prefix}_target"))?,
            command: self.maybe_number(&format!("{prefix}_command"), "none")?,
            round_ns: self.numbers(&format!("{prefix}_ns"))?,
        })
    }

    fn case(&self) -> Result<Case, String> {
        let kind = match self.get("kind")? {
            "pair" => Kind::Pair,
            "context" => Kind::Context,
            other => return Err(format!("unknown case kind `{other}` in: {}", self.line)),
        };
        let case = Case {
            name: self.text("name")?,
            kind,
            calls: self.number("calls")?,
            c: self.side("c")?,
            other: self.side(kind.other_label())?,
        };
        if case.calls == 0 || case.c.round_ns.is_empty() {
            return Err(format!("a case without calls or rounds: {}", self.line));
        }
        if case.c.round_ns.len() != case.other.round_ns.len() {
            return Err(format!(
                "the two sides ran different numbers of rounds: {}",
                self.line
            ));
        }
        Ok(case)
    }

    fn memory(&self) -> Result<MemorySide, String> {
        let side = MemorySide {
            op: self.text("op")?,
            target: self.text("target")?,
            bytes: self.number("bytes")?,
            calls: self.number("calls")?,
            ns: self.number("ns")?,
            total_before: self.number("total_before")?,
            total_after: self.number("total_after")?,
            rss_before: self.maybe_number("rss_before", "unavailable")?,
            rss_after: self.maybe_number("rss_after", "unavailable")?,
        };
        if side.calls == 0 {
            return Err(format!("a memory test without calls: {}", self.line));
        }
        Ok(side)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
some banner the VM printed
erldrv-bench vm otp=25.2.3 erts=13.1.5 schedulers=2 emu_flavor=jit
erldrv-bench plan cases=echo,typed,nif
erldrv-bench case name=echo kind=pair calls=100 c_op=port_control:list c_target=c_drv c_command=0 c_ns=10000,12000,11000 erldrv_op=port_control:list erldrv_target=e_drv erldrv_command=0 erldrv_ns=13000,12000,12100
erldrv-bench case name=typed kind=pair calls=10 c_op=port_call c_target=c_drv c_command=1 c_ns=1000,1000 erldrv_op=port_call erldrv_target=t_drv erldrv_command=1 erldrv_ns=900,1100
erldrv-bench case name=nif kind=context calls=10 c_op=port_control:binary c_target=c_drv c_command=0 c_ns=1000,1000 context_op=nif context_target=some_nif context_command=none context_ns=400,600
erldrv-bench memory side=erldrv op=port_control:list target=e_drv command=0 bytes=22 calls=1000 ns=70000 total_before=5000000 total_after=5000100 rss_before=9000000 rss_after=8995904
erldrv-bench memory side=c op=port_control:list target=c_drv command=0 bytes=22 calls=1000 ns=60000 total_before=5000100 total_after=5000000 rss_before=unavailable rss_after=unavailable
erldrv-bench done
";

    #[test]
    fn parses_a_run() {
        let run = parse(OUTPUT).unwrap();
        assert_eq!(
            run.vm,
            Vm {
                otp: "25.2.3".into(),
                erts: "13.1.5".into(),
                schedulers: 2,
                emu_flavor: "jit".into()
            }
        );
        assert_eq!(run.cases.len(), 3);
        let echo = &run.cases[0];
        assert_eq!((echo.kind, echo.calls), (Kind::Pair, 100));
        assert_eq!(echo.c.target, "c_drv");
        assert_eq!(echo.c.op, "port_control:list");
        assert_eq!(echo.other.command, Some(0));
        assert_eq!(echo.c.round_ns, [10000, 12000, 11000]);
        assert_eq!(run.cases[1].other.target, "t_drv");
        let nif = &run.cases[2];
        assert_eq!(nif.kind, Kind::Context);
        assert_eq!((nif.other.op.as_str(), nif.other.command), ("nif", None));
        assert_eq!(nif.other.round_ns, [400, 600]);
    }

    #[test]
    fn reads_the_memory_test() {
        let memory = parse(OUTPUT).unwrap().memory;
        assert_eq!(memory.erldrv.target, "e_drv");
        assert_eq!((memory.erldrv.bytes, memory.erldrv.calls), (22, 1000));
        assert_eq!(memory.erldrv.total_growth(), 100);
        assert_eq!(memory.erldrv.rss_growth(), Some(-4096));
        assert_eq!(memory.erldrv.ns_per_call(), 70.0);
        assert_eq!(memory.c.total_growth(), -100);
        assert_eq!(memory.c.rss_growth(), None);
    }

    #[test]
    fn computes_statistics() {
        let run = parse(OUTPUT).unwrap();
        let echo = &run.cases[0];
        assert_eq!(
            echo.c_summary(),
            Summary {
                median: 110.0,
                min: 100.0,
                max: 120.0
            }
        );
        assert_eq!(echo.other_summary().median, 121.0);
        assert!((echo.ratio_of_medians() - 1.1).abs() < 1e-12);
        // Per-round ratios 1.3, 1.0, 1.1.
        assert!((echo.ratio() - 1.1).abs() < 1e-12);
        let spread = echo.ratio_summary();
        assert!((spread.min - 1.0).abs() < 1e-12 && (spread.max - 1.3).abs() < 1e-12);
        let typed = &run.cases[1];
        assert_eq!(typed.other_summary().median, 100.0);
        assert_eq!(typed.ratio(), 1.0);
        assert_eq!(run.cases[2].ratio(), 0.5);
    }

    #[test]
    fn median_of_odd_even_and_none() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn refuses_incomplete_or_inconsistent_output() {
        let without = |needle: &str| {
            OUTPUT
                .lines()
                .filter(|l| !l.contains(needle))
                .map(|l| format!("{l}\n"))
                .collect::<String>()
        };
        assert!(parse(&without("bench done")).is_err());
        assert!(parse(&without("bench vm")).is_err());
        assert!(parse(&without("bench plan")).is_err());
        assert!(parse(&without("name=typed")).is_err());
        assert!(parse(&without("side=erldrv")).is_err());
        assert!(parse(&without("side=c ")).is_err());
        assert!(parse(&OUTPUT.replace("side=c ", "side=erldrv ")).is_err());
        assert!(parse(&OUTPUT.replace("side=c ", "side=other ")).is_err());
        assert!(parse(&OUTPUT.replace("erldrv_ns=900,1100", "erldrv_ns=900")).is_err());
        assert!(parse(&OUTPUT.replace("calls=10 ", "calls=0 ")).is_err());
        assert!(parse(&OUTPUT.replace("calls=10 ", "calls=ten ")).is_err());
        assert!(parse(&OUTPUT.replace("calls=1000 ns=70000", "calls=0 ns=70000")).is_err());
        assert!(parse(&OUTPUT.replace("kind=context", "kind=pair")).is_err());
        assert!(parse(&OUTPUT.replace("kind=context", "kind=other")).is_err());
        assert!(parse(&OUTPUT.replace("rss_after=8995904", "rss_after=lots")).is_err());
        assert!(parse(&OUTPUT.replace("bench done", "bench what")).is_err());
    }
}
