//! `misuse_drv`: a driver without `unsafe` that misuses the port API in the ways the types
//! still allow. Each control command tries one misuse; `beam-tests/test/misuse_tests.erl`
//! checks after each that the VM is alive and that the port behaves as documented, or was
//! closed with `erldrv_panic` when the misuse panics.
//!
//! Control commands are words, a verb and its argument (`in_stop exit`); call requests are
//! terms (see `call`). The command numbers are unused.
//!
//! Left out on purpose: a `Drop` that panics while a panic unwinds. Rust aborts the process
//! then (the VM with it), and no framework can catch that; the bombs below only go off in a
//! plain drop.
#![forbid(unsafe_code)]

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use erldrv::term::{Atom, Term, TermWriter, ToTerm};
use erldrv::{
    Badarg, Binary, CallError, Driver, ExitReason, JobPanic, Monitor, Pid, Port, Reply, StartError,
    erl_driver,
};

/// Ports stopped.
static STOPS: AtomicU64 = AtomicU64::new(0);
/// Bombs dropped (async results, job closures, port states), armed or not.
static DROPPED: AtomicU64 = AtomicU64::new(0);
/// Async jobs that ran.
static JOBS_RUN: AtomicU64 = AtomicU64::new(0);
/// Gated async jobs that have started (and wait at the gate).
static JOBS_AT_GATE: AtomicU64 = AtomicU64::new(0);
/// Calls of `timeout`.
static TIMEOUTS: AtomicU64 = AtomicU64::new(0);
/// A monitor made by one port, for another port to misuse.
static SHARED_MONITOR: Mutex<Option<Monitor>> = Mutex::new(None);
/// Holds gated async jobs until the test opens it (or 10 s pass).
static GATE: Mutex<bool> = Mutex::new(false);
static GATE_OPENED: Condvar = Condvar::new();

static HALF: Atom = Atom::new("half");
static KEY: Atom = Atom::new("key");

/// Counts its drop in `DROPPED`, and panics in it when armed.
pub struct Bomb {
    armed: bool,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::SeqCst);
        if self.armed {
            panic!("deliberate panic in Drop");
        }
    }
}

/// What an async job hands to `ready_async`.
pub struct Outcome {
    /// Output by `ready_async`.
    text: &'static [u8],
    /// `ready_async` closes the port after the output.
    exit: bool,
    /// Goes off when `ready_async` drops the outcome, or when the VM frees it.
    _bomb: Bomb,
}

/// What `stop` does, once a control asked for it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InStop {
    Nothing,
    Exit,
    SpawnAsync,
    SetTimer,
}

/// What `flush` does, once a control asked for it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InFlush {
    Nothing,
    SetTimer,
    Exit,
}

pub struct Misuse {
    in_stop: InStop,
    in_flush: InFlush,
    remembered: Option<Pid>,
    demonitor_in_process_exit: bool,
    /// Opened with `call_depth`: `call` answers how deeply its argument nests.
    call_depth: bool,
    /// Armed by `arm_state`: the state's drop panics in a normal `stop`.
    bomb: Bomb,
}

/// A `ToTerm` that panics halfway through writing.
struct PanicsHalfway;

impl ToTerm for PanicsHalfway {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.tuple(2);
        w.atom(&HALF);
        panic!("deliberate panic in ToTerm::write");
    }
}

/// Replies of `call`.
pub enum CallOut {
    /// How deeply the argument nests.
    Depth(usize),
    /// A float; NaN and infinities are not Erlang terms.
    Float(f64),
    /// A bitstring of one byte with this many bits in it (1–8 make sense).
    Bits(u8),
    /// A map with one key twice.
    EqualKeys,
    /// A reply whose `write` panics.
    Panics,
}

impl ToTerm for CallOut {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            CallOut::Depth(n) => w.uint(*n as u64),
            CallOut::Float(f) => w.float(*f),
            CallOut::Bits(bits) => w.bitstring(&[0xff], *bits),
            CallOut::EqualKeys => {
                w.map(2);
                w.atom(&KEY);
                w.int(1);
                w.atom(&KEY);
                w.int(2);
            }
            CallOut::Panics => PanicsHalfway.write(w),
        }
    }
}

fn depth(t: &Term<'_>) -> usize {
    let inner = match t {
        Term::Tuple(v) | Term::List(v) => v.iter().map(depth).max().unwrap_or(0),
        Term::Improper(v, tail) => v.iter().map(depth).max().unwrap_or(0).max(depth(tail)),
        Term::Map(kv) => kv
            .iter()
            .map(|(k, v)| depth(k).max(depth(v)))
            .max()
            .unwrap_or(0),
        _ => return 0,
    };
    inner + 1
}

