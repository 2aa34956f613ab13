//! What the Erlang bench module reports, and the statistics drawn from it.
//!
//! The module prints one `erldrv-bench <kind> key=value ...` line per fact: `vm` (the
//! runtime), `plan` (the cases it will run), one `case` line per case with each round's
//! total time per side, `job` (the size of the throughput test's CPU job), one
//! `throughput` line per side and number of callers, `idle` (the threads' CPU time while
//! the VM had nothing to do), one `memory` line per side of the memory test, two `load`
//! lines (the machine's load average at the start and at the end), and `done`.
//! Other lines are ignored.

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
    /// Threads of the VM's async pool (`+A`), which runs `driver_async` jobs.
    pub async_threads: u32,
    /// Dirty CPU schedulers online, which run dirty CPU NIFs.
    pub dirty_cpu_schedulers: u32,
}

/// What a case compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The C driver against the erldrv driver with the same logic.
    Pair,
    /// The C driver's control echo against another way into C code (a NIF, an external
    /// port program), for context; there is no erldrv side.
    Context,
    /// erldrv's hand-written way to some work (the `c` side of the case, the reference,
    /// although it is no C code) against a typed command's generated client doing the same
    /// work: what commands cost over the calls they replace.
    Versus,
}

impl Kind {
    /// The name used in the bench's output and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pair => "pair",
            Kind::Context => "context",
            Kind::Versus => "versus",
        }
    }

    /// The label of the side compared with C.
    pub fn other_label(self) -> &'static str {
        match self {
            Kind::Pair | Kind::Versus => "erldrv",
            Kind::Context => "context",
        }
    }
}

/// How a case's call gets its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// From the call itself, on the caller's scheduler.
    Sync,
    /// By message, after work on a thread that is not a scheduler; the C side is the C
    /// async driver.
    Async,
}

impl Group {
    /// The name used in the bench's output and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Group::Sync => "sync",
            Group::Async => "async",
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
    /// How the reply comes.
    pub group: Group,
    /// Calls per side and round.
    pub calls: u64,
    /// The hand-written C driver; for [`Kind::Versus`], erldrv's hand-written reference.
    pub c: Side,
    /// The erldrv driver ([`Kind::Pair`]), the context's C code ([`Kind::Context`]), or the
    /// command client ([`Kind::Versus`], whose `c` is erldrv's hand-written reference).
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

/// The CPU job of the throughput test: its size, and how long its loop takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Steps of the loop per job, chosen for the C loop to take `target_ns`.
    pub iterations: u64,
    /// The time aimed at, in nanoseconds.
    pub target_ns: u64,
    /// The C loop's time (the fastest of several runs), in nanoseconds.
    pub c_ns: u64,
    /// The Rust loop's time in the erldrv driver, on a pool thread, likewise.
    pub erldrv_ns: u64,
    /// The workers of the erldrv driver's pool, as the driver says.
    pub erldrv_workers: u64,
}

/// One side of the throughput test with one number of callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The side: `c`, `erldrv`, or a context (`gen_server`, `dirty_nif`).
    pub label: String,
    /// Where the jobs go, and each round's time.
    pub side: Side,
    /// Callers sharing the side.
    pub callers: u32,
    /// Jobs per round, all callers together.
    pub jobs: u64,
}

impl Cell {
    /// Each round's rate, in jobs per second.
    pub fn rates(&self) -> Vec<f64> {
        self.side
            .round_ns
            .iter()
            .map(|&ns| self.jobs as f64 * 1e9 / ns as f64)
            .collect()
    }
}

/// The throughput test: every side with every number of callers, the same rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Throughput {
    /// In the order the bench reported them.
    pub cells: Vec<Cell>,
}

impl Throughput {
    /// The cell of a side and a number of callers.
    pub fn cell(&self, label: &str, callers: u32) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.label == label && c.callers == callers)
    }

    /// The sides, in the order they were first reported.
    pub fn labels(&self) -> Vec<&str> {
        let mut labels: Vec<&str> = Vec::new();
        for cell in &self.cells {
            if !labels.contains(&cell.label.as_str()) {
                labels.push(&cell.label);
            }
        }
        labels
    }

    /// The numbers of callers, smallest first.
    pub fn callers(&self) -> Vec<u32> {
        let mut callers: Vec<u32> = self.cells.iter().map(|c| c.callers).collect();
        callers.sort_unstable();
        callers.dedup();
        callers
    }

    /// The rate of `label` with `callers` callers over the rate of `base_label` with
    /// `base_callers`, round by round (each round times every cell once), summarized.
    pub fn ratio(
        &self,
        (label, callers): (&str, u32),
        (base_label, base_callers): (&str, u32),
    ) -> Option<Summary> {
        let cell = self.cell(label, callers)?;
        let base = self.cell(base_label, base_callers)?;
        let ratios: Vec<f64> = cell
            .rates()
            .iter()
            .zip(base.rates())
            .map(|(r, b)| r / b)
            .collect();
        Some(summarize(&ratios))
    }

    /// How much faster `label` runs with `callers` callers than with one.
    pub fn scaling(&self, label: &str, callers: u32) -> Option<Summary> {
        self.ratio((label, callers), (label, 1))
    }
}

