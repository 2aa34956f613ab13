// The trait's signature copied as it is: the types are read off the method, so it must
// name them.
use erldrv::*;

struct Copied;

#[erl_driver(name = "copied_drv")]
impl Driver for Copied {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Copied)
    }

    fn call<'a>(
        &mut self,
        _port: &Port<'a>,
        _command: u32,
        args: Self::CallArgs<'a>,
    ) -> Result<Self::CallReply<'a>, CallError> {
        let _ = args;
        Err(CallError::badarg("no"))
    }
}

fn main() {}
