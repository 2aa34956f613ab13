//! `terms_drv`: term output. Each `control` command sends one message made of terms; the
//! first data byte says where: `0` to the port owner (`output_term` / `output_built`), `1`
//! to the caller (`send_term` / `send_built`). The reply is `ok`, `not_delivered`, or
//! `error: ` and the builder's message.
//!
//! `port_call` (any command number) takes the [`Request`]s below: `Pid`, `PortId` and
//! `OwnedTerm` as term values, on the scheduler and from an async job's thread.
//! `beam-tests/test/terms_tests.erl` drives it.

use std::collections::BTreeMap;

use erldrv::sys;
use erldrv::term::{
    Atom, AtomName, BuildError, Decoder, FromTerm, OwnedTerm, TermBuilder, TermWriter, ToTerm,
};
use erldrv::{
    Badarg, Binary, CallError, Driver, JobPanic, Pid, Port, Reply, StartError, erl_driver,
};

// control commands
const INTEGERS: u32 = 1;
const INT64: u32 = 2;
const FLOATS: u32 = 3;
const ATOMS: u32 = 4;
const PIDS_AND_PORT: u32 = 5;
const BINARIES: u32 = 6;
const LISTS: u32 = 7;
const CONTAINERS: u32 = 8;
const BITSTRINGS: u32 = 9;
const RAW: u32 = 10;
const LARGE: u32 = 11;
const REFUSED: u32 = 12;
const EQUAL_KEYS: u32 = 13;
const REMEMBER_CALLER: u32 = 14;
const SEND_TO_REMEMBERED: u32 = 15;
const REUSE: u32 = 16;
const MK_ATOM_UTF8: u32 = 17;
const EVERY_KIND: u32 = 18;
const MARKER: u32 = 19;

// where the message goes (first data byte)
const TO_OWNER: u8 = 0;
const TO_CALLER: u8 = 1;

static OK: Atom = Atom::new("ok");
static HELLO: Atom = Atom::new("héllo");
static RAW_TAG: Atom = Atom::new("raw");
static REUSED: Atom = Atom::new("reused");
static MARKER_TAG: Atom = Atom::new("marker");
static TAIL: Atom = Atom::new("tail");
static A: Atom = Atom::new("a");
static K: Atom = Atom::new("k");

static FROM_JOB: Atom = Atom::new("from_job");
static READY_ASYNC: Atom = Atom::new("ready_async");

/// What `port_call` asks for.
#[derive(FromTerm)]
pub enum Request<'a> {
    /// `{output_ids, X}`: the owner receives `{Port, Caller, X}`, a tuple of `port.id()`,
    /// `port.caller()` and `X` kept as an `OwnedTerm`. Replies `ok`.
    OutputIds(OwnedTerm),
    /// `{round_trip, X}`: an async job takes `X` and, from the pool's thread, sends the
    /// caller `{from_job, Port, Caller, X}` (`Sender::send_term`). The job's result, `X`
    /// again, reaches `ready_async`, which sends the caller `{ready_async, X}`. Replies `ok`.
    RoundTrip(OwnedTerm),
    /// `{from_ext, Bytes}`: replies the term `Bytes` encode (`OwnedTerm::from_ext`), or
    /// refuses with `not a term: ` and why.
    FromExt(&'a [u8]),
    /// `pid_in_reply`: replies with the caller's pid, which a reply cannot hold: a panic.
    PidInReply,
}

/// What `port_call` replies.
#[derive(ToTerm)]
pub enum Answer {
    /// `ok`.
    Ok,
    /// The term itself.
    #[term(transparent)]
    Term(OwnedTerm),
    /// A pid: never written (see `Request::PidInReply`).
    #[term(transparent)]
    Pid(Pid),
}

pub struct Terms {
    /// 200 bytes, 0 to 199, for sharing parts of without copying.
    shared: Binary,
    /// The builder `REUSE` keeps from message to message.
    kept: TermBuilder,
    remembered: Option<Pid>,
}