/// One thread of the VM while it had nothing to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleThread {
    /// Its name (`comm`).
    pub name: String,
    /// Whether the VM had it before any driver was loaded; the others are the drivers'.
    pub from_vm: bool,
    /// Its time on a CPU during the window, in nanoseconds.
    pub cpu_ns: u64,
    /// How many times it was put on a CPU during the window (wake-ups, roughly).
    pub runs: u64,
}

/// The threads' CPU time over a quiet window after the last job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idle {
    /// How long the window was, in nanoseconds.
    pub window_ns: u64,
    /// Every thread; empty where the OS does not say (not Linux).
    pub threads: Vec<IdleThread>,
}

impl Idle {
    /// The threads the drivers started.
    pub fn driver_threads(&self) -> impl Iterator<Item = &IdleThread> {
        self.threads.iter().filter(|t| !t.from_vm)
    }

    /// The busiest thread the VM started, by CPU time.
    pub fn busiest_vm_thread(&self) -> Option<&IdleThread> {
        self.threads
            .iter()
            .filter(|t| t.from_vm)
            .max_by_key(|t| t.cpu_ns)
    }
}

/// A whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The runtime.
    pub vm: Vm,
    /// The cases, in the order they ran.
    pub cases: Vec<Case>,
    /// The throughput test's job.
    pub job: Job,
    /// The throughput test.
    pub throughput: Throughput,
    /// The idle threads.
    pub idle: Idle,
    /// The memory test.
    pub memory: Memory,
    /// The machine's load average over a minute, at the start and at the end of the run;
    /// `None` where the OS does not say.
    pub load: [Option<f64>; 2],
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

/// The median, minimum and maximum of `values`.
pub fn summarize(values: &[f64]) -> Summary {
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
    let mut job = None;
    let mut cells: Vec<Cell> = Vec::new();
    let mut idle = None;
    let mut load = [None, None];
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
                    async_threads: fields.number("async_threads")?,
                    dirty_cpu_schedulers: fields.number("dirty_cpu_schedulers")?,
                })
            }
            "plan" => plan = Some(fields.list("cases")?),
            "case" => cases.push(fields.case()?),
            "job" => job = Some(fields.job()?),
            "throughput" => {
                let cell = fields.cell()?;
                if cells
                    .iter()
                    .any(|c| c.label == cell.label && c.callers == cell.callers)
                {
                    return Err(format!(
                        "a second throughput result for the same cell: {line}"
                    ));
                }
                cells.push(cell);
            }
            "idle" => idle = Some(fields.idle()?),
            "load" => {
                let at = match fields.get("at")? {
                    "start" => 0,
                    "end" => 1,
                    other => return Err(format!("unknown load time `{other}` in: {line}")),
                };
                load[at] = Some(fields.maybe_number("one_minute", "unavailable")?);
            }
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
    let job = job.ok_or("the bench did not report the throughput test's job")?;
    let throughput = Throughput { cells };
    check_throughput(&throughput)?;
    let idle = idle.ok_or("the bench did not report the idle threads")?;
    let [Some(start), Some(end)] = load else {
        return Err("the bench did not report the load at its start and end".into());
    };
    Ok(Run {
        vm,
        cases,
        job,
        throughput,
        idle,
        memory,
        load: [start, end],
    })
}

