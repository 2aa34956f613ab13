// No `start`: a port could never be opened.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn output(&mut self, port: &Port, data: &[u8]) {
        port.output(data);
    }
}

fn main() {}
