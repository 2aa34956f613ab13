// Candidates chosen at load time by `erldrv::driver_init!`, in a crate that forbids
// unsafe code: the generated `driver_init` is the macro's, not the crate's.
#![forbid(unsafe_code)]

use erldrv::{Driver, Entry, InitError, Port, StartError, erl_driver};

struct Fast;
struct Portable;

#[erl_driver(name = "pick_drv", candidate, port_locking)]
impl Driver for Fast {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Fast)
    }
}

#[erl_driver(name = "pick_drv", candidate, watch_callers)]
impl Driver for Portable {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Portable)
    }
}

fn choose() -> Result<Entry, InitError> {
    if std::env::consts::OS == "linux" {
        Ok(Entry::of::<Fast>())
    } else {
        Ok(Entry::of::<Portable>())
    }
}

erldrv::driver_init!([Fast, Portable], choose);

// Only built: running the choice needs the VM.
fn main() {}
