//! The bench's outputs: the table for people and the JSON file for tools.

use std::fmt::Write as _;
use std::fs;

use erldrv_harness::Profile;
use serde::Serialize;

use super::results::{Case, Kind, MemorySide, Run, Side, Summary};
use super::{MAX_MEMORY_GROWTH, MAX_RATIO, MEMORY_TARGET_CALLS, Settings};

/// The machine the numbers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// The CPU model, from `/proc/cpuinfo` where there is one.
    pub cpu: String,
    /// Logical CPUs.
    pub cpus: usize,
}

impl Machine {
    pub fn detect() -> Machine {
        let available = std::thread::available_parallelism().map_or(1, usize::from);
        match fs::read_to_string("/proc/cpuinfo") {
            Ok(text) => Machine::from_cpuinfo(&text, available),
            Err(_) => Machine {
                cpu: "unknown CPU".to_owned(),
                cpus: available,
            },
        }
    }

    /// From the text of `/proc/cpuinfo`: the first `model name`, and the number of
    /// `processor` entries (`fallback_cpus` if there are none).
    fn from_cpuinfo(text: &str, fallback_cpus: usize) -> Machine {
        let value = |line: &str, key: &str| -> Option<String> {
            let (k, v) = line.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_owned())
        };
        let cpu = text
            .lines()
            .find_map(|line| value(line, "model name"))
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let cpus = text
            .lines()
            .filter(|line| value(line, "processor").is_some())
            .count();
        Machine {
            cpu,
            cpus: if cpus == 0 { fallback_cpus } else { cpus },
        }
    }

    /// One line naming the machine and the runtime.
    pub fn describe(&self, run: &Run) -> String {
        let vm = &run.vm;
        format!(
            "{}, {} CPUs ({} {}); Erlang/OTP {} (erts {}, {}), {} schedulers",
            self.cpu,
            self.cpus,
            std::env::consts::OS,
            std::env::consts::ARCH,
            vm.otp,
            vm.erts,
            vm.emu_flavor,
            vm.schedulers
        )
    }
}

