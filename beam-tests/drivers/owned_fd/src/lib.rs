//! `owned_fd_drv`: descriptors handed to the VM with `select_owned`, in a driver that forbids
//! unsafe code. `beam-tests/test/owned_fd_tests.erl` drives it.
//!
//! The pipes of `OPEN` are watched from outside their port, through statics keyed by the
//! number of the read end: a `Weak` handle says whether anyone (the framework included) still
//! holds the read end, and the write end lets the test ask the OS whether a reader is left
//! (`EPIPE` once the read end is closed). So a test can look after the port has closed.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::io::{ErrorKind, PipeReader, PipeWriter, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use erldrv::{Badarg, Driver, Event, Port, Reply, SelectMode, StartError, erl_driver};

// control commands
const OPEN: u32 = 0;
const WRITE: u32 = 1;
const LET_GO: u32 = 2;
const DESELECT: u32 = 3;
const HELD: u32 = 4;
const SEEN_BY_STOP_SELECT: u32 = 5;
const PAIR: u32 = 6;
const PAIR_WRITE: u32 = 7;
const PING: u32 = 8;
const STEAL: u32 = 9;

/// A pipe of `OPEN`.
struct Watched {
    reader: Weak<PipeReader>,
    writer: PipeWriter,
}

/// The pipes of `OPEN`, by the number of their read end.
static WATCHED: Mutex<BTreeMap<RawFd, Watched>> = Mutex::new(BTreeMap::new());

/// For the read ends `stop_select` was called for: whether the read end was still held when
/// it ran.
static STOP_SELECTS: Mutex<BTreeMap<RawFd, bool>> = Mutex::new(BTreeMap::new());

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct Selector {
    /// The read end of the `OPEN` pipe: the port's own handle, until `LET_GO`.
    reader: Option<Arc<PipeReader>>,
    /// The same, without keeping it open.
    weak_reader: Weak<PipeReader>,
    /// The socket pair of `PAIR`: the selected end, and the end the driver writes to.
    pair: Option<(Arc<UnixStream>, UnixStream)>,
}

/// `std` has no `set_nonblocking` for pipes; `UnixStream`'s works on any descriptor, so the
/// end is lent to one for the call (ownership moves, nothing is duplicated).
fn nonblocking<T: Into<OwnedFd> + From<OwnedFd>>(end: T) -> std::io::Result<T> {
    let stream = UnixStream::from(end.into());
    stream.set_nonblocking(true)?;
    Ok(T::from(OwnedFd::from(stream)))
}

/// Reads until the descriptor would block; `true` with the data at end of file.
fn drain(mut from: impl Read) -> (Vec<u8>, bool) {
    let mut data = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        match from.read(&mut buf) {
            Ok(0) => return (data, true),
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return (data, false),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return (data, true),
        }
    }
}

fn fd_arg(data: &[u8]) -> Result<RawFd, Badarg> {
    std::str::from_utf8(data)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(Badarg)
}

fn tagged(tag: &[u8], data: &[u8]) -> Vec<u8> {
    [tag, data].concat()
}

impl Selector {
    fn open(&mut self, port: &Port) -> std::io::Result<RawFd> {
        let (reader, writer) = std::io::pipe()?;
        let reader = Arc::new(nonblocking(reader)?);
        let writer = nonblocking(writer)?;
        port.select_owned(reader.clone(), SelectMode::READ)?;
        let fd = reader.as_raw_fd();
        // The number may be a closed pipe's: forget what was seen of that one.
        lock(&STOP_SELECTS).remove(&fd);
        let watched = Watched {
            reader: Arc::downgrade(&reader),
            writer,
        };
        lock(&WATCHED).insert(fd, watched);
        self.weak_reader = Arc::downgrade(&reader);
        self.reader = Some(reader);
        Ok(fd)
    }

    /// Selects one end of a socket pair for reading and writing while the other end has
    /// already written: both conditions hold before the VM first polls it, so one poll result
    /// reports both, and the VM schedules `ready_output` and then `ready_input`.
    /// `ready_output` reads everything, so `ready_input` finds nothing: a spurious call.
    fn pair(&mut self, port: &Port) -> std::io::Result<()> {
        let (sock, peer) = UnixStream::pair()?;
        sock.set_nonblocking(true)?;
        (&peer).write_all(b"ping")?;
        let sock = Arc::new(sock);
        port.select_owned(sock.clone(), SelectMode::READ | SelectMode::WRITE)?;
        self.pair = Some((sock, peer));
        Ok(())
    }
}

