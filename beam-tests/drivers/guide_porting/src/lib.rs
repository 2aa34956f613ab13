#![forbid(unsafe_code)]

use erldrv::term::Atom;
use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

static KEPT: Atom = Atom::new("kept");

/// `keeper` of the C version: the port handle is not kept, callbacks get it.
struct Keeper {
    data: Vec<u8>,
}

#[erl_driver(name = "keeper_drv")]
impl Driver for Keeper {
    fn start(_port: &Port, command: &[u8]) -> Result<Self, StartError> {
        if command != b"keeper_drv" {
            return Err(StartError::Badarg);
        }
        Ok(Keeper { data: Vec::new() })
    }

    // No `stop`: dropping the state frees the data.

    // port_command(Port, Data): keeps a copy of Data, and tells the owner its size.
    fn output(&mut self, port: &Port, data: &[u8]) {
        self.data = data.to_vec();
        let _ = port.output_term(&(port.id(), &KEPT, data.len() as u64));
    }

    // port_control(Port, 1, []) returns the kept data; any other command raises badarg.
    fn control(&mut self, _: &Port, cmd: u32, _: &[u8], reply: &mut Reply) -> Result<(), Badarg> {
        if cmd != 1 {
            return Err(Badarg);
        }
        reply.extend_from_slice(&self.data);
        Ok(())
    }
}