/// Nanoseconds per op, with one decimal while that is still meaningful.
fn ns(v: f64) -> String {
    if v < 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn spread(s: &Summary) -> String {
    format!("{}–{}", ns(s.min), ns(s.max))
}

/// A row of the table, or a blank line between its sections.
enum Row {
    Cells([String; 7]),
    Blank,
}

fn cells(texts: [&str; 7]) -> Row {
    Row::Cells(texts.map(str::to_owned))
}

/// The numbers of one case, C first: C's time, the other side's, their ratio.
fn case_cells(case: &Case) -> Row {
    let (c, other) = (case.c_summary(), case.other_summary());
    Row::Cells([
        case.name.clone(),
        ns(c.median),
        spread(&c),
        ns(other.median),
        spread(&other),
        format!("{:.2}", case.ratio()),
        format!("{:.2}", case.ratio_of_medians()),
    ])
}

/// Whether a case meets its target: erldrv/C at most [`MAX_RATIO`] for the pairs; `None`
/// for the context rows, which have none.
pub fn meets_target(case: &Case) -> Option<bool> {
    (case.kind == Kind::Pair).then(|| case.ratio() <= MAX_RATIO)
}

/// The results as an aligned text table, with a header naming the machine: the pairs, then
/// the context rows under their own column heads.
pub fn table(run: &Run, machine: &Machine, settings: &Settings) -> String {
    let mut rows = vec![cells([
        "case",
        "C ns/op",
        "(min–max)",
        "erldrv ns/op",
        "(min–max)",
        "erldrv/C",
        "(medians)",
    ])];
    let of_kind = |kind| run.cases.iter().filter(move |c| c.kind == kind);
    rows.extend(of_kind(Kind::Pair).map(case_cells));
    if of_kind(Kind::Context).next().is_some() {
        rows.push(Row::Blank);
        rows.push(cells([
            "context (no erldrv side)",
            "C control ns/op",
            "(min–max)",
            "ns/op",
            "(min–max)",
            "×C control",
            "(medians)",
        ]));
        rows.extend(of_kind(Kind::Context).map(case_cells));
    }
    let mut widths = [0; 7];
    for row in &rows {
        if let Row::Cells(row) = row {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = format!(
        "Machine: {}\nMedian of {} rounds per case; each round times both sides, ~{} ms for \
         the slower.\n\n",
        machine.describe(run),
        settings.rounds,
        settings.round_ms
    );
    for row in &rows {
        let Row::Cells(row) = row else {
            out.push('\n');
            continue;
        };
        let mut line = String::new();
        for (i, (cell, &w)) in row.iter().zip(&widths).enumerate() {
            let pad = w - cell.chars().count();
            if i == 0 {
                let _ = write!(line, "{cell}{}", " ".repeat(pad));
            } else {
                let _ = write!(line, "  {}{cell}", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let _ = write!(
        out,
        "\nOne op: one port_control or port_call; for outputv and the port program, a \
         port_command and\nreceiving its echo. erldrv/C: the median of each round's own ratio \
         (robust to the machine's\nspeed drifting); (medians): the ratio of the two medians. \
         Target: erldrv/C ≤ {MAX_RATIO:.2}.\nContext rows: other ways into C code, each timed \
         in interleaved rounds with the C driver's\ncontrol echo of the same payload (binary \
         replies); ×C control is the row's time over that echo's."
    );
    let over: Vec<String> = run
        .cases
        .iter()
        .filter(|case| meets_target(case) == Some(false))
        .map(|case| format!("{} ({:.2})", case.name, case.ratio()))
        .collect();
    if over.is_empty() {
        out.push_str("\nEvery erldrv/C ratio meets the target.");
    } else {
        let _ = write!(out, "\nOver the target: {}.", over.join(", "));
    }
    out
}

/// Bytes as signed kilobytes (1 kB = 1000 bytes), the unit of the memory target.
fn kilobytes(bytes: i64) -> String {
    format!("{:+.1} kB", bytes as f64 / 1000.0)
}

/// Whether a side of the memory test meets the target: both measures grew by less than
/// [`MAX_MEMORY_GROWTH`]. `None` when it made fewer calls than the target is stated for.
pub fn memory_meets_target(side: &MemorySide) -> Option<bool> {
    (side.calls >= MEMORY_TARGET_CALLS).then(|| {
        side.total_growth() < MAX_MEMORY_GROWTH
            && side.rss_growth().is_none_or(|g| g < MAX_MEMORY_GROWTH)
    })
}

/// The memory test, for people: each side's growth and whether it meets the target.
pub fn memory(run: &Run) -> String {
    let memory = &run.memory;
    let e = &memory.erldrv;
    let mut out = format!(
        "Memory: {} {} echo calls of {} bytes per driver (after a warm-up); growth from before \
         to after,\nthe caller's heap collected before each reading. Target: growth < {} kB \
         over {} calls.\n",
        e.calls,
        e.op,
        e.bytes,
        MAX_MEMORY_GROWTH / 1000,
        MEMORY_TARGET_CALLS
    );
    let sides = [("erldrv", e), ("C", &memory.c)];
    let label_width = sides
        .iter()
        .map(|(label, side)| label.len() + side.target.len() + 3)
        .max()
        .unwrap_or(0);
    for (label, side) in sides {
        let label = format!("{label} ({})", side.target);
        let rss = side
            .rss_growth()
            .map_or_else(|| "unavailable".to_owned(), kilobytes);
        let verdict = match memory_meets_target(side) {
            Some(true) => "meets < 1 MB: yes",
            Some(false) => "meets < 1 MB: NO",
            None => "not compared with the target (too few calls)",
        };
        let _ = writeln!(
            out,
            "  {label:<label_width$}  erlang:memory(total) {:>10}  VmRSS {:>10}  {:>6} ns/op  \
             {verdict}",
            kilobytes(side.total_growth()),
            rss,
            ns(side.ns_per_call()),
        );
    }
    out.push_str("VmRSS is read from /proc/<pid>/status, so it is only known on Linux.");
    if e.calls < MEMORY_TARGET_CALLS {
        let _ = write!(
            out,
            "\nThis run made {} calls per side, not the {MEMORY_TARGET_CALLS} of the target \
             (--quick does so to stay short):\nthe growth says little.",
            e.calls
        );
    }
    out
}

/// The results as JSON: the machine, the runtime, the settings and targets, per case both
/// sides' statistics (nanoseconds per op) and raw round times, and the memory test.
pub fn json(run: &Run, machine: &Machine, settings: &Settings, profile: Profile) -> String {
    let memory = &run.memory;
    let results = Results {
        machine: MachineJson {
            cpu: &machine.cpu,
            cpus: machine.cpus,
            os: std::env::consts::OS,
            arch: std::env::consts::ARCH,
        },
        otp: OtpJson {
            version: &run.vm.otp,
            erts: &run.vm.erts,
            emu_flavor: &run.vm.emu_flavor,
            schedulers: run.vm.schedulers,
        },
        settings: SettingsJson {
            rounds: settings.rounds,
            round_ms: settings.round_ms,
            warmup_ms: settings.warmup_ms,
            memory_calls: settings.memory_calls,
            erldrv_profile: match profile {
                Profile::Debug => "debug",
                Profile::Release => "release",
            },
            c_flags: "-O2",
        },
        targets: TargetsJson {
            max_ratio: number(MAX_RATIO),
            memory_calls: MEMORY_TARGET_CALLS,
            max_memory_growth_bytes: MAX_MEMORY_GROWTH,
        },
        cases: run.cases.iter().map(CaseJson::new).collect(),
        memory: MemoryJson {
            op: &memory.erldrv.op,
            bytes: memory.erldrv.bytes,
            calls: memory.erldrv.calls,
            rss_source: "VmRSS in /proc/<pid>/status (Linux only)",
            erldrv: MemorySideJson::new(&memory.erldrv),
            c: MemorySideJson::new(&memory.c),
        },
    };
    let mut text = serde_json::to_string_pretty(&results)
        .expect("plain structs with string keys always serialize");
    text.push('\n');
    text
}

/// A measured number as the file holds it: rounded to three decimals (ns/op and ratios are
/// not exact past that), and `None` (`null`) for what JSON cannot hold (NaN, infinities).
fn number(v: f64) -> Option<f64> {
    // Through the decimal text, so the value is exactly the one a reader of `{v:.3}` gets.
    v.is_finite()
        .then(|| format!("{v:.3}").parse().expect("a formatted f64 parses"))
}

// The shape of `results.json`. Fields serialize in declaration order, which is the file's
// order; `null` stands for "not measured" or "no target".

#[derive(Serialize)]
struct Results<'a> {
    machine: MachineJson<'a>,
    otp: OtpJson<'a>,
    settings: SettingsJson,
    targets: TargetsJson,
    cases: Vec<CaseJson<'a>>,
    memory: MemoryJson<'a>,
}

#[derive(Serialize)]
struct MachineJson<'a> {
    cpu: &'a str,
    cpus: usize,
    os: &'static str,
    arch: &'static str,
}

#[derive(Serialize)]
struct OtpJson<'a> {
    version: &'a str,
    erts: &'a str,
    emu_flavor: &'a str,
    schedulers: u32,
}

#[derive(Serialize)]
struct SettingsJson {
    rounds: u32,
    round_ms: u32,
    warmup_ms: u32,
    memory_calls: u64,
    erldrv_profile: &'static str,
    c_flags: &'static str,
}

#[derive(Serialize)]
struct TargetsJson {
    max_ratio: Option<f64>,
    memory_calls: u64,
    max_memory_growth_bytes: i64,
}

/// A case: the C side, then the other side under the name of its kind (`erldrv` for a pair,
/// `context` for a context row), then how they compare.
#[derive(Serialize)]
struct CaseJson<'a> {
    name: &'a str,
    kind: &'static str,
    calls_per_round: u64,
    c: SideJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    erldrv: Option<SideJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<SideJson<'a>>,
    ratio: Option<f64>,
    ratio_min: Option<f64>,
    ratio_max: Option<f64>,
    ratio_of_medians: Option<f64>,
    meets_target: Option<bool>,
}

impl<'a> CaseJson<'a> {
    fn new(case: &'a Case) -> Self {
        let other = SideJson::new(&case.other, case.other_summary());
        let (erldrv, context) = match case.kind {
            Kind::Pair => (Some(other), None),
            Kind::Context => (None, Some(other)),
        };
        let ratios = case.ratio_summary();
        CaseJson {
            name: &case.name,
            kind: case.kind.name(),
            calls_per_round: case.calls,
            c: SideJson::new(&case.c, case.c_summary()),
            erldrv,
            context,
            ratio: number(case.ratio()),
            ratio_min: number(ratios.min),
            ratio_max: number(ratios.max),
            ratio_of_medians: number(case.ratio_of_medians()),
            meets_target: meets_target(case),
        }
    }
}

#[derive(Serialize)]
struct SideJson<'a> {
    op: &'a str,
    target: &'a str,
    command: Option<u32>,
    median_ns: Option<f64>,
    min_ns: Option<f64>,
    max_ns: Option<f64>,
    round_total_ns: &'a [u64],
}

impl<'a> SideJson<'a> {
    fn new(side: &'a Side, s: Summary) -> Self {
        SideJson {
            op: &side.op,
            target: &side.target,
            command: side.command,
            median_ns: number(s.median),
            min_ns: number(s.min),
            max_ns: number(s.max),
            round_total_ns: &side.round_ns,
        }
    }
}

#[derive(Serialize)]
struct MemoryJson<'a> {
    op: &'a str,
    bytes: u64,
    calls: u64,
    rss_source: &'static str,
    erldrv: MemorySideJson<'a>,
    c: MemorySideJson<'a>,
}

#[derive(Serialize)]
struct MemorySideJson<'a> {
    target: &'a str,
    ns_per_op: Option<f64>,
    total_before: u64,
    total_after: u64,
    total_growth: i64,
    rss_before: Option<u64>,
    rss_after: Option<u64>,
    rss_growth: Option<i64>,
    meets_target: Option<bool>,
}

