//! `probe_drv`: a test driver that writes every callback, counts each call in a static
//! (readable from Erlang with control `COUNT`), and panics in any callback on request.
//! `beam-tests/test/probe_tests.erl` drives it.

use std::ffi::CStr;
use std::io::{ErrorKind, PipeReader, PipeWriter, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use erldrv::term::{RawTerm, TermWriter, ToTerm};
use erldrv::{
    Badarg, Binary, CallError, Driver, Event, ExitReason, InitError, IoVec, Monitor, Port, Reply,
    SelectMode, StartError, erl_driver,
};

/// Every callback, in the order of `COUNTS`.
const CALLBACKS: [&str; 14] = [
    "init",
    "finish",
    "start",
    "stop",
    "outputv",
    "control",
    "call",
    "ready_async",
    "ready_input",
    "ready_output",
    "timeout",
    "flush",
    "process_exit",
    "stop_select",
];

static COUNTS: [AtomicU64; 14] = [const { AtomicU64::new(0) }; 14];
static PANIC_IN_FINISH: AtomicBool = AtomicBool::new(false);
static PANIC_IN_STOP_SELECT: AtomicBool = AtomicBool::new(false);

fn hit(callback: &str) {
    let i = CALLBACKS
        .iter()
        .position(|c| *c == callback)
        .expect("known callback");
    COUNTS[i].fetch_add(1, Ordering::SeqCst);
}

fn count(callback: &[u8]) -> Option<u64> {
    let i = CALLBACKS.iter().position(|c| c.as_bytes() == callback)?;
    Some(COUNTS[i].load(Ordering::SeqCst))
}

// control commands
const PING: u32 = 0;
const COUNT: u32 = 1;
const PANIC_IN: u32 = 2;
const TIMER: u32 = 3;
const READ_TIMER: u32 = 4;
const CANCEL_TIMER: u32 = 5;
const SELECT: u32 = 6;
const ASYNC: u32 = 7;
const MONITOR: u32 = 8;
const ENQUEUE: u32 = 9;
const EXIT: u32 = 10;
const BUSY: u32 = 11;
const CALLER_IS_OWNER: u32 = 12;
const REPLY_BYTES: u32 = 13;
const BINARY_MODE: u32 = 14;
const INLINE_CAPACITY: u32 = 15;
const BADARG: u32 = 16;
const WRITE_THEN_BADARG: u32 = 17;
const PANIC_AFTER_WRITE: u32 = 18;
const QUEUE_LEN: u32 = 19;
const WRITE_THEN_SWITCH: u32 = 20;
const OUTPUT_BINARY: u32 = 21;
const SEND_KEPT: u32 = 22;
const PEEK_AND_DEQUEUE: u32 = 23;
const MONITOR_THEN_DEMONITOR: u32 = 24;
const TIMESLICE: u32 = 25;
const SAME_ID: u32 = 26;
const SPAWN_FOR_OTHER_DRIVER: u32 = 27;

// call commands
const CALL_ECHO: u32 = 0;
const CALL_INVALID_TERM: u32 = 1;
const CALL_BADARG: u32 = 2;
const CALL_BINARY_OF: u32 = 3;

/// Replies of `call`.
pub enum CallOut<'a> {
    /// The arguments, unchanged.
    Echo(RawTerm<'a>),
    /// A tuple header announcing two elements followed by one: not a valid term.
    Broken,
    /// A binary of this many `z` bytes.
    Zs(usize),
}

impl ToTerm for CallOut<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            CallOut::Echo(t) => w.raw(*t),
            CallOut::Broken => {
                w.tuple(2);
                w.int(1);
            }
            CallOut::Zs(n) => w.binary(&vec![b'z'; *n]),
        }
    }
}

pub struct Probe {
    panic_in: Option<Vec<u8>>,
    /// Segments received by `outputv` after a `keep:` prefix: a binary reference, offset, length.
    kept: Vec<(Binary, usize, usize)>,
    /// The pipe of `SELECT`.
    pipe: Option<Pipe>,
}

impl Probe {
    fn new() -> Probe {
        Probe {
            panic_in: None,
            kept: Vec::new(),
            pipe: None,
        }
    }

