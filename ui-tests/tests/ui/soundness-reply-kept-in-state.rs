#![forbid(unsafe_code)]
// Keeping the `control` reply to fill it in later (say, from `ready_async`): the VM reads the
// reply when `control` returns, and the buffer is lent for that call only.
use erldrv::*;

struct Foo {
    reply: Option<&'static mut Reply<'static>>,
}

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo { reply: None })
    }

    fn control(
        &mut self,
        _port: &Port,
        _command: u32,
        _data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        self.reply = Some(reply);
        Ok(())
    }
}

fn main() {}
