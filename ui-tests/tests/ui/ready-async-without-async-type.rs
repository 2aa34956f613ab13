// `ready_async` takes `Result<Self::Async, JobPanic>`, and `Async` defaults to `()`: a
// `Vec<u8>` result needs `type Async = Vec<u8>;`.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn ready_async(&mut self, _port: &Port, result: Result<Vec<u8>, JobPanic>) {
        let _ = result;
    }
}

fn main() {}
