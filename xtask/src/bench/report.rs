//! The bench's outputs: the table for people and the JSON file for tools.

use std::fmt::Write as _;
use std::fs;

use erldrv_harness::Profile;
use serde::Serialize;

use super::results::{
    Case, Cell, Group, Idle, IdleThread, Kind, MemorySide, Run, Side, Summary, Throughput,
};
use super::{
    IDLE_MAX_CPU_SHARE, IDLE_MAX_WAKEUPS_PER_S, MAX_ASYNC_RATIO, MAX_COMMAND_RATIO,
    MAX_MEMORY_GROWTH, MAX_RATIO, MEMORY_TARGET_CALLS, MIN_SCALING, MIN_VS_C, Settings, VM_FLAGS,
    VS_C_CALLERS,
};

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

    /// One line naming the machine, its load during the run, and the runtime.
    pub fn describe(&self, run: &Run) -> String {
        let vm = &run.vm;
        let load = match run.load {
            [Some(start), Some(end)] => format!(", load average {start:.2} → {end:.2}"),
            _ => String::new(),
        };
        format!(
            "{}, {} CPUs ({} {}{load}); Erlang/OTP {} (erts {}, {}), {} schedulers",
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

/// One line naming the VM's flags and its threads that the async cases use: the
/// schedulers' busy wait, the async pool, the dirty CPU schedulers, and the threads the
/// erldrv driver started (its pool's workers).
pub fn threads_line(run: &Run) -> String {
    let vm = &run.vm;
    let seen = match (
        run.idle.threads.is_empty(),
        run.idle.driver_threads().count(),
    ) {
        (true, _) => "not seen: no /proc".to_owned(),
        (false, n) => format!("{n} driver thread{} seen", plural(n)),
    };
    let workers = run.job.erldrv_workers;
    format!(
        "VM flags: {} (+sbwt medium is the default, stated); async pool (+A, default): {} \
         thread{}; dirty CPU schedulers: {}; erldrv pool (erldrv_async_drv, default \
         workers): {workers} worker{} ({seen})",
        VM_FLAGS.join(" "),
        vm.async_threads,
        plural(vm.async_threads as usize),
        vm.dirty_cpu_schedulers,
        plural(workers as usize),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
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

/// A row of the table's cells; an empty one is a blank line between sections.
type Row = Vec<String>;

fn cells(texts: [&str; 7]) -> Row {
    texts.map(str::to_owned).to_vec()
}

/// The numbers of one case, C first: C's time, the other side's, their ratio.
fn case_cells(case: &Case) -> Row {
    let (c, other) = (case.c_summary(), case.other_summary());
    vec![
        case.name.clone(),
        ns(c.median),
        spread(&c),
        ns(other.median),
        spread(&other),
        format!("{:.2}", case.ratio()),
        format!("{:.2}", case.ratio_of_medians()),
    ]
}

/// What a case must show: erldrv/C at most `max_ratio`, and for the async round trip, the
/// erldrv pool's threads asleep when idle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CaseTarget {
    /// erldrv/C at most this.
    pub max_ratio: f64,
    /// The threads the drivers started asleep over the idle window (in the JSON only when
    /// required).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub idle_threads_asleep: bool,
}

/// The target of a case: [`MAX_RATIO`] for the pairs replying in the call,
/// [`MAX_ASYNC_RATIO`] and idle threads asleep for the async pair; `None` for the context
/// rows, which have none.
pub fn case_target(case: &Case) -> Option<CaseTarget> {
    match (case.kind, case.group) {
        (Kind::Context, _) => None,
        (Kind::Versus, _) => Some(CaseTarget {
            max_ratio: MAX_COMMAND_RATIO,
            idle_threads_asleep: false,
        }),
        (Kind::Pair, Group::Sync) => Some(CaseTarget {
            max_ratio: MAX_RATIO,
            idle_threads_asleep: false,
        }),
        (Kind::Pair, Group::Async) => Some(CaseTarget {
            max_ratio: MAX_ASYNC_RATIO,
            idle_threads_asleep: true,
        }),
    }
}

/// Whether a case meets its target (see [`case_target`]); `None` when it has none. Idle
/// threads count only where they could be watched (Linux).
pub fn meets_target(case: &Case, idle: &Idle) -> Option<bool> {
    let target = case_target(case)?;
    let asleep = !target.idle_threads_asleep || idle_threads_asleep(idle) != Some(false);
    Some(case.ratio() <= target.max_ratio && asleep)
}

/// Whether a thread slept through the idle window: on a CPU for at most
/// [`IDLE_MAX_CPU_SHARE`] of it, and woken at most [`IDLE_MAX_WAKEUPS_PER_S`] times a
/// second.
pub fn thread_asleep(thread: &IdleThread, window_ns: u64) -> bool {
    let window = window_ns as f64;
    thread.cpu_ns as f64 <= IDLE_MAX_CPU_SHARE * window
        && thread.runs as f64 <= IDLE_MAX_WAKEUPS_PER_S * window / 1e9
}

/// Whether every thread the drivers started slept through the idle window (no thread at
/// all sleeps too); `None` where the threads could not be watched.
pub fn idle_threads_asleep(idle: &Idle) -> Option<bool> {
    if idle.threads.is_empty() {
        return None;
    }
    Some(
        idle.driver_threads()
            .all(|t| thread_asleep(t, idle.window_ns)),
    )
}

/// What a throughput cell must show: erldrv's rate at least `min_scaling` times its own
/// with one caller, and at least `min_vs_c` times the C async driver's with as many callers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThroughputTarget {
    /// The rate over the side's own rate with one caller, at least.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_scaling: Option<f64>,
    /// The rate over the C async driver's with as many callers, at least.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_vs_c: Option<f64>,
}

/// The target of a throughput cell: erldrv's with 2 or more callers scale by
/// [`MIN_SCALING`], and with [`VS_C_CALLERS`] it also beats C by [`MIN_VS_C`]; the other
/// sides are context.
pub fn throughput_target(cell: &Cell) -> Option<ThroughputTarget> {
    (cell.label == "erldrv" && cell.callers >= 2).then(|| ThroughputTarget {
        min_scaling: Some(MIN_SCALING),
        min_vs_c: (cell.callers == VS_C_CALLERS).then_some(MIN_VS_C),
    })
}

/// Whether a throughput cell meets its target, on the medians of its per-round ratios.
pub fn throughput_meets_target(throughput: &Throughput, cell: &Cell) -> Option<bool> {
    let target = throughput_target(cell)?;
    let at_least = |min: Option<f64>, ratio: Option<Summary>| match (min, ratio) {
        (None, _) => true,
        (Some(min), Some(r)) => r.median >= min,
        (Some(_), None) => false,
    };
    Some(
        at_least(
            target.min_scaling,
            throughput.scaling(&cell.label, cell.callers),
        ) && at_least(
            target.min_vs_c,
            throughput.ratio((&cell.label, cell.callers), ("c", cell.callers)),
        ),
    )
}

/// The name of a throughput cell in the results: `throughput_<side>_<callers>`.
pub fn cell_name(cell: &Cell) -> String {
    format!("throughput_{}_{}", cell.label, cell.callers)
}

/// The sections of the table: which cases, under which column heads.
const SECTIONS: [(Group, Kind, [&str; 7]); 5] = [
    (
        Group::Sync,
        Kind::Pair,
        [
            "case",
            "C ns/op",
            "(min–max)",
            "erldrv ns/op",
            "(min–max)",
            "erldrv/C",
            "(medians)",
        ],
    ),
    (
        Group::Sync,
        Kind::Context,
        [
            "context (no erldrv side)",
            "C control ns/op",
            "(min–max)",
            "ns/op",
            "(min–max)",
            "×C control",
            "(medians)",
        ],
    ),
    (
        Group::Sync,
        Kind::Versus,
        [
            "typed command (generated client)",
            "reference ns/op",
            "(min–max)",
            "command ns/op",
            "(min–max)",
            "cmd/ref",
            "(medians)",
        ],
    ),
    (
        Group::Async,
        Kind::Pair,
        [
            "async (reply by message)",
            "C async ns/op",
            "(min–max)",
            "erldrv ns/op",
            "(min–max)",
            "erldrv/C",
            "(medians)",
        ],
    ),
    (
        Group::Async,
        Kind::Context,
        [
            "async context",
            "C async ns/op",
            "(min–max)",
            "ns/op",
            "(min–max)",
            "×C async",
            "(medians)",
        ],
    ),
];

/// The results as aligned text, with a header naming the machine and the VM's threads: the
/// pairs replying in the call, their context rows, the async pair and its context rows
/// (each section under its own column heads), then the throughput test and the idle
/// threads.
pub fn table(run: &Run, machine: &Machine, settings: &Settings) -> String {
    let mut rows = Vec::new();
    for (group, kind, heads) in SECTIONS {
        let mut cases = run
            .cases
            .iter()
            .filter(|c| c.group == group && c.kind == kind)
            .peekable();
        if cases.peek().is_none() {
            continue;
        }
        if !rows.is_empty() {
            rows.push(Row::new());
        }
        rows.push(cells(heads));
        rows.extend(cases.map(case_cells));
    }
    let mut out = format!(
        "Machine: {}\n{}\nMedian of {} rounds per case; each round times both sides, ~{} ms \
         for the slower.\n\n",
        machine.describe(run),
        threads_line(run),
        settings.rounds,
        settings.round_ms
    );
    out.push_str(&aligned(&rows));
    let _ = write!(
        out,
        "\nOne op: one port_control or port_call; for outputv and the port program, a \
         port_command and\nreceiving its echo; for the async rows, the call and receiving \
         its reply message. erldrv/C: the\nmedian of each round's own ratio (robust to the \
         machine's speed drifting); (medians): the ratio\nof the two medians. Target: \
         erldrv/C ≤ {MAX_RATIO:.2}; for the async pair ≤ {MAX_ASYNC_RATIO:.2}, with the \
         erldrv pool's\nthreads asleep when idle. Context rows: other ways into C code, \
         each timed in interleaved\nrounds with the C driver's control echo of the same \
         payload (binary replies), or for the async\ncontext rows with the C async driver's \
         echo; ×C is the row's time over that echo's.\nTyped command rows: the generated \
         client's function against a hand-written wrapper\nfunction doing the same work, as \
         an application calls a driver today (the reference: a\nmodule's function around \
         call_typed's port_call, or the binary control echo); target\ncmd/ref ≤ \
         {MAX_COMMAND_RATIO:.2}.\n\n"
    );
    out.push_str(&throughput(run, settings));
    out.push('\n');
    out.push_str(&idle(&run.idle));
    let over: Vec<String> = run
        .cases
        .iter()
        .filter(|case| meets_target(case, &run.idle) == Some(false))
        .map(|case| format!("{} ({:.2})", case.name, case.ratio()))
        .chain(
            run.throughput
                .cells
                .iter()
                .filter(|cell| throughput_meets_target(&run.throughput, cell) == Some(false))
                .map(cell_name),
        )
        .collect();
    if over.is_empty() {
        out.push_str("\nEvery row with a target meets it.");
    } else {
        let _ = write!(out, "\nOver the target: {}.", over.join(", "));
    }
    out
}

/// How a throughput side is headed in the table.
fn side_head(label: &str) -> String {
    match label {
        "c" => "C async".to_owned(),
        "c_pool" => "C pool".to_owned(),
        "gen_server" => "gen_server+C".to_owned(),
        "dirty_nif" => "dirty NIF".to_owned(),
        other => other.to_owned(),
    }
}

fn ratio_cells(ratio: Option<Summary>) -> [String; 2] {
    match ratio {
        Some(r) => [
            format!("{:.2}", r.median),
            format!("{:.2}–{:.2}", r.min, r.max),
        ],
        None => [String::new(), String::new()],
    }
}

/// The throughput test: jobs per second for every side and number of callers, then
/// erldrv's rate over its own with one caller and over C's with as many.
pub fn throughput(run: &Run, settings: &Settings) -> String {
    let t = &run.throughput;
    let job = &run.job;
    let labels = t.labels();
    let mut head: Vec<String> = vec!["callers".to_owned()];
    head.extend(labels.iter().map(|l| format!("{} jobs/s", side_head(l))));
    head.extend(["erldrv ×1 caller", "(min–max)", "erldrv/C", "(min–max)"].map(str::to_owned));
    let mut lines: Vec<Vec<String>> = vec![head];
    for callers in t.callers() {
        let mut line = vec![callers.to_string()];
        for label in &labels {
            line.push(t.cell(label, callers).map_or_else(String::new, |cell| {
                format!("{:.0}", super::results::median(&cell.rates()))
            }));
        }
        line.extend(ratio_cells(t.scaling("erldrv", callers)));
        line.extend(ratio_cells(t.ratio(("erldrv", callers), ("c", callers))));
        lines.push(line);
    }
    let mut out = format!(
        "Throughput: callers sharing one port (the gen_server: one server and its port; the \
         dirty NIF: no port;\nthe C pool: a C driver with its own threads, one per \
         scheduler, replying from them), each running\njobs one after another; a job is {} steps of \
         the same loop on every side (C loop {:.1} µs,\nRust loop {:.1} µs, aimed at {:.0} \
         µs). Jobs/s: median of {} rounds; each round times every cell once.\n\n",
        job.iterations,
        job.c_ns as f64 / 1000.0,
        job.erldrv_ns as f64 / 1000.0,
        job.target_ns as f64 / 1000.0,
        settings.rounds,
    );
    out.push_str(&aligned(&lines));
    let _ = write!(
        out,
        "\nerldrv ×1 caller: erldrv's rate over its rate with one caller; erldrv/C: over the C \
         async driver's rate\nwith as many callers (both the median of each round's own \
         ratio). Targets: erldrv ×1 caller\n≥ {MIN_SCALING:.2} with 2 or more callers; \
         erldrv/C ≥ {MIN_VS_C:.2} with {VS_C_CALLERS} callers.\n"
    );
    out
}

/// Rows as aligned text: the first column left-aligned, the others right-aligned; an empty
/// row is an empty line.
fn aligned(lines: &[Vec<String>]) -> String {
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for line in lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for line in lines {
        let mut text = String::new();
        for (i, (cell, &w)) in line.iter().zip(&widths).enumerate() {
            let pad = w - cell.chars().count();
            if i == 0 {
                let _ = write!(text, "{cell}{}", " ".repeat(pad));
            } else {
                let _ = write!(text, "  {}{cell}", " ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// The idle threads: the drivers' threads, and the busiest of the VM's, over the window.
pub fn idle(idle: &Idle) -> String {
    let ms = |ns: u64| ns as f64 / 1e6;
    let window_ms = ms(idle.window_ns);
    if idle.threads.is_empty() {
        return "Idle: the threads could not be watched (/proc/<pid>/task/*/schedstat is \
                Linux only); the async pair's\ntarget is judged on its ratio alone.\n"
            .to_owned();
    }
    let drivers: Vec<&IdleThread> = idle.driver_threads().collect();
    let mut out = format!(
        "Idle: the VM's threads over {window_ms:.0} ms with nothing to do, after the last job. \
         A driver's thread is asleep\nif on a CPU ≤ {:.0}% of the time and woken ≤ {:.0} \
         times/s.",
        IDLE_MAX_CPU_SHARE * 100.0,
        IDLE_MAX_WAKEUPS_PER_S
    );
    if drivers.is_empty() {
        out.push_str("\n  threads the drivers started: none");
    }
    for t in &drivers {
        let _ = write!(
            out,
            "\n  {:<16} (driver) {:>7.3} ms on a CPU, {:>4} wake-ups: {}",
            t.name,
            ms(t.cpu_ns),
            t.runs,
            if thread_asleep(t, idle.window_ns) {
                "asleep"
            } else {
                "NOT asleep"
            }
        );
    }
    if let Some(t) = idle.busiest_vm_thread() {
        let _ = write!(
            out,
            "\n  {:<16} (VM)     {:>7.3} ms on a CPU, {:>4} wake-ups (the VM's busiest)",
            t.name,
            ms(t.cpu_ns),
            t.runs
        );
    }
    out.push('\n');
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
            load_average_start: run.load[0],
            load_average_end: run.load[1],
        },
        otp: OtpJson {
            version: &run.vm.otp,
            erts: &run.vm.erts,
            emu_flavor: &run.vm.emu_flavor,
            schedulers: run.vm.schedulers,
            flags: &VM_FLAGS,
            async_threads: run.vm.async_threads,
            dirty_cpu_schedulers: run.vm.dirty_cpu_schedulers,
            erldrv_workers: run.job.erldrv_workers,
            driver_threads_seen: (!run.idle.threads.is_empty())
                .then(|| run.idle.driver_threads().count()),
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
            max_async_ratio: number(MAX_ASYNC_RATIO),
            max_command_ratio: number(MAX_COMMAND_RATIO),
            min_scaling: number(MIN_SCALING),
            min_vs_c: number(MIN_VS_C),
            vs_c_callers: VS_C_CALLERS,
            idle_max_cpu_share: number(IDLE_MAX_CPU_SHARE),
            idle_max_wakeups_per_s: number(IDLE_MAX_WAKEUPS_PER_S),
            memory_calls: MEMORY_TARGET_CALLS,
            max_memory_growth_bytes: MAX_MEMORY_GROWTH,
        },
        cases: run
            .cases
            .iter()
            .map(|case| CaseJson::new(case, &run.idle))
            .collect(),
        job: JobJson {
            iterations: run.job.iterations,
            target_ns: run.job.target_ns,
            c_ns: run.job.c_ns,
            erldrv_ns: run.job.erldrv_ns,
            erldrv_workers: run.job.erldrv_workers,
            source: "benches/c/bench_job.h, benches/drivers/job.rs",
        },
        throughput: run
            .throughput
            .cells
            .iter()
            .map(|cell| ThroughputJson::new(&run.throughput, cell))
            .collect(),
        idle: IdleJson {
            window_ns: run.idle.window_ns,
            source: "/proc/<pid>/task/*/schedstat (Linux only)",
            driver_threads_asleep: idle_threads_asleep(&run.idle),
            threads: run
                .idle
                .threads
                .iter()
                .map(|t| IdleThreadJson {
                    name: &t.name,
                    started_by: if t.from_vm { "vm" } else { "driver" },
                    cpu_ns: t.cpu_ns,
                    runs: t.runs,
                    asleep: (!t.from_vm).then(|| thread_asleep(t, run.idle.window_ns)),
                })
                .collect(),
        },
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
    job: JobJson,
    throughput: Vec<ThroughputJson<'a>>,
    idle: IdleJson<'a>,
    memory: MemoryJson<'a>,
}

#[derive(Serialize)]
struct MachineJson<'a> {
    cpu: &'a str,
    cpus: usize,
    os: &'static str,
    arch: &'static str,
    /// The load average over a minute (`/proc/loadavg`) at the start and the end of the run.
    load_average_start: Option<f64>,
    load_average_end: Option<f64>,
}

#[derive(Serialize)]
struct OtpJson<'a> {
    version: &'a str,
    erts: &'a str,
    emu_flavor: &'a str,
    schedulers: u32,
    flags: &'static [&'static str],
    async_threads: u32,
    dirty_cpu_schedulers: u32,
    /// The workers of the erldrv driver's pool, as the driver says.
    erldrv_workers: u64,
    /// The threads the drivers started (the erldrv pool's), where they could be seen.
    driver_threads_seen: Option<usize>,
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
    max_async_ratio: Option<f64>,
    max_command_ratio: Option<f64>,
    min_scaling: Option<f64>,
    min_vs_c: Option<f64>,
    vs_c_callers: u32,
    idle_max_cpu_share: Option<f64>,
    idle_max_wakeups_per_s: Option<f64>,
    memory_calls: u64,
    max_memory_growth_bytes: i64,
}

/// A case: the C side (`reference` for a versus case: erldrv's hand-written call), then the
/// other side under the name of its kind (`erldrv` for a pair or a versus case,
/// `context` for a context row), then how they compare.
#[derive(Serialize)]
struct CaseJson<'a> {
    name: &'a str,
    kind: &'static str,
    group: &'static str,
    calls_per_round: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<SideJson<'a>>,
    /// A versus case's reference side: erldrv's hand-written call.
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<SideJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    erldrv: Option<SideJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<SideJson<'a>>,
    ratio: Option<f64>,
    ratio_min: Option<f64>,
    ratio_max: Option<f64>,
    ratio_of_medians: Option<f64>,
    target: Option<CaseTarget>,
    meets_target: Option<bool>,
}

impl<'a> CaseJson<'a> {
    fn new(case: &'a Case, idle: &Idle) -> Self {
        let other = SideJson::new(&case.other, case.other_summary());
        let (erldrv, context) = match case.kind {
            Kind::Pair | Kind::Versus => (Some(other), None),
            Kind::Context => (None, Some(other)),
        };
        let first = SideJson::new(&case.c, case.c_summary());
        let (c, reference) = match case.kind {
            Kind::Versus => (None, Some(first)),
            Kind::Pair | Kind::Context => (Some(first), None),
        };
        let ratios = case.ratio_summary();
        CaseJson {
            name: &case.name,
            kind: case.kind.name(),
            group: case.group.name(),
            calls_per_round: case.calls,
            c,
            reference,
            erldrv,
            context,
            ratio: number(case.ratio()),
            ratio_min: number(ratios.min),
            ratio_max: number(ratios.max),
            ratio_of_medians: number(case.ratio_of_medians()),
            target: case_target(case),
            meets_target: meets_target(case, idle),
        }
    }
}

#[derive(Serialize)]
struct JobJson {
    iterations: u64,
    target_ns: u64,
    c_ns: u64,
    erldrv_ns: u64,
    erldrv_workers: u64,
    source: &'static str,
}

/// A throughput cell: the side and its callers, its rates (jobs per second), its rate over
/// its own with one caller (`scaling`) and over the C async driver's with as many callers
/// (`vs_c`), each the median of the rounds' own ratios, and its target.
#[derive(Serialize)]
struct ThroughputJson<'a> {
    name: String,
    side: &'a str,
    op: &'a str,
    driver: &'a str,
    command: Option<u32>,
    callers: u32,
    jobs_per_round: u64,
    median_jobs_per_s: Option<f64>,
    min_jobs_per_s: Option<f64>,
    max_jobs_per_s: Option<f64>,
    round_total_ns: &'a [u64],
    scaling: Option<f64>,
    scaling_min: Option<f64>,
    scaling_max: Option<f64>,
    vs_c: Option<f64>,
    vs_c_min: Option<f64>,
    vs_c_max: Option<f64>,
    target: Option<ThroughputTarget>,
    meets_target: Option<bool>,
}

impl<'a> ThroughputJson<'a> {
    fn new(throughput: &Throughput, cell: &'a Cell) -> Self {
        let rates = super::results::summarize(&cell.rates());
        let scaling = throughput.scaling(&cell.label, cell.callers);
        let vs_c = throughput.ratio((&cell.label, cell.callers), ("c", cell.callers));
        let part =
            |s: Option<Summary>, f: fn(&Summary) -> f64| s.as_ref().and_then(|s| number(f(s)));
        ThroughputJson {
            name: cell_name(cell),
            side: &cell.label,
            op: &cell.side.op,
            driver: &cell.side.target,
            command: cell.side.command,
            callers: cell.callers,
            jobs_per_round: cell.jobs,
            median_jobs_per_s: number(rates.median),
            min_jobs_per_s: number(rates.min),
            max_jobs_per_s: number(rates.max),
            round_total_ns: &cell.side.round_ns,
            scaling: part(scaling, |s| s.median),
            scaling_min: part(scaling, |s| s.min),
            scaling_max: part(scaling, |s| s.max),
            vs_c: part(vs_c, |s| s.median),
            vs_c_min: part(vs_c, |s| s.min),
            vs_c_max: part(vs_c, |s| s.max),
            target: throughput_target(cell),
            meets_target: throughput_meets_target(throughput, cell),
        }
    }
}

#[derive(Serialize)]
struct IdleJson<'a> {
    window_ns: u64,
    source: &'static str,
    driver_threads_asleep: Option<bool>,
    threads: Vec<IdleThreadJson<'a>>,
}

