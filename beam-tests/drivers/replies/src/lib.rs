//! `replies_drv`: what `control` and `call` hand back. Control replies of every size, in
//! list and binary mode, with the mode switched after a large reply was written, and
//! dropped on an error or a panic; call replies echoed, not valid terms, refused, larger
//! than the VM's reply buffer, grown piece by piece, or dropped by a panic while encoding.
//! Both callbacks panic on request.
//! `beam-tests/test/replies_tests.erl` drives it.
//!
//! Control commands are words, a verb and its argument (`reply_bytes 4096`); call requests
//! are terms, an atom or `{Atom, Argument}` (`{echo, Term}`). The command numbers are unused.
#![forbid(unsafe_code)]

use erldrv::term::{FromTerm, RawTerm, TermWriter, ToTerm};
use erldrv::{Badarg, CallError, Driver, Port, Reply, StartError, erl_driver};

/// Requests of `call`.
#[derive(FromTerm)]
pub enum Request<'a> {
    /// `{echo, Term}`: `Term`, unchanged.
    Echo(RawTerm<'a>),
    /// `invalid_term`: a reply that is not a valid term.
    InvalidTerm,
    /// `refuse`: an error for the caller.
    Refuse,
    /// `{binary_of, Thousands}`: that many thousand bytes, more than the VM's reply buffer
    /// holds. `call` decodes the count itself, so that a wrong one is its own decode error.
    BinaryOf(RawTerm<'a>),
    /// `{pieces, N}`: a list of N binaries of 1000 bytes, written piece by piece, so that
    /// the reply moves out of the VM's buffer and then grows several times.
    Pieces(u16),
    /// `{panic_after, Thousands}`: a binary of that many thousand bytes is encoded (more
    /// than the VM's buffer holds), then the encoding panics.
    PanicAfter(u8),
}

/// Replies of `call`.
pub enum CallOut<'a> {
    /// The arguments, unchanged.
    Echo(RawTerm<'a>),
    /// A tuple header announcing two elements followed by one: not a valid term.
    Broken,
    /// A binary of this many `z` bytes.
    Zs(usize),
    /// This many binaries of 1000 `p` bytes, in a list.
    Pieces(u16),
    /// A binary of this many bytes, then a panic.
    PanicAfter(usize),
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
            CallOut::Pieces(n) => {
                w.list(usize::from(*n));
                for _ in 0..*n {
                    w.binary(&[b'p'; 1000]);
                }
                w.nil();
            }
            CallOut::PanicAfter(n) => {
                w.binary(&vec![b'q'; *n]);
                panic!("deliberate panic while encoding a call reply");
            }
        }
    }
}

/// The state of a port.
pub struct Replies {
    /// Set by `panic_in control` or `panic_in call`.
    panic_in: Option<String>,
}

impl Replies {
    fn maybe_panic(&self, callback: &str) {
        if self.panic_in.as_deref() == Some(callback) {
            panic!("deliberate panic in {callback}");
        }
    }
}

fn parse_usize(arg: &str) -> Result<usize, Badarg> {
    arg.trim().parse().map_err(|_| Badarg)
}

#[erl_driver]
impl Driver for Replies {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Replies { panic_in: None })
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        self.maybe_panic("control");
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let (verb, arg) = words.split_once(' ').unwrap_or((words, ""));
        match verb {
            "ping" => reply.extend_from_slice(b"pong"),
            "panic_in" => self.panic_in = Some(arg.to_owned()),
            "reply_bytes" => {
                for i in 0..parse_usize(arg)? {
                    reply.push((i % 251) as u8);
                }
            }
            "binary_mode" => port.set_control_binary(arg == "on"),
            "inline_capacity" => {
                reply.extend_from_slice(reply.inline_capacity().to_string().as_bytes())
            }
            "badarg" => return Err(Badarg),
            "write_then_switch" => {
                // A reply too big for the inline buffer, then a mode switch: the VM reads the
                // reply in the new mode, so the framework must hand it over in that form.
                reply.extend_from_slice(&[b'm'; 1000]);
                port.set_control_binary(arg == "on");
            }
            "write_then_badarg" => {
                reply.extend_from_slice(&vec![7u8; 100_000]);
                return Err(Badarg);
            }
            "panic_after_write" => {
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
        _command: u32,
        request: Request<'a>,
    ) -> Result<CallOut<'a>, CallError> {
        self.maybe_panic("call");
        match request {
            Request::Echo(term) => Ok(CallOut::Echo(term)),
            Request::InvalidTerm => Ok(CallOut::Broken),
            Request::Refuse => Err(CallError::badarg("deliberate")),
            Request::BinaryOf(thousands) => Ok(CallOut::Zs(
                usize::from(thousands.decoder().decode::<u8>()?) * 1000,
            )),
            Request::Pieces(n) => Ok(CallOut::Pieces(n)),
            Request::PanicAfter(thousands) => {
                Ok(CallOut::PanicAfter(usize::from(thousands) * 1000))
            }
        }
    }
}
