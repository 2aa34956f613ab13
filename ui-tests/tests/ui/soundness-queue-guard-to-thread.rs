#![forbid(unsafe_code)]
// Handing a locked driver queue to another thread: the VM's port data lock must be unlocked
// on the thread that locked it, so a `QueueGuard` is not `Send`. (The handle is:
// pass/queue-handle-to-thread.rs.)
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&mut self, port: &Port, _data: &[u8]) {
        let handle = port.queue_handle();
        let guard = handle.lock().unwrap();
        std::thread::scope(|s| {
            s.spawn(move || drop(guard));
        });
    }
}

fn main() {}
