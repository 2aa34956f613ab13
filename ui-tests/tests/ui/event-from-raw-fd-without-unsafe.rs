// A number is not a descriptor the driver owns: making an `Event` of one is `unsafe`, so a
// driver that forbids unsafe code cannot name fd 0 (or a descriptor of the VM's own ports).
#![forbid(unsafe_code)]
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn ready_input(&mut self, _port: &Port, event: Event) {
        let stdin = Event::from_raw_fd(0);
        let _ = event == stdin;
    }
}

fn main() {}
