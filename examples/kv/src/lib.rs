//! `kv_drv`: a key-value store that lives in the driver, shared by all its ports.
//!
//! Every process opens its own port (the driver uses port-level locking), so callers run
//! in parallel with no server process in between; readers share the store's lock.
//! Requests are typed `port_call`s (see [`Request`]); subscribers receive a message for
//! every change, built as a term in the driver:
//!
//! ```erlang
//! {kv, Key, {put, Value}}    % after a put
//! {kv, Key, deleted}         % after a delete of an existing key
//! ```
//!
//! A subscriber is removed when it unsubscribes, when it exits (the port monitors it), or
//! when the port it subscribed through closes. `erlang/kv.erl` is the client.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError, RwLock};

use erldrv::term::{Atom, FromTerm, ToTerm};
use erldrv::{CallError, Driver, Monitor, Pid, Port, StartError, erl_driver};

/// The store, shared by every port of the driver.
static STORE: RwLock<Option<HashMap<Vec<u8>, Vec<u8>>>> = RwLock::new(None);

/// Everyone to notify of a change.
static SUBSCRIBERS: Mutex<Vec<Pid>> = Mutex::new(Vec::new());

/// One port: the subscriptions made through it.
pub struct Kv {
    subscriptions: Vec<(Pid, Monitor)>,
}

/// What a caller asks, as `erlang:port_call(Port, 0, Request)`.
#[derive(FromTerm, Debug)]
pub enum Request<'a> {
    /// `{get, Key}` → `{ok, Value}` or `{error, not_found}`.
    Get(&'a [u8]),
    /// `{put, Key, Value}` → `ok`; notifies subscribers.
    Put(&'a [u8], &'a [u8]),
    /// `{delete, Key}` → `ok`; notifies subscribers if the key existed.
    Delete(&'a [u8]),
    /// `keys` → the list of keys, in no particular order.
    Keys,
    /// `count` → the number of keys.
    Count,
    /// `subscribe` → `ok`: the calling process receives change messages.
    Subscribe,
    /// `unsubscribe` → `ok`.
    Unsubscribe,
    /// `subscribers` → the number of subscribed processes.
    Subscribers,
}

/// `not_found`.
#[derive(ToTerm, Debug)]
pub struct NotFound;

/// What the caller gets back.
#[derive(ToTerm, Debug)]
pub enum Answer {
    /// `ok`.
    Ok,
    /// `{ok, Value}` or `{error, not_found}`.
    #[term(transparent)]
    Value(Result<Vec<u8>, NotFound>),
    /// A list of keys.
    #[term(transparent)]
    Keys(Vec<Vec<u8>>),
    /// A count.
    #[term(transparent)]
    Count(usize),
}

static KV: Atom = Atom::new("kv");
static PUT: Atom = Atom::new("put");
static DELETED: Atom = Atom::new("deleted");

fn store_read<R>(f: impl FnOnce(&HashMap<Vec<u8>, Vec<u8>>) -> R) -> R {
    let guard = STORE.read().unwrap_or_else(PoisonError::into_inner);
    match guard.as_ref() {
        Some(m) => f(m),
        None => f(&HashMap::new()),
    }
}

fn store_write<R>(f: impl FnOnce(&mut HashMap<Vec<u8>, Vec<u8>>) -> R) -> R {
    let mut guard = STORE.write().unwrap_or_else(PoisonError::into_inner);
    f(guard.get_or_insert_with(HashMap::new))
}

fn subscribers() -> std::sync::MutexGuard<'static, Vec<Pid>> {
    SUBSCRIBERS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sends `message` to every subscriber. The list is copied first, so that no lock is held
/// while the VM delivers.
fn notify(port: &Port, message: &impl ToTerm) {
    let to: Vec<Pid> = subscribers().clone();
    for pid in to {
        // A subscriber that has just exited is not an error: its monitor will remove it.
        let _ = port.send_term(pid, message);
    }
}

#[erl_driver(port_locking)]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv {
            subscriptions: Vec::new(),
        })
    }

    fn stop(self, _port: &Port) {
        let mut subs = subscribers();
        for (pid, _) in &self.subscriptions {
            if let Some(i) = subs.iter().position(|p| p == pid) {
                subs.swap_remove(i);
            }
        }
    }

    fn call(
        &mut self,
        port: &Port,
        command: u32,
        request: Request<'_>,
    ) -> Result<Answer, CallError> {
        if command != 0 {
            return Err(CallError::badarg(format!(
                "unknown command {command}, expected 0"
            )));
        }
        Ok(match request {
            Request::Get(key) => Answer::Value(store_read(|m| m.get(key).cloned()).ok_or(NotFound)),
            Request::Put(key, value) => {
                store_write(|m| m.insert(key.to_vec(), value.to_vec()));
                notify(port, &(&KV, key, (&PUT, value)));
                Answer::Ok
            }
            Request::Delete(key) => {
                if store_write(|m| m.remove(key)).is_some() {
                    notify(port, &(&KV, key, &DELETED));
                }
                Answer::Ok
            }
            Request::Keys => Answer::Keys(store_read(|m| m.keys().cloned().collect())),
            Request::Count => Answer::Count(store_read(|m| m.len())),
            Request::Subscribers => Answer::Count(subscribers().len()),
            Request::Subscribe => {
                let pid = port.caller();
                let mut subs = subscribers();
                if !subs.contains(&pid) {
                    let monitor = port
                        .monitor_process(pid)
                        .map_err(|e| CallError::badarg(e.to_string()))?;
                    subs.push(pid);
                    self.subscriptions.push((pid, monitor));
                }
                Answer::Ok
            }
            Request::Unsubscribe => {
                let pid = port.caller();
                if let Some(i) = self.subscriptions.iter().position(|(p, _)| *p == pid) {
                    let (_, monitor) = self.subscriptions.swap_remove(i);
                    // Removed, or fired already: either way no process_exit for it.
                    let _ = port.demonitor_process(&monitor);
                    subscribers().retain(|p| *p != pid);
                }
                Answer::Ok
            }
        })
    }

    fn process_exit(&mut self, _port: &Port, monitor: Monitor) {
        if let Some(i) = self.subscriptions.iter().position(|(_, m)| *m == monitor) {
            let (pid, _) = self.subscriptions.swap_remove(i);
            subscribers().retain(|p| *p != pid);
        }
    }
}