#[erl_driver]
impl Driver for Selector {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Selector {
            reader: None,
            weak_reader: Weak::new(),
            pair: None,
        })
    }

    fn control(
        &mut self,
        port: &Port,
        command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        match command {
            OPEN => {
                let fd = self.open(port).map_err(|_| Badarg)?;
                reply.extend_from_slice(fd.to_string().as_bytes());
            }
            WRITE => {
                let split = data.iter().position(|b| *b == b':').ok_or(Badarg)?;
                let fd = fd_arg(&data[..split])?;
                let watched = lock(&WATCHED);
                let w = watched.get(&fd).ok_or(Badarg)?;
                let answer = match (&w.writer).write(&data[split + 1..]) {
                    Ok(n) => n.to_string(),
                    Err(e) if e.kind() == ErrorKind::BrokenPipe => "epipe".to_string(),
                    Err(e) => format!("{:?}", e.kind()),
                };
                reply.extend_from_slice(answer.as_bytes());
            }
            LET_GO => {
                self.reader = None;
                reply.extend_from_slice(b"ok");
            }
            DESELECT => {
                let Some(reader) = self.weak_reader.upgrade() else {
                    reply.extend_from_slice(b"gone");
                    return Ok(());
                };
                let ok = port.select(&reader, SelectMode::READ | SelectMode::USE, false);
                reply.extend_from_slice(if ok.is_ok() { b"ok" } else { b"refused" });
            }
            HELD => {
                let fd = fd_arg(data)?;
                let answer: &[u8] = match lock(&WATCHED).get(&fd) {
                    Some(w) if w.reader.strong_count() > 0 => b"held",
                    Some(_) => b"released",
                    None => b"unknown",
                };
                reply.extend_from_slice(answer);
            }
            SEEN_BY_STOP_SELECT => {
                let fd = fd_arg(data)?;
                let answer: &[u8] = match lock(&STOP_SELECTS).get(&fd) {
                    Some(true) => b"held",
                    Some(false) => b"released",
                    None => b"none",
                };
                reply.extend_from_slice(answer);
            }
            PAIR => {
                self.pair(port).map_err(|_| Badarg)?;
                reply.extend_from_slice(b"ok");
            }
            PAIR_WRITE => {
                let (_, peer) = self.pair.as_ref().ok_or(Badarg)?;
                (&*peer).write_all(data).map_err(|_| Badarg)?;
                reply.extend_from_slice(data.len().to_string().as_bytes());
            }
            PING => reply.extend_from_slice(b"pong"),
            STEAL => {
                // The read end of another port's pipe, shared through the static: this port
                // tries to select it, both ways.
                let fd = fd_arg(data)?;
                let reader = lock(&WATCHED)
                    .get(&fd)
                    .and_then(|w| w.reader.upgrade())
                    .ok_or(Badarg)?;
                let plain = port.select(&*reader, SelectMode::READ, true);
                let owned = port.select_owned(reader, SelectMode::READ);
                let kind = |r: std::io::Result<()>| match r {
                    Ok(()) => "selected".to_owned(),
                    Err(e) => format!("{:?}", e.kind()),
                };
                reply.extend_from_slice(format!("{},{}", kind(plain), kind(owned)).as_bytes());
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn ready_input(&mut self, port: &Port, event: Event) {
        // After `LET_GO` the framework holds the read end: reach it through the weak handle.
        if let Some(reader) = self.weak_reader.upgrade().filter(|r| event.is(r)) {
            let (data, end) = drain(&*reader);
            if !data.is_empty() {
                port.output(&tagged(b"in:", &data));
            }
            if end {
                port.select(&reader, SelectMode::READ | SelectMode::USE, false)
                    .expect("turning selection off");
            }
            return;
        }
        if let Some((sock, _)) = self.pair.as_ref().filter(|(s, _)| event.is(s)) {
            match drain(&**sock) {
                // Woken up for nothing: not an error, wait for the next call.
                (data, false) if data.is_empty() => port.output(b"spurious"),
                (data, _) => port.output(&tagged(b"in:", &data)),
            }
        }
    }

    fn ready_output(&mut self, port: &Port, event: Event) {
        if let Some((sock, _)) = self.pair.as_ref().filter(|(s, _)| event.is(s)) {
            let (data, _) = drain(&**sock);
            port.output(&tagged(b"drained:", &data));
            port.select(sock, SelectMode::WRITE, false)
                .expect("turning selection off");
        }
    }

    fn stop_select(event: Event) {
        let fd = event.as_raw_fd();
        let held = lock(&WATCHED).get(&fd).map(|w| w.reader.strong_count() > 0);
        if let Some(held) = held {
            lock(&STOP_SELECTS).insert(fd, held);
        }
    }
}
