//! `compressed_drv`: terms that callers send compressed (`term_to_binary(T, [compressed])`)
//! read like any other. `control` data is a request term, read borrowing from the bytes
//! after `term::decompress`; `output` data is any term, kept as an `OwnedTerm` (which
//! inflates by itself) and sent back to the owner. `beam-tests/test/compressed_tests.erl`
//! drives it.
#![forbid(unsafe_code)]

use erldrv::term::{self, Atom, FromTerm, OwnedTerm};
use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

static OK: Atom = Atom::new("ok");
static ERROR: Atom = Atom::new("error");

/// Requests of `control`, as terms.
#[derive(FromTerm)]
pub enum Request<'a> {
    /// `{sum, Integers}`: their sum, in decimal.
    Sum(Vec<i64>),
    /// `{size, Binary}`: its size, in decimal (the binary is borrowed, not copied).
    Size(&'a [u8]),
}

pub struct Compressed;

#[erl_driver]
impl Driver for Compressed {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Compressed)
    }

    fn control(
        &mut self,
        _port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let bytes = term::decompress(data).map_err(|e| Badarg::because(e.to_string()))?;
        let request: Request<'_> =
            term::from_slice(&bytes).map_err(|e| Badarg::because(e.to_string()))?;
        let answer = match request {
            Request::Sum(v) => v.iter().sum::<i64>().to_string(),
            Request::Size(b) => b.len().to_string(),
        };
        reply.extend_from_slice(answer.as_bytes());
        Ok(())
    }

    fn output(&mut self, port: &Port, data: &[u8]) {
        let sent = match OwnedTerm::from_ext(data) {
            Ok(t) => port.output_term(&(&OK, &t)),
            Err(e) => port.output_term(&(&ERROR, e.to_string())),
        };
        sent.expect("the owner is alive while it sends");
    }
}
