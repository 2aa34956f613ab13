#![forbid(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io::{self, Write};

use erldrv::{Driver, IoVec, Port, StartError, erl_driver};

/// Above this many queued bytes the port is busy: senders wait.
const HIGH: usize = 256 * 1024;
/// Below this many it is not busy any more.
const LOW: usize = 64 * 1024;
/// At most this many bytes are written per millisecond: a slow device.
const CHUNK: usize = 16 * 1024;

/// One port: appends what the owner sends to a file, at its own pace. The data waits in
/// the driver queue, by reference, until it is written.
struct Spool {
    file: File,
}

impl Spool {
    /// Writes the front of the queue, at most `limit` bytes, straight from the queued
    /// binaries; returns what is left in the queue.
    fn write_some(&mut self, port: &Port, limit: usize) -> io::Result<usize> {
        let mut queue = port.queue();
        let Some(first) = queue.slices().first() else {
            return Ok(0);
        };
        let n = self.file.write(&first[..first.len().min(limit)])?;
        Ok(queue.dequeue(n))
    }
}

#[erl_driver(name = "spool_drv")]
impl Driver for Spool {
    // open_port({spawn_driver, "spool_drv /path/to/file"}, [binary])
    fn start(_port: &Port, command: &[u8]) -> Result<Self, StartError> {
        let command = std::str::from_utf8(command).map_err(|_| StartError::refused("not UTF-8"))?;
        let path = command.split_once(' ').map(|(_, path)| path);
        let path = path.ok_or(StartError::refused("usage: spool_drv Path"))?;
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Spool { file })
    }

    // port_command(Port, Data): queued by reference, written later.
    fn outputv(&mut self, port: &Port, data: IoVec<'_>) {
        let was_empty = port.queue_len() == 0;
        // The whole vector, from its first byte: in range, so this cannot fail.
        let _ = port.enqueue_iovec(&data, 0);
        if port.queue_len() > HIGH {
            port.set_busy(true);
        }
        if was_empty {
            port.set_timer(1);
        }
    }

    fn timeout(&mut self, port: &Port) {
        match self.write_some(port, CHUNK) {
            Ok(left) => {
                if left < LOW {
                    port.set_busy(false);
                }
                if left > 0 {
                    port.set_timer(1);
                }
            }
            Err(e) => port.exit(e.into()),
        }
    }

    // The port is closing with data queued: write all of it now. (The owner cannot be
    // told anything any more: a closing port sends no messages.)
    fn flush(&mut self, port: &Port) {
        loop {
            match self.write_some(port, usize::MAX) {
                Ok(0) => return,
                Ok(_) => {}
                Err(_) => {
                    // Nowhere to write: drop the rest, or the port never closes.
                    let mut queue = port.queue();
                    let all = queue.len();
                    queue.dequeue(all);
                    return;
                }
            }
        }
    }
}
