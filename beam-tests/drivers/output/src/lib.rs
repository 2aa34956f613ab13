//! `output_drv`: data in and out without copying. `outputv` sends back what it gets (all of
//! it, or past a prefix), or keeps its binaries for later; `output_binary` sends part of a
//! driver binary; a busy port refuses writers. `outputv` panics on request.
//! `beam-tests/test/output_tests.erl` drives it.
//!
//! Control commands are words, a verb and its argument (`busy on`); the command number is
//! unused.
#![forbid(unsafe_code)]

use erldrv::{Badarg, Binary, Driver, IoVec, Port, Reply, StartError, erl_driver};

/// The state of a port.
pub struct Output {
    /// Set by `panic_in outputv`.
    panic_in_outputv: bool,
    /// Segments received by `outputv` after a `keep:` prefix: a binary reference, offset, length.
    kept: Vec<(Binary, usize, usize)>,
}

#[erl_driver]
impl Driver for Output {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Output {
            panic_in_outputv: false,
            kept: Vec::new(),
        })
    }

    fn outputv(&mut self, port: &Port, data: IoVec<'_>) {
        if self.panic_in_outputv {
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
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let (verb, arg) = words.split_once(' ').unwrap_or((words, ""));
        match verb {
            "ping" => reply.extend_from_slice(b"pong"),
            "panic_in" if arg == "outputv" => self.panic_in_outputv = true,
            "send_kept" => {
                for (bin, offset, len) in std::mem::take(&mut self.kept) {
                    port.output_binary(b"kept:", &bin, offset, len);
                }
            }
            "output_binary" => {
                // A driver binary, sent from byte 1 on behind a header.
                let bin = Binary::from_slice(arg.as_bytes());
                let skip = bin.len().min(1);
                port.output_binary(b"bin:", &bin, skip, bin.len() - skip);
            }
            "busy" => port.set_busy(arg == "on"),
            _ => return Err(Badarg),
        }
        Ok(())
    }
}
