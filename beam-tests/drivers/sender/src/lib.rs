//! `sender_drv`: sends term messages from threads other than the scheduler's, through
//! `erldrv::Sender`. `beam-tests/test/sender_tests.erl` drives it.
//!
//! control commands (words: the verb, then its argument; replies as noted):
//! - `async`: an async job sends `{from_job, Port}` to the caller from the job's thread,
//!   then waits for `release` before it returns; `ready_async` then sends
//!   `{ready_async, Port}` to the same caller from the scheduler.
//! - `release`: lets the waiting job return.
//! - `thread N`: an `erldrv::thread` sends the owner N messages
//!   `{seq, I, <<"payload">>, {I, -I, warm, cold, dynamic_name}, Binary}` and then `{seq_done, N}`.
//!   `warm` has been sent from this callback first (its handle is known), `cold` never is
//!   from a scheduler, `dynamic_name` is an `AtomName`.
//! - `keep`: a plain `std::thread` takes a Sender of this port and waits for `go`.
//! - `go`: (on another port) lets the kept thread send to the closed port's owner, both with
//!   `output_term`, `send_term` and `output_built` of a two-pair map, joins it, and replies with what each send returned.
//! - `equal_keys`: a thread sends the caller a map with two equal keys, which the VM
//!   refuses; replies with the result.
//! - `remember`: remembers the caller's pid.
//! - `send_remembered`: a thread sends to the remembered pid; replies with the result.
//!
//! Results are replied as `ok`, `not_delivered` or the error's text.
#![forbid(unsafe_code)]

use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use erldrv::term::{Atom, AtomName, BuildError, TermBuilder, TermWriter};
use erldrv::{Badarg, Binary, Driver, JobPanic, Pid, Port, PortId, Reply, StartError, erl_driver};

static FROM_JOB: Atom = Atom::new("from_job");
static READY_ASYNC: Atom = Atom::new("ready_async");
static SEQ: Atom = Atom::new("seq");
static SEQ_DONE: Atom = Atom::new("seq_done");
static WARM: Atom = Atom::new("warm");
static COLD: Atom = Atom::new("cold");
static AFTER_CLOSE: Atom = Atom::new("after_close");
static TO_THE_DEAD: Atom = Atom::new("to_the_dead");

/// Longest wait for a signal from the Erlang side; a test that does not send it fails.
const WAIT: Duration = Duration::from_secs(10);

/// The kept thread, and the channel that lets it send.
static KEPT: Mutex<Option<(mpsc::Sender<()>, JoinHandle<String>)>> = Mutex::new(None);

fn outcome(r: Result<(), BuildError>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(e) if e.is_not_delivered() => "not_delivered".into(),
        Err(e) => e.to_string(),
    }
}

pub struct SenderTest {
    /// Lets the waiting async job return.
    release: Option<mpsc::Sender<()>>,
    remembered: Option<Pid>,
}

#[erl_driver]
impl Driver for SenderTest {
    /// The caller to tell in `ready_async`.
    type Async = Pid;

    fn finish() {
        // A kept thread that was never told to go: stop and join it before the unload.
        let kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some((go, handle)) = kept {
            drop(go);
            let _ = handle.join();
        }
    }

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(SenderTest {
            release: None,
            remembered: None,
        })
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let (verb, arg) = words.split_once(' ').unwrap_or((words, ""));
        match verb {
            "async" => {
                let (sender, caller) = (port.sender(), port.caller());
                let (release, released) = mpsc::channel::<()>();
                self.release = Some(release);
                self.spawn_async(port, move || {
                    // From the job's own thread, before the job returns.
                    let _ = sender.send_built(caller, &mut tagged(&FROM_JOB, sender.port_id()));
                    let _ = released.recv_timeout(WAIT);
                    caller
                });
            }
            "release" => {
                let release = self.release.take().ok_or(Badarg)?;
                release.send(()).map_err(|_| Badarg)?;
            }
            "thread" => {
                let n: u32 = arg.parse().map_err(|_| Badarg)?;
                // `warm`'s handle becomes known here, on the scheduler.
                port.output_term(&(&WARM,)).map_err(|_| Badarg)?;
                let sender = port.sender();
                let binary = Binary::from_slice(b"shared");
                erldrv::thread::spawn("sender", move |_stop| {
                    let dynamic = AtomName::new("dynamic_name").expect("a short name");
                    for i in 0..n {
                        let i = i64::from(i);
                        let term = (&SEQ, i, "payload", (i, -i, &WARM, &COLD, dynamic), &binary);
                        if sender.output_term(&term).is_err() {
                            return;
                        }
                    }
                    let _ = sender.output_term(&(&SEQ_DONE, n));
                })
                .map_err(|_| Badarg)?;
            }
            "keep" => {
                let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
                if kept.is_some() {
                    return Err(Badarg);
                }
                let sender = port.sender();
                let (go, gone) = mpsc::channel::<()>();
                let handle = std::thread::spawn(move || {
                    if gone.recv_timeout(WAIT) != Ok(()) {
                        return "not told to go".to_owned();
                    }
                    let output = outcome(sender.output_term(&(&AFTER_CLOSE, "output")));
                    let send = outcome(sender.send_term(sender.owner(), &(&AFTER_CLOSE, "send")));
                    // With a map of two pairs the VM's -1 may be equal keys: not told apart.
                    let map = outcome(sender.output_built(&mut two_pair_map(2)));
                    format!("output={output} send={send} map={map}")
                });
                *kept = Some((go, handle));
            }
            "go" => {
                let kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner).take();
                let (go, handle) = kept.ok_or(Badarg)?;
                go.send(()).map_err(|_| Badarg)?;
                let result = handle.join().map_err(|_| Badarg)?;
                reply.extend_from_slice(result.as_bytes());
            }
            "equal_keys" => {
                let (sender, caller) = (port.sender(), port.caller());
                let result = std::thread::scope(|s| {
                    s.spawn(|| outcome(sender.send_built(caller, &mut two_pair_map(1))))
                        .join()
                })
                .map_err(|_| Badarg)?;
                reply.extend_from_slice(result.as_bytes());
            }
            "remember" => self.remembered = Some(port.caller()),
            "send_remembered" => {
                let to = self.remembered.ok_or(Badarg)?;
                let sender = port.sender();
                let result = std::thread::scope(|s| {
                    s.spawn(|| outcome(sender.send_term(to, &(&TO_THE_DEAD, 1))))
                        .join()
                })
                .map_err(|_| Badarg)?;
                reply.extend_from_slice(result.as_bytes());
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }

    fn ready_async(&mut self, port: &Port, caller: Result<Pid, JobPanic>) {
        let Ok(caller) = caller else { return };
        let _ = port.send_built(caller, &mut tagged(&READY_ASYNC, port.id()));
    }
}

/// `#{1 => 1, Second => 2}`: equal keys when `second` is 1.
fn two_pair_map(second: i64) -> TermBuilder {
    let mut b = TermBuilder::new();
    b.map(2);
    b.int(1);
    b.int(1);
    b.int(second);
    b.int(2);
    b
}

/// `{Tag, Port}`: a port identifier is only written by a `TermBuilder`.
fn tagged(tag: &Atom, port: PortId) -> TermBuilder {
    let mut b = TermBuilder::new();
    b.tuple(2);
    b.atom(tag);
    b.port(port);
    b
}
