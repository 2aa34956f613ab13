// A job's result is the driver's own `Async`: a job that returns something else does not
// compile (it used to be found only when the job completed).
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    type Async = Vec<u8>;

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn control(&mut self, port: &Port, _cmd: u32, _data: &[u8], _reply: &mut Reply) -> Result<(), Badarg> {
        self.spawn_async(port, || String::from("not a Vec<u8>"));
        Ok(())
    }
}

fn main() {}
