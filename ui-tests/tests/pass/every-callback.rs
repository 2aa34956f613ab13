// Every option and every callback, each with the signature the attribute expects, and a
// chosen `Async` type.
use erldrv::term::{Atom, AtomName};
use erldrv::*;

static OK: Atom = Atom::new("ok");

struct Full {
    pending: u64,
}

#[erl_driver(name = "full_drv", port_locking, soft_busy, no_busy_msgq, init_ack)]
impl Driver for Full {
    type Async = u64;

    fn init() -> Result<(), InitError> {
        Ok(())
    }

    fn finish() {}

    fn start(port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        port.init_ack(Ok(()));
        Ok(Full { pending: 0 })
    }

    fn stop(self, _port: &Port) {}

    fn output(&mut self, port: &Port, data: &[u8]) {
        port.output(data);
    }

    fn outputv(&mut self, port: &Port, data: IoVec<'_>) {
        port.outputv(&[], data, 0);
    }

    fn control(
        &mut self,
        _port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        reply.extend_from_slice(data);
        Ok(())
    }

    fn call(
        &mut self,
        _port: &Port,
        _command: u32,
        (name, n, _bytes): (AtomName<'_>, i64, &[u8]),
    ) -> Result<(&'static Atom, i64), CallError> {
        if name.is("double") {
            Ok((&OK, n * 2))
        } else {
            Err(CallError::badarg("unknown"))
        }
    }

    fn ready_async(&mut self, _port: &Port, result: Result<u64, JobPanic>) {
        self.pending = self.pending.saturating_sub(result.unwrap_or(0));
    }

    fn ready_input(&mut self, _port: &Port, _event: Event) {}

    fn ready_output(&mut self, _port: &Port, _event: Event) {}

    fn timeout(&mut self, _port: &Port) {}

    fn flush(&mut self, _port: &Port) {}

    fn process_exit(&mut self, _port: &Port, _monitor: Monitor) {}

    fn stop_select(_event: Event) {}
}

fn main() {}