fn parse_u64(arg: &str) -> Result<u64, Badarg> {
    match arg {
        "max" => Ok(u64::MAX),
        _ => arg.parse().map_err(|_| Badarg),
    }
}

fn reason(name: &'static std::ffi::CStr) -> ExitReason {
    ExitReason::Atom(name)
}

/// Blocks an async job until the test opens the gate; gives up after 10 s so that a failed
/// test cannot hang the async pool.
fn wait_for_gate() {
    let mut open = GATE.lock().unwrap();
    while !*open {
        let (guard, timeout) = GATE_OPENED
            .wait_timeout(open, Duration::from_secs(10))
            .unwrap();
        open = guard;
        if timeout.timed_out() {
            break;
        }
    }
}

thread_local! {
    /// Marks the scheduler thread that spawned the last `where` job. A `Cell` of a number:
    /// nothing to destroy at thread exit. (`std::thread::current()` is avoided on purpose:
    /// on an async thread it registers a destructor that outlives the unloaded driver.)
    static SPAWNER_MARK: Cell<u64> = const { Cell::new(0) };
}
static NEXT_MARK: AtomicU64 = AtomicU64::new(1);

/// Spawns a job whose outcome says whether it ran on the thread that spawned it (no async
/// pool: `driver_async` runs the job at once) or on the pool.
fn spawn_where(state: &Misuse, port: &Port) {
    let mark = NEXT_MARK.fetch_add(1, Ordering::SeqCst);
    SPAWNER_MARK.with(|m| m.set(mark));
    let bomb = Bomb { armed: false };
    state.spawn_async(port, move || {
        JOBS_RUN.fetch_add(1, Ordering::SeqCst);
        let sync = SPAWNER_MARK.with(Cell::get) == mark;
        Outcome {
            text: if sync { b"sync" } else { b"pool" },
            exit: false,
            _bomb: bomb,
        }
    });
}

/// Spawns a job that hands `text` to `ready_async`. Its bomb goes in the closure: a job
/// that never runs still counts in `DROPPED` once freed.
fn spawn(state: &Misuse, port: &Port, text: &'static [u8], exit: bool, armed: bool, gated: bool) {
    let bomb = Bomb { armed };
    state.spawn_async(port, move || {
        if gated {
            JOBS_AT_GATE.fetch_add(1, Ordering::SeqCst);
            wait_for_gate();
        }
        JOBS_RUN.fetch_add(1, Ordering::SeqCst);
        Outcome {
            text,
            exit,
            _bomb: bomb,
        }
    });
}

fn counter(name: &str) -> Option<u64> {
    let c = match name {
        "stops" => &STOPS,
        "dropped" => &DROPPED,
        "jobs_run" => &JOBS_RUN,
        "jobs_at_gate" => &JOBS_AT_GATE,
        "timeouts" => &TIMEOUTS,
        _ => return None,
    };
    Some(c.load(Ordering::SeqCst))
}

#[erl_driver]
impl Driver for Misuse {
    type Async = Outcome;

    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> {
        let arg = command.splitn(2, |b| *b == b' ').nth(1).unwrap_or(b"");
        // Jobs are spawned on the state, so it is made first.
        let state = Misuse {
            in_stop: InStop::Nothing,
            in_flush: InFlush::Nothing,
            remembered: None,
            demonitor_in_process_exit: false,
            call_depth: arg == b"call_depth",
            bomb: Bomb { armed: false },
        };
        match arg {
            // This driver is not declared `init_ack`.
            b"init_ack" => {
                port.init_ack(Ok(()));
                port.init_ack(Err(StartError::Badarg));
            }
            b"exit_then_fail" => {
                port.exit(reason(c"misuse_exit_in_start"));
                return Err(StartError::Badarg);
            }
            b"spawn_then_fail" => {
                spawn(&state, port, b"never", false, false, false);
                return Err(StartError::Badarg);
            }
            _ => {}
        }
        Ok(state)
    }

    fn stop(self, port: &Port) {
        STOPS.fetch_add(1, Ordering::SeqCst);
        match self.in_stop {
            InStop::Nothing => {}
            // Documented as ignored.
            InStop::Exit => port.exit(reason(c"misuse_exit_in_stop")),
            // Never submitted: the port is gone once stop returns.
            InStop::SpawnAsync => spawn(&self, port, b"from_stop", false, false, false),
            InStop::SetTimer => port.set_timer(1),
        }
    }

