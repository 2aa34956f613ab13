#![forbid(unsafe_code)]

use std::hint::black_box;
use std::ops::ControlFlow;
use std::task::Poll;
use std::time::{Duration, Instant};

use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

/// Adds the numbers below `end`, 10,000 per step.
struct Sum {
    next: u64,
    end: u64,
    total: u64,
}

impl Sum {
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
}

/// One port: a reminder (the port's timer) and long work split into time slices. The port
/// has one timer for both.
struct Ticker {
    remind_at: Option<Instant>,
    sum: Option<Sum>,
}

impl Ticker {
    /// From `control` and `timeout`: sends a reminder that is due, goes on with the sum,
    /// and sets the timer for whatever comes next.
    fn run(&mut self, port: &Port) {
        if self.remind_at.is_some_and(|at| at <= Instant::now()) {
            self.remind_at = None;
            port.output(b"reminder");
        }
        if let Some(sum) = &mut self.sum {
            match port.run_sliced(|| sum.step()) {
                // The slice is used up: a zero timer brings us back to `timeout`.
                Poll::Pending => return,
                Poll::Ready(total) => {
                    self.sum = None;
                    port.output(format!("sum {total}").as_bytes());
                }
            }
        }
        match self.remind_at {
            Some(at) => {
                port.set_timer(at.saturating_duration_since(Instant::now()).as_millis() as u64)
            }
            None => port.cancel_timer(),
        }
    }
}

#[erl_driver(name = "ticker_drv")]
impl Driver for Ticker {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Ticker {
            remind_at: None,
            sum: None,
        })
    }

    // port_control(Port, 0, "remind 20"), "cancel" or "sum 1000000".
    fn control(&mut self, port: &Port, _: u32, data: &[u8], _: &mut Reply) -> Result<(), Badarg> {
        let text = String::from_utf8_lossy(data);
        let number = |n: &str| {
            n.parse::<u64>()
                .map_err(|_| Badarg::because("expected a number"))
        };
        match text.split_once(' ').unwrap_or((&text, "")) {
            ("remind", ms) => {
                self.remind_at = Some(Instant::now() + Duration::from_millis(number(ms)?))
            }
            ("cancel", "") => self.remind_at = None,
            ("sum", _) if self.sum.is_some() => return Err(Badarg::because("a sum is running")),
            ("sum", n) => {
                self.sum = Some(Sum {
                    next: 0,
                    end: number(n)?,
                    total: 0,
                })
            }
            _ => return Err(Badarg::because("expected remind Ms, cancel or sum N")),
        }
        self.run(port);
        Ok(())
    }

    fn timeout(&mut self, port: &Port) {
        self.run(port);
    }
}
