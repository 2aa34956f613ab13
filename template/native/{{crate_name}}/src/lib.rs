//! `{{crate_name}}`: an Erlang linked-in driver written with erldrv. The client is
//! {% if build_tool == "mix" %}`lib/{{crate_name}}.ex`{% else %}`src/{{crate_name}}.erl`{% endif %}.
//!
//! Each port holds a counter, a signed 64-bit integer starting at 0:
//!
//! - `erlang:port_call(Port, 0, Request)`, typed: `{add, N}` adds the integer `N` and
//!   returns the new total, `total` returns it, `reset` sets it back to 0 and returns what
//!   it was. A request of another shape, or a total that would not fit 64 bits, is
//!   refused: the caller gets `{erldrv_badarg, Message}`, which `erldrv:call/3` raises as
//!   `error({badarg, Message})`.
//! - `port_command(Port, Data)` adds the number of bytes in `Data`, and the driver sends
//!   the port owner `{Port, {total, Total}}` (or `{Port, {error, overflow}}`, leaving the
//!   total as it was).
//!
//! And one request, for work too long to do on a scheduler: `erldrv:request(Port, 1, Data)`
//! computes the 64-bit FNV-1a hash of `Data` on the driver's worker pool, and the worker
//! sends `{ok, Hash}` to the caller alone. Any number of processes can have requests in
//! flight on one port; none waits for another's.

use erldrv::term::{Atom, FromTerm, TermBuilder, TermWriter, ToTerm};
use erldrv::{Badarg, CallError, Cancel, Driver, Port, Reply, StartError, erl_driver};

/// The state of one port.
pub struct Counter {
    total: i64,
    /// The message to the owner, kept so that its memory is reused.
    message: TermBuilder,
}

/// What `erlang:port_call(Port, 0, Request)` asks. The derive reads the Erlang term
/// into it, and refuses any other term with a message that says what was expected.
#[derive(FromTerm, Debug)]
pub enum Request {
    /// `{add, N}`: adds `N`; returns the new total.
    Add(i64),
    /// `total`: returns the total.
    Total,
    /// `reset`: sets the total to 0; returns the old total.
    Reset,
}

/// The command number of `port_call`; the only one the driver knows.
const REQUEST: u32 = 0;

/// The command of the hash request (`erldrv:request(Port, HASH, Data)`).
const HASH: u32 = 1;

static TOTAL: Atom = Atom::new("total");
static ERROR: Atom = Atom::new("error");
static OVERFLOW: Atom = Atom::new("overflow");
static CANCELLED: Atom = Atom::new("cancelled");

/// The 64-bit FNV-1a hash of `data`, run by a pool worker. It looks at its `Cancel` between
/// chunks: when the caller has given up (a timeout) or the port has closed, nobody wants
/// the hash any more.
fn hash(data: &[u8], cancel: &Cancel) -> Result<u64, &'static Atom> {
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

    fn call(&mut self, _port: &Port, command: u32, request: Request) -> Result<i64, CallError> {
        if command != REQUEST {
            return Err(CallError::badarg(format!(
                "unknown command {command}, expected {REQUEST}"
            )));
        }
        match request {
            Request::Add(n) => {
                self.total = self.total.checked_add(n).ok_or_else(|| {
                    CallError::badarg(format!(
                        "adding {n} to {} does not fit a 64-bit counter",
                        self.total
                    ))
                })?;
                Ok(self.total)
            }
            Request::Total => Ok(self.total),
            Request::Reset => Ok(std::mem::take(&mut self.total)),
        }
    }

    /// Requests come through `control`: `port.request()` takes the caller's, and `spawn`
    /// runs the job on the driver's worker pool and sends its result to the caller.
    fn control(
        &mut self,
        port: &Port,
        command: u32,
        data: &[u8],
        _reply: &mut Reply,
    ) -> Result<(), Badarg> {
        if command != HASH {
            return Err(Badarg::because(format!(
                "unknown command {command}, expected {HASH}"
            )));
        }
        let request = port
            .request()
            .ok_or(Badarg::because("send the hash with erldrv:request/3,4"))?;
        // The data is lent for this call only: the job gets its own copy.
        let data = data.to_vec();
        // When the queue is full, spawn has answered the caller {error, busy} already.
        let _ = request.spawn(move |cancel| hash(&data, cancel));
        Ok(())
    }
}
