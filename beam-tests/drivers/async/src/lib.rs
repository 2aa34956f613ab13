//! `async_drv`: jobs run with `spawn_async`, their results handed to `ready_async` in the
//! order they were spawned; a job spawned for another driver type; panics in a job and in
//! `ready_async` on request. `beam-tests/test/async_tests.erl` drives it, with the default
//! async pool and with `+A 0`.
//!
//! Control commands are words, a verb and its argument (`async abc`); the command number is
//! unused.
#![forbid(unsafe_code)]

use erldrv::{Badarg, Driver, JobPanic, Port, Reply, StartError, erl_driver};

/// The state of a port.
pub struct Async {
    /// Set by `panic_in ready_async`.
    panic_in_ready_async: bool,
}

#[erl_driver]
impl Driver for Async {
    type Async = Vec<u8>;

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Async {
            panic_in_ready_async: false,
        })
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
            "panic_in" if arg == "ready_async" => self.panic_in_ready_async = true,
            // A job that reverses its argument, or panics if it is `panic`.
            "async" => {
                let mut job = arg.as_bytes().to_vec();
                self.spawn_async(port, move || {
                    if job == b"panic" {
                        panic!("deliberate panic in an async job");
                    }
                    job.reverse();
                    job
                });
            }
            "spawn_for_other_driver" => {
                // A mistake the types cannot catch: the job's result is not `Self::Async`.
                Other.spawn_async(port, || String::from("wrong type"));
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn ready_async(&mut self, port: &Port, result: Result<Vec<u8>, JobPanic>) {
        if self.panic_in_ready_async {
            panic!("deliberate panic in ready_async");
        }
        match result {
            Ok(result) => port.output2(b"ready_async:", &result),
            Err(panic) => port.output2(b"job_panicked:", panic.message().as_bytes()),
        }
    }
}

/// Another driver type, only used to spawn a job of the wrong type (see
/// `spawn_for_other_driver`). It is not exported as a driver.
pub struct Other;

impl Driver for Other {
    type Async = String;
    type CallArgs<'a> = ();
    type CallReply<'a> = ();

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Other)
    }
}
