//! `etf_drv`: `port_call/3` arguments decoded and written back, to check the term codec
//! against the VM's own.
//!
//! The argument is `{Mode, Term}`:
//! - `{echo, T}` → `T`, read as a [`Term`] tree and written back;
//! - `{typed, T}` → `T`, read as a tuple of std types ([`Typed`]) and written back;
//! - `{serde, T}` → `T`, read as a serde type ([`Reading`]) and written back;
//! - `{refuse, T}` → the driver's own `CallError` (`{erldrv_badarg, <<"refused">>}`).
//!
//! Anything else is refused by the decoder, which is how the tests see its messages.

use std::collections::HashMap;

use erldrv::term::serde::Serde;
use erldrv::term::{AtomName, DecodeError, Decoder, FromTerm, Term, TermWriter, ToTerm};
use erldrv::{CallError, Driver, Port, StartError, erl_driver};
use serde::{Deserialize, Serialize};

pub struct Etf;

/// Integers of three sizes, a float, a bool, text, bytes, a list, an option, a map, an
/// atom, a character and a 128-bit integer.
pub type Typed<'a> = (
    i64,
    u64,
    f64,
    bool,
    String,
    Vec<u8>,
    Vec<i64>,
    Option<i32>,
    HashMap<String, Vec<u8>>,
    AtomName<'a>,
    char,
    i128,
);

/// A serde model: `#{sensor => <<"t1">>, values => [1.5], tags => #{<<"k">> => 1},
/// unit => celsius | kelvin | {custom, <<"..">>}, note => undefined | <<"..">>}`.
#[derive(Serialize, Deserialize)]
pub struct Reading<'a> {
    #[serde(borrow)]
    pub sensor: &'a str,
    pub values: Vec<f64>,
    pub tags: HashMap<String, i64>,
    pub unit: Unit,
    pub note: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Celsius,
    Kelvin,
    Custom(String),
}

pub enum Request<'a> {
    Echo(Term<'a>),
    Typed(Typed<'a>),
    Serde(Serde<Reading<'a>>),
    Refuse,
}

impl<'a> FromTerm<'a> for Request<'a> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        d.tuple_of(2)?;
        let mode = d.atom().map_err(|e| e.context("the mode, element 1"))?;
        let at = "the term, element 2";
        if mode.is("echo") {
            Ok(Request::Echo(d.term().map_err(|e| e.context(at))?))
        } else if mode.is("typed") {
            Ok(Request::Typed(d.decode().map_err(|e| e.context(at))?))
        } else if mode.is("serde") {
            Ok(Request::Serde(d.decode().map_err(|e| e.context(at))?))
        } else if mode.is("refuse") {
            d.skip()?;
            Ok(Request::Refuse)
        } else {
            Err(DecodeError::custom(format_args!(
                "expected echo, typed, serde or refuse, found the atom {mode}"
            )))
        }
    }
}

pub enum Response<'a> {
    Term(Term<'a>),
    Typed(Typed<'a>),
    Serde(Serde<Reading<'a>>),
}

impl ToTerm for Response<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            Response::Term(t) => t.write(w),
            Response::Typed(t) => t.write(w),
            Response::Serde(t) => t.write(w),
        }
    }
}

#[erl_driver]
impl Driver for Etf {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Etf)
    }

    fn call<'a>(
        &mut self,
        _port: &Port,
        _command: u32,
        request: Request<'a>,
    ) -> Result<Response<'a>, CallError> {
        match request {
            Request::Echo(t) => Ok(Response::Term(t)),
            Request::Typed(t) => Ok(Response::Typed(t)),
            Request::Serde(t) => Ok(Response::Serde(t)),
            Request::Refuse => Err(CallError::badarg("refused")),
        }
    }
}
