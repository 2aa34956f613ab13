//! `kv_drv`: a key-value store that lives in the driver, shared by all its ports.
//!
//! Every process opens its own port (the driver uses port-level locking), so callers run
//! in parallel with no server process in between; readers share the store's lock.
//!
//! Its operations are typed commands (`#[command]`): the Erlang client
//! `erlang/kv.erl` is generated from them (`erldrv_gen`), never written by hand, and its
//! `open` checks that the driver has the commands it was generated for. Three kinds:
//!
//! - sync commands (`get`, `put`, `delete`, `keys`, `count`, `subscribe`, ...) run on the
//!   scheduler, through `port_call`;
//! - `scan`, async, copies a part of the store on a worker thread, so that a large store
//!   never stalls a scheduler;
//! - `get_bytes`, a bytes command, reads a value through `port_control` without the term
//!   format: the fast path for hot reads.
//!
//! Subscribers receive a message for every change, built as a term in the driver:
//!
//! ```erlang
//! {kv, Key, {put, Value}}    % after a put
//! {kv, Key, deleted}         % after a delete of an existing key
//! ```
//!
//! A subscriber is removed when it unsubscribes, when it exits (the port monitors it), or
//! when the port it subscribed through closes.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError, RwLock};

use erldrv::term::{Atom, TermType, ToTerm};
use erldrv::{Cancel, Driver, Monitor, Pid, Port, StartError, erl_driver};

/// The store, shared by every port of the driver.
static STORE: RwLock<Option<HashMap<Vec<u8>, Vec<u8>>>> = RwLock::new(None);

/// Everyone to notify of a change.
static SUBSCRIBERS: Mutex<Vec<Pid>> = Mutex::new(Vec::new());

/// One port: the subscriptions made through it.
pub struct Kv {
    subscriptions: Vec<(Pid, Monitor)>,
}

/// The key is not in the store: the atom `not_found`.
#[derive(ToTerm, TermType, Debug, PartialEq)]
pub struct NotFound;

/// What `scan` found: the entries whose key starts with the prefix, sorted by key, and
/// the size of their values.
#[derive(ToTerm, TermType, Debug, PartialEq)]
pub struct Scan {
    /// `{Key, Value}` pairs, in key order.
    pub entries: Vec<(Vec<u8>, Vec<u8>)>,
    /// The total size of the values, in bytes.
    pub bytes: u64,
}

static KV: Atom = Atom::new("kv");
static PUT: Atom = Atom::new("put");
static DELETED: Atom = Atom::new("deleted");

/// How many entries `scan` copies between two looks at its cancel flag.
const SCAN_CHUNK: usize = 1024;

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

    /// The value stored under `key`.
    #[command]
    fn get(key: &[u8]) -> Result<Vec<u8>, NotFound> {
        store_read(|m| m.get(key).cloned()).ok_or(NotFound)
    }

    /// Stores `value` under `key`, replacing any value there, and tells the subscribers
    /// `{kv, Key, {put, Value}}`.
    #[command]
    fn put(port: &Port, key: &[u8], value: &[u8]) {
        store_write(|m| m.insert(key.to_vec(), value.to_vec()));
        notify(port, &(&KV, key, (&PUT, value)));
    }

    /// Removes `key`; if it was there, tells the subscribers `{kv, Key, deleted}`.
    #[command]
    fn delete(port: &Port, key: &[u8]) {
        if store_write(|m| m.remove(key)).is_some() {
            notify(port, &(&KV, key, &DELETED));
        }
    }

    /// Every key, in no particular order.
    #[command]
    fn keys() -> Vec<Vec<u8>> {
        store_read(|m| m.keys().cloned().collect())
    }

    /// The number of keys.
    #[command]
    fn count() -> u64 {
        store_read(|m| m.len() as u64)
    }

    /// The calling process receives `{kv, Key, {put, Value}}` and `{kv, Key, deleted}` for
    /// every change made through any port, until it unsubscribes, exits, or this port
    /// closes. Subscribing twice is subscribing once.
    #[command]
    fn subscribe(&mut self, port: &Port) -> Result<(), String> {
        let pid = port.caller();
        let mut subs = subscribers();
        if !subs.contains(&pid) {
            let monitor = port.monitor_process(pid).map_err(|e| e.to_string())?;
            subs.push(pid);
            self.subscriptions.push((pid, monitor));
        }
        Ok(())
    }

    /// Ends the calling process's subscription, if it has one through this port.
    #[command]
    fn unsubscribe(&mut self, port: &Port) {
        let pid = port.caller();
        if let Some(i) = self.subscriptions.iter().position(|(p, _)| *p == pid) {
            let (_, monitor) = self.subscriptions.swap_remove(i);
            // Removed, or fired already: either way no process_exit for it.
            let _ = port.demonitor_process(&monitor);
            subscribers().retain(|p| *p != pid);
        }
    }

    /// The number of subscribed processes.
    #[command]
    fn subscribers() -> u64 {
        subscribers().len() as u64
    }

    /// The entries whose key starts with `prefix` (all of them for `<<>>`), in key order,
    /// copied on a worker thread: a large store does not stall a scheduler.
    #[command(async)]
    fn scan(cancel: &Cancel, prefix: Vec<u8>) -> Result<Scan, String> {
        let mut entries = Vec::new();
        let mut bytes = 0u64;
        {
            let guard = STORE.read().unwrap_or_else(PoisonError::into_inner);
            let matching = guard
                .iter()
                .flat_map(|m| m.iter())
                .filter(|(k, _)| k.starts_with(&prefix));
            for (i, (k, v)) in matching.enumerate() {
                if i % SCAN_CHUNK == 0 {
                    // Nobody waits for the answer any more: stop copying.
                    cancel.check().map_err(|c| c.to_string())?;
                }
                bytes += v.len() as u64;
                entries.push((k.clone(), v.clone()));
            }
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(Scan { entries, bytes })
    }

    /// The value stored under `key`, or `<<>>` when there is none: a bytes command, called
    /// with `port_control` and answered without the term format (the fast path for reads
    /// of values known to be non-empty).
    #[command]
    fn get_bytes(key: &[u8]) -> Vec<u8> {
        store_read(|m| m.get(key).cloned()).unwrap_or_default()
    }

    fn process_exit(&mut self, _port: &Port, monitor: Monitor) {
        if let Some(i) = self.subscriptions.iter().position(|(_, m)| *m == monitor) {
            let (pid, _) = self.subscriptions.swap_remove(i);
            subscribers().retain(|p| *p != pid);
        }
    }
}