/// Sends a `ToTerm` value with `output_term` or `send_term`.
fn emit<T: ToTerm + ?Sized>(port: &Port, to: u8, value: &T) -> Result<(), BuildError> {
    match to {
        TO_OWNER => port.output_term(value),
        _ => port.send_term(port.caller(), value),
    }
}

/// Sends a prepared term with `output_built` or `send_built`.
fn emit_built(port: &Port, to: u8, b: &mut TermBuilder) -> Result<(), BuildError> {
    match to {
        TO_OWNER => port.output_built(b),
        _ => port.send_built(port.caller(), b),
    }
}

/// Builds with `f` in a fresh builder and sends.
fn built(port: &Port, to: u8, f: impl FnOnce(&mut TermBuilder)) -> Result<(), BuildError> {
    let mut b = TermBuilder::new();
    f(&mut b);
    emit_built(port, to, &mut b)
}

fn atom_name(name: &str) -> AtomName<'_> {
    AtomName::new(name).expect("a short atom name")
}

/// The terms a builder refuses, by number.
fn refused(b: &mut TermBuilder, which: u8, shared: &Binary) -> Result<(), Badarg> {
    match which {
        // A tuple of 3 with 2 elements.
        0 => {
            b.tuple(3);
            b.int(1);
            b.int(2);
        }
        // Two terms.
        1 => {
            b.atom(&OK);
            b.atom(&OK);
        }
        2 => {
            b.value(&[1.0, f64::NAN][..]);
        }
        3 => {
            b.value(&(1, f64::INFINITY));
        }
        4 => b.bitstring(b"a", 0),
        5 => b.shared_binary(shared, 150, 51),
        // Nothing.
        6 => {}
        // A list of 1 given 2 elements and a tail.
        7 => {
            b.list(1);
            b.int(1);
            b.int(2);
            b.nil();
        }
        _ => return Err(Badarg),
    }
    Ok(())
}

/// Sends `{reused, 0}`, `{reused, 1}`, `{reused, 1}` again from the same built term, then
/// `{reused, 2}` after a refused term: clearing starts over.
fn reuse(b: &mut TermBuilder, port: &Port, to: u8) -> Result<(), BuildError> {
    for i in 0..2 {
        b.clear();
        b.tuple(2);
        b.atom(&REUSED);
        b.int(i);
        emit_built(port, to, b)?;
    }
    emit_built(port, to, b)?;
    b.clear();
    b.float(f64::NAN);
    assert!(emit_built(port, to, b).is_err(), "a NaN was sent");
    b.clear();
    b.value(&(&REUSED, 2));
    emit_built(port, to, b)
}

/// One of each spec kind, in one tuple.
fn every_kind(b: &mut TermBuilder, port: &Port, shared: &Binary) {
    b.tuple(17);
    b.atom(&OK); // ATOM
    b.int(-1); // INT
    b.uint(u64::MAX); // UINT
    b.int64(i64::MIN); // INT64
    b.uint64(u64::MAX); // UINT64
    b.float(0.5); // FLOAT
    b.port(port.id()); // PORT
    b.pid(port.caller()); // PID
    b.shared_binary(shared, 150, 50); // BINARY
    b.binary(b"copied"); // BUF2BINARY
    b.byte_list(b"str"); // STRING
    b.string_cons(b"con"); // STRING_CONS
    b.byte_list(b"s");
    b.list(1); // LIST
    b.int(1);
    b.nil(); // NIL
    b.tuple(1); // TUPLE
    b.int(2);
    b.map(1); // MAP
    b.int(3);
    b.int(4);
    b.nil();
    b.value(&(1u128 << 100)); // EXT2TERM
}

