//! `timers_drv`: a port's timer, set, read and cancelled; `timeout` tells the owner, and
//! panics on request. Long work split into time slices (`Port::run_sliced`): `sum N` adds
//! the numbers below N a chunk per step, continuing from `timeout`, while `tick` counts the
//! calls that got in between; `sum_blocking N` does it in one go. Opened as `timers_drv sum
//! N`, the port starts the work in `start`. `beam-tests/test/timers_tests.erl` drives it.
//!
//! Control commands are words, a verb and its argument (`timer 10`); the command number is
//! unused.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::ops::ControlFlow;
use std::task::Poll;

use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

/// The state of a port.
pub struct Timers {
    /// Set by `panic_in timeout`.
    panic_in_timeout: bool,
    /// The work of `sum`, while it runs.
    sum: Option<Sum>,
}

/// Adds the numbers below `end`, 10 000 per step (black-boxed, so that the compiler keeps
/// the loop).
struct Sum {
    next: u64,
    end: u64,
    total: u64,
    /// Calls of `run_sliced` so far: the slices the work took.
    slices: u64,
    /// `tick`s that arrived while the work was unfinished.
    ticks_during: u64,
}

impl Sum {
    fn new(end: u64) -> Sum {
        Sum {
            next: 0,
            end,
            total: 0,
            slices: 0,
            ticks_during: 0,
        }
    }

    fn step(&mut self) -> ControlFlow<u64> {
        let stop = self.end.min(self.next + 10_000);
        for i in self.next..stop {
            self.total = self.total.wrapping_add(black_box(i));
        }
        self.next = stop;
        if stop == self.end {
            ControlFlow::Break(self.total)
        } else {
            ControlFlow::Continue(())
        }
    }

    /// `sum:Total:Slices:TicksDuring`, for the owner.
    fn report(&self, total: u64) -> String {
        format!("sum:{total}:{}:{}", self.slices, self.ticks_during)
    }
}

impl Timers {
    /// One slice of the `sum` work; the result goes to the owner when it is done.
    fn work(&mut self, port: &Port) {
        let Some(sum) = &mut self.sum else { return };
        sum.slices += 1;
        if let Poll::Ready(total) = port.run_sliced(|| sum.step()) {
            port.output(sum.report(total).as_bytes());
            self.sum = None;
        }
    }
}

/// The `N` of a `sum N`.
fn sum_arg(arg: &str) -> Result<u64, Badarg> {
    arg.trim().parse().map_err(|_| Badarg)
}

#[erl_driver]
impl Driver for Timers {
    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> {
        let mut timers = Timers {
            panic_in_timeout: false,
            sum: None,
        };
        let command = std::str::from_utf8(command).map_err(|_| StartError::Badarg)?;
        if let Some(("sum", n)) = command
            .split_once(' ')
            .and_then(|(_, rest)| rest.split_once(' '))
        {
            timers.sum = Some(Sum::new(sum_arg(n).map_err(|_| StartError::Badarg)?));
            timers.work(port);
        }
        Ok(timers)
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
            "panic_in" if arg == "timeout" => self.panic_in_timeout = true,
            "timer" => port.set_timer(arg.trim().parse().map_err(|_| Badarg)?),
            "read_timer" => match port.read_timer() {
                Some(ms) => reply.extend_from_slice(ms.to_string().as_bytes()),
                None => reply.extend_from_slice(b"none"),
            },
            "cancel_timer" => port.cancel_timer(),
            "sum" => {
                self.sum = Some(Sum::new(sum_arg(arg)?));
                self.work(port);
            }
            "sum_blocking" => {
                let mut sum = Sum::new(sum_arg(arg)?);
                sum.slices = 1;
                let total = loop {
                    if let ControlFlow::Break(total) = sum.step() {
                        break total;
                    }
                };
                port.output(sum.report(total).as_bytes());
            }
            "tick" => {
                if let Some(sum) = &mut self.sum {
                    sum.ticks_during += 1;
                }
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn timeout(&mut self, port: &Port) {
        if self.panic_in_timeout {
            panic!("deliberate panic in timeout");
        }
        if self.sum.is_some() {
            // The zero timer of `run_sliced`: go on with the work.
            self.work(port);
        } else {
            port.output(b"timeout");
        }
    }
}
