//! `cargo xtask bench`: erldrv drivers against hand-written C drivers, in one VM.
//!
//! - `benches/c/*.c`: the C code, compiled here with the system `cc`: the C drivers (one
//!   replying in the call, one with `driver_async`), against the installed `erl_driver.h` and
//!   the static libei of the same OTP; for the context rows, NIFs (against `erl_nif.h`) and
//!   an external `{packet, 4}` port program;
//! - `benches/drivers/*`: the erldrv drivers, built by cargo (in release mode for the bench);
//! - `benches/erl/`: the cases, the timing loops, the throughput, idle and memory tests
//!   (`erldrv_bench.erl`), the NIFs' Erlang module and the gen_server of the async context,
//!   in one `erl`, with `erlang/src` (the `erldrv` module) on its path;
//! - here: building, running, and turning the raw timings into statistics
//!   ([`results`]), a table and a JSON file ([`report`]), and a chart ([`chart`]).
//!
//! The cases live in the Erlang module (`cases/0`), so adding one needs no change here.

mod chart;
mod report;
mod results;

use std::env;
use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use erldrv_harness::{
    ErlInfo, Profile, compile_erl, erl_string, install_driver, try_build_driver, wait_timeout,
};

use crate::{Result, header, otp, shown};
use report::Machine;
use results::Run;

/// The erldrv drivers: workspace packages under `benches/drivers`, each a `cdylib` whose
/// driver is named like the package.
const RUST_DRIVERS: [&str; 4] = [
    "erldrv_bench_drv",
    "erldrv_typed_drv",
    "erldrv_commands_drv",
    "erldrv_async_drv",
];

/// The C code: `benches/c/<name>.c`, and what it becomes.
const C_SOURCES: [(&str, CKind); 5] = [
    ("c_bench_drv", CKind::Driver),
    ("c_async_drv", CKind::Driver),
    ("c_pool_drv", CKind::Driver),
    ("c_bench_nif", CKind::Nif),
    ("packet_echo", CKind::Program),
];

/// What a C source is built into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CKind {
    /// A driver, `<name>.so`, linked with ei.
    Driver,
    /// A NIF library, `<name>.so`.
    Nif,
    /// An executable, `<name>`.
    Program,
}

/// The targets the bench reports against: erldrv/C at most this for every pair whose
/// reply comes from the call ...
pub const MAX_RATIO: f64 = 1.02;

/// A typed command called through its generated client over the hand-written erldrv call
/// doing the same work (the `versus` rows: `call_typed`'s `port_call`, the binary control
/// echo) at most this: within the noise of a run.
pub const MAX_COMMAND_RATIO: f64 = 1.03;

/// ... and at most this for the async round trip (erldrv's pool against `driver_async`),
/// with the pool's threads asleep when idle (see [`IDLE_MAX_CPU_SHARE`]).
pub const MAX_ASYNC_RATIO: f64 = 1.0;

/// Throughput of callers sharing one port: erldrv's rate with 2 or more callers at least
/// this many times its rate with one ...
pub const MIN_SCALING: f64 = 1.8;

/// ... and, with [`VS_C_CALLERS`] callers, at least this many times the C async driver's
/// rate with as many.
pub const MIN_VS_C: f64 = 1.8;

/// The number of callers of the [`MIN_VS_C`] target.
pub const VS_C_CALLERS: u32 = 16;

/// A driver's thread is asleep when idle if, over the idle window, it is on a CPU for at
/// most this share of the window ...
pub const IDLE_MAX_CPU_SHARE: f64 = 0.01;

/// ... and put on one at most this many times per second (a thread polling every few
/// milliseconds uses little CPU, but is not asleep either).
pub const IDLE_MAX_WAKEUPS_PER_S: f64 = 100.0;

