//! `clients_drv`: one command per row of the type mapping table, called from
//! `clients_tests.erl` (and the Elixir test) through the client modules generated from it
//! (`erldrv_gen`), checked in under `beam-tests/generated/`.
//!
//! `Pid` and `PortId` are not among them: a command's reply is in the external format
//! (a `port_call` reply, or a request's), where the framework cannot write them.
#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap};

use erldrv::term::{Atom, AtomName, FromTerm, OrNil, TermType, ToTerm};
use erldrv::{Cancel, Driver, Port, StartError, erl_driver};

/// A point on a grid.
#[derive(ToTerm, FromTerm, TermType, Clone, Debug, PartialEq)]
pub struct Point {
    /// Across.
    pub x: i32,
    /// Down.
    pub y: i32,
}

/// A shape: a unit variant, a tuple variant, a struct variant.
#[derive(ToTerm, FromTerm, TermType, Clone, Debug, PartialEq)]
pub enum Shape {
    Empty,
    Circle(Point, u16),
    Rect {
        corner: Point,
        width: u16,
        height: u16,
    },
}

/// A labelled spot on the grid: an Elixir struct, `%Clients.Client.Spot{}`.
#[derive(ToTerm, FromTerm, TermType, Clone, Debug, PartialEq)]
#[term(elixir_struct = "Clients.Client.Spot")]
pub struct Spot {
    /// What is there.
    pub label: String,
    /// Where.
    pub at: Point,
    /// How much, 0 when missing.
    #[term(default)]
    pub weight: u8,
}

pub struct Clients {
    stored: u8,
}

static FLIPPED: Atom = Atom::new("flipped");

#[erl_driver(name = "clients_drv", workers = 4, queue = 4096)]
impl Driver for Clients {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Clients { stored: 0 })
    }

    /// Fixed-width integers, returned as they came.
    #[command]
    fn ints(a: u8, b: i16, c: u32, d: i64, e: u64) -> (u8, i16, u32, i64, u64) {
        (a, b, c, d, e)
    }

    /// Twice `x`.
    #[command]
    fn float(x: f64) -> f64 {
        x * 2.0
    }

    /// Not `b`.
    #[command]
    fn flag(b: bool) -> bool {
        !b
    }

    /// The atom, and the atom `flipped`.
    #[command]
    fn atom<'a>(a: AtomName<'a>) -> (AtomName<'a>, &'static Atom) {
        (a, &FLIPPED)
    }

    /// The bytes, reversed (a term command: a binary or a list of bytes in, a binary out).
    #[command]
    fn bin(data: Vec<u8>) -> Vec<u8> {
        data.into_iter().rev().collect()
    }

    /// The text in upper case.
    #[command]
    fn text(s: String) -> String {
        s.to_uppercase()
    }

    /// The list, reversed.
    #[command]
    fn list(v: Vec<i32>) -> Vec<i32> {
        v.into_iter().rev().collect()
    }

    /// The tuple, turned around.
    #[command]
    fn tuple(t: (u8, String, bool)) -> (bool, String, u8) {
        (t.2, t.1, t.0)
    }

    /// Each value plus one.
    #[command]
    fn map(m: HashMap<String, u32>) -> BTreeMap<String, u64> {
        m.into_iter().map(|(k, v)| (k, u64::from(v) + 1)).collect()
    }

    /// `n + 1`, or `undefined`.
    #[command]
    fn option(n: Option<u8>) -> Option<u16> {
        n.map(|n| u16::from(n) + 1)
    }

    /// The text with `!` appended, or `nil`.
    #[command]
    fn or_nil(s: OrNil<String>) -> OrNil<String> {
        OrNil(s.0.map(|s| s + "!"))
    }

    /// `n` as unsigned, or an error for a negative `n`.
    #[command]
    fn result(n: i32) -> Result<u32, String> {
        u32::try_from(n).map_err(|_| format!("{n} is negative"))
    }

    /// Stores `n` in the port (returns `ok`).
    #[command]
    fn store(&mut self, n: u8) {
        self.stored = n;
    }

    /// What `store` stored.
    #[command]
    fn stored(&self) -> u8 {
        self.stored
    }

    /// `ok`, or `{error, zero}` for zero.
    #[command]
    fn nonzero(n: u8) -> Result<(), &'static Atom> {
        static ZERO: Atom = Atom::new("zero");
        if n == 0 { Err(&ZERO) } else { Ok(()) }
    }

    /// The point moved by `(dx, dy)`.
    #[command]
    fn shift(p: Point, dx: i32, dy: i32) -> Point {
        Point {
            x: p.x + dx,
            y: p.y + dy,
        }
    }

    /// The shape grown by one.
    #[command]
    fn grow(s: Shape) -> Shape {
        match s {
            Shape::Empty => Shape::Empty,
            Shape::Circle(c, r) => Shape::Circle(c, r + 1),
            Shape::Rect {
                corner,
                width,
                height,
            } => Shape::Rect {
                corner,
                width: width + 1,
                height: height + 1,
            },
        }
    }

    /// The spot moved by `(dx, dy)`, one heavier.
    #[command]
    fn move_spot(s: Spot, dx: i32, dy: i32) -> Spot {
        Spot {
            label: s.label,
            at: Point {
                x: s.at.x + dx,
                y: s.at.y + dy,
            },
            weight: s.weight.saturating_add(1),
        }
    }

    /// `a + b`, on a worker.
    #[command(async)]
    fn add(a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }

    /// The text, or an error for an empty one, on a worker.
    #[command(async)]
    fn nonempty(cancel: &Cancel, s: String) -> Result<String, String> {
        let _ = cancel;
        if s.is_empty() {
            Err("empty".to_owned())
        } else {
            Ok(s)
        }
    }

    /// Nothing, on a worker: `{ok, ok}`.
    #[command(async)]
    fn noop() {}

    /// The bytes, reversed: raw bytes in, a binary out.
    #[command]
    fn reverse(data: &[u8]) -> Vec<u8> {
        data.iter().rev().copied().collect()
    }
}
