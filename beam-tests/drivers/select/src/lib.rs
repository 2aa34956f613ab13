//! `select_drv`: a pipe whose read end the VM watches for input and whose write end it
//! watches for output. `ready_input` and `ready_output` tell the owner, then deselect, which
//! makes the VM call `stop_select` (counted, control `count stop_select`) for each end. All
//! three panic on request. `bad_fd` and `bad_fd_owned` select a descriptor the VM cannot poll
//! (opened with `O_PATH`) and reply with the error. `beam-tests/test/select_tests.erl` drives
//! it.
//!
//! Control commands are words, a verb and its argument (`panic_in ready_input`); the command
//! number is unused.
#![forbid(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, PipeReader, PipeWriter, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use erldrv::{Badarg, Driver, Event, Port, Reply, SelectMode, StartError, erl_driver};

static STOP_SELECTS: AtomicU64 = AtomicU64::new(0);
/// Set by `panic_in stop_select`: `stop_select` has no port, so this holds for the driver.
static PANIC_IN_STOP_SELECT: AtomicBool = AtomicBool::new(false);

/// The state of a port.
pub struct Select {
    /// Set by `panic_in ready_input` or `panic_in ready_output`.
    panic_in: Option<String>,
    /// The pipe of `select`.
    pipe: Option<Pipe>,
}

impl Select {
    fn maybe_panic(&self, callback: &str) {
        if self.panic_in.as_deref() == Some(callback) {
            panic!("deliberate panic in {callback}");
        }
    }
}

/// The two ends of the pipe of `select`.
struct Pipe {
    reader: Arc<PipeReader>,
    writer: Arc<PipeWriter>,
}

/// Opens a pipe, hands its read end to the VM for read readiness and its write end for write
/// readiness, and makes the read end readable. The framework closes both ends after
/// `stop_select` (once the port has dropped its own handles too).
fn select_pipe(port: &Port) -> std::io::Result<Pipe> {
    let (reader, writer) = std::io::pipe()?;
    let (reader, writer) = (
        Arc::new(nonblocking(reader)?),
        Arc::new(nonblocking(writer)?),
    );
    (&*writer).write_all(b"x")?;
    port.select_owned(reader.clone(), SelectMode::READ)?;
    port.select_owned(writer.clone(), SelectMode::WRITE)?;
    Ok(Pipe { reader, writer })
}

/// A descriptor that is open but cannot be polled: `O_PATH` opens a path without opening
/// the file, and `poll(2)` (and the VM's `epoll`) reject it.
fn unpollable() -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH)
        .open("/")
}

/// What a select reported: `ok`, or the OS error number and the message.
fn outcome(result: std::io::Result<()>) -> String {
    match result {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("{:?}: {e}", e.raw_os_error()),
    }
}

/// `std` has no `set_nonblocking` for pipes; `UnixStream`'s works on any descriptor, so the
/// end is lent to one for the call (ownership moves, nothing is duplicated).
fn nonblocking<T: Into<OwnedFd> + From<OwnedFd>>(end: T) -> std::io::Result<T> {
    let stream = UnixStream::from(end.into());
    stream.set_nonblocking(true)?;
    Ok(T::from(OwnedFd::from(stream)))
}

#[erl_driver]
impl Driver for Select {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Select {
            panic_in: None,
            pipe: None,
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
            "panic_in" => match arg {
                "stop_select" => PANIC_IN_STOP_SELECT.store(true, Ordering::SeqCst),
                _ => self.panic_in = Some(arg.to_owned()),
            },
            "count" if arg == "stop_select" => {
                reply.extend_from_slice(STOP_SELECTS.load(Ordering::SeqCst).to_string().as_bytes())
            }
            "select" => self.pipe = Some(select_pipe(port).map_err(|_| Badarg)?),
            "bad_fd" => {
                let file = unpollable().map_err(|_| Badarg)?;
                let result = port.select(&file, SelectMode::READ | SelectMode::USE, true);
                reply.extend_from_slice(outcome(result).as_bytes());
            }
            "bad_fd_owned" => {
                let file = Arc::new(unpollable().map_err(|_| Badarg)?);
                let result = port.select_owned(file, SelectMode::READ);
                reply.extend_from_slice(outcome(result).as_bytes());
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn ready_input(&mut self, port: &Port, event: Event) {
        self.maybe_panic("ready_input");
        let Some(pipe) = &self.pipe else { return };
        if !event.is(&pipe.reader) {
            return;
        }
        let mut buf = [0u8; 16];
        if let Err(e) = (&*pipe.reader).read(&mut buf)
            && e.kind() == ErrorKind::WouldBlock
        {
            // Spurious wake-up: nothing to read yet.
            return;
        }
        port.select(&pipe.reader, SelectMode::READ | SelectMode::USE, false)
            .expect("turning selection off");
        port.output(b"ready_input");
    }

    fn ready_output(&mut self, port: &Port, event: Event) {
        self.maybe_panic("ready_output");
        let Some(pipe) = &self.pipe else { return };
        if !event.is(&pipe.writer) {
            return;
        }
        port.select(&pipe.writer, SelectMode::WRITE | SelectMode::USE, false)
            .expect("turning selection off");
        port.output(b"ready_output");
    }

    fn stop_select(_event: Event) {
        // The framework closes the descriptor (once the port's own handles are gone too).
        STOP_SELECTS.fetch_add(1, Ordering::SeqCst);
        if PANIC_IN_STOP_SELECT.load(Ordering::SeqCst) {
            panic!("deliberate panic in stop_select");
        }
    }
}
