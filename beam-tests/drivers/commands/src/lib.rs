//! `commands_drv`: typed commands of every kind, called from `commands_tests.erl`
//! through `erldrv:command/3`, `erldrv:command_async/4` and `port_control/3`, with the
//! numbers read from `erldrv:commands/1`.
//!
//! The state is a counter and a name, so that sync commands show they run on the port's
//! state (`&mut self` and `&self`).
#![forbid(unsafe_code)]

use std::time::Duration;

use erldrv::term::{Atom, AtomName};
use erldrv::{Binary, Cancel, Driver, Port, StartError, erl_driver};

static ADDED: Atom = Atom::new("added");

pub struct Commands {
    total: i64,
    name: String,
}

#[erl_driver(name = "commands_drv", workers = 4, queue = 4096)]
impl Driver for Commands {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Commands {
            total: 0,
            name: String::new(),
        })
    }

    /// Adds `n` to the port's total and returns the new total.
    #[command]
    fn add(&mut self, n: i64) -> i64 {
        self.total += n;
        self.total
    }

    /// The port's total, tagged: `{added, Total}`.
    #[command]
    fn total(&self) -> (&'static Atom, i64) {
        (&ADDED, self.total)
    }

    /// Sets the port's name; returns `ok`.
    #[command]
    fn set_name(&mut self, name: &str) {
        self.name = name.to_owned();
    }

    /// The port's name, `undefined` before `set_name`.
    #[command]
    fn name(&self) -> Option<&str> {
        (!self.name.is_empty()).then_some(self.name.as_str())
    }

    /// The byte size of a binary and the length of a list of integers.
    #[command]
    fn sizes(data: &[u8], list: Vec<i32>) -> (usize, usize) {
        (data.len(), list.len())
    }

    /// An atom and a tuple, swapped.
    #[command]
    fn swap<'a>(a: AtomName<'a>, pair: (u8, String)) -> ((String, u8), AtomName<'a>) {
        ((pair.1, pair.0), a)
    }

    /// `Some(n + 1)` for `Some(n)`.
    #[command]
    fn next(n: Option<u32>) -> Option<u64> {
        n.map(|n| u64::from(n) + 1)
    }

    /// `n / d`, or `{error, divide_by_zero}`.
    #[command]
    fn divide(n: i64, d: i64) -> Result<i64, &'static Atom> {
        static DIV0: Atom = Atom::new("divide_by_zero");
        if d == 0 { Err(&DIV0) } else { Ok(n / d) }
    }

    /// `ok` when the text is not empty, `{error, <<"empty">>}` otherwise.
    #[command]
    fn check(text: String) -> Result<(), String> {
        if text.is_empty() {
            Err("empty".into())
        } else {
            Ok(())
        }
    }

    /// Whether the caller owns the port: a command can take the port.
    #[command]
    fn called_by_owner(&self, port: &Port) -> bool {
        port.caller() == port.connected()
    }

    /// Panics, which closes the port.
    #[command]
    fn crash(&mut self) {
        panic!("deliberate panic in a sync command")
    }

    /// A hand-numbered command.
    #[command(id = 42)]
    fn answer() -> u8 {
        42
    }

    /// Sleeps `ms` milliseconds on a worker, then returns `tag`.
    #[command(async)]
    fn sleep(cancel: &Cancel, ms: u64, tag: erldrv::term::OwnedTerm) -> erldrv::term::OwnedTerm {
        let _ = cancel;
        std::thread::sleep(Duration::from_millis(ms));
        tag
    }

    /// Fails with the reason given.
    #[command(async)]
    fn fail(reason: String) -> Result<u8, String> {
        Err(reason)
    }

    /// Sums bytes on a worker.
    #[command(async)]
    fn sum(data: Vec<u8>) -> Result<u64, ()> {
        Ok(data.iter().map(|&b| u64::from(b)).sum())
    }

    /// Returns nothing: `{ok, ok}`.
    #[command(async)]
    fn nothing() {}

    /// Panics on a worker: only the caller hears of it.
    #[command(async)]
    fn explode() -> u8 {
        panic!("deliberate panic in an async command")
    }

    /// The bytes, reversed: raw bytes in, a binary out.
    #[command]
    fn reverse(data: &[u8]) -> Vec<u8> {
        data.iter().rev().copied().collect()
    }

    /// The input, as it came (borrowed).
    #[command]
    fn echo<'a>(&self, port: &Port, data: &'a [u8]) -> &'a [u8] {
        let _ = port;
        data
    }

    /// The input, as a refcounted binary.
    #[command]
    fn to_binary(data: &[u8]) -> Binary {
        let mut b = Binary::from_slice(data);
        if let Some(first) = b.get_mut().and_then(|b| b.first_mut()) {
            *first = b'!';
        }
        b
    }
}
