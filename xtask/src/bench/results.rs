//! What the Erlang bench module reports, and the statistics drawn from it.
//!
//! The module prints one `erldrv-bench <kind> key=value ...` line per fact: `vm` (the
//! runtime), `plan` (the cases it will run), one `case` line per case with each round's
//! total time per side, and `done`. Other lines are ignored.

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

/// One side of a case: which driver and command, and each round's time for all its calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// The driver's name.
    pub driver: String,
    /// The `port_control`/`port_call` command.
    pub command: u32,
    /// Each round's total time, in nanoseconds.
    pub round_ns: Vec<u64>,
}

/// One case: the same calls timed against the C driver and the erldrv driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The case's name, e.g. `call_typed`.
    pub name: String,
    /// Calls per side and round.
    pub calls: u64,
    /// The hand-written C driver.
    pub c: Side,
    /// The erldrv driver.
    pub erldrv: Side,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The runtime.
    pub vm: Vm,
    /// The cases, in the order they ran.
    pub cases: Vec<Case>,
}

/// Median, minimum and maximum of one side, in nanoseconds per call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The median round.
    pub median: f64,
    /// The fastest round.
    pub min: f64,
    /// The slowest round.
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
    /// The C side's rounds, per call.
    pub fn c_summary(&self) -> Summary {
        summarize(&self.c.per_call(self.calls))
    }

    /// The erldrv side's rounds, per call.
    pub fn erldrv_summary(&self) -> Summary {
        summarize(&self.erldrv.per_call(self.calls))
    }

    /// How much longer erldrv takes than C: the median of the rounds' own ratios. Each round
    /// times both sides back to back, so this cancels drifts in the machine's speed that last
    /// longer than a round (other work on the machine, frequency changes), which the ratio
    /// of the medians does not.
    pub fn ratio(&self) -> f64 {
        let ratios: Vec<f64> = self
            .erldrv
            .round_ns
            .iter()
            .zip(&self.c.round_ns)
            .map(|(&e, &c)| e as f64 / c as f64)
            .collect();
        median(&ratios)
    }

    /// erldrv's median over C's median.
    pub fn ratio_of_medians(&self) -> f64 {
        self.erldrv_summary().median / self.c_summary().median
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
/// the same number of rounds on both sides, and the run must have finished.
pub fn parse(output: &str) -> Result<Run, String> {
    let mut vm = None;
    let mut plan: Option<Vec<String>> = None;
    let mut cases: Vec<Case> = Vec::new();
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
    Ok(Run { vm, cases })
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
            driver: self.text(&format!("{prefix}_driver"))?,
            command: self.number(&format!("{prefix}_command"))?,
            round_ns: self.numbers(&format!("{prefix}_ns"))?,
        })
    }

    fn case(&self) -> Result<Case, String> {
        let case = Case {
            name: self.text("name")?,
            calls: self.number("calls")?,
            c: self.side("c")?,
            erldrv: self.side("erldrv")?,
        };
        if case.calls == 0 || case.c.round_ns.is_empty() {
            return Err(format!("a case without calls or rounds: {}", self.line));
        }
        if case.c.round_ns.len() != case.erldrv.round_ns.len() {
            return Err(format!(
                "the two sides ran different numbers of rounds: {}",
                self.line
            ));
        }
        Ok(case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
some banner the VM printed
erldrv-bench vm otp=25.2.3 erts=13.1.5 schedulers=2 emu_flavor=jit
erldrv-bench plan cases=echo,typed
erldrv-bench case name=echo calls=100 c_driver=c_drv c_command=0 erldrv_driver=e_drv erldrv_command=0 c_ns=10000,12000,11000 erldrv_ns=13000,12000,12100
erldrv-bench case name=typed calls=10 c_driver=c_drv c_command=1 erldrv_driver=t_drv erldrv_command=1 c_ns=1000,1000 erldrv_ns=900,1100
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
        assert_eq!(run.cases.len(), 2);
        let echo = &run.cases[0];
        assert_eq!(echo.calls, 100);
        assert_eq!(echo.c.driver, "c_drv");
        assert_eq!(echo.erldrv.command, 0);
        assert_eq!(echo.c.round_ns, [10000, 12000, 11000]);
        assert_eq!(run.cases[1].erldrv.driver, "t_drv");
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
        assert_eq!(echo.erldrv_summary().median, 121.0);
        assert!((echo.ratio_of_medians() - 1.1).abs() < 1e-12);
        // Per-round ratios 1.3, 1.0, 1.1.
        assert!((echo.ratio() - 1.1).abs() < 1e-12);
        let typed = &run.cases[1];
        assert_eq!(typed.erldrv_summary().median, 100.0);
        assert_eq!(typed.ratio(), 1.0);
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
        assert!(parse(&OUTPUT.replace("erldrv_ns=900,1100", "erldrv_ns=900")).is_err());
        assert!(parse(&OUTPUT.replace("calls=10 ", "calls=0 ")).is_err());
        assert!(parse(&OUTPUT.replace("calls=10 ", "calls=ten ")).is_err());
        assert!(parse(&OUTPUT.replace("bench done", "bench what")).is_err());
    }
}
