// A command's result must have a type description (`TermType`), for the generated clients'
// typespecs: a type that is `ToTerm` but not `TermType` is reported at the return type.
use erldrv::term::{TermWriter, ToTerm};
use erldrv::*;

struct Kv;

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv)
    }

    #[command]
    fn get(&self) -> Celsius {
        Celsius(20)
    }
}

struct Celsius(i32);

impl ToTerm for Celsius {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        self.0.write(w)
    }
}

fn main() {}
