//! Plain identifiers the driver API hands out: process ids, port ids and monitors. Unlike
//! a `Port`, they can be kept past a callback.

use core::fmt;

use erldrv_sys as sys;

/// An Erlang process identifier, as the driver API hands it out (`ErlDrvTermData`):
/// [`Port::caller`](crate::Port::caller), [`Port::connected`](crate::Port::connected).
///
/// A [`ToTerm`](crate::term::ToTerm) value: it goes into a term message like any other,
/// `sender.send_term(pid, &(pid, 1))`, from any thread. Only messages can hold it: it is the
/// running VM's handle, with no external-format encoding the driver API can make, so
/// writing it into a hand-written `port_call` reply or bytes panics
/// ([`TermWriter::pid`](crate::term::TermWriter::pid)). A command may return it, alone or
/// inside its result: the framework sends such a result to the caller as a message
/// ([`command`](crate::command#pids-and-ports-in-results)).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pid(pub(crate) sys::ErlDrvTermData);

impl Pid {
    /// The raw term value, for the term-building functions of `erldrv-sys`.
    pub fn as_raw(self) -> sys::ErlDrvTermData {
        self.0
    }

    #[cfg(test)]
    pub(crate) fn from_raw(raw: sys::ErlDrvTermData) -> Pid {
        Pid(raw)
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pid({:#x})", self.0)
    }
}

/// A port identifier term (from `driver_mk_port`): [`Port::id`](crate::Port::id),
/// [`Sender::port_id`](crate::Sender::port_id). Unlike [`Port`](crate::Port) it is plain
/// data: it can be kept and sent.
///
/// A [`ToTerm`](crate::term::ToTerm) value, for term messages only, as [`Pid`]:
/// `port.output_term(&(port.id(), value))`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PortId(pub(crate) sys::ErlDrvTermData);

impl PortId {
    /// The raw term value.
    pub fn as_raw(self) -> sys::ErlDrvTermData {
        self.0
    }

    #[cfg(test)]
    pub(crate) fn from_raw(raw: sys::ErlDrvTermData) -> PortId {
        PortId(raw)
    }
}

/// A monitor on a process, created with [`Port::monitor_process`](crate::Port::monitor_process) and handed back to
/// [`process_exit`](crate::Driver::process_exit) when the process dies.
///
/// Not a term: the driver API has no way to turn a monitor into one, so Erlang code never
/// sees it (there is no reference to match, as `erlang:monitor/2` gives).
#[derive(Clone, Copy)]
pub struct Monitor(pub(crate) sys::ErlDrvMonitor);

impl Monitor {
    pub(crate) fn from_raw(raw: sys::ErlDrvMonitor) -> Monitor {
        Monitor(raw)
    }

    pub(crate) fn raw(&self) -> sys::ErlDrvMonitor {
        self.0
    }
}

impl PartialEq for Monitor {
    fn eq(&self, other: &Monitor) -> bool {
        // SAFETY: both point to initialised monitors; comparison reads them only.
        unsafe { sys::driver_compare_monitors(&self.0, &other.0) == 0 }
    }
}

impl Eq for Monitor {}

impl fmt::Debug for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Monitor(..)")
    }
}
