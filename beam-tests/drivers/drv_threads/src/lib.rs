//! `drv_threads_drv`: the VM's threads, locks and thread-specific data, through
//! `erldrv::drv_thread` and `erldrv::drv_sync`. `beam-tests/test/drv_threads_tests.erl`
//! and `drv_threads_unload_tests.erl` drive it.
//!
//! control commands (words: the verb, then its arguments; replies as noted):
//! - `counter T R`: T VM threads each add 1 to a `DrvMutex<u64>` R times, with a read and a
//!   separate write under the lock; replies `Total SumOfJoinResults`.
//! - `prodcons N`: a producer VM thread passes 1..=N through a queue of 4 places to a
//!   consumer VM thread (two `DrvCond`s: not full, not empty); replies the consumer's sum.
//! - `rwlock R W N`: R reader and W writer VM threads, N rounds each, on a `DrvRwLock` of a
//!   pair a writer changes in two steps; then the exclusions, on this thread and across
//!   threads. Replies `Writes torn=Torn shared=Bool exclusive=Bool`.
//! - `tsd T`: T VM threads each get a `DrvThreadLocal` value of their own; replies
//!   `fresh=Bool own=Bool values=V1,V2,...` (the values of all threads, sorted, from
//!   `iter_mut` after the joins) and `stale=none` when a new key does not see the value a
//!   destroyed key left on this thread.
//! - `names`: the names the VM keeps for a mutex, a condition variable, a reader-writer
//!   lock and a thread, and the OS name of that thread, `|`-separated.
//! - `hold Name`: a VM thread named Name waits on its stop token; replies `running`.
//! - `release`: stops and joins the held thread; replies `joined`.
//! - `is_current`: `JoinHandle::is_current` inside its thread and outside it; replies
//!   `inside=Bool outside=Bool`.
//! - `join V`: a VM thread returns V + 1; replies what `join` returned.
//! - `exit V`: a VM thread holding a mutex calls `drv_thread::exit(V)` deep in its stack;
//!   replies `V unlocked` when the join returned V and the mutex is free again.
//! - `panic`: a VM thread panics; replies the panic message `join` returned.
//! - `stack`: a VM thread with a 32 MiB stack uses 16 MiB of it; replies `deep`.
//! - `relock`: locks a `DrvMutex` twice on this thread (a panic: the port closes).
//! - `bad_names`: a mutex and a thread named with a NUL byte; replies the two error kinds.
//! - `linger Tag`: a VM thread, its handle dropped, that outlives its port: stopped by the
//!   unload, it takes 300 ms to clean up and then, as its last act, sets the VM
//!   environment variable `DRV_THREADS_DONE_<Tag>` to `yes`.
#![forbid(unsafe_code)]

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use erldrv::drv_sync::{DrvCond, DrvMutex, DrvRwLock, DrvThreadLocal};
use erldrv::drv_thread::{self, Builder, JoinHandle};
use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

/// Longest wait for another thread's signal; a test that does not get it fails.
const WAIT: Duration = Duration::from_secs(10);
/// How long a stopped lingering thread takes to clean up: wide enough that an unload that
/// did not wait for it is caught every time.
const CLEAN_UP: Duration = Duration::from_millis(300);
/// The name of the thread `names` starts: longer than the 15 bytes the OS keeps.
const LONG_NAME: &str = "drv_threads named thread";

fn io(e: std::io::Error) -> Badarg {
    eprintln!("drv_threads_drv: {e}");
    Badarg
}

fn num<T: std::str::FromStr>(word: Option<&str>) -> Result<T, Badarg> {
    word.ok_or(Badarg)?.parse().map_err(|_| Badarg)
}

/// Joins a thread whose closure must not panic.
fn joined<T>(h: JoinHandle<T>) -> Result<T, Badarg> {
    h.join().map_err(|_| Badarg)
}

