//! `queue_more_drv`: both ends of the driver queue. Bytes and binaries pushed at the front
//! (`push`, `push_binary`), `outputv` data queued at either end by reference
//! (`enqueue_iovec`, `push_iovec`), and data kept as an `OwnedIoVec` pushed from another
//! thread through a `QueueHandle`; ranges outside the data are errors the driver replies
//! with. `beam-tests/test/queue_more_tests.erl` drives it.
//!
//! Control commands are words, a verb and its arguments (`push_binary 2 5`); the command
//! number is unused.
#![forbid(unsafe_code)]

use erldrv::term::Atom;
use erldrv::{
    Badarg, Binary, Driver, IoVec, OwnedIoVec, Port, QueueError, QueueGuard, Reply, StartError,
    erl_driver,
};

static PUSHED: Atom = Atom::new("pushed");

/// What `outputv` does with its data.
#[derive(Clone, Copy)]
enum Mode {
    /// Appends it from this byte on (`enqueue_iovec`).
    Enqueue(usize),
    /// Puts it at the front from this byte on (`push_iovec`).
    Push(usize),
    /// Keeps it (`to_owned_iovec`), for `push_kept_from_thread` and `enqueue_kept`.
    Keep,
}

/// The state of a port.
pub struct QueueMore {
    mode: Mode,
    /// What the last `outputv` found: `shared`, `copied`, or the queue's error.
    last: String,
    kept: OwnedIoVec,
}

/// Whether the last segment of `data`, its largest binary in these tests, went into the
/// queue by reference: a queued slice points at its very bytes, and the binary has one
/// reference more than before `queue_it` ran. The queue's error otherwise.
fn queued_by_reference(
    port: &Port,
    data: &IoVec<'_>,
    queue_it: impl FnOnce(&mut QueueGuard<'_>) -> Result<(), QueueError>,
) -> String {
    let last = data.segments().last();
    let big = last.and_then(|s| s.binary());
    let before = big.as_ref().map(|(bin, _)| bin.ref_count());
    let mut q = port.queue();
    if let Err(e) = queue_it(&mut q) {
        return e.to_string();
    }
    let (Some(seg), Some((bin, _)), Some(before)) = (last, big, before) else {
        return "no binary".to_owned();
    };
    let same_bytes = q
        .slices()
        .iter()
        .any(|s| s.as_ptr() == seg.bytes().as_ptr() && s.len() == seg.bytes().len());
    let one_more = bin.ref_count() == before + 1;
    if same_bytes && one_more {
        "shared".to_owned()
    } else {
        format!(
            "copied (same bytes: {same_bytes}, refc {before} -> {})",
            bin.ref_count()
        )
    }
}

fn result_text(r: Result<(), QueueError>) -> String {
    r.map_or_else(|e| e.to_string(), |()| "ok".to_owned())
}

#[erl_driver]
impl Driver for QueueMore {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(QueueMore {
            mode: Mode::Enqueue(0),
            last: String::new(),
            kept: OwnedIoVec::default(),
        })
    }

    fn outputv(&mut self, port: &Port, data: IoVec<'_>) {
        self.last = match self.mode {
            Mode::Enqueue(skip) => {
                queued_by_reference(port, &data, |q| q.enqueue_iovec(&data, skip))
            }
            Mode::Push(skip) => queued_by_reference(port, &data, |q| q.push_iovec(&data, skip)),
            Mode::Keep => {
                self.kept = data.to_owned_iovec();
                "kept".to_owned()
            }
        };
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
        let numbers = || -> Result<Vec<usize>, Badarg> {
            arg.split_whitespace()
                .map(|n| n.parse().map_err(|_| Badarg))
                .collect()
        };
        match verb {
            "ping" => reply.extend_from_slice(b"pong"),
            "enqueue" => port.enqueue(arg.as_bytes()),
            "push" => port.push(arg.as_bytes()),
            // The whole queue, left queued.
            "contents" => {
                for s in port.queue().slices() {
                    reply.extend_from_slice(s);
                }
            }
            "queue_len" => reply.extend_from_slice(port.queue_len().to_string().as_bytes()),
            "clear" => {
                port.dequeue(usize::MAX);
            }
            "mode" => {
                let (how, skip) = arg.split_once(' ').unwrap_or((arg, "0"));
                let skip = skip.parse().map_err(|_| Badarg)?;
                self.mode = match how {
                    "enqueue_iovec" => Mode::Enqueue(skip),
                    "push_iovec" => Mode::Push(skip),
                    "keep" => Mode::Keep,
                    _ => return Err(Badarg),
                };
            }
            "last" => reply.extend_from_slice(self.last.as_bytes()),
            // `push_binary Offset Len` of the binary "0123456789".
            "push_binary" => {
                let [offset, len] = numbers()?[..] else {
                    return Err(Badarg);
                };
                let bin = Binary::from_slice(b"0123456789");
                reply
                    .extend_from_slice(result_text(port.push_binary(&bin, offset, len)).as_bytes());
            }
            // A binary pushed in front of queued bytes is the queue's first slice, its own
            // bytes, and the queue holds a reference: "Same RefcBefore RefcQueued RefcAfter".
            "push_binary_shared" => {
                let bin = Binary::from_slice(b"0123456789");
                let before = bin.ref_count();
                port.enqueue(b"tail");
                let mut q = port.queue();
                q.push_binary(&bin, 2, 5)
                    .map_err(|e| Badarg::because(e.to_string()))?;
                let first = q.slices().first().map(|s| (s.as_ptr(), s.len()));
                let same = first == Some((bin.as_slice()[2..].as_ptr(), 5));
                let queued = bin.ref_count();
                q.dequeue(usize::MAX);
                let after = bin.ref_count();
                let word = if same { "same" } else { "copied" };
                reply.extend_from_slice(format!("{word} {before} {queued} {after}").as_bytes());
            }
            "enqueue_kept" => {
                let [skip] = numbers()?[..] else {
                    return Err(Badarg);
                };
                reply.extend_from_slice(
                    result_text(port.enqueue_iovec(&self.kept, skip)).as_bytes(),
                );
            }
            // The kept data pushed at the front by another thread, under the port data
            // lock; the thread then sends the owner `{pushed, Result}`.
            "push_kept_from_thread" => {
                let [skip] = numbers()?[..] else {
                    return Err(Badarg);
                };
                let kept = std::mem::take(&mut self.kept);
                let queue = port.queue_handle();
                let sender = port.sender();
                erldrv::thread::spawn("pusher", move |_stop| {
                    let result = match queue.lock() {
                        Some(mut q) => result_text(q.push_iovec(&kept, skip)),
                        None => "closed".to_owned(),
                    };
                    let _ = sender.output_term(&(&PUSHED, result.as_str()));
                })
                .map(drop)
                .map_err(|_| Badarg)?;
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn flush(&mut self, port: &Port) {
        port.dequeue(usize::MAX);
    }
}
