//! `queue_drv`: the driver queue, filled, peeked at and emptied; `flush` (counted, control
//! `count flush`) runs when a port closes with data queued, and panics on request.
//! `beam-tests/test/queue_tests.erl` drives it.
//!
//! Control commands are words, a verb and its argument (`enqueue abc`); the command number
//! is unused.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use erldrv::{Badarg, Binary, Driver, Port, Reply, StartError, erl_driver};

static FLUSHES: AtomicU64 = AtomicU64::new(0);

/// The state of a port.
pub struct Queue {
    /// Set by `panic_in flush`.
    panic_in_flush: bool,
}

#[erl_driver]
impl Driver for Queue {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Queue {
            panic_in_flush: false,
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
            "panic_in" if arg == "flush" => self.panic_in_flush = true,
            "count" if arg == "flush" => {
                reply.extend_from_slice(FLUSHES.load(Ordering::SeqCst).to_string().as_bytes())
            }
            "enqueue" => port.enqueue(arg.as_bytes()),
            "queue_len" => reply.extend_from_slice(port.queue_len().to_string().as_bytes()),
            "peek_and_dequeue" => {
                port.enqueue(arg.as_bytes());
                let bin = Binary::from_slice(b"+bin");
                port.enqueue_binary(&bin, 1, 3);
                reply.extend_from_slice(&port.peek_queue());
                let left = port.dequeue(2);
                reply.extend_from_slice(format!("|{left}|").as_bytes());
                reply.extend_from_slice(&port.peek_queue());
                port.dequeue(left);
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn flush(&mut self, port: &Port) {
        FLUSHES.fetch_add(1, Ordering::SeqCst);
        if self.panic_in_flush {
            panic!("deliberate panic in flush");
        }
        port.dequeue(port.queue_len());
    }
}
