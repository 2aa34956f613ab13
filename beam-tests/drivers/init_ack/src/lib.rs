//! `init_ack_drv`: declared with `init_ack`, so `open_port/2` waits for `Port::init_ack`.
//! The command's argument picks what happens: `now` acknowledges inside `start`; `later`
//! acknowledges from the timer 50 ms on; `refuse` refuses from the timer with `badarg`.
//! control 0 answers "pong"; control 1 returns how many ports have stopped.

use std::sync::atomic::{AtomicU64, Ordering};

use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

static STOPPED: AtomicU64 = AtomicU64::new(0);

pub struct InitAck {
    refuse: bool,
}

#[erl_driver(init_ack)]
impl Driver for InitAck {
    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> {
        let arg = command.splitn(2, |b| *b == b' ').nth(1).unwrap_or(b"");
        match arg {
            b"now" => port.init_ack(Ok(())),
            b"later" | b"refuse" => port.set_timer(50),
            _ => return Err(StartError::Badarg),
        }
        Ok(InitAck {
            refuse: arg == b"refuse",
        })
    }

    fn stop(self, _port: &Port) {
        STOPPED.fetch_add(1, Ordering::SeqCst);
    }

    fn timeout(&mut self, port: &Port) {
        port.init_ack(if self.refuse {
            Err(StartError::Badarg)
        } else {
            Ok(())
        });
    }

    fn control(
        &mut self,
        _port: &Port,
        command: u32,
        _data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        match command {
            0 => reply.extend_from_slice(b"pong"),
            1 => reply.extend_from_slice(STOPPED.load(Ordering::SeqCst).to_string().as_bytes()),
            _ => return Err(Badarg),
        }
        Ok(())
    }
}
