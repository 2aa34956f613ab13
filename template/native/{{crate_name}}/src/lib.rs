//! `{{crate_name}}`: an Erlang linked-in driver written with erldrv.
//!
//! Each port holds a counter, a signed 64-bit integer starting at 0. The methods marked
//! `#[command]` are the driver's interface: the build generates the client module
//! {% if build_tool == "mix" %}`{{crate_name | pascal_case}}.Native` (`lib/{{crate_name}}/native.ex`){% else %}`{{crate_name}}_native` (`src/{{crate_name}}_native.erl`){% endif %} from their
//! signatures and doc comments, one function per command, with typespecs. Change a
//! signature here and the next build changes the client to match.
//!
//! Besides the commands, `port_command(Port, Data)` adds the number of bytes in `Data`,
//! and the driver sends the port owner `{Port, {total, Total}}` (or
//! `{Port, {error, overflow}}`, leaving the total as it was): a stream of data, answered
//! with messages, which the hand-written {% if build_tool == "mix" %}`{{crate_name | pascal_case}}.add_bytes/2`{% else %}`{{crate_name}}:add_bytes/2`{% endif %} wraps.

use erldrv::term::{Atom, TermBuilder, TermWriter, ToTerm};
use erldrv::{Cancel, Driver, Port, StartError, erl_driver};

/// The state of one port.
pub struct Counter {
    total: i64,
    /// The message to the owner, kept so that its memory is reused.
    message: TermBuilder,
}

static TOTAL: Atom = Atom::new("total");
static ERROR: Atom = Atom::new("error");
static OVERFLOW: Atom = Atom::new("overflow");
static CANCELLED: Atom = Atom::new("cancelled");

impl Counter {
    /// Sends the port owner `{Port, Payload}`.
    fn send(&mut self, port: &Port, payload: &impl ToTerm) {
        let m = &mut self.message;
        m.clear();
        m.tuple(2);
        m.port(port.id());
        m.value(payload);
        // Fails only while the port is closing, when there is no one left to tell.
        let _ = port.output_built(m);
    }
}

#[erl_driver(name = "{{crate_name}}")]
impl Driver for Counter {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Counter {
            total: 0,
            message: TermBuilder::new(),
        })
    }

    /// Adds `n` to the total and returns the new total, or an error saying why not when
    /// the total would not fit 64 bits (the total is then left as it was).
    #[command]
    fn add(&mut self, n: i64) -> Result<i64, String> {
        let Some(total) = self.total.checked_add(n) else {
            return Err(format!(
                "adding {n} to {} does not fit a 64-bit counter",
                self.total
            ));
        };
        self.total = total;
        Ok(total)
    }

    /// The total.
    #[command]
    fn total(&self) -> i64 {
        self.total
    }

    /// Sets the total back to 0 and returns what it was.
    #[command]
    fn reset(&mut self) -> i64 {
        std::mem::take(&mut self.total)
    }

    /// The 64-bit FNV-1a hash of `data`, computed on the driver's worker pool, off the
    /// schedulers: any number of processes can hash on one port at once, and each gets
    /// its own answer. Gives up with `cancelled` when the caller no longer waits (a
    /// timeout) or the port has closed.
    #[command(async)]
    fn hash(cancel: &Cancel, data: Vec<u8>) -> Result<u64, &'static Atom> {
        let mut h: u64 = 0xCBF2_9CE4_8422_2325;
        for chunk in data.chunks(64 * 1024) {
            if cancel.is_cancelled() {
                return Err(&CANCELLED);
            }
            for &byte in chunk {
                h = (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01B3);
            }
        }
        Ok(h)
    }

    fn output(&mut self, port: &Port, data: &[u8]) {
        let sum = i64::try_from(data.len())
            .ok()
            .and_then(|n| self.total.checked_add(n));
        match sum {
            Some(total) => {
                self.total = total;
                self.send(port, &(&TOTAL, total));
            }
            None => self.send(port, &(&ERROR, &OVERFLOW)),
        }
    }
}
