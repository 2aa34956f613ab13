#![forbid(unsafe_code)]

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::Arc;

use erldrv::{Driver, Event, Port, SelectMode, StartError, erl_driver};

/// One port: a connected pair of sockets. What the owner sends is written into one end;
/// the VM tells the driver when the other end is readable, and what it reads there goes
/// back to the owner.
struct Loopback {
    writer: Arc<UnixStream>,
    reader: Arc<UnixStream>,
    /// Bytes the writer could not take yet.
    pending: Vec<u8>,
}

impl Loopback {
    /// Writes what is pending until done or until the socket is full, and has the VM call
    /// `ready_output` only while something is left.
    fn write_pending(&mut self, port: &Port) {
        while !self.pending.is_empty() {
            match (&*self.writer).write(&self.pending) {
                Ok(n) => drop(self.pending.drain(..n)),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return port.exit(e.into()),
            }
        }
        let more = !self.pending.is_empty();
        // A descriptor the driver holds: turning WRITE on or off cannot fail.
        let _ = port.select(&*self.writer, SelectMode::WRITE, more);
    }
}

#[erl_driver(name = "loopback_drv")]
impl Driver for Loopback {
    fn start(port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        let (writer, reader) = UnixStream::pair()?;
        writer.set_nonblocking(true)?;
        reader.set_nonblocking(true)?;
        let (writer, reader) = (Arc::new(writer), Arc::new(reader));
        // The framework keeps a reference to each, and closes them only once the VM is
        // done with them, also when the port closes first.
        port.select_owned(Arc::clone(&reader), SelectMode::READ)?;
        port.select_owned(Arc::clone(&writer), SelectMode::WRITE)?;
        Ok(Loopback {
            writer,
            reader,
            pending: Vec::new(),
        })
    }

    fn output(&mut self, port: &Port, data: &[u8]) {
        self.pending.extend_from_slice(data);
        self.write_pending(port);
    }

    fn ready_output(&mut self, port: &Port, event: Event) {
        if event.is(&*self.writer) {
            self.write_pending(port);
        }
    }

    fn ready_input(&mut self, port: &Port, event: Event) {
        if !event.is(&*self.reader) {
            return;
        }
        let mut buf = [0; 8192];
        loop {
            match (&*self.reader).read(&mut buf) {
                Ok(0) => return,
                Ok(n) => port.output(&buf[..n]),
                // All read, or a spurious call: wait for the next one.
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return port.exit(e.into()),
            }
        }
    }
}