fn counter(threads: usize, rounds: u64) -> Result<String, Badarg> {
    let total = Arc::new(DrvMutex::new("drv_threads counter", 0u64).map_err(io)?);
    let handles = (0..threads)
        .map(|i| {
            let total = Arc::clone(&total);
            drv_thread::spawn(format!("counter {i}"), move |_| {
                for _ in 0..rounds {
                    let mut n = total.lock();
                    // Read, give the other threads a chance, then write: without the lock
                    // increments would be lost.
                    let seen = *n;
                    std::thread::yield_now();
                    *n = seen + 1;
                }
                rounds
            })
            .map_err(io)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut sum = 0;
    for h in handles {
        sum += joined(h)?;
    }
    let total = *total.lock();
    Ok(format!("{total} {sum}"))
}

/// A bounded queue and its two conditions.
struct Channel {
    queue: DrvMutex<VecDeque<u64>>,
    not_full: DrvCond,
    not_empty: DrvCond,
}

const CAPACITY: usize = 4;

fn prodcons(items: u64) -> Result<String, Badarg> {
    let ch = Arc::new(Channel {
        queue: DrvMutex::new("drv_threads queue", VecDeque::new()).map_err(io)?,
        not_full: DrvCond::new("drv_threads not full").map_err(io)?,
        not_empty: DrvCond::new("drv_threads not empty").map_err(io)?,
    });
    let producer = {
        let ch = Arc::clone(&ch);
        drv_thread::spawn("producer", move |_| {
            // 0 ends the stream.
            for item in (1..=items).chain([0]) {
                let mut q = ch
                    .not_full
                    .wait_while(ch.queue.lock(), |q| q.len() >= CAPACITY);
                q.push_back(item);
                drop(q);
                ch.not_empty.notify_one();
            }
        })
        .map_err(io)?
    };
    let consumer = {
        let ch = Arc::clone(&ch);
        drv_thread::spawn("consumer", move |_| {
            let mut sum = 0;
            loop {
                let mut q = ch.not_empty.wait_while(ch.queue.lock(), |q| q.is_empty());
                let item = q.pop_front().expect("not empty");
                drop(q);
                ch.not_full.notify_all();
                if item == 0 {
                    return sum;
                }
                sum += item;
            }
        })
        .map_err(io)?
    };
    joined(producer)?;
    Ok(joined(consumer)?.to_string())
}

fn rwlock(readers: usize, writers: usize, rounds: u64) -> Result<String, Badarg> {
    let pair = Arc::new(DrvRwLock::new("drv_threads pair", (0u64, 0u64)).map_err(io)?);
    let mut torn_readers = Vec::new();
    let mut writer_handles = Vec::new();
    for i in 0..writers {
        let pair = Arc::clone(&pair);
        let h = drv_thread::spawn(format!("writer {i}"), move |_| {
            for _ in 0..rounds {
                let mut p = pair.write();
                p.0 += 1;
                std::thread::yield_now();
                p.1 += 1;
            }
        })
        .map_err(io)?;
        writer_handles.push(h);
    }
    for i in 0..readers {
        let pair = Arc::clone(&pair);
        let h = drv_thread::spawn(format!("reader {i}"), move |_| {
            let mut torn = 0u64;
            for _ in 0..rounds {
                let p = pair.read();
                let first = p.0;
                std::thread::yield_now();
                if p.1 != first {
                    torn += 1;
                }
            }
            torn
        })
        .map_err(io)?;
        torn_readers.push(h);
    }
    for h in writer_handles {
        joined(h)?;
    }
    let mut torn = 0;
    for h in torn_readers {
        torn += joined(h)?;
    }
    let writes = pair.read().0;

    // A reader on another thread: more readers may join it, no writer may.
    let (held, is_held) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let holder = {
        let pair = Arc::clone(&pair);
        drv_thread::spawn("read holder", move |_| {
            let _r = pair.read();
            let _ = held.send(());
            let _ = released.recv_timeout(WAIT);
        })
        .map_err(io)?
    };
    is_held.recv_timeout(WAIT).map_err(|_| Badarg)?;
    let shared = pair.try_read().is_some() && pair.try_write().is_none();
    drop(release);
    joined(holder)?;
    // A writer here: no reader, no second writer.
    let w = pair.write();
    let exclusive = pair.try_read().is_none() && pair.try_write().is_none();
    drop(w);
    let free = pair.try_write().is_some();
    Ok(format!(
        "{writes} torn={torn} shared={shared} exclusive={}",
        exclusive && free
    ))
}

fn tsd(threads: u64) -> Result<String, Badarg> {
    let mut values = Arc::new(DrvThreadLocal::<Cell<u64>>::new("drv_threads values").map_err(io)?);
    let handles = (0..threads)
        .map(|i| {
            let values = Arc::clone(&values);
            drv_thread::spawn(format!("tsd {i}"), move |_| {
                let fresh = values.get().is_none();
                let v = values.get_or(|| Cell::new(i * 10));
                v.set(v.get() + 1);
                // Other threads run meanwhile; this thread's value stays its own.
                std::thread::yield_now();
                let own = values.get().map(Cell::get) == Some(i * 10 + 1);
                (fresh, own)
            })
            .map_err(io)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (mut fresh, mut own) = (true, true);
    for h in handles {
        let (f, o) = joined(h)?;
        fresh &= f;
        own &= o;
    }
    let values = Arc::get_mut(&mut values).ok_or(Badarg)?;
    let mut all: Vec<u64> = values.iter_mut().map(|c| c.get()).collect();
    all.sort_unstable();
    let all: Vec<String> = all.iter().map(u64::to_string).collect();

    // The VM keeps this thread's value of a destroyed key, and gives its number to the
    // next key: that key must not see the old value.
    let old = DrvThreadLocal::<u64>::new("drv_threads old").map_err(io)?;
    old.get_or(|| 42);
    drop(old);
    let new = DrvThreadLocal::<u64>::new("drv_threads new").map_err(io)?;
    let stale = match new.get() {
        None => "none".to_owned(),
        Some(v) => v.to_string(),
    };
    Ok(format!(
        "fresh={fresh} own={own} values={} stale={stale}",
        all.join(",")
    ))
}

fn names() -> Result<String, Badarg> {
    let m = DrvMutex::new("drv_threads mutex", ()).map_err(io)?;
    let c = DrvCond::new("drv_threads cond").map_err(io)?;
    let r = DrvRwLock::new("drv_threads rwlock", ()).map_err(io)?;
    let h = drv_thread::spawn(LONG_NAME, |_| {
        let vm = drv_thread::current().name();
        let os = std::fs::read_to_string("/proc/thread-self/comm").unwrap_or_default();
        (vm, os.trim_end().to_owned())
    })
    .map_err(io)?;
    let (vm, os) = joined(h)?;
    Ok([m.name(), c.name(), r.name(), vm, os].join("|"))
}

fn is_current() -> Result<String, Badarg> {
    let (give, handle) = mpsc::channel::<JoinHandle<()>>();
    let (answer, answered) = mpsc::channel();
    let h = drv_thread::spawn("is_current", move |stop| {
        if let Ok(me) = handle.recv_timeout(WAIT) {
            let _ = answer.send((me.is_current(), me));
        }
        stop.wait();
    })
    .map_err(io)?;
    give.send(h).map_err(|_| Badarg)?;
    let (inside, h) = answered.recv_timeout(WAIT).map_err(|_| Badarg)?;
    let outside = h.is_current();
    h.stop_and_join().map_err(|_| Badarg)?;
    Ok(format!("inside={inside} outside={outside}"))
}

/// Recurses `depth` times, then leaves the thread with `value`.
fn leave(depth: u32, value: u64) -> u64 {
    if depth == 0 {
        drv_thread::exit(value);
    }
    leave(depth - 1, value) + 1
}

fn exit(value: u64) -> Result<String, Badarg> {
    let m = Arc::new(DrvMutex::new("drv_threads exit", ()).map_err(io)?);
    let held = Arc::clone(&m);
    let h = drv_thread::spawn("exit", move |_| {
        let _guard = held.lock();
        leave(10, value)
    })
    .map_err(io)?;
    let got = joined(h)?;
    let unlocked = if m.try_lock().is_some() {
        "unlocked"
    } else {
        "locked"
    };
    Ok(format!("{got} {unlocked}"))
}

fn panic() -> Result<String, Badarg> {
    let h = drv_thread::spawn("panicky", |_| -> u8 {
        panic!("deliberate panic in a VM thread")
    })
    .map_err(io)?;
    match h.join() {
        Ok(_) => Ok("no panic".to_owned()),
        Err(payload) => Ok(payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "a panic with another payload".to_owned())),
    }
}

/// Uses 16 MiB of stack.
fn deep() -> usize {
    let big = [1u8; 16 << 20];
    std::hint::black_box(&big)
        .iter()
        .map(|&b| usize::from(b))
        .sum()
}

fn stack() -> Result<String, Badarg> {
    let h = Builder::new()
        .name("deep stack")
        .stack_size(32 << 20)
        .spawn(|_| deep())
        .map_err(io)?;
    Ok(if joined(h)? == 16 << 20 {
        "deep"
    } else {
        "shallow"
    }
    .to_owned())
}

fn relock() -> Result<String, Badarg> {
    let m = DrvMutex::new("drv_threads relock", 0).map_err(io)?;
    let _first = m.lock();
    let _second = m.lock();
    Ok("relocked".to_owned())
}

fn bad_names() -> String {
    let mutex = DrvMutex::new("a\0b", ()).map(drop).unwrap_err().kind();
    let thread = drv_thread::spawn("a\0b", |_| ())
        .map(drop)
        .unwrap_err()
        .kind();
    format!("{mutex:?} {thread:?}")
}

fn linger(tag: String) -> Result<String, Badarg> {
    if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(Badarg);
    }
    let (running, is_running) = mpsc::channel();
    // The handle is dropped: only the unload stops and joins this thread.
    drv_thread::spawn(format!("linger {tag}"), move |stop| {
        let _ = running.send(());
        stop.wait();
        std::thread::sleep(CLEAN_UP);
        erldrv::env::set_var(&format!("DRV_THREADS_DONE_{tag}"), "yes");
    })
    .map_err(io)?;
    is_running.recv_timeout(WAIT).map_err(|_| Badarg)?;
    Ok("running".to_owned())
}

/// A port's state: the thread `hold` started.
pub struct DrvThreads {
    held: Option<JoinHandle<()>>,
}

#[erl_driver]
impl Driver for DrvThreads {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(DrvThreads { held: None })
    }

    fn control(
        &mut self,
        _port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let text = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let mut words = text.split_whitespace();
        let answer = match words.next().ok_or(Badarg)? {
            "counter" => counter(num(words.next())?, num(words.next())?)?,
            "prodcons" => prodcons(num(words.next())?)?,
            "rwlock" => rwlock(num(words.next())?, num(words.next())?, num(words.next())?)?,
            "tsd" => tsd(num(words.next())?)?,
            "names" => names()?,
            "hold" => {
                let name = words.next().ok_or(Badarg)?.to_owned();
                if self.held.is_some() {
                    return Err(Badarg);
                }
                let (running, is_running) = mpsc::channel();
                let h = drv_thread::spawn(name, move |stop| {
                    let _ = running.send(());
                    stop.wait();
                })
                .map_err(io)?;
                is_running.recv_timeout(WAIT).map_err(|_| Badarg)?;
                self.held = Some(h);
                "running".to_owned()
            }
            "release" => {
                let h = self.held.take().ok_or(Badarg)?;
                h.stop();
                joined(h)?;
                "joined".to_owned()
            }
            "is_current" => is_current()?,
            "join" => {
                let v: u64 = num(words.next())?;
                joined(drv_thread::spawn("join", move |_| v + 1).map_err(io)?)?.to_string()
            }
            "exit" => exit(num(words.next())?)?,
            "panic" => panic()?,
            "stack" => stack()?,
            "relock" => relock()?,
            "bad_names" => bad_names(),
            "linger" => linger(words.next().ok_or(Badarg)?.to_owned())?,
            _ => return Err(Badarg),
        };
        reply.extend_from_slice(answer.as_bytes());
        Ok(())
    }
}
