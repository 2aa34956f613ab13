//! `contexts_drv`: calls `Port` methods in the callbacks where the VM cannot take them
//! (`stop`, `flush`, `process_exit`), refuses requests with reasons, and panics on request.
//! `beam-tests/test/contexts_tests.erl` drives it; its commands are words, so the Erlang
//! side names the same things the Rust side matches.
//!
//! Written without `unsafe`, as a driver author would.
#![forbid(unsafe_code)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use erldrv::term::Atom;
use erldrv::{
    Badarg, CallError, Driver, ExitReason, JobPanic, Monitor, Port, Reply, StartError, erl_driver,
};

/// Async jobs that ran, and `timeout` calls: counted to show that work requested in `stop`
/// never happens.
static JOBS_RUN: AtomicU64 = AtomicU64::new(0);
static TIMEOUTS: AtomicU64 = AtomicU64::new(0);
/// What the last `stop` and `process_exit` observed, as text for the `report` command.
static REPORT: Mutex<String> = Mutex::new(String::new());

static FROM_STOP: Atom = Atom::new("from_stop");

fn note(line: &str) {
    let mut r = REPORT.lock().unwrap_or_else(|e| e.into_inner());
    r.push_str(line);
    r.push('\n');
}

pub struct Contexts {
    /// What to do in `stop` (and in `flush`), as words.
    in_stop: Vec<String>,
    in_flush: Vec<String>,
    /// Monitors made with `monitor`, the newest last.
    monitors: Vec<Monitor>,
}

impl Contexts {
    /// Does each word of `plan` with `port`, noting what the port said.
    fn act(&self, port: &Port, plan: &[String], place: &str) {
        for word in plan {
            match word.as_str() {
                "output" => port.output(format!("output from {place}").as_bytes()),
                "output_term" => {
                    let r = port.output_term(&(&FROM_STOP, place));
                    note(&format!("{place} output_term delivered={}", r.is_ok()));
                }
                "exit" => port.exit(ExitReason::Atom(c"exit_from_stop")),
                "init_ack" => port.init_ack(Ok(())),
                "async" => self.spawn_async(port, || {
                    JOBS_RUN.fetch_add(1, Ordering::SeqCst);
                }),
                "timer" => port.set_timer(0),
                "cancel_timer" => port.cancel_timer(),
                "monitor" => {
                    let m = port.monitor_process(port.connected());
                    note(&format!("{place} monitor={}", m.is_ok()));
                }
                "dequeue" => {
                    port.dequeue(port.queue_len());
                }
                "panic" => panic!("deliberate panic in {place}"),
                other => panic!("unknown plan word {other:?}"),
            }
        }
    }
}

fn words(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[erl_driver]
impl Driver for Contexts {
    fn start(_port: &Port, command: &[u8]) -> Result<Self, StartError> {
        match command.splitn(2, |b| *b == b' ').nth(1).unwrap_or(b"") {
            b"refuse" => Err(StartError::refused("contexts_drv takes no arguments")),
            b"panic" => panic!("deliberate panic in start"),
            _ => Ok(Contexts {
                in_stop: Vec::new(),
                in_flush: Vec::new(),
                monitors: Vec::new(),
            }),
        }
    }

    fn stop(self, port: &Port) {
        self.act(port, &self.in_stop, "stop");
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let mut w = words(data);
        let verb = if w.is_empty() {
            String::new()
        } else {
            w.remove(0)
        };
        match verb.as_str() {
            "ping" => reply.extend_from_slice(b"pong"),
            "in_stop" => self.in_stop = w,
            "in_flush" => {
                // Queued data makes a closing port call flush first.
                port.enqueue(b"queued");
                self.in_flush = w;
            }
            "monitor" => {
                let m = port.monitor_process(port.caller()).map_err(|_| Badarg)?;
                self.monitors.push(m);
            }
            "report" => {
                let mut r = REPORT.lock().unwrap_or_else(|e| e.into_inner());
                reply.extend_from_slice(
                    format!(
                        "jobs={} timeouts={}\n{}",
                        JOBS_RUN.load(Ordering::SeqCst),
                        TIMEOUTS.load(Ordering::SeqCst),
                        r
                    )
                    .as_bytes(),
                );
                r.clear();
            }
            "async" => self.spawn_async(port, || {
                JOBS_RUN.fetch_add(1, Ordering::SeqCst);
            }),
            "refuse" => return Err(Badarg::because("refused: not today")),
            "refuse_plain" => return Err(Badarg),
            "panic" => panic!("deliberate panic in control"),
            "panic_big" => panic!("{}", "x".repeat(1 << 20)),
            _ => return Err(Badarg::because(format!("unknown command {verb:?}"))),
        }
        Ok(())
    }

    fn call(&mut self, _port: &Port, _command: u32, panic: bool) -> Result<bool, CallError> {
        if panic {
            panic!("deliberate panic in call");
        }
        Ok(false)
    }

    fn ready_async(&mut self, port: &Port, _result: Result<(), JobPanic>) {
        port.output(b"job_done");
    }

    fn timeout(&mut self, _port: &Port) {
        TIMEOUTS.fetch_add(1, Ordering::SeqCst);
    }

    fn flush(&mut self, port: &Port) {
        let plan = std::mem::take(&mut self.in_flush);
        self.act(port, &plan, "flush");
        port.dequeue(port.queue_len());
    }

    fn process_exit(&mut self, port: &Port, monitor: Monitor) {
        // The natural clean-up: forget the monitor that fired. The VM would crash here;
        // erldrv answers `NoMonitor` (it has fired) without asking it.
        let fired = port.demonitor_process(&monitor).is_ok();
        // Another monitor of this port can still be removed, once.
        let others: Vec<Monitor> = self
            .monitors
            .iter()
            .copied()
            .filter(|m| *m != monitor)
            .collect();
        let other = others.first().map(|m| port.demonitor_process(m).is_ok());
        let again = others.first().map(|m| port.demonitor_process(m).is_ok());
        let watched = port.monitored_process(&monitor).is_some();
        self.monitors.retain(|m| *m != monitor);
        note(&format!(
            "process_exit demonitor_fired={fired} demonitor_other={other:?} again={again:?} watched={watched}"
        ));
        port.output(b"process_exit");
    }
}
