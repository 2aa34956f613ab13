#![forbid(unsafe_code)]
// Handing the bytes `control` received to an async job without copying them: the job may run
// after the callback has returned and the VM has reused them.
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    type Async = usize;

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        _reply: &mut Reply,
    ) -> Result<(), Badarg> {
        self.spawn_async(port, move || data.iter().filter(|b| **b == b'\n').count());
        Ok(())
    }
}

fn main() {}
