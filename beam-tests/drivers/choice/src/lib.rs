//! `choice_drv`: one library, several candidate drivers, one chosen when the VM loads it
//! (`erldrv::driver_init!`), from the VM environment variable `CHOICE_DRV`:
//! - unset: `Plain` (`control` only);
//! - `full`: `Full` (`control`, `ready_async`, `process_exit`);
//! - `watching`: `Watching` (`control` and the `watch_callers` option);
//! - `bare`: `Bare` (`start` only: `port_control` gets the VM's own `badarg`);
//! - `refuse`: no driver, with a reason; `panic`: the chooser panics;
//! - `stranger`: a candidate of another name (the chooser's mistake, refused).
//!
//! `control` answers `who` (which candidate runs), `monitor` (whether the VM takes a
//! monitor on the caller: it refuses one when the entry has no `process_exit`) and
//! `slots <candidate>` (the filled slots of that candidate's entry, as the VM gets it).
//! `beam-tests/test/choice_tests.erl` drives it.
//!
//! Not `forbid(unsafe_code)`: reading the entries' slots is the point of `slots`.

use erldrv::__private::DriverEntry;
use erldrv::__private::sys::ErlDrvEntry;
use erldrv::{
    Badarg, Driver, Entry, InitError, JobPanic, Monitor, MonitorError, Port, Reply, StartError,
    erl_driver,
};

/// The filled slots of `D`'s entry, by field name, space-separated.
fn filled<D: DriverEntry>() -> String {
    // SAFETY: the entry is a static built at compile time. The VM writes only its `handle`
    // fields, at load, before any callback runs; the callback pointers read here are
    // never written after compilation.
    let e: &ErlDrvEntry = unsafe { &*D::entry() };
    [
        ("init", e.init.is_some()),
        ("start", e.start.is_some()),
        ("stop", e.stop.is_some()),
        ("output", e.output.is_some()),
        ("ready_input", e.ready_input.is_some()),
        ("ready_output", e.ready_output.is_some()),
        ("finish", e.finish.is_some()),
        ("control", e.control.is_some()),
        ("timeout", e.timeout.is_some()),
        ("outputv", e.outputv.is_some()),
        ("ready_async", e.ready_async.is_some()),
        ("flush", e.flush.is_some()),
        ("call", e.call.is_some()),
        ("process_exit", e.process_exit.is_some()),
        ("stop_select", e.stop_select.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect::<Vec<_>>()
    .join(" ")
}

/// The commands every candidate with a `control` answers.
fn control(who: &str, port: &Port, data: &[u8], reply: &mut Reply) -> Result<(), Badarg> {
    let text = std::str::from_utf8(data).map_err(|_| Badarg)?;
    let answer = match text.split_once(' ').unwrap_or((text, "")) {
        ("who", _) => who.to_owned(),
        ("monitor", _) => match port.monitor_process(port.caller()) {
            Ok(m) => {
                let _ = port.demonitor_process(&m);
                "monitored".to_owned()
            }
            Err(MonitorError::Refused) => "refused".to_owned(),
            Err(e) => e.to_string(),
        },
        ("slots", "plain") => filled::<Plain>(),
        ("slots", "full") => filled::<Full>(),
        ("slots", "watching") => filled::<Watching>(),
        ("slots", "bare") => filled::<Bare>(),
        _ => return Err(Badarg::because(format!("unknown command {text:?}"))),
    };
    reply.extend_from_slice(answer.as_bytes());
    Ok(())
}

pub struct Plain;

#[erl_driver(name = "choice_drv", candidate)]
impl Driver for Plain {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Plain)
    }

    fn control(
        &mut self,
        port: &Port,
        _: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        control("plain", port, data, reply)
    }
}

pub struct Full;

#[erl_driver(name = "choice_drv", candidate)]
impl Driver for Full {
    type Async = u32;

    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Full)
    }

    fn control(
        &mut self,
        port: &Port,
        _: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        control("full", port, data, reply)
    }

    fn ready_async(&mut self, _port: &Port, _result: Result<u32, JobPanic>) {}

    fn process_exit(&mut self, _port: &Port, _monitor: Monitor) {}
}

pub struct Watching;

#[erl_driver(name = "choice_drv", candidate, watch_callers)]
impl Driver for Watching {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Watching)
    }

    fn control(
        &mut self,
        port: &Port,
        _: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        control("watching", port, data, reply)
    }
}

pub struct Bare;

#[erl_driver(name = "choice_drv", candidate)]
impl Driver for Bare {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Bare)
    }
}

/// A driver of another name: never a right choice for this library.
pub struct Stranger;

#[erl_driver(name = "stranger_drv", candidate)]
impl Driver for Stranger {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Stranger)
    }
}

erldrv::driver_init!([Plain, Full, Watching, Bare], || {
    match erldrv::env::var("CHOICE_DRV").as_deref() {
        None => Ok(Entry::of::<Plain>()),
        Some("full") => Ok(Entry::of::<Full>()),
        Some("watching") => Ok(Entry::of::<Watching>()),
        Some("bare") => Ok(Entry::of::<Bare>()),
        Some("refuse") => Err(InitError::new(
            "CHOICE_DRV=refuse: no driver for this machine",
        )),
        Some("panic") => panic!("deliberate panic in driver_init"),
        Some("stranger") => Ok(Entry::of::<Stranger>()),
        Some(other) => Err(InitError::new(format!(
            "CHOICE_DRV={other}: unknown choice"
        ))),
    }
});