    fn output(&mut self, port: &Port, data: &[u8]) {
        port.output(data);
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let (verb, arg) = words.split_once(' ').unwrap_or((words, ""));
        match verb {
            "ping" => reply.extend_from_slice(b"pong"),
            "count" => {
                let n = counter(arg).ok_or(Badarg)?;
                reply.extend_from_slice(n.to_string().as_bytes());
            }
            "exit_twice_then_output" => {
                port.exit(reason(c"misuse_first_exit"));
                port.exit(reason(c"misuse_second_exit"));
                port.output(b"after exit");
            }
            "in_stop" => {
                self.in_stop = match arg {
                    "exit" => InStop::Exit,
                    "spawn_async" => InStop::SpawnAsync,
                    "set_timer" => InStop::SetTimer,
                    _ => return Err(Badarg),
                }
            }
            "in_flush" => {
                self.in_flush = match arg {
                    "set_timer" => InFlush::SetTimer,
                    "exit" => InFlush::Exit,
                    _ => return Err(Badarg),
                };
                // Something for flush to find when the port closes.
                port.enqueue(b"queued");
            }
            "init_ack_twice" => {
                let r = match arg {
                    "ok" => Ok(()),
                    "error" => Err(StartError::Badarg),
                    _ => return Err(Badarg),
                };
                port.init_ack(r.clone());
                port.init_ack(r);
            }
            "cancel_timer_twice" => {
                port.cancel_timer();
                port.cancel_timer();
                reply.extend_from_slice(match port.read_timer() {
                    Some(_) => b"running",
                    None => b"none",
                });
            }
            "remember_caller" => self.remembered = Some(port.caller()),
            "monitor_remembered" => {
                let pid = self.remembered.ok_or(Badarg)?;
                reply.extend_from_slice(match port.monitor_process(pid) {
                    Ok(_) => b"monitor",
                    Err(_) => b"none",
                });
            }
            "demonitor_twice" => {
                let m = port.monitor_process(port.caller()).map_err(|_| Badarg)?;
                let first = port.demonitor_process(&m).is_ok();
                let second = port.demonitor_process(&m).is_ok();
                reply.extend_from_slice(format!("{first} {second}").as_bytes());
            }
            "share_monitor" => {
                let m = port.monitor_process(port.caller()).map_err(|_| Badarg)?;
                *SHARED_MONITOR.lock().unwrap() = Some(m);
            }
            "demonitor_shared" => {
                // A monitor of another port: not this port's to remove.
                let m = SHARED_MONITOR.lock().unwrap().take().ok_or(Badarg)?;
                let removed = port.demonitor_process(&m).is_ok();
                reply.extend_from_slice(removed.to_string().as_bytes());
            }
            "dead_monitor_pid" => {
                // The process of a monitor that was removed: there is none.
                let m = port.monitor_process(port.caller()).map_err(|_| Badarg)?;
                port.demonitor_process(&m).map_err(|_| Badarg)?;
                match port.monitored_process(&m) {
                    None => reply.extend_from_slice(b"none"),
                    // The VM answers with a non-pid; see that it is harmless to use.
                    Some(pid) if arg == "use" => {
                        let monitored = port.monitor_process(pid).is_ok();
                        let sent = port.send_term(pid, &1).is_ok();
                        reply.extend_from_slice(
                            format!("some {:#x} {monitored} {sent}", pid.as_raw()).as_bytes(),
                        );
                    }
                    Some(_) => reply.extend_from_slice(b"some"),
                }
            }
            "dequeue_too_much" => {
                port.enqueue(arg.as_bytes());
                let left = port.dequeue(usize::MAX);
                let again = port.dequeue(10);
                reply.extend_from_slice(format!("{left} {again} {}", port.queue_len()).as_bytes());
            }
            "enqueue_binary_past_end" => {
                let bin = Binary::from_slice(b"0123456789");
                let refused = match arg {
                    "end" => port.enqueue_binary(&bin, 5, 6),
                    "overflow" => port.enqueue_binary(&bin, usize::MAX, 2),
                    _ => return Err(Badarg),
                };
                let error = refused.expect_err("a range outside the binary is refused");
                reply.extend_from_slice(format!("{error} {}", port.queue_len()).as_bytes());
            }
            "output_binary_past_end" => {
                let bin = Binary::from_slice(b"0123456789");
                match arg {
                    "end" => port.output_binary(b"h", &bin, 11, 0),
                    "overflow" => port.output_binary(b"h", &bin, 1, usize::MAX),
                    _ => return Err(Badarg),
                }
            }
            "busy" => port.set_busy(arg == "on"),
            "binary_mode" => port.set_control_binary(arg == "on"),
            "reply_bytes" => {
                let n = parse_u64(arg)? as usize;
                reply.reserve(n);
                for _ in 0..n / 4096 {
                    reply.extend_from_slice(&[b'r'; 4096]);
                }
                reply.extend_from_slice(&vec![b'r'; n % 4096]);
            }
            "switch_then_reply" => {
                // Half of it written in one mode, the rest after switching.
                let n = parse_u64(arg)? as usize;
                reply.extend_from_slice(&vec![b's'; n / 2]);
                port.set_control_binary(true);
                reply.extend_from_slice(&vec![b's'; n - n / 2]);
            }
            "output_term_panics" => {
                let _ = port.output_term(&PanicsHalfway);
            }
            "async" => match arg {
                "where" => spawn_where(self, port),
                "drop_panics" => spawn(self, port, b"ready", false, true, false),
                "exit_in_ready" => spawn(self, port, b"ready", true, false, false),
                "gated_drop_panics" => {
                    *GATE.lock().unwrap() = false;
                    spawn(self, port, b"ready", false, true, true);
                }
                _ => return Err(Badarg),
            },
            "async_then_exit" => {
                spawn(self, port, b"ready", false, false, false);
                port.exit(reason(c"misuse_exit"));
            }
            "exit_then_async" => {
                port.exit(reason(c"misuse_exit"));
                spawn(self, port, b"ready", false, false, false);
            }
            "open_gate" => {
                *GATE.lock().unwrap() = true;
                GATE_OPENED.notify_all();
            }
            "set_timer" => port.set_timer(parse_u64(arg)?),
            "read_timer" => match port.read_timer() {
                Some(ms) => reply.extend_from_slice(ms.to_string().as_bytes()),
                None => reply.extend_from_slice(b"none"),
            },
            "huge_binary" => {
                let bin = Binary::new(parse_u64(arg)? as usize);
                reply.extend_from_slice(bin.len().to_string().as_bytes());
            }
            "huge_reserve" => reply.reserve(parse_u64(arg)? as usize),
            "exit_errno" => port.exit(ExitReason::Posix(arg.parse().map_err(|_| Badarg)?)),
            "arm_state" => self.bomb.armed = true,
            "demonitor_in_process_exit" => {
                self.demonitor_in_process_exit = true;
                port.monitor_process(port.caller()).map_err(|_| Badarg)?;
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    /// Requests are an atom or `{Atom, Argument}`: `{float, nan}`, `{float, infinity}`,
    /// `{bits, N}`, `equal_keys`, `write_panics`. A port opened with the argument
    /// `call_depth` answers every call with how deeply its argument nests instead: the
    /// argument is the whole term there, so that its nesting is exactly what the test sends.
    fn call<'a>(
        &mut self,
        _port: &Port,
        _command: u32,
        args: Term<'a>,
    ) -> Result<CallOut, CallError> {
        if self.call_depth {
            return Ok(CallOut::Depth(depth(&args)));
        }
        let bad = || CallError::badarg("unexpected arguments");
        Ok(match &args {
            Term::Atom(a) if a.is("equal_keys") => CallOut::EqualKeys,
            Term::Atom(a) if a.is("write_panics") => CallOut::Panics,
            Term::Tuple(request) => match request.as_slice() {
                [Term::Atom(a), Term::Atom(f)] if a.is("float") && f.is("nan") => {
                    CallOut::Float(f64::NAN)
                }
                [Term::Atom(a), Term::Atom(f)] if a.is("float") && f.is("infinity") => {
                    CallOut::Float(f64::INFINITY)
                }
                [Term::Atom(a), bits] if a.is("bits") => CallOut::Bits(
                    bits.as_int()
                        .and_then(|n| u8::try_from(n).ok())
                        .ok_or_else(bad)?,
                ),
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        })
    }

    fn ready_async(&mut self, port: &Port, result: Result<Outcome, JobPanic>) {
        let Ok(result) = result else { return };
        port.output(result.text);
        if result.exit {
            port.exit(reason(c"misuse_exit_in_ready_async"));
            port.output(b"after exit");
        }
        // An armed bomb goes off here, in a plain drop.
    }

    fn timeout(&mut self, port: &Port) {
        TIMEOUTS.fetch_add(1, Ordering::SeqCst);
        if port.queue_len() > 0 {
            // Closing: the timer flush set. Emptying the queue lets the port go.
            port.dequeue(port.queue_len());
        } else {
            port.output(b"timeout");
        }
    }

    fn flush(&mut self, port: &Port) {
        match self.in_flush {
            InFlush::Nothing => {
                port.dequeue(port.queue_len());
            }
            InFlush::SetTimer => port.set_timer(1),
            InFlush::Exit => port.exit(reason(c"misuse_exit_in_flush")),
        }
    }

    fn process_exit(&mut self, port: &Port, monitor: Monitor) {
        if self.demonitor_in_process_exit {
            // The monitor being delivered has fired: nothing to remove.
            let removed = port.demonitor_process(&monitor).is_ok();
            port.output(format!("process_exit demonitor={removed}").as_bytes());
        } else {
            port.output(b"process_exit");
        }
    }
}
