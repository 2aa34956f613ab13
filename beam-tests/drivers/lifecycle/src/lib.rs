//! `lifecycle_drv`: how a port and the driver live. `init`, `start` and `stop` are counted
//! (control `count <callback>`), `finish` leaves a mark in the VM environment; `start`
//! refuses or acts on its argument; a port exits with each kind of reason; and it answers
//! who calls it. `stop` and `finish` panic on request.
//! `beam-tests/test/lifecycle_tests.erl`, `lifecycle_start_tests.erl` and
//! `lifecycle_finish_tests.erl` drive it.
//!
//! Control commands are words, a verb and its argument (`count start`), so the Erlang side
//! names what this file matches; the command number is unused.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use erldrv::{
    Badarg, Driver, ExitReason, InitError, JobPanic, Port, Reply, StartError, erl_driver,
};

static INITS: AtomicU64 = AtomicU64::new(0);
static STARTS: AtomicU64 = AtomicU64::new(0);
static STOPS: AtomicU64 = AtomicU64::new(0);
/// Set by `panic_in finish`: the port that asked is gone by the time `finish` runs.
static PANIC_IN_FINISH: AtomicBool = AtomicBool::new(false);

fn count(callback: &str) -> Option<u64> {
    let counter = match callback {
        "init" => &INITS,
        "start" => &STARTS,
        "stop" => &STOPS,
        _ => return None,
    };
    Some(counter.load(Ordering::SeqCst))
}

fn exit_reason(how: &str) -> Result<ExitReason, Badarg> {
    Ok(match how {
        "normal" => ExitReason::Normal,
        "posix" => ExitReason::Posix(libc::ENOENT),
        "atom" => ExitReason::Atom(c"lifecycle_exit"),
        "code" => ExitReason::Code(42),
        "eof" => ExitReason::Eof,
        _ => return Err(Badarg),
    })
}

/// The state of a port.
pub struct Lifecycle {
    /// Set by `panic_in stop`.
    panic_in_stop: bool,
}

#[erl_driver]
impl Driver for Lifecycle {
    type Async = &'static [u8];

    fn init() -> Result<(), InitError> {
        INITS.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn finish() {
        // The port is gone; the environment is how the test learns that finish ran.
        erldrv::env::set_var("LIFECYCLE_FINISH_CALLED", "yes");
        if PANIC_IN_FINISH.load(Ordering::SeqCst) {
            panic!("deliberate panic in finish");
        }
    }

    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> {
        STARTS.fetch_add(1, Ordering::SeqCst);
        let arg = command.splitn(2, |b| *b == b' ').nth(1).unwrap_or(b"");
        // Jobs are spawned on the state, so it is made first.
        let state = Lifecycle {
            panic_in_stop: false,
        };
        match arg {
            b"panic" => panic!("deliberate panic in start"),
            b"enoent" => return Err(StartError::Errno(libc::ENOENT)),
            b"badarg" => return Err(StartError::Badarg),
            b"general" => return Err(StartError::General),
            // Port actions from inside start: they take effect once start has returned.
            b"async" => state.spawn_async(port, || b"started"),
            b"timer" => port.set_timer(10),
            b"async_timer" => {
                state.spawn_async(port, || b"started");
                port.set_timer(10);
            }
            b"exit" => port.exit(ExitReason::Atom(c"lifecycle_exit")),
            _ => {}
        }
        Ok(state)
    }

    fn stop(self, _port: &Port) {
        STOPS.fetch_add(1, Ordering::SeqCst);
        if self.panic_in_stop {
            panic!("deliberate panic in stop");
        }
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
            "count" => reply.extend_from_slice(count(arg).ok_or(Badarg)?.to_string().as_bytes()),
            "panic_in" => match arg {
                "stop" => self.panic_in_stop = true,
                "finish" => PANIC_IN_FINISH.store(true, Ordering::SeqCst),
                _ => return Err(Badarg),
            },
            "exit" => port.exit(exit_reason(arg)?),
            "caller_is_owner" => {
                let same = port.caller() == port.connected();
                reply.extend_from_slice(if same { b"true" } else { b"false" });
            }
            "timeslice" => {
                let over = port.consume_timeslice(100);
                reply.extend_from_slice(if over { b"over" } else { b"more" });
            }
            "same_id" => {
                let same = port.id() == port.id() && port.id().as_raw() != 0;
                reply.extend_from_slice(if same { b"true" } else { b"false" });
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn ready_async(&mut self, port: &Port, result: Result<&'static [u8], JobPanic>) {
        if let Ok(result) = result {
            port.output2(b"ready_async:", result);
        }
    }

    fn timeout(&mut self, port: &Port) {
        port.output(b"timeout");
    }
}
