// Shared by `locked_drv` and `plain_drv`: the same driver under two locking regimes.
//
// control 0 (`OVERLAP`): marks this call active, then waits up to 3 s for a call on
// another port of the same driver to be active at the same time. Replies "overlap" if it saw
// one, "alone" otherwise. Under driver-level locking two ports can never be inside the driver
// together, so every call ends "alone"; with port locking two calls from two processes meet.
// control 1 (`BUSY`): data "on"/"off" marks the port busy or not.
// output: echoes the data; "panic" panics.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

static ACTIVE: AtomicU32 = AtomicU32::new(0);

const OVERLAP: u32 = 0;
const BUSY: u32 = 1;

pub struct Gate;

fn wait_for_company() -> bool {
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_millis(3000);
    let mut met = false;
    while Instant::now() < deadline {
        if ACTIVE.load(Ordering::SeqCst) >= 2 {
            met = true;
            break;
        }
        std::hint::spin_loop();
    }
    // Let the other caller see us too before leaving.
    if met {
        let linger = Instant::now() + Duration::from_millis(50);
        while Instant::now() < linger {
            std::hint::spin_loop();
        }
    }
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    met
}

macro_rules! gate_driver {
    ($($opt:tt)*) => {
        #[erl_driver($($opt)*)]
        impl Driver for Gate {
            fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
                Ok(Gate)
            }

            fn output(&mut self, port: &Port, data: &[u8]) {
                if data == b"panic" {
                    panic!("deliberate panic in output");
                }
                port.output(data);
            }

            fn control(&mut self, port: &Port, command: u32, data: &[u8], reply: &mut Reply) -> Result<(), Badarg> {
                match command {
                    OVERLAP => {
                        let word: &[u8] = if wait_for_company() { b"overlap" } else { b"alone" };
                        reply.extend_from_slice(word);
                    }
                    BUSY => port.set_busy(data == b"on"),
                    _ => return Err(Badarg),
                }
                Ok(())
            }
        }
    };
}