impl<'a> MemorySideJson<'a> {
    fn new(side: &'a MemorySide) -> Self {
        MemorySideJson {
            target: &side.target,
            ns_per_op: number(side.ns_per_call()),
            total_before: side.total_before,
            total_after: side.total_after,
            total_growth: side.total_growth(),
            rss_before: side.rss_before,
            rss_after: side.rss_after,
            rss_growth: side.rss_growth(),
            meets_target: memory_meets_target(side),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::results::{Case, Kind, Memory, MemorySide, Side, Vm};
    use super::*;
    use serde_json::Value;

    fn side(target: &str, command: Option<u32>, round_ns: &[u64]) -> Side {
        Side {
            op: "port_control:list".into(),
            target: target.into(),
            command,
            round_ns: round_ns.to_vec(),
        }
    }

    fn memory_side(target: &str, calls: u64, growth: u64, rss: Option<(u64, u64)>) -> MemorySide {
        MemorySide {
            op: "port_control:list".into(),
            target: target.into(),
            bytes: 22,
            calls,
            ns: calls * 70,
            total_before: 20_000_000,
            total_after: 20_000_000 + growth,
            rss_before: rss.map(|r| r.0),
            rss_after: rss.map(|r| r.1),
        }
    }

    /// A run with two pairs (one over the target, one whose C side took no time), a
    /// context row and a full-size memory test.
    pub fn run() -> Run {
        Run {
            vm: Vm {
                otp: "25.2.3".into(),
                erts: "13.1.5".into(),
                schedulers: 2,
                emu_flavor: "jit".into(),
            },
            cases: vec![
                Case {
                    name: "small".into(),
                    kind: Kind::Pair,
                    calls: 1000,
                    c: side("c_drv", Some(0), &[100_000, 110_000, 120_000]),
                    other: side("e_drv", Some(0), &[105_000, 121_000, 118_000]),
                },
                Case {
                    name: "big".into(),
                    kind: Kind::Pair,
                    calls: 2,
                    c: side("c_drv", Some(0), &[0, 0, 0]),
                    other: side("e_drv", Some(0), &[500_000, 510_000, 490_000]),
                },
                Case {
                    name: "nif".into(),
                    kind: Kind::Context,
                    calls: 1000,
                    c: side("c_drv", Some(0), &[100_000, 100_000, 100_000]),
                    other: Side {
                        op: "nif".into(),
                        ..side("a_nif", None, &[40_000, 50_000, 60_000])
                    },
                },
            ],
            memory: Memory {
                erldrv: memory_side("e_drv", 10_000_000, 1_500, Some((50_000_000, 50_131_072))),
                c: memory_side("c_drv", 10_000_000, 2_000_000, None),
            },
        }
    }

    fn machine() -> Machine {
        Machine {
            cpu: "Some \"Fast\" CPU\t@ 3GHz".into(),
            cpus: 2,
        }
    }

    #[test]
    fn reads_cpuinfo() {
        let text = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\ncpu cores\t: 1\n\n\
                    processor\t: 1\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(
            Machine::from_cpuinfo(text, 8),
            Machine {
                cpu: "AMD EPYC 7B13".into(),
                cpus: 2
            }
        );
        // No model name (some ARM kernels), no processor lines.
        assert_eq!(
            Machine::from_cpuinfo("Hardware\t: X\n", 4),
            Machine {
                cpu: "unknown CPU".into(),
                cpus: 4
            }
        );
    }

    #[test]
    fn table_has_the_machine_and_aligned_rows() {
        let text = table(&run(), &machine(), &Settings::DEFAULT);
        assert!(
            text.starts_with("Machine: Some \"Fast\" CPU\t@ 3GHz, 2 CPUs ("),
            "{text}"
        );
        assert!(text.contains("Erlang/OTP 25.2.3 (erts 13.1.5, jit), 2 schedulers"));
        let row = |name: &str| {
            let rows: Vec<&str> = text
                .lines()
                .filter(|l| l.split_whitespace().next() == Some(name))
                .collect();
            assert_eq!(rows.len(), 1, "{name} in {text}");
            rows[0]
        };
        assert_eq!(
            row("small").split_whitespace().collect::<Vec<_>>(),
            [
                "small",
                "110.0",
                "100.0–120.0",
                "118.0",
                "105.0–121.0",
                "1.05",
                "1.07"
            ]
        );
        // A zero C time cannot make the table fail, only show infinity.
        assert!(row("big").contains("inf"), "{text}");
        // One set of column widths for both sections: with the last column right-aligned,
        // every full row is as long as the head.
        let len = |line: &str| line.chars().count();
        assert_eq!(len(row("small")), len(row("case")), "{text}");
        assert_eq!(len(row("nif")), len(row("case")), "{text}");
        assert!(
            text.contains("Over the target: small (1.05), big (inf)."),
            "{text}"
        );
    }

    #[test]
    fn context_rows_come_last_under_their_own_heads() {
        let text = table(&run(), &machine(), &Settings::DEFAULT);
        let lines: Vec<&str> = text.lines().collect();
        let at = |prefix: &str| {
            lines
                .iter()
                .position(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix} in {text}"))
        };
        assert!(at("big") < at("context (no erldrv side)"));
        assert_eq!(at("context (no erldrv side)") + 1, at("nif"));
        assert!(lines[at("context (no erldrv side)")].contains("×C control"));
        assert!(
            lines[at("context (no erldrv side)") - 1].is_empty(),
            "{text}"
        );
        assert_eq!(
            lines[at("nif")].split_whitespace().collect::<Vec<_>>(),
            [
                "nif",
                "100.0",
                "100.0–100.0",
                "50.0",
                "40.0–60.0",
                "0.50",
                "0.50"
            ]
        );
    }

    #[test]
    fn memory_report_says_whether_each_side_meets_the_target() {
        let text = memory(&run());
        let line = |start: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(start))
                .unwrap_or_else(|| panic!("no {start} in {text}"))
        };
        let erldrv = line("erldrv (e_drv)");
        assert!(
            erldrv.contains("+1.5 kB") && erldrv.contains("+131.1 kB"),
            "{text}"
        );
        assert!(erldrv.ends_with("meets < 1 MB: yes"), "{text}");
        let c = line("C (c_drv)");
        assert!(
            c.contains("+2000.0 kB") && c.contains("unavailable"),
            "{text}"
        );
        assert!(c.ends_with("meets < 1 MB: NO"), "{text}");
        assert!(!text.contains("says little"), "{text}");

        let mut short = run();
        short.memory.erldrv.calls = 1000;
        let text = memory(&short);
        assert!(text.contains("not compared with the target"), "{text}");
        assert!(text.contains("This run made 1000 calls per side"), "{text}");
    }