impl Terms {
    fn send(
        &mut self,
        port: &Port,
        cmd: u32,
        to: u8,
        args: &[u8],
    ) -> Result<Result<(), BuildError>, Badarg> {
        Ok(match cmd {
            INTEGERS => emit(
                port,
                to,
                &(
                    i64::MIN,
                    i64::MAX,
                    u64::MAX,
                    0i32,
                    -1i8,
                    u128::MAX,
                    i128::MIN,
                    1u128 << 64,
                    -(1i128 << 64),
                ),
            ),
            INT64 => built(port, to, |b| {
                b.tuple(4);
                b.int64(i64::MIN);
                b.int64(-1);
                b.uint64(u64::MAX);
                b.uint64(0);
            }),
            FLOATS => emit(port, to, &vec![1.5, -0.0, f64::MAX, 5e-324, -2.25]),
            ATOMS => emit(
                port,
                to,
                &(
                    &OK,
                    &HELLO,
                    atom_name("erldrv_runtime_atom"),
                    atom_name("rün_time"),
                    atom_name("nul\0inside"),
                    true,
                    None::<i32>,
                ),
            ),
            PIDS_AND_PORT => built(port, to, |b| {
                b.tuple(3);
                b.pid(port.caller());
                b.pid(port.connected());
                b.port(port.id());
            }),
            BINARIES => built(port, to, |b| {
                b.tuple(5);
                b.value("copied");
                b.shared_binary(&self.shared, 10, 100);
                b.shared_binary(&self.shared, 3, 4);
                b.value(&self.shared);
                b.binary(b"");
            }),
            LISTS => built(port, to, |b| {
                b.tuple(7);
                b.byte_list(b"abc");
                b.byte_list(b"");
                b.string_cons(b"abc");
                b.string_cons(b"12");
                b.byte_list(b"3");
                b.string_cons(b"xy");
                b.atom(&OK);
                // [1, 2 | 3]
                b.list(2);
                b.int(1);
                b.int(2);
                b.int(3);
                // A list of no elements is its tail.
                b.list(0);
                b.atom(&TAIL);
                // [[]]
                b.list(1);
                b.nil();
                b.nil();
            }),
            CONTAINERS => {
                if args == b"builder" {
                    // {[], {}, #{}, [1, [2, [3]]], #{a => [1], {k} => #{}}}
                    built(port, to, |b| {
                        b.tuple(5);
                        b.nil();
                        b.tuple(0);
                        b.map(0);
                        b.list(2);
                        b.int(1);
                        b.list(2);
                        b.int(2);
                        b.list(1);
                        b.int(3);
                        b.nil();
                        b.nil();
                        b.nil();
                        b.map(2);
                        b.atom(&A);
                        b.list(1);
                        b.int(1);
                        b.nil();
                        b.tuple(1);
                        b.atom(&K);
                        b.map(0);
                    })
                } else {
                    let map = BTreeMap::from([("a", vec![1, 2]), ("b", vec![])]);
                    emit(
                        port,
                        to,
                        &(
                            Vec::<i32>::new(),
                            (),
                            BTreeMap::<i32, i32>::new(),
                            vec![vec![1], vec![]],
                            map,
                        ),
                    )
                }
            }
            BITSTRINGS => built(port, to, |b| {
                b.tuple(3);
                b.bitstring(&[0b1000_0000], 1);
                b.bitstring(&[255, 0b1100_0000], 2);
                b.bitstring(b"ab", 8);
            }),
            RAW => {
                let mut d = Decoder::new(args).map_err(|_| Badarg)?;
                let raw = d.raw().map_err(|_| Badarg)?;
                emit(port, to, &(&RAW_TAG, raw))
            }
            LARGE => built(port, to, |b| {
                b.tuple(5);
                b.tuple(1000);
                for i in 0..1000 {
                    b.int(i);
                }
                b.value(&(0..100_000).collect::<Vec<i64>>());
                b.value(&(0..40).map(|i| (i, i * i)).collect::<BTreeMap<i64, i64>>());
                b.byte_list(&vec![b'x'; 70_000]);
                b.binary(&vec![7; 100_000]);
            }),
            REFUSED => {
                let mut b = TermBuilder::new();
                refused(&mut b, *args.first().ok_or(Badarg)?, &self.shared)?;
                emit_built(port, to, &mut b)
            }
            // The builder cannot see that two keys are equal; the VM can.
            EQUAL_KEYS => built(port, to, |b| {
                b.map(2);
                b.atom(&A);
                b.int(1);
                b.atom(&A);
                b.int(2);
            }),
            REMEMBER_CALLER => {
                self.remembered = Some(port.caller());
                Ok(())
            }
            SEND_TO_REMEMBERED => {
                let pid = self.remembered.ok_or(Badarg)?;
                port.send_term(pid, &OK)
            }
            REUSE => reuse(&mut self.kept, port, to),
            // What `driver_mk_atom` makes of UTF-8 bytes: it reads them as Latin-1.
            MK_ATOM_UTF8 => {
                let name = c"h\xc3\xa9llo";
                // SAFETY: scheduler thread inside a callback; a NUL-terminated name.
                let atom = unsafe { sys::driver_mk_atom(name.as_ptr().cast_mut()) };
                let mut spec = [sys::ERL_DRV_ATOM, atom];
                // SAFETY: a valid two-word spec, live for the call.
                let r =
                    unsafe { sys::erl_drv_output_term(port.id().as_raw(), spec.as_mut_ptr(), 2) };
                return if r == 1 { Ok(Ok(())) } else { Err(Badarg) };
            }
            EVERY_KIND => built(port, to, |b| every_kind(b, port, &self.shared)),
            MARKER => emit(port, to, &MARKER_TAG),
            _ => return Err(Badarg),
        })
    }
}