/// The VM's flags: two schedulers, the default on the 2-core machines the numbers come from
/// (the calling process and the ports it calls share one of them), and the schedulers'
/// busy wait stated although it is the default, because the async cases depend on it: a
/// scheduler that spins before it sleeps answers a message sooner, and takes CPU from
/// other threads. The async pool (`+A`) and the dirty schedulers keep the VM's defaults.
pub const VM_FLAGS: [&str; 4] = ["+S", "2:2", "+sbwt", "medium"];

/// The memory target: growth under this many bytes (1 MB) ...
pub const MAX_MEMORY_GROWTH: i64 = 1_000_000;

/// ... over this many control calls.
pub const MEMORY_TARGET_CALLS: u64 = 10_000_000;

/// The Erlang module that runs the cases.
const BENCH_MODULE: &str = "erldrv_bench";

/// How long the bench runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Timed rounds per case; each round runs both sides once.
    pub rounds: u32,
    /// About how long one side's part of a round takes, in milliseconds.
    pub round_ms: u32,
    /// How long each side warms up before a case is timed, in milliseconds.
    pub warmup_ms: u32,
    /// Control calls per side in the memory test.
    pub memory_calls: u64,
}

impl Settings {
    /// A real measurement: about 5 s per case, and the memory test at the size of its
    /// target.
    pub const DEFAULT: Settings = Settings {
        rounds: 9,
        round_ms: 250,
        warmup_ms: 200,
        memory_calls: MEMORY_TARGET_CALLS,
    };

    /// `--quick`: checks that everything works; the numbers are rough, and the memory
    /// test is too short to say much.
    pub const QUICK: Settings = Settings {
        rounds: 3,
        round_ms: 20,
        warmup_ms: 10,
        memory_calls: 200_000,
    };

    /// A bound on the run: generous enough for 40 cases and a memory test at 10 µs a
    /// call on a slow, busy machine (the timing loops adapt the call count to the speed
    /// of the machine, not the time).
    fn timeout(&self) -> Duration {
        let per_case_ms =
            u64::from(self.rounds) * 2 * u64::from(self.round_ms) + 4 * u64::from(self.warmup_ms);
        Duration::from_secs(120)
            + Duration::from_millis(40 * per_case_ms)
            + Duration::from_micros(2 * 10 * self.memory_calls)
    }
}

/// `cargo xtask bench [--quick] [--rounds N]`.
pub fn bench(args: &[String]) -> Result {
    let settings = parse_args(args)?;
    const STEPS: usize = 3;

    header(1, STEPS, "Erlang/OTP");
    let info = otp::ensure()?;

    let out = erldrv_harness::workspace_root()
        .join("target")
        .join("bench");
    let drivers = out.join("drivers");
    header(
        2,
        STEPS,
        "Build the drivers: erldrv (cargo build --release); C, with a NIF and a port \
         program (cc -O2)",
    );
    prepare_drivers(&info, Profile::Release, &drivers)?;
    println!("drivers: {}", drivers.display());

    header(
        3,
        STEPS,
        &format!(
            "Run benches/erl/{BENCH_MODULE}.erl: {} rounds per case, ~{} ms per side and \
             round; memory test: {} calls per side{}",
            settings.rounds,
            settings.round_ms,
            settings.memory_calls,
            if settings.memory_calls < MEMORY_TARGET_CALLS {
                format!(" (fewer than the target's {MEMORY_TARGET_CALLS}: growth not comparable)")
            } else {
                String::new()
            }
        ),
    );
    let run = measure(&info, &out, &settings, true)?;

    let machine = Machine::detect();
    println!("\n{}", report::table(&run, &machine, &settings));
    println!("\n{}", report::memory(&run));
    let json_path = out.join("results.json");
    let json = report::json(&run, &machine, &settings, Profile::Release);
    write(&json_path, &json)?;
    let chart_path = out.join("chart.svg");
    write(
        &chart_path,
        &chart::svg(&run, &machine.describe(&run), settings.rounds),
    )?;
    println!("\nresults: {}", json_path.display());
    println!("chart:   {}", chart_path.display());
    Ok(())
}

fn write(path: &Path, text: &str) -> Result {
    fs::write(path, text).map_err(|e| format!("could not write {}: {e}", path.display()))
}

