#![forbid(unsafe_code)]
// A Sender, unlike the Port it comes from, goes to another thread: it sends term messages
// from there. (Using the Port itself there does not compile: soundness-port-to-thread.rs.)
use erldrv::term::Atom;
use erldrv::*;

static DONE: Atom = Atom::new("done");

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }

    fn output(&mut self, port: &Port, _data: &[u8]) {
        let sender = port.sender();
        let caller = port.caller();
        let other = sender.clone();
        let worker = std::thread::spawn(move || {
            let _ = sender.output_term(&(&DONE, 1));
            let _ = sender.send_term(caller, &(&DONE, 2));
        });
        std::thread::scope(|s| {
            s.spawn(|| other.output_term(&DONE));
        });
        let _ = worker.join();
    }
}

fn assert_thread_safe<T: Send + Sync + Clone + 'static>() {}

fn main() {
    assert_thread_safe::<Sender>();
}
