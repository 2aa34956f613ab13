//! `queue_drv`: the driver queue, filled, read in place, peeked at and emptied; `flush`
//! (counted, control `count flush`) runs when a port closes with data queued, and panics on
//! request. Threads use the queue through a `QueueHandle`: a producer, a consumer, a handle
//! made in `start` (opened as `queue_drv handle`) or in `stop`, and a handle kept after its
//! port has closed. `beam-tests/test/queue_tests.erl` and
//! `queue_handle_tests.erl` drive it.
//!
//! Control commands are words, a verb and its argument (`enqueue abc`); the command number
//! is unused.
#![forbid(unsafe_code)]

use std::io::{IoSlice, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use erldrv::term::Atom;
use erldrv::{
    Badarg, Binary, Driver, Port, QueueGuard, QueueHandle, Reply, StartError, erl_driver,
};

static FLUSHES: AtomicU64 = AtomicU64::new(0);

/// A handle kept by `keep_handle` after its port is gone (`use_kept`).
static KEPT: Mutex<Option<QueueHandle>> = Mutex::new(None);

/// What `lock` answered on a handle made in `stop` (`handle_in_stop`): `closed` or `open`.
static IN_STOP: Mutex<&'static str> = Mutex::new("none");

static PRODUCED: Atom = Atom::new("produced");
static CONSUMED: Atom = Atom::new("consumed");
static CLOSED: Atom = Atom::new("closed");

/// Bytes per record of the producer and the consumer: `T0000042`, `S0000042`.
const RECORD: usize = 8;

/// The state of a port.
pub struct Queue {
    /// Set by `panic_in flush`.
    panic_in_flush: bool,
    /// Set by `handle_in_stop`.
    handle_in_stop: bool,
}

/// Byte `i` of the data `fill` queues: a pattern that shows a lost, repeated or reordered
/// byte (251 is prime, so it never lines up with segment sizes).
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// Queues `total` bytes of the pattern in segments of many sizes, alternating between
/// copies (`enqueue`) and shared binaries (`enqueue_binary`, from an offset).
fn fill(queue: &mut QueueGuard<'_>, total: usize) {
    let mut at = 0;
    let mut size = 1;
    while at < total {
        let n = size.min(total - at);
        let bytes: Vec<u8> = (at..at + n).map(pattern).collect();
        if size % 2 == 0 {
            queue.enqueue(&bytes);
        } else {
            let bin = Binary::from_slice(&[&[0xEE, 0xEE, 0xEE][..], &bytes].concat());
            queue
                .enqueue_binary(&bin, 3, n)
                .expect("the range is inside the binary");
        }
        at += n;
        size = size % 4093 + 977;
    }
}

/// The first `max` bytes of the queue as I/O slices, the last one cut to fit.
fn first<'a>(slices: &'a [IoSlice<'a>], max: usize) -> Vec<IoSlice<'a>> {
    let mut out = Vec::new();
    let mut left = max;
    for s in slices {
        if left == 0 {
            break;
        }
        let take = s.len().min(left);
        out.push(IoSlice::new(&s[..take]));
        left -= take;
    }
    out
}

/// Whole records at the front of the queue, copied out and dequeued.
fn take_records(queue: &mut QueueGuard<'_>) -> Vec<u8> {
    let whole = queue.len() / RECORD * RECORD;
    let mut out = Vec::with_capacity(whole);
    for s in first(queue.slices(), whole) {
        out.extend_from_slice(&s);
    }
    queue.dequeue(whole);
    out
}

fn spawn_producer(port: &Port, records: usize) -> Result<(), Badarg> {
    let queue = port.queue_handle();
    let sender = port.sender();
    erldrv::thread::spawn("producer", move |stop| {
        let mut next = 0;
        while next < records && !stop.is_stopped() {
            let Some(mut q) = queue.lock() else {
                let _ = sender.output_term(&(&CLOSED, next));
                return;
            };
            // A few records per lock, so that the scheduler's reads interleave.
            for _ in 0..7.min(records - next) {
                q.enqueue(format!("T{next:07}").as_bytes());
                next += 1;
            }
            drop(q);
            std::thread::yield_now();
        }
        let _ = sender.output_term(&(&PRODUCED, next));
    })
    .map(drop)
    .map_err(|_| Badarg)
}

fn spawn_consumer(port: &Port, records: usize) -> Result<(), Badarg> {
    let queue = port.queue_handle();
    let sender = port.sender();
    erldrv::thread::spawn("consumer", move |stop| {
        let mut seen = 0;
        while seen < records && !stop.is_stopped() {
            let Some(mut q) = queue.lock() else {
                let _ = sender.output_term(&(&CLOSED, seen));
                return;
            };
            let got = take_records(&mut q);
            drop(q);
            if got.is_empty() {
                // Idle until the scheduler queues more (`put`).
                stop.wait_timeout(Duration::from_millis(1));
                continue;
            }
            seen += got.len() / RECORD;
            let _ = sender.output_term(&(&CONSUMED, Binary::from_slice(&got)));
        }
    })
    .map(drop)
    .map_err(|_| Badarg)
}

#[erl_driver]
impl Driver for Queue {
    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> {
        // Opened as `queue_drv handle`: a handle made in start, used there.
        if command.ends_with(b" handle") {
            let handle = port.queue_handle();
            let mut q = handle.lock().ok_or(StartError::General)?;
            q.enqueue(b"from start");
        }
        Ok(Queue {
            panic_in_flush: false,
            handle_in_stop: false,
        })
    }

    fn stop(self, port: &Port) {
        if self.handle_in_stop {
            let answer = if port.queue_handle().lock().is_none() {
                "closed"
            } else {
                "open"
            };
            *IN_STOP.lock().unwrap_or_else(PoisonError::into_inner) = answer;
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
        let number = || arg.trim().parse::<usize>().map_err(|_| Badarg);
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
                port.enqueue_binary(&bin, 1, 3)
                    .expect("the range is inside the binary");
                #[allow(deprecated)]
                reply.extend_from_slice(&port.peek_queue());
                let left = port.dequeue(2);
                reply.extend_from_slice(format!("|{left}|").as_bytes());
                for s in port.queue().slices() {
                    reply.extend_from_slice(s);
                }
                port.dequeue(left);
            }
            // The view points into the queued binary itself.
            "zero_copy" => {
                let bin = Binary::from_slice(b"0123456789");
                let mut q = port.queue();
                q.enqueue_binary(&bin, 3, 5)
                    .expect("the range is inside the binary");
                let same = q
                    .slices()
                    .last()
                    .is_some_and(|s| s.as_ptr() == bin.as_slice()[3..].as_ptr() && s.len() == 5);
                let left = q.len();
                q.dequeue(left);
                reply.extend_from_slice(if same { b"same" } else { b"copied" });
            }
            "fill" => fill(&mut port.queue(), number()?),
            // Up to N bytes from the front, written with `write_vectored` straight from the
            // queue, sent to the owner and dequeued; replies with the bytes left.
            "drain_step" => {
                let mut q = port.queue();
                let mut chunk = Vec::new();
                let written = chunk
                    .write_vectored(&first(q.slices(), number()?))
                    .map_err(|_| Badarg)?;
                port.output(&chunk);
                let left = q.dequeue(written);
                reply.extend_from_slice(left.to_string().as_bytes());
            }
            "produce" => spawn_producer(port, number()?)?,
            // Whole records the producer has queued so far, sent to the owner; replies with
            // how many bytes were sent.
            "drain_records" => {
                let got = take_records(&mut port.queue());
                if !got.is_empty() {
                    port.output(&got);
                }
                reply.extend_from_slice(got.len().to_string().as_bytes());
            }
            "consume" => spawn_consumer(port, number()?)?,
            "put" => port.enqueue(arg.as_bytes()),
            "keep_handle" => {
                let handle = port.queue_handle();
                let mut q = handle.lock().ok_or(Badarg)?;
                q.enqueue(b"kept");
                drop(q);
                *KEPT.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
            }
            // The kept handle, used here and on another thread.
            "use_kept" => {
                let kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner).clone();
                let handle = kept.ok_or(Badarg)?;
                let here = handle.lock().map(|q| q.len());
                let there =
                    std::thread::scope(|s| s.spawn(|| handle.lock().map(|q| q.len())).join());
                let there = there.map_err(|_| Badarg)?;
                let show = |r: Option<usize>| r.map_or("closed".to_owned(), |n| n.to_string());
                reply.extend_from_slice(format!("{},{}", show(here), show(there)).as_bytes());
            }
            "handle_in_stop" => self.handle_in_stop = true,
            "in_stop" => {
                let answer = *IN_STOP.lock().unwrap_or_else(PoisonError::into_inner);
                reply.extend_from_slice(answer.as_bytes());
            }
            // Misuse that would hang the VM without the framework's checks: each panics.
            "guard_then_monitor" => {
                let _handle = port.queue_handle();
                let _q = port.queue();
                let _ = port.monitor_process(port.caller());
            }
            "guard_twice" => {
                let _a = port.queue();
                let _b = port.queue();
            }
            "guard_then_lock" => {
                let handle = port.queue_handle();
                let _q = port.queue();
                let _again = handle.lock();
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