    #[test]
    fn json_is_valid_and_complete() {
        let text = json(&run(), &machine(), &Settings::QUICK, Profile::Release);
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"));
        let get = |path: &[&str]| {
            path.iter()
                .try_fold(&v, |v, key| v.get(key))
                .unwrap_or_else(|| panic!("no {path:?} in {text}"))
        };
        assert_eq!(
            get(&["machine", "cpu"]).as_str(),
            Some("Some \"Fast\" CPU\t@ 3GHz")
        );
        assert_eq!(get(&["otp", "version"]).as_str(), Some("25.2.3"));
        assert_eq!(get(&["settings", "rounds"]).as_f64(), Some(3.0));
        assert_eq!(
            get(&["settings", "memory_calls"]).as_f64(),
            Some(Settings::QUICK.memory_calls as f64)
        );
        assert_eq!(
            get(&["settings", "erldrv_profile"]).as_str(),
            Some("release")
        );
        assert_eq!(get(&["targets", "max_ratio"]).as_f64(), Some(1.02));
        let cases = get(&["cases"]).as_array().unwrap();
        assert_eq!(cases.len(), 3);
        let small = &cases[0];
        assert_eq!(small.get("name").and_then(Value::as_str), Some("small"));
        assert_eq!(small.get("kind").and_then(Value::as_str), Some("pair"));
        let c = small.get("c").unwrap();
        assert_eq!(c.get("median_ns").and_then(Value::as_f64), Some(110.0));
        assert_eq!(c.get("command").and_then(Value::as_f64), Some(0.0));
        assert_eq!(c.get("target").and_then(Value::as_str), Some("c_drv"));
        assert_eq!(
            c.get("round_total_ns")
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(3)
        );
        assert!(small.get("erldrv").is_some(), "{text}");
        let ratio = |key| small.get(key).and_then(Value::as_f64).unwrap();
        assert!((ratio("ratio") - 1.05).abs() < 1e-3, "{text}");
        // Per-round ratios 1.05, 1.1, 118/120.
        assert!((ratio("ratio_min") - 118.0 / 120.0).abs() < 1e-3, "{text}");
        assert!((ratio("ratio_max") - 1.1).abs() < 1e-3, "{text}");
        assert!(
            (ratio("ratio_of_medians") - 118.0 / 110.0).abs() < 1e-3,
            "{text}"
        );
        assert_eq!(small.get("meets_target"), Some(&Value::Bool(false)));
        // Infinite ratios become null rather than invalid JSON.
        assert_eq!(cases[1].get("ratio"), Some(&Value::Null));
        let nif = &cases[2];
        assert_eq!(nif.get("kind").and_then(Value::as_str), Some("context"));
        assert!(nif.get("erldrv").is_none(), "{text}");
        let context = nif.get("context").unwrap();
        assert_eq!(context.get("command"), Some(&Value::Null));
        assert_eq!(context.get("op").and_then(Value::as_str), Some("nif"));
        assert_eq!(nif.get("meets_target"), Some(&Value::Null));

        assert_eq!(get(&["memory", "calls"]).as_f64(), Some(1e7));
        assert_eq!(
            get(&["memory", "erldrv", "total_growth"]).as_f64(),
            Some(1500.0)
        );
        assert_eq!(
            get(&["memory", "erldrv", "rss_growth"]).as_f64(),
            Some(131072.0)
        );
        assert_eq!(
            get(&["memory", "erldrv", "meets_target"]),
            &Value::Bool(true)
        );
        assert_eq!(get(&["memory", "c", "rss_before"]), &Value::Null);
        assert_eq!(get(&["memory", "c", "meets_target"]), &Value::Bool(false));
    }
}