    fn maybe_panic(&self, callback: &str) {
        if self.panic_in.as_deref() == Some(callback.as_bytes()) {
            panic!("deliberate panic in {callback}");
        }
    }
}

fn parse_u64(data: &[u8]) -> Result<u64, Badarg> {
    std::str::from_utf8(data)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or(Badarg)
}

fn exit_reason(data: &[u8]) -> Result<ExitReason, Badarg> {
    const ATOM: &CStr = c"probe_exit";
    Ok(match data {
        b"normal" => ExitReason::Normal,
        b"posix" => ExitReason::Posix(libc::ENOENT),
        b"atom" => ExitReason::Atom(ATOM),
        b"code" => ExitReason::Code(42),
        b"eof" => ExitReason::Eof,
        _ => return Err(Badarg),
    })
}

/// Opens a pipe, hands its read end to the VM for read readiness and its write end for write
/// readiness, and makes the read end readable. The framework closes both ends after
/// `stop_select` (once the probe has dropped its own handles too).
fn select_pipe(port: &Port) -> std::io::Result<Pipe> {
    let (reader, writer) = std::io::pipe()?;
    let (reader, writer) = (
        Arc::new(nonblocking(reader)?),
        Arc::new(nonblocking(writer)?),
    );
    (&*writer).write_all(b"x")?;
    let ok = port.select_owned(reader.clone(), SelectMode::READ)
        && port.select_owned(writer.clone(), SelectMode::WRITE);
    if ok {
        Ok(Pipe { reader, writer })
    } else {
        Err(std::io::ErrorKind::Other.into())
    }
}

/// `std` has no `set_nonblocking` for pipes; `UnixStream`'s works on any descriptor, so the
/// end is lent to one for the call (ownership moves, nothing is duplicated).
fn nonblocking<T: Into<OwnedFd> + From<OwnedFd>>(end: T) -> std::io::Result<T> {
    let stream = UnixStream::from(end.into());
    stream.set_nonblocking(true)?;
    Ok(T::from(OwnedFd::from(stream)))
}

/// The two ends of the pipe of `SELECT`.
struct Pipe {
    reader: Arc<PipeReader>,
    writer: Arc<PipeWriter>,
}

#[erl_driver]
impl Driver for Probe {
    type Async = Vec<u8>;

    fn init() -> Result<(), InitError> {
        hit("init");
        Ok(())
    }

    fn finish() {
        hit("finish");
        // The port is gone; the environment is how the test learns that finish ran.
        erldrv::env::set_var("PROBE_FINISH_CALLED", "yes");
        if PANIC_IN_FINISH.load(Ordering::SeqCst) {
            panic!("deliberate panic in finish");
        }
    }

    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> {
        hit("start");
        let arg = command.splitn(2, |b| *b == b' ').nth(1).unwrap_or(b"");
        match arg {
            b"panic" => panic!("deliberate panic in start"),
            b"enoent" => Err(StartError::Errno(libc::ENOENT)),
            b"badarg" => Err(StartError::Badarg),
            b"general" => Err(StartError::General),
            // Port actions from inside start: they take effect once start has returned.
            b"async" | b"async_timer" | b"exit" | b"timer" => {
                if arg.starts_with(b"async") {
                    port.spawn_async::<Self>(|| b"started".to_vec());
                }
                if arg.ends_with(b"timer") {
                    port.set_timer(10);
                }
                if arg == b"exit" {
                    port.exit(ExitReason::Atom(c"probe_exit"));
                }
                Ok(Probe::new())
            }
            _ => Ok(Probe::new()),
        }
    }

    fn stop(self, _port: &Port) {
        hit("stop");
        self.maybe_panic("stop");
    }

