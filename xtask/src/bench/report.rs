//! The bench's outputs: the table for people and the JSON file for tools.

use std::fmt::Write as _;
use std::fs;

use erldrv_harness::Profile;

use super::Settings;
use super::results::{Run, Summary};

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
    fn describe(&self, run: &Run) -> String {
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

/// Nanoseconds per call, with one decimal while that is still meaningful.
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

/// The results as an aligned text table, with a header naming the machine.
pub fn table(run: &Run, machine: &Machine, settings: &Settings) -> String {
    let head = [
        "case",
        "C ns/call",
        "(min–max)",
        "erldrv ns/call",
        "(min–max)",
        "erldrv/C",
        "(medians)",
    ];
    let mut rows: Vec<[String; 7]> = vec![head.map(str::to_owned)];
    for case in &run.cases {
        let (c, e) = (case.c_summary(), case.erldrv_summary());
        rows.push([
            case.name.clone(),
            ns(c.median),
            spread(&c),
            ns(e.median),
            spread(&e),
            format!("{:.2}", case.ratio()),
            format!("{:.2}", case.ratio_of_medians()),
        ]);
    }
    let mut widths = [0; 7];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = format!(
        "Machine: {}\nMedian of {} rounds per case; each round times both sides, ~{} ms each.\n\n",
        machine.describe(run),
        settings.rounds,
        settings.round_ms
    );
    for row in &rows {
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
    out.push_str(
        "\nerldrv/C: the median of each round's own ratio (robust to the machine's speed \
         drifting);\n(medians): the ratio of the two medians.",
    );
    out
}

/// The results as JSON: the machine, the runtime, the settings, and per case both sides'
/// statistics (nanoseconds per call) and raw round times.
pub fn json(run: &Run, machine: &Machine, settings: &Settings, profile: Profile) -> String {
    let vm = &run.vm;
    let mut out = String::from("{\n");
    let _ = writeln!(
        out,
        "  \"machine\": {{\"cpu\": {}, \"cpus\": {}, \"os\": {}, \"arch\": {}}},",
        string(&machine.cpu),
        machine.cpus,
        string(std::env::consts::OS),
        string(std::env::consts::ARCH)
    );
    let _ = writeln!(
        out,
        "  \"otp\": {{\"version\": {}, \"erts\": {}, \"emu_flavor\": {}, \"schedulers\": {}}},",
        string(&vm.otp),
        string(&vm.erts),
        string(&vm.emu_flavor),
        vm.schedulers
    );
    let profile = match profile {
        Profile::Debug => "debug",
        Profile::Release => "release",
    };
    let _ = writeln!(
        out,
        "  \"settings\": {{\"rounds\": {}, \"round_ms\": {}, \"warmup_ms\": {}, \
         \"erldrv_profile\": {}, \"c_flags\": \"-O2\"}},",
        settings.rounds,
        settings.round_ms,
        settings.warmup_ms,
        string(profile)
    );
    out.push_str("  \"cases\": [");
    for (i, case) in run.cases.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        let side = |side: &super::results::Side, s: Summary| {
            let rounds: Vec<String> = side.round_ns.iter().map(u64::to_string).collect();
            format!(
                "{{\"driver\": {}, \"command\": {}, \"median_ns\": {}, \"min_ns\": {}, \
                 \"max_ns\": {}, \"round_total_ns\": [{}]}}",
                string(&side.driver),
                side.command,
                number(s.median),
                number(s.min),
                number(s.max),
                rounds.join(", ")
            )
        };
        let _ = write!(
            out,
            "    {{\"name\": {}, \"calls_per_round\": {},\n     \"c\": {},\n     \
             \"erldrv\": {},\n     \"ratio\": {}, \"ratio_of_medians\": {}}}",
            string(&case.name),
            case.calls,
            side(&case.c, case.c_summary()),
            side(&case.erldrv, case.erldrv_summary()),
            number(case.ratio()),
            number(case.ratio_of_medians())
        );
    }
    out.push_str("\n  ]\n}\n");
    out
}

/// A JSON number; `null` for what JSON cannot hold (NaN, infinities).
fn number(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "null".to_owned()
    }
}

/// A JSON string literal.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::super::results::{Case, Side, Vm};
    use super::*;
    use erldrv_harness::Json;

    fn run() -> Run {
        let side = |driver: &str, round_ns: &[u64]| Side {
            driver: driver.into(),
            command: 0,
            round_ns: round_ns.to_vec(),
        };
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
                    calls: 1000,
                    c: side("c_drv", &[100_000, 110_000, 120_000]),
                    erldrv: side("e_drv", &[105_000, 121_000, 118_000]),
                },
                Case {
                    name: "big".into(),
                    calls: 2,
                    c: side("c_drv", &[0, 0, 0]),
                    erldrv: side("e_drv", &[500_000, 510_000, 490_000]),
                },
            ],
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
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("small") || l.starts_with("big"))
            .collect();
        assert_eq!(rows.len(), 2, "{text}");
        assert_eq!(
            rows[0].split_whitespace().collect::<Vec<_>>(),
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
        assert!(rows[1].contains("inf"), "{text}");
    }

    #[test]
    fn json_is_valid_and_complete() {
        let text = json(&run(), &machine(), &Settings::QUICK, Profile::Release);
        let v = Json::parse(&text).unwrap_or_else(|| panic!("invalid JSON:\n{text}"));
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
            get(&["settings", "erldrv_profile"]).as_str(),
            Some("release")
        );
        let cases = get(&["cases"]).as_array().unwrap();
        assert_eq!(cases.len(), 2);
        let small = &cases[0];
        assert_eq!(small.get("name").and_then(Json::as_str), Some("small"));
        let c = small.get("c").unwrap();
        assert_eq!(c.get("median_ns").and_then(Json::as_f64), Some(110.0));
        assert_eq!(
            c.get("round_total_ns")
                .and_then(Json::as_array)
                .map(<[Json]>::len),
            Some(3)
        );
        let ratio = |key| small.get(key).and_then(Json::as_f64).unwrap();
        assert!((ratio("ratio") - 1.05).abs() < 1e-3, "{text}");
        assert!(
            (ratio("ratio_of_medians") - 118.0 / 110.0).abs() < 1e-3,
            "{text}"
        );
        // Infinite ratios become null rather than invalid JSON.
        assert_eq!(cases[1].get("ratio"), Some(&Json::Null));
    }
}