#[erl_driver]
impl Driver for Terms {
    /// The caller of `round_trip`, and its term.
    type Async = (Pid, OwnedTerm);

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        let mut shared = Binary::new(200);
        let bytes = shared.get_mut().expect("a new binary is not shared");
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = i as u8;
        }
        Ok(Terms {
            shared,
            kept: TermBuilder::new(),
            remembered: None,
        })
    }

    fn control(
        &mut self,
        port: &Port,
        cmd: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let (&to, args) = data.split_first().ok_or(Badarg)?;
        if to != TO_OWNER && to != TO_CALLER {
            return Err(Badarg);
        }
        match self.send(port, cmd, to, args)? {
            Ok(()) => reply.extend_from_slice(b"ok"),
            Err(e) if e.is_not_delivered() => reply.extend_from_slice(b"not_delivered"),
            Err(e) => reply.extend_from_slice(format!("error: {e}").as_bytes()),
        }
        Ok(())
    }

    fn call<'a>(
        &mut self,
        port: &Port,
        _command: u32,
        request: Request<'a>,
    ) -> Result<Answer, CallError> {
        let sent = |r: Result<(), BuildError>| {
            r.map(|()| Answer::Ok)
                .map_err(|e| CallError::badarg(e.to_string()))
        };
        match request {
            Request::OutputIds(x) => sent(port.output_term(&(port.id(), port.caller(), &x))),
            Request::RoundTrip(x) => {
                let (sender, caller) = (port.sender(), port.caller());
                self.spawn_async(port, move || {
                    // Not delivered only if the caller has gone: nobody to tell.
                    let _ = sender.send_term(caller, &(&FROM_JOB, sender.port_id(), caller, &x));
                    (caller, x)
                });
                Ok(Answer::Ok)
            }
            Request::FromExt(bytes) => OwnedTerm::from_ext(bytes)
                .map(Answer::Term)
                .map_err(|e| CallError::badarg(format!("not a term: {e}"))),
            Request::PidInReply => Ok(Answer::Pid(port.caller())),
        }
    }

    fn ready_async(&mut self, port: &Port, result: Result<(Pid, OwnedTerm), JobPanic>) {
        if let Ok((caller, x)) = result {
            let _ = port.send_term(caller, &(&READY_ASYNC, x));
        }
    }
}