    fn outputv(&mut self, port: &Port, data: IoVec<'_>) {
        hit("outputv");
        self.maybe_panic("outputv");
        if data.to_vec() == b"panic" {
            panic!("deliberate panic in outputv");
        }
        let first = data
            .segments()
            .next()
            .map(|s| s.bytes())
            .unwrap_or_default();
        if first.starts_with(b"skip:") {
            // Skip the 5-byte prefix; a skip past the end sends the header alone.
            port.outputv(b"s:", data, 5);
            return;
        }
        if first.starts_with(b"skipall:") {
            port.outputv(b"s:", data, usize::MAX);
            return;
        }
        if first.starts_with(b"keep:") {
            // Keep the refc binaries past the callback, without copying them.
            for seg in data.segments().skip(1) {
                let (bin, offset) = seg.binary().expect("a large binary is passed by reference");
                self.kept.push((bin, offset, seg.bytes().len()));
            }
            return;
        }
        port.outputv(b"outputv:", data, 0);
    }

    fn control(
        &mut self,
        port: &Port,
        command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        hit("control");
        self.maybe_panic("control");
        match command {
            PING => reply.extend_from_slice(b"pong"),
            COUNT => reply.extend_from_slice(count(data).ok_or(Badarg)?.to_string().as_bytes()),
            PANIC_IN => match data {
                b"finish" => PANIC_IN_FINISH.store(true, Ordering::SeqCst),
                b"stop_select" => PANIC_IN_STOP_SELECT.store(true, Ordering::SeqCst),
                _ => self.panic_in = Some(data.to_vec()),
            },
            TIMER => port.set_timer(parse_u64(data)?),
            READ_TIMER => match port.read_timer() {
                Some(ms) => reply.extend_from_slice(ms.to_string().as_bytes()),
                None => reply.extend_from_slice(b"none"),
            },
            CANCEL_TIMER => port.cancel_timer(),
            SELECT => self.pipe = Some(select_pipe(port).map_err(|_| Badarg)?),
            ASYNC => {
                let mut job = data.to_vec();
                port.spawn_async::<Self>(move || {
                    if job == b"panic" {
                        panic!("deliberate panic in an async job");
                    }
                    job.reverse();
                    job
                });
            }
            MONITOR => {
                port.monitor_process(port.caller()).ok_or(Badarg)?;
            }
            ENQUEUE => port.enqueue(data),
            QUEUE_LEN => reply.extend_from_slice(port.queue_len().to_string().as_bytes()),
            EXIT => port.exit(exit_reason(data)?),
            BUSY => port.set_busy(data == b"on"),
            CALLER_IS_OWNER => {
                let same = port.caller() == port.connected();
                reply.extend_from_slice(if same { b"true" } else { b"false" });
            }
            REPLY_BYTES => {
                let n = parse_u64(data)? as usize;
                for i in 0..n {
                    reply.push((i % 251) as u8);
                }
            }
            BINARY_MODE => port.set_control_binary(data == b"on"),
            INLINE_CAPACITY => {
                reply.extend_from_slice(reply.inline_capacity().to_string().as_bytes())
            }
            BADARG => return Err(Badarg),
            OUTPUT_BINARY => {
                // A driver binary, sent from byte 1 on behind a header.
                let bin = Binary::from_slice(data);
                let skip = bin.len().min(1);
                port.output_binary(b"bin:", &bin, skip, bin.len() - skip);
            }
            SEND_KEPT => {
                for (bin, offset, len) in std::mem::take(&mut self.kept) {
                    port.output_binary(b"kept:", &bin, offset, len);
                }
            }
            PEEK_AND_DEQUEUE => {
                port.enqueue(data);
                let bin = Binary::from_slice(b"+bin");
                port.enqueue_binary(&bin, 1, 3);
                reply.extend_from_slice(&port.peek_queue());
                let left = port.dequeue(2);
                reply.extend_from_slice(format!("|{left}|").as_bytes());
                reply.extend_from_slice(&port.peek_queue());
                port.dequeue(left);
            }
            MONITOR_THEN_DEMONITOR => {
                let caller = port.caller();
                let m = port.monitor_process(caller).ok_or(Badarg)?;
                let watched = port.monitored_process(&m) == Some(caller);
                let removed = port.demonitor_process(&m);
                let again = port.demonitor_process(&m);
                reply.extend_from_slice(format!("{watched} {removed} {again}").as_bytes());
            }
            TIMESLICE => {
                let over = port.consume_timeslice(100);
                reply.extend_from_slice(if over { b"over" } else { b"more" });
            }
            SPAWN_FOR_OTHER_DRIVER => {
                // A mistake the types cannot catch: the job's result is not `Self::Async`.
                port.spawn_async::<Other>(|| String::from("wrong type"));
            }
            SAME_ID => {
                let same = port.id() == port.id() && port.id().as_raw() != 0;
                reply.extend_from_slice(if same { b"true" } else { b"false" });
            }
            WRITE_THEN_SWITCH => {
                // A reply too big for the inline buffer, then a mode switch: the VM reads the
                // reply in the new mode, so the framework must hand it over in that form.
                reply.extend_from_slice(&[b'm'; 1000]);
                port.set_control_binary(data == b"on");
            }
            WRITE_THEN_BADARG => {
                reply.extend_from_slice(&vec![7u8; 100_000]);
                return Err(Badarg);
            }
            PANIC_AFTER_WRITE => {
                reply.extend_from_slice(&vec![7u8; 100_000]);
                panic!("deliberate panic in control after a large reply");
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn call<'a>(
        &mut self,
        _port: &Port,
        command: u32,
        args: RawTerm<'a>,
    ) -> Result<CallOut<'a>, CallError> {
        hit("call");
        self.maybe_panic("call");
        match command {
            CALL_ECHO => Ok(CallOut::Echo(args)),
            CALL_INVALID_TERM => Ok(CallOut::Broken),
            CALL_BADARG => Err(CallError::badarg("deliberate")),
            // The argument is a count of thousands: reply with a binary of that many bytes,
            // which outgrows the VM's reply buffer.
            CALL_BINARY_OF => Ok(CallOut::Zs(
                usize::from(args.decoder().decode::<u8>()?) * 1000,
            )),
            _ => Err(CallError::badarg("unknown command")),
        }
    }

    fn ready_async(&mut self, port: &Port, result: Vec<u8>) {
        hit("ready_async");
        self.maybe_panic("ready_async");
        port.output2(b"ready_async:", &result);
    }

    fn ready_input(&mut self, port: &Port, event: Event) {
        hit("ready_input");
        self.maybe_panic("ready_input");
        let Some(pipe) = &self.pipe else { return };
        if !event.is(&pipe.reader) {
            return;
        }
        let mut buf = [0u8; 16];
        if let Err(e) = (&*pipe.reader).read(&mut buf) {
            if e.kind() == ErrorKind::WouldBlock {
                // Spurious wake-up: nothing to read yet.
                return;
            }
        }
        port.select(&pipe.reader, SelectMode::READ | SelectMode::USE, false);
        port.output(b"ready_input");
    }

    fn ready_output(&mut self, port: &Port, event: Event) {
        hit("ready_output");
        self.maybe_panic("ready_output");
        let Some(pipe) = &self.pipe else { return };
        if !event.is(&pipe.writer) {
            return;
        }
        port.select(&pipe.writer, SelectMode::WRITE | SelectMode::USE, false);
        port.output(b"ready_output");
    }

    fn timeout(&mut self, port: &Port) {
        hit("timeout");
        self.maybe_panic("timeout");
        port.output(b"timeout");
    }

    fn flush(&mut self, port: &Port) {
        hit("flush");
        self.maybe_panic("flush");
        port.dequeue(port.queue_len());
    }

    fn process_exit(&mut self, port: &Port, monitor: Monitor) {
        hit("process_exit");
        self.maybe_panic("process_exit");
        let _ = monitor;
        port.output(b"process_exit");
    }

    fn stop_select(_event: Event) {
        // The framework closes the descriptor (once the port's own handles are gone too).
        hit("stop_select");
        if PANIC_IN_STOP_SELECT.load(Ordering::SeqCst) {
            panic!("deliberate panic in stop_select");
        }
    }
}

/// Another driver type, only used to spawn a job of the wrong type (see
/// `SPAWN_FOR_OTHER_DRIVER`). It is not exported as a driver.
pub struct Other;

impl Driver for Other {
    type Async = String;
    type CallArgs<'a> = ();
    type CallReply<'a> = ();

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Other)
    }
}
