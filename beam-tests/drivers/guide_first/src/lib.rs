#![forbid(unsafe_code)]

use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

/// The state of one open port.
struct Upcase {
    /// Bytes upper-cased so far by this port.
    seen: u64,
}

#[erl_driver(name = "upcase_drv")]
impl Driver for Upcase {
    // open_port({spawn_driver, "upcase_drv"}, [binary])
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Upcase { seen: 0 })
    }

    // port_command(Port, Data): the owner receives {Port, {data, DATA}}.
    fn output(&mut self, port: &Port, data: &[u8]) {
        self.seen += data.len() as u64;
        port.output(&data.to_ascii_uppercase());
    }

    // port_control(Port, 0, []) returns the count, as a string.
    fn control(&mut self, _: &Port, cmd: u32, _: &[u8], reply: &mut Reply) -> Result<(), Badarg> {
        match cmd {
            0 => {
                reply.extend_from_slice(self.seen.to_string().as_bytes());
                Ok(())
            }
            _ => Err(Badarg::because(format!("unknown command {cmd}"))),
        }
    }
}
