#![forbid(unsafe_code)]
// A QueueHandle, unlike the guard it gives, goes to other threads: each locks the queue there.
// (Sending the guard does not compile: soundness-queue-guard-to-thread.rs.)
use erldrv::*;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&mut self, port: &Port, data: &[u8]) {
        let handle = port.queue_handle();
        let other = handle.clone();
        let worker = std::thread::spawn(move || {
            if let Some(mut q) = handle.lock() {
                q.enqueue(b"from a thread");
            }
        });
        std::thread::scope(|s| {
            s.spawn(|| other.lock().map(|q| q.len()));
        });
        let _ = worker.join();
        port.queue().enqueue(data);
    }
}

fn assert_thread_safe<T: Send + Sync + Clone + 'static>() {}

fn main() {
    assert_thread_safe::<QueueHandle>();
}