#[derive(Serialize)]
struct IdleThreadJson<'a> {
    name: &'a str,
    started_by: &'static str,
    cpu_ns: u64,
    runs: u64,
    asleep: Option<bool>,
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
    use super::super::results::{Case, Cell, Job, Kind, Memory, MemorySide, Side, Vm};
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

    /// A throughput cell of 100 jobs per round, each round taking `ms` milliseconds.
    fn cell(label: &str, callers: u32, ms: &[u64]) -> Cell {
        Cell {
            label: label.into(),
            side: Side {
                op: "port_control+receive".into(),
                ..side(
                    &format!("{label}_drv"),
                    Some(2),
                    &ms.iter().map(|m| m * 1_000_000).collect::<Vec<_>>(),
                )
            },
            callers,
            jobs: 100,
        }
    }

    /// A run with two pairs (one over the target, one whose C side took no time), a
    /// context row, an async pair (within its target) and an async context row, a
    /// throughput test (erldrv within its targets with 2 callers, not with 16), idle
    /// threads, and a full-size memory test.
    pub fn run() -> Run {
        Run {
            vm: Vm {
                otp: "25.2.3".into(),
                erts: "13.1.5".into(),
                schedulers: 2,
                emu_flavor: "jit".into(),
                async_threads: 1,
                dirty_cpu_schedulers: 2,
            },
            cases: vec![
                Case {
                    name: "small".into(),
                    kind: Kind::Pair,
                    group: Group::Sync,
                    calls: 1000,
                    c: side("c_drv", Some(0), &[100_000, 110_000, 120_000]),
                    other: side("e_drv", Some(0), &[105_000, 121_000, 118_000]),
                },
                Case {
                    name: "big".into(),
                    kind: Kind::Pair,
                    group: Group::Sync,
                    calls: 2,
                    c: side("c_drv", Some(0), &[0, 0, 0]),
                    other: side("e_drv", Some(0), &[500_000, 510_000, 490_000]),
                },
                Case {
                    name: "nif".into(),
                    kind: Kind::Context,
                    group: Group::Sync,
                    calls: 1000,
                    c: side("c_drv", Some(0), &[100_000, 100_000, 100_000]),
                    other: Side {
                        op: "nif".into(),
                        ..side("a_nif", None, &[40_000, 50_000, 60_000])
                    },
                },
                Case {
                    name: "roundtrip".into(),
                    kind: Kind::Pair,
                    group: Group::Async,
                    calls: 100,
                    c: side("c_async", Some(1), &[1_000_000, 1_000_000, 1_000_000]),
                    other: side("e_async", Some(1), &[900_000, 950_000, 1_100_000]),
                },
                Case {
                    name: "server".into(),
                    kind: Kind::Context,
                    group: Group::Async,
                    calls: 100,
                    c: side("c_async", Some(1), &[1_000_000, 1_000_000, 1_000_000]),
                    other: side("server", Some(1), &[1_500_000, 1_500_000, 1_500_000]),
                },
            ],
            job: Job {
                iterations: 30000,
                target_ns: 50_000,
                c_ns: 50_100,
                erldrv_ns: 49_900,
                erldrv_workers: 2,
            },
            throughput: Throughput {
                cells: vec![
                    cell("c", 1, &[6, 6, 6]),
                    cell("erldrv", 1, &[6, 6, 6]),
                    cell("c", 2, &[6, 6, 6]),
                    cell("erldrv", 2, &[3, 3, 3]),
                    cell("c", 16, &[6, 6, 6]),
                    cell("erldrv", 16, &[4, 4, 4]),
                ],
            },
            idle: Idle {
                window_ns: 500_000_000,
                threads: vec![
                    IdleThread {
                        name: "1_scheduler".into(),
                        from_vm: true,
                        cpu_ns: 2_000_000,
                        runs: 140,
                    },
                    IdleThread {
                        name: "pool_1".into(),
                        from_vm: false,
                        cpu_ns: 10_000,
                        runs: 2,
                    },
                ],
            },
            load: [Some(0.5), Some(1.25)],
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
        assert_eq!(len(row("roundtrip")), len(row("case")), "{text}");
        assert!(
            text.contains("Over the target: small (1.05), big (inf), "),
            "{text}"
        );
    }

    #[test]
    fn targets_of_the_async_rows() {
        let run = run();
        let roundtrip = &run.cases[3];
        assert_eq!(
            case_target(roundtrip),
            Some(CaseTarget {
                max_ratio: 1.0,
                idle_threads_asleep: true
            })
        );
        assert_eq!(meets_target(roundtrip, &run.idle), Some(true));
        assert_eq!(case_target(&run.cases[4]), None);
        // A driver thread that spins fails the round trip, whatever its ratio.
        let mut spinning = run.idle.clone();
        spinning.threads[1].cpu_ns = 400_000_000;
        assert_eq!(idle_threads_asleep(&spinning), Some(false));
        assert_eq!(meets_target(roundtrip, &spinning), Some(false));
        // So does one that wakes too often, with little CPU.
        let mut polling = run.idle.clone();
        polling.threads[1].runs = 500;
        assert_eq!(meets_target(roundtrip, &polling), Some(false));
        // The VM's own threads do not count; unwatched threads (no /proc) neither.
        let mut busy_vm = run.idle.clone();
        busy_vm.threads[0].cpu_ns = 400_000_000;
        assert_eq!(meets_target(roundtrip, &busy_vm), Some(true));
        let unwatched = Idle {
            window_ns: 1,
            threads: Vec::new(),
        };
        assert_eq!(idle_threads_asleep(&unwatched), None);
        assert_eq!(meets_target(roundtrip, &unwatched), Some(true));

        let t = &run.throughput;
        let cell = |label, n| t.cell(label, n).unwrap();
        assert_eq!(throughput_target(cell("erldrv", 1)), None);
        assert_eq!(throughput_target(cell("c", 16)), None);
        assert_eq!(
            throughput_target(cell("erldrv", 2)),
            Some(ThroughputTarget {
                min_scaling: Some(1.8),
                min_vs_c: None
            })
        );
        assert_eq!(
            throughput_target(cell("erldrv", 16)),
            Some(ThroughputTarget {
                min_scaling: Some(1.8),
                min_vs_c: Some(1.8)
            })
        );
        // Twice the one-caller rate with 2; 1.5 times with 16 (and 1.5 times C).
        assert_eq!(throughput_meets_target(t, cell("erldrv", 2)), Some(true));
        assert_eq!(throughput_meets_target(t, cell("erldrv", 16)), Some(false));
        assert_eq!(throughput_meets_target(t, cell("c", 2)), None);
    }

    #[test]
    fn table_states_the_threads_and_the_throughput() {
        let text = table(&run(), &machine(), &Settings::DEFAULT);
        let line = |start: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(start))
                .unwrap_or_else(|| panic!("no {start} in {text}"))
        };
        let vm = line("VM flags:");
        assert!(vm.contains("+S 2:2 +sbwt medium"), "{text}");
        assert!(
            line("Machine:").contains("(linux x86_64, load average 0.50 → 1.25)")
                || !cfg!(all(target_os = "linux", target_arch = "x86_64")),
            "{text}"
        );
        assert!(vm.contains("(+A, default): 1 thread;"), "{text}");
        assert!(vm.contains("dirty CPU schedulers: 2"), "{text}");
        assert!(
            vm.ends_with("workers): 2 workers (1 driver thread seen)"),
            "{text}"
        );
        assert!(
            text.contains("C loop 50.1 µs,\nRust loop 49.9 µs"),
            "{text}"
        );
        assert_eq!(
            line("callers").split_whitespace().collect::<Vec<_>>(),
            [
                "callers",
                "C",
                "async",
                "jobs/s",
                "erldrv",
                "jobs/s",
                "erldrv",
                "×1",
                "caller",
                "(min–max)",
                "erldrv/C",
                "(min–max)"
            ]
        );
        assert_eq!(
            line("16 ").split_whitespace().collect::<Vec<_>>(),
            [
                "16",
                "16667",
                "25000",
                "1.50",
                "1.50–1.50",
                "1.50",
                "1.50–1.50"
            ]
        );
        // One caller: erldrv over itself, 1.00, and over C.
        assert_eq!(
            line("1 ").split_whitespace().collect::<Vec<_>>(),
            [
                "1",
                "16667",
                "16667",
                "1.00",
                "1.00–1.00",
                "1.00",
                "1.00–1.00"
            ]
        );
        assert!(line("pool_1").ends_with("asleep") && line("pool_1").contains("(driver)"));
        assert!(line("1_scheduler").contains("(the VM's busiest)"), "{text}");
        assert!(
            text.ends_with("Over the target: small (1.05), big (inf), throughput_erldrv_16."),
            "{text}"
        );
        // The async rows under their own heads.
        assert!(line("async (reply by message)").contains("C async ns/op"));
        assert!(line("async context").contains("×C async"));
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
        assert!(at("nif") < at("async (reply by message)"));
        assert_eq!(at("async (reply by message)") + 1, at("roundtrip"));
        assert_eq!(at("async context") + 1, at("server"));
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

    /// A typed command row: the reference (erldrv's `port_call`) 100 ns, the generated
    /// client's call 102 ns, within its 1.03.
    pub fn versus() -> Case {
        Case {
            name: "command_add_vs_call_typed".into(),
            kind: Kind::Versus,
            group: Group::Sync,
            calls: 1000,
            c: Side {
                op: "port_call".into(),
                ..side("t_drv", Some(1), &[100_000, 100_000, 100_000])
            },
            other: Side {
                op: "client:add".into(),
                ..side("cmd_drv", None, &[102_000, 102_000, 102_000])
            },
        }
    }

    #[test]
    fn typed_command_rows_have_their_target_section_and_json() {
        let mut run = run();
        let mut slow = versus();
        slow.name = "command_slow".into();
        slow.other.round_ns = vec![110_000; 3];
        run.cases.push(versus());
        run.cases.push(slow);
        assert_eq!(
            case_target(&run.cases[5]),
            Some(CaseTarget {
                max_ratio: MAX_COMMAND_RATIO,
                idle_threads_asleep: false,
            })
        );
        assert_eq!(meets_target(&run.cases[5], &run.idle), Some(true));
        assert_eq!(meets_target(&run.cases[6], &run.idle), Some(false));

        let text = table(&run, &machine(), &Settings::DEFAULT);
        let lines: Vec<&str> = text.lines().collect();
        let head = lines
            .iter()
            .position(|l| l.starts_with("typed command (generated client)"))
            .unwrap_or_else(|| panic!("no typed command section in\n{text}"));
        assert!(lines[head].contains("cmd/ref"), "{text}");
        assert!(
            lines[head + 1].starts_with("command_add_vs_call_typed"),
            "{text}"
        );
        assert!(lines[head + 1].contains("1.02"), "{text}");
        let over = lines
            .iter()
            .find(|l| l.starts_with("Over the target: "))
            .unwrap_or_else(|| panic!("no line over the target in\n{text}"));
        assert!(over.contains("command_slow (1.10)"), "{text}");
        assert!(!over.contains("command_add"), "{text}");

        let v: Value =
            serde_json::from_str(&json(&run, &machine(), &Settings::QUICK, Profile::Release))
                .unwrap();
        assert_eq!(v["targets"]["max_command_ratio"].as_f64(), Some(1.03));
        let row = &v["cases"][5];
        assert_eq!(row["kind"].as_str(), Some("versus"));
        assert!(row.get("c").is_none(), "{row}");
        assert_eq!(row["reference"]["op"].as_str(), Some("port_call"));
        assert_eq!(row["erldrv"]["op"].as_str(), Some("client:add"));
        assert_eq!(row["target"]["max_ratio"].as_f64(), Some(1.03));
        assert_eq!(row["meets_target"], Value::Bool(true));
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
        assert_eq!(get(&["targets", "max_async_ratio"]).as_f64(), Some(1.0));
        assert_eq!(get(&["otp", "async_threads"]).as_f64(), Some(1.0));
        assert_eq!(get(&["otp", "erldrv_workers"]).as_f64(), Some(2.0));
        assert_eq!(get(&["otp", "driver_threads_seen"]).as_f64(), Some(1.0));
        assert_eq!(
            get(&["otp", "flags"]).as_array().map(Vec::len),
            Some(VM_FLAGS.len())
        );
        let cases = get(&["cases"]).as_array().unwrap();
        assert_eq!(cases.len(), 5);
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
        assert_eq!(small.get("group").and_then(Value::as_str), Some("sync"));
        let json = |text: &str| serde_json::from_str::<Value>(text).unwrap();
        assert_eq!(small.get("target"), Some(&json(r#"{"max_ratio": 1.02}"#)));
        let roundtrip = &cases[3];
        assert_eq!(
            roundtrip.get("group").and_then(Value::as_str),
            Some("async")
        );
        assert_eq!(
            roundtrip.get("target"),
            Some(&json(r#"{"max_ratio": 1.0, "idle_threads_asleep": true}"#))
        );
        assert_eq!(roundtrip.get("meets_target"), Some(&Value::Bool(true)));
        assert_eq!(cases[4].get("target"), Some(&Value::Null));
        // Infinite ratios become null rather than invalid JSON.
        assert_eq!(cases[1].get("ratio"), Some(&Value::Null));
        let nif = &cases[2];
        assert_eq!(nif.get("kind").and_then(Value::as_str), Some("context"));
        assert!(nif.get("erldrv").is_none(), "{text}");
        let context = nif.get("context").unwrap();
        assert_eq!(context.get("command"), Some(&Value::Null));
        assert_eq!(context.get("op").and_then(Value::as_str), Some("nif"));
        assert_eq!(nif.get("meets_target"), Some(&Value::Null));

        assert_eq!(get(&["job", "iterations"]).as_f64(), Some(30000.0));
        let rows = get(&["throughput"]).as_array().unwrap();
        assert_eq!(rows.len(), 6);
        let row = |name: &str| {
            rows.iter()
                .find(|r| r.get("name").and_then(Value::as_str) == Some(name))
                .unwrap_or_else(|| panic!("no {name} in {text}"))
        };
        let e16 = row("throughput_erldrv_16");
        assert_eq!(e16.get("callers").and_then(Value::as_f64), Some(16.0));
        assert_eq!(
            e16.get("driver").and_then(Value::as_str),
            Some("erldrv_drv")
        );
        assert_eq!(
            e16.get("median_jobs_per_s").and_then(Value::as_f64),
            Some(25000.0)
        );
        assert_eq!(e16.get("scaling").and_then(Value::as_f64), Some(1.5));
        assert_eq!(e16.get("vs_c").and_then(Value::as_f64), Some(1.5));
        assert_eq!(
            e16.get("target"),
            Some(&json(r#"{"min_scaling": 1.8, "min_vs_c": 1.8}"#))
        );
        assert_eq!(e16.get("meets_target"), Some(&Value::Bool(false)));
        let e2 = row("throughput_erldrv_2");
        assert_eq!(e2.get("meets_target"), Some(&Value::Bool(true)));
        for context in ["throughput_erldrv_1", "throughput_c_16"] {
            assert_eq!(row(context).get("target"), Some(&Value::Null), "{context}");
            assert_eq!(row(context).get("meets_target"), Some(&Value::Null));
        }
        assert_eq!(get(&["idle", "driver_threads_asleep"]), &Value::Bool(true));
        let threads = get(&["idle", "threads"]).as_array().unwrap();
        assert_eq!(threads.len(), 2);
        assert_eq!(threads[0].get("asleep"), Some(&Value::Null));
        assert_eq!(
            threads[1].get("started_by").and_then(Value::as_str),
            Some("driver")
        );
        assert_eq!(threads[1].get("asleep"), Some(&Value::Bool(true)));

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
