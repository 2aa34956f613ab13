// Candidates of two driver names: one library has one name, so this does not compile.
use erldrv::{Driver, Entry, Port, StartError, erl_driver};

struct A;
struct B;

#[erl_driver(name = "a_drv", candidate)]
impl Driver for A {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(A)
    }
}

#[erl_driver(name = "b_drv", candidate)]
impl Driver for B {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(B)
    }
}

erldrv::driver_init!([A, B], || Ok(Entry::of::<A>()));

fn main() {}
