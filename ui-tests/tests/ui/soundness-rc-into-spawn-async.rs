#![forbid(unsafe_code)]
// Sharing non-thread-safe state with an async job: the job runs on another thread, so its
// closure must be `Send`.
use erldrv::*;
use std::rc::Rc;

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    type Async = usize;

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&mut self, port: &Port, data: &[u8]) {
        let shared = Rc::new(data.to_vec());
        let job = Rc::clone(&shared);
        self.spawn_async(port, move || job.len());
    }
}

fn main() {}
