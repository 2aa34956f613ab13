// A command argument must have a type description (`TermType`), for the generated clients'
// typespecs: a type that is `FromTerm` but not `TermType` is reported at the type.
use erldrv::term::{Decoder, FromTerm};
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    #[command]
    fn put(&mut self, key: String, value: Celsius) {
        let _ = (key, value.0);
    }
}

struct Celsius(i32);

impl<'a> FromTerm<'a> for Celsius {
    fn decode(d: &mut Decoder<'a>) -> erldrv::term::Result<Self> {
        i32::decode(d).map(Celsius)
    }
}

fn main() {}
