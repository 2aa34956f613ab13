// A misspelt callback: it would silently never be called, so it is an error.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn ouptut(&mut self, port: &Port, data: &[u8]) {
        port.output(data);
    }
}

fn main() {}