fn parse_args(args: &[String]) -> Result<Settings> {
    let mut settings = Settings::DEFAULT;
    let mut rounds = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => settings = Settings::QUICK,
            "--rounds" => {
                let n = args.next().ok_or("`--rounds` needs a number")?;
                rounds = Some(parse_rounds(n)?);
            }
            other => match other.strip_prefix("--rounds=") {
                Some(n) => rounds = Some(parse_rounds(n)?),
                None => return Err(format!("bench: unexpected argument `{other}`")),
            },
        }
    }
    if let Some(rounds) = rounds {
        settings.rounds = rounds;
    }
    Ok(settings)
}

fn parse_rounds(text: &str) -> Result<u32> {
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "`--rounds` takes a whole number of at least 1, not `{text}`"
        )),
    }
}

/// Builds every bench driver and installs it in `dir` as `<name>.so`, with the C NIF and
/// the port program beside them: the erldrv drivers with cargo in `profile`, the C code
/// with `cc -O2` whatever the profile.
fn prepare_drivers(info: &ErlInfo, profile: Profile, dir: &Path) -> Result {
    fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    for package in RUST_DRIVERS {
        let built = try_build_driver(package, profile)?;
        install_driver(&built.path, &built.name, dir)?;
    }
    for (name, kind) in C_SOURCES {
        compile_c(info, name, kind, dir)?;
    }
    Ok(())
}

/// Compiles `benches/c/<name>.c` with `$CC` (default `cc`) into `dir`: `<name>.so` for a
/// driver or a NIF, `<name>` for a program.
fn compile_c(info: &ErlInfo, name: &str, kind: CKind, dir: &Path) -> Result {
    let source = erldrv_harness::workspace_root()
        .join("benches")
        .join("c")
        .join(format!("{name}.c"));
    let file_name = match kind {
        CKind::Driver | CKind::Nif => format!("{name}.so"),
        CKind::Program => name.to_owned(),
    };
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let mut cc = Command::new(env::var_os("CC").unwrap_or_else(|| OsString::from("cc")));
    cc.args(["-O2", "-Wall", "-Wextra"]);
    if kind != CKind::Program {
        cc.args(["-fPIC", "-shared"])
            .arg("-I")
            .arg(info.include_dir());
    }
    let ei = match kind {
        CKind::Driver => Some(info.erl_interface_dir.as_ref().ok_or_else(|| {
            format!(
                "the C bench driver needs ei (the erl_interface application), which is not \
                 installed with Erlang/OTP at {} (Debian package erlang-dev)",
                info.root_dir.display()
            )
        })?),
        CKind::Nif | CKind::Program => None,
    };
    if let Some(ei) = ei {
        cc.arg("-I").arg(ei.join("include"));
    }
    cc.arg(&source).arg("-o").arg(&tmp);
    if let Some(ei) = ei {
        cc.arg(ei.join("lib").join("libei.a")).arg("-lpthread");
        if cfg!(target_os = "linux") {
            // Keep libei's functions private to the driver, as its own: direct calls, and
            // no clash with another library's copy of ei in the same VM.
            cc.arg("-Wl,--exclude-libs,ALL");
        }
    }
    if kind != CKind::Program && cfg!(target_os = "macos") {
        // The driver_* and enif_* functions come from the VM when it loads the library.
        cc.args(["-undefined", "dynamic_lookup"]);
    }
    println!("{}", shown(&cc));
    let out = cc
        .output()
        .map_err(|e| format!("could not run {}: {e}", shown(&cc)))?;
    let diagnostics = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let _ = fs::remove_file(&tmp);
        return Err(format!(
            "compiling {} failed ({}):\n{}",
            source.display(),
            out.status,
            diagnostics.trim_end()
        ));
    }
    if !diagnostics.trim().is_empty() {
        println!("{}", diagnostics.trim_end());
    }
    let dest = dir.join(file_name);
    fs::rename(&tmp, &dest).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!(
            "could not move {} to {}: {e}",
            tmp.display(),
            dest.display()
        )
    })
}