/// Every side of the throughput test has one caller and `c` among its sides, every side
/// has every number of callers, and all cells ran the same number of rounds: the ratios
/// need them.
fn check_throughput(throughput: &Throughput) -> Result<(), String> {
    let labels = throughput.labels();
    let callers = throughput.callers();
    if !labels.contains(&"c") || !labels.contains(&"erldrv") || callers.first() != Some(&1) {
        return Err(format!(
            "the throughput test needs the sides `c` and `erldrv` and one caller, \
             not {labels:?} with {callers:?} callers"
        ));
    }
    let rounds = throughput.cells[0].side.round_ns.len();
    for label in &labels {
        for &n in &callers {
            let cell = throughput
                .cell(label, n)
                .ok_or_else(|| format!("no throughput result for `{label}` with {n} callers"))?;
            if cell.side.round_ns.len() != rounds {
                return Err(format!(
                    "throughput cells ran different numbers of rounds ({label}, {n} callers)"
                ));
            }
        }
    }
    Ok(())
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
            "versus" => Kind::Versus,
            other => return Err(format!("unknown case kind `{other}` in: {}", self.line)),
        };
        let group = match self.get("group")? {
            "sync" => Group::Sync,
            "async" => Group::Async,
            other => return Err(format!("unknown case group `{other}` in: {}", self.line)),
        };
        let case = Case {
            name: self.text("name")?,
            kind,
            group,
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

    fn job(&self) -> Result<Job, String> {
        let job = Job {
            iterations: self.number("iterations")?,
            target_ns: self.number("target_ns")?,
            c_ns: self.number("c_ns")?,
            erldrv_ns: self.number("erldrv_ns")?,
            erldrv_workers: self.number("erldrv_workers")?,
        };
        if job.iterations == 0 || job.c_ns == 0 || job.erldrv_ns == 0 {
            return Err(format!("a job without work: {}", self.line));
        }
        Ok(job)
    }

    fn cell(&self) -> Result<Cell, String> {
        let cell = Cell {
            label: self.text("side")?,
            side: Side {
                op: self.text("op")?,
                target: self.text("target")?,
                command: self.maybe_number("command", "none")?,
                round_ns: self.numbers("ns")?,
            },
            callers: self.number("callers")?,
            jobs: self.number("jobs")?,
        };
        if cell.callers == 0 || cell.jobs == 0 || cell.side.round_ns.is_empty() {
            return Err(format!(
                "a throughput result without callers, jobs or rounds: {}",
                self.line
            ));
        }
        if cell.side.round_ns.contains(&0) {
            return Err(format!("a throughput round took no time: {}", self.line));
        }
        Ok(cell)
    }

    /// `threads=Name:vm|driver:CpuNs:Runs,...`.
    fn idle(&self) -> Result<Idle, String> {
        let threads = self
            .list("threads")?
            .iter()
            .map(|entry| {
                let bad = || {
                    format!(
                        "`{entry}` is not Name:vm|driver:CpuNs:Runs in: {}",
                        self.line
                    )
                };
                let parts: Vec<&str> = entry.split(':').collect();
                let [name, origin, cpu, runs] = parts[..] else {
                    return Err(bad());
                };
                Ok(IdleThread {
                    name: name.to_owned(),
                    from_vm: match origin {
                        "vm" => true,
                        "driver" => false,
                        _ => return Err(bad()),
                    },
                    cpu_ns: cpu.parse().map_err(|_| bad())?,
                    runs: runs.parse().map_err(|_| bad())?,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Idle {
            window_ns: self.number("window_ns")?,
            threads,
        })
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
erldrv-bench vm otp=25.2.3 erts=13.1.5 schedulers=2 emu_flavor=jit async_threads=1 dirty_cpu_schedulers=2
erldrv-bench load at=start one_minute=0.52
erldrv-bench plan cases=echo,typed,cmd,nif
erldrv-bench case name=echo kind=pair group=sync calls=100 c_op=port_control:list c_target=c_drv c_command=0 c_ns=10000,12000,11000 erldrv_op=port_control:list erldrv_target=e_drv erldrv_command=0 erldrv_ns=13000,12000,12100
erldrv-bench case name=typed kind=pair group=async calls=10 c_op=port_call c_target=c_drv c_command=1 c_ns=1000,1000 erldrv_op=port_call erldrv_target=t_drv erldrv_command=1 erldrv_ns=900,1100
erldrv-bench case name=cmd kind=versus group=sync calls=10 c_op=port_call c_target=t_drv c_command=1 c_ns=1000,1000 erldrv_op=client:add erldrv_target=cmd_drv erldrv_command=none erldrv_ns=1010,1020
erldrv-bench case name=nif kind=context group=sync calls=10 c_op=port_control:binary c_target=c_drv c_command=0 c_ns=1000,1000 context_op=nif context_target=some_nif context_command=none context_ns=400,600
erldrv-bench memory side=erldrv op=port_control:list target=e_drv command=0 bytes=22 calls=1000 ns=70000 total_before=5000000 total_after=5000100 rss_before=9000000 rss_after=8995904
erldrv-bench memory side=c op=port_control:list target=c_drv command=0 bytes=22 calls=1000 ns=60000 total_before=5000100 total_after=5000000 rss_before=unavailable rss_after=unavailable
erldrv-bench job iterations=30000 target_ns=50000 c_ns=50100 erldrv_ns=49900 erldrv_workers=2
erldrv-bench throughput side=c op=port_control+receive target=c_async_drv command=2 callers=1 jobs=10 ns=1000000,2000000
erldrv-bench throughput side=erldrv op=erldrv:request target=e_async command=2 callers=1 jobs=10 ns=1000000,1000000
erldrv-bench throughput side=c op=port_control+receive target=c_async_drv command=2 callers=4 jobs=40 ns=4000000,4000000
erldrv-bench throughput side=erldrv op=erldrv:request target=e_async command=2 callers=4 jobs=40 ns=2000000,2500000
erldrv-bench load at=end one_minute=unavailable
erldrv-bench idle window_ns=500000000 threads=1_scheduler:vm:2000000:140,pool_1:driver:0:0,1_aux:vm:800000:35
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
                emu_flavor: "jit".into(),
                async_threads: 1,
                dirty_cpu_schedulers: 2,
            }
        );
        assert_eq!(run.cases.len(), 4);
        let echo = &run.cases[0];
        assert_eq!((echo.kind, echo.calls), (Kind::Pair, 100));
        assert_eq!(echo.group, Group::Sync);
        assert_eq!(run.cases[1].group, Group::Async);
        assert_eq!(echo.c.target, "c_drv");
        assert_eq!(echo.c.op, "port_control:list");
        assert_eq!(echo.other.command, Some(0));
        assert_eq!(echo.c.round_ns, [10000, 12000, 11000]);
        assert_eq!(run.cases[1].other.target, "t_drv");
        let cmd = &run.cases[2];
        assert_eq!((cmd.kind, cmd.group), (Kind::Versus, Group::Sync));
        assert_eq!((cmd.c.op.as_str(), cmd.c.command), ("port_call", Some(1)));
        assert_eq!(
            (cmd.other.op.as_str(), cmd.other.command),
            ("client:add", None)
        );
        assert_eq!(cmd.other.round_ns, [1010, 1020]);
        let nif = &run.cases[3];
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
    fn reads_the_throughput_test_and_the_idle_threads() {
        let run = parse(OUTPUT).unwrap();
        assert_eq!(run.job.iterations, 30000);
        assert_eq!((run.job.c_ns, run.job.erldrv_ns), (50100, 49900));
        assert_eq!(run.job.erldrv_workers, 2);
        let t = &run.throughput;
        assert_eq!(t.labels(), ["c", "erldrv"]);
        assert_eq!(t.callers(), [1, 4]);
        let c1 = t.cell("c", 1).unwrap();
        assert_eq!(c1.side.target, "c_async_drv");
        assert_eq!(c1.rates(), [10_000.0, 5_000.0]);
        // erldrv: 10000/s alone, 20000 and 16000/s with 4 callers.
        let scaling = t.scaling("erldrv", 4).unwrap();
        assert_eq!((scaling.min, scaling.max), (1.6, 2.0));
        assert!((scaling.median - 1.8).abs() < 1e-12);
        // C: 10000 and 5000/s alone, 10000/s with 4: round by round, 1.0 and 2.0.
        assert_eq!(t.scaling("c", 4).unwrap().median, 1.5);
        let vs_c = t.ratio(("erldrv", 4), ("c", 4)).unwrap();
        assert_eq!((vs_c.min, vs_c.max), (1.6, 2.0));
        assert!(t.scaling("erldrv", 2).is_none());

        let idle = &run.idle;
        assert_eq!(idle.window_ns, 500_000_000);
        let drivers: Vec<_> = idle.driver_threads().collect();
        assert_eq!(drivers.len(), 1);
        assert_eq!((drivers[0].name.as_str(), drivers[0].cpu_ns), ("pool_1", 0));
        assert_eq!(idle.busiest_vm_thread().unwrap().name, "1_scheduler");
        assert_eq!(run.load, [Some(0.52), None]);
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
        assert!((run.cases[2].ratio() - 1.015).abs() < 1e-12);
        assert_eq!(run.cases[3].ratio(), 0.5);
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
        assert!(parse(&OUTPUT.replace("group=sync", "group=other")).is_err());
        assert!(parse(&without("bench job")).is_err());
        assert!(parse(&without("bench idle")).is_err());
        assert!(parse(&without("at=start")).is_err());
        assert!(parse(&OUTPUT.replace("at=end", "at=noon")).is_err());
        assert!(parse(&without("callers=4 jobs=40 ns=4000000")).is_err());
        assert!(parse(&OUTPUT.replace("ns=2000000,2500000", "ns=2000000")).is_err());
        assert!(parse(&OUTPUT.replace("ns=2000000,2500000", "ns=0,2500000")).is_err());
        assert!(
            parse(&OUTPUT.replace("side=erldrv op=erldrv:request", "side=x op=erldrv:request"))
                .is_err()
        );
        assert!(parse(&OUTPUT.replace("pool_1:driver:0:0", "pool_1:other:0:0")).is_err());
        assert!(parse(&OUTPUT.replace("pool_1:driver:0:0", "pool_1:0:0")).is_err());
    }
}