/// Compiles the bench module into `out/ebin` and runs it in a fresh `erl` against the drivers
/// in `out/drivers`. With `progress`, the module's progress lines are shown as they come.
fn measure(info: &ErlInfo, out: &Path, settings: &Settings, progress: bool) -> Result<Run> {
    let root = erldrv_harness::workspace_root();
    let ebin = out.join("ebin");
    compile_erl(
        &[
            &root.join("benches").join("erl"),
            &root.join("erlang").join("src"),
        ],
        &ebin,
    )?;
    let drivers = out.join("drivers");
    let mut erl = Command::new(&info.erl);
    erl.arg("-noshell")
        .args(VM_FLAGS)
        .arg("-pa")
        .arg(&ebin)
        .arg("-eval")
        .arg(format!(
            "{BENCH_MODULE}:main(#{{driver_dir => {}, rounds => {}, round_ms => {}, \
             warmup_ms => {}, memory_calls => {}}}).",
            erl_string(&drivers.to_string_lossy()),
            settings.rounds,
            settings.round_ms,
            settings.warmup_ms,
            settings.memory_calls
        ))
        .env("ERL_CRASH_DUMP_SECONDS", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let shown = shown(&erl);
    let mut child = erl
        .spawn()
        .map_err(|e| format!("could not run {shown}: {e}"))?;
    let stdout = collect(child.stdout.take(), false);
    let stderr = collect(child.stderr.take(), progress);
    let timeout = settings.timeout();
    let status = wait_timeout(&mut child, timeout).map_err(|e| format!("waiting for erl: {e}"))?;
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let failed = match status {
        Some(status) if status.success() => None,
        Some(status) => Some(format!("the bench failed ({status})")),
        None => Some(format!("the bench did not finish within {timeout:?}")),
    };
    if let Some(why) = failed {
        return Err(format!(
            "{why}\ncommand: {shown}\n---- stdout ----\n{}\n---- stderr ----\n{}",
            stdout.trim_end(),
            stderr.trim_end()
        ));
    }
    results::parse(&stdout).map_err(|e| format!("{e}\n---- erl's output ----\n{stdout}"))
}

/// Reads a child's pipe to its end on a thread, optionally echoing each line to stderr.
fn collect<R: Read + Send + 'static>(pipe: Option<R>, echo: bool) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        let Some(pipe) = pipe else {
            return text;
        };
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else {
                break;
            };
            if echo {
                eprintln!("{line}");
            }
            text.push_str(&line);
            text.push('\n');
        }
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use erldrv_harness::{beam_dir, erl};
    use serde_json::Value;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reads_options() {
        assert_eq!(parse_args(&[]).unwrap(), Settings::DEFAULT);
        assert_eq!(parse_args(&args(&["--quick"])).unwrap(), Settings::QUICK);
        let s = parse_args(&args(&["--rounds", "15"])).unwrap();
        assert_eq!((s.rounds, s.round_ms), (15, Settings::DEFAULT.round_ms));
        let s = parse_args(&args(&["--rounds=4", "--quick"])).unwrap();
        assert_eq!((s.rounds, s.round_ms), (4, Settings::QUICK.round_ms));
        assert_eq!(Settings::DEFAULT.memory_calls, MEMORY_TARGET_CALLS);
        assert!(s.memory_calls < MEMORY_TARGET_CALLS);
        for bad in [
            &["--rounds"][..],
            &["--rounds", "0"],
            &["--rounds", "x"],
            &["--fast"],
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn timeout_grows_with_the_work() {
        assert!(Settings::QUICK.timeout() < Settings::DEFAULT.timeout());
        assert!(Settings::DEFAULT.timeout() > Duration::from_secs(300));
    }

    /// The whole machinery on debug builds with tiny rounds: drivers build and load, every
    /// case replies correctly and yields numbers, and the JSON holds them. Says nothing
    /// about speed.
    #[test]
    fn bench_runs_end_to_end() {
        let info = erl();
        let out = beam_dir().join(format!("bench-smoke-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        prepare_drivers(info, Profile::Debug, &out.join("drivers")).unwrap();
        let settings = Settings {
            rounds: 2,
            round_ms: 2,
            warmup_ms: 1,
            memory_calls: 10_000,
        };
        let run = measure(info, &out, &settings, false).unwrap();
        let machine = Machine::detect();
        let text = report::json(&run, &machine, &settings, Profile::Debug);
        let json: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"));

        let cases = json.get("cases").and_then(Value::as_array).unwrap();
        let names: Vec<&str> = cases
            .iter()
            .filter_map(|c| c.get("name").and_then(Value::as_str))
            .collect();
        for required in [
            "control_echo_22B_list",
            "control_echo_64KiB_list",
            "control_echo_22B_binary",
            "control_echo_64KiB_binary",
            "call_echo_22B",
            "call_echo_64KiB",
            "call_typed",
            "call_typed_rawterm",
            "outputv_echo_22B",
            "outputv_echo_64KiB",
            "nif_echo_22B",
            "nif_echo_64KiB",
            "packet_port_echo_22B",
            "packet_port_echo_64KiB",
            "async_roundtrip_22B",
            "gen_server_async_roundtrip_22B",
            "dirty_nif_roundtrip_22B",
            "command_add_vs_call_typed",
            "command_bytes_22B_vs_control_echo",
        ] {
            assert!(names.contains(&required), "{required} missing in {names:?}");
        }
        let number = |v: &Value, path: &[&str]| -> f64 {
            let mut v = v;
            for key in path {
                v = v
                    .get(key)
                    .unwrap_or_else(|| panic!("no {path:?} in {text}"));
            }
            v.as_f64()
                .unwrap_or_else(|| panic!("{path:?} is not a number"))
        };
        for case in cases {
            assert!(number(case, &["calls_per_round"]) >= 1.0);
            let sides = match case.get("kind").and_then(Value::as_str) {
                Some("pair") => ["c", "erldrv"],
                Some("context") => ["c", "context"],
                Some("versus") => ["reference", "erldrv"],
                kind => panic!("kind {kind:?} in {text}"),
            };
            for side in sides {
                for stat in ["median_ns", "min_ns", "max_ns"] {
                    let v = number(case, &[side, stat]);
                    assert!(v.is_finite() && v > 0.0, "{side}.{stat} = {v} in {text}");
                }
                let rounds = case
                    .get(side)
                    .and_then(|s| s.get("round_total_ns"))
                    .unwrap();
                assert_eq!(rounds.as_array().map(Vec::len), Some(2), "{text}");
            }
            for ratio in ["ratio", "ratio_of_medians"] {
                let v = number(case, &[ratio]);
                assert!(v.is_finite() && v > 0.0, "{ratio} = {v} in {text}");
            }
        }
        let kind_of = |name: &str| {
            cases
                .iter()
                .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
                .and_then(|c| c.get("kind"))
                .and_then(Value::as_str)
        };
        assert_eq!(kind_of("outputv_echo_64KiB"), Some("pair"));
        assert_eq!(kind_of("nif_echo_22B"), Some("context"));
        assert_eq!(kind_of("packet_port_echo_22B"), Some("context"));
        assert!(json.get("otp").and_then(|o| o.get("version")).is_some());
        let roundtrip = cases
            .iter()
            .find(|c| c.get("name").and_then(Value::as_str) == Some("async_roundtrip_22B"))
            .unwrap();
        assert_eq!(number(roundtrip, &["target", "max_ratio"]), MAX_ASYNC_RATIO);
        assert!(roundtrip.get("meets_target").is_some_and(Value::is_boolean));
        // The typed command rows: the generated client against the call it replaces.
        for name in [
            "command_add_vs_call_typed",
            "command_bytes_22B_vs_control_echo",
        ] {
            assert_eq!(kind_of(name), Some("versus"));
            let row = cases
                .iter()
                .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
                .unwrap();
            assert_eq!(number(row, &["target", "max_ratio"]), MAX_COMMAND_RATIO);
            assert!(row.get("meets_target").is_some_and(Value::is_boolean));
        }
        let op = |name: &str, side: &str| {
            cases
                .iter()
                .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
                .and_then(|c| c.get(side)?.get("op")?.as_str())
        };
        assert_eq!(
            op("command_add_vs_call_typed", "reference"),
            Some("wrapper:add")
        );
        assert_eq!(
            op("command_add_vs_call_typed", "erldrv"),
            Some("client:add")
        );
        assert_eq!(
            op("command_bytes_22B_vs_control_echo", "reference"),
            Some("wrapper:echo")
        );

        // The throughput test: every side with every number of callers, each row with its
        // rates and, for erldrv with 2 or more callers, a target and a verdict.
        let rows = json.get("throughput").and_then(Value::as_array).unwrap();
        for side in ["c", "c_pool", "gen_server", "dirty_nif", "erldrv"] {
            for callers in [1, 2, 4, 8, 16] {
                let name = format!("throughput_{side}_{callers}");
                let row = rows
                    .iter()
                    .find(|r| r.get("name").and_then(Value::as_str) == Some(&name))
                    .unwrap_or_else(|| panic!("no {name} in {text}"));
                assert!(number(row, &["median_jobs_per_s"]) > 0.0, "{name}");
                assert!(number(row, &["scaling"]) > 0.0, "{name}");
                let has_target = side == "erldrv" && callers >= 2;
                assert_eq!(
                    row.get("target").is_some_and(Value::is_object),
                    has_target,
                    "{name}"
                );
                assert_eq!(
                    row.get("meets_target").is_some_and(Value::is_boolean),
                    has_target,
                    "{name}"
                );
            }
        }
        assert!(number(&json, &["job", "iterations"]) > 0.0);
        assert!(number(&json, &["job", "erldrv_ns"]) > 0.0);
        if cfg!(target_os = "linux") {
            let threads = json.pointer("/idle/threads").and_then(Value::as_array);
            assert!(threads.is_some_and(|t| !t.is_empty()), "{text}");
        }

        // The memory test: both sides, every reading; VmRSS at least on Linux.
        let memory = json
            .get("memory")
            .unwrap_or_else(|| panic!("no memory in {text}"));
        assert_eq!(number(memory, &["calls"]), 10_000.0);
        for side in ["erldrv", "c"] {
            for field in ["total_before", "total_after", "ns_per_op"] {
                assert!(
                    number(memory, &[side, field]) > 0.0,
                    "{side}.{field} in {text}"
                );
            }
            number(memory, &[side, "total_growth"]);
            if cfg!(target_os = "linux") {
                assert!(number(memory, &[side, "rss_before"]) > 0.0, "{text}");
                number(memory, &[side, "rss_growth"]);
            }
            // Too few calls to be compared with the target.
            assert_eq!(
                memory.get(side).and_then(|s| s.get("meets_target")),
                Some(&Value::Null)
            );
        }

        // The outputs for people and the chart are made from the same run.
        let table = report::table(&run, &machine, &settings);
        assert!(table.contains("context (no erldrv side)"), "{table}");
        assert!(
            table.contains("typed command (generated client)")
                && table.contains("command_add_vs_call_typed"),
            "{table}"
        );
        assert!(report::memory(&run).contains("This run made 10000 calls"));
        let svg = chart::svg(&run, &machine.describe(&run), settings.rounds);
        let drawn = cases.iter().filter(|c| {
            matches!(
                c.get("kind").and_then(Value::as_str),
                Some("pair" | "versus")
            )
        });
        assert_eq!(svg.matches("class=\"bar\"").count(), drawn.count(), "{svg}");
        assert!(svg.contains("command_add_vs_call_typed (cmd/ref)"), "{svg}");
        let _ = fs::remove_dir_all(&out);
    }
}
